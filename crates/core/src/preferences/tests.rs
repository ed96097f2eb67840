use serde_json::json;

use super::*;

fn raw(value: serde_json::Value) -> RawPreferences {
    serde_json::from_value(value).unwrap()
}

fn design_example() -> serde_json::Value {
    json!({
        "cities": ["berlin", "london"],
        "career_paths": ["data"],
        "roles": ["Data Analyst", "Business Intelligence Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en", "de"],
        "skills": ["sql", "python"],
        "keywords": ["fintech"],
        "excluded_companies": [],
        "start_date": "2026-09-01"
    })
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn the_design_example_parses_and_round_trips() {
    let taxonomy = Taxonomy::embedded();
    let prefs = Preferences::parse(&raw(design_example()), taxonomy).unwrap();
    assert_eq!(prefs.cities(), ["berlin", "london"]);
    assert_eq!(prefs.career_paths(), [CareerPath::Data]);
    assert_eq!(prefs.experience(), Experience::None);
    assert_eq!(prefs.visa(), Visa::Sponsorship);
    assert_eq!(prefs.start_date().unwrap().to_string(), "2026-09-01");
    assert_eq!(serde_json::to_value(&prefs).unwrap(), design_example());
    assert_eq!(Preferences::parse(&prefs.to_raw(), taxonomy).unwrap(), prefs);
}

#[test]
fn every_bad_field_is_named_at_once() {
    let bad = raw(json!({
        "cities": ["berlin", "atlantis", "paris", "rome"],
        "career_paths": ["data", "astrology"],
        "entry_levels": [],
        "experience": "ten years",
        "work_environments": ["office", "office"],
        "languages": ["klingon"],
        "start_date": "next spring"
    }));
    let errors = Preferences::parse(&bad, Taxonomy::embedded()).unwrap_err();
    let named = fields(&errors);
    for field in [
        "cities[1]",
        "cities",
        "career_paths[1]",
        "entry_levels",
        "experience",
        "work_environments[1]",
        "visa",
        "languages[0]",
        "start_date",
    ] {
        assert!(named.contains(&field), "{field} missing from {named:?}");
    }
    let city = errors.iter().find(|e| e.field == "cities[1]").unwrap();
    assert_eq!(city.message, "`atlantis` is not a city JobPing covers");
    let experience = errors.iter().find(|e| e.field == "experience").unwrap();
    assert!(
        experience.message.contains("none, 6m, 1y, 1-2y, 2y, 3y+"),
        "{}",
        experience.message
    );
}

#[test]
fn slugs_and_codes_are_case_insensitive_and_text_is_tidied() {
    let mut value = design_example();
    value["cities"] = json!([" Berlin "]);
    value["visa"] = json!("EU");
    value["roles"] = json!(["  Data   Analyst "]);
    let prefs = Preferences::parse(&raw(value), Taxonomy::embedded()).unwrap();
    assert_eq!(prefs.cities(), ["berlin"]);
    assert_eq!(prefs.visa(), Visa::Eu);
    assert_eq!(prefs.roles(), ["Data Analyst"]);
}

#[test]
fn unknown_fields_are_refused_by_the_raw_shape() {
    let err = serde_json::from_value::<RawPreferences>(json!({"cities": ["berlin"], "tier": "premium"}))
        .unwrap_err();
    assert!(err.to_string().contains("unknown field `tier`"), "{err}");
}

#[test]
fn long_and_empty_free_text_entries_are_refused() {
    let mut value = design_example();
    value["skills"] = json!(["", "x".repeat(51)]);
    let errors = Preferences::parse(&raw(value), Taxonomy::embedded()).unwrap_err();
    assert_eq!(fields(&errors), ["skills[0]", "skills[1]"]);
}

#[test]
fn a_salary_floor_reads_common_spellings_and_names_bad_ones() {
    let taxonomy = Taxonomy::embedded();
    let with = |floor: &str| {
        let mut value = design_example();
        value["salary_floor"] = json!(floor);
        Preferences::parse(&raw(value), taxonomy)
    };
    for spelling in [
        "30000 EUR",
        "30,000 eur",
        "30.000 EUR",
        "EUR 30000",
        " 30'000  EUR ",
    ] {
        let prefs = with(spelling).unwrap();
        let floor = prefs.salary_floor().unwrap();
        assert_eq!(
            (floor.annual, floor.currency.as_str()),
            (30_000, "EUR"),
            "{spelling}"
        );
        assert_eq!(prefs.to_raw().salary_floor.as_deref(), Some("30000 EUR"));
        assert_eq!(serde_json::to_value(&prefs).unwrap()["salary_floor"], "30000 EUR");
    }
    assert_eq!(with("").unwrap().salary_floor(), None);
    for bad in [
        "thirty thousand",
        "30000",
        "30000 euros",
        "500 EUR",
        "-3000 EUR",
        "2000000 GBP",
    ] {
        let errors = with(bad).unwrap_err();
        assert_eq!(fields(&errors), ["salary_floor"], "{bad}");
    }
}
