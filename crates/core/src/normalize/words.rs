//! Word-aware matching shared by the normalizers. Boards write in many languages, so a
//! "word" is a run of alphanumeric characters in any script; callers lowercase first.

use aho_corasick::AhoCorasick;

/// Whether `needle` occurs in `haystack` as a whole word or phrase: the characters
/// either side are not alphanumeric. "intern" is not found in "internal".
pub(crate) fn has_word(haystack: &str, needle: &str) -> bool {
    word_positions(haystack, needle).next().is_some()
}

/// Byte offsets where `needle` occurs in `haystack` as a whole word or phrase.
///
/// Callers try dozens of words against each title or field, so each search starts
/// from the needle's first byte with no set-up, rather than building a substring
/// searcher per word. A match starts on the needle's first byte, which is never inside
/// a character, so every offset is a character boundary.
pub(crate) fn word_positions<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let needle = needle.trim().as_bytes();
    // An empty needle is found nowhere: it searches an empty haystack.
    let (first, searched) = match needle.first() {
        Some(&first) => (first, haystack.as_bytes()),
        None => (0, &[][..]),
    };
    let bytes = haystack.as_bytes();
    memchr::memchr_iter(first, searched).filter(move |&i| {
        bytes[i..].starts_with(needle)
            && boundary_before(haystack, i)
            && boundary_after(&haystack[i + needle.len()..])
    })
}

/// Whether a taxonomy keyword occurs in lowercased text. Long keywords (8+ characters)
/// match inside words, because German builds compounds ("Software|entwickler",
/// "Finanz|buchhalter") where the keyword never stands alone; short ones need a word
/// start, so "tax" does not fire on "taxi". Either may carry the German feminine endings
/// "-in"/"-innen" ("Analystin"), since titles address both forms.
#[cfg(test)]
pub(crate) fn has_keyword(haystack: &str, keyword: &str) -> bool {
    let keyword = keyword.trim();
    !keyword.is_empty()
        && haystack
            .match_indices(keyword)
            .any(|(i, _)| keyword_at(haystack, i, i + keyword.len(), is_long_keyword(keyword)))
}

/// Whether a keyword counts as long for [`keyword_at`]: long ones match inside words.
pub(crate) fn is_long_keyword(keyword: &str) -> bool {
    keyword.chars().count() >= 8
}

/// Whether the keyword found at `start..end` of lowercased text counts by
/// [`has_keyword`]'s rule.
pub(crate) fn keyword_at(haystack: &str, start: usize, end: usize, long: bool) -> bool {
    if long {
        return true;
    }
    let rest = &haystack[end..];
    boundary_before(haystack, start)
        && (boundary_after(rest)
            || rest.strip_prefix("innen").is_some_and(boundary_after)
            || rest.strip_prefix("in").is_some_and(boundary_after))
}

/// Whether a character belongs to a token: alphanumeric, or "+" and "#" ("c++", "c#").
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || c == '+' || c == '#'
}

/// Whether `start..end` of the text is a whole token (see [`is_token_char`]).
pub(crate) fn token_at(haystack: &str, start: usize, end: usize) -> bool {
    !haystack[..start].chars().next_back().is_some_and(is_token_char)
        && !haystack[end..].chars().next().is_some_and(is_token_char)
}

