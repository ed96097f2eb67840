//! One function per email: plain data from the app in, subject, text and HTML out.
//!
//! Links arrive signed by the app; this module only writes them out. Everything the app
//! passes is escaped in the HTML part (askama escapes by default and nothing here is
//! marked safe), and written as it is in the text part.

use askama::Template;
use jobping_core::EmailAddress;
use url::Url;

use crate::email::{EmailKind, ListUnsubscribe, OutgoingEmail};

pub use digest::{DigestEmail, DigestJob, PaymentFailedEmail, digest, payment_failed, wider_preferences};

/// The subject and both bodies of an email, and which template made them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    /// The template that made it.
    pub kind: EmailKind,
    /// The subject line.
    pub subject: String,
    /// The text/plain body.
    pub text: String,
    /// The text/html body.
    pub html: String,
}

impl RenderedEmail {
    /// Addresses the rendered email, ready for `Mailer::send`.
    pub fn into_outgoing(
        self,
        id: uuid::Uuid,
        to: EmailAddress,
        list_unsubscribe: Option<ListUnsubscribe>,
    ) -> OutgoingEmail {
        OutgoingEmail {
            id,
            to,
            kind: self.kind,
            subject: self.subject,
            text: self.text,
            html: self.html,
            list_unsubscribe,
        }
    }
}

/// Data for the email that confirms a new subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyEmail {
    /// The signed, single-use confirmation link.
    pub verify_url: Url,
    /// How long the link stays valid.
    pub expires_in_hours: u32,
}

/// Data for the emails whose point is the subscriber's manage link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManageEmail {
    /// The signed link to the preferences page.
    pub manage_url: Url,
    /// The signed link to the unsubscribe page.
    pub unsubscribe_url: Url,
}

/// Data for the first email after confirming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WelcomeEmail {
    /// The signed link to the preferences page.
    pub manage_url: Url,
    /// The signed link to the unsubscribe page.
    pub unsubscribe_url: Url,
    /// A sentence about the subscriber's plan, e.g. "You are on the free plan: 5 jobs a week."
    pub tier_note: Option<String>,
    /// The first matches; may be empty.
    pub jobs: Vec<JobLine>,
    /// When the next jobs email is due, as a person reads it, e.g. "Monday 24 November".
    pub next_digest: String,
}

/// One job as an email lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobLine {
    /// The posting's title.
    pub title: String,
    /// The employer's name.
    pub company: String,
    /// Where: "Berlin" or "Remote (EU)".
    pub place: String,
    /// Short reasons it matches the subscriber, e.g. "Graduate role", "Visa sponsorship".
    pub why: Vec<String>,
    /// The salary as the posting gives it, e.g. "€45,000–52,000 a year".
    pub salary: Option<String>,
    /// When it was posted, e.g. "2 days ago".
    pub posted: Option<String>,
    /// Where to apply (the app's tracked link or the posting itself).
    pub apply_url: Url,
}

/// "Confirm your JobPing subscription".
pub fn verify(email: VerifyEmail) -> RenderedEmail {
    render(
        EmailKind::Verify,
        "Confirm your JobPing subscription".to_owned(),
        &VerifyText { email: &email },
        &VerifyHtml { email: &email },
    )
}

/// Someone (maybe the subscriber) tried to sign up again: here is the manage link.
pub fn already_subscribed(email: ManageEmail) -> RenderedEmail {
    render(
        EmailKind::AlreadySubscribed,
        "You are already subscribed to JobPing".to_owned(),
        &AlreadySubscribedText { email: &email },
        &AlreadySubscribedHtml { email: &email },
    )
}

/// "Your link to manage JobPing", sent on request.
pub fn manage_link(email: ManageEmail) -> RenderedEmail {
    render(
        EmailKind::ManageLink,
        "Your link to manage JobPing".to_owned(),
        &ManageLinkText { email: &email },
        &ManageLinkHtml { email: &email },
    )
}

/// The welcome email, with the first matches or a kind word when there are none yet.
pub fn welcome(email: WelcomeEmail) -> RenderedEmail {
    let subject = match email.jobs.len() {
        0 => "Welcome to JobPing".to_owned(),
        1 => "Welcome to JobPing: your first match".to_owned(),
        n => format!("Welcome to JobPing: your first {n} matches"),
    };
    render(
        EmailKind::Welcome,
        subject,
        &WelcomeText { email: &email },
        &WelcomeHtml { email: &email },
    )
}

/// Confirms that preferences changed, with a way back if it was not the subscriber.
pub fn preferences_changed(email: ManageEmail) -> RenderedEmail {
    render(
        EmailKind::PreferencesChanged,
        "Your JobPing preferences were changed".to_owned(),
        &PreferencesChangedText { email: &email },
        &PreferencesChangedHtml { email: &email },
    )
}

/// The last email: the data is erased and nothing more will be sent.
pub fn account_deleted() -> RenderedEmail {
    render(
        EmailKind::AccountDeleted,
        "Your JobPing data has been deleted".to_owned(),
        &AccountDeletedText,
        &AccountDeletedHtml,
    )
}

fn render(kind: EmailKind, subject: String, text: &impl Template, html: &impl Template) -> RenderedEmail {
    // Rendering fails only when a value's `Display` fails, and `String`, `Url` and numbers
    // never do; a failure here is a bug in this crate, not bad input.
    let text = text.render().expect("text template renders");
    let html = html.render().expect("HTML template renders");
    RenderedEmail {
        kind,
        subject,
        text,
        html,
    }
}

// One template struct per file; `.html` escapes everything it prints, `.txt` nothing.
macro_rules! templates {
    ($($name:ident $path:tt => $data:ty;)*) => {$(
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            email: &'a $data,
        }
    )*};
}

// After the macro, so that the module can use it.
mod digest;

templates! {
    VerifyText "verify.txt" => VerifyEmail;
    VerifyHtml "verify.html" => VerifyEmail;
    AlreadySubscribedText "already_subscribed.txt" => ManageEmail;
    AlreadySubscribedHtml "already_subscribed.html" => ManageEmail;
    ManageLinkText "manage_link.txt" => ManageEmail;
    ManageLinkHtml "manage_link.html" => ManageEmail;
    WelcomeText "welcome.txt" => WelcomeEmail;
    WelcomeHtml "welcome.html" => WelcomeEmail;
    PreferencesChangedText "preferences_changed.txt" => ManageEmail;
    PreferencesChangedHtml "preferences_changed.html" => ManageEmail;
}

#[derive(Template)]
#[template(path = "account_deleted.txt")]
struct AccountDeletedText;

#[derive(Template)]
#[template(path = "account_deleted.html")]
struct AccountDeletedHtml;
