//! Per-address limits count clients, not spellings of them: an IPv6 network (/64 by
//! default) is one client, an IPv4 address seen through IPv6 is that IPv4 address, a port
//! in `X-Forwarded-For` changes nothing, and nothing a client wrote left of an entry the
//! proxy could not name is believed.

use reqwest::StatusCode;

use crate::helpers::{Options, TestApp};
use crate::limiter_test;
use crate::limits::options;

/// Behind a trusted proxy (the test client), with the default 20 form requests an hour.
fn behind_a_proxy() -> Options {
    options(&[
        ("JOBPING_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
        ("JOBPING_SIGNUP_PER_IP_PER_HOUR", "20"),
    ])
}

/// The same, with one form request an hour.
fn one_an_hour() -> Options {
    options(&[
        ("JOBPING_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
        ("JOBPING_SIGNUP_PER_IP_PER_HOUR", "1"),
    ])
}

impl TestApp {
    /// Asks for a sign-in link from `chain` (as the proxy's `X-Forwarded-For`).
    async fn link_from(&self, chain: &str, email: &str) -> StatusCode {
        self.ask_link(email, Some(chain)).await.status()
    }
}

limiter_test!(
    forty_addresses_of_one_ipv6_network_share_one_allowance,
    behind_a_proxy,
    |app: TestApp| async move {
        let mut accepted = 0;
        for n in 1..=40 {
            let client = format!("2001:db8:1:2:{n:x}::{n:x}");
            match app.link_from(&client, &format!("p{n}@example.com")).await {
                StatusCode::ACCEPTED => accepted += 1,
                other => assert_eq!(other, StatusCode::TOO_MANY_REQUESTS, "{client}"),
            }
        }
        assert_eq!(accepted, 20, "twenty for the whole /64, not twenty per address");
        // The next /64 is another client.
        assert_eq!(
            app.link_from("2001:db8:1:3::1", "next@example.com").await,
            StatusCode::ACCEPTED
        );
    }
);

limiter_test!(
    an_ipv4_client_written_as_ipv6_is_the_same_client,
    one_an_hour,
    |app: TestApp| async move {
        assert_eq!(
            app.link_from("198.51.100.9", "a@example.com").await,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            app.link_from("::ffff:198.51.100.9", "b@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);

limiter_test!(
    a_port_in_forwarded_for_neither_hides_the_client_nor_lets_it_pick_another,
    one_an_hour,
    |app: TestApp| async move {
        for (first, second) in [
            ("198.51.100.20", "203.0.113.66, 198.51.100.20:5678"),
            ("[2001:db8:5::1]:443", "203.0.113.67, 2001:db8:5::1"),
        ] {
            assert_eq!(
                app.link_from(
                    first,
                    &format!("{first}@example.com").replace([':', '[', ']'], "")
                )
                .await,
                StatusCode::ACCEPTED,
                "{first}"
            );
            assert_eq!(
                app.link_from(second, "again@example.com").await,
                StatusCode::TOO_MANY_REQUESTS,
                "{second}"
            );
        }
    }
);

limiter_test!(
    entries_left_of_an_unreadable_one_are_not_believed,
    one_an_hour,
    |app: TestApp| async move {
        // The proxy could not name its client, so the client is the proxy: whatever the
        // client wrote to the left, it is one client.
        assert_eq!(
            app.link_from("203.0.113.70, unknown", "a@example.com").await,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            app.link_from("203.0.113.71, unknown", "b@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // A client that writes `unknown` itself is still counted as its real address.
        assert_eq!(
            app.link_from("unknown, 203.0.113.72", "c@example.com").await,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            app.link_from("unknown, 203.0.113.72", "d@example.com").await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);
