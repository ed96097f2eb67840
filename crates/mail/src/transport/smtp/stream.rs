//! TLS from the first byte (`smtps://`) over a TCP_NODELAY connection, as a stream lettre
//! can speak SMTP on.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::ServerName;

/// Makes TLS connections to one host, checked against the webpki roots (as lettre does).
pub(super) struct TlsConnector {
    connector: tokio_rustls::TlsConnector,
    server_name: ServerName<'static>,
}

impl TlsConnector {
    pub(super) fn new(host: &str) -> Result<Self, String> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Self::with_roots(host, roots)
    }

    fn with_roots(host: &str, roots: rustls::RootCertStore) -> Result<Self, String> {
        let server_name = ServerName::try_from(host.to_owned()).map_err(|err| err.to_string())?;
        // ring explicitly: the process-wide provider may not be installed.
        let config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|err| err.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(Self {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name,
        })
    }

    pub(super) async fn connect(&self, tcp: TcpStream) -> io::Result<TlsStream> {
        self.connector
            .connect(self.server_name.clone(), tcp)
            .await
            .map(TlsStream)
    }
}

/// A TLS client stream with the peer address lettre asks for.
#[derive(Debug)]
pub(super) struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    // A throwaway CA and a `localhost` certificate it signed (openssl, 100 years).
    const CA: &[u8] = include_bytes!("testdata/ca.pem");
    const SERVER_CERT: &[u8] = include_bytes!("testdata/server.pem");
    const SERVER_KEY: &[u8] = include_bytes!("testdata/server.key");

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// A TLS server on loopback that answers each line with the same line.
    async fn echo_server() -> SocketAddr {
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(SERVER_CERT).unwrap()],
                PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            // A refused handshake ends here; the test looks at the client's side.
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            let mut buf = [0u8; 64];
            let n = tls.read(&mut buf).await.unwrap();
            tls.write_all(&buf[..n]).await.unwrap();
            tls.flush().await.unwrap();
        });
        addr
    }

    fn test_roots() -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(CA).unwrap()).unwrap();
        roots
    }

    #[tokio::test]
    async fn a_tls_stream_carries_bytes_both_ways_and_knows_its_peer() {
        let addr = echo_server().await;
        let connector = TlsConnector::with_roots("localhost", test_roots()).unwrap();

        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut stream = connector.connect(tcp).await.unwrap();
        stream.write_all(b"EHLO jobping\r\n").await.unwrap();
        let mut answer = [0u8; 14];
        stream.read_exact(&mut answer).await.unwrap();

        assert_eq!(&answer, b"EHLO jobping\r\n");
        assert_eq!(AsyncTokioStream::peer_addr(&stream).unwrap(), addr);
    }

    #[tokio::test]
    async fn a_certificate_for_another_name_is_refused() {
        let addr = echo_server().await;
        let connector = TlsConnector::with_roots("mail.example.com", test_roots()).unwrap();

        let tcp = TcpStream::connect(addr).await.unwrap();
        assert!(connector.connect(tcp).await.is_err());
    }

    #[test]
    fn the_production_connector_builds_with_the_webpki_roots() {
        assert!(TlsConnector::new("smtp.example.com").is_ok());
        assert!(TlsConnector::new("not a host name").is_err());
    }
}
