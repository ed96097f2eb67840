//! An `OutgoingEmail` to a MIME message.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
use lettre::message::{Body, Mailbox, MultiPart};

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
    let (content_type, body) = hoist(MultiPart::alternative_plain_html(
        email.text.clone(),
        email.html.clone(),
    ))?;
    builder
        .header(MIME_VERSION_1_0)
        .header(content_type)
        .body(body)
        .map_err(|err| SendError::Permanent(format!("the message could not be built: {err}")))
}

/// The multipart's Content-Type and its encoded body, for a message built with `body`.
///
/// lettre writes a multipart message's Content-Type with the part, after the message's
/// own headers, where its DKIM signer does not look: signed that way, the header would
/// count as absent and every verifier would fail the signature. Lifted into the
/// message's headers it is signed like the others; the bytes on the wire are the same
/// but for a `Content-Transfer-Encoding: 7bit`, true since lettre encodes each part
/// (quoted-printable or base64) for 7-bit transport, which [`seven_bit`] checks.
fn hoist(part: MultiPart) -> Result<(ContentType, Body), SendError> {
    let unusable = || SendError::Permanent("the message body could not be laid out".into());
    let content_type = part.headers().get::<ContentType>().ok_or_else(unusable)?;
    let mut formatted = part.formatted();
    let body_at = formatted
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(unusable)?
        + 4;
    let body = formatted.split_off(body_at);
    if !seven_bit(&body) {
        return Err(unusable());
    }
    Ok((
        content_type,
        Body::dangerous_pre_encoded(body, ContentTransferEncoding::SevenBit),
    ))
}

/// RFC 2045's 7bit: ASCII without NUL, CR and LF only as CRLF, lines of at most 998
/// octets. (lettre's own check stops at 76, which quoted-printable's soft breaks reach.)
fn seven_bit(body: &[u8]) -> bool {
    let mut line_len = 0;
    let mut after_cr = false;
    for &byte in body {
        match (byte, after_cr) {
            (b'\n', true) => line_len = 0,
            // A bare LF, or a CR that no LF follows.
            (b'\n', false) | (_, true) => return false,
            (0 | 0x80.., _) => return false,
            (b'\r', false) => {}
            (_, false) => {
                line_len += 1;
                if line_len > 998 {
                    return false;
                }
            }
        }
        after_cr = byte == b'\r';
    }
    !after_cr
}

fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

// Inside `<…>` in a header: anything that would end the bracket or need encoding makes a
// header that mail clients cannot use.
pub(crate) fn check_mailto(mailto: &str) -> Result<(), SendError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_bit_allows_long_ascii_lines_but_not_8bit_bare_line_ends_or_overlong_lines() {
        assert!(seven_bit(format!("{}=\r\nshort\r\n", "a".repeat(75)).as_bytes()));
        assert!(seven_bit("x".repeat(998).as_bytes()));
        assert!(!seven_bit("x".repeat(999).as_bytes()));
        assert!(!seven_bit("M\u{fc}nchen\r\n".as_bytes()));
        assert!(!seven_bit(b"bare\nline\r\n"));
        assert!(!seven_bit(b"bare\rcr\r\n"));
        assert!(!seven_bit(b"nul\0\r\n"));
    }
}
