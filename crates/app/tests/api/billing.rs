//! Premium through Stripe, against wiremock playing Stripe's API on loopback (form
//! requests, JSON answers, error objects) and webhooks signed exactly as Stripe signs
//! them.

use jobping::billing::signature;
use jobping_core::{EmailAddress, Tier};
use jobping_store::{Backend, Subscriber};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};
use time::OffsetDateTime;
use wiremock::matchers::{body_string_contains, header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::app_test;
use crate::helpers::{Options, TestApp, spawn_app};
use crate::journey::signup_form;

const SECRET_KEY: &str = "sk_test_51Jobping0000fictional";
const WEBHOOK_SECRET: &str = "whsec_9d2f61c0a4be4c3b8e7a55f01c6d2e93";
const PRICE: &str = "price_1QpremiumMonthly";

/// An app with billing on, talking to `stripe`.
async fn billed_app(backend: Backend, stripe: &MockServer) -> Option<TestApp> {
    spawn_app(
        backend,
        Options {
            env: vec![
                ("STRIPE_SECRET_KEY", SECRET_KEY.into()),
                ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
                ("STRIPE_PRICE_MONTHLY", PRICE.into()),
                ("STRIPE_PRICE_AMOUNT", "5.5".into()),
                ("STRIPE_PRICE_CURRENCY", "eur".into()),
                ("JOBPING_STRIPE_BASE_URL", stripe.uri()),
            ],
            ..Options::default()
        },
    )
    .await
}

/// Runs a billing test once per backend, each with its own Stripe.
macro_rules! billing_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let stripe = MockServer::start().await;
                let app = billed_app(Backend::Sqlite, &stripe).await.unwrap();
                ($body)(app, stripe).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let stripe = MockServer::start().await;
                if let Some(app) = billed_app(Backend::Postgres, &stripe).await {
                    ($body)(app, stripe).await;
                }
            }
        }
    };
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
        "data": { "object": object }
    })
}

fn subscription(subscriber: &Subscriber, status: &str) -> Value {
    json!({
        "id": "sub_1QfictionalAda",
        "object": "subscription",
        "customer": "cus_QfictionalAda",
        "status": status,
        "cancel_at_period_end": false,
        "current_period_end": now() + 30 * 86_400,
        "items": { "object": "list", "data": [ { "id": "si_1", "price": { "id": PRICE } } ] },
        "metadata": { "subscriber": subscriber.id.to_string() }
    })
}

impl TestApp {
    /// Posts `body` to the Stripe webhook with `signature` as the Stripe-Signature header.
    async fn stripe_raw(&self, body: &str, signature: Option<String>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/api/v1/webhooks/stripe", self.address))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        request.send().await.unwrap()
    }

    /// Posts `event` signed as Stripe signs it; returns the status and the answer.
    async fn stripe_event(&self, event: &Value) -> (StatusCode, Value) {
        let body = event.to_string();
        let response = self
            .stripe_raw(
                &body,
                Some(signature::sign(WEBHOOK_SECRET, now(), body.as_bytes())),
            )
            .await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn who(&self, email: &str) -> Subscriber {
        self.state
            .store
            .subscriber_by_email(&EmailAddress::parse(email).unwrap())
            .await
            .unwrap()
            .expect("the subscriber exists")
    }

    async fn post_with_cookie(&self, path: &str, cookie: &str, form: &[(&str, String)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn tier_changes(&self) -> usize {
        self.state
            .store
            .recent_audit(100)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "tier_changed" && e.actor == "stripe")
            .count()
    }
}

app_test!(
    without_stripe_settings_billing_is_off_and_says_so,
    |app: TestApp| async move {
        let pricing = app.get("/pricing").await.text().await.unwrap();
        assert!(pricing.contains("Premium is not available yet"), "{pricing}");
        let cookie = app.signed_up_and_confirmed("ada@example.com").await;
        let checkout = app.post_with_cookie("/billing/checkout", &cookie, &[]).await;
        assert_eq!(checkout.status(), StatusCode::SERVICE_UNAVAILABLE);
        let account = app
            .get_with_cookie("/account", &cookie)
            .await
            .text()
            .await
            .unwrap();
        assert!(!account.contains("/billing/checkout"));
        let webhook = app.stripe_raw("{}", None).await;
        assert_eq!(webhook.status(), StatusCode::SERVICE_UNAVAILABLE);
        let problem: Value = webhook.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("STRIPE_SECRET_KEY"));
    }
);

billing_test!(
    pricing_shows_the_price_from_the_settings,
    |app: TestApp, _stripe: MockServer| async move {
        let pricing = app.get("/pricing").await.text().await.unwrap();
        assert!(pricing.contains("€5.50 / month"), "{pricing}");
        assert!(!pricing.contains("not available yet"));
    }
);

billing_test!(
    checkout_starts_a_subscription_session_and_redirects_to_it,
    |app: TestApp, stripe: MockServer| async move {
        Mock::given(method("POST"))
            .and(path("/v1/checkout/sessions"))
            .and(header("authorization", format!("Bearer {SECRET_KEY}").as_str()))
            .and(header("stripe-version", jobping::billing::STRIPE_VERSION))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(header_exists("idempotency-key"))
            .and(body_string_contains("mode=subscription"))
            .and(body_string_contains(
                "line_items%5B0%5D%5Bprice%5D=price_1QpremiumMonthly",
            ))
            .and(body_string_contains("customer_email=ada%40example.com"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "cs_test_a1Fictional",
                "object": "checkout.session",
                "mode": "subscription",
                "url": "https://checkout.stripe.example/c/pay/cs_test_a1Fictional"
            })))
            .expect(2)
            .mount(&stripe)
            .await;

