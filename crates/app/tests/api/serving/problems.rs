//! Errors made by layers and extractors, not handlers, still explain themselves: an API
//! client gets `application/problem+json` with a `detail` naming what is wrong, and a
//! browser asking for a page gets one in the site's style.

use reqwest::StatusCode;
use serde_json::Value;

use crate::app_test;
use crate::helpers::{Options, TestApp};

const ADMIN_KEY: &str = "problems-tests-bootstrap-admin-key-0123456789";

fn small_bodies() -> Options {
    Options {
        env: vec![
            ("JOBPING_BODY_LIMIT_BYTES", "1024".into()),
            ("JOBPING_ADMIN_KEY", ADMIN_KEY.into()),
        ],
        ..Options::default()
    }
}

/// The status, and the problem document (panics when the answer is not one).
async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
    let body = response.text().await.unwrap();
    assert_eq!(kind, "application/problem+json", "{status}: {body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], status.as_u16(), "{body}");
    (status, body)
}

fn detail(body: &Value) -> &str {
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail in {body}"))
}

app_test!(
    a_body_declared_larger_than_the_limit_is_a_413_problem_naming_the_limit,
    small_bodies,
    |app: TestApp| async move {
        let response = app
            .client
            .post(format!("{}/api/v1/subscribers", app.address))
            .header("content-type", "application/json")
            .body(vec![b' '; 4096])
            .send()
            .await
            .unwrap();
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(detail(&body).contains("1024 bytes"), "{body}");
    }
);

app_test!(
    a_cross_site_form_post_is_a_403_problem_saying_why,
    |app: TestApp| async move {
        let response = app
            .client
            .post(format!("{}/account/link", app.address))
            .header("sec-fetch-site", "cross-site")
            .form(&[("email", "someone@example.com")])
            .send()
            .await
            .unwrap();
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(detail(&body).contains("Cross-site"), "{body}");
        assert!(app.emails().is_empty(), "nothing was sent");
    }
);

app_test!(
    a_browser_whose_cross_site_form_is_refused_gets_a_page,
    |app: TestApp| async move {
        let response = app
            .client
            .post(format!("{}/account/link", app.address))
            .header("sec-fetch-site", "cross-site")
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .form(&[("email", "someone@example.com")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("This form came from another site"), "{html}");
        assert!(html.contains("/static/app.css"), "in the site's style: {html}");
    }
);

app_test!(
    a_form_sent_as_json_is_a_415_problem_naming_both_content_types,
    |app: TestApp| async move {
        let response = app
            .client
            .post(format!("{}/account/link", app.address))
            .json(&serde_json::json!({"email": "someone@example.com"}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let detail = detail(&body);
        assert!(detail.contains("application/x-www-form-urlencoded"), "{body}");
        assert!(detail.contains("`application/json`"), "{body}");
    }
);

app_test!(
    a_path_that_is_not_utf8_is_a_400_problem_saying_so,
    small_bodies,
    |app: TestApp| async move {
        let response = app
            .client
            .put(format!("{}/api/v1/admin/switches/%FF%FE", app.address))
            .bearer_auth(ADMIN_KEY)
            .json(&serde_json::json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(detail(&body).contains("UTF-8"), "{body}");
    }
);

app_test!(
    a_method_a_route_does_not_take_is_a_405_problem_with_allow,
    |app: TestApp| async move {
        let response = app
            .client
            .delete(format!("{}/signup", app.address))
            .send()
            .await
            .unwrap();
        assert!(response.headers().contains_key("allow"));
        let (status, body) = problem(response).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(detail(&body).contains("DELETE"), "{body}");
    }
);
