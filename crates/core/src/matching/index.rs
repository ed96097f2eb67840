//! The in-memory index of jobs one matching round reads: postings lists by city, by
//! remote country, by career path and by level, and term statistics for BM25. Updated
//! in place; every change bumps the version that keys cached results.

use std::collections::HashMap;

use crate::job::{JobLevel, RemoteScope};
use crate::preferences::Preferences;
use crate::taxonomy::Taxonomy;
use crate::vocab::{CareerPath, WorkEnvironment};

use super::IndexedJob;
use super::filters::{JobFacts, Subscriber, is_internship};
use super::text::{Corpus, Document, Lang, Lexicon};

/// One indexed job with what matching derives from it once.
#[derive(Debug)]
pub(crate) struct Entry {
    pub job: IndexedJob,
    pub facts: JobFacts,
    pub doc: Document,
}

/// The few facts of a job candidate selection checks, packed densely by slot so that
/// rejecting a job never touches its full entry.
#[derive(Debug, Clone, Copy, Default)]
struct Facet {
    live: bool,
    /// Bit per career path; 0 when the posting names none.
    paths: u16,
    /// Bit per work environment (unknown counts as office).
    environment: u8,
    beyond_junior: bool,
    internship: bool,
}

fn path_bits(paths: &[CareerPath]) -> u16 {
    paths.iter().fold(0, |bits, p| bits | 1 << (*p as u16))
}

fn environment_bit(environment: WorkEnvironment) -> u8 {
    1 << (environment as u8)
}

/// Jobs by the facets matching looks them up by.
#[derive(Debug)]
pub struct JobIndex {
    slots: Vec<Option<Entry>>,
    facets: Vec<Facet>,
    free: Vec<u32>,
    slot_by_id: HashMap<i64, u32>,
    by_city: HashMap<String, Vec<u32>>,
    /// Remote jobs open to a country: their listed countries, or for an unknown scope
    /// their own location countries.
    remote_by_country: HashMap<String, Vec<u32>>,
    remote_anywhere: Vec<u32>,
    by_path: HashMap<CareerPath, Vec<u32>>,
    by_level: HashMap<JobLevel, Vec<u32>>,
    lexicon: Lexicon,
    document_frequency: Vec<u32>,
    total_length: u64,
    documents: u32,
    version: u64,
    taxonomy: &'static Taxonomy,
}

impl JobIndex {
    /// An index of these jobs, reading places against the embedded taxonomy.
    pub fn new(jobs: Vec<IndexedJob>) -> Self {
        Self::with_taxonomy(jobs, Taxonomy::embedded())
    }

    /// An index of these jobs, reading places against `taxonomy`.
    pub fn with_taxonomy(jobs: Vec<IndexedJob>, taxonomy: &'static Taxonomy) -> Self {
        let mut index = Self {
            slots: Vec::with_capacity(jobs.len()),
            facets: Vec::with_capacity(jobs.len()),
            free: Vec::new(),
            slot_by_id: HashMap::with_capacity(jobs.len()),
            by_city: HashMap::new(),
            remote_by_country: HashMap::new(),
            remote_anywhere: Vec::new(),
            by_path: HashMap::new(),
            by_level: HashMap::new(),
            lexicon: Lexicon::new(),
            document_frequency: Vec::new(),
            total_length: 0,
            documents: 0,
            version: 0,
            taxonomy,
        };
        for job in jobs {
            index.upsert(job);
        }
        index.version = 1;
        index
    }

    /// Changes whenever a job is added, replaced or removed.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// How many jobs the index holds.
    pub fn len(&self) -> usize {
        self.slot_by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot_by_id.is_empty()
    }

    /// The job with this id.
    pub fn get(&self, id: i64) -> Option<&IndexedJob> {
        self.entry_by_id(id).map(|e| &e.job)
    }

    /// Ids of active jobs on this career path.
    pub fn ids_with_path(&self, path: CareerPath) -> Vec<i64> {
        self.ids(self.by_path.get(&path))
    }

    /// Ids of active jobs at this level.
    pub fn ids_with_level(&self, level: JobLevel) -> Vec<i64> {
        self.ids(self.by_level.get(&level))
    }

