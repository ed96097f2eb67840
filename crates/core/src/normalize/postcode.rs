//! UK postcodes as places: boards such as Reed give a posting's place as a postcode
//! ("EC1A 1BB", "M33 7XS", "SW1"). The area letters say the country is the United
//! Kingdom, and the district number says whether it lies in one of our cities
//! (`data/uk_postcode_areas.tsv`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

const AREAS: &str = include_str!("../../data/uk_postcode_areas.tsv");

/// The city an area's districts lie in: its slug, and the district numbers (`None`:
/// every district).
type AreaCity = Option<(String, Option<Vec<(u8, u8)>>)>;

static TABLE: LazyLock<HashMap<String, AreaCity>> = LazyLock::new(|| {
    let mut table = HashMap::new();
    for line in AREAS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("area\t"))
    {
        let mut cells = line.split('\t');
        let (Some(area), Some(_town)) = (cells.next(), cells.next()) else {
            continue;
        };
        let city = cells
            .next()
            .filter(|c| !c.is_empty())
            .map(|c| match c.split_once(':') {
                None => (c.to_owned(), None),
                Some((slug, ranges)) => (
                    slug.to_owned(),
                    Some(ranges.split(',').filter_map(range).collect()),
                ),
            });
        table.insert(area.to_owned(), city);
    }
    table
});

fn range(text: &str) -> Option<(u8, u8)> {
    match text.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let n = text.trim().parse().ok()?;
            Some((n, n))
        }
    }
}

/// The outward half of a UK postcode ("SW1", "EC1A", "M33").
static OUTWARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Z]{1,2})([0-9]{1,2})[A-Z]?$").expect("valid regex"));

/// What a postcode says: in the United Kingdom, and in which of our cities, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Postcode {
    pub city: Option<String>,
}

/// Reads `text` as a UK postcode of a known area, whole ("EC1A 1BB", "DA14FH") or its
/// outward half ("SW1").
pub(crate) fn uk_postcode(text: &str) -> Option<Postcode> {
    let upper = text.trim().to_ascii_uppercase();
    if !upper.is_ascii() {
        return None;
    }
    let words: Vec<&str> = upper.split_whitespace().collect();
    let outward = match words.as_slice() {
        [outward, inward] if is_inward(inward) => (*outward).to_owned(),
        // Without its space a whole postcode ends in a digit and two letters ("W111LJ").
        [one] if one.len() >= 5 && is_inward(&one[one.len() - 3..]) => one[..one.len() - 3].to_owned(),
        [one] => (*one).to_owned(),
        _ => return None,
    };
    let caps = OUTWARD.captures(&outward)?;
    let area = TABLE.get(&caps[1])?;
    let district: u8 = caps[2].parse().ok()?;
    let city = area.as_ref().and_then(|(slug, ranges)| match ranges {
        None => Some(slug.clone()),
        Some(ranges) => ranges
            .iter()
            .any(|&(a, b)| (a..=b).contains(&district))
            .then(|| slug.clone()),
    });
    Some(Postcode { city })
}

fn is_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(text: &str) -> Option<Option<String>> {
        uk_postcode(text).map(|p| p.city)
    }

    #[test]
    fn whole_and_outward_postcodes_with_or_without_space() {
        assert_eq!(city("EC1A 1BB"), Some(Some("london".into())));
        assert_eq!(city("EC1A1BB"), Some(Some("london".into())));
        assert_eq!(city("W111LJ"), Some(Some("london".into())));
        assert_eq!(city("sw1"), Some(Some("london".into())));
        assert_eq!(city("M1 1AE"), Some(Some("manchester".into())));
        assert_eq!(city("B911AA"), Some(None), "Solihull is not Birmingham");
        assert_eq!(city("B5 4BU"), Some(Some("birmingham".into())));
        assert_eq!(city("LS11PH"), Some(None));
    }

    #[test]
    fn districts_decide_split_areas() {
        assert_eq!(city("DA14FH"), Some(None), "DA1 is Dartford, Kent");
        assert_eq!(
            city("DA14 5AA"),
            Some(Some("london".into())),
            "DA14 is Sidcup, Bexley"
        );
        assert_eq!(city("M33 7XS"), Some(None), "Sale is in Trafford");
        assert_eq!(city("BT1 1AA"), Some(Some("belfast".into())));
        assert_eq!(city("CR3 0AA"), Some(None));
    }

    #[test]
    fn words_and_unknown_areas_are_not_postcodes() {
        for text in [
            "London",
            "DE",
            "Remote",
            "QQ1 1AA",
            "B",
            "12345",
            "Berlin 10115",
            "SW1A 1AA extra",
            "PUY-DE-DôME",
            "Zürich",
        ] {
            assert_eq!(uk_postcode(text), None, "{text}");
        }
    }
}
