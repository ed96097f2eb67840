//! An `OutgoingEmail` to a MIME message.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::SendError;
use crate::email::OutgoingEmail;

/// The Message-ID header value for an email id: `<id@domain>`.
pub(crate) fn message_id(id: uuid::Uuid, domain: &str) -> String {
    format!("<{id}@{domain}>")
}

/// Builds the message. Failures are permanent: the same email would fail the same way.
pub(crate) fn build(email: &OutgoingEmail, from: &Mailbox) -> Result<Message, SendError> {
    let to: Mailbox = email.to.as_str().parse().map_err(|err| {
        SendError::Permanent(format!("recipient {} is not usable: {err}", email.to.masked()))
    })?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.as_str())
        .date(SystemTime::now())
        .message_id(Some(message_id(email.id, from.email.domain())))
        .raw_header(raw("X-JobPing-Kind", email.kind.as_str()))
        // RFC 3834: tells auto-responders (out-of-office) not to answer.
        .raw_header(raw("Auto-Submitted", "auto-generated"));
    if let Some(unsubscribe) = &email.list_unsubscribe {
        if let Some(mailto) = &unsubscribe.mailto {
            check_mailto(mailto)?;
        }
        builder = builder
            .raw_header(raw("List-Unsubscribe", &unsubscribe.header_value()))
            .raw_header(raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|err| SendError::Permanent(format!("the message could not be built: {err}")))
}

fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

// Inside `<…>` in a header: anything that would end the bracket or need encoding makes a
// header that mail clients cannot use.
fn check_mailto(mailto: &str) -> Result<(), SendError> {
    if mailto.is_empty()
        || !mailto
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>' && c != ',')
    {
        return Err(SendError::Permanent(format!(
            "the List-Unsubscribe mailto `{}` must be a plain ASCII address",
            mailto.escape_debug()
        )));
    }
    Ok(())
}