    fn ids(&self, slots: Option<&Vec<u32>>) -> Vec<i64> {
        slots
            .into_iter()
            .flatten()
            .filter_map(|&s| self.entry(s))
            .map(|e| e.job.id)
            .collect()
    }

    /// Adds a job, or replaces the one with the same id.
    pub fn upsert(&mut self, job: IndexedJob) {
        self.remove(job.id);
        let lang = Lang::of(job.job.description_language.as_deref());
        let doc = self
            .lexicon
            .document(&job.job.title, &job.job.description_text, lang);
        self.document_frequency.resize(self.lexicon.len(), 0);
        for &(term, _) in &doc.terms {
            self.document_frequency[term as usize] += 1;
        }
        self.total_length += u64::from(doc.length);
        self.documents += 1;
        let facts = JobFacts::of(&job.job, self.taxonomy);
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                self.facets.push(Facet::default());
                (self.slots.len() - 1) as u32
            }
        };
        self.slot_by_id.insert(job.id, slot);
        let entry = Entry { job, facts, doc };
        let j = &entry.job.job;
        self.facets[slot as usize] = Facet {
            live: entry.job.active,
            paths: path_bits(&j.career_paths),
            environment: environment_bit(j.work_environment.unwrap_or(WorkEnvironment::Office)),
            beyond_junior: matches!(
                j.level,
                JobLevel::Mid | JobLevel::Senior | JobLevel::Lead | JobLevel::Manager
            ),
            internship: is_internship(j),
        };
        if entry.job.active {
            self.make_lists(&entry);
            self.file(slot, &entry, true);
        }
        self.slots[slot as usize] = Some(entry);
        self.version += 1;
    }

    /// Removes the job with this id, returning it.
    pub fn remove(&mut self, id: i64) -> Option<IndexedJob> {
        let slot = self.slot_by_id.remove(&id)?;
        let entry = self.slots[slot as usize].take()?;
        for &(term, _) in &entry.doc.terms {
            self.document_frequency[term as usize] -= 1;
        }
        self.total_length -= u64::from(entry.doc.length);
        self.documents -= 1;
        if entry.job.active {
            self.file(slot, &entry, false);
        }
        self.facets[slot as usize] = Facet::default();
        self.free.push(slot);
        self.version += 1;
        Some(entry.job)
    }

    /// Puts a slot on (`add`) or takes it off every postings list its entry belongs on.
    fn file(&mut self, slot: u32, entry: &Entry, add: bool) {
        let keys = Keys::of(entry);
        let mut lists: Vec<&mut Vec<u32>> = Vec::new();
        lists.extend(
            self.by_city
                .iter_mut()
                .filter(|(k, _)| keys.cities.contains(k))
                .map(|(_, l)| l),
        );
        lists.extend(
            self.remote_by_country
                .iter_mut()
                .filter(|(k, _)| keys.remote.contains(k))
                .map(|(_, l)| l),
        );
        lists.extend(
            self.by_path
                .iter_mut()
                .filter(|(k, _)| keys.paths.contains(k))
                .map(|(_, l)| l),
        );
        lists.extend(
            self.by_level
                .iter_mut()
                .filter(|(k, _)| **k == keys.level)
                .map(|(_, l)| l),
        );
        if keys.anywhere {
            lists.push(&mut self.remote_anywhere);
        }
        for list in lists {
            match (list.binary_search(&slot), add) {
                (Err(i), true) => list.insert(i, slot),
                (Ok(i), false) => {
                    list.remove(i);
                }
                _ => {}
            }
        }
    }

    /// Makes sure every list an entry needs exists, so that [`Self::file`] finds it.
    fn make_lists(&mut self, entry: &Entry) {
        let keys = Keys::of(entry);
        for city in keys.cities {
            self.by_city.entry(city).or_default();
        }
        for country in keys.remote {
            self.remote_by_country.entry(country).or_default();
        }
        for path in keys.paths {
            self.by_path.entry(path).or_default();
        }
        self.by_level.entry(keys.level).or_default();
    }

    pub(crate) fn entry(&self, slot: u32) -> Option<&Entry> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    pub(crate) fn entry_by_id(&self, id: i64) -> Option<&Entry> {
        self.slot_by_id.get(&id).and_then(|&s| self.entry(s))
    }

    pub(crate) fn corpus(&self) -> Corpus {
        let average_length = if self.documents == 0 {
            1.0
        } else {
            self.total_length as f32 / self.documents as f32
        };
        Corpus {
            documents: self.documents,
            average_length,
        }
    }

    pub(crate) fn document_frequency(&self, term: u32) -> u32 {
        self.document_frequency.get(term as usize).copied().unwrap_or(0)
    }

    pub(crate) fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Ids of the jobs worth scoring for a subscriber: active jobs in their cities or
    /// remote from a country they may work in, on one of their career paths (or on none
    /// that the posting makes clear), in a way of working and at a level they accept.
    /// Everything else could never be a good match.
    pub fn candidates(&self, prefs: &Preferences, taxonomy: &Taxonomy) -> Vec<i64> {
        let subscriber = Subscriber::new(prefs, taxonomy);
        let mut slots = self.candidate_slots(&subscriber);
        slots.sort_unstable();
        slots
            .into_iter()
            .filter_map(|s| self.entry(s))
            .map(|e| e.job.id)
            .collect()
    }

    /// Candidate slots, each once, in no particular order.
    pub(crate) fn candidate_slots(&self, sub: &Subscriber) -> Vec<u32> {
        let prefs = sub.prefs;
        let paths = if prefs.career_paths().contains(&CareerPath::Unsure) {
            u16::MAX
        } else {
            path_bits(prefs.career_paths())
        };
        let environments = prefs
            .work_environments()
            .iter()
            .fold(0, |bits, e| bits | environment_bit(*e));
        let junior = sub.years < 3;
        let plausible = |f: &Facet| {
            f.live
                && f.environment & environments != 0
                && (f.paths == 0 || f.paths & paths != 0)
                && !(junior && f.beyond_junior)
                && (sub.wants_internship || !f.internship)
        };
        let mut seen = vec![0u64; self.slots.len().div_ceil(64)];
        let mut slots: Vec<u32> = Vec::new();
        let mut take = |list: &[u32]| {
            for &slot in list {
                let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                if seen[word] & bit == 0 {
                    seen[word] |= bit;
                    if plausible(&self.facets[slot as usize]) {
                        slots.push(slot);
                    }
                }
            }
        };
        for city in prefs.cities() {
            take(self.by_city.get(city).map_or(&[], Vec::as_slice));
        }
        if prefs.work_environments().contains(&WorkEnvironment::Remote) {
            take(&self.remote_anywhere);
            for country in sub.allowed_countries.union(&sub.home_countries) {
                take(self.remote_by_country.get(country).map_or(&[], Vec::as_slice));
            }
        }
        slots
    }
}

/// The postings-list keys of one entry.
struct Keys {
    cities: Vec<String>,
    remote: Vec<String>,
    anywhere: bool,
    paths: Vec<CareerPath>,
    level: JobLevel,
}

impl Keys {
    fn of(entry: &Entry) -> Self {
        let job = &entry.job.job;
        let mut cities: Vec<String> = job.locations.iter().filter_map(|l| l.city.clone()).collect();
        let mut remote: Vec<String> = Vec::new();
        let mut anywhere = false;
        if job.work_environment == Some(WorkEnvironment::Remote) {
            match &job.remote_scope {
                RemoteScope::Anywhere => anywhere = true,
                RemoteScope::Countries(list) => remote.extend(list.iter().map(|c| c.to_ascii_uppercase())),
                RemoteScope::Unknown | RemoteScope::NotRemote => {
                    remote.extend(entry.facts.countries.iter().cloned())
                }
            }
        }
        let mut paths = job.career_paths.clone();
        for list in [&mut cities, &mut remote] {
            list.sort();
            list.dedup();
        }
        paths.sort();
        paths.dedup();
        Self {
            cities,
            remote,
            anywhere,
            paths,
            level: job.level,
        }
    }
}
