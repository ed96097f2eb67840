//! The parts of our cities that postings name instead of the city: boroughs, districts,
//! arrondissements, the communes that count as Paris ("Levallois-Perret", "Canary
//! Wharf", "Berlin-Kreuzberg", "Paris 8e", "75008 Paris"), and postcodes read with
//! their country. The names and numbers are data: `data/city_parts.tsv` and
//! `data/city_postcodes.tsv`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::postcode::uk_postcode;
use crate::taxonomy::{City, Taxonomy};

const PARTS: &str = include_str!("../../data/city_parts.tsv");
const POSTCODES: &str = include_str!("../../data/city_postcodes.tsv");

/// The part names, folded (see [`fold`]).
#[derive(Default)]
struct Parts {
    /// Names that are a city's part wherever they stand ("Canary Wharf"), with its slug.
    alone: HashMap<String, String>,
    /// Names that are a part only after the city's name ("Berlin Mitte"), with the
    /// slugs of those cities; `*` for words that follow any city ("Berlin HQ").
    after: HashMap<String, Vec<String>>,
    /// Regions that put a part of a city elsewhere ("Pas-de-Calais"), with its slugs.
    elsewhere: HashMap<String, Vec<String>>,
}

static PART_NAMES: LazyLock<Parts> = LazyLock::new(|| {
    let mut parts = Parts::default();
    for line in data_lines(PARTS) {
        let mut cells = line.split('\t');
        let (Some(slug), Some(names)) = (cells.next(), cells.next()) else {
            continue;
        };
        let scope = cells.next().map(str::trim).unwrap_or_default();
        for name in names.split('|').map(fold).filter(|n| !n.is_empty()) {
            let slug = slug.to_owned();
            match scope {
                "after-city" => parts.after.entry(name).or_default().push(slug),
                "elsewhere" => parts.elsewhere.entry(name).or_default().push(slug),
                _ => {
                    parts.alone.insert(name, slug);
                }
            }
        }
    }
    parts
});

/// A city's postcodes: its country, and ranges of numbers of one length.
struct CityPostcodes {
    country: String,
    slug: String,
    digits: usize,
    ranges: Vec<(u32, u32)>,
}

static CITY_POSTCODES: LazyLock<Vec<CityPostcodes>> = LazyLock::new(|| {
    data_lines(POSTCODES)
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let (country, slug, ranges) = (cells.next()?, cells.next()?, cells.next()?);
            let ranges: Vec<(&str, &str)> = ranges
                .split(',')
                .map(|r| r.trim().split_once('-').unwrap_or((r.trim(), r.trim())))
                .collect();
            Some(CityPostcodes {
                country: country.to_owned(),
                slug: slug.to_owned(),
                digits: ranges.first()?.0.len(),
                ranges: ranges
                    .iter()
                    .filter_map(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                    .collect(),
            })
        })
        .collect()
});

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Postcodes as addresses write them: Polish "00-950", Portuguese "1000-001", Czech and
/// Swedish "110 00", and four or five digits elsewhere.
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:\d{2}-\d{3}|\d{4}-\d{3}|\d{3} \d{2}|\d{4,5})(?-u:\b)").expect("valid regex")
});

/// A district number after a city's name: "Paris 8e", "Paris 08", "Paris 1er", "Wien
/// 3.", "Praha 5", "Dublin 2", "Zürich Kreis 4" (read folded, its words gone).
static DISTRICT_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^0?([1-9]|[12][0-9]|30)(?:e|er|re|eme|st|nd|rd|th)?$").expect("valid regex")
});

/// Words that name the kind of part rather than the part ("8e arrondissement", "3.
/// Bezirk", "Kreis 4", "Paris Cedex 08").
const PART_WORDS: &[&str] = &[
    "arrondissement",
    "arr",
    "bezirk",
    "district",
    "kreis",
    "cedex",
    "municipio",
    "distrito",
    "dzielnica",
    "stadtbezirk",
    "stadtteil",
    "borough",
];

