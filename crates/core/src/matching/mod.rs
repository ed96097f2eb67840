//! Matching: jobs ranked for a subscriber.
//!
//! One round goes: candidates from the [`JobIndex`] (the subscriber's cities and the
//! remote jobs they may take) -> hard filters ([`violations`], never broken) -> score
//! (0-100, weighted parts from [`MatchConfig`]) -> diversity (per company, city and path)
//! -> the top `limit`, each with a label and reasons a person can read.
//!
//! A round builds one [`JobIndex`] (or keeps one and [`JobIndex::upsert`]s and
//! [`JobIndex::remove`]s as jobs change) and calls [`rank`] per subscriber; the index is
//! `Sync`, so threads may share it. [`rank_cached`] with a [`MatchCache`] reuses the
//! preference-only work (candidates, preference filters, score parts) for identical
//! preferences on the same job-set version, and still applies each subscriber's history
//! (already sent, feedback) and clock. The index reads places against the taxonomy it
//! was built with; pass the same one to `rank`.

mod cache;
mod config;
mod filters;
mod index;
mod places;
mod rank;
mod reasons;
mod score;
mod text;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::job::{Job, JobLevel};
use crate::vocab::CareerPath;

pub use cache::{MatchCache, preference_fingerprint};
pub use config::{MatchConfig, Weights};
pub use filters::{Violation, violations};
pub use index::JobIndex;
pub use rank::{rank, rank_cached};

/// A stored job as matching sees it: its store id and when we first saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedJob {
    pub id: i64,
    pub job: Job,
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen_at: OffsetDateTime,
    pub active: bool,
}

/// A thumbs up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Up,
    Down,
}

/// A subscriber's vote on a job, with the facts of that job that similarity uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub vote: Vote,
    pub company: String,
    pub career_paths: Vec<CareerPath>,
    pub level: JobLevel,
    pub title: String,
}

/// What matching needs to know about one subscriber beyond their preferences.
#[derive(Debug, Clone)]
pub struct SubscriberContext {
    /// Ids of jobs already emailed to this subscriber: never sent again.
    pub already_sent: HashSet<i64>,
    pub feedback: Vec<Feedback>,
    pub now: OffsetDateTime,
}

impl SubscriberContext {
    /// A subscriber with no history, at `now`.
    pub fn fresh(now: OffsetDateTime) -> Self {
        Self {
            already_sent: HashSet::new(),
            feedback: Vec::new(),
            now,
        }
    }
}

/// How well a match fits, from its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// 80 and above.
    Excellent,
    /// 60 to 79.
    Good,
    /// Below 60, down to the configured minimum.
    Fair,
}

impl Label {
    /// The label a score earns.
    pub fn for_score(score: u8) -> Self {
        match score {
            80.. => Self::Excellent,
            60..=79 => Self::Good,
            _ => Self::Fair,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Fair => "fair",
        }
    }
}

/// One job chosen for a subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub job_id: i64,
    /// 0-100.
    pub score: u8,
    pub label: Label,
    /// Short, true, human-readable reasons ("Graduate programme in Berlin").
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests;
