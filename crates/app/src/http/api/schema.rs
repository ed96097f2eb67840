//! The shapes the API shares between resources, with their OpenAPI schemas: the
//! preferences (DESIGN.md's one shape), the problem document, and the reusable problem
//! responses each operation lists.

use jobping_core::RawPreferences;
use serde::{Deserialize, Serialize};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::{ToResponse, ToSchema};

/// A subscriber's preferences: slugs and codes from JobPing's vocabulary, as the signup
/// form, `jobping match --preferences` and the data export use them.
// The API's own type, so that the document describes exactly what is read: it converts
// field by field to and from the core's `RawPreferences` (a new field there fails to
// build here until it is described).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(
    as = Preferences,
    example = json!({
        "cities": ["berlin", "london"],
        "career_paths": ["data"],
        "roles": ["Data Analyst", "Business Intelligence Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en", "de"],
        "skills": ["sql", "python"],
        "keywords": ["fintech"],
        "excluded_companies": [],
        "start_date": "2026-09-01"
    })
)]
pub struct PreferencesBody {
    /// 1 to 3 city slugs, e.g. `berlin`, `london`, `munich`.
    #[schema(required = true, min_items = 1, max_items = 3)]
    pub cities: Vec<String>,
    /// 1 or 2 of `strategy`, `finance`, `sales`, `marketing`, `data`, `operations`,
    /// `product`, `tech`, `sustainability`, `legal`, `unsure`.
    #[schema(required = true, min_items = 1, max_items = 2)]
    pub career_paths: Vec<String>,
    /// Job titles to look for (optional, at most 10, each at most 80 characters).
    #[schema(max_items = 10)]
    pub roles: Vec<String>,
    /// At least one of `internship`, `graduate`, `entry`, `unsure`.
    #[schema(required = true, min_items = 1)]
    pub entry_levels: Vec<String>,
    /// One of `none`, `6m`, `1y`, `1-2y`, `2y`, `3y+`.
    #[schema(required = true, value_type = String)]
    pub experience: Option<String>,
    /// At least one of `office`, `hybrid`, `remote`.
    #[schema(required = true, min_items = 1)]
    pub work_environments: Vec<String>,
    /// One of `eu`, `eu_uk`, `uk`, `sponsorship`, `student`.
    #[schema(required = true, value_type = String)]
    pub visa: Option<String>,
    /// 1 to 10 ISO 639-1 codes of the languages the subscriber works in, e.g. `en`.
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub languages: Vec<String>,
    /// Optional, at most 20, each at most 50 characters.
    #[schema(max_items = 20)]
    pub skills: Vec<String>,
    /// Optional, at most 20, each at most 50 characters.
    #[schema(max_items = 20)]
    pub keywords: Vec<String>,
    /// Companies to leave out: a premium filter, so it must be empty on the free plan.
    #[schema(max_items = 50)]
    pub excluded_companies: Vec<String>,
    /// The earliest start, as `YYYY-MM-DD` (optional).
    #[schema(format = Date, example = "2026-09-01")]
    pub start_date: Option<String>,
    /// The least a job may pay a year, as an amount and an ISO 4217 code: a premium
    /// filter, so it must be absent on the free plan. A job is left out only when it
    /// states a lower yearly pay in that currency.
    #[schema(example = "32000 EUR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_floor: Option<String>,
}

impl From<PreferencesBody> for RawPreferences {
    fn from(body: PreferencesBody) -> Self {
        let PreferencesBody {
            cities,
            career_paths,
            roles,
            entry_levels,
            experience,
            work_environments,
            visa,
            languages,
            skills,
            keywords,
            excluded_companies,
            start_date,
            salary_floor,
        } = body;
        Self {
            cities,
            career_paths,
            roles,
            entry_levels,
            experience,
            work_environments,
            visa,
            languages,
            skills,
            keywords,
            excluded_companies,
            start_date,
            salary_floor,
        }
    }
}

