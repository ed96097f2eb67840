//! Matching settings: plain data the app loads from its settings file.

use serde::{Deserialize, Serialize};

/// How much each part of the score counts. The first seven are relative weights of a
/// weighted mean (0-100); `feedback` is the most points the subscriber's votes can add
/// or take away.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub career_path: f32,
    pub relevance: f32,
    pub level: f32,
    pub freshness: f32,
    pub location: f32,
    /// Counts only for subscribers who need sponsorship or hold a student visa.
    pub sponsorship: f32,
    pub salary: f32,
    pub feedback: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            career_path: 25.0,
            relevance: 25.0,
            level: 15.0,
            freshness: 10.0,
            location: 10.0,
            sponsorship: 10.0,
            salary: 5.0,
            feedback: 10.0,
        }
    }
}

/// Settings of one matching round.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchConfig {
    pub weights: Weights,
    /// At most this many jobs from one company in one email.
    pub max_per_company: usize,
    /// Jobs posted (or first seen) longer ago than this are never sent.
    pub max_job_age_days: u32,
    /// Jobs scoring below this are never sent.
    pub min_score: u8,
    /// How many jobs one email holds.
    pub limit: usize,
    /// Points taken from a job for each already chosen job in the same city, and again
    /// for the same career path, while picking (spreads an email across both).
    pub diversity_penalty: f32,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            max_per_company: 2,
            max_job_age_days: 30,
            min_score: 40,
            limit: 5,
            diversity_penalty: 4.0,
        }
    }
}
