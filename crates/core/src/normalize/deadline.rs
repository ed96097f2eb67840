//! An application deadline stated in a description ("Apply by 15 January 2026",
//! "Bewerbungsschluss: 31.01.2026", "date limite de candidature : 15/01/2026"), for
//! postings whose board sends no `validThrough`. Only a deadline phrase followed closely
//! by a date counts: a start date or an event date is not a deadline.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use time::{Date, Month, OffsetDateTime, Time};

use super::words::{lines_mentioning, needles};

/// Phrases that announce the last day to apply, in the languages we read.
static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:",
        r"apply (?:by|before|until|no later than)|applications? (?:deadline|close[sd]?|closing date|must be (?:received|submitted) by|(?:are )?(?:open |accepted )?until)",
        r"|closing date(?: for applications)?|deadline(?: for applications| to apply)?",
        r"|(?:position|role|vacancy|job|posting|advert) (?:will )?(?:remain |be |is )?open until|application window[^.\n]{0,30}close[sd]? on|applications? will close on",
        r"|bewerbungsschluss|bewerbungsfrist|bewirb dich bis|bewerben sie sich bis|bewerbungen bis",
        r"|date limite(?: de (?:candidature|dépôt(?: des candidatures)?))?|candidatures? (?:jusqu'au|avant le|ouvertes jusqu'au)|postulez avant le",
        r"|fecha límite(?: de (?:inscripción|solicitud|postulación))?|plazo de (?:inscripción|solicitud|presentación)(?: hasta)?",
        r"|scadenza(?: (?:candidature|delle candidature|per candidarsi))?|candidature entro",
        r"|sluitingsdatum|solliciteren kan tot|reageer vóór|reageren (?:kan )?tot",
        r"|termin (?:składania|nadsyłania) (?:aplikacji|zgłoszeń|cv)",
        r")",
    ))
    .expect("valid regex")
});

/// A date: 2026-01-15, 15/01/2026, 15.01.26, 15 January 2026, January 15, 2026, 15. Januar.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().flat_map(|m| m.iter().copied()).collect();
    // Longest first, so that "january" is not read as "jan".
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let month = names.join("|");
    Regex::new(&format!(
        r"\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?:{month})\.?(?:\s+(?:de\s+)?\d{{4}})?\b|\b(?:{month})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    ))
    .expect("valid regex")
});

/// Month names and common abbreviations in English, German, French, Spanish, Italian,
/// Dutch and Polish (Polish in the genitive, as dates write it).
const MONTHS: [&[&str]; 12] = [
    &[
        "january", "jan", "januar", "jänner", "janvier", "janv", "enero", "gennaio", "januari", "stycznia",
    ],
    &[
        "february", "feb", "februar", "février", "fevrier", "févr", "febrero", "febbraio", "februari",
        "lutego",
    ],
    &["march", "mar", "märz", "maerz", "mars", "marzo", "maart", "marca"],
    &["april", "apr", "avril", "abril", "aprile", "kwietnia"],
    &["may", "mai", "mayo", "maggio", "mei", "maja"],
    &["june", "jun", "juni", "juin", "junio", "giugno", "czerwca"],
    &["july", "jul", "juli", "juillet", "julio", "luglio", "lipca"],
    &["august", "aug", "août", "aout", "agosto", "augustus", "sierpnia"],
    &[
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "settembre",
        "września",
    ],
    &[
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "października",
    ],
    &["november", "nov", "novembre", "noviembre", "listopada"],
    &[
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "grudnia",
    ],
];

static NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    needles(&[
        "apply",
        "application",
        "closing",
        "deadline",
        "bewerb",
        "date limite",
        "candidature",
        "postulez",
        "fecha",
        "plazo",
        "scadenza",
        "sluitingsdatum",
        "solliciteren",
        "reageer",
        "reageren",
        "termin",
        "open until",
        "close on",
        "closes on",
    ])
});

