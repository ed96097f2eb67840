//! The way of working a description states: "hybrid, 2 days in the office", "fully
//! remote", "on-site role", "Homeoffice möglich", "télétravail partiel", "100%
//! presencial", "praca zdalna". Many postings say it only there.
//!
//! Only lines that mention a way of working are read, and clauses that mention one
//! without describing this job's (a workation, a home-office allowance, a hybrid
//! cloud) are set aside first. What is left is read strongest statement first.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::words::{lines_mentioning, needles};
use super::work_mode_phrases as phrases;
use crate::WorkEnvironment;

/// What a description says about the way of working, and how plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Said {
    /// Said outright ("fully remote", "2 days in the office", "option to work from
    /// home"): it outweighs a board's blanket remote flag.
    Plainly(WorkEnvironment),
    /// Said in passing ("#LI-Hybrid", "remote/hybrid", a bare "Homeoffice" among the
    /// benefits): it counts only when nothing else says.
    InPassing(WorkEnvironment),
}

impl Said {
    pub(crate) fn plainly(self) -> Option<WorkEnvironment> {
        match self {
            Self::Plainly(mode) => Some(mode),
            Self::InPassing(_) => None,
        }
    }

    pub(crate) fn mode(self) -> WorkEnvironment {
        match self {
            Self::Plainly(mode) | Self::InPassing(mode) => mode,
        }
    }
}

/// A family of phrases, compiled as several regexes of a few patterns each: one regex
/// of a whole family is too large for the regex crate's lazy DFA, which then falls
/// back to an engine a hundred times slower.
struct Phrases(Vec<Regex>);

/// Patterns per regex of a [`Phrases`].
const PER_REGEX: usize = 10;

impl Phrases {
    fn new(patterns: &[&str]) -> Self {
        Self(patterns.chunks(PER_REGEX).map(any_of).collect())
    }

    fn is_match(&self, text: &str) -> bool {
        self.0.iter().any(|regex| regex.is_match(text))
    }

    /// The text with every phrase blanked out.
    fn blank<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for regex in &self.0 {
            if regex.is_match(&text) {
                let blanked = regex.replace_all(&text, " ").into_owned();
                text = Cow::Owned(blanked);
            }
        }
        text
    }
}

/// One regex of a list of alternatives, case-insensitive.
fn any_of(patterns: &[&str]) -> Regex {
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{})", phrases::expand(p)))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!("(?i){joined}")).expect("valid regex")
}

static NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    needles(&[
        "remot",
        "hybri",
        "híbri",
        "hibri",
        "ibrid",
        "hybryd",
        "home",
        "büro",
        "buro",
        "office",
        "mobil",
        "vor ort",
        "vor-ort",
        "on-site",
        "onsite",
        "on site",
        "sur site",
        "anywhere",
        "ortsunabh",
        "präsenz",
        "anwesenheit",
        "télétravail",
        "teletravail",
        "présentiel",
        "presentiel",
        "distance",
        "teletrabajo",
        "presencial",
        "oficina",
        "thuis",
        "afstand",
        "kantoor",
        "smart working",
        "smart-working",
        "ufficio",
        "presenza",
        "in sede",
        "zdaln",
        "stacjonar",
        "biur",
        "wfh",
        "telework",
        "in person",
        "in-person",
        "#li-",
    ])
});

static NOT_ABOUT_THIS_JOB: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(phrases::NOT_ABOUT_THIS_JOB));
static EITHER: LazyLock<Regex> = LazyLock::new(|| any_of(&[phrases::EITHER]));
static LABELLED: LazyLock<Regex> = LazyLock::new(|| any_of(&[phrases::LABELLED]));
static LINKEDIN_TAG: LazyLock<Regex> = LazyLock::new(|| any_of(&[phrases::LINKEDIN_TAG]));
static IN_PASSING: LazyLock<Regex> = LazyLock::new(|| any_of(&[phrases::IN_PASSING]));

/// Statements read before "remote or hybrid" is set aside, strongest first: a denial
/// of full remote work, a refusal of remote work, full remote work.
static BEFORE_EITHER: LazyLock<[(Phrases, WorkEnvironment); 3]> = LazyLock::new(|| {
    [
        (Phrases::new(phrases::NOT_FULLY_REMOTE), WorkEnvironment::Hybrid),
        (Phrases::new(phrases::OFFICE_ONLY), WorkEnvironment::Office),
        (Phrases::new(phrases::FULLY_REMOTE), WorkEnvironment::Remote),
    ]
});

/// Then, strongest first: a mix, remote, the office.
static AFTER_EITHER: LazyLock<[(Phrases, WorkEnvironment); 3]> = LazyLock::new(|| {
    [
        (Phrases::new(phrases::HYBRID_PHRASES), WorkEnvironment::Hybrid),
        (Phrases::new(phrases::REMOTE_PHRASES), WorkEnvironment::Remote),
        (Phrases::new(phrases::OFFICE_PHRASES), WorkEnvironment::Office),
    ]
});

