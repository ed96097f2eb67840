//! Backend-neutral parts of job upserts: the rows a job becomes, and the plan that
//! sorts a batch into new jobs, changed jobs, merges and re-sightings.
//!
//! Identity comes first (source, board and the source's id); failing that, an active job
//! with the same fingerprint (normalized company, title and place) is the same job seen
//! on another source, and gains this source as a second link. Anything else is new.

use std::collections::HashMap;
use std::ops::AddAssign;

use jobping_core::Job;
use jobping_core::normalize::content_hash;
use serde::Serialize;
use time::OffsetDateTime;

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertSummary {
    /// Jobs seen for the first time.
    pub inserted: u64,
    /// Known jobs whose content changed (or that came back after going inactive).
    pub updated: u64,
    /// Known jobs seen again, unchanged.
    pub unchanged: u64,
    /// Postings that are a job already known from another source: linked, not added.
    pub merged: u64,
}

impl AddAssign for UpsertSummary {
    fn add_assign(&mut self, other: Self) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.merged += other.merged;
    }
}

/// A stored job with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredJob {
    pub id: i64,
    pub job: Job,
    pub first_seen_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub active: bool,
    /// Every source page listing this job, first seen first.
    pub urls: Vec<String>,
}

/// The columns of a job row, derived from the normalized job.
pub(crate) struct JobRow<'a> {
    pub job: &'a Job,
    pub data: String,
    pub data_hash: String,
    pub early_career: bool,
    /// Past its valid-through date: stored and linked, but never (re)activated, or a
    /// board that keeps listing a closed posting would revive it on every scrape.
    pub expired: bool,
}

impl<'a> JobRow<'a> {
    pub fn new(job: &'a Job, now: OffsetDateTime) -> Self {
        let data = serde_json::to_string(job).expect("a Job always serializes");
        let data_hash = content_hash(data.as_bytes());
        Self {
            job,
            data,
            data_hash,
            early_career: job.level.is_early_career(),
            expired: job.valid_through.is_some_and(|until| until < now),
        }
    }
}

/// Refuses posting hashes that do not pair one to one with the jobs.
pub(crate) fn check_hashes(jobs: &[Job], posting_hashes: Option<&[String]>) -> crate::Result<()> {
    match posting_hashes {
        Some(hashes) if hashes.len() != jobs.len() => Err(crate::StoreError::Unexpected(anyhow::anyhow!(
            "{} posting hashes for {} jobs: there must be one per job",
            hashes.len(),
            jobs.len()
        ))),
        _ => Ok(()),
    }
}

/// A known source link and the job it points to.
#[derive(Debug, Clone)]
pub(crate) struct KnownLink {
    pub job_id: i64,
    pub fingerprint: String,
    pub data_hash: String,
    pub active: bool,
    /// Whether the job's stored content came from this posting. A job found on two
    /// sources keeps one source's content; the other only marks it seen, or every
    /// scrape would overwrite it with whichever came last.
    pub primary: bool,
}

pub(crate) type LinkKey = (String, String, String);

pub(crate) fn link_key(job: &Job) -> LinkKey {
    (job.source.clone(), job.board.clone(), job.external_id.clone())
}

/// Where a posting's source link should point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Existing(i64),
    /// The job this batch inserts for a fingerprint.
    Inserted(String),
}

/// What to write for one batch.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Indexes of jobs to insert (one per fingerprint).
    pub inserts: Vec<usize>,
    /// Existing job ids to overwrite with the job at the index.
    pub updates: Vec<(i64, usize)>,
    /// Existing job ids seen again unchanged (only `last_seen_at` moves).
    pub touches: Vec<i64>,
    /// Every posting's link: index and target.
    pub links: Vec<(usize, Target)>,
    pub summary: UpsertSummary,
}

/// Sorts a batch. `known` holds the links already stored for the batch's identities;
/// `active` maps fingerprints (the batch's) to active job ids.
pub(crate) fn plan(
    rows: &[JobRow<'_>],
    known: &HashMap<LinkKey, KnownLink>,
    active: &HashMap<String, i64>,
) -> Plan {
    let mut plan = Plan::default();
    let mut inserted: HashMap<&str, ()> = HashMap::new();
    let mut written: HashMap<i64, ()> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let job = row.job;
        let fingerprint = job.fingerprint.as_str();
        let other_active = active.get(fingerprint).copied();
        match known.get(&link_key(job)) {
            Some(link) => {
                // The same posting again. If it now reads as a different job that is
                // already active elsewhere, it joins that one instead of clashing.
                match other_active {
                    Some(other) if other != link.job_id => {
                        plan.links.push((i, Target::Existing(other)));
                        if written.insert(other, ()).is_none() {
                            plan.touches.push(other);
                        }
                        plan.summary.merged += 1;
                    }
                    _ => {
                        plan.links.push((i, Target::Existing(link.job_id)));
                        let changed = (!link.active && !row.expired)
                            || (link.primary
                                && (link.data_hash != row.data_hash || link.fingerprint != fingerprint));
                        if written.insert(link.job_id, ()).is_some() {
                            plan.summary.unchanged += 1;
                        } else if changed {
                            plan.updates.push((link.job_id, i));
                            plan.summary.updated += 1;
                        } else {
                            plan.touches.push(link.job_id);
                            plan.summary.unchanged += 1;
                        }
                    }
                }
            }
            None => match other_active {
                Some(other) => {
                    plan.links.push((i, Target::Existing(other)));
                    if written.insert(other, ()).is_none() {
                        plan.touches.push(other);
                    }
                    plan.summary.merged += 1;
                }
                None if inserted.contains_key(fingerprint) => {
                    plan.links.push((i, Target::Inserted(fingerprint.to_owned())));
                    plan.summary.merged += 1;
                }
                None => {
                    inserted.insert(fingerprint, ());
                    plan.inserts.push(i);
                    plan.links.push((i, Target::Inserted(fingerprint.to_owned())));
                    plan.summary.inserted += 1;
                }
            },
        }
    }
    plan
}
