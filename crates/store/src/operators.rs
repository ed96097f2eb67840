//! What operators need from the store: admin API keys (kept as hashes only) and the
//! counts the admin dashboard shows.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// An admin key to keep: its hash, never the key.
#[derive(Debug, Clone)]
pub struct NewAdminKey {
    pub id: Uuid,
    pub name: String,
    /// Lowercase hex SHA-256 of the key.
    pub key_hash: String,
    pub scopes: Vec<String>,
    pub created_at: OffsetDateTime,
}

/// An admin key as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminKey {
    pub id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub key_hash: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// How many subscribers have one status and tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriberCount {
    pub status: String,
    pub tier: String,
    pub count: u64,
}

/// A count for one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    #[serde(serialize_with = "iso_date")]
    pub day: time::Date,
    pub count: u64,
}

/// A count for one name (a source, a city, a career path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

/// What the admin dashboard shows, over the [`OperatorStats::WINDOW_DAYS`] days before `now`
/// (jobs: those active now).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatorStats {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Every subscriber now, by status and tier.
    pub subscribers: Vec<SubscriberCount>,
    /// Signups per day in the window, one entry per day (oldest first, zeros included).
    pub signups_per_day: Vec<DayCount>,
    /// Verifications per day in the window, like `signups_per_day`.
    pub verifications_per_day: Vec<DayCount>,
    /// Job emails created in the window by status (`sent`, `skipped`, `failed`, `pending`).
    pub deliveries: Vec<NamedCount>,
    /// Provider events in the window.
    pub delivered: u64,
    pub bounced: u64,
    pub complained: u64,
    /// Jobs in the emails sent in the window, and in how many sent emails.
    pub items_sent: u64,
    pub emails_with_items: u64,
    pub clicks: u64,
    pub votes_up: u64,
    pub votes_down: u64,
    /// Scores of the jobs emailed in the window, in ten bands: 0–9.99, 10–19.99, … 90–100.
    pub score_bands: [u64; 10],
    pub active_jobs: u64,
    pub jobs_by_source: Vec<NamedCount>,
    /// The most common cities and career paths of active jobs, most first.
    pub jobs_by_city: Vec<NamedCount>,
    pub jobs_by_career_path: Vec<NamedCount>,
}

impl OperatorStats {
    /// How many days the dashboard looks back.
    pub const WINDOW_DAYS: i64 = 30;
    /// How many cities it lists.
    pub const TOP_CITIES: i64 = 15;

    /// Emails sent in the window.
    pub fn sent(&self) -> u64 {
        self.deliveries
            .iter()
            .find(|d| d.name == "sent")
            .map_or(0, |d| d.count)
    }

    /// Jobs per sent email that had any.
    pub fn matches_per_email(&self) -> f64 {
        ratio(self.items_sent, self.emails_with_items)
    }

    /// Clicks per emailed job.
    pub fn click_through_rate(&self) -> f64 {
        ratio(self.clicks, self.items_sent)
    }

    /// Share of votes that were thumbs up.
    pub fn thumbs_up_rate(&self) -> f64 {
        ratio(self.votes_up, self.votes_up + self.votes_down)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The window's first instant: `now` less [`OperatorStats::WINDOW_DAYS`], at midnight UTC,
/// so that every day shown is a whole day.
pub(crate) fn window_start(now: OffsetDateTime) -> OffsetDateTime {
    let first = now.date() - time::Duration::days(OperatorStats::WINDOW_DAYS - 1);
    first.midnight().assume_utc()
}

/// Days since the Unix epoch (as both backends compute them) into a full series of
/// [`OperatorStats::WINDOW_DAYS`] days from `since`, with zeros where nothing happened.
pub(crate) fn day_series(since: OffsetDateTime, counts: &[(i64, i64)]) -> Vec<DayCount> {
    let first = since.date();
    (0..OperatorStats::WINDOW_DAYS)
        .map(|offset| {
            let day = first + time::Duration::days(offset);
            let number = (day.midnight().assume_utc().unix_timestamp()).div_euclid(86_400);
            let count = counts
                .iter()
                .find(|(n, _)| *n == number)
                .map_or(0, |(_, c)| u64::try_from(*c).unwrap_or(0));
            DayCount { day, count }
        })
        .collect()
}

/// Named counts as read from the database.
pub(crate) fn named(rows: Vec<(String, i64)>) -> Vec<NamedCount> {
    rows.into_iter()
        .map(|(name, count)| NamedCount {
            name,
            count: u64::try_from(count).unwrap_or(0),
        })
        .collect()
}

/// Score bands from (band, count) rows; bands outside 0..10 are clamped.
pub(crate) fn bands(rows: &[(i64, i64)]) -> [u64; 10] {
    let mut out = [0u64; 10];
    for (band, count) in rows {
        let index = usize::try_from((*band).clamp(0, 9)).unwrap_or(0);
        out[index] += u64::try_from(*count).unwrap_or(0);
    }
    out
}

/// Provider event counts by kind (`email.delivered`, `delivered`, …): delivered, bounced
/// and complained.
pub(crate) fn event_counts(rows: &[(String, i64)]) -> (u64, u64, u64) {
    let sum = |suffix: &str| {
        rows.iter()
            .filter(|(kind, _)| kind.ends_with(suffix))
            .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
            .sum()
    };
    (sum("delivered"), sum("bounced"), sum("complained"))
}

/// Scopes as stored: space-separated.
pub(crate) fn scopes_text(scopes: &[String]) -> String {
    scopes.join(" ")
}

pub(crate) fn scopes_from_text(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn iso_date<S: serde::Serializer>(day: &time::Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    ))
}