/// The way of working the text states, if it states one.
pub(crate) fn work_mode(text: &str) -> Option<Said> {
    let lines = lines_mentioning(text, &NEEDLES);
    if lines.is_empty() {
        return None;
    }
    let text = NOT_ABOUT_THIS_JOB.blank(&lines);
    for (phrase, mode) in BEFORE_EITHER.iter() {
        if phrase.is_match(&text) {
            return Some(Said::Plainly(*mode));
        }
    }
    // "remote/hybrid" and "#LI-Hybrid" say less than their words alone: set aside, and
    // used only when nothing plainer is said.
    let either = EITHER.is_match(&text);
    let tagged = LINKEDIN_TAG
        .captures(&text)
        .and_then(|c| c.name("value"))
        .map(|value| labelled(value.as_str()));
    let text = if either || tagged.is_some() {
        let text = EITHER.replace_all(&text, " ");
        Cow::Owned(LINKEDIN_TAG.replace_all(&text, " ").into_owned())
    } else {
        text
    };
    if let Some(value) = LABELLED.captures(&text).and_then(|c| c.name("value")) {
        return Some(Said::Plainly(labelled(value.as_str())));
    }
    for (phrase, mode) in AFTER_EITHER.iter() {
        if phrase.is_match(&text) {
            return Some(Said::Plainly(*mode));
        }
    }
    if either {
        return Some(Said::InPassing(WorkEnvironment::Hybrid));
    }
    if let Some(mode) = tagged {
        return Some(Said::InPassing(mode));
    }
    IN_PASSING
        .is_match(&text)
        .then_some(Said::InPassing(WorkEnvironment::Hybrid))
}

/// The way of working a labelled value names ("Remote", "Vor Ort", "híbrido").
fn labelled(value: &str) -> WorkEnvironment {
    let value = value.to_lowercase();
    if ["remot", "distan", "zdal", "télé", "tele"]
        .iter()
        .any(|w| value.contains(w))
    {
        WorkEnvironment::Remote
    } else if ["brid", "bryd"].iter().any(|w| value.contains(w)) {
        WorkEnvironment::Hybrid
    } else {
        WorkEnvironment::Office
    }
}

// TEMP-DEBUG
#[cfg(test)]
pub(crate) fn explain(text: &str) -> String {
    let lines = lines_mentioning(text, &NEEDLES);
    let text = NOT_ABOUT_THIS_JOB.blank(&lines);
    for (i, (phrase, _)) in BEFORE_EITHER.iter().enumerate() {
        if let Some(m) = phrase.0.iter().find_map(|r| r.find(&text)) {
            return format!("before{i}: {}", m.as_str());
        }
    }
    if let Some(m) = EITHER.find(&text) {
        return format!("either: {}", m.as_str());
    }
    if let Some(m) = LABELLED.find(&text) {
        return format!("label: {}", m.as_str());
    }
    for (i, (phrase, _)) in AFTER_EITHER.iter().enumerate() {
        if let Some(m) = phrase.0.iter().find_map(|r| r.find(&text)) {
            return format!("after{i}: {}", m.as_str());
        }
    }
    if let Some(m) = LINKEDIN_TAG.find(&text).or_else(|| IN_PASSING.find(&text)) {
        return format!("passing: {}", m.as_str());
    }
    String::new()
}

// TEMP-DEBUG
#[cfg(test)]
pub(crate) fn profile(texts: &[String]) {
    use std::time::Instant;
    let t = Instant::now();
    let lines: Vec<String> = texts.iter().map(|x| lines_mentioning(x, &NEEDLES)).collect();
    eprintln!("lines {:?}", t.elapsed());
    let mut all: Vec<(String, &Regex)> = Vec::new();
    for (i, r) in NOT_ABOUT_THIS_JOB.0.iter().enumerate() {
        all.push((format!("mask{i}"), r));
    }
    for (k, (p, _)) in BEFORE_EITHER.iter().enumerate() {
        for (i, r) in p.0.iter().enumerate() {
            all.push((format!("before{k}.{i}"), r));
        }
    }
    for (k, (p, _)) in AFTER_EITHER.iter().enumerate() {
        for (i, r) in p.0.iter().enumerate() {
            all.push((format!("after{k}.{i}"), r));
        }
    }
    all.push(("either".into(), &EITHER));
    all.push(("label".into(), &LABELLED));
    all.push(("li".into(), &LINKEDIN_TAG));
    all.push(("passing".into(), &IN_PASSING));
    let singles: Vec<(String, Regex)> = phrases::HYBRID_PHRASES[24..36]
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("hyb{}", i + 24), any_of(&[p])))
        .chain(
            phrases::REMOTE_PHRASES[0..6]
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("rem{i}"), any_of(&[p]))),
        )
        .collect();
    for (name, r) in &singles {
        all.push((name.clone(), r));
    }
    for (name, r) in all {
        for _ in 0..3 {
            let _ = lines.iter().filter(|m| r.is_match(m)).count();
        }
        let t = Instant::now();
        let _ = lines.iter().filter(|m| r.is_match(m)).count();
        eprintln!(
            "{name} {:.2} µs/text",
            t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
        );
    }
}
