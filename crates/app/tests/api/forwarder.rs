//! A TCP forwarder in front of PostgreSQL that can be cut and restored: cut, every open
//! connection closes and new ones are refused, as when the database server goes down;
//! restored, it listens on the same port again.

use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

pub struct Forwarder {
    pub port: u16,
    target: Arc<str>,
    tasks: JoinSet<()>,
}

impl Forwarder {
    /// Forwards a free loopback port to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut forwarder = Self {
            port: listener.local_addr().unwrap().port(),
            target: target.into(),
            tasks: JoinSet::new(),
        };
        forwarder.serve(listener);
        forwarder
    }

    /// `url` (a PostgreSQL URL) with its port pointed through a new forwarder.
    pub async fn in_front_of(url: &str) -> (Self, String) {
        let mut through = url::Url::parse(url).unwrap();
        let target = format!(
            "{}:{}",
            through.host_str().unwrap(),
            through.port().unwrap_or(5432)
        );
        let forwarder = Self::start(&target).await;
        through.set_port(Some(forwarder.port)).unwrap();
        (forwarder, through.to_string())
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target.clone();
        self.tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut upstream) = TcpStream::connect(&*target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
    }

    /// Closes every connection and the listener.
    pub async fn cut(&mut self) {
        self.tasks.shutdown().await;
    }

    /// Listens on the same port again.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}