impl From<RawPreferences> for PreferencesBody {
    fn from(raw: RawPreferences) -> Self {
        let RawPreferences {
            cities,
            career_paths,
            roles,
            entry_levels,
            experience,
            work_environments,
            visa,
            languages,
            skills,
            keywords,
            excluded_companies,
            start_date,
            salary_floor,
        } = raw;
        Self {
            cities,
            career_paths,
            roles,
            entry_levels,
            experience,
            work_environments,
            visa,
            languages,
            skills,
            keywords,
            excluded_companies,
            start_date,
            salary_floor,
        }
    }
}

/// What the API answers when a request is accepted and the rest happens by email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`.
    #[schema(example = "accepted")]
    pub status: &'static str,
    pub detail: &'static str,
}

/// An error, as `application/problem+json` (RFC 9457).
// The schema of `crate::http::problem::Problem`, which knows nothing of OpenAPI.
#[derive(ToSchema)]
#[schema(as = Problem)]
#[allow(
    dead_code,
    reason = "describes crate::http::problem::Problem for the OpenAPI document"
)]
pub struct ProblemSchema {
    /// `about:blank`: the status says what kind of problem it is.
    #[schema(rename = "type", example = "about:blank")]
    kind: String,
    #[schema(example = "Unprocessable Entity")]
    title: String,
    #[schema(example = 422)]
    status: u16,
    /// What went wrong, for a person to read.
    detail: String,
    /// Each field that is wrong, when the problem is about the request's fields.
    #[schema(required = false)]
    errors: Vec<FieldErrorSchema>,
}

/// One field that is wrong, named by its path in the request (`preferences.cities[1]`,
/// `limit`), and why.
// The schema of `crate::http::problem::FieldError`.
#[derive(ToSchema)]
#[schema(as = FieldError)]
#[allow(
    dead_code,
    reason = "describes crate::http::problem::FieldError for the OpenAPI document"
)]
pub struct FieldErrorSchema {
    #[schema(example = "preferences.cities[1]")]
    field: String,
    #[schema(example = "`atlantis` is not a city JobPing covers")]
    message: String,
}

/// A problem document response with `description`.
fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    )
}

/// Declares a reusable problem response named `$name`.
macro_rules! problem_response {
    ($(#[doc = $doc:literal])* $name:ident, $description:literal $(, $header:ident)?) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                #[allow(unused_mut)]
                let mut response = problem($description);
                $(response = $header(response);)?
                (stringify!($name), response.build().into())
            }
        }
    };
}

fn bearer_challenge(response: ResponseBuilder) -> ResponseBuilder {
    response.header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .description(Some(
                "`Bearer realm=\"jobping\"`, with `error=\"invalid_token\"` when a token was sent",
            ))
            .build(),
    )
}

fn retry_after(response: ResponseBuilder) -> ResponseBuilder {
    response.header(
        "Retry-After",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
            .description(Some("Seconds to wait before trying again"))
            .build(),
    )
}

problem_response!(
    /// 400: the body is not JSON, or a query parameter is wrong.
    BadRequest,
    "The request could not be read: the body is not valid JSON (or is empty), or a query parameter is wrong (it is named in `errors`)."
);
problem_response!(
    /// 401: no usable token.
    Unauthorized,
    "No usable token: none was sent, or it is invalid, expired, already used, made for another purpose, or its subscriber no longer exists. The detail is the same whatever the reason.",
    bearer_challenge
);
problem_response!(
    /// 413: the body is too large.
    TooLarge,
    "The body is larger than the server accepts."
);
problem_response!(
    /// 415: the body is not sent as JSON.
    NotJson,
    "The body must be sent with `Content-Type: application/json`."
);
problem_response!(
    /// 422: some fields are wrong.
    Invalid,
    "Some fields are wrong: each is named in `errors` by its path in the request body, and all of them are listed at once."
);
problem_response!(
    /// 429: too many requests from one client address.
    TooMany,
    "Too many requests from this client address: forms that send email are limited per address.",
    retry_after
);
problem_response!(
    /// 500: something failed inside.
    Internal,
    "Something went wrong on our side. It has been logged; nothing about it is shown."
);
