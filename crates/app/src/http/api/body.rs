//! Reading a JSON body so that every way it can be wrong gets a 4xx naming what is
//! wrong: no body (400), not JSON (415), not parseable (400, with line and column),
//! too large (413), a field of the wrong type, unknown or missing (422, naming the
//! field by its path in the body, like `preferences.cities[0]`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::error::Category;

use super::error::ApiError;
use crate::http::problem::FieldError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = is_json(request.headers());
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| unreadable(rejection.status(), &rejection.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(unreadable(
                StatusCode::BAD_REQUEST,
                "The request has no body: send a JSON object.",
            ));
        }
        if !is_json {
            return Err(unreadable(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with `Content-Type: application/json`.",
            ));
        }
        parse(&bytes).map(JsonBody)
    }
}

/// `application/json` or any `application/*+json`, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn unreadable(status: StatusCode, detail: &str) -> ApiError {
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::Unreadable {
        status,
        detail: detail.to_owned(),
        errors: Vec::new(),
    }
}

/// Parses `bytes` as a `T`, naming the field when a value does not fit.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde would also read a struct from an array, by position: only objects are meant.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(unreadable(
            StatusCode::BAD_REQUEST,
            "The body must be a JSON object, starting with `{`.",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let err = err.into_inner();
        // serde_json reports some values of the wrong kind (a number for an enum) as a
        // syntax error; valid JSON means it was the value, not the syntax.
        if err.is_syntax() && serde_json::from_slice::<IgnoredAny>(bytes).is_ok() {
            return wrong_value(&path);
        }
        rejected(&path, err)
    })?;
    deserializer.end().map_err(|err| rejected(".", err))?;
    Ok(parsed)
}

fn rejected(path: &str, err: serde_json::Error) -> ApiError {
    let message = without_position(&err.to_string());
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::Unreadable {
            status: StatusCode::BAD_REQUEST,
            detail: format!(
                "The body is not valid JSON: {message} (line {}, column {}).",
                err.line(),
                err.column()
            ),
            errors: Vec::new(),
        },
        Category::Data => match field_of(path, &message) {
            Some(field) => ApiError::Invalid(vec![FieldError { field, message }]),
            None => ApiError::Unreadable {
                status: StatusCode::BAD_REQUEST,
                detail: format!("The body must be a JSON object: {message}."),
                errors: Vec::new(),
            },
        },
    }
}

fn wrong_value(path: &str) -> ApiError {
    let message = "has the wrong type or value".to_owned();
    match field_of(path, &message) {
        Some(field) => ApiError::Invalid(vec![FieldError { field, message }]),
        None => unreadable(StatusCode::BAD_REQUEST, "The body must be a JSON object."),
    }
}

/// The field a data error is about. Errors about a key (unknown or missing) are
/// reported at the object holding it, so the key is added; `None` for the body itself.
fn field_of(path: &str, message: &str) -> Option<String> {
    let parent = (path != "." && !path.is_empty()).then_some(path);
    let key = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|start| message.strip_prefix(start))
        .and_then(|rest| rest.split('`').next());
    match (parent, key) {
        (Some(parent), Some(key)) if !parent.ends_with(&format!(".{key}")) && parent != key => {
            Some(format!("{parent}.{key}"))
        }
        (Some(parent), _) => Some(parent.to_owned()),
        (None, Some(key)) => Some(key.to_owned()),
        (None, None) => None,
    }
}

/// serde_json's message without its " at line L column C" (given separately).
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only deserialized")]
    struct Outer {
        name: String,
        #[serde(default)]
        inner: Inner,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    #[allow(dead_code, reason = "only deserialized")]
    struct Inner {
        list: Vec<String>,
        flag: bool,
    }

    fn field(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::Invalid(errors)) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_data_error_names_the_field_by_its_path() {
        assert_eq!(field(r#"{"name": "a", "tier": "premium"}"#), "tier");
        assert_eq!(field(r#"{"name": 3}"#), "name");
        assert_eq!(field(r#"{"inner": {}}"#), "name");
        assert_eq!(field(r#"{"name": "a", "inner": {"list": [1]}}"#), "inner.list[0]");
        assert_eq!(field(r#"{"name": "a", "inner": {"flag": "yes"}}"#), "inner.flag");
        assert_eq!(
            field(r#"{"name": "a", "inner": {"colour": "red"}}"#),
            "inner.colour"
        );
    }

    #[test]
    fn broken_json_and_a_body_that_is_no_object_are_bad_requests() {
        for body in [
            r#"{"name": "#,
            "{name}",
            r#"{"name": "a"} trailing"#,
            "[1, 2]",
            "null",
        ] {
            match parse::<Outer>(body.as_bytes()) {
                Err(ApiError::Unreadable { status, detail, .. }) => {
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
                    assert!(!detail.contains(" at line "), "{detail}");
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
