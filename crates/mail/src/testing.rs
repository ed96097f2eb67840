//! Test helpers (feature `testing`): [`SmtpSink`], a real SMTP server on loopback that
//! records what it receives.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use url::Url;

// Bounds that keep a confused client from filling memory.
const MAX_LINE: usize = 64 * 1024;
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

/// One message as the sink received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The `MAIL FROM` address (without angle brackets).
    pub from: String,
    /// The accepted `RCPT TO` addresses.
    pub recipients: Vec<String>,
    /// The message after DATA, dot-unstuffed, CRLF line ends, without the final `.`.
    pub data: Vec<u8>,
    /// The user name and password of an `AUTH PLAIN` on this connection, if any.
    pub auth: Option<(String, String)>,
}

impl ReceivedMessage {
    /// The raw message as text (lossy for stray non-UTF-8 bytes).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A small SMTP server on `127.0.0.1:0`: EHLO/HELO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA,
/// RSET, NOOP, QUIT. It advertises no STARTTLS, so connect with [`SmtpSink::url`]. It
/// stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    state: Mutex<State>,
    received: Notify,
    // Bumped to make every open session hang up.
    hang_up: watch::Sender<u64>,
    accepted: AtomicUsize,
    open: AtomicUsize,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            state: Mutex::default(),
            received: Notify::new(),
            hang_up: watch::Sender::new(0),
            accepted: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
        }
    }
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedMessage>,
    rcpt_reply: Option<(u16, String)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the messages from the others.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SmtpSink {
    /// Binds `127.0.0.1:0` and starts serving connections on the current runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(Self { addr, shared, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT?tls=none`, for `TransportConfig::Smtp`.
    pub fn url(&self) -> Url {
        Url::parse(&format!("smtp://{}?tls=none", self.addr)).expect("a valid URL")
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.shared.lock().messages.clone()
    }

    /// Waits until at least `n` messages have arrived and returns them all.
    ///
    /// # Panics
    /// When `timeout` passes first, naming how many arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMessage> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register interest before looking, so a message arriving in between wakes us.
            let notified = self.shared.received.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "the SMTP sink expected {n} message(s) within {timeout:?} but received {}",
                    self.messages().len()
                );
            }
        }
    }

    /// Answers every following `RCPT TO` with `code` (e.g. 550 or 451) instead of 250.
    pub fn reject_recipients_with(&self, code: u16) {
        let text = match code {
            400..=499 => "4.2.0 Try again later",
            _ => "5.1.1 No such user here",
        };
        self.shared.lock().rcpt_reply = Some((code, text.to_owned()));
    }

    /// Accepts recipients again after [`SmtpSink::reject_recipients_with`].
    pub fn accept_recipients(&self) {
        self.shared.lock().rcpt_reply = None;
    }

    /// How many connections it has accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Closes every open connection without a word, as a server does with idle ones,
    /// and waits until they are closed.
    ///
    /// # Panics
    /// When a connection is still open after 5 seconds.
    pub async fn hang_up(&self) {
        self.shared.hang_up.send_modify(|generation| *generation += 1);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.shared.open.load(Ordering::SeqCst) > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink's connections did not close"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        // Subscribed and counted here, not in the task, so that `hang_up` cannot miss a
        // session that has started.
        let hang_up = shared.hang_up.subscribe();
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        shared.open.fetch_add(1, Ordering::SeqCst);
        sessions.spawn(session(stream, shared.clone(), hang_up));
        // Reap finished sessions so a long test does not accumulate them.
        while sessions.try_join_next().is_some() {}
    }
}

/// Counts a session as open from accept until it ends, however it ends.
struct OpenSession(Arc<Shared>);

impl Drop for OpenSession {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>, mut hang_up: watch::Receiver<u64>) {
    let _open = OpenSession(shared.clone());
    // Each reply is one small write that the client waits for: without this, Nagle's
    // algorithm and the client's delayed ACK hold replies back for up to 40 ms each.
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let run = Session {
        reader: BufReader::new(read),
        writer: write,
        shared,
    }
    .run();
    tokio::select! {
        _ = run => {}
        _ = hang_up.changed() => {}
    }
}

