//! Pay: min, max, currency, period and the yearly equivalent, from the board's salary
//! fields first, then its salary text, then an explicit "Salary: …" line. Unknown
//! when unknown: no figure, no currency or no period means no salary.

use std::sync::LazyLock;

use regex::Regex;

use crate::posting::RawSalary;
use crate::{Salary, SalaryPeriod};

/// Working time behind the yearly equivalents: 40 hours a week, 52 weeks, 5 days a
/// week (260 days), 12 months. Holidays are not subtracted, as boards that quote a
/// yearly figure for an hourly job do the same.
const HOURS_PER_YEAR: f64 = 2080.0;
const DAYS_PER_YEAR: f64 = 260.0;
const WEEKS_PER_YEAR: f64 = 52.0;
const MONTHS_PER_YEAR: f64 = 12.0;

/// The posting's salary. `country` is the job's first country (ISO 3166-1), used to
/// read "kr" and "$" and to name the currency of boards that never state one (Reed's
/// and Adzuna's British figures are pounds).
pub(crate) fn salary(raw: Option<&RawSalary>, description: &str, country: Option<&str>) -> Option<Salary> {
    let from_fields = raw.and_then(|r| {
        let (min, max) = (positive(r.min), positive(r.max));
        if min.is_none() && max.is_none() {
            return None;
        }
        let text = r.text.as_deref().unwrap_or_default();
        let currency = r
            .currency
            .as_deref()
            .and_then(|c| currency(c, country))
            .or_else(|| currency(text, country));
        let period = r.period.as_deref().and_then(period).or_else(|| period(text));
        build(min, max, currency, period, country)
    });
    from_fields
        .or_else(|| {
            raw.and_then(|r| r.text.as_deref())
                .and_then(|t| from_text(t, country))
        })
        .or_else(|| salary_line(description).and_then(|t| from_text(t, country)))
}

fn positive(value: Option<f64>) -> Option<f64> {
    // RemoteOK sends 0 for "not stated".
    value.filter(|v| v.is_finite() && *v > 0.0)
}

fn build(
    min: Option<f64>,
    max: Option<f64>,
    currency: Option<String>,
    period: Option<SalaryPeriod>,
    country: Option<&str>,
) -> Option<Salary> {
    let (mut min, mut max) = (positive(min), positive(max));
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        (min, max) = (Some(hi), Some(lo));
    }
    let figure = min.or(max)?;
    let currency = currency.or_else(|| country.and_then(national_currency).map(str::to_owned))?;
    let period = period.or_else(|| period_from_size(figure))?;
    // A "yearly" figure under 1,000 is an hourly or daily rate mislabelled by the board
    // (RemoteOK sends 25-27 as a yearly salary): which one is unknown, so is the salary.
    if period == SalaryPeriod::Year && max.unwrap_or(figure) < 1_000.0 {
        return None;
    }
    let per_year = match period {
        SalaryPeriod::Hour => HOURS_PER_YEAR,
        SalaryPeriod::Day => DAYS_PER_YEAR,
        SalaryPeriod::Week => WEEKS_PER_YEAR,
        SalaryPeriod::Month => MONTHS_PER_YEAR,
        SalaryPeriod::Year => 1.0,
    };
    let annual = |v: f64| (v * per_year * 100.0).round() / 100.0;
    Some(Salary {
        min,
        max,
        currency,
        period,
        annual_min: min.map(annual),
        annual_max: max.map(annual),
    })
}

/// When the board gives figures but no period: 10,000 and up can only be yearly, 1,000
/// to 10,000 monthly. Below 1,000 an hourly and a daily rate overlap (UK day rates of
/// 80-600, hourly rates of 8-100), so the period, and the salary, stay unknown.
fn period_from_size(figure: f64) -> Option<SalaryPeriod> {
    if figure >= 10_000.0 {
        Some(SalaryPeriod::Year)
    } else if figure >= 1_000.0 {
        Some(SalaryPeriod::Month)
    } else {
        None
    }
}

