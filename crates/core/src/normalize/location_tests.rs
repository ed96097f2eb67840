//! Table tests for locations and ways of working, on the shapes real boards send.

use super::location::{Placement, place};
use crate::posting::RawPosting;
use crate::taxonomy::Taxonomy;
use crate::{RemoteScope, WorkEnvironment};

fn placed(locations: &[&str]) -> Placement {
    let raw = RawPosting {
        locations: locations.iter().map(|l| (*l).to_owned()).collect(),
        ..RawPosting::default()
    };
    place(&raw, "Analyst", "", Taxonomy::embedded())
}

/// (city, country) of each location.
fn places(locations: &[&str]) -> Vec<(Option<String>, Option<String>)> {
    placed(locations)
        .locations
        .into_iter()
        .map(|l| (l.city, l.country))
        .collect()
}

fn one(city: Option<&str>, country: Option<&str>) -> Vec<(Option<String>, Option<String>)> {
    vec![(city.map(str::to_owned), country.map(str::to_owned))]
}

#[test]
fn local_spellings_and_city_country_pairs_find_the_taxonomy_city() {
    for (raw, city, country) in [
        ("München", "munich", "DE"),
        ("Wien", "vienna", "AT"),
        ("Milano", "milan", "IT"),
        ("Zürich, CH", "zurich", "CH"),
        ("København", "copenhagen", "DK"),
        ("London, UK", "london", "GB"),
        ("London, United Kingdom", "london", "GB"),
        ("Berlin, Germany", "berlin", "DE"),
        ("Berlin, Berlin, Germany", "berlin", "DE"),
        ("Dublin, IE", "dublin", "IE"),
        ("Paris, Île-de-France, France", "paris", "FR"),
        ("Farringdon, Central London", "london", "GB"),
        ("Amsterdam, Netherlands", "amsterdam", "NL"),
        ("ZÃ¼rich", "zurich", "CH"),
        ("Munich, DE", "munich", "DE"),
        ("Warszawa, mazowieckie, Polska", "warsaw", "PL"),
        ("München, Bayern, Allemagne", "munich", "DE"),
        ("Londyn, Wielka Brytania", "london", "GB"),
        ("Bruselas, Bélgica", "brussels", "BE"),
    ] {
        assert_eq!(places(&[raw]), one(Some(city), Some(country)), "{raw}");
    }
}

#[test]
fn places_outside_the_taxonomy_keep_their_country_or_stay_unknown() {
    assert_eq!(places(&["Bangalore, India"]), one(None, Some("IN")));
    assert_eq!(places(&["San Francisco, CA"]), one(None, Some("US")));
    assert_eq!(places(&["Ontario, CAN"]), one(None, Some("CA")));
    assert_eq!(places(&["Cologne, DE"]), one(None, Some("DE")));
    assert_eq!(
        places(&["Köln, Nordrhein-Westfalen, Niemcy"]),
        one(None, Some("DE"))
    );
    assert_eq!(
        places(&["Lyon, Auvergne-Rhône-Alpes, Francia"]),
        one(None, Some("FR"))
    );
    assert_eq!(places(&["Chicago, IL"]), one(None, None));
    assert_eq!(places(&["Ober-Nirgendwo"]), one(None, None));
    assert_eq!(places(&["Londonderry, New Hampshire"]), one(None, None));
    assert_eq!(placed(&["Ober-Nirgendwo"]).locations[0].raw, "Ober-Nirgendwo");
}

