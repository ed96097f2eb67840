//! Languages a posting requires ("fluent German required", "Deutschkenntnisse",
//! "C1 French") and the language its description is written in.

use std::sync::LazyLock;

use regex::Regex;

use crate::taxonomy::Taxonomy;

/// Words that make a language name a requirement when they are near it.
static PROFICIENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:fluent|fluency|fluently|native|mother tongue|proficien(?:t|cy)|[abc][12](?-u:\b)|bilingual|business[- ]level",
        r"|required|requirement|essential|mandatory|must|speak|speaking|spoken|written|verbal|skills|command of|knowledge of",
        r"|excellent|kenntnisse|sprachkenntnisse|fließend|fliessend|verhandlungssicher|muttersprach\w*|sehr gut\w*|gute?\w*",
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

/// ISO 639-1 codes of the languages the text requires, in the order first named.
pub(crate) fn languages_required(text: &str, taxonomy: &Taxonomy) -> Vec<String> {
    let lower = text.to_lowercase();
    // One pass over the words with a name look-up, rather than one search per name:
    // descriptions are long and the taxonomy names well over a hundred.
    let mut codes: Vec<String> = Vec::new();
    for (at, word) in words(&lower) {
        // "Deutschkenntnisse", "Englischkenntnissen": the German compound is a requirement.
        let (name, compound) = match word.find("kenntniss") {
            Some(at) if at > 0 => (&word[..at], true),
            _ => (word, false),
        };
        let Some(code) = taxonomy.language_by_name(name).map(|l| l.code.as_str()) else {
            continue;
        };
        if codes.iter().any(|c| c == code) {
            continue;
        }
        if compound || is_requirement(&lower, text, at, name) {
            codes.push(code.to_owned());
        }
    }
    codes
}

/// The words of lowercased text with their byte offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                words.push((from, &text[from..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push((from, &text[from..]));
    }
    words
}

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
        .any(|noun| next_words.starts_with(noun) && boundary(&next_words[noun.len()..]))
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

fn boundary(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
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
    let info = DETECTOR.detect(&text[..end])?;
    if !info.is_reliable() || info.confidence() < 0.5 {
        return None;
    }
    iso_639_1(info.lang().code()).map(str::to_owned)
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
mod tests {
    use super::*;

    fn required(text: &str) -> Vec<String> {
        languages_required(text, Taxonomy::embedded())
    }

    #[test]
    fn required_languages_need_a_proficiency_word_nearby() {
        for (text, expected) in [
            ("Fluent German required.", vec!["de"]),
            (
                "Sehr gute Deutschkenntnisse und gute Englischkenntnisse",
                vec!["de", "en"],
            ),
            (
                "Mit verhandlungssicheren Deutschkenntnissen sowie Englischkenntnissen",
                vec!["de", "en"],
            ),
            ("You speak C1 German.", vec!["de"]),
            ("Native French speaker.", vec!["fr"]),
            ("You are business fluent in Dutch.", vec!["nl"]),
            ("English and German at C1 level.", vec!["en", "de"]),
            ("Experience selling into the German market is required.", vec![]),
            ("We are a German company with offices in Berlin.", vec![]),
            ("Help us polish your skills in design.", vec![]),
            ("Polish language skills are a plus.", vec!["pl"]),
            ("Find more English Speaking Jobs in Germany on our board", vec![]),
            (
                "Hotel Operations Coordinator (German & English Speaking)",
                vec!["de", "en"],
            ),
        ] {
            assert_eq!(required(text), expected, "{text}");
        }
    }

    #[test]
    fn the_description_language_is_detected_only_on_long_enough_text() {
        let german = "Wir suchen eine engagierte Persönlichkeit, die unser Team im Bereich Vertrieb unterstützt. \
            Du arbeitest eng mit unseren Kunden zusammen und entwickelst neue Ideen für unser Wachstum in ganz Deutschland.";
        assert_eq!(description_language(german).as_deref(), Some("de"));
        assert_eq!(description_language("Berlin office"), None);
        assert_eq!(
            stated_language("de-DE", Taxonomy::embedded()).as_deref(),
            Some("de")
        );
        assert_eq!(
            stated_language("French", Taxonomy::embedded()).as_deref(),
            Some("fr")
        );
    }
}