/// An explicit salary line in a description ("Salary: £28,000 per annum"). The rest of
/// the description is not mined: figures there are as often revenue or team sizes.
fn salary_line(description: &str) -> Option<&str> {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^\s*(?:salary|pay|compensation|gehalt|vergütung|salaire|rémunération)\s*(?:range)?\s*[:\-–]\s*(.+)$")
            .expect("valid regex")
    });
    LINE.captures(description)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Figures, currency and period from free text ("£30,000 - £35,000 per annum",
/// "60.000 – 75.000 € brutto/Jahr", "CHF 100'000", "€45k-€55k").
fn from_text(text: &str, country: Option<&str>) -> Option<Salary> {
    static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\d{1,3}(?:[,.'’\u{a0}\u{202f} ]\d{3})+|\d+(?:[.,]\d{1,2})?)\s*(k(?-u:\b))?")
            .expect("valid regex")
    });
    let amounts: Vec<f64> = AMOUNT
        .captures_iter(text)
        .filter_map(|c| {
            let value = number(&c[1])?;
            Some(if c.get(2).is_some() { value * 1000.0 } else { value })
        })
        .take(2)
        .collect();
    let (min, max) = match amounts.as_slice() {
        [] => return None,
        [one] => (Some(*one), None),
        [lo, hi, ..] => (Some(*lo), Some(*hi)),
    };
    // "Up to £40,000" states a maximum only.
    let (min, max) = if max.is_none() && text.to_lowercase().contains("up to") {
        (None, min)
    } else {
        (min, max)
    };
    let stated = currency(text, country);
    // Crowns in a country that does not pay in them: the currency is unknown, and the
    // country's own must not stand in for it.
    if stated.is_none()
        && ["kr", "kr.", "kronor", "kroner"]
            .iter()
            .any(|w| super::words::has_word(&text.to_lowercase(), w))
    {
        return None;
    }
    build(min, max, stated, period(text), country)
}

/// "30,000" and "30.000" and "30 000" are thirty thousand; "12.50" and "12,5" are decimals.
fn number(text: &str) -> Option<f64> {
    static GROUPED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\d{1,3}(?:[,.'’\u{a0}\u{202f} ]\d{3})+$").expect("valid regex"));
    if GROUPED.is_match(text) {
        return text
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok();
    }
    text.replace(',', ".").parse().ok()
}

/// ISO 4217 code from a symbol, code or name.
pub(crate) fn currency(text: &str, country: Option<&str>) -> Option<String> {
    let lower = text.to_lowercase();
    let has = |needle: &str| super::words::has_word(&lower, needle);
    let code = if lower.contains('€') || has("eur") || has("euro") || has("euros") {
        "EUR"
    } else if lower.contains('£') || has("gbp") || has("pound") || has("pounds") {
        "GBP"
    } else if has("chf") || has("fr.") {
        "CHF"
    } else if lower.contains("zł") || has("zl") || has("pln") {
        "PLN"
    } else if has("sek") {
        "SEK"
    } else if has("dkk") {
        "DKK"
    } else if has("nok") {
        "NOK"
    } else if has("czk") || lower.contains("kč") {
        "CZK"
    } else if has("kr") || has("kr.") || has("kronor") || has("kroner") {
        // "kr" is the Swedish, Danish and Norwegian crown alike: only the country says which.
        match country? {
            "SE" => "SEK",
            "DK" => "DKK",
            "NO" => "NOK",
            _ => return None,
        }
    } else if has("usd") || lower.contains("us$") {
        "USD"
    } else if has("cad") || lower.contains("c$") {
        "CAD"
    } else if has("aud") || lower.contains("a$") {
        "AUD"
    } else if lower.contains('$') {
        match country {
            Some("CA") => "CAD",
            Some("AU") => "AUD",
            Some("SG") => "SGD",
            _ => "USD",
        }
    } else if let Some(code) = lower
        .trim()
        .get(..3)
        .filter(|c| lower.trim().len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
    {
        // A bare ISO code the board sent ("huf", "ron").
        return Some(code.to_uppercase());
    } else {
        return None;
    };
    Some(code.to_owned())
}

/// The currency a country pays in, for boards that state none.
fn national_currency(country: &str) -> Option<&'static str> {
    Some(match country {
        "GB" => "GBP",
        "IE" | "FR" | "NL" | "BE" | "ES" | "DE" | "IT" | "AT" | "PT" | "LU" | "FI" | "EE" | "LV" | "LT"
        | "GR" | "SK" | "SI" | "CY" | "MT" | "HR" => "EUR",
        "CH" | "LI" => "CHF",
        "PL" => "PLN",
        "SE" => "SEK",
        "DK" => "DKK",
        "NO" => "NOK",
        "CZ" => "CZK",
        "US" => "USD",
        _ => return None,
    })
}

/// The pay period from a field or text ("YEAR", "per_month", "hourly", "p.a.", "pro Jahr").
pub(crate) fn period(text: &str) -> Option<SalaryPeriod> {
    static PERIODS: LazyLock<[(SalaryPeriod, Regex); 5]> = LazyLock::new(|| {
        let re = |p: &str| {
            Regex::new(&format!(r"(?i)(?:^|[^\p{{L}}])(?:{p})(?:$|[^\p{{L}}])")).expect("valid regex")
        };
        [
            (
                SalaryPeriod::Hour,
                re(r"hour|hourly|hr|h|ph|p/h|stunde|stündlich|heure|horaire"),
            ),
            (
                SalaryPeriod::Day,
                re(r"day|daily|per diem|p/d|pd|tag|täglich|jour|journalier|tagessatz"),
            ),
            (
                SalaryPeriod::Week,
                re(r"week|weekly|wk|pw|p/w|woche|wöchentlich|semaine"),
            ),
            (
                SalaryPeriod::Month,
                re(r"month|monthly|mo|pm|p/m|p\.m\.|monat|monatlich|mois|mensuel|brutto/monat"),
            ),
            (
                SalaryPeriod::Year,
                re(
                    r"year|yearly|annual|annually|annum|p\.a\.?|pa|yr|jahr|jährlich|jahresgehalt|an|annuel|brutto/jahr",
                ),
            ),
        ]
    });
    let text = text.replace('_', " ");
    PERIODS
        .iter()
        .find(|(_, re)| re.is_match(&text))
        .map(|(period, _)| *period)
}