#[test]
fn districts_suburbs_and_arrondissements_are_their_city() {
    for (raw, city, country) in [
        ("Berlin-Kreuzberg", "berlin", "DE"),
        ("Berlin Mitte", "berlin", "DE"),
        ("Kreuzberg", "berlin", "DE"),
        ("München-Schwabing", "munich", "DE"),
        ("St. Pauli", "hamburg", "DE"),
        ("Paris 8e", "paris", "FR"),
        ("Paris 08", "paris", "FR"),
        ("Paris 1er arrondissement", "paris", "FR"),
        ("75008 Paris", "paris", "FR"),
        ("La Défense", "paris", "FR"),
        ("Levallois-Perret, Hauts-de-Seine, FR", "paris", "FR"),
        ("92300 Levallois Perret", "paris", "FR"),
        (
            "Montreuil, Bobigny, Seine-Saint-Denis, Ile-de-France, France",
            "paris",
            "FR",
        ),
        ("Val-de-Marne, Ile-de-France", "paris", "FR"),
        ("Canary Wharf", "london", "GB"),
        ("Croydon", "london", "GB"),
        ("London EC2", "london", "GB"),
        ("Didsbury", "manchester", "GB"),
        ("1010 Wien", "vienna", "AT"),
        ("Wien 3., Landstraße", "vienna", "AT"),
        ("Praha 5", "prague", "CZ"),
        ("Dublin 2", "dublin", "IE"),
        ("Ixelles, Belgium", "brussels", "BE"),
        ("Amsterdam-Zuidoost", "amsterdam", "NL"),
        ("Milano Centrale", "milan", "IT"),
        ("Berlin HQ", "berlin", "DE"),
    ] {
        assert_eq!(places(&[raw]), one(Some(city), Some(country)), "{raw}");
    }
}

#[test]
fn suburbs_and_regions_around_a_city_and_namesakes_elsewhere_are_not_the_city() {
    for (raw, country) in [
        ("Ile-de-France, France", Some("FR")),
        ("Yvelines, Ile-de-France, France", Some("FR")),
        ("Essonne", None),
        ("Paris-Saclay", None),
        ("Montreuil, Pas-de-Calais, Hauts-de-France, France", Some("FR")),
        ("Saint-Denis, La Réunion", None),
        ("12529 Schönefeld", None),
        ("Berlin-Schönefeld", None),
        ("London Gatwick", None),
        ("Amstelveen", Some("NL")),
        ("Croydon, Victoria, Australia", Some("AU")),
        ("Greenwich, CT", Some("US")),
    ] {
        assert_eq!(places(&[raw]), one(None, country), "{raw}");
    }
}

#[test]
fn postcodes_place_an_address_with_their_country() {
    assert_eq!(
        places(&["ul. Przykładowa 4, 70-653 Nowe Przykładowo"]),
        one(None, Some("PL")),
        "NN-NNN is Polish"
    );
    assert_eq!(
        places(&["Musterweg 3, 10117, Deutschland"]),
        one(Some("berlin"), Some("DE"))
    );
    assert_eq!(
        places(&["Voorbeeldstraat 1, 1015 BS"]),
        one(Some("amsterdam"), Some("NL"))
    );
    assert_eq!(places(&["10117"]), one(None, None), "five digits say no country");
}

#[test]
fn towns_named_without_a_country_get_the_one_country_that_has_them() {
    assert_eq!(places(&["Koblenz"]), one(None, Some("DE")));
    assert_eq!(places(&["Frankfurt am Main"]), one(None, Some("DE")));
    assert_eq!(places(&["Graz"]), one(None, Some("AT")));
    assert_eq!(places(&["Halifax"]), one(None, None), "in England and in Canada");
}

#[test]
fn a_board_of_one_country_places_its_towns_but_adds_no_place() {
    let taxonomy = Taxonomy::embedded();
    let on_board = |locations: &[&str], countries: &[&str]| {
        let raw = RawPosting {
            locations: locations.iter().map(|l| (*l).to_owned()).collect(),
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
            board_country: Some("DE".into()),
            ..RawPosting::default()
        };
        place(&raw, "Analyst", "", taxonomy)
            .locations
            .into_iter()
            .map(|l| (l.city, l.country))
            .collect::<Vec<_>>()
    };
    assert_eq!(on_board(&["Kleinwaldingen"], &[]), one(None, Some("DE")));
    assert_eq!(
        on_board(&["Kleinwaldingen", "Oberwaldingen"], &[]).len(),
        2,
        "two towns stay two places"
    );
    assert_eq!(
        on_board(&["Graz"], &[]),
        one(None, Some("AT")),
        "a known town says its own country"
    );
    assert_eq!(on_board(&["Kleinwaldingen"], &["Austria"]), one(None, Some("AT")));
    assert_eq!(on_board(&["Remote"], &[]), vec![]);
    assert_eq!(on_board(&[], &[]), vec![]);
    assert_eq!(on_board(&["EMEA"], &[]), one(None, None), "a region is no town");
}

