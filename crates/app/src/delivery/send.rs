//! Sending one recorded delivery: render with freshly signed links, hand it over, mark
//! it sent. The kill switches are honoured here, by the next task after they change.

use async_trait::async_trait;
use jobping_core::{SubscriberStatus, Taxonomy, Tier};
use jobping_mail::templates::{self, DigestEmail, DigestJob, WelcomeEmail};
use jobping_mail::{ListUnsubscribe, OutgoingEmail, SendError};
use jobping_sources::adapters::{Boards, SourceKind};
use jobping_store::{ClaimedTask, DeliveryKind, DeliveryToSend, SendClaim, StoreError};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::sending_paused;
use crate::journey::email::job_line;
use crate::state::AppState;
use crate::tokens::Purpose;
use crate::worker::{TaskError, TaskHandler};

#[derive(Debug, Deserialize)]
struct Payload {
    delivery_id: Uuid,
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Already sent before (a retried task after a crash, or another process sent it).
    AlreadySent,
    /// Another process holds the send (it is sending now, or died with the claim, which
    /// runs out at the time given); nothing was sent here.
    Held(OffsetDateTime),
    /// Not sent, for good: the address is suppressed or no longer subscribed.
    Dropped(&'static str),
}

/// The `send_delivery` task.
pub struct SendDelivery;

#[async_trait]
impl TaskHandler for SendDelivery {
    async fn run(&self, state: &AppState, task: &ClaimedTask) -> Result<(), TaskError> {
        let payload: Payload = serde_json::from_value(task.payload.clone())
            .map_err(|err| TaskError::Permanent(anyhow::anyhow!("not a send_delivery payload: {err}")))?;
        // One owner per attempt: a retry of this task is a new claimant, like any other.
        let owner = format!("task:{}:{}", task.id, task.lease.simple());
        match send(state, payload.delivery_id, &owner).await? {
            // Come back when the other claim runs out: by then it is sent, or its owner
            // died and this task sends it.
            SendOutcome::Held(until) => Err(TaskError::RetryAt(
                until + time::Duration::seconds(1),
                anyhow::anyhow!("another process holds this delivery's send until {until}"),
            )),
            outcome => {
                tracing::info!(?outcome, "delivery handled");
                Ok(())
            }
        }
    }
}

/// Sends one delivery unless it was sent, dropped, held by another process, or its tier
/// is paused (then the task is retried later with backoff). `owner` names the caller:
/// exactly one caller at a time holds a delivery's send claim, so however many workers
/// and `send-due` runs reach it, the mailer gets it once.
pub async fn send(state: &AppState, id: Uuid, owner: &str) -> Result<SendOutcome, TaskError> {
    let delivery = match state.store.delivery(id).await {
        Ok(delivery) => delivery,
        // Erased with its subscriber.
        Err(StoreError::NotFound) => return Ok(SendOutcome::Dropped("gone")),
        Err(err) => return Err(anyhow::Error::from(err).into()),
    };
    if delivery.sent_at.is_some() {
        return Ok(SendOutcome::AlreadySent);
    }
    let subscriber = &delivery.subscriber;
    if sending_paused(state, subscriber.tier).await? {
        return Err(TaskError::Retry(anyhow::anyhow!(
            "sending to the {} tier is paused",
            subscriber.tier.as_str()
        )));
    }
    let dropped = if subscriber.status != SubscriberStatus::Active {
        Some("the subscriber is no longer subscribed")
    } else if state
        .store
        .suppression(&subscriber.email)
        .await
        .map_err(anyhow::Error::from)?
        .is_some()
    {
        Some("the address is on the suppression list")
    } else {
        None
    };
    if let Some(reason) = dropped {
        state
            .store
            .mark_delivery_failed(id, reason, OffsetDateTime::now_utc())
            .await
            .map_err(anyhow::Error::from)?;
        metrics::counter!("jobping_delivery_sent_total", "result" => "dropped").increment(1);
        return Ok(SendOutcome::Dropped(reason));
    }

    let now = OffsetDateTime::now_utc();
    let claim_until = now + super::send_claim_lease(&state.settings.queue);
    match state
        .store
        .claim_delivery_send(id, owner, claim_until, now)
        .await
        .map_err(anyhow::Error::from)?
    {
        SendClaim::Claimed => {}
        SendClaim::Sent => return Ok(SendOutcome::AlreadySent),
        SendClaim::Held { until, .. } => {
            metrics::counter!("jobping_delivery_sent_total", "result" => "held").increment(1);
            return Ok(SendOutcome::Held(until));
        }
        SendClaim::Closed => return Ok(SendOutcome::Dropped("the delivery was closed")),
    }

    let email = render(state, &delivery)?;
    match state.mailer.send(&email).await {
        Ok(sent) => {
            mark_sent(state, id, &sent.message_id, claim_until).await?;
            metrics::counter!("jobping_delivery_sent_total", "result" => "sent").increment(1);
            Ok(SendOutcome::Sent)
        }
        Err(SendError::Transient(reason)) => {
            metrics::counter!("jobping_delivery_sent_total", "result" => "retry").increment(1);
            // Nothing went out: let the next attempt have it at once.
            if let Err(err) = state.store.release_delivery_send(id, owner).await {
                tracing::warn!(
                    error = format!("{err:#}"),
                    "could not release a delivery's send claim"
                );
            }
            Err(TaskError::Retry(anyhow::anyhow!(reason)))
        }
        Err(SendError::Permanent(reason)) => {
            state
                .store
                .mark_delivery_failed(id, &reason, OffsetDateTime::now_utc())
                .await
                .map_err(anyhow::Error::from)?;
            metrics::counter!("jobping_delivery_sent_total", "result" => "failed").increment(1);
            Err(TaskError::Permanent(anyhow::anyhow!(reason)))
        }
    }
}

/// Records that the mailer accepted the delivery. The email is out, so a database that
/// is briefly away must not turn it into a repeat: keep trying, with backoff, while our
/// claim holds (nobody else may send it meanwhile). Only if the database stays away
/// past the claim can the delivery be sent once more (the documented duplicate).
async fn mark_sent(
    state: &AppState,
    id: Uuid,
    message_id: &str,
    claim_until: OffsetDateTime,
) -> Result<(), TaskError> {
    // Stop a little before the claim runs out, so no other sender starts meanwhile.
    let give_up = claim_until - time::Duration::seconds(2);
    let mut pause = std::time::Duration::from_millis(250);
    loop {
        match state
            .store
            .mark_delivery_sent(id, message_id, OffsetDateTime::now_utc())
            .await
        {
            Ok(_) => return Ok(()),
            Err(err) if OffsetDateTime::now_utc() + pause >= give_up => {
                metrics::counter!("jobping_delivery_mark_sent_failed_total").increment(1);
                return Err(TaskError::Retry(
                    anyhow::Error::from(err).context("the email was sent but could not be marked sent"),
                ));
            }
            Err(err) => {
                tracing::warn!(
                    error = format!("{err:#}"),
                    retry_in_ms = pause.as_millis() as u64,
                    "the email was sent; marking it sent failed, trying again"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(4));
            }
        }
    }
}

/// The digest as an email, with links signed now.
pub fn render(state: &AppState, delivery: &DeliveryToSend) -> anyhow::Result<OutgoingEmail> {
    let subscriber = &delivery.subscriber;
    let link = |path: &str, purpose: Purpose, extra: &str| {
        // Stable per delivery, so a retried send is byte for byte the same email.
        let token = state.signer.sign_stable(
            purpose,
            subscriber.id,
            extra,
            delivery.created_at + purpose.lifetime(),
            &format!("{}:{}:{extra}", delivery.id, purpose.as_str()),
        );
        let mut url = state.settings.base_url.clone();
        url.set_path(path);
        url.query_pairs_mut().append_pair("token", &token);
        url
    };
    let jobs = delivery
        .items
        .iter()
        .map(|item| {
            let mut line = job_line(&item.job, &item.reasons);
            let extra = format!("{}.{}", item.job_id, delivery.id.simple());
            line.apply_url = link("/c", Purpose::Click, &extra);
            DigestJob {
                line,
                thumbs_up_url: link("/feedback", Purpose::Feedback, &format!("{extra}.up")),
                thumbs_down_url: link("/feedback", Purpose::Feedback, &format!("{extra}.down")),
            }
        })
        .collect::<Vec<_>>();
    let unsubscribe_url = link("/unsubscribe", Purpose::Unsubscribe, "");
    let manage_url = link("/preferences", Purpose::Manage, "");
    let rhythm = |tier| super::cadence::Rhythm::of(&state.settings.delivery, tier);
    let rendered = if delivery.kind == DeliveryKind::Welcome {
        templates::welcome(WelcomeEmail {
            manage_url,
            unsubscribe_url: unsubscribe_url.clone(),
            tier_note: (subscriber.tier == Tier::Free).then(|| {
                format!(
                    "You are on the free plan: {}. Premium brings {}.",
                    rhythm(Tier::Free).summary(),
                    rhythm(Tier::Premium).summary()
                )
            }),
            jobs: jobs.into_iter().map(|job| job.line).collect(),
            // The template closes the sentence: "Your next jobs email: Thursday morning."
            next_digest: rhythm(subscriber.tier).next_email(),
        })
    } else {
        templates::digest(DigestEmail {
            subject: subject(delivery),
            intro: "Here are the newest jobs that fit what you told us. Each passed every one of your rules."
                .to_owned(),
            jobs,
            premium_note: (subscriber.tier == Tier::Free)
                .then(|| format!("Want more? Premium sends {}.", rhythm(Tier::Premium).summary())),
            attribution: attribution(delivery),
            manage_url,
            unsubscribe_url: unsubscribe_url.clone(),
        })
    };
    Ok(OutgoingEmail {
        // The delivery's id: the provider's idempotency key and our Message-ID.
        id: delivery.id,
        to: subscriber.email.clone(),
        kind: rendered.kind,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        list_unsubscribe: Some(ListUnsubscribe {
            url: unsubscribe_url,
            mailto: unsubscribe_mailto(state),
        }),
    })
}

/// The mailto half of List-Unsubscribe: the sender's own mailbox, subject
/// "unsubscribe". JobPing reads no inbound mail, so such requests are for the operator
/// to act on; mail apps use the one-click https link when there is one.
pub fn unsubscribe_mailto(state: &AppState) -> Option<String> {
    let mail = &state.settings.mail;
    (!mail.from_domain().is_empty()).then(|| format!("mailto:{}?subject=unsubscribe", mail.from_address()))
}

/// "3 new jobs for you in Berlin and Amsterdam".
fn subject(delivery: &DeliveryToSend) -> String {
    let taxonomy = Taxonomy::embedded();
    let mut cities: Vec<String> = delivery
        .items
        .iter()
        .flat_map(|item| item.job.locations.iter())
        .filter_map(|l| l.city.as_deref().and_then(|slug| taxonomy.city(slug)))
        .map(|city| city.name.clone())
        .collect();
    cities.dedup();
    let mut seen = Vec::new();
    cities.retain(|c| {
        let new = !seen.contains(c);
        seen.push(c.clone());
        new
    });
    let n = delivery.items.len();
    let jobs = if n == 1 {
        "1 new job".to_owned()
    } else {
        format!("{n} new jobs")
    };
    match cities.as_slice() {
        [] => format!("{jobs} that fit you"),
        [one] => format!("{jobs} for you in {one}"),
        [one, two] => format!("{jobs} for you in {one} and {two}"),
        [one, two, ..] => format!("{jobs} for you in {one}, {two} and more"),
    }
}

/// Credits owed to job boards whose postings the email shows.
fn attribution(delivery: &DeliveryToSend) -> Vec<String> {
    let mut names: Vec<&'static str> = delivery
        .items
        .iter()
        .filter_map(|item| item.job.source.parse::<SourceKind>().ok())
        .map(SourceKind::info)
        .filter(|info| matches!(info.boards, Boards::None | Boards::Country))
        .map(|info| info.name)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| format!("Some jobs via {name}."))
        .collect()
}
