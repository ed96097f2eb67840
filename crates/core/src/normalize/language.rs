//! Languages a posting requires ("fluent German required", "Deutschkenntnisse",
//! "C1 French") and the language its description is written in.

use std::sync::LazyLock;

use regex::Regex;

use super::text::Folded;
use super::words::{boundary_after, boundary_before};
use crate::taxonomy::Taxonomy;

/// Words that make a language name a requirement when they are near it.
static PROFICIENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:fluent|fluency|fluently|native|mother tongue|proficien(?:t|cy)|[abc][12](?-u:\b)|bilingual|business[- ]level",
        r"|required|requirement|essential|mandatory|must|speak|speaking|spoken|written|verbal|skills|command of|knowledge of",
        r"|excellent|kenntnisse|sprachkenntnisse|fließend|fliessend|verhandlungssicher|muttersprach\w*|sehr gut\w*|gute?\w*|sicher\w*",
        r"|courant|maîtrise|maitrise|parlé|écrit|bilingue|niveau|level|vloeiend|goede beheersing)",
    ))
    .expect("valid regex")
});

/// Nouns that make a language name an adjective about something else: "the German
/// market", "a French company".
const NOT_A_REQUIREMENT: &[&str] = &[
    "market",
    "markets",
    "company",
    "companies",
    "customers",
    "clients",
    "office",
    "offices",
    "law",
    "startup",
    "startups",
    "team",
    "teams",
    "speaking market",
    "speaking countries",
    "speaking region",
    "business",
    "businesses",
    "government",
    "citizens",
    "citizenship",
    "passport",
    "headquarters",
    "subsidiary",
    "unternehmen",
    "markt",
    "kunden",
    "marché",
    "entreprise",
    "speaking jobs",
    "speaking job",
    "speaking roles",
    "speaking positions",
    "speaking country",
    "speaking world",
];

/// How far (in bytes) a proficiency word may be from the language name.
const WINDOW: usize = 48;

/// ISO 639-1 codes of the languages the texts require (a title and a description, say),
/// in the order first named. The texts are searched one after the other, as if one text
/// with a line break between them.
pub(crate) fn languages_required(texts: &[&Folded<'_>], taxonomy: &Taxonomy) -> Vec<String> {
    let names = taxonomy.language_names();
    let mut codes: Vec<String> = Vec::new();
    for text in texts {
        let lower = text.lower.as_str();
        // One pass finds every name; a name counts as a whole word, or before
        // "kenntniss" in a German compound ("Deutschkenntnisse", "Englischkenntnissen"),
        // which is a requirement by itself.
        for hit in names.find_overlapping_iter(lower) {
            let (at, end) = (hit.start(), hit.end());
            if !boundary_before(lower, at) {
                continue;
            }
            let rest = &lower[end..];
            let compound = rest.starts_with(KENNTNIS);
            if !compound && !boundary_after(rest) {
                continue;
            }
            let language = taxonomy.language_named(hit.pattern());
            let code = language.code.as_str();
            if codes.iter().any(|c| c == code) {
                continue;
            }
            if wished_for(lower, at, end) {
                continue;
            }
            if compound || is_requirement(lower, text.original, at, &lower[at..end]) {
                codes.push(code.to_owned());
            }
        }
    }
    codes
}

/// Words that make a language a wish, not a requirement, when they stand in its own
/// clause: "Englisch von Vorteil", "French is a plus", "l'anglais serait un plus".
static WISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?:a plus|is a bonus|a bonus|nice to have|nice-to-have|an advantage|advantageous|desirable|preferred|beneficial|helpful|would be great",
        r"|von vorteil|wünschenswert|gewünscht|idealerweise|ein plus|wäre schön",
        r"|un plus|un atout|souhaitée?|appréciée?|serait apprécié|idéalement",
        r"|se valorar[áa]|valorable|deseable|gradit[oa]|costituisce un plus|preferibilmente",
        r"|is een pré|pluspunt|mile widzian[ay]|dodatkowym atutem|atutem)",
    ))
    .expect("valid regex")
});