#[test]
fn a_namesake_town_abroad_is_not_our_city() {
    assert_eq!(places(&["London, Ontario, CAN"]), one(None, Some("CA")));
    assert_eq!(places(&["Birmingham, AL"]), one(None, Some("US")));
    assert_eq!(places(&["Paris, TX"]), one(None, Some("US")));
}

#[test]
fn several_locations_in_one_string_are_split_but_not_on_the_city_country_comma() {
    assert_eq!(
        places(&["London, UK; Dublin, IE | Munich, Germany"]),
        vec![
            (Some("london".into()), Some("GB".into())),
            (Some("dublin".into()), Some("IE".into())),
            (Some("munich".into()), Some("DE".into()))
        ]
    );
    assert_eq!(places(&["Berlin or Hamburg"]).len(), 2);
    assert_eq!(
        places(&["London, UK", "London, United Kingdom"]).len(),
        1,
        "the same place twice is one place"
    );
}

#[test]
fn remote_and_hybrid_words_in_locations_set_the_way_of_working() {
    let remote = placed(&["Remote - Germany"]);
    assert_eq!(remote.work_environment, Some(WorkEnvironment::Remote));
    assert_eq!(remote.remote_scope, RemoteScope::Countries(vec!["DE".into()]));
    assert_eq!(remote.locations[0].country.as_deref(), Some("DE"));

    let hybrid = placed(&["Hybrid (Amsterdam)"]);
    assert_eq!(hybrid.work_environment, Some(WorkEnvironment::Hybrid));
    assert_eq!(hybrid.remote_scope, RemoteScope::NotRemote);
    assert_eq!(hybrid.locations[0].city.as_deref(), Some("amsterdam"));

    let smartrecruiters = placed(&["Poland, REMOTE, Poland"]);
    assert_eq!(smartrecruiters.work_environment, Some(WorkEnvironment::Remote));
    assert_eq!(
        smartrecruiters.remote_scope,
        RemoteScope::Countries(vec!["PL".into()])
    );

    let canada = placed(&["Canada (Remote)"]);
    assert_eq!(canada.remote_scope, RemoteScope::Countries(vec!["CA".into()]));

    let bare = placed(&["Remote"]);
    assert_eq!(
        (bare.work_environment, bare.remote_scope),
        (Some(WorkEnvironment::Remote), RemoteScope::Unknown)
    );
    assert!(bare.locations.is_empty());

    let office = placed(&["London, UK"]);
    assert_eq!(
        (office.work_environment, office.remote_scope),
        (None, RemoteScope::NotRemote)
    );
}

#[test]
fn regions_expand_to_country_lists_from_the_taxonomy() {
    let taxonomy = Taxonomy::embedded();
    let eu: Vec<String> = taxonomy
        .countries
        .iter()
        .filter(|c| c.eu)
        .map(|c| c.code.clone())
        .collect();
    let scope = |raw: &[&str]| placed(raw).remote_scope;
    assert_eq!(scope(&["Remote - EU"]), RemoteScope::Countries(eu.clone()));
    assert_eq!(
        scope(&["Remote (DACH)"]),
        RemoteScope::Countries(vec!["DE".into(), "AT".into(), "CH".into()])
    );
    let emea = scope(&["EMEA (Remote)"]);
    let RemoteScope::Countries(emea) = emea else {
        panic!("EMEA is a list: {emea:?}")
    };
    assert!(emea.contains(&"GB".to_owned()) && emea.contains(&"DE".to_owned()));
    assert_eq!(scope(&["Remote - Worldwide"]), RemoteScope::Anywhere);

    let uki = placed(&["UK&I / Northern Europe"]);
    assert_eq!(uki.locations.len(), 2);
    assert!(
        uki.locations
            .iter()
            .all(|l| l.city.is_none() && l.country.is_none())
    );
}