/// Lowercase needles for [`lines_mentioning`], compiled once by each caller. They
/// match in any case: ASCII letters through the automaton's ASCII case folding, and
/// each other letter (the "é" of "années") by a second spelling with it in capitals,
/// so that descriptions need not be lowercased to be searched.
pub(crate) fn needles(words: &[&str]) -> AhoCorasick {
    let mut spellings: Vec<String> = Vec::new();
    for word in words {
        let mut variants = vec![String::new()];
        for c in word.chars() {
            let upper: String = c.to_uppercase().collect();
            let both = !c.is_ascii() && upper != c.to_string();
            variants = variants
                .into_iter()
                .flat_map(|v| {
                    let lower = format!("{v}{c}");
                    if both {
                        vec![lower, format!("{v}{upper}")]
                    } else {
                        vec![lower]
                    }
                })
                .collect();
        }
        spellings.extend(variants);
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(spellings)
        .expect("plain words always compile")
}

/// The lines of `text` that mention any of `needles`, joined by line breaks. A cheap
/// filter before the costlier phrase patterns: most of a description is about the
/// company and never mentions visas or years, and patterns never span lines.
///
/// One search over the whole text, resumed after each line it finds: a search per line
/// cost more in starting than in reading, descriptions having dozens of short lines.
pub(crate) fn lines_mentioning(text: &str, needles: &AhoCorasick) -> String {
    let mut out = String::new();
    let mut from = 0;
    while from < text.len()
        && let Some(found) = needles.find(aho_corasick::Input::new(text).range(from..))
    {
        let start = text[..found.start()].rfind('\n').map_or(0, |newline| newline + 1);
        let end = text[found.end()..]
            .find('\n')
            .map_or(text.len(), |newline| found.end() + newline);
        // As `str::lines` reads them: a line ends at "\n" or "\r\n".
        let line = &text[start..end];
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        from = end + 1;
    }
    out
}

pub(crate) fn boundary_before(haystack: &str, i: usize) -> bool {
    haystack[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

pub(crate) fn boundary_after(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_found_only_between_word_boundaries() {
        assert!(has_word("software engineer, intern", "intern"));
        assert!(!has_word("internal tools engineer", "intern"));
        assert!(has_word("c++ developer", "c++"));
        assert!(!has_word("anything", ""));
        assert!(has_word("praktikum", "praktikum"));
        assert!(!has_word("praktikant", "praktikum"));
        assert!(has_word("stage: développeur·se junior", "junior"));
        assert!(!has_word("großhändler", "händler"));
        assert!(has_word("großer händler", "händler"));
        assert!(has_word("  intern ", " intern "));
        assert_eq!(
            word_positions("intern, internal, intern", "intern").collect::<Vec<_>>(),
            [0, 18]
        );
    }

    #[test]
    fn lines_mentioning_keeps_the_original_lines_even_when_lowercasing_changes_lengths() {
        let text = "İSTANBUL ÖFİS\nVisa sponsorship offered\r\nnothing here\nWe SPONSOR visas";
        assert_eq!(
            lines_mentioning(text, &needles(&["visa", "sponsor"])),
            "Visa sponsorship offered\nWe SPONSOR visas"
        );
        assert_eq!(lines_mentioning(text, &needles(&["zzz"])), "");
        // Several mentions on one line give the line once; the first and last lines,
        // with or without a line break after them, are found too.
        let visas = needles(&["visa", "sponsor"]);
        assert_eq!(
            lines_mentioning("visa first\nno\r\nsponsor a visa, sponsor\r\n\nlast visa", &visas),
            "visa first\nsponsor a visa, sponsor\nlast visa"
        );
        assert_eq!(lines_mentioning("\nvisa\n", &visas), "visa");
        assert_eq!(lines_mentioning("", &visas), "");
        let years = needles(&["anné", "año"]);
        assert_eq!(
            lines_mentioning("DEUX ANNÉES\nune Année\nAÑOS\nannee\nano", &years),
            "DEUX ANNÉES\nune Année\nAÑOS"
        );
    }

    #[test]
    fn long_keywords_match_inside_german_compounds_and_short_ones_do_not() {
        assert!(has_keyword("softwareentwickler (m/w/d)", "entwickler"));
        assert!(has_keyword("datenanalystin", "analystin"));
        assert!(has_keyword("business analystin", "analyst"));
        assert!(!has_keyword("taxi driver", "tax"));
        assert!(!has_keyword("non contentious solicitor", "content"));
    }
}
