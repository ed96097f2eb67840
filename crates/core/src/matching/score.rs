//! The score's parts, each 0 to 1, and how the weights combine them into 0-100.

use crate::job::{JobLevel, RemoteScope, VisaSignal};
use crate::vocab::{CareerPath, EntryLevel, Visa, WorkEnvironment};

use super::filters::{Subscriber, is_internship, normalize_company};
use super::index::{Entry, JobIndex};
use super::text::{Document, Lang, QueryTerm};
use super::{Feedback, MatchConfig, Vote};

/// The parts that depend only on the preferences and the job (cacheable).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parts {
    pub career_path: f32,
    pub relevance: f32,
    pub level: f32,
    pub location: f32,
    /// `None` for subscribers who need no sponsorship: the part does not count.
    pub sponsorship: Option<f32>,
    pub salary: f32,
}

/// The subscriber's roles, skills and keywords as terms, with their weights.
#[derive(Debug)]
pub(crate) struct Query {
    roles: Vec<Vec<QueryTerm>>,
    /// Every distinct term with its English and German IDF.
    terms: Vec<(QueryTerm, f32, f32)>,
    pub skills: Vec<(String, Vec<QueryTerm>)>,
}

impl Query {
    pub(crate) fn new(sub: &Subscriber, index: &JobIndex) -> Self {
        let lexicon = index.lexicon();
        let prefs = sub.prefs;
        let roles: Vec<Vec<QueryTerm>> = prefs
            .roles()
            .iter()
            .map(|r| lexicon.phrase(r))
            .filter(|p| !p.is_empty())
            .collect();
        let skills: Vec<(String, Vec<QueryTerm>)> = prefs
            .skills()
            .iter()
            .map(|s| (s.clone(), lexicon.phrase(s)))
            .filter(|(_, p)| !p.is_empty())
            .collect();
        let mut all: Vec<QueryTerm> = roles.iter().flatten().copied().collect();
        all.extend(skills.iter().flat_map(|(_, p)| p.iter().copied()));
        all.extend(prefs.keywords().iter().flat_map(|k| lexicon.phrase(k)));
        all.dedup();
        let corpus = index.corpus();
        let idf = |id: Option<u32>| id.map_or(0.0, |t| corpus.idf(index.document_frequency(t)));
        let mut terms: Vec<(QueryTerm, f32, f32)> = Vec::new();
        for term in all {
            if !terms.iter().any(|(t, ..)| *t == term) {
                terms.push((term, idf(term.english), idf(term.german.or(term.english))));
            }
        }
        Self { roles, terms, skills }
    }

    /// 0-1: how well the title matches a wanted role and the text the wanted words.
    fn relevance(&self, doc: &Document, index: &JobIndex) -> f32 {
        if self.terms.is_empty() {
            return 0.5;
        }
        let corpus = index.corpus();
        let (mut score, mut ideal) = (0.0, 0.0);
        for &(term, idf_en, idf_de) in &self.terms {
            let idf = if doc.lang == Lang::German { idf_de } else { idf_en };
            ideal += idf;
            if let Some(id) = term.for_lang(doc.lang) {
                score += corpus.term_score(idf, doc.frequency(id), doc.length);
            }
        }
        let text = if ideal > 0.0 {
            score / (score + 0.5 * ideal)
        } else {
            0.0
        };
        let title = self
            .roles
            .iter()
            .map(|role| role.iter().filter(|t| t.found_in_title(doc)).count() as f32 / role.len() as f32)
            .fold(0.0, f32::max);
        if self.roles.is_empty() {
            text
        } else {
            0.55 * title + 0.45 * text
        }
    }

    /// The subscriber's skills the job mentions, as they wrote them.
    pub(crate) fn matched_skills(&self, doc: &Document) -> Vec<String> {
        self.skills
            .iter()
            .filter(|(_, terms)| terms.iter().all(|t| t.found_in(doc)))
            .map(|(s, _)| s.clone())
            .collect()
    }
}

pub(crate) fn parts(sub: &Subscriber, query: &Query, entry: &Entry, index: &JobIndex) -> Parts {
    let job = &entry.job.job;
    let prefs = sub.prefs;
    let career_path = if prefs.career_paths().contains(&CareerPath::Unsure) {
        0.6
    } else if job.career_paths.is_empty() {
        0.4
    } else if prefs.career_paths().contains(&job.career_paths[0]) {
        1.0
    } else if job.career_paths.iter().any(|p| prefs.career_paths().contains(p)) {
        0.8
    } else {
        0.0
    };
    let sponsorship = matches!(prefs.visa(), Visa::Sponsorship | Visa::Student).then(|| match job.visa {
        VisaSignal::Sponsors => 1.0,
        VisaSignal::Unknown => 0.4,
        VisaSignal::NoSponsorship | VisaSignal::RightToWorkRequired => 0.0,
    });
    Parts {
        career_path,
        relevance: query.relevance(&entry.doc, index),
        level: level_fit(sub, entry),
        location: location_precision(sub, entry),
        sponsorship,
        salary: if job.salary.is_some() { 1.0 } else { 0.0 },
    }
}