        // Signed out: asked to open the account first, nothing sent to Stripe.
        let anonymous = app.post_form("/billing/checkout", &[]).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

        let cookie = app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        let account = app
            .get_with_cookie("/account", &cookie)
            .await
            .text()
            .await
            .unwrap();
        assert!(account.contains(r#"action="/billing/checkout""#), "{account}");
        let started = app.post_with_cookie("/billing/checkout", &cookie, &[]).await;
        assert_eq!(started.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            started.headers()[LOCATION],
            "https://checkout.stripe.example/c/pay/cs_test_a1Fictional"
        );
        // A double click is the same request to Stripe: the same idempotency key.
        app.post_with_cookie("/billing/checkout", &cookie, &[]).await;
        let requests: Vec<Request> = stripe.received_requests().await.unwrap();
        let keys: Vec<&str> = requests
            .iter()
            .map(|r| r.headers["idempotency-key"].to_str().unwrap())
            .collect();
        assert_eq!(keys[0], keys[1]);
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&requests[0].body)
            .into_owned()
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("no {name} in {form:?}"))
        };
        assert_eq!(field("client_reference_id"), ada.id.to_string());
        assert_eq!(field("metadata[subscriber]"), ada.id.to_string());
        assert_eq!(
            field("subscription_data[metadata][subscriber]"),
            ada.id.to_string()
        );
        assert!(field("success_url").ends_with("/billing/success?session_id={CHECKOUT_SESSION_ID}"));
        assert!(field("cancel_url").ends_with("/account"));
        // Starting a checkout changes nothing by itself.
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Free);
    }
);

billing_test!(
    a_stripe_error_is_a_clear_page_not_a_crash,
    |app: TestApp, stripe: MockServer| async move {
        Mock::given(method("POST"))
            .and(path("/v1/checkout/sessions"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "error": {
                    "type": "invalid_request_error",
                    "code": "resource_missing",
                    "param": "line_items[0][price]",
                    "message": "No such price: 'price_1QpremiumMonthly'"
                }
            })))
            .expect(1)
            .mount(&stripe)
            .await;
        let cookie = app.signed_up_and_confirmed("ada@example.com").await;
        let failed = app.post_with_cookie("/billing/checkout", &cookie, &[]).await;
        assert_eq!(failed.status(), StatusCode::BAD_GATEWAY);
        let page = failed.text().await.unwrap();
        assert!(page.contains("payment provider"), "{page}");
        assert!(!page.contains(SECRET_KEY));
    }
);

