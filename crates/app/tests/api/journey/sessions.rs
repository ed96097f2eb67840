//! What opens and ends a browser session: a manage link from another site asks before
//! signing in (login CSRF), and signing out is a form that another site cannot send.

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use super::session_cookie;
use crate::app_test;
use crate::helpers::TestApp;

impl TestApp {
    /// A manage token for `email`, as the emails carry.
    async fn manage_link_token(&self, email: &str) -> String {
        let id = self.subscriber(email).await.unwrap().id;
        self.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            id,
            time::OffsetDateTime::now_utc(),
        )
    }

    /// `GET path` with extra request headers.
    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }
}

fn sets_a_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("jobping_session="))
}

app_test!(
    a_manage_link_opened_from_another_site_asks_before_signing_in,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("victim@example.com").await;
        let token = app.manage_link_token("victim@example.com").await;
        let path = format!("/preferences?token={token}");

        for headers in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
            vec![("referer", "https://attacker.example/page")],
            vec![("origin", "null")],
        ] {
            let asked = app.get_with(&path, &headers).await;
            assert_eq!(asked.status(), StatusCode::OK, "{headers:?}");
            assert!(!sets_a_session(&asked), "no session from {headers:?}");
            let html = asked.text().await.unwrap();
            assert!(html.contains("Open your preferences?"), "{html}");
            assert!(html.contains("victim@example.com"), "says whose account: {html}");
            assert!(
                html.contains(r#"action="/preferences/open""#) && html.contains(r#"name="token""#),
                "{html}"
            );
        }

        // The button cannot be pressed from the other site...
        let forged = app
            .client
            .post(format!("{}/preferences/open", app.address))
            .header("sec-fetch-site", "cross-site")
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(!sets_a_session(&forged));

        // ...but from the confirmation page it opens the session.
        let opened = app
            .client
            .post(format!("{}/preferences/open", app.address))
            .header("sec-fetch-site", "same-origin")
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::SEE_OTHER);
        assert_eq!(opened.headers()[LOCATION], "/preferences");
        let cookie = session_cookie(&opened);
        assert_eq!(
            app.get_with_cookie("/preferences", &cookie).await.status(),
            StatusCode::OK
        );

        // A bad token posted to the button opens nothing.
        let bad = app
            .post_form("/preferences/open", &[("token", "not-a-token".into())])
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_a_session(&bad));
    }
);

app_test!(
    a_manage_link_clicked_in_a_mail_app_signs_in_at_once,
    |app: TestApp| async move {
        app.signed_up_and_confirmed("mary@example.com").await;
        let token = app.manage_link_token("mary@example.com").await;
        let path = format!("/preferences?token={token}");
        for headers in [
            vec![("sec-fetch-site", "none")],
            vec![("sec-fetch-site", "same-origin")],
            vec![],
        ] {
            let opened = app.get_with(&path, &headers).await;
            assert_eq!(opened.status(), StatusCode::SEE_OTHER, "{headers:?}");
            assert!(sets_a_session(&opened), "{headers:?}");
        }
    }
);

app_test!(
    signing_out_is_a_post_that_another_site_cannot_send,
    |app: TestApp| async move {
        let cookie = app.signed_up_and_confirmed("linus@example.com").await;
        let page = app.get_with_cookie("/preferences", &cookie).await;
        let html = page.text().await.unwrap();
        assert!(
            html.contains(r#"method="post" action="/signout""#),
            "the sign-out is a form button: {html}"
        );
        assert!(!html.contains(r#"href="/signout""#), "{html}");

        // A GET (a link, an image on another site) only offers the button.
        let offered = app.get_with_cookie("/signout", &cookie).await;
        assert_eq!(offered.status(), StatusCode::OK);
        assert!(offered.headers().get(SET_COOKIE).is_none());
        assert!(offered.text().await.unwrap().contains(r#"action="/signout""#));
        assert_eq!(
            app.get_with_cookie("/preferences", &cookie).await.status(),
            StatusCode::OK,
            "still signed in"
        );

        // A post from another site is refused.
        let forged = app
            .client
            .post(format!("{}/signout", app.address))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(forged.headers().get(SET_COOKIE).is_none());

        // The button signs out.
        let signed_out = app
            .client
            .post(format!("{}/signout", app.address))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(signed_out.status(), StatusCode::OK);
        let cleared = signed_out.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(
            cleared.starts_with("jobping_session=") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
    }
);
