//! What each request carries and how its answer comes back: User-Agent, Basic auth,
//! conditional requests, the size cap, and secrets kept out of errors.

use jobping_sources::fetch::{BasicAuth, FetchConfig, FetchError, Fetched, RequestOptions, Validators};
use wiremock::matchers::{header, path};
use wiremock::{Mock, ResponseTemplate};

use super::{fast_config, fetcher, server_with_robots, url};

#[tokio::test]
async fn requests_carry_an_identifying_user_agent_with_the_contact_url() {
    let server = server_with_robots(404, "").await;
    let config = FetchConfig {
        contact_url: "https://jobping.example/bot".into(),
        ..fast_config()
    };
    let agent = config.user_agent();
    assert!(
        agent.starts_with("JobPingBot/") && agent.ends_with("(+https://jobping.example/bot)"),
        "{agent}"
    );
    Mock::given(path("/jobs"))
        .and(header("user-agent", agent.as_str()))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;

    fetcher(config).get(&url(&server, "/jobs"), None).await.unwrap();
}

#[tokio::test]
async fn basic_auth_sends_the_api_key_as_the_user_name() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/api/1.0/search"))
        .and(header("authorization", "Basic cmVlZGtleTo="))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let auth = BasicAuth {
        username: "reedkey".into(),
        password: None,
    };
    let options = RequestOptions {
        basic_auth: Some(&auth),
        accept: Some("application/json"),
        ..Default::default()
    };

    let fetched = fetcher(fast_config())
        .get_with(&url(&server, "/api/1.0/search"), options)
        .await;

    assert!(fetched.is_ok(), "{fetched:?}");
    assert!(!format!("{auth:?}").contains("reedkey"));
}

#[tokio::test]
async fn an_etag_round_trip_ends_in_not_modified() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/jobs"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    let first_time = ResponseTemplate::new(200)
        .insert_header("ETag", "\"v1\"")
        .insert_header("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
        .set_body_raw("[1,2]", "application/json");
    Mock::given(path("/jobs"))
        .respond_with(first_time)
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = fetcher(fast_config());
    let target = url(&server, "/jobs");

    let first = fetcher.get(&target, None).await.unwrap();
    let Fetched::Body {
        ref bytes,
        ref content_type,
        ref final_url,
        ..
    } = first
    else {
        panic!("expected a body, got {first:?}");
    };
    assert_eq!(bytes, b"[1,2]");
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(final_url, &target);
    let validators = first.validators().expect("the server sent validators");
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));

    assert_eq!(
        fetcher.get(&target, Some(&validators)).await.unwrap(),
        Fetched::NotModified
    );
}

#[tokio::test]
async fn last_modified_is_sent_back_as_if_modified_since() {
    let server = server_with_robots(404, "").await;
    let date = "Wed, 25 Nov 2026 10:00:00 GMT";
    Mock::given(path("/feed"))
        // A closure, since wiremock's `header` matcher splits values at commas.
        .and(move |request: &wiremock::Request| {
            request
                .headers
                .get("if-modified-since")
                .is_some_and(|value| value == date)
        })
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    let validators = Validators {
        etag: None,
        last_modified: Some(date.into()),
    };

    let fetched = fetcher(fast_config())
        .get(&url(&server, "/feed"), Some(&validators))
        .await
        .unwrap();

    assert_eq!(fetched, Fetched::NotModified);
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_as_too_large() {
    let server = server_with_robots(404, "").await;
    let big = ResponseTemplate::new(200).set_body_string("x".repeat(4096));
    Mock::given(path("/big"))
        .respond_with(big)
        .expect(1)
        .mount(&server)
        .await;
    let fetcher = fetcher(FetchConfig {
        max_response_bytes: 1024,
        ..fast_config()
    });

    let err = fetcher.get(&url(&server, "/big"), None).await.unwrap_err();

    assert!(matches!(err, FetchError::TooLarge { limit: 1024, .. }), "{err}");
}

#[tokio::test]
async fn api_keys_in_the_query_never_reach_an_error_message() {
    let server = server_with_robots(404, "").await;
    Mock::given(path("/v1/api/jobs/gb/search/1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let target = url(
        &server,
        "/v1/api/jobs/gb/search/1?app_id=42&app_key=TOPSECRET&what=data",
    );

    let err = fetcher(fast_config()).get(&target, None).await.unwrap_err();

    let message = err.to_string();
    assert!(matches!(err, FetchError::Status { status: 401, .. }), "{message}");
    assert!(!message.contains("TOPSECRET"), "{message}");
    assert!(
        message.contains("app_key=REDACTED") && message.contains("what=data"),
        "{message}"
    );
}

/// A bare HTTP/1.1 server whose pages come chunked, without a Content-Length, so only
/// the streaming cap can stop them; robots.txt is 404.
async fn chunked_server(chunks: usize) -> url::Url {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            if head.starts_with(b"GET /robots.txt") {
                let _ = socket
                    .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                continue;
            }
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                .await;
            for _ in 0..chunks {
                let _ = socket
                    .write_all(format!("400\r\n{}\r\n", "x".repeat(1024)).as_bytes())
                    .await;
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    });
    base
}

#[tokio::test]
async fn a_body_without_a_length_is_cut_off_while_streaming_once_past_the_cap() {
    let base = chunked_server(64).await;
    let fetcher = fetcher(FetchConfig {
        max_response_bytes: 8 * 1024,
        ..fast_config()
    });

    let err = fetcher
        .get(&base.join("/stream").unwrap(), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::TooLarge { limit: 8192, .. }), "{err}");
}

#[tokio::test]
async fn a_body_without_a_length_under_the_cap_is_read_whole() {
    let base = chunked_server(4).await;

    let fetched = fetcher(fast_config())
        .get(&base.join("/stream").unwrap(), None)
        .await
        .unwrap();

    let Fetched::Body { bytes, .. } = fetched else {
        panic!("expected a body, got {fetched:?}")
    };
    assert_eq!(bytes.len(), 4 * 1024);
}
