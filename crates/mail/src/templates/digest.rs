//! The jobs email and the notices sent around it.

use askama::Template;
use url::Url;

use super::{JobLine, ManageEmail, RenderedEmail, render};
use crate::email::EmailKind;

/// Data for the regular jobs email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestEmail {
    /// Says what is inside, e.g. "3 new jobs for you in Berlin and Amsterdam".
    pub subject: String,
    /// A sentence or two before the jobs.
    pub intro: String,
    /// The jobs, best first.
    pub jobs: Vec<DigestJob>,
    /// For the free plan: a short word about Premium, shown after the jobs.
    pub premium_note: Option<String>,
    /// Credits owed to job boards, e.g. "Jobs from Arbeitnow.", shown in the footer.
    pub attribution: Vec<String>,
    /// The signed link to the preferences page.
    pub manage_url: Url,
    /// The signed link to the unsubscribe page.
    pub unsubscribe_url: Url,
}

/// One job in the jobs email, with its feedback links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestJob {
    /// The job itself; `apply_url` is the link the title and the Apply button lead to.
    pub line: JobLine,
    /// Records "good match" for this job.
    pub thumbs_up_url: Url,
    /// Records "not for me" for this job.
    pub thumbs_down_url: Url,
}

/// Data for the email about a failed Premium payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentFailedEmail {
    /// The signed link to the preferences page.
    pub manage_url: Url,
    /// The payment provider's page to update the card, when there is one.
    pub billing_url: Option<Url>,
}

/// The jobs email: each job with why it fits, an Apply link and feedback links; the
/// premium note after the jobs; job-board credits and the manage links in the footer.
pub fn digest(email: DigestEmail) -> RenderedEmail {
    let preheader = preheader(&email.jobs);
    render(
        EmailKind::Digest,
        email.subject.clone(),
        &DigestText { email: &email },
        &DigestHtml {
            email: &email,
            preheader: &preheader,
        },
    )
}

/// After weeks without a match: a kind note suggesting wider preferences.
pub fn wider_preferences(email: ManageEmail) -> RenderedEmail {
    render(
        EmailKind::WiderPreferences,
        "No new matches lately: a few ways to see more jobs".to_owned(),
        &WiderPreferencesText { email: &email },
        &WiderPreferencesHtml { email: &email },
    )
}

/// A Premium payment did not go through: how to fix it.
pub fn payment_failed(email: PaymentFailedEmail) -> RenderedEmail {
    render(
        EmailKind::PaymentFailed,
        "Your JobPing Premium payment did not go through".to_owned(),
        &PaymentFailedText { email: &email },
        &PaymentFailedHtml { email: &email },
    )
}

/// The line inbox lists show after the subject: the first job and how many more.
fn preheader(jobs: &[DigestJob]) -> String {
    match jobs {
        [] => "No new jobs this time.".to_owned(),
        [only] => format!("{} at {}", only.line.title, only.line.company),
        [first, rest @ ..] => format!(
            "{} at {}, and {} more",
            first.line.title,
            first.line.company,
            rest.len()
        ),
    }
}

#[derive(Template)]
#[template(path = "digest.txt")]
struct DigestText<'a> {
    email: &'a DigestEmail,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestHtml<'a> {
    email: &'a DigestEmail,
    preheader: &'a str,
}

templates! {
    WiderPreferencesText "wider_preferences.txt" => ManageEmail;
    WiderPreferencesHtml "wider_preferences.html" => ManageEmail;
    PaymentFailedText "payment_failed.txt" => PaymentFailedEmail;
    PaymentFailedHtml "payment_failed.html" => PaymentFailedEmail;
}