#[test]
fn board_flags_and_hints_outrank_guesses_from_words() {
    let taxonomy = Taxonomy::embedded();
    let raw = |remote: Option<bool>, workplace: Option<&str>, countries: &[&str]| RawPosting {
        locations: vec!["Amsterdam, Netherlands".into()],
        remote,
        workplace: workplace.map(str::to_owned),
        countries: countries.iter().map(|c| (*c).to_owned()).collect(),
        ..RawPosting::default()
    };
    let ashby = place(&raw(Some(true), Some("Hybrid"), &[]), "Analyst", "", taxonomy);
    assert_eq!(
        ashby.work_environment,
        Some(WorkEnvironment::Hybrid),
        "a workplace field beats the remote flag"
    );
    let lever = place(&raw(None, Some("remote"), &[]), "Analyst", "", taxonomy);
    assert_eq!(lever.remote_scope, RemoteScope::Countries(vec!["NL".into()]));
    let onsite = place(&raw(None, Some("onsite"), &[]), "Analyst", "", taxonomy);
    assert_eq!(onsite.work_environment, Some(WorkEnvironment::Office));
    let unspecified = place(
        &raw(Some(false), Some("unspecified"), &[]),
        "Analyst",
        "",
        taxonomy,
    );
    assert_eq!(
        unspecified.work_environment, None,
        "'not remote' alone does not say office"
    );
    let titled = place(
        &raw(Some(false), None, &[]),
        "Project Manager - Remote (Germany)",
        "",
        taxonomy,
    );
    assert_eq!(
        titled.work_environment,
        Some(WorkEnvironment::Remote),
        "a default false flag does not beat the title"
    );

    let himalayas = RawPosting {
        remote: Some(true),
        countries: vec!["Austria".into(), "Germany".into(), "Switzerland".into()],
        ..RawPosting::default()
    };
    let placement = place(&himalayas, "Inside Sales Manager (m/w/d)", "", taxonomy);
    assert_eq!(
        placement.remote_scope,
        RemoteScope::Countries(vec!["AT".into(), "DE".into(), "CH".into()])
    );
    assert_eq!(placement.locations.len(), 3);

    let arbeitnow = RawPosting {
        locations: vec!["Cologne".into()],
        countries: vec!["DE".into()],
        ..RawPosting::default()
    };
    assert_eq!(
        place(&arbeitnow, "Analyst", "", taxonomy).locations[0]
            .country
            .as_deref(),
        Some("DE")
    );
}

#[test]
fn remote_notes_in_titles_count_only_after_a_separator() {
    let taxonomy = Taxonomy::embedded();
    let env = |title: &str| place(&RawPosting::default(), title, "", taxonomy).work_environment;
    assert_eq!(
        env("Pflichtpraktikum Marketing - Digital Health (m/f/x) - remote"),
        Some(WorkEnvironment::Remote)
    );
    assert_eq!(
        env("Full Stack Developer | Fulltime | 100% Remote possible"),
        Some(WorkEnvironment::Remote)
    );
    assert_eq!(
        env("Kundenbetreuer m/w/d 2 Tage Home Office mgl."),
        Some(WorkEnvironment::Hybrid)
    );
    assert_eq!(env("Hybrid Cloud Engineer"), None);
    assert_eq!(env("Remote Sensing Analyst"), None);
    let emea = place(
        &RawPosting::default(),
        "Senior Software Engineer, Storage - EMEA Remote",
        "",
        taxonomy,
    );
    assert!(matches!(emea.remote_scope, RemoteScope::Countries(ref c) if c.contains(&"FR".to_owned())));
}
