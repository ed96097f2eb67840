//! The country of a town named without one ("Koblenz", "Frankfurt am Main"), from a
//! list of Europe's towns whose names no other country shares (`data/towns.tsv`).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::city_part::fold;

const TOWNS: &str = include_str!("../../data/towns.tsv");

/// Folded town name to country code; a name listed for two countries is left out.
static COUNTRY_BY_TOWN: LazyLock<HashMap<String, Option<&'static str>>> = LazyLock::new(|| {
    let mut towns: HashMap<String, Option<&'static str>> = HashMap::new();
    for line in TOWNS.lines().filter(|l| !l.starts_with('#')) {
        let Some((country, town)) = line.split_once('\t') else {
            continue;
        };
        let entry = towns.entry(fold(town)).or_insert(Some(country));
        if *entry != Some(country) {
            *entry = None;
        }
    }
    towns
});

/// The country of the town `name` is, when the list knows it and only one country has it.
pub(crate) fn town_country(name: &str) -> Option<&'static str> {
    COUNTRY_BY_TOWN.get(&fold(name)).copied().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_give_their_country_whatever_the_spelling() {
        assert_eq!(town_country("Koblenz"), Some("DE"));
        assert_eq!(town_country("frankfurt am main"), Some("DE"));
        assert_eq!(town_country("Köln"), Some("DE"));
        assert_eq!(town_country("Cologne"), Some("DE"));
        assert_eq!(town_country("Genf"), Some("CH"));
        assert_eq!(town_country("Lodz"), Some("PL"));
    }

    #[test]
    fn towns_of_one_name_in_several_countries_and_words_give_nothing() {
        for name in [
            "Halifax",
            "Reading",
            "Valencia",
            "Cambridge",
            "London",
            "March",
            "Remote",
            "",
        ] {
            assert_eq!(town_country(name), None, "{name}");
        }
    }
}
