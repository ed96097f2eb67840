//! `/api/v1/openapi.json`: the OpenAPI 3.1 document, made from the handlers' own
//! annotations so it cannot drift from what they do.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::schema;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(document))
}

const DESCRIPTION: &str = "\
The subscriber API of JobPing, early-career job alerts.

**Signing up** (`POST /api/v1/subscribers`) emails a confirmation link; its `token`, sent to \
`POST /api/v1/subscribers/verify`, confirms the address and returns a *manage token*, once: \
after that the confirmation token answers 409 and grants nothing. A lost token can be emailed \
again with `POST /api/v1/links`.

**Tokens.** There are no passwords: every email link carries a signed, expiring token made for \
one purpose (confirm, manage, unsubscribe, export, delete). Send it as \
`Authorization: Bearer <token>`. A manage token (30 days) reads and changes the subscriber's own \
data and makes export and delete tokens (30 minutes; a delete token works once). A token only ever \
opens its own subscriber's data. Any token that cannot be used gets the same 401.

**Errors** are `application/problem+json` (RFC 9457). When fields are wrong (422, and 400 for a \
query parameter), `errors` lists every one of them as `{field, message}`, the field named by its \
path in the request body: `email`, `consent`, `preferences.cities[1]` in a signup; `cities[1]` \
when the body is the preferences object itself; `limit` for the query parameter.

Every response is `Cache-Control: no-store`.";

#[derive(OpenApi)]
#[openapi(
    info(title = "JobPing API", version = "1", description = DESCRIPTION),
    paths(
        super::subscribers::sign_up,
        super::subscribers::verify,
        super::links::request_link,
        super::me::show,
        super::me::delete,
        super::export::export,
        super::me::unsubscribe,
        super::preferences::show,
        super::preferences::replace,
        super::matches::list,
        super::tokens::create,
        document,
    ),
    components(
        schemas(schema::ProblemSchema, schema::FieldErrorSchema),
        responses(
        schema::BadRequest,
        schema::Unauthorized,
        schema::TooLarge,
        schema::NotJson,
        schema::Invalid,
        schema::TooMany,
            schema::Internal,
        )
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "subscribers", description = "Signing up and getting a link: no token needed"),
        (name = "me", description = "The token's own subscriber"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The `bearer` security scheme the authenticated operations name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from an email link or from this API: manage, unsubscribe, export or delete, as each operation says.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, rendered once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut document = ApiDoc::openapi();
    document.merge(crate::http::admin::AdminApiDoc::openapi());
    document
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

/// This OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}
