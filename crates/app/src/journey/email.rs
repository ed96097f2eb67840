//! The journey's emails: queued as `send_email` tasks (the payload names the subscriber
//! and the email, never the address), then rendered and sent by a worker with freshly
//! signed links. A subscriber erased in between simply gets nothing.

use anyhow::Context;
use async_trait::async_trait;
use jobping_core::{EmailAddress, Job, RemoteScope, SubscriberStatus, Taxonomy};
use jobping_mail::templates::{self, JobLine, ManageEmail, PaymentFailedEmail, VerifyEmail};
use jobping_mail::{EmailKind, ListUnsubscribe, OutgoingEmail, SendError};
use jobping_store::{ClaimedTask, NewTask, StoreError, Subscriber, SuppressionReason};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use crate::state::AppState;
use crate::tokens::Purpose;
use crate::worker::{TaskError, TaskHandler};

/// The task kind that sends one journey email.
pub const TASK_KIND: &str = "send_email";

/// The high half of a journey email's id; the low half is its task's id.
const EMAIL_ID_PREFIX: u64 = 0x6a6f_6270_696e_6701;

/// Which email a `send_email` task sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTask {
    Verify,
    AlreadySubscribed,
    ManageLink,
    PreferencesChanged,
    /// After several empty digests: a note suggesting wider preferences.
    WiderPreferences,
    /// Stripe could not take a premium payment.
    PaymentFailed,
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    subscriber_id: Uuid,
    email: EmailTask,
}

/// Queues one email for a subscriber.
pub async fn enqueue(
    state: &AppState,
    subscriber: Uuid,
    email: EmailTask,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let task = task(subscriber, email, now)?;
    state.store.enqueue(&task).await.context("queueing an email")?;
    Ok(())
}

/// The task that sends one email, for callers that queue it in a transaction of theirs.
pub fn task(subscriber: Uuid, email: EmailTask, now: OffsetDateTime) -> anyhow::Result<NewTask> {
    let payload = serde_json::to_value(Payload {
        subscriber_id: subscriber,
        email,
    })?;
    let mut task = NewTask::new(TASK_KIND, payload, now);
    if email == EmailTask::PreferencesChanged {
        // Several saves in a row make one confirmation.
        task.unique_key = Some(format!(
            "email:preferences_changed:{subscriber}:{}",
            now.unix_timestamp() / 600
        ));
    }
    Ok(task)
}

/// Sends the "your account is deleted" notice now, in the background: the subscriber is
/// already erased, so nothing about them may be queued.
pub fn send_account_deleted(state: &AppState, to: EmailAddress) {
    let mailer = state.mailer.clone();
    tokio::spawn(async move {
        let rendered = templates::account_deleted();
        let email = OutgoingEmail {
            id: Uuid::now_v7(),
            to,
            kind: EmailKind::AccountDeleted,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            list_unsubscribe: None,
        };
        if let Err(err) = mailer.send(&email).await {
            tracing::warn!(error = %err, "the account-deleted notice could not be sent");
        }
    });
}

/// Links signed for one subscriber, made at send time.
struct Links<'a> {
    state: &'a AppState,
    subscriber: Uuid,
    now: OffsetDateTime,
}

impl Links<'_> {
    fn url(&self, path: &str, purpose: Purpose) -> Url {
        let token = self.state.signer.sign(purpose, self.subscriber, self.now);
        let mut url = self.state.settings.base_url.clone();
        url.set_path(path);
        url.query_pairs_mut().append_pair("token", &token);
        url
    }

    fn verify(&self) -> Url {
        self.url("/verify", Purpose::Verify)
    }

    fn manage(&self) -> Url {
        self.url("/preferences", Purpose::Manage)
    }

    fn unsubscribe(&self) -> Url {
        self.url("/unsubscribe", Purpose::Unsubscribe)
    }

    fn manage_email(&self) -> ManageEmail {
        ManageEmail {
            manage_url: self.manage(),
            unsubscribe_url: self.unsubscribe(),
        }
    }
}

/// Renders and sends `send_email` tasks.
pub struct SendEmail;