/// Whether the language named at `at..end` is only wished for: a wish word in its own
/// clause ("Deutsch fließend, Englisch von Vorteil": English is a wish, German is not).
fn wished_for(lower: &str, at: usize, end: usize) -> bool {
    static CLAUSE_END: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[.,;:!?\n•]|\s[-–]\s|\s(?:and|und|et|y|oraz)\s").expect("valid regex"));
    let start = CLAUSE_END.find_iter(&lower[..at]).last().map_or(0, |m| m.end());
    let stop = CLAUSE_END
        .find(&lower[end..])
        .map_or(lower.len(), |m| end + m.start());
    WISH.is_match(&lower[start..stop])
}

/// The stem of German "-kenntnisse" compounds: a language name before it is required.
const KENNTNIS: &str = "kenntniss";

/// Whether the language name at `at` is named as a requirement: a proficiency word
/// near it in the same sentence, and no noun after it that makes it an adjective.
fn is_requirement(lower: &str, original: &str, at: usize, name: &str) -> bool {
    let end = at + name.len();
    // "polish your skills": the verb, not the language, which is written capitalised.
    if name == "polish" && original.get(at..at + 1).is_none_or(|c| c != "P") {
        return false;
    }
    let next_words = lower[end..].trim_start_matches([' ', '-']);
    if NOT_A_REQUIREMENT
        .iter()
        .any(|noun| next_words.starts_with(noun) && boundary_after(&next_words[noun.len()..]))
    {
        return false;
    }
    let sentence_start = lower[..at]
        .rfind(['.', '\n', ';', '•', '!', '?'])
        .map_or(0, |i| i + 1);
    let sentence_end = lower[end..]
        .find(['.', '\n', ';', '•', '!', '?'])
        .map_or(lower.len(), |i| end + i);
    let from = floor_char(lower, at.saturating_sub(WINDOW).max(sentence_start));
    let to = floor_char(lower, (end + WINDOW).min(sentence_end));
    PROFICIENCY.is_match(&lower[from..at]) || PROFICIENCY.is_match(&lower[end..to.max(end)])
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The description's language (ISO 639-1) when the detector is confident and the text
/// is long enough for it to be; short texts fool trigram detectors.
pub(crate) fn description_language(text: &str) -> Option<String> {
    const MIN_CHARS: usize = 120;
    text.chars().filter(|c| c.is_alphabetic()).nth(MIN_CHARS - 1)?;
    // The first 600 bytes (a paragraph) say as much as the whole and bound the cost:
    // detection is the dearest step of normalization, linear in the sample. On the
    // recorded real postings 600 bytes agreed with 1,000 wherever 1,000 was sure, and
    // was sure of four more; 500 and fewer took lorem ipsum for French.
    const SAMPLE_BYTES: usize = 600;
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    // Detection is the dearest step of normalization; most postings settle by their
    // function words alone, at a fraction of the cost, and always as detection would.
    function_word_vote(sample)
        .map(str::to_owned)
        .or_else(|| detected_language(sample))
}

/// The trigram detector's verdict on a sample, when it is sure.
fn detected_language(sample: &str) -> Option<String> {
    // Only the languages JobPing can name are candidates: a profile it could never
    // report costs as much to score as one it can, and scoring is most of detection.
    static DETECTOR: LazyLock<whatlang::Detector> = LazyLock::new(|| {
        let known = whatlang::Lang::all()
            .iter()
            .copied()
            .filter(|lang| iso_639_1(lang.code()).is_some())
            .collect();
        whatlang::Detector::with_allowlist(known)
    });
    let info = DETECTOR.detect(sample)?;
    if !info.is_reliable() || info.confidence() < 0.5 {
        return None;
    }
    iso_639_1(info.lang().code()).map(str::to_owned)
}

/// Frequent short words of the languages most postings here are written in, each
/// word common in one of these languages only ("die" is Dutch as well as German, "con"
/// Spanish as well as Italian, so neither is here), and none of them Latin, which
/// placeholder text is written in ("et", "est"). Danish is left to the detector: its
/// common words are Norwegian too.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "you", "your", "with", "our", "are", "this", "that", "have", "who", "from", "what",
            "they", "their", "which", "about", "be", "would",
        ],
    ),
    (
        "de",
        &[
            "und", "das", "mit", "für", "wir", "ist", "ein", "eine", "einen", "sie", "auf", "bei", "dem",
            "nicht", "oder", "auch", "sind", "wird", "uns", "unser", "unsere", "unseren", "von", "zu",
            "dich", "dein", "deine", "ihre", "zur", "zum",
        ],
    ),
    (
        "fr",
        &[
            "les", "des", "vous", "nous", "pour", "une", "dans", "avec", "sur", "aux", "votre", "notre",
            "nos", "vos", "au", "ce", "cette", "être", "sont", "chez", "leurs", "ainsi",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "más", "sus", "nuestro", "nuestra", "nuestros", "nuestras", "también",
            "muy", "usted", "tus", "está",
        ],
    ),
    (
        "it",
        &[
            "di", "che", "della", "delle", "dei", "degli", "nel", "nella", "sono", "gli", "nostro", "nostra",
            "anche", "siamo", "essere",
        ],
    ),
    (
        "nl",
        &[
            "het", "een", "van", "wij", "ons", "onze", "voor", "zijn", "bij", "naar", "niet", "ook", "jouw",
            "jij", "wordt", "heb", "hebt",
        ],
    ),
    (
        "pt",
        &[
            "os", "dos", "não", "você", "nossa", "nosso", "nossos", "são", "também", "uma", "ao", "às",
            "seu", "sua",
        ],
    ),
    (
        "pl",
        &["się", "jest", "oraz", "dla", "nie", "że", "lub", "przez", "pracy"],
    ),
    (
        "sv",
        &["och", "att", "är", "till", "våra", "för", "ett", "vara", "inom"],
    ),
];

