//! The OpenAPI document, and the problem documents for what no route takes.

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::preferences;
use crate::app_test;
use crate::helpers::TestApp;

app_test!(
    the_openapi_document_describes_every_path_method_and_problem,
    |app: TestApp| async move {
        let answer = app.api(Method::GET, "/api/v1/openapi.json", None, None).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.header(CONTENT_TYPE).starts_with("application/json"));
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        let doc = answer.body;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let expected = [
            ("/api/v1/subscribers", "post", false),
            ("/api/v1/subscribers/verify", "post", false),
            ("/api/v1/links", "post", false),
            ("/api/v1/me", "get", true),
            ("/api/v1/me", "delete", true),
            ("/api/v1/me/preferences", "get", true),
            ("/api/v1/me/preferences", "put", true),
            ("/api/v1/me/matches", "get", true),
            ("/api/v1/me/tokens", "post", true),
            ("/api/v1/me/export", "get", true),
            ("/api/v1/me/unsubscribe", "post", true),
            ("/api/v1/openapi.json", "get", false),
        ];
        for (path, method, secured) in expected {
            let operation = &doc["paths"][path][method];
            assert!(operation.is_object(), "{method} {path} is missing");
            assert!(operation["responses"].is_object(), "{method} {path}");
            if secured {
                assert_eq!(operation["security"], json!([{"bearer": []}]), "{method} {path}");
                assert!(
                    operation["responses"]["401"]["$ref"].is_string(),
                    "{method} {path} lists its 401"
                );
            }
            if method == "post" && path != "/api/v1/me/unsubscribe" || method == "put" {
                assert!(
                    operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                    "{method} {path} has a JSON body"
                );
                assert!(operation["responses"]["422"].is_object(), "{method} {path}");
            }
        }
        // The operators' routes (tests/api/admin.rs) take an admin key as their bearer.
        let admin = [
            ("/api/v1/admin/stats", "get"),
            ("/api/v1/admin/switches", "get"),
            ("/api/v1/admin/switches/{name}", "put"),
            ("/api/v1/admin/rounds/scrape", "post"),
            ("/api/v1/admin/rounds/delivery", "post"),
            ("/api/v1/admin/subscribers", "get"),
            ("/api/v1/admin/audit", "get"),
        ];
        for (path, method) in admin {
            let operation = &doc["paths"][path][method];
            assert_eq!(operation["security"], json!([{"bearer": []}]), "{method} {path}");
            assert_eq!(operation["tags"], json!(["admin"]), "{method} {path}");
        }
        assert!(
            doc["paths"]["/api/v1/subscribers/verify"]["post"]["responses"]["409"].is_object(),
            "a confirmation token used again is documented"
        );
        let paths = doc["paths"].as_object().unwrap().len();
        assert_eq!(paths, 10 + admin.len(), "no path left undocumented or unexpected");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["type"], "http");
        assert!(
            doc["components"]["responses"]["Invalid"]["content"]["application/problem+json"].is_object(),
            "{}",
            doc["components"]["responses"]
        );
        assert!(
            doc["components"]["responses"]["TooMany"]["headers"]["Retry-After"].is_object(),
            "429 names Retry-After"
        );
        assert!(doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
        for schema in [
            "Problem",
            "FieldError",
            "Preferences",
            "SignupBody",
            "Verified",
            "MatchItem",
        ] {
            assert!(
                doc["components"]["schemas"][schema].is_object(),
                "{schema} is described"
            );
        }
        let preferences = &doc["components"]["schemas"]["Preferences"]["properties"];
        for field in preferences_fields() {
            assert!(preferences[field.as_str()].is_object(), "Preferences.{field}");
        }
        assert_eq!(
            doc["components"]["schemas"]["SignupBody"]["additionalProperties"],
            json!(false),
            "unknown fields are refused"
        );
    }
);

fn preferences_fields() -> Vec<String> {
    preferences().as_object().unwrap().keys().cloned().collect()
}

app_test!(
    a_wrong_method_or_unknown_path_under_the_api_is_a_problem_document,
    |app: TestApp| async move {
        let answer = app.api(Method::GET, "/api/v1/subscribers", None, None).await;
        answer.assert_problem(StatusCode::METHOD_NOT_ALLOWED);
        assert!(answer.header("allow").contains("POST"), "{:?}", answer.headers);
        assert_eq!(answer.header(CACHE_CONTROL), "no-store");
        for path in [
            "/api/v1/nothing-here",
            "/api/v1/me/",
            "/api/v1/subscribers/someone",
        ] {
            let answer = app.api(Method::GET, path, None, None).await;
            answer.assert_problem(StatusCode::NOT_FOUND);
            assert_eq!(answer.header(CACHE_CONTROL), "no-store", "{path}");
        }
        // The webhooks share the prefix and are still reached.
        let webhook = app.api(Method::GET, "/api/v1/webhooks/email", None, None).await;
        assert_eq!(webhook.status, StatusCode::METHOD_NOT_ALLOWED);
    }
);
