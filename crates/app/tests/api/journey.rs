//! The subscriber's journey through the pages, as a browser without JavaScript would
//! walk it: signup, the emailed link, preferences, unsubscribe, export and deletion.

mod sessions;

use jobping_core::{EmailAddress, SubscriberStatus};
use jobping_store::StoreError;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};

use crate::app_test;
use crate::helpers::{Options, TestApp};

/// A valid signup form for `email`, as a browser posts it.
pub fn signup_form(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("email", email.to_owned()),
        ("cities", "berlin".into()),
        ("cities", "amsterdam".into()),
        ("career_paths", "data".into()),
        ("roles", "Data Analyst, BI Analyst".into()),
        ("entry_levels", "graduate".into()),
        ("entry_levels", "entry".into()),
        ("experience", "none".into()),
        ("work_environments", "hybrid".into()),
        ("work_environments", "remote".into()),
        ("visa", "eu".into()),
        ("languages", "en".into()),
        ("languages", "de".into()),
        ("skills", "sql, python".into()),
        ("keywords", "".into()),
        ("start_date", "2026-09-01".into()),
        ("consent", "yes".into()),
    ]
}

impl TestApp {
    pub async fn post_form(&self, path: &str, form: &[(&str, String)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// Signs up `email`, confirms it through the emailed link, and returns the session
    /// cookie the confirmation set.
    pub async fn signed_up_and_confirmed(&self, email: &str) -> String {
        let response = self.post_form("/signup", &signup_form(email)).await;
        assert_eq!(response.status(), StatusCode::OK);
        self.drain().await;
        let token = self
            .emails_to(email)
            .last()
            .expect("a verification email")
            .token_for("/verify");
        let response = self.post_form("/verify", &[("token", token)]).await;
        assert_eq!(response.status(), StatusCode::OK);
        session_cookie(&response)
    }

    async fn subscriber(&self, email: &str) -> Option<jobping_store::Subscriber> {
        self.state
            .store
            .subscriber_by_email(&EmailAddress::parse(email).unwrap())
            .await
            .unwrap()
    }
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jobping_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

app_test!(
    the_landing_page_explains_the_service_and_links_to_signup,
    |app: TestApp| async move {
        let response = app.get("/").await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains(r#"name="viewport""#));
        assert!(html.contains(r#"href="/signup""#));
        assert!(html.contains("Free") && html.contains("Premium"));
        assert!(!html.contains("<script"), "pages work without JavaScript");
        for page in ["/privacy", "/terms", "/pricing", "/signup"] {
            let response = app.get(page).await;
            assert_eq!(response.status(), StatusCode::OK, "{page}");
        }
        let css = app.get("/static/app.css").await;
        assert_eq!(css.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    }
);

app_test!(
    the_signup_form_offers_every_preference_field_with_labels,
    |app: TestApp| async move {
        let html = app.get("/signup").await.text().await.unwrap();
        for name in [
            "email",
            "cities",
            "career_paths",
            "roles",
            "entry_levels",
            "experience",
            "work_environments",
            "visa",
            "languages",
            "start_date",
            "skills",
            "keywords",
            "consent",
            "marketing",
        ] {
            assert!(html.contains(&format!(r#"name="{name}""#)), "no field {name}");
        }
        assert!(html.contains(r#"value="muenchen""#) || html.contains(r#"value="munich""#));
        assert!(html.contains(r#"<label for="email">"#));
        assert!(html.contains(r#"href="/privacy""#));
    }
);

app_test!(
    a_signup_with_mistakes_shows_each_field_message_and_keeps_the_input,
    |app: TestApp| async move {
        let form = vec![
            ("email", "not-an-address".to_owned()),
            ("cities", "atlantis".into()),
            ("career_paths", "data".into()),
            ("roles", "Data <Analyst>".into()),
            ("entry_levels", "graduate".into()),
            ("experience", "none".into()),
            ("work_environments", "remote".into()),
            ("languages", "en".into()),
        ];
        let response = app.post_form("/signup", &form).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"value="not-an-address""#), "the address is kept");
        assert!(
            html.contains("Data &#60;Analyst&#62;") || html.contains("Data &lt;Analyst&gt;"),
            "input is escaped"
        );
        assert!(html.contains("`atlantis` is not a city JobPing covers"));
        assert!(html.contains(r#"id="visa-error""#), "visa is required");
        assert!(html.contains(r#"id="consent-error""#), "consent is required");
        assert!(html.contains(r#"id="email-error""#));
        assert!(html.contains(r#"<input type="checkbox" name="career_paths" value="data" checked>"#));
        app.drain().await;
        assert!(app.emails().is_empty(), "nothing is sent for a bad signup");
    }
);

app_test!(
    signup_then_the_emailed_link_confirms_and_a_welcome_follows,
    |app: TestApp| async move {
        let response = app.post_form("/signup", &signup_form("ada@example.com")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains("Check your email"));
        let pending = app.subscriber("ada@example.com").await.unwrap();
        assert_eq!(pending.status, SubscriberStatus::Pending);

        app.drain().await;
        let emails = app.emails_to("ada@example.com");
        assert_eq!(emails.len(), 1, "{emails:?}");
        let token = emails[0].token_for("/verify");

        // Following the link shows a button; it does not confirm by itself.
        let page = app.get(&format!("/verify?token={token}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            app.subscriber("ada@example.com").await.unwrap().status,
            SubscriberStatus::Pending
        );

        let confirmed = app.post_form("/verify", &[("token", token.clone())]).await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        let cookie = session_cookie(&confirmed);
        assert!(confirmed.text().await.unwrap().contains("Welcome to JobPing!"));
        assert_eq!(
            app.subscriber("ada@example.com").await.unwrap().status,
            SubscriberStatus::Active
        );

        // The link works once; used again, it only says the address is already confirmed.
        let again = app.post_form("/verify", &[("token", token)]).await;
        assert!(again.text().await.unwrap().contains("Already confirmed"));

        app.drain().await;
        let emails = app.emails_to("ada@example.com");
        assert_eq!(emails.len(), 2, "verification then welcome");
        let welcome = &emails[1];
        assert!(
            welcome.html.contains("/preferences?token="),
            "the HTML part links to preferences"
        );
        assert!(
            welcome
                .header("List-Unsubscribe")
                .unwrap()
                .contains("/unsubscribe?token=")
        );
        assert_eq!(
            welcome.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );

        // The confirmation signed this browser in.
        let prefs = app.get_with_cookie("/preferences", &cookie).await;
        assert_eq!(prefs.status(), StatusCode::OK);
        assert!(prefs.text().await.unwrap().contains("ada@example.com"));
    }
);

app_test!(
    a_spent_verify_link_confirms_nothing_and_signs_no_one_in,
    |app: TestApp| async move {
        app.post_form("/signup", &signup_form("ada@example.com")).await;
        app.drain().await;
        let token = app.emails_to("ada@example.com")[0].token_for("/verify");
        let first = app.post_form("/verify", &[("token", token.clone())]).await;
        assert_eq!(first.status(), StatusCode::OK);
        session_cookie(&first);

        // A link left in browser history or a forwarded email must not open the account,
        // and neither may another confirmation link for an address already confirmed.
        let id = app.subscriber("ada@example.com").await.unwrap().id;
        let unspent = app.state.signer.sign(
            jobping::tokens::Purpose::Verify,
            id,
            time::OffsetDateTime::now_utc(),
        );
        for token in [token, unspent] {
            let again = app.post_form("/verify", &[("token", token)]).await;
            assert_eq!(again.status(), StatusCode::OK);
            assert!(
                again.headers().get(SET_COOKIE).is_none(),
                "no session: {:?}",
                again.headers()
            );
            let html = again.text().await.unwrap();
            assert!(html.contains("Already confirmed"), "{html}");
            assert!(
                html.contains(r#"href="/account/link""#),
                "offers to email a manage link: {html}"
            );
            assert!(!html.contains("token="), "{html}");
        }
    }
);

app_test!(
    signup_answers_the_same_for_a_known_address_and_sends_no_second_link_at_once,
    |app: TestApp| async move {
        let first = app.post_form("/signup", &signup_form("grace@example.com")).await;
        let first_status = first.status();
        let first_body = first.text().await.unwrap();
        let second = app.post_form("/signup", &signup_form("grace@example.com")).await;
        assert_eq!(second.status(), first_status);
        assert_eq!(second.text().await.unwrap(), first_body);
        app.drain().await;
        assert_eq!(
            app.emails_to("grace@example.com").len(),
            1,
            "one link per interval"
        );
    }
);

app_test!(
    a_stranger_cannot_change_a_confirmed_subscribers_preferences_by_signing_up,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("linus@example.com").await;
        let mut form = signup_form("linus@example.com");
        form.retain(|(k, _)| *k != "cities");
        form.push(("cities", "madrid".into()));
        let response = app.post_form("/signup", &form).await;
        assert_eq!(response.status(), StatusCode::OK);
        let id = app.subscriber("linus@example.com").await.unwrap().id;
        let stored = app.state.store.preferences(id).await.unwrap().unwrap();
        assert_eq!(stored["cities"], serde_json::json!(["berlin", "amsterdam"]));
    }
);

app_test!(
    a_manage_link_opens_a_session_and_preferences_can_be_changed,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("mary@example.com").await;
        let id = app.subscriber("mary@example.com").await.unwrap().id;
        let token = app.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            id,
            time::OffsetDateTime::now_utc(),
        );
        let opened = app.get(&format!("/preferences?token={token}")).await;
        assert_eq!(opened.status(), StatusCode::SEE_OTHER);
        assert_eq!(opened.headers()[LOCATION], "/preferences");
        let cookie = session_cookie(&opened);

        let mut form = signup_form("ignored@example.com");
        form.retain(|(k, _)| !matches!(*k, "cities" | "email" | "consent"));
        form.push(("cities", "vienna".into()));
        let saved = app
            .client
            .post(format!("{}/preferences", app.address))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let stored = app.state.store.preferences(id).await.unwrap().unwrap();
        assert_eq!(stored["cities"], serde_json::json!(["vienna"]));

        // A bad change is refused with the field named, and nothing is stored.
        form.retain(|(k, _)| *k != "cities");
        let refused = app
            .client
            .post(format!("{}/preferences", app.address))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains(r#"id="cities-error""#));
        let stored = app.state.store.preferences(id).await.unwrap().unwrap();
        assert_eq!(stored["cities"], serde_json::json!(["vienna"]));

        // Without a session the page asks for a link instead.
        let anonymous = app.get("/preferences").await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }
);

app_test!(
    a_token_made_for_another_purpose_opens_nothing,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("eve@example.com").await;
        let id = app.subscriber("eve@example.com").await.unwrap().id;
        let now = time::OffsetDateTime::now_utc();
        use jobping::tokens::Purpose;
        let unsubscribe = app.state.signer.sign(Purpose::Unsubscribe, id, now);
        let manage = app.state.signer.sign(Purpose::Manage, id, now);
        let verify = app.state.signer.sign(Purpose::Verify, id, now);
        for path in [
            format!("/preferences?token={unsubscribe}"),
            format!("/account/export?token={manage}"),
            format!("/account/export?token={unsubscribe}"),
            format!("/unsubscribe?token={verify}"),
            format!("/unsubscribe?token={manage}"),
        ] {
            let response = app.get(&path).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
            assert!(response.text().await.unwrap().contains("expired or is not valid"));
        }
        let delete = app.post_form("/account/delete", &[("token", manage)]).await;
        assert_eq!(delete.status(), StatusCode::BAD_REQUEST);
        assert!(app.subscriber("eve@example.com").await.is_some());
    }
);

app_test!(
    one_click_unsubscribe_works_without_a_cookie_as_rfc_8058_asks,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("alan@example.com").await;
        app.drain().await;
        let welcome = app.emails_to("alan@example.com").pop().unwrap();
        let header = welcome.header("List-Unsubscribe").unwrap();
        let token = regex::Regex::new(r"token=([A-Za-z0-9_\-.]+)")
            .unwrap()
            .captures(&header)
            .unwrap()[1]
            .to_owned();
        let response = app
            .client
            .post(format!("{}/unsubscribe?token={token}", app.address))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let subscriber = app.subscriber("alan@example.com").await.unwrap();
        assert_eq!(subscriber.status, SubscriberStatus::Unsubscribed);
        assert!(
            app.state
                .store
                .suppression(&subscriber.email)
                .await
                .unwrap()
                .is_some(),
            "the address is on the suppression list"
        );
        // Twice is fine.
        let again = app
            .client
            .post(format!("{}/unsubscribe?token={token}", app.address))
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::OK);
    }
);

app_test!(
    the_export_holds_everything_stored_about_the_subscriber,
    |app: TestApp| async move {
        let cookie = app.signed_up_and_confirmed("joan@example.com").await;
        let account = app
            .get_with_cookie("/account", &cookie)
            .await
            .text()
            .await
            .unwrap();
        let href = regex::Regex::new(r#"href="(/account/export\?token=[^"]+)""#)
            .unwrap()
            .captures(&account)
            .expect("an export link")[1]
            .to_owned();
        let response = app.get(&href).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let export: serde_json::Value = response.json().await.unwrap();
        assert_eq!(export["subscriber"]["email"], "joan@example.com");
        assert_eq!(
            export["preferences"]["cities"],
            serde_json::json!(["berlin", "amsterdam"])
        );
        let purposes: Vec<&str> = export["consents"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["purpose"].as_str())
            .collect();
        assert!(
            purposes.contains(&"privacy") && purposes.contains(&"marketing"),
            "{export}"
        );
    }
);

app_test!(
    deleting_the_account_erases_it_and_its_links_stop_working,
    |app: TestApp| async move {
        let cookie = app.signed_up_and_confirmed("kim@example.com").await;
        let id = app.subscriber("kim@example.com").await.unwrap().id;
        let page = app
            .get_with_cookie("/account/delete", &cookie)
            .await
            .text()
            .await
            .unwrap();
        let token = regex::Regex::new(r#"name="token" value="([^"]+)""#)
            .unwrap()
            .captures(&page)
            .expect("a delete token")[1]
            .to_owned();
        let deleted = app
            .client
            .post(format!("{}/account/delete", app.address))
            .header("cookie", &cookie)
            .form(&[("token", token.clone())])
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::OK);
        assert!(matches!(
            app.state.store.subscriber(id).await,
            Err(StoreError::NotFound)
        ));
        // The old session and links open nothing now.
        assert_eq!(
            app.get_with_cookie("/preferences", &cookie).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let manage = app.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            id,
            time::OffsetDateTime::now_utc(),
        );
        assert_eq!(
            app.get(&format!("/preferences?token={manage}")).await.status(),
            StatusCode::BAD_REQUEST
        );
        // The notice goes out straight away (not through the queue).
        assert!(
            crate::helpers::eventually(std::time::Duration::from_secs(5), || async {
                app.emails_to("kim@example.com")
                    .iter()
                    .any(|e| e.subject.to_lowercase().contains("deleted"))
            })
            .await
        );
    }
);

app_test!(a_cross_site_form_post_is_refused, |app: TestApp| async move {
    let response = app
        .client
        .post(format!("{}/signup", app.address))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&signup_form("victim@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(app.subscriber("victim@example.com").await.is_none());
});

fn two_per_hour() -> Options {
    Options {
        env: vec![("JOBPING_SIGNUP_PER_IP_PER_HOUR", "2".into())],
        ..Options::default()
    }
}

app_test!(
    signups_from_one_address_are_throttled,
    two_per_hour,
    |app: TestApp| async move {
        for n in 0..2 {
            let response = app
                .post_form("/signup", &signup_form(&format!("p{n}@example.com")))
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let response = app.post_form("/signup", &signup_form("p3@example.com")).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 0);
        assert!(app.subscriber("p3@example.com").await.is_none());
    }
);

fn roomy_signup_limit() -> Options {
    Options {
        env: vec![("JOBPING_SIGNUP_PER_IP_PER_HOUR", "50".into())],
        ..Options::default()
    }
}

app_test!(
    one_inbox_under_many_spellings_gets_a_few_link_emails_not_one_per_spelling,
    roomy_signup_limit,
    |app: TestApp| async move {
        let spellings = [
            "mailbox.owner+1@gmail.com",
            "mailbox.owner+2@gmail.com",
            "MailboxOwner@googlemail.com",
            "m.a.i.l.b.o.x.owner@gmail.com",
            "mailboxowner+jobs@gmail.com",
            "mailbox.owner+3@gmail.com",
        ];
        for address in spellings {
            let response = app.post_form("/signup", &signup_form(address)).await;
            // The same answer for every spelling: nobody learns what was sent.
            assert_eq!(response.status(), StatusCode::OK, "{address}");
        }
        app.drain().await;
        let sent: usize = spellings.iter().map(|a| app.emails_to(a).len()).sum();
        assert_eq!(sent, 3, "at most three link emails per mailbox per interval");
        // Another inbox is not affected.
        app.post_form("/signup", &signup_form("someone.else@gmail.com"))
            .await;
        app.drain().await;
        assert_eq!(app.emails_to("someone.else@gmail.com").len(), 1);
    }
);
