//! What one email is, before it becomes MIME.

use std::fmt;

use jobping_core::EmailAddress;
use url::Url;

/// One email, ready to render into MIME.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Stable per email: the Message-ID's local part (`<id@domain>`), the `.eml` file
    /// name, and later the provider's idempotency key, so a retried send is the same email.
    pub id: uuid::Uuid,
    /// The one recipient.
    pub to: EmailAddress,
    /// Which template made it; also written in an `X-JobPing-Kind` header.
    pub kind: EmailKind,
    /// The subject line, plain text.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
    /// One-click unsubscribe headers (RFC 2369 and RFC 8058), for emails that have them.
    pub list_unsubscribe: Option<ListUnsubscribe>,
}

/// The targets of the `List-Unsubscribe` header. With it the mailer also writes
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so `url` must accept a POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListUnsubscribe {
    /// An `https` URL that unsubscribes on POST (RFC 8058).
    pub url: Url,
    /// An address (or a whole `mailto:` URI) that unsubscribes the sender of a message.
    pub mailto: Option<String>,
}

impl ListUnsubscribe {
    /// The `List-Unsubscribe` header value: `<https://…>, <mailto:…>`.
    pub(crate) fn header_value(&self) -> String {
        match &self.mailto {
            Some(mailto) if mailto.starts_with("mailto:") => format!("<{}>, <{mailto}>", self.url),
            Some(mailto) => format!("<{}>, <mailto:{mailto}>", self.url),
            None => format!("<{}>", self.url),
        }
    }
}

/// Which template an email came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EmailKind {
    /// Confirm a new subscription.
    Verify,
    /// Someone signed up again with an address that is already subscribed.
    AlreadySubscribed,
    /// A link to manage preferences, on request.
    ManageLink,
    /// The first email after confirming, with the first matches.
    Welcome,
    /// Preferences were changed.
    PreferencesChanged,
    /// The account and its data were erased.
    AccountDeleted,
    /// The regular jobs email.
    Digest,
    /// No matches for weeks: a suggestion to widen the preferences.
    WiderPreferences,
    /// A Premium payment failed.
    PaymentFailed,
}

impl EmailKind {
    /// Every kind, for metrics labels and exhaustive tests.
    pub const ALL: [Self; 9] = [
        Self::Verify,
        Self::AlreadySubscribed,
        Self::ManageLink,
        Self::Welcome,
        Self::PreferencesChanged,
        Self::AccountDeleted,
        Self::Digest,
        Self::WiderPreferences,
        Self::PaymentFailed,
    ];

    /// The snake_case name, as written in the `X-JobPing-Kind` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::AlreadySubscribed => "already_subscribed",
            Self::ManageLink => "manage_link",
            Self::Welcome => "welcome",
            Self::PreferencesChanged => "preferences_changed",
            Self::AccountDeleted => "account_deleted",
            Self::Digest => "digest",
            Self::WiderPreferences => "wider_preferences",
            Self::PaymentFailed => "payment_failed",
        }
    }
}

impl fmt::Display for EmailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_unsubscribe_puts_the_url_first_and_adds_mailto_when_missing() {
        let url = Url::parse("https://jobping.example/unsubscribe?t=abc").unwrap();
        let bare = ListUnsubscribe {
            url: url.clone(),
            mailto: None,
        };
        assert_eq!(bare.header_value(), "<https://jobping.example/unsubscribe?t=abc>");

        let address = ListUnsubscribe {
            url: url.clone(),
            mailto: Some("unsub@jobping.example".into()),
        };
        assert_eq!(
            address.header_value(),
            "<https://jobping.example/unsubscribe?t=abc>, <mailto:unsub@jobping.example>"
        );

        let uri = ListUnsubscribe {
            url,
            mailto: Some("mailto:unsub@jobping.example?subject=x".into()),
        };
        assert!(
            uri.header_value()
                .ends_with(", <mailto:unsub@jobping.example?subject=x>")
        );
    }

    #[test]
    fn kinds_have_distinct_snake_case_names() {
        let names: std::collections::HashSet<_> = EmailKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EmailKind::ALL.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
    }
}