#[async_trait]
impl TaskHandler for SendEmail {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let payload: Payload = serde_json::from_value(task.payload.clone())
            .map_err(|err| TaskError::Permanent(anyhow::anyhow!("not a send_email payload: {err}")))?;
        let subscriber = match state.store.subscriber(payload.subscriber_id).await {
            Ok(subscriber) => subscriber,
            Err(StoreError::NotFound) => {
                tracing::info!("the subscriber is gone: nothing to send");
                return Ok(());
            }
            Err(err) => return Err(anyhow::Error::from(err).into()),
        };
        if !may_send(state, &subscriber, payload.email).await? {
            return Ok(());
        }
        let now = OffsetDateTime::now_utc();
        let links = Links {
            state,
            subscriber: subscriber.id,
            now,
        };
        let (kind, rendered, unsubscribe) = match payload.email {
            EmailTask::Verify => (
                EmailKind::Verify,
                templates::verify(VerifyEmail {
                    verify_url: links.verify(),
                    expires_in_hours: Purpose::Verify.lifetime().whole_hours() as u32,
                }),
                false,
            ),
            EmailTask::AlreadySubscribed => (
                EmailKind::AlreadySubscribed,
                templates::already_subscribed(links.manage_email()),
                true,
            ),
            EmailTask::ManageLink => (
                EmailKind::ManageLink,
                templates::manage_link(links.manage_email()),
                true,
            ),
            EmailTask::PreferencesChanged => (
                EmailKind::PreferencesChanged,
                templates::preferences_changed(links.manage_email()),
                true,
            ),
            EmailTask::WiderPreferences => (
                EmailKind::WiderPreferences,
                templates::wider_preferences(links.manage_email()),
                true,
            ),
            EmailTask::PaymentFailed => (
                EmailKind::PaymentFailed,
                templates::payment_failed(PaymentFailedEmail {
                    manage_url: links.manage(),
                    billing_url: state
                        .settings
                        .billing_enabled()
                        .then(|| links.url("/billing/portal", Purpose::Billing)),
                }),
                false,
            ),
        };
        let email = OutgoingEmail {
            // Stable per task, so a retried send is recognisably the same email.
            id: Uuid::from_u64_pair(EMAIL_ID_PREFIX, task.id as u64),
            to: subscriber.email.clone(),
            kind,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            list_unsubscribe: unsubscribe.then(|| ListUnsubscribe {
                url: links.unsubscribe(),
                mailto: crate::delivery::send::unsubscribe_mailto(state),
            }),
        };
        match state.mailer.send(&email).await {
            Ok(sent) => {
                tracing::info!(kind = kind.as_str(), message_id = %sent.message_id, "email sent");
                Ok(())
            }
            Err(SendError::Transient(reason)) => Err(TaskError::Retry(anyhow::anyhow!(reason))),
            Err(SendError::Permanent(reason)) => Err(TaskError::Permanent(anyhow::anyhow!(reason))),
        }
    }
}

/// Whether this email may go to this subscriber now.
async fn may_send(state: &AppState, subscriber: &Subscriber, email: EmailTask) -> anyhow::Result<bool> {
    let suppressed = state.store.suppression(&subscriber.email).await?;
    let allowed = match (email, subscriber.status) {
        // Confirmation links go to pending addresses, and to people who unsubscribed and
        // signed up again (the only mail an 'unsubscribed' suppression lets through).
        (EmailTask::Verify, SubscriberStatus::Pending | SubscriberStatus::Unsubscribed) => {
            matches!(suppressed, None | Some(SuppressionReason::Unsubscribed))
        }
        (EmailTask::Verify, SubscriberStatus::Active) => false,
        // About money they owe: unsubscribing from jobs does not stop it, a bounce does.
        (EmailTask::PaymentFailed, SubscriberStatus::Active | SubscriberStatus::Unsubscribed) => {
            matches!(suppressed, None | Some(SuppressionReason::Unsubscribed))
        }
        (_, SubscriberStatus::Active) => suppressed.is_none(),
        _ => false,
    };
    if !allowed {
        tracing::info!(
            email = ?email,
            status = subscriber.status.as_str(),
            "not sending: the subscriber's state no longer calls for this email"
        );
    }
    Ok(allowed)
}

/// One job as an email shows it.
pub fn job_line(job: &Job, reasons: &[String]) -> JobLine {
    JobLine {
        title: job.title.clone(),
        company: job.company.clone(),
        place: place(job),
        why: reasons.to_vec(),
        salary: job.salary.as_ref().and_then(salary_text),
        posted: job.posted_at.map(|at| at.date().to_string()),
        apply_url: Url::parse(job.apply_url.as_deref().unwrap_or(&job.url))
            .or_else(|_| Url::parse(&job.url))
            .unwrap_or_else(|_| Url::parse("https://invalid.example/").expect("a valid URL")),
    }
}

/// "Berlin", "Berlin or Remote (DE)", "Remote (anywhere)".
pub fn place(job: &Job) -> String {
    let taxonomy = Taxonomy::embedded();
    let mut parts: Vec<String> = job
        .locations
        .iter()
        .filter_map(|l| l.city.as_deref().and_then(|slug| taxonomy.city(slug)))
        .map(|city| city.name.clone())
        .collect();
    parts.dedup();
    match &job.remote_scope {
        RemoteScope::NotRemote => {}
        RemoteScope::Anywhere => parts.push("Remote (anywhere)".to_owned()),
        RemoteScope::Countries(countries) => parts.push(format!("Remote ({})", countries.join(", "))),
        RemoteScope::Unknown => parts.push("Remote".to_owned()),
    }
    if parts.is_empty() {
        parts.extend(job.locations.first().map(|l| l.raw.clone()));
    }
    parts.join(" or ")
}

/// "EUR 40,000–50,000 a year", from the annualized figures; `None` when unknown.
pub fn salary_text(salary: &jobping_core::Salary) -> Option<String> {
    let amount = |v: f64| {
        let whole = v.round() as i64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let range = match (salary.annual_min, salary.annual_max) {
        (Some(min), Some(max)) if (max - min).abs() < 0.5 => amount(min),
        (Some(min), Some(max)) => format!("{}–{}", amount(min), amount(max)),
        (Some(min), None) => format!("from {}", amount(min)),
        (None, Some(max)) => format!("up to {}", amount(max)),
        (None, None) => return None,
    };
    Some(format!("{} {range} a year", salary.currency))
}
