//! A TCP forwarder in front of PostgreSQL that can be cut, restored or stalled: cut,
//! every open connection closes and new ones are refused, as when the database server
//! goes down; restored, it listens on the same port again; stalled, connections stay open
//! and new ones are accepted but nothing comes back, as with a hung server or a lost
//! network, so every query waits out the pool's timeouts.

use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub struct Forwarder {
    pub port: u16,
    target: Arc<str>,
    stall: CancellationToken,
    tasks: JoinSet<()>,
}

impl Forwarder {
    /// Forwards a free loopback port to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut forwarder = Self {
            port: listener.local_addr().unwrap().port(),
            target: target.into(),
            stall: CancellationToken::new(),
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
        through.set_host(Some("127.0.0.1")).unwrap();
        through.set_port(Some(forwarder.port)).unwrap();
        (forwarder, through.to_string())
    }

    fn serve(&mut self, listener: TcpListener) {
        let (target, stall) = (self.target.clone(), self.stall.clone());
        self.tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let (target, stall) = (target.clone(), stall.clone());
                connections.spawn(async move {
                    let mut upstream = None;
                    if !stall.is_cancelled()
                        && let Ok(mut server) = TcpStream::connect(&*target).await
                    {
                        let copied = stall
                            .run_until_cancelled(tokio::io::copy_bidirectional(&mut client, &mut server))
                            .await;
                        if copied.is_some() {
                            return;
                        }
                        upstream = Some(server);
                    }
                    // Stalled: hold both ends open, silent, until cut or dropped.
                    std::future::pending::<()>().await;
                    drop((client, upstream));
                });
            }
        });
    }

    /// Stops passing bytes, for good: open connections and new ones are held silent.
    pub fn stall(&self) {
        self.stall.cancel();
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