/// The language whose function words dominate the sample so plainly that a trigram
/// detector could only agree, or `None` when it is less clear: text in the common
/// languages is settled for a fraction of detection's cost, the rest goes to it.
fn function_word_vote(sample: &str) -> Option<&'static str> {
    /// Hits the leading language needs, out of a sample's hundred or so words.
    const MIN_HITS: usize = 10;
    /// How many times the runner-up's hits (plus one) the leader needs.
    const MARGIN: usize = 4;
    static WORDS: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
        FUNCTION_WORDS
            .iter()
            .enumerate()
            .flat_map(|(lang, (_, words))| words.iter().map(move |word| (*word, lang)))
            .collect()
    });
    let lower = sample.to_lowercase();
    let mut hits = [0usize; FUNCTION_WORDS.len()];
    // Empty pieces (between a comma and a space, say) are no word and not worth a hash.
    for word in lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        if let Some(&lang) = WORDS.get(word) {
            hits[lang] += 1;
        }
    }
    let (leader, &most) = hits.iter().enumerate().max_by_key(|(_, n)| **n)?;
    let runner_up = hits
        .iter()
        .enumerate()
        .filter(|(lang, _)| *lang != leader)
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0);
    (most >= MIN_HITS && most >= MARGIN * (runner_up + 1)).then_some(FUNCTION_WORDS[leader].0)
}

/// A board's own language note ("en", "de", "German"), through the taxonomy.
pub(crate) fn stated_language(text: &str, taxonomy: &Taxonomy) -> Option<String> {
    let text = text.trim().to_lowercase();
    let code = text.split(['-', '_']).next().unwrap_or_default();
    if taxonomy.language(code).is_some() {
        return Some(code.to_owned());
    }
    taxonomy
        .languages
        .iter()
        .find(|l| l.name.to_lowercase() == text || l.names.contains(&text))
        .map(|l| l.code.clone())
}

fn iso_639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "nld" => "nl",
        "por" => "pt",
        "pol" => "pl",
        "swe" => "sv",
        "dan" => "da",
        "ces" => "cs",
        "ara" => "ar",
        "nob" => "no",
        "fin" => "fi",
        "ell" => "el",
        "hun" => "hu",
        "ron" => "ro",
        "tur" => "tr",
        "ukr" => "uk",
        "rus" => "ru",
        "cmn" => "zh",
        "jpn" => "ja",
        "hin" => "hi",
        "heb" => "he",
        "bul" => "bg",
        "hrv" => "hr",
        "slk" => "sk",
        "slv" => "sl",
        "est" => "et",
        "lav" => "lv",
        "lit" => "lt",
        "kor" => "ko",
        "tha" => "th",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "language_tests.rs"]
mod tests;
