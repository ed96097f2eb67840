//! A city a posting states outside its location fields, read only when those name none
//! of our cities: in a separated part of its title ("Data Lead | Consulting | Paris",
//! "Lead Data Scientist - Issy-les-Moulineaux") or on a labelled line of its description
//! ("Localisation : Paris", "Office location: La Défense", "Standort: München").

use std::sync::LazyLock;

use regex::Regex;

use super::city_part::city_part;
use super::location::{places_in, town};
use crate::JobLocation;
use crate::taxonomy::{City, Taxonomy};

/// The separators between a title's parts.
static TITLE_PARTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s[-–—|/]\s|[|()\[\],]|\s@\s").expect("valid regex"));

/// A description's label for the job's place, in the languages of our countries, and
/// what follows it on the line.
static PLACE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)(?:^|[\s(])(?:(?:job|office|work|primary)\s+)?(?:location|localisation|lieu(?:\s+de\s+travail)?|standort|arbeitsort|einsatzort|dienstort|ubicaci[oó]n|localizaci[oó]n|lugar\s+de\s+trabajo|sede(?:\s+di\s+lavoro)?|luogo\s+di\s+lavoro|lokalizacja|miejsce\s+pracy|locatie|standplaats|werklocatie|arbetsort|placering|arbejdssted)\s*:\s*([^\n]{1,80})",
    )
    .expect("valid regex")
});

/// Where the place after a label ends: a sentence, a bracket, or the next label run in
/// on the same line ("Localisation : Paris Salaire : 48K").
static PLACE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.(?:\s|$)|[(;|]|\s+\p{L}+(?:\s+\p{L}+)?\s*:").expect("valid regex"));

/// Adds the city the title or description states when no location names one of our
/// cities and the city lies in a country the locations name (or they name none). The
/// locations that named only that country are then the city's.
pub(crate) fn add_stated_city(
    locations: &mut Vec<JobLocation>,
    title: &str,
    description: &str,
    taxonomy: &Taxonomy,
) {
    if locations.iter().any(|l| l.city.is_some()) {
        return;
    }
    let fits = |city: &City| {
        locations.iter().all(|l| l.country.is_none())
            || locations
                .iter()
                .any(|l| l.country.as_deref() == Some(city.country.as_str()))
    };
    let Some((city, raw)) = title_city(title, taxonomy)
        .filter(|(city, _)| fits(city))
        .or_else(|| description_city(description, taxonomy).filter(|(city, _)| fits(city)))
    else {
        return;
    };
    locations.retain(|l| l.country.as_deref() != Some(city.country.as_str()) || town(l, taxonomy).is_some());
    locations.push(JobLocation {
        city: Some(city.slug.clone()),
        country: Some(city.country.clone()),
        raw,
    });
}

/// A city named by a separated part of the title. A part of a city counts only when
/// its name is more than one word ("Issy-les-Moulineaux", "Canary Wharf"): a single
/// word ("Brent", "Chelsea") is as often a name or a product.
fn title_city<'t>(title: &str, taxonomy: &'t Taxonomy) -> Option<(&'t City, String)> {
    let mut parts = TITLE_PARTS.split(title).map(str::trim).filter(|p| !p.is_empty());
    let first = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return None;
    }
    std::iter::once(first).chain(rest).find_map(|part| {
        let several_words = part.contains([' ', '-']);
        let city = taxonomy
            .city_named(part)
            .or_else(|| several_words.then(|| city_part(part, taxonomy)).flatten())?;
        Some((city, part.to_owned()))
    })
}

/// A city on a labelled line of the description: the first label that names one.
fn description_city<'t>(description: &str, taxonomy: &'t Taxonomy) -> Option<(&'t City, String)> {
    PLACE_LABEL.captures_iter(description).take(3).find_map(|caps| {
        let after = caps.get(1)?.as_str();
        let place = PLACE_END
            .find(after)
            .map_or(after, |end| &after[..end.start()])
            .trim();
        let city = places_in(place, taxonomy)
            .into_iter()
            .find_map(|l| l.city.and_then(|slug| taxonomy.city(&slug)))?;
        Some((city, place.to_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stated(
        locations: &[(&str, &str)],
        title: &str,
        description: &str,
    ) -> Vec<(Option<String>, Option<String>)> {
        let mut locations: Vec<JobLocation> = locations
            .iter()
            .map(|(raw, country)| JobLocation {
                city: None,
                country: Some((*country).to_owned()),
                raw: (*raw).to_owned(),
            })
            .collect();
        add_stated_city(&mut locations, title, description, Taxonomy::embedded());
        locations.into_iter().map(|l| (l.city, l.country)).collect()
    }

    fn paris() -> Vec<(Option<String>, Option<String>)> {
        vec![(Some("paris".into()), Some("FR".into()))]
    }

    #[test]
    fn a_city_in_a_separated_part_of_the_title_places_a_country_wide_posting() {
        assert_eq!(
            stated(&[("France", "FR")], "Data Lead | Consulting | Paris", ""),
            paris()
        );
        assert!(
            stated(
                &[("Rhénanie, France", "FR")],
                "Data Scientist - Issy-les-Moulineaux",
                ""
            )
            .contains(&paris()[0]),
            "a town the board names stays beside the city"
        );
        assert_eq!(
            stated(&[], "Werkstudent Marketing (Berlin)", "")[0].0.as_deref(),
            Some("berlin")
        );
    }

    #[test]
    fn a_labelled_line_of_the_description_places_it_in_several_languages() {
        for description in [
            "Poste : Analyste Localisation : Paris Salaire : 45K",
            "Role: Analyst\nOffice location: La Défense, Paris area\nHybrid",
            "Type de contrat : CDI. Lieu de travail : Paris (75)",
        ] {
            assert_eq!(
                stated(&[("France", "FR")], "Analyste", description),
                paris(),
                "{description}"
            );
        }
        assert_eq!(
            stated(
                &[("Deutschland", "DE")],
                "Controller",
                "Standort: München\nAufgaben"
            )[0]
            .0
            .as_deref(),
            Some("munich")
        );
    }

    #[test]
    fn a_stated_city_never_overrules_a_located_one_or_another_country() {
        let mut located = vec![JobLocation {
            city: Some("lyon".into()),
            country: Some("FR".into()),
            raw: "Lyon".into(),
        }];
        add_stated_city(&mut located, "Analyste - Paris", "", Taxonomy::embedded());
        assert_eq!(located.len(), 1);
        let france = vec![(None, Some("FR".to_owned()))];
        assert_eq!(stated(&[("France", "FR")], "Analyst - London", ""), france);
        assert_eq!(stated(&[("France", "FR")], "Analyst", "Location: Remote"), france);
        assert_eq!(
            stated(&[("France", "FR")], "Trader - Chelsea", ""),
            france,
            "one word"
        );
        assert_eq!(
            stated(&[("France", "FR")], "Paris Analyst", ""),
            france,
            "no separator"
        );
    }
}
