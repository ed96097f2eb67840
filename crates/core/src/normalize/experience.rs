//! Years of experience a posting asks for: "5+ years", "at least 3 years", "3-5 years",
//! "mindestens 2 Jahre Berufserfahrung", "2+ ans d'expérience".

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

const UNIT: &str = r"(?:years?|yrs?|jahre?n?|ans|années|annees|años|anni)";
const NUMBER: &str = r"(?-u:\b)(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|ein|zwei|drei|vier|fünf|un|deux|trois|quatre|cinq)";

/// A stated number of years, with the words around it that make it a requirement.
static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?P<min>(?:at least|minimum(?: of)?|min\.?|mindestens|more than|over|plus de|au moins|al menos)\s+)?{NUMBER}\s*(?P<plus>\+|plus)?\s*(?P<range>(?:-|–|to|bis|à|a)\s*\d{{1,2}}\s*\+?\s*)?{UNIT}(?-u:\b)"
    ))
    .expect("valid regex")
});

/// Experience named before its length: "un minimum d'expérience de 4 ans", "experience of
/// at least 3 years", "Berufserfahrung von mindestens 2 Jahren": always a requirement.
static EXPERIENCE_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:exp[eé]rience|erfahrung|experiencia|esperienza|ervaring)(?:\s+(?:professionnelle|professional|relevante?|similaire))?\s+(?:de|d['’]au moins|of|von|de al menos|di almeno|van)\s+(?:minimum\s+|mindestens\s+|at least\s+|au moins\s+|min\.?\s+)?{NUMBER}\s*\+?\s*{UNIT}(?-u:\b)"
    ))
    .expect("valid regex")
});

/// What must follow a number of years for it to be about experience, not a company's
/// age ("for 10+ years we have…") or a contract's length.
static ABOUT_EXPERIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^.;\n]{0,60}?(?:exp[eé]rien|erfahrung|track record|background|working (?:as|in|with)|in (?:a|an|the|similar|software|data|sales|marketing|finance|consulting)(?-u:\b)|berufserfahrung|professional)")
        .expect("valid regex")
});

/// A number of years that is an age ("at least 16 years of age", "18 Jahre alt").
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:old|of age|or older|and older|alt|d['’]âge|ou plus)(?-u:\b)")
        .expect("valid regex")
});

/// Words before a number of years that make it the company's history ("Acme Ltd has
/// over 15 years of experience", "built on 11 years of experience", "ein Systemhaus mit
/// 20 Jahren Erfahrung").
static COMPANY_HISTORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:we have|we've|we are|built on|founded|since|seit|ltd|gmbh|inc|plc|company|firm|systemhaus|unternehmen|history|legacy)(?-u:\b)[^.;\n]*$")
        .expect("valid regex")
});

/// The fewest years the posting asks for. When it asks for several things ("3+ years of
/// Python and 5+ years in fintech") a candidate needs all of them, so the largest stated
/// minimum is the posting's minimum. Over 30 years is taken for noise.
pub(crate) fn min_years_experience(texts: &[&str]) -> Option<u8> {
    // Statements shaped as requirements ("5+", "at least", "3-5") outrank bare ones: in
    // "3+ years, or alternatively 6 years in the field" the requirement is 3.
    let mut shaped_best: Option<u8> = None;
    let mut bare_best: Option<u8> = None;
    for text in texts {
        static NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
            super::words::needles(&["year", "yr", "jahr", "ans", "anné", "annee", "año", "anni"])
        });
        let text = &super::words::lines_mentioning(text, &NEEDLES);
        for caps in EXPERIENCE_OF.captures_iter(text) {
            if let Some(years) = number(&caps["n"]).filter(|&y| y <= 30) {
                shaped_best = Some(shaped_best.map_or(years, |b| b.max(years)));
            }
        }
        for caps in YEARS.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            let after = &text[whole.end()..];
            let before = &text[floor_char(text, whole.start().saturating_sub(60))..whole.start()];
            if AGE.is_match(after) || COMPANY_HISTORY.is_match(before) {
                continue;
            }
            let shaped = ["min", "plus", "range"]
                .iter()
                .any(|group| caps.name(group).is_some());
            if !shaped && !ABOUT_EXPERIENCE.is_match(after) {
                continue;
            }
            let Some(years) = number(&caps["n"]).filter(|&y| y <= 30) else {
                continue;
            };
            let best = if shaped { &mut shaped_best } else { &mut bare_best };
            *best = Some(best.map_or(years, |b| b.max(years)));
        }
    }
    shaped_best.or(bare_best)
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The years a board's structured experience field stands for ("2-5", "lt-1", "5+").
pub(crate) fn years_from_field(field: &str) -> Option<u8> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:(lt|less than|<)\s*-?\s*1|(\d{1,2})\s*(?:\+|-\s*\d{1,2})?)\s*(?:years?)?\s*$")
            .expect("valid regex")
    });
    let field = field.to_lowercase();
    let caps = FIELD.captures(&field)?;
    if caps.get(1).is_some() {
        return Some(0);
    }
    caps.get(2)?.as_str().parse().ok().filter(|&y: &u8| y <= 30)
}

fn number(text: &str) -> Option<u8> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let n = match text.to_lowercase().as_str() {
        "one" | "ein" | "un" => 1,
        "two" | "zwei" | "deux" => 2,
        "three" | "drei" | "trois" => 3,
        "four" | "vier" | "quatre" => 4,
        "five" | "fünf" | "cinq" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        _ => return None,
    };
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stated_years_of_experience_are_parsed_in_several_languages() {
        for (text, expected) in [
            ("You have 5+ years of experience in backend development.", Some(5)),
            ("At least 3 years of professional experience", Some(3)),
            ("3-5 years experience in a similar role", Some(3)),
            ("3–5 years’ experience in B2B sales", Some(3)),
            ("mindestens 2 Jahre Berufserfahrung im Controlling", Some(2)),
            ("Vous avez 2+ ans d'expérience en marketing digital", Some(2)),
            ("Two years of experience working with SQL", Some(2)),
            ("1+ year of experience in a customer-facing role", Some(1)),
            ("No prior experience needed.", None),
            ("For 25 years we have been building software.", None),
            ("A 2 year fixed-term contract.", None),
            ("3+ years of Python experience and 5+ years in fintech", Some(5)),
            (
                "Mindestens 3 Jahre Berufserfahrung, alternativ 6 Jahre Berufserfahrung im IT-Umfeld",
                Some(3),
            ),
            ("Must be at least 16 years of age", None),
            ("Un Data Engineer avec un minimum d'expérience de 4 ans.", Some(4)),
            ("Professional experience of at least 3 years in sales.", Some(3)),
            ("Berufserfahrung von mindestens 2 Jahren im Einkauf.", Some(2)),
            (
                "Northwind Ltd has over 15 years of experience in digital health.",
                None,
            ),
            (
                "Built on 11 years of experience in open banking, we are hiring.",
                None,
            ),
        ] {
            assert_eq!(min_years_experience(&[text]), expected, "{text}");
        }
    }

    #[test]
    fn structured_experience_fields_give_their_lower_bound() {
        assert_eq!(years_from_field("2-5"), Some(2));
        assert_eq!(years_from_field("lt-1"), Some(0));
        assert_eq!(years_from_field("5+"), Some(5));
        assert_eq!(years_from_field("experienced"), None);
    }
}
