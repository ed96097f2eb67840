//! Word-aware matching shared by the normalizers. Boards write in many languages, so a
//! "word" is a run of alphanumeric characters in any script; callers lowercase first.

/// Whether `needle` occurs in `haystack` as a whole word or phrase: the characters
/// either side are not alphanumeric. "intern" is not found in "internal".
pub(crate) fn has_word(haystack: &str, needle: &str) -> bool {
    word_positions(haystack, needle).next().is_some()
}

/// Byte offsets where `needle` occurs in `haystack` as a whole word or phrase.
pub(crate) fn word_positions<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let needle = needle.trim();
    haystack.match_indices(needle).filter_map(move |(i, _)| {
        let ok = !needle.is_empty()
            && boundary_before(haystack, i)
            && boundary_after(&haystack[i + needle.len()..]);
        ok.then_some(i)
    })
}

/// Whether a taxonomy keyword occurs in lowercased text. Long keywords (8+ characters)
/// match inside words, because German builds compounds ("Software|entwickler",
/// "Finanz|buchhalter") where the keyword never stands alone; short ones need a word
/// start, so "tax" does not fire on "taxi". Either may carry the German feminine endings
/// "-in"/"-innen" ("Analystin"), since titles address both forms.
pub(crate) fn has_keyword(haystack: &str, keyword: &str) -> bool {
    let keyword = keyword.trim();
    if keyword.is_empty() {
        return false;
    }
    if keyword.chars().count() >= 8 {
        return haystack.contains(keyword);
    }
    haystack.match_indices(keyword).any(|(i, _)| {
        let rest = &haystack[i + keyword.len()..];
        boundary_before(haystack, i)
            && (boundary_after(rest)
                || rest.strip_prefix("innen").is_some_and(boundary_after)
                || rest.strip_prefix("in").is_some_and(boundary_after))
    })
}

/// The lines of `text` that mention any of `needles` (lowercase), joined by line breaks.
/// A cheap filter before the costlier phrase patterns: most of a description is about
/// the company and never mentions visas or years, and patterns never span lines.
pub(crate) fn lines_mentioning(text: &str, needles: &[&str]) -> String {
    text.lines()
        .filter(|line| {
            let lower = line.to_lowercase();
            needles.iter().any(|n| lower.contains(n))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn boundary_before(haystack: &str, i: usize) -> bool {
    haystack[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

fn boundary_after(rest: &str) -> bool {
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