fn level_fit(sub: &Subscriber, entry: &Entry) -> f32 {
    let job = &entry.job.job;
    let wants = |level: EntryLevel| sub.prefs.entry_levels().contains(&level);
    let level = if is_internship(job) {
        JobLevel::Internship
    } else {
        job.level
    };
    let exact = match level {
        JobLevel::Internship => wants(EntryLevel::Internship),
        JobLevel::Graduate => wants(EntryLevel::Graduate),
        JobLevel::Entry | JobLevel::Junior => wants(EntryLevel::Entry),
        _ => false,
    };
    match level {
        _ if exact => 1.0,
        level if level.is_early_career() && wants(EntryLevel::Unsure) => 0.85,
        level if level.is_early_career() => 0.6,
        JobLevel::Unknown => 0.4,
        JobLevel::Mid => 0.5,
        _ => 0.3,
    }
}

fn location_precision(sub: &Subscriber, entry: &Entry) -> f32 {
    let job = &entry.job.job;
    let facts = &entry.facts;
    if facts.city_bits & sub.city_bits != 0 {
        return 1.0;
    }
    if job.work_environment != Some(WorkEnvironment::Remote) {
        return 0.0;
    }
    match &job.remote_scope {
        RemoteScope::Anywhere => 0.4,
        RemoteScope::Countries(_) if facts.scope_bits & sub.home_bits != 0 => 0.7,
        RemoteScope::Unknown | RemoteScope::NotRemote if facts.country_bits & sub.home_bits != 0 => 0.7,
        _ => 0.5,
    }
}

/// 1 for a job posted now, halving every ten days.
pub(crate) fn freshness(age_days: f64) -> f32 {
    0.5f64.powf(age_days / 10.0) as f32
}

/// A vote with its job's facts prepared for comparison.
#[derive(Debug)]
pub(crate) struct PreparedVote {
    sign: f32,
    company: String,
    paths: Vec<CareerPath>,
    level: JobLevel,
    title: Vec<QueryTerm>,
}

pub(crate) fn prepare_feedback(feedback: &[Feedback], index: &JobIndex) -> Vec<PreparedVote> {
    feedback
        .iter()
        .map(|f| PreparedVote {
            sign: if f.vote == Vote::Up { 1.0 } else { -1.0 },
            company: normalize_company(&f.company),
            paths: f.career_paths.clone(),
            level: f.level,
            title: index.lexicon().phrase(&f.title),
        })
        .collect()
}

/// -1 to 1: how much the subscriber's votes on similar jobs were up rather than down.
pub(crate) fn feedback(votes: &[PreparedVote], entry: &Entry) -> f32 {
    if votes.is_empty() {
        return 0.0;
    }
    let job = &entry.job.job;
    let mut sum = 0.0;
    for vote in votes {
        let mut similarity = 0.0;
        if vote.company == entry.facts.company {
            similarity += 1.0;
        }
        let same_path = job.career_paths.iter().any(|p| vote.paths.contains(p));
        if same_path {
            similarity += 0.5;
            // Most of the voted job's title words in this title: the same kind of role.
            let shared = vote.title.iter().filter(|t| t.found_in_title(&entry.doc)).count();
            if !vote.title.is_empty() && 3 * shared >= 2 * vote.title.len() {
                similarity += 0.5;
            }
        }
        if vote.level == job.level {
            similarity += 0.25;
        }
        sum += vote.sign * similarity;
    }
    sum.tanh()
}

/// The 0-100 score: the weighted mean of the parts, plus or minus the feedback points.
pub(crate) fn total(parts: &Parts, freshness: f32, feedback: f32, config: &MatchConfig) -> u8 {
    let w = &config.weights;
    let mut pairs = vec![
        (w.career_path, parts.career_path),
        (w.relevance, parts.relevance),
        (w.level, parts.level),
        (w.freshness, freshness),
        (w.location, parts.location),
        (w.salary, parts.salary),
    ];
    if let Some(sponsorship) = parts.sponsorship {
        pairs.push((w.sponsorship, sponsorship));
    }
    let weight: f32 = pairs.iter().map(|(w, _)| w.max(0.0)).sum();
    let mean = if weight > 0.0 {
        pairs.iter().map(|(w, v)| w.max(0.0) * v).sum::<f32>() / weight
    } else {
        0.0
    };
    (100.0 * mean + w.feedback * feedback).clamp(0.0, 100.0).round() as u8
}