billing_test!(
    verified_events_make_premium_once_and_a_late_update_does_not_undo_a_deletion,
    |app: TestApp, _stripe: MockServer| async move {
        app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        let t = now();
        let completed = event(
            "evt_1QcheckoutDone",
            "checkout.session.completed",
            t - 30,
            json!({
                "id": "cs_test_a1Fictional",
                "object": "checkout.session",
                "mode": "subscription",
                "payment_status": "paid",
                "status": "complete",
                "client_reference_id": ada.id.to_string(),
                "customer": "cus_QfictionalAda",
                "subscription": "sub_1QfictionalAda",
                "metadata": { "subscriber": ada.id.to_string() }
            }),
        );
        let (status, answer) = app.stripe_event(&completed).await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (StatusCode::OK, Some("tier_changed"))
        );
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Premium);

        // The same event again: a replay, nothing changes.
        let (status, answer) = app.stripe_event(&completed).await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (StatusCode::OK, Some("replay"))
        );
        assert_eq!(app.tier_changes().await, 1);

        let deleted = event(
            "evt_1QsubDeleted",
            "customer.subscription.deleted",
            t - 10,
            subscription(&ada, "canceled"),
        );
        let (_, answer) = app.stripe_event(&deleted).await;
        assert_eq!(answer["status"], "tier_changed");
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Free);

        // Sent before the deletion, delivered after it.
        let late = event(
            "evt_1QsubUpdatedLate",
            "customer.subscription.updated",
            t - 20,
            subscription(&ada, "active"),
        );
        let (status, answer) = app.stripe_event(&late).await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (StatusCode::OK, Some("stale"))
        );
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Free);

        let audit = app.state.store.recent_audit(10).await.unwrap();
        let last = audit.iter().find(|e| e.action == "tier_changed").unwrap();
        assert_eq!(last.detail["from"], "premium");
        assert_eq!(last.detail["to"], "free");
        assert_eq!(last.target_hash, Some(app.state.signer.audit_hash(&ada.email)));
        assert_ne!(last.target_hash, Some(ada.email.hashed()));
        assert_eq!(app.tier_changes().await, 2);
    }
);

billing_test!(
    forged_stale_tampered_and_malformed_webhooks_change_nothing,
    |app: TestApp, _stripe: MockServer| async move {
        app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        let body = event(
            "evt_1QforgedActive",
            "customer.subscription.created",
            now(),
            subscription(&ada, "active"),
        )
        .to_string();
        let cases = [
            ("no signature", None),
            (
                "a wrong key",
                Some(signature::sign(
                    "whsec_someone_elses_secret",
                    now(),
                    body.as_bytes(),
                )),
            ),
            (
                "a stale timestamp",
                Some(signature::sign(WEBHOOK_SECRET, now() - 600, body.as_bytes())),
            ),
            (
                "another body",
                Some(signature::sign(
                    WEBHOOK_SECRET,
                    now(),
                    body.replace("active", "trialing").as_bytes(),
                )),
            ),
            ("a garbled header", Some("t=soon,v1=zz".to_owned())),
        ];
        for (case, signature) in cases {
            let response = app.stripe_raw(&body, signature).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{case}"
            );
        }
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Free);

        // Signed but not an event we can read: 400 naming the problem, nothing kept.
        for malformed in [
            "{not json".to_owned(),
            json!({ "id": "evt_x", "type": "customer.subscription.updated", "created": now(), "data": { "object": { "id": "sub_1" } } }).to_string(),
            json!({ "id": "evt_y", "type": "invoice.paid", "created": "yesterday", "data": { "object": {} } }).to_string(),
        ] {
            let response = app
                .stripe_raw(&malformed, Some(signature::sign(WEBHOOK_SECRET, now(), malformed.as_bytes())))
                .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{malformed}");
            let problem: Value = response.json().await.unwrap();
            assert!(problem["detail"].as_str().unwrap().contains("Stripe event"), "{problem}");
        }
        // An event type JobPing does not act on: 200, ignored.
        let (status, answer) = app
            .stripe_event(&event(
                "evt_1Qcustomer",
                "customer.created",
                now(),
                json!({ "id": "cus_1" }),
            ))
            .await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (StatusCode::OK, Some("ignored"))
        );
        assert_eq!(app.tier_changes().await, 0);
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Free);
    }
);

