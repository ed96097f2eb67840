//! A board configured on a public host never leads the fetcher to a non-public address,
//! by a redirect (of a page or of robots.txt) or by a DNS answer; a board configured on
//! loopback may go anywhere.
//!
//! The boards here run on loopback. To stand for a board on a public host, one is
//! reached by the name `board.test`, pinned to its loopback address the way curl's
//! `--resolve` would: the name is what the configured URL says, so the fetcher holds it
//! to public addresses, exactly as it would a real board.

use std::net::{IpAddr, SocketAddr};

use jobping_sources::fetch::address::{PublicResolver, Reach, is_public, private_host, public_answers};
use jobping_sources::fetch::{FetchConfig, FetchError, Fetched, Fetcher};
use reqwest::dns::Resolve;
use url::Url;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{fast_config, fetcher, install_crypto, server_with_robots, url};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn parsed(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[test]
fn loopback_private_shared_link_local_unique_local_and_unspecified_addresses_are_not_public() {
    for address in [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.255",
        "169.254.169.254",
        "0.0.0.0",
        "0.1.2.3",
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.1",
        "::",
        "::1",
        "fe80::1",
        "febf::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
    ] {
        assert!(!is_public(ip(address)), "{address} counted as public");
    }
}

#[test]
fn ipv6_forms_of_private_ipv4_addresses_are_not_public() {
    for address in [
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.1.2.3",
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:c0a8:0101::1",
    ] {
        assert!(!is_public(ip(address)), "{address} counted as public");
    }
}

#[test]
fn ordinary_internet_addresses_are_public() {
    for address in [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "192.169.0.1",
        "169.253.1.1",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2606:4700:4700::1111",
        "2a00:1450:4001::200e",
    ] {
        assert!(is_public(ip(address)), "{address} counted as private");
    }
}

#[test]
fn a_board_configured_on_a_public_name_may_not_be_sent_to_a_private_address() {
    let reach = Reach::of_configured(&parsed("https://boards-api.greenhouse.io/v1/boards/monzo/jobs"));
    assert_eq!(reach, Reach::PublicOnly);
    for (target, address) in [
        ("http://127.0.0.1:8080/admin", "127.0.0.1"),
        ("http://[::1]:9000/", "::1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://0.0.0.0:6379/", "0.0.0.0"),
        // Other spellings of an IPv4 address are read as the address itself.
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://10.1/", "10.0.0.1"),
    ] {
        assert_eq!(
            reach.refuses(&parsed(target)).as_deref(),
            Some(address),
            "{target}"
        );
    }
    // Names are checked when resolved, not here.
    assert_eq!(
        reach.refuses(&parsed("https://job-boards.greenhouse.io/monzo")),
        None
    );
    assert_eq!(reach.refuses(&parsed("https://93.184.215.14/")), None);
}

#[test]
fn a_board_configured_on_a_private_address_or_localhost_may_go_anywhere() {
    for configured in [
        "http://127.0.0.1:9000/jobs",
        "http://[::1]:9000/",
        "http://10.0.0.5/mirror",
        "http://localhost:9000/",
        "http://jobs.localhost/",
    ] {
        let reach = Reach::of_configured(&parsed(configured));
        assert_eq!(reach, Reach::Anywhere, "{configured}");
        assert_eq!(reach.refuses(&parsed("http://169.254.169.254/")), None);
    }
    assert_eq!(
        private_host(&parsed("http://localhost/")),
        None,
        "a name, not an address"
    );
}

#[test]
fn dns_answers_keep_only_public_addresses_and_none_at_all_is_an_error() {
    let addr = |text: &str| -> SocketAddr { text.parse().unwrap() };
    let mixed = vec![addr("127.0.0.1:0"), addr("93.184.215.14:0"), addr("[::1]:0")];
    assert_eq!(
        public_answers("rebind.example", mixed),
        Ok(vec![addr("93.184.215.14:0")])
    );

    let err = public_answers("rebind.example", vec![addr("10.0.0.7:0"), addr("[fd00::7]:0")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rebind.example resolves only to private addresses (10.0.0.7, fd00::7)"
    );
}

#[tokio::test]
async fn the_public_resolver_refuses_a_name_that_resolves_only_to_loopback() {
    let resolving = PublicResolver.resolve("localhost".parse().unwrap());

    let err = resolving.await.err().expect("localhost is refused");

    assert!(
        err.to_string()
            .contains("localhost resolves only to private addresses"),
        "{err}"
    );
}

/// A fetcher that reaches `server` by the name `board.test`, as if it were public.
fn fetcher_with_public_board(server: &MockServer) -> Fetcher {
    install_crypto();
    let config = FetchConfig {
        pinned_hosts: vec![("board.test".into(), *server.address())],
        ..fast_config()
    };
    Fetcher::new(config).expect("the fetcher builds")
}

fn public_url(server: &MockServer, path: &str) -> Url {
    parsed(&format!("http://board.test:{}{path}", server.address().port()))
}

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("Location", location)
}

/// A server on loopback standing for something inside the operator's network.
async fn internal_service() -> MockServer {
    let internal = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("secret"))
        .mount(&internal)
        .await;
    internal
}