struct Session<R, W> {
    reader: BufReader<R>,
    writer: W,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Transaction {
    from: Option<String>,
    recipients: Vec<String>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Session<R, W> {
    async fn run(mut self) -> std::io::Result<()> {
        self.reply("220 jobping-sink ESMTP ready").await?;
        let mut txn = Transaction::default();
        let mut auth = None;
        while let Some(line) = self.line().await? {
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
            match verb.to_ascii_uppercase().as_str() {
                "EHLO" => {
                    txn = Transaction::default();
                    self.reply("250-jobping-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN")
                        .await?
                }
                "HELO" => {
                    txn = Transaction::default();
                    self.reply("250 jobping-sink").await?
                }
                "AUTH" => match auth_plain(arg) {
                    Some(credentials) => {
                        auth = Some(credentials);
                        self.reply("235 2.7.0 Authentication successful").await?
                    }
                    None => {
                        self.reply("504 5.5.4 Only AUTH PLAIN with an initial response")
                            .await?
                    }
                },
                "MAIL" => match path_arg(arg, "FROM:") {
                    Some(from) => {
                        txn = Transaction {
                            from: Some(from),
                            recipients: Vec::new(),
                        };
                        self.reply("250 2.1.0 OK").await?
                    }
                    None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await?,
                },
                "RCPT" => self.rcpt(&mut txn, arg).await?,
                "DATA" if txn.from.is_none() || txn.recipients.is_empty() => {
                    self.reply("503 5.5.1 MAIL and RCPT first").await?
                }
                "DATA" => {
                    self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
                    let Some(data) = self.data().await? else {
                        self.reply("552 5.3.4 Message too big").await?;
                        return Ok(());
                    };
                    let txn = std::mem::take(&mut txn);
                    self.shared.lock().messages.push(ReceivedMessage {
                        from: txn.from.unwrap_or_default(),
                        recipients: txn.recipients,
                        data,
                        auth: auth.clone(),
                    });
                    self.shared.received.notify_waiters();
                    self.reply("250 2.0.0 OK: queued").await?
                }
                "RSET" => {
                    txn = Transaction::default();
                    self.reply("250 2.0.0 OK").await?
                }
                "NOOP" => self.reply("250 2.0.0 OK").await?,
                "QUIT" => {
                    self.reply("221 2.0.0 Bye").await?;
                    return Ok(());
                }
                _ => self.reply("502 5.5.2 Command not recognized").await?,
            }
        }
        Ok(())
    }

    async fn rcpt(&mut self, txn: &mut Transaction, arg: &str) -> std::io::Result<()> {
        if txn.from.is_none() {
            return self.reply("503 5.5.1 MAIL first").await;
        }
        let Some(to) = path_arg(arg, "TO:") else {
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let rejection = self.shared.lock().rcpt_reply.clone();
        match rejection {
            Some((code, text)) => self.reply(&format!("{code} {text}")).await,
            None => {
                txn.recipients.push(to);
                self.reply("250 2.1.5 OK").await
            }
        }
    }

    /// Reads DATA up to the lone `.`, undoing dot-stuffing; `None` when it is too big.
    async fn data(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut data = Vec::new();
        while let Some(line) = self.line().await? {
            if line == b".\r\n" || line == b".\n" {
                return Ok((data.len() <= MAX_MESSAGE).then_some(data));
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            if data.len() <= MAX_MESSAGE {
                data.extend_from_slice(line);
            }
        }
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }

    /// One line with its line end; `None` at end of stream.
    async fn line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let read = (&mut self.reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        Ok((read > 0).then_some(line))
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        // One write per reply, so a reply never leaves in two segments.
        self.writer.write_all(format!("{text}\r\n").as_bytes()).await?;
        self.writer.flush().await
    }
}

/// `FROM:<a@b> BODY=8BITMIME` -> `a@b`.
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// `PLAIN <base64 of authzid\0user\0password>` -> (user, password).
fn auth_plain(arg: &str) -> Option<(String, String)> {
    let (mechanism, initial) = arg.split_once(' ')?;
    if !mechanism.eq_ignore_ascii_case("PLAIN") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(initial.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let mut parts = decoded.split('\0');
    let (_authzid, user, password) = (parts.next()?, parts.next()?, parts.next()?);
    Some((user.to_owned(), password.to_owned()))
}