billing_test!(
    no_form_or_api_body_can_set_a_tier,
    |app: TestApp, _stripe: MockServer| async move {
        let mut form = signup_form("eve@example.com");
        form.push(("tier", "premium".into()));
        app.post_form("/signup", &form).await;
        app.drain().await;
        let token = app
            .emails_to("eve@example.com")
            .last()
            .expect("a verification email")
            .token_for("/verify");
        let verified = app
            .post_form("/verify", &[("token", token), ("tier", "premium".into())])
            .await;
        let cookie = crate::journey::session_cookie(&verified);
        let mut prefs = signup_form("eve@example.com");
        prefs.retain(|(k, _)| !matches!(*k, "email" | "consent"));
        prefs.push(("tier", "premium".into()));
        app.post_with_cookie("/preferences", &cookie, &prefs).await;
        let eve = app.who("eve@example.com").await;
        let manage = app.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            eve.id,
            OffsetDateTime::now_utc(),
        );
        app.client
            .put(format!("{}/api/v1/me/preferences", app.address))
            .bearer_auth(&manage)
            .json(&json!({ "cities": ["berlin"], "tier": "premium", "excluded_companies": ["Nordwind"] }))
            .send()
            .await
            .unwrap();
        app.client
            .patch(format!("{}/api/v1/me", app.address))
            .bearer_auth(&manage)
            .json(&json!({ "tier": "premium" }))
            .send()
            .await
            .unwrap();
        let eve = app.who("eve@example.com").await;
        assert_eq!(eve.tier, Tier::Free);
        // Premium-only preferences are refused on the free plan.
        let stored = app.state.store.preferences(eve.id).await.unwrap().unwrap();
        assert_eq!(stored["excluded_companies"], json!([]));
        assert_eq!(app.tier_changes().await, 0);
    }
);

billing_test!(
    a_failed_payment_emails_the_subscriber_once_with_a_link_to_the_portal,
    |app: TestApp, stripe: MockServer| async move {
        Mock::given(method("POST"))
            .and(path("/v1/billing_portal/sessions"))
            .and(body_string_contains("customer=cus_QfictionalAda"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "bps_1Qfictional",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.example/p/session/test_Yfictional"
            })))
            .mount(&stripe)
            .await;
        app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        let t = now();
        app.stripe_event(&event(
            "evt_1",
            "customer.subscription.created",
            t - 100,
            subscription(&ada, "active"),
        ))
        .await;
        // Stripe retries the card: two failures of one invoice, no subscriber in the
        // invoice's metadata (found by the customer).
        for (n, id) in ["evt_fail_1", "evt_fail_2"].iter().enumerate() {
            let failed = event(
                id,
                "invoice.payment_failed",
                t - 50 + n as i64,
                json!({
                    "id": "in_1QfictionalInvoice",
                    "object": "invoice",
                    "customer": "cus_QfictionalAda",
                    "subscription": "sub_1QfictionalAda",
                    "attempt_count": n + 1,
                    "billing_reason": "subscription_cycle"
                }),
            );
            let (status, _) = app.stripe_event(&failed).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, answer) = app
            .stripe_event(&event(
                "evt_pd",
                "customer.subscription.updated",
                t - 40,
                subscription(&ada, "past_due"),
            ))
            .await;
        assert_eq!(answer["status"], "applied");
        // past_due keeps premium during the grace.
        assert_eq!(app.who("ada@example.com").await.tier, Tier::Premium);

        app.drain().await;
        let mails: Vec<_> = app
            .emails_to("ada@example.com")
            .into_iter()
            .filter(|m| m.subject.contains("payment did not go through"))
            .collect();
        assert_eq!(mails.len(), 1, "one email per failed invoice");
        let token = mails[0].token_for("/billing/portal");
        let page = app.get(&format!("/billing/portal?token={token}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        let opened = app.post_form("/billing/portal", &[("token", token)]).await;
        assert_eq!(opened.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            opened.headers()[LOCATION],
            "https://billing.stripe.example/p/session/test_Yfictional"
        );
        // A token of another purpose opens nothing.
        let manage = app.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            ada.id,
            OffsetDateTime::now_utc(),
        );
        let refused = app.post_form("/billing/portal", &[("token", manage)]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

        // The invoice is paid at last: active again.
        let (_, answer) = app
            .stripe_event(&event(
                "evt_paid",
                "invoice.paid",
                t - 30,
                json!({ "id": "in_1QfictionalInvoice", "customer": "cus_QfictionalAda", "subscription": "sub_1QfictionalAda" }),
            ))
            .await;
        assert_eq!(answer["status"], "applied");
        let account = app.state.store.billing_account(ada.id).await.unwrap().unwrap();
        assert_eq!(account.status.map(|s| s.as_str()), Some("active"));
    }
);

