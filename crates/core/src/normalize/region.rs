//! Names for groups of countries ("EU", "DACH", "EMEA") and the sub-national codes
//! that look like country codes ("CA" is California and Canada).

use crate::taxonomy::Taxonomy;

/// What a region name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Region {
    /// "Worldwide", "Anywhere", "Global".
    Anywhere,
    /// ISO 3166-1 alpha-2 codes.
    Countries(Vec<String>),
}

/// The region a name stands for, expanded through the taxonomy where it is defined
/// by data (EU = the taxonomy's `eu = true` countries) and by a fixed list where the
/// name is a convention (DACH = DE, AT, CH).
pub(crate) fn region(name: &str, taxonomy: &Taxonomy) -> Option<Region> {
    let name = name
        .trim()
        .trim_end_matches(" only")
        .trim_end_matches(" region")
        .to_lowercase();
    let eu = || taxonomy.countries.iter().filter(|c| c.eu).map(|c| c.code.clone());
    let list = |codes: &[&str]| Some(Region::Countries(codes.iter().map(|c| (*c).to_owned()).collect()));
    match name.as_str() {
        "worldwide" | "anywhere" | "global" | "world" | "anywhere in the world" | "international" => {
            Some(Region::Anywhere)
        }
        "eu" | "eea" | "european union" | "eu/eea" => Some(Region::Countries(eu().collect())),
        // Europe as a remote scope: the EU/EEA and Switzerland plus the UK.
        "europe" | "european" | "eu & uk" | "eu and uk" | "eu/uk" | "uk & eu" | "uk/eu" => {
            Some(Region::Countries(eu().chain(["GB".to_owned()]).collect()))
        }
        // Of EMEA only the countries the taxonomy knows can be named; Africa and most of
        // the Middle East are beyond JobPing's reach anyway.
        "emea" => Some(Region::Countries(
            eu().chain(["GB", "UA", "TR", "IL", "AE"].map(str::to_owned))
                .collect(),
        )),
        "dach" | "d-a-ch" => list(&["DE", "AT", "CH"]),
        "uk&i" | "uk & i" | "uki" | "uk and ireland" | "uk & ireland" | "uk/ireland" | "ireland & uk" => {
            list(&["GB", "IE"])
        }
        "nordics" | "nordic" | "nordic countries" | "scandinavia" => list(&["SE", "DK", "NO", "FI", "IS"]),
        "northern europe" => list(&["SE", "DK", "NO", "FI", "IS", "EE", "LV", "LT"]),
        "benelux" => list(&["BE", "NL", "LU"]),
        "baltics" | "baltic states" => list(&["EE", "LV", "LT"]),
        "cee" | "central and eastern europe" | "central eastern europe" | "eastern europe" => {
            list(&["PL", "CZ", "SK", "HU", "RO", "BG", "HR", "SI", "EE", "LV", "LT"])
        }
        "north america" | "americas" => list(&["US", "CA"]),
        _ => None,
    }
}

/// US state and Canadian province codes, with the country they are in. A two-letter
/// segment after a city ("Birmingham, AL", "London, ON") names a place in North America,
/// not a country, even when it happens to be a country code ("Wilmington, DE").
pub(crate) fn subdivision_country(code: &str) -> Option<&'static str> {
    const US: &[&str] = &[
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
        "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
    ];
    const CANADA: &[&str] = &[
        "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
    ];
    if US.contains(&code) {
        Some("US")
    } else if CANADA.contains(&code) {
        Some("CA")
    } else {
        None
    }
}