async fn requests_to(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn a_public_board_redirecting_to_a_loopback_address_is_refused_and_the_target_never_asked() {
    let board = server_with_robots(404, "").await;
    let internal = internal_service().await;
    let target = format!("http://127.0.0.1:{}/admin", internal.address().port());
    Mock::given(path("/jobs"))
        .respond_with(redirect_to(&target))
        .expect(1)
        .mount(&board)
        .await;

    let err = fetcher_with_public_board(&board)
        .get(&public_url(&board, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::PrivateRedirect { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("refused a redirect to a private address 127.0.0.1"),
        "{err}"
    );
    assert_eq!(requests_to(&internal).await, 0);
}

#[tokio::test]
async fn a_public_board_redirecting_to_cloud_metadata_or_an_ipv6_loopback_form_is_refused() {
    for (location, address) in [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]:9/", "::ffff:127.0.0.1"),
        ("http://[::1]:9/", "::1"),
    ] {
        let board = server_with_robots(404, "").await;
        Mock::given(path("/jobs"))
            .respond_with(redirect_to(location))
            .expect(1)
            .mount(&board)
            .await;

        let err = fetcher_with_public_board(&board)
            .get(&public_url(&board, "/jobs"), None)
            .await
            .unwrap_err();

        assert!(
            err.to_string()
                .contains(&format!("refused a redirect to a private address {address}")),
            "{location}: {err}"
        );
    }
}

#[tokio::test]
async fn a_public_board_redirecting_to_a_name_that_resolves_to_loopback_is_refused_at_dns() {
    let board = server_with_robots(404, "").await;
    let internal = internal_service().await;
    let target = format!("http://localhost:{}/admin", internal.address().port());
    Mock::given(path("/jobs"))
        .respond_with(redirect_to(&target))
        .mount(&board)
        .await;

    let err = fetcher_with_public_board(&board)
        .get(&public_url(&board, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(matches!(err, FetchError::PrivateAddress { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("localhost resolves only to private addresses"),
        "{err}"
    );
    assert_eq!(requests_to(&internal).await, 0);
}

#[tokio::test]
async fn a_public_boards_robots_txt_redirecting_to_a_private_address_is_refused() {
    let internal = internal_service().await;
    let board = MockServer::start().await;
    let target = format!("http://127.0.0.1:{}/robots.txt", internal.address().port());
    Mock::given(path("/robots.txt"))
        .respond_with(redirect_to(&target))
        .mount(&board)
        .await;
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&board)
        .await;

    let err = fetcher_with_public_board(&board)
        .get(&public_url(&board, "/jobs"), None)
        .await
        .unwrap_err();

    assert!(
        err.to_string()
            .contains("refused a redirect to a private address 127.0.0.1"),
        "{err}"
    );
    assert_eq!(requests_to(&internal).await, 0);
}

#[tokio::test]
async fn a_public_board_may_still_redirect_within_its_own_name() {
    let board = server_with_robots(404, "").await;
    Mock::given(path("/old"))
        .respond_with(redirect_to("/new"))
        .mount(&board)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200).set_body_string("jobs"))
        .expect(1)
        .mount(&board)
        .await;

    let fetched = fetcher_with_public_board(&board)
        .get(&public_url(&board, "/old"), None)
        .await
        .unwrap();

    assert!(matches!(fetched, Fetched::Body { .. }), "{fetched:?}");
}

#[tokio::test]
async fn a_board_configured_on_loopback_may_redirect_within_loopback() {
    let board = server_with_robots(404, "").await;
    let other = server_with_robots(404, "").await;
    for (from, to) in [
        ("/by-address", url(&other, "/jobs").to_string()),
        (
            "/by-name",
            format!("http://localhost:{}/jobs", other.address().port()),
        ),
    ] {
        Mock::given(path(from))
            .respond_with(redirect_to(&to))
            .mount(&board)
            .await;
    }
    Mock::given(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_string("jobs"))
        .expect(2)
        .mount(&other)
        .await;

    let fetcher = fetcher(fast_config());
    for from in ["/by-address", "/by-name"] {
        let fetched = fetcher.get(&url(&board, from), None).await;
        assert!(matches!(fetched, Ok(Fetched::Body { .. })), "{from}: {fetched:?}");
    }
}