/// The city a place within it stands for: a part named on its own ("Levallois-Perret",
/// "Hauts-de-Seine", "Canary Wharf"), the city's name with a part or district number
/// ("Berlin-Kreuzberg", "Paris 8e", "München Ost"), or with a postcode that lies in it
/// ("75008 Paris", "Berlin 10115"). A postcode outside the city says the place is not
/// in it ("12529 Schönefeld" is not Berlin).
pub(crate) fn city_part<'t>(segment: &str, taxonomy: &'t Taxonomy) -> Option<&'t City> {
    let codes: Vec<&str> = POSTCODE.find_iter(segment).map(|m| m.as_str()).collect();
    let rest = match POSTCODE.replace_all(segment, " ") {
        Cow::Borrowed(rest) => Cow::Borrowed(rest.trim()),
        Cow::Owned(rest) => Cow::Owned(rest.trim().to_owned()),
    };
    let fits = |city: &City| codes.iter().all(|code| postcode_fits(city, code));
    if rest.is_empty() {
        return None;
    }
    if !codes.is_empty()
        && let Some(city) = taxonomy.city_named(&rest)
    {
        return fits(city).then_some(city);
    }
    if let Some(city) = PART_NAMES
        .alone
        .get(&fold(&rest))
        .and_then(|slug| taxonomy.city(slug))
    {
        return fits(city).then_some(city);
    }
    city_then_part(&rest, taxonomy).filter(|city| fits(city))
}

/// Whether a segment beside a part of `city` names a region that puts the part
/// elsewhere: "Montreuil, Pas-de-Calais" is not the Montreuil of Paris.
pub(crate) fn puts_part_elsewhere(city: &City, segment: &str) -> bool {
    PART_NAMES
        .elsewhere
        .get(&fold(segment))
        .is_some_and(|slugs| slugs.contains(&city.slug))
}

/// "Berlin-Kreuzberg", "Berlin Mitte", "Paris 8e", "Paris La Défense": a city's name in
/// the first words, the rest a part of it.
fn city_then_part<'t>(text: &str, taxonomy: &'t Taxonomy) -> Option<&'t City> {
    let is_gap = |c: char| c.is_whitespace() || c == '-' || c == '–';
    let mut start = 0;
    for _ in 0..3 {
        let gap = start + text[start..].find(is_gap)?;
        let after = gap + text[gap..].find(|c: char| !is_gap(c))?;
        if let Some(city) = taxonomy.city_named(&text[..gap])
            && is_part_of(city, &text[after..])
        {
            return Some(city);
        }
        start = after;
    }
    None
}

fn is_part_of(city: &City, text: &str) -> bool {
    let folded = fold(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !PART_WORDS.contains(w)).collect();
    let name = words.join(" ");
    let parts = &*PART_NAMES;
    name.is_empty()
        || DISTRICT_NUMBER.is_match(&name)
        || parts.alone.get(&name) == Some(&city.slug)
        || parts
            .after
            .get(&name)
            .is_some_and(|slugs| slugs.iter().any(|s| *s == city.slug || s == "*"))
        // "London EC2", "Manchester M1": a UK postcode district of the city.
        || (city.country == "GB"
            && uk_postcode(text).is_some_and(|p| p.city.as_deref() == Some(city.slug.as_str())))
}

/// Whether a postcode can be in the city: yes when the city's postcodes are not known
/// (Stockholm, Copenhagen), else only within its ranges.
fn postcode_fits(city: &City, code: &str) -> bool {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let Ok(number) = digits.parse::<u32>() else {
        return false;
    };
    let mut known = CITY_POSTCODES.iter().filter(|c| c.slug == city.slug).peekable();
    if known.peek().is_none() {
        return true;
    }
    known
        .filter(|c| c.digits == digits.len())
        .any(|c| c.ranges.iter().any(|&(a, b)| (a..=b).contains(&number)))
}

/// The city a postcode in a place of a known country lies in ("Friedrichstraße 10,
/// 10117" in Germany is Berlin).
pub(crate) fn postcode_city<'t>(segment: &str, country: &str, taxonomy: &'t Taxonomy) -> Option<&'t City> {
    POSTCODE.find_iter(segment).find_map(|code| {
        let digits: String = code.as_str().chars().filter(char::is_ascii_digit).collect();
        let number: u32 = digits.parse().ok()?;
        CITY_POSTCODES
            .iter()
            .find(|c| {
                c.country == country
                    && c.digits == digits.len()
                    && c.ranges.iter().any(|&(a, b)| (a..=b).contains(&number))
            })
            .and_then(|c| taxonomy.city(&c.slug))
    })
}

