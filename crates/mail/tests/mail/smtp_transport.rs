use jobping_mail::testing::SmtpSink;
use jobping_mail::{OutgoingEmail, SendError};

use crate::helpers::{WAIT, email, parse, smtp_mailer, url};

#[tokio::test]
async fn an_email_sent_over_smtp_reaches_the_server_with_its_envelope() {
    let sink = SmtpSink::start().await.unwrap();
    let email = email();

    let sent = smtp_mailer(sink.url()).send(&email).await.unwrap();

    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].from, "jobs@jobping.example");
    assert_eq!(received[0].recipients, vec!["ada@example.com".to_owned()]);
    assert_eq!(received[0].auth, None);
    let message = parse(&received[0].data);
    assert_eq!(message.subject(), Some("Bienvenue à JobPing – Zürich"));
    assert_eq!(
        Some(format!("<{}>", message.message_id().unwrap())),
        Some(sent.message_id)
    );
    assert_eq!(message.body_text(0).unwrap().trim_end(), email.text.trim_end());
    assert!(message.header_raw("List-Unsubscribe-Post").is_some());
}

#[tokio::test]
async fn a_line_starting_with_a_dot_survives_the_trip() {
    let sink = SmtpSink::start().await.unwrap();
    let email = OutgoingEmail {
        subject: "Dots".into(),
        text: "First line\n.hidden unless unstuffed\n..two dots\n".into(),
        html: "<p>dots</p>".into(),
        ..email()
    };

    smtp_mailer(sink.url()).send(&email).await.unwrap();

    let received = sink.wait_for(1, WAIT).await;
    let text = parse(&received[0].data)
        .body_text(0)
        .unwrap()
        .replace("\r\n", "\n");
    assert_eq!(text.trim_end(), email.text.trim_end());
}

#[tokio::test]
async fn concurrent_emails_over_one_mailer_all_arrive() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = smtp_mailer(sink.url());
    let emails: Vec<OutgoingEmail> = (0..3).map(|_| email()).collect();

    let sends: Vec<_> = emails
        .iter()
        .map(|email| {
            let (mailer, email) = (mailer.clone(), email.clone());
            tokio::spawn(async move { mailer.send(&email).await })
        })
        .collect();
    for send in sends {
        send.await.unwrap().unwrap();
    }

    let received = sink.wait_for(3, WAIT).await;
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| parse(&m.data).message_id().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = emails
        .iter()
        .map(|e| format!("{}@jobping.example", e.id))
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_550_for_the_recipient_is_a_permanent_error() {
    let sink = SmtpSink::start().await.unwrap();
    sink.reject_recipients_with(550);

    let err = smtp_mailer(sink.url()).send(&email()).await.unwrap_err();

    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(err.to_string().contains("550"), "{err}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_451_for_the_recipient_is_a_transient_error() {
    let sink = SmtpSink::start().await.unwrap();
    sink.reject_recipients_with(451);

    let err = smtp_mailer(sink.url()).send(&email()).await.unwrap_err();

    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains("451"), "{err}");

    sink.accept_recipients();
    smtp_mailer(sink.url()).send(&email()).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.len(), 1, "the retry gets through");
}

#[tokio::test]
async fn nothing_listening_is_a_transient_error() {
    // Bind and release a port so that, most likely, nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let err = smtp_mailer(url(&format!("smtp://127.0.0.1:{port}?tls=none")))
        .send(&email())
        .await
        .unwrap_err();

    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn credentials_in_the_url_are_percent_decoded_and_used() {
    let sink = SmtpSink::start().await.unwrap();
    let mut with_credentials = sink.url();
    with_credentials.set_username("mailer%40jobping.example").unwrap();
    with_credentials.set_password(Some("p%40ss%3Aw%C3%B6rd")).unwrap();

    smtp_mailer(with_credentials).send(&email()).await.unwrap();

    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(
        received[0].auth,
        Some(("mailer@jobping.example".to_owned(), "p@ss:wörd".to_owned()))
    );
}

#[tokio::test]
async fn one_connection_carries_one_email_after_another() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = smtp_mailer(sink.url());

    for _ in 0..3 {
        mailer.send(&email()).await.unwrap();
    }

    assert_eq!(sink.wait_for(3, WAIT).await.len(), 3);
    assert_eq!(sink.connections(), 1, "the connection was reused");
}

#[tokio::test]
async fn a_pooled_connection_the_server_closed_is_replaced_without_an_error() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = smtp_mailer(sink.url());
    mailer.send(&email()).await.unwrap();

    sink.hang_up().await;
    mailer.send(&email()).await.unwrap();

    assert_eq!(sink.wait_for(2, WAIT).await.len(), 2);
    assert_eq!(sink.connections(), 2);
}

#[tokio::test]
async fn after_a_refused_recipient_the_next_email_gets_through() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = smtp_mailer(sink.url());
    sink.reject_recipients_with(550);
    mailer.send(&email()).await.unwrap_err();

    sink.accept_recipients();
    mailer.send(&email()).await.unwrap();

    assert_eq!(sink.wait_for(1, WAIT).await.len(), 1);
}
