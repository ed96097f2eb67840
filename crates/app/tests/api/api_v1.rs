//! The subscriber JSON API under `/api/v1`, as a client with only HTTP and an inbox
//! would use it: signup, the emailed token, the manage token, and every way to get it
//! wrong.

mod account;
mod document;
mod me;
mod outage;
mod signup;

use jobping_core::EmailAddress;
use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Valid preferences in DESIGN.md's shape.
fn preferences() -> Value {
    json!({
        "cities": ["berlin", "london"],
        "career_paths": ["data"],
        "roles": ["Data Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["office", "hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en"],
        "skills": ["sql", "python"],
        "keywords": [],
        "excluded_companies": [],
        "start_date": "2026-09-01"
    })
}

fn signup(email: &str) -> Value {
    json!({"email": email, "preferences": preferences(), "consent": true, "marketing": false})
}

/// An API answer: status, headers and the body as JSON (`Null` when empty or not JSON).
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: impl reqwest::header::AsHeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap_or(""))
    }

    /// The fields a problem document names.
    fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts this is a problem document with `status`.
    fn assert_problem(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header(CONTENT_TYPE),
            "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}",
            self.body
        );
    }

    /// Asserts a 401 with a Bearer challenge.
    fn assert_unauthorized(&self) {
        self.assert_problem(StatusCode::UNAUTHORIZED);
        assert!(
            self.header(WWW_AUTHENTICATE).starts_with("Bearer"),
            "{:?}",
            self.headers
        );
    }
}

impl TestApp {
    /// Sends `body` (raw, with `content_type`) with an optional bearer token.
    async fn api_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the request is answered");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Answer {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    async fn api(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let content_type = body.as_ref().map(|_| "application/json");
        self.api_raw(method, path, token, content_type, body.map(|b| b.to_string()))
            .await
    }

    /// Signs up over the API and returns the confirmation token from the email.
    async fn api_signup(&self, email: &str) -> String {
        let answer = self
            .api(Method::POST, "/api/v1/subscribers", None, Some(signup(email)))
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
        self.drain().await;
        self.emails_to(email)
            .last()
            .expect("a confirmation email")
            .token_for("/verify")
    }

    /// Signs up and confirms over the API; returns the manage token.
    async fn api_subscriber(&self, email: &str) -> String {
        let token = self.api_signup(email).await;
        let answer = self
            .api(
                Method::POST,
                "/api/v1/subscribers/verify",
                None,
                Some(json!({ "token": token })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["manage_token"].as_str().unwrap().to_owned()
    }

    /// A token of `purpose` made with the manage token, through the API.
    async fn api_token(&self, manage: &str, purpose: &str) -> String {
        let answer = self
            .api(
                Method::POST,
                "/api/v1/me/tokens",
                Some(manage),
                Some(json!({ "purpose": purpose })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["token"].as_str().unwrap().to_owned()
    }

    async fn stored(&self, email: &str) -> Option<jobping_store::Subscriber> {
        self.state
            .store
            .subscriber_by_email(&EmailAddress::parse(email).unwrap())
            .await
            .unwrap()
    }
}
