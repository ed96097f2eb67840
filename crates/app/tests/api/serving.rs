//! The HTTP server itself: slow clients and shutdown, and the errors its layers make.

mod problems;

use std::time::{Duration, Instant};

use jobping_store::Backend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Options, spawn_app};

/// Opens a connection and sends the start of a request, never its end.
async fn half_sent_request(address: &str) -> TcpStream {
    let host = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    stream
        .write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: ").as_bytes())
        .await
        .unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = spawn_app(Backend::Sqlite, Options::default()).await.unwrap();
    let mut stream = half_sent_request(&app.address).await;
    let started = Instant::now();
    let mut buffer = [0_u8; 1024];
    // The server answers 408 or just closes; either way the connection ends.
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection was still open after 20 s");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "cut after {:?}: too soon for a header timeout",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_while_a_client_holds_a_half_sent_request() {
    let mut app = spawn_app(Backend::Sqlite, Options::default()).await.unwrap();
    let _held = half_sent_request(&app.address).await;
    // Let the server take the connection before shutting down.
    let health = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());
    let started = Instant::now();
    app.shutdown().await.expect("serve returned within 20 s");
    assert!(
        started.elapsed() < Duration::from_secs(18),
        "{:?}",
        started.elapsed()
    );
}