/// The country a postcode's shape gives away: "70-653" is Polish, "1000-001" Portuguese,
/// "1012 AB" Dutch. Four or five bare digits are used by too many countries to tell.
pub(crate) fn postcode_country(segment: &str) -> Option<&'static str> {
    static SHAPES: LazyLock<[(Regex, &str); 3]> = LazyLock::new(|| {
        let shape = |r: &str| Regex::new(r).expect("valid regex");
        [
            (shape(r"(?-u:\b)\d{2}-\d{3}(?-u:\b)"), "PL"),
            (shape(r"(?-u:\b)\d{4}-\d{3}(?-u:\b)"), "PT"),
            (shape(r"(?-u:\b)[1-9]\d{3} ?[A-Z]{2}(?-u:\b)"), "NL"),
        ]
    });
    SHAPES
        .iter()
        .find(|(shape, _)| shape.is_match(segment))
        .map(|(_, country)| *country)
}

/// A name as looked up: lower case, accents and punctuation gone, "St."/"Sankt" as
/// "saint", "&" as "and" ("Saint-Ouen", "St Ouen" and "ST. OUEN" are one name).
pub(crate) fn fold(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            '-' | '\'' | '’' | '.' | '/' | '(' | ')' | ',' => plain.push(' '),
            '&' => plain.push_str(" and "),
            'ß' => plain.push_str("ss"),
            'æ' => plain.push_str("ae"),
            'œ' => plain.push_str("oe"),
            c => plain.push(base_letter(c)),
        }
    }
    plain
        .split_whitespace()
        .map(|w| match w {
            "st" | "sankt" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The letter without its accent, for the Latin letters of European place names.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' => 's',
        'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(segment: &str) -> Option<&str> {
        city_part(segment, Taxonomy::embedded()).map(|c| c.slug.as_str())
    }

    #[test]
    fn spellings_of_one_name_fold_together() {
        assert_eq!(fold("Saint-Ouen"), fold("St. Ouen"));
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("Sankt Pauli"), fold("ST PAULI"));
        assert_eq!(fold("Hammersmith & Fulham"), "hammersmith and fulham");
        assert_eq!(fold("Weißensee"), "weissensee");
    }

    #[test]
    fn a_part_that_is_a_common_word_counts_only_after_its_city() {
        assert_eq!(slug("Mitte"), None);
        assert_eq!(slug("Berlin-Mitte"), Some("berlin"));
        assert_eq!(slug("Harburg"), None, "also a district of Lower Saxony");
        assert_eq!(slug("Hamburg-Harburg"), Some("hamburg"));
        assert_eq!(slug("München Flughafen"), None, "the airport is in Freising");
        assert_eq!(slug("Paris Cedex 08"), Some("paris"));
        assert_eq!(slug("Zürich Kreis 4"), Some("zurich"));
        assert_eq!(slug("Paris 31e"), None, "no district number");
    }

    #[test]
    fn a_postcode_beside_a_part_must_lie_in_the_city() {
        assert_eq!(slug("10115 Berlin"), Some("berlin"));
        assert_eq!(slug("Berlin 12529"), None, "12529 is Schönefeld");
        assert_eq!(slug("93100 Montreuil"), Some("paris"));
        assert_eq!(slug("62170 Montreuil"), None, "Montreuil-sur-Mer");
    }

    #[test]
    fn postcode_shapes_tell_their_country_and_known_countries_tell_the_city() {
        assert_eq!(postcode_country("ul. Przykładowa 4, 02-672"), Some("PL"));
        assert_eq!(postcode_country("Rua Exemplo 10, 1250-096"), Some("PT"));
        assert_eq!(postcode_country("1015 BS"), Some("NL"));
        assert_eq!(postcode_country("75008"), None);
        let taxonomy = Taxonomy::embedded();
        let city = |s, c| postcode_city(s, c, taxonomy).map(|c| c.slug.as_str());
        assert_eq!(city("02-672", "PL"), Some("warsaw"));
        assert_eq!(city("80331", "DE"), Some("munich"));
        assert_eq!(city("80331", "FR"), None, "Amiens");
        assert_eq!(city("28013", "ES"), Some("madrid"));
    }
}