/// The deadline as the end of that day (UTC), when the description states one. A date
/// without a year is the next such day on or after `posted` (the posting date, or now).
pub(crate) fn stated_deadline(description: &str, posted: OffsetDateTime) -> Option<OffsetDateTime> {
    let text = lines_mentioning(description, &NEEDLES).to_lowercase();
    // The first date within a few words after a deadline phrase ("bis zum 15. Februar").
    let date = DEADLINE.find_iter(&text).find_map(|phrase| {
        let after = &text[phrase.end()..];
        let window = &after[..floor(after, after.len().min(40))];
        DATE.find_iter(window)
            .take_while(|d| !window[..d.start()].chars().any(|c| c.is_ascii_digit()))
            .find_map(|d| parse_date(d.as_str(), posted.date()))
    })?;
    // A deadline more than a year and a half away, or long before the posting, is a
    // misreading rather than a deadline.
    let days = (date - posted.date()).whole_days();
    if !(-31..=550).contains(&days) {
        return None;
    }
    Some(
        date.with_time(Time::from_hms(23, 59, 59).expect("a valid time"))
            .assume_utc(),
    )
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn parse_date(text: &str, posted: Date) -> Option<Date> {
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})|(?P<d2>\d{1,2})[./-](?P<m2>\d{1,2})[./-](?P<y2>\d{2,4}))$")
            .expect("valid regex")
    });
    static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<m>\p{L}+)\.?(?:\s+(?:de\s+)?(?P<y>\d{4}))?$")
            .expect("valid regex")
    });
    static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?P<m>\p{L}+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?$")
            .expect("valid regex")
    });
    let text = text.trim();
    if let Some(c) = NUMERIC.captures(text) {
        let (y, m, d) = match c.name("y") {
            Some(y) => (y.as_str(), &c["m"], &c["d"]),
            None => (&c["y2"], &c["m2"], &c["d2"]),
        };
        let mut year: i32 = y.parse().ok()?;
        if year < 100 {
            year += 2000;
        }
        let (mut m, mut d): (u8, u8) = (m.parse().ok()?, d.parse().ok()?);
        // Day first, as Europe writes it; "04/30/2024" can only be month first.
        if m > 12 && d <= 12 {
            std::mem::swap(&mut m, &mut d);
        }
        return Date::from_calendar_date(year, Month::try_from(m).ok()?, d).ok();
    }
    let c = DAY_MONTH.captures(text).or_else(|| MONTH_DAY.captures(text))?;
    let month = month_named(&c["m"])?;
    let day: u8 = c["d"].parse().ok()?;
    match c.name("y") {
        Some(y) => Date::from_calendar_date(y.as_str().parse().ok()?, month, day).ok(),
        None => {
            let this_year = Date::from_calendar_date(posted.year(), month, day).ok()?;
            if this_year >= posted {
                Some(this_year)
            } else {
                Date::from_calendar_date(posted.year() + 1, month, day).ok()
            }
        }
    }
}

/// The month a name stands for.
fn month_named(name: &str) -> Option<Month> {
    let name = name.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|names| names.contains(&name))
        .and_then(|i| Month::try_from(i as u8 + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn deadline(text: &str) -> Option<String> {
        stated_deadline(text, datetime!(2026-01-05 09:00 UTC)).map(|d| d.date().to_string())
    }

    #[test]
    fn deadlines_are_read_in_several_languages_and_date_forms() {
        for (text, expected) in [
            ("Please apply by 15 January 2026.", "2026-01-15"),
            ("Closing date: 31/01/2026", "2026-01-31"),
            ("Application deadline is February 2nd, 2026", "2026-02-02"),
            ("Bewerbungsschluss: 31.01.2026", "2026-01-31"),
            ("Bewerbungsfrist bis zum 15. Februar 2026", "2026-02-15"),
            ("Date limite de candidature : 20 janvier 2026", "2026-01-20"),
            ("Candidatures jusqu'au 1er mars", "2026-03-01"),
            ("Fecha límite de inscripción: 10 de febrero de 2026", "2026-02-10"),
            ("Scadenza candidature: 2026-02-28", "2026-02-28"),
            ("Sluitingsdatum: 12 maart 2026", "2026-03-12"),
            ("Termin składania aplikacji: 20 stycznia 2026", "2026-01-20"),
            ("Apply by 10 January", "2026-01-10"),
            ("The position will remain open until February 23.", "2026-02-23"),
            (
                "The application window for this opening will close on: 04/30/2026",
                "2026-04-30",
            ),
        ] {
            assert_eq!(deadline(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn other_dates_and_odd_readings_are_not_deadlines() {
        for text in [
            "Start date: 1 March 2026",
            "Join our open day on 12 February 2026.",
            "Apply now! We reply within 2 weeks.",
            "Deadline-driven environment since 2012.",
            "Apply by 31/02/2026",
            "Closing date: 15 January 2031",
        ] {
            assert_eq!(deadline(text), None, "{text}");
        }
    }
}
