//! What pages and emails promise about the plans comes from `delivery.*`, not from
//! the defaults written into the text.

use reqwest::StatusCode;

use crate::app_test;
use crate::helpers::{Options, TestApp};
use crate::journey::signup_form;

/// Free: 3 jobs on Monday; premium: 4 on Monday and Wednesday. No Thursday anywhere.
fn mondays_three_jobs() -> Options {
    Options {
        env: vec![
            ("JOBPING_DELIVERY_FREE_DAYS", "mon".into()),
            ("JOBPING_DELIVERY_FREE_JOBS", "3".into()),
            ("JOBPING_DELIVERY_PREMIUM_DAYS", "wed,mon".into()),
            ("JOBPING_DELIVERY_PREMIUM_JOBS", "4".into()),
        ],
        ..Options::default()
    }
}

const FREE: &str = "3 jobs every week, on Monday";
const PREMIUM: &str = "8 jobs a week: 4 on Monday and Wednesday";

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

app_test!(
    the_landing_and_pricing_pages_say_the_configured_days_and_counts,
    mondays_three_jobs,
    |app: TestApp| async move {
        for path in ["/", "/pricing"] {
            let html = page(&app, path).await;
            assert!(html.contains(FREE), "{path}:\n{html}");
            assert!(html.contains(PREMIUM), "{path}:\n{html}");
            for stale in ["Thursday", "5 jobs", "15 jobs", "hand-picked", "Friday"] {
                assert!(!html.contains(stale), "{path} says {stale:?}:\n{html}");
            }
        }
        let landing = page(&app, "/").await;
        assert!(landing.contains("Get a short list every Monday."), "{landing}");
        assert!(landing.contains("3 new jobs for you in Berlin"), "{landing}");
        let signup = page(&app, "/signup").await;
        assert!(signup.contains("a short list every Monday;"), "{signup}");
    }
);

app_test!(
    the_welcome_email_and_page_say_the_configured_days_and_counts,
    mondays_three_jobs,
    |app: TestApp| async move {
        let response = app.post_form("/signup", &signup_form("ada@example.com")).await;
        assert_eq!(response.status(), StatusCode::OK);
        app.drain().await;
        let token = app.emails_to("ada@example.com")[0].token_for("/verify");
        let confirmed = app.post_form("/verify", &[("token", token)]).await;
        let page = confirmed.text().await.unwrap();
        assert!(
            page.contains("your jobs email arrives every Monday morning."),
            "{page}"
        );
        assert!(!page.contains("Thursday"), "{page}");

        app.drain().await;
        let emails = app.emails_to("ada@example.com");
        let welcome = emails.last().expect("a welcome email");
        assert!(welcome.subject.starts_with("Welcome to JobPing"), "{welcome:?}");
        for part in [&welcome.text, &welcome.html] {
            // Flowed text may break a sentence across lines.
            let flat = part.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&format!(
                    "You are on the free plan: {FREE}. Premium brings {PREMIUM}."
                )),
                "{flat}"
            );
            assert!(flat.contains("Your next jobs email: Monday morning. "), "{flat}");
            assert!(!flat.contains("morning.."), "a doubled full stop: {flat}");
            for stale in ["Thursday", "5 jobs", "15 jobs", "hand-picked", "Friday"] {
                assert!(!flat.contains(stale), "the welcome email says {stale:?}:\n{flat}");
            }
        }
    }
);
