//! Text for relevance: words split by Unicode rules, lower-cased, stop words dropped,
//! stemmed (English, or German for German text), interned as term ids; and BM25.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalization.
const B: f32 = 0.75;
/// A title word counts as this many description words.
const TITLE_BOOST: u16 = 3;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or",
    "our", "the", "to", "we", "with", "you", "your", "will", "this", "that", "der", "die", "das", "und",
    "mit", "für", "ein", "eine", "wir", "sie", "du", "den", "dem", "des", "zu", "im", "auf", "le", "la",
    "les", "et", "de", "des", "un", "une", "el", "los", "las", "y", "en", "il", "di", "che", "het", "een",
    "van",
];

/// Which stemmer a text needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    English,
    German,
}

impl Lang {
    /// German for German text, English (the common case, and harmless) otherwise.
    pub(crate) fn of(code: Option<&str>) -> Self {
        match code {
            Some("de") => Self::German,
            _ => Self::English,
        }
    }
}

/// Stemmers and the term dictionary shared by every document and query.
pub(crate) struct Lexicon {
    english: Stemmer,
    german: Stemmer,
    ids: HashMap<String, u32>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("terms", &self.ids.len()).finish()
    }
}

/// Lower-cased words of a text, without stop words.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words()
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

impl Lexicon {
    pub(crate) fn new() -> Self {
        Self {
            english: Stemmer::create(Algorithm::English),
            german: Stemmer::create(Algorithm::German),
            ids: HashMap::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    fn stem(&self, word: &str, lang: Lang) -> String {
        match lang {
            Lang::English => self.english.stem(word).into_owned(),
            Lang::German => self.german.stem(word).into_owned(),
        }
    }

    fn intern(&mut self, term: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(term).or_insert(next)
    }

    /// The id of an already known term.
    fn id(&self, word: &str, lang: Lang) -> Option<u32> {
        self.ids.get(&self.stem(word, lang)).copied()
    }

    /// A document's terms, interning new ones.
    pub(crate) fn document(&mut self, title: &str, body: &str, lang: Lang) -> Document {
        let mut counts: HashMap<u32, u16> = HashMap::new();
        let mut title_terms = Vec::new();
        for word in words(title) {
            let id = self.intern(self.stem(&word, lang));
            *counts.entry(id).or_default() += TITLE_BOOST;
            title_terms.push(id);
        }
        for word in words(body) {
            let id = self.intern(self.stem(&word, lang));
            *counts.entry(id).or_default() += 1;
        }
        let mut terms: Vec<(u32, u16)> = counts.into_iter().collect();
        terms.sort_unstable();
        title_terms.sort_unstable();
        title_terms.dedup();
        let length = terms.iter().map(|&(_, tf)| u32::from(tf)).sum();
        Document {
            terms,
            title_terms,
            length,
            lang,
        }
    }

    /// A query phrase as terms, each with its English and German id when known.
    pub(crate) fn phrase(&self, text: &str) -> Vec<QueryTerm> {
        words(text)
            .map(|word| QueryTerm {
                english: self.id(&word, Lang::English),
                german: self.id(&word, Lang::German),
            })
            .collect()
    }
}

/// One indexed text: sorted (term, frequency) pairs and the title's terms.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub terms: Vec<(u32, u16)>,
    pub title_terms: Vec<u32>,
    pub length: u32,
    pub lang: Lang,
}

impl Document {
    pub(crate) fn frequency(&self, term: u32) -> u16 {
        match self.terms.binary_search_by_key(&term, |&(t, _)| t) {
            Ok(i) => self.terms[i].1,
            Err(_) => 0,
        }
    }

    pub(crate) fn in_title(&self, term: u32) -> bool {
        self.title_terms.binary_search(&term).is_ok()
    }
}

/// A query word, stemmed both ways: a German posting is searched with the German stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueryTerm {
    pub english: Option<u32>,
    pub german: Option<u32>,
}

impl QueryTerm {
    pub(crate) fn for_lang(self, lang: Lang) -> Option<u32> {
        match lang {
            Lang::English => self.english,
            Lang::German => self.german.or(self.english),
        }
    }

    /// Whether the document holds this word.
    pub(crate) fn found_in(self, doc: &Document) -> bool {
        self.for_lang(doc.lang).is_some_and(|t| doc.frequency(t) > 0)
    }

    pub(crate) fn found_in_title(self, doc: &Document) -> bool {
        self.for_lang(doc.lang).is_some_and(|t| doc.in_title(t))
    }
}

/// Corpus statistics BM25 needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corpus {
    pub documents: u32,
    pub average_length: f32,
}

impl Corpus {
    pub(crate) fn idf(self, document_frequency: u32) -> f32 {
        let n = self.documents as f32;
        let df = document_frequency as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// One term's BM25 contribution to a document.
    pub(crate) fn term_score(self, idf: f32, tf: u16, length: u32) -> f32 {
        if tf == 0 {
            return 0.0;
        }
        let tf = f32::from(tf);
        let norm = 1.0 - B + B * length as f32 / self.average_length.max(1.0);
        idf * tf * (K1 + 1.0) / (tf + K1 * norm)
    }
}