billing_test!(
    deleting_a_premium_account_cancels_its_subscription_first,
    |app: TestApp, stripe: MockServer| async move {
        let cookie = app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        app.stripe_event(&event(
            "evt_1",
            "customer.subscription.created",
            now() - 5,
            subscription(&ada, "active"),
        ))
        .await;
        let delete_token = |page: &str| {
            regex::Regex::new(r#"name="token" value="([^"]+)""#)
                .unwrap()
                .captures(page)
                .expect("a delete token")[1]
                .to_owned()
        };

        // Stripe is down: nothing is erased, the person is told to retry.
        let down = Mock::given(method("DELETE"))
            .and(path("/v1/subscriptions/sub_1QfictionalAda"))
            .respond_with(ResponseTemplate::new(503).set_body_json(json!({
                "error": { "type": "api_error", "message": "Service unavailable" }
            })))
            .mount_as_scoped(&stripe)
            .await;
        let page = app
            .get_with_cookie("/account/delete", &cookie)
            .await
            .text()
            .await
            .unwrap();
        let refused = app
            .post_with_cookie("/account/delete", &cookie, &[("token", delete_token(&page))])
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_GATEWAY);
        assert!(app.state.store.subscriber(ada.id).await.is_ok());
        drop(down);

        Mock::given(method("DELETE"))
            .and(path("/v1/subscriptions/sub_1QfictionalAda"))
            .and(header("stripe-version", jobping::billing::STRIPE_VERSION))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "sub_1QfictionalAda", "object": "subscription", "status": "canceled"
            })))
            .expect(1)
            .mount(&stripe)
            .await;
        let page = app
            .get_with_cookie("/account/delete", &cookie)
            .await
            .text()
            .await
            .unwrap();
        let deleted = app
            .post_with_cookie("/account/delete", &cookie, &[("token", delete_token(&page))])
            .await;
        assert_eq!(deleted.status(), StatusCode::OK);
        assert!(app.state.store.subscriber(ada.id).await.is_err());
    }
);

billing_test!(
    premium_filters_need_premium_and_are_kept_but_unused_when_it_ends,
    |app: TestApp, _stripe: MockServer| async move {
        app.signed_up_and_confirmed("ada@example.com").await;
        let ada = app.who("ada@example.com").await;
        let manage = app.state.signer.sign(
            jobping::tokens::Purpose::Manage,
            ada.id,
            OffsetDateTime::now_utc(),
        );
        let mut prefs: Value = app
            .client
            .get(format!("{}/api/v1/me/preferences", app.address))
            .bearer_auth(&manage)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        prefs["salary_floor"] = json!("32000 EUR");
        prefs["excluded_companies"] = json!(["Nordwind Logistics"]);
        let put = |body: Value| {
            app.client
                .put(format!("{}/api/v1/me/preferences", app.address))
                .bearer_auth(&manage)
                .json(&body)
                .send()
        };
        let refused = put(prefs.clone()).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = refused.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert_eq!(fields, ["excluded_companies", "salary_floor"], "{problem}");

        app.stripe_event(&event(
            "evt_1",
            "customer.subscription.created",
            now() - 5,
            subscription(&ada, "active"),
        ))
        .await;
        let saved = put(prefs.clone()).await.unwrap();
        assert_eq!(saved.status(), StatusCode::OK, "{}", saved.text().await.unwrap());
        let stored = app.state.store.preferences(ada.id).await.unwrap().unwrap();
        assert_eq!(stored["salary_floor"], "32000 EUR");

        // Premium ends: the filters are kept for later but no longer applied...
        app.stripe_event(&event(
            "evt_2",
            "customer.subscription.deleted",
            now() - 1,
            subscription(&ada, "canceled"),
        ))
        .await;
        let ada = app.who("ada@example.com").await;
        assert_eq!(ada.tier, Tier::Free);
        let raw: jobping_core::RawPreferences = serde_json::from_value(stored).unwrap();
        let applied = jobping::delivery::prepare::for_tier(raw.clone(), ada.tier);
        assert!(applied.excluded_companies.is_empty() && applied.salary_floor.is_none());
        let premium = jobping::delivery::prepare::for_tier(raw, Tier::Premium);
        assert_eq!(premium.salary_floor.as_deref(), Some("32000 EUR"));
        // ...and may be sent back unchanged, but not changed, on the free plan.
        assert_eq!(put(prefs.clone()).await.unwrap().status(), StatusCode::OK);
        prefs["salary_floor"] = json!("45000 EUR");
        assert_eq!(
            put(prefs).await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
);
