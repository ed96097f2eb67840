//! One subscriber's ranking: candidates -> hard filters -> score -> diversity -> top K.

use std::collections::HashMap;
use std::sync::Arc;

use crate::preferences::Preferences;
use crate::taxonomy::Taxonomy;

use super::cache::{MatchCache, preference_fingerprint};
use super::filters::{Subscriber, age_days, profile_eligible};
use super::index::{Entry, JobIndex};
use super::reasons::reasons;
use super::score::{Parts, Query, feedback, freshness, parts, prepare_feedback, total};
use super::{Label, Match, MatchConfig, SubscriberContext};

/// A job that passed the preference filters, with its preference-only score parts.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub slot: u32,
    pub parts: Parts,
}

/// The best jobs for a subscriber, at most `config.limit`, best first. Every one passes
/// every hard filter of [`super::violations`].
pub fn rank(
    prefs: &Preferences,
    index: &JobIndex,
    ctx: &SubscriberContext,
    config: &MatchConfig,
    taxonomy: &Taxonomy,
) -> Vec<Match> {
    let sub = Subscriber::new(prefs, taxonomy);
    let query = Query::new(&sub, index);
    let scored = score_profile(&sub, &query, index);
    finish(&sub, &query, index, &scored, ctx, config, taxonomy)
}

/// [`rank`], reusing the preference-only work of an earlier call with the same
/// preferences and job-set version; history and time are applied afresh each call.
pub fn rank_cached(
    prefs: &Preferences,
    index: &JobIndex,
    ctx: &SubscriberContext,
    config: &MatchConfig,
    taxonomy: &Taxonomy,
    cache: &MatchCache,
) -> Vec<Match> {
    let sub = Subscriber::new(prefs, taxonomy);
    let query = Query::new(&sub, index);
    let key = (preference_fingerprint(prefs), index.version());
    let scored = cache.get_or_insert_with(key, || Arc::new(score_profile(&sub, &query, index)));
    finish(&sub, &query, index, &scored, ctx, config, taxonomy)
}

/// The candidates that pass the preference filters, with their score parts.
pub(crate) fn score_profile(sub: &Subscriber, query: &Query, index: &JobIndex) -> Vec<Scored> {
    index
        .candidate_slots(sub)
        .into_iter()
        .filter_map(|slot| {
            let entry = index.entry(slot)?;
            profile_eligible(sub, &entry.job, &entry.facts).then(|| Scored {
                slot,
                parts: parts(sub, query, entry, index),
            })
        })
        .collect()
}

/// A job still in the running after the history and time filters.
struct Ranked<'a> {
    entry: &'a Entry,
    score: u8,
    age: f64,
    liked: bool,
    city: Option<&'a str>,
    path: Option<crate::vocab::CareerPath>,
}

fn finish(
    sub: &Subscriber,
    query: &Query,
    index: &JobIndex,
    scored: &[Scored],
    ctx: &SubscriberContext,
    config: &MatchConfig,
    taxonomy: &Taxonomy,
) -> Vec<Match> {
    let votes = prepare_feedback(&ctx.feedback, index);
    let max_age = f64::from(config.max_job_age_days);
    let mut ranked: Vec<Ranked> = scored
        .iter()
        .filter_map(|s| {
            let entry = index.entry(s.slot)?;
            let job = &entry.job;
            let age = age_days(job, ctx.now);
            if age > max_age
                || ctx.already_sent.contains(&job.id)
                || job.job.valid_through.is_some_and(|t| t < ctx.now)
            {
                return None;
            }
            let fb = feedback(&votes, entry);
            let score = total(&s.parts, freshness(age), fb, config);
            (score >= config.min_score).then(|| Ranked {
                entry,
                score,
                age,
                liked: fb > 0.1,
                city: job
                    .job
                    .locations
                    .iter()
                    .filter_map(|l| l.city.as_deref())
                    .find(|c| sub.prefs.cities().iter().any(|s| s == c)),
                path: job
                    .job
                    .career_paths
                    .iter()
                    .copied()
                    .find(|p| sub.prefs.career_paths().contains(p)),
            })
        })
        .collect();
    // Only the best few can be picked; a total order keeps the result deterministic.
    let order = |a: &Ranked, b: &Ranked| b.score.cmp(&a.score).then(a.entry.job.id.cmp(&b.entry.job.id));
    let pool = config.limit.saturating_mul(10).max(50);
    if ranked.len() > pool {
        ranked.select_nth_unstable_by(pool - 1, order);
        ranked.truncate(pool);
    }
    ranked.sort_by(order);
    diversify(ranked, sub, config)
        .into_iter()
        .map(|r| Match {
            job_id: r.entry.job.id,
            score: r.score,
            label: Label::for_score(r.score),
            reasons: reasons(sub, query, r.entry, r.age, r.liked, taxonomy),
        })
        .collect()
}

/// Greedy pick: each step takes the best score after a penalty for every job already
/// taken in the same city (when the subscriber chose several cities) and on the same
/// path (when they chose several paths), skipping companies at their cap. The result is
/// in pick order, which is by adjusted score.
fn diversify<'a>(mut pool: Vec<Ranked<'a>>, sub: &Subscriber, config: &MatchConfig) -> Vec<Ranked<'a>> {
    let spread_cities = sub.prefs.cities().len() > 1;
    let spread_paths = sub.prefs.career_paths().len() > 1;
    let mut chosen: Vec<Ranked> = Vec::new();
    let mut per_company: HashMap<&str, usize> = HashMap::new();
    while chosen.len() < config.limit {
        let adjusted = |r: &Ranked| {
            let same_city = chosen
                .iter()
                .filter(|c| spread_cities && c.city == r.city)
                .count() as f32;
            let same_path = chosen
                .iter()
                .filter(|c| spread_paths && c.path.is_some() && c.path == r.path)
                .count() as f32;
            f32::from(r.score) - config.diversity_penalty * (same_city + same_path)
        };
        let best = pool
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                per_company
                    .get(r.entry.facts.company.as_str())
                    .copied()
                    .unwrap_or(0)
                    < config.max_per_company
            })
            .map(|(i, r)| (i, adjusted(r)))
            .fold(None, |best: Option<(usize, f32)>, (i, a)| match best {
                Some((_, b)) if b >= a => best,
                _ => Some((i, a)),
            });
        let Some((i, _)) = best else { break };
        let pick = pool.remove(i);
        *per_company.entry(pick.entry.facts.company.as_str()).or_default() += 1;
        chosen.push(pick);
    }
    chosen
}
