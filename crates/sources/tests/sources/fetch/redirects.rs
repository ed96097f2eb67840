//! Redirects are followed hop by hop, each hop under its own host's robots.txt.

use jobping_sources::fetch::{BasicAuth, FetchError, Fetched, RequestOptions};
use wiremock::matchers::{header_exists, path};
use wiremock::{Mock, ResponseTemplate};

use super::{fast_config, fetcher, server_with_robots, url};

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("Location", location)
}

#[tokio::test]
async fn a_redirect_is_followed_and_the_final_url_is_reported() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/old"))
        .respond_with(redirect_to("/new"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    let fetched = fetcher(fast_config())
        .get(&url(&server, "/old"), None)
        .await
        .unwrap();

    let Fetched::Body { final_url, .. } = fetched else {
        panic!("expected a body, got {fetched:?}")
    };
    assert_eq!(final_url, url(&server, "/new"));
}

#[tokio::test]
async fn a_redirect_into_a_disallowed_path_is_blocked_and_not_followed() {
    let server = server_with_robots(200, "User-agent: *\nDisallow: /private\n").await;
    Mock::given(path("/jobs"))
        .respond_with(redirect_to("/private/jobs"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/private/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(err.is_blocked_by_robots(), "{err}");
}

#[tokio::test]
async fn a_redirected_robots_file_is_followed_and_obeyed() {
    let server = wiremock::MockServer::start().await;
    Mock::given(path("/robots.txt"))
        .respond_with(redirect_to("/rules.txt"))
        .mount(&server)
        .await;
    let rules = ResponseTemplate::new(200).set_body_string("User-agent: *\nDisallow: /\n");
    Mock::given(path("/rules.txt"))
        .respond_with(rules)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(err.is_blocked_by_robots(), "{err}");
}

#[tokio::test]
async fn endless_redirects_end_in_an_error() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/loop"))
        .respond_with(redirect_to("/loop"))
        .expect(6)
        .mount(&server)
        .await;

    let err = fetcher(fast_config())
        .get(&url(&server, "/loop"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::TooManyRedirects { .. }), "{err}");
}

#[tokio::test]
async fn credentials_are_not_sent_to_another_host_after_a_redirect() {
    let api = server_with_robots(404, "").await;
    let elsewhere = server_with_robots(404, "").await;
    let target = url(&elsewhere, "/landing");
    Mock::given(path("/search"))
        .respond_with(redirect_to(target.as_str()))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(path("/landing"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    Mock::given(path("/landing"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&elsewhere)
        .await;
    let auth = BasicAuth {
        username: "reedkey".into(),
        password: None,
    };
    let options = RequestOptions {
        basic_auth: Some(&auth),
        ..Default::default()
    };

    let fetched = fetcher(fast_config())
        .get_with(&url(&api, "/search"), options)
        .await;

    assert!(fetched.is_ok(), "{fetched:?}");
}
