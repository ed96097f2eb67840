//! End-to-end tests of `normalize`: one posting built by hand with every field checked,
//! rejections, and a property test that no input makes it panic.

use proptest::prelude::*;
use time::macros::datetime;

use super::{Rejected, content_hash, fingerprint, normalize, posting_hash};
use crate::posting::{RawPosting, RawSalary};
use crate::taxonomy::Taxonomy;
use crate::vocab::{CareerPath, WorkEnvironment};
use crate::{EmploymentType, Job, JobLevel, JobLocation, RemoteScope, Salary, SalaryPeriod, VisaSignal};

const NOW: time::OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

fn greenhouse_like() -> RawPosting {
    RawPosting {
        source: "greenhouse".into(),
        board: "northwind".into(),
        external_id: "4012345".into(),
        title: " Junior Data Analyst (m/w/d) ".into(),
        company: "Northwind Analytics GmbH".into(),
        url: "https://boards.example.com/northwind/jobs/4012345".into(),
        apply_url: Some("https://boards.example.com/northwind/jobs/4012345#app".into()),
        locations: vec!["Berlin, Germany | Hybrid (München)".into()],
        countries: vec![],
        board_country: None,
        remote: None,
        workplace: Some("hybrid".into()),
        department: Some("Data & Insights".into()),
        employment_type: Some("Full-time".into()),
        seniority: None,
        description_html: Some(
            "&lt;p&gt;Northwind builds forecasting tools for retailers across Europe and helps them plan stock.&lt;/p&gt;\
             &lt;h3&gt;What you bring&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;1+ years of experience with SQL and Python&lt;/li&gt;\
             &lt;li&gt;Fluent German and English&lt;/li&gt;&lt;/ul&gt;\
             &lt;p&gt;You must have the right to work in Germany; we are unable to offer visa sponsorship.&lt;/p&gt;\
             &lt;script&gt;track()&lt;/script&gt;"
                .into(),
        ),
        description_text: None,
        salary: Some(RawSalary {
            min: Some(52000.0),
            max: Some(46000.0),
            currency: Some("€".into()),
            period: Some("YEAR".into()),
            text: None,
        }),
        posted_at: Some(datetime!(2026-11-18 09:30 UTC)),
        valid_through: Some(datetime!(2026-12-31 23:59 UTC)),
        language: Some("en".into()),
        tags: vec!["data".into()],
    }
}

#[test]
fn a_hand_built_posting_is_normalized_in_every_field() {
    let job = normalize(&greenhouse_like(), Taxonomy::embedded(), NOW).expect("a valid posting");
    let expected = Job {
        source: "greenhouse".into(),
        board: "northwind".into(),
        external_id: "4012345".into(),
        title: "Junior Data Analyst (m/w/d)".into(),
        company: "Northwind Analytics GmbH".into(),
        url: "https://boards.example.com/northwind/jobs/4012345".into(),
        apply_url: Some("https://boards.example.com/northwind/jobs/4012345#app".into()),
        locations: vec![
            JobLocation { city: Some("berlin".into()), country: Some("DE".into()), raw: "Berlin, Germany".into() },
            JobLocation { city: Some("munich".into()), country: Some("DE".into()), raw: "Hybrid (München)".into() },
        ],
        work_environment: Some(WorkEnvironment::Hybrid),
        remote_scope: RemoteScope::NotRemote,
        level: JobLevel::Junior,
        min_years_experience: Some(1),
        career_paths: vec![CareerPath::Data],
        department: Some("Data & Insights".into()),
        visa: VisaSignal::NoSponsorship,
        languages_required: vec!["de".into(), "en".into()],
        description_language: Some("en".into()),
        salary: Some(Salary {
            min: Some(46000.0),
            max: Some(52000.0),
            currency: "EUR".into(),
            period: SalaryPeriod::Year,
            annual_min: Some(46000.0),
            annual_max: Some(52000.0),
        }),
        employment_type: EmploymentType::FullTime,
        posted_at: Some(datetime!(2026-11-18 09:30 UTC)),
        valid_through: Some(datetime!(2026-12-31 23:59 UTC)),
        description_text: "Northwind builds forecasting tools for retailers across Europe and helps them plan stock.\n\
                           What you bring\n1+ years of experience with SQL and Python\nFluent German and English\n\
                           You must have the right to work in Germany; we are unable to offer visa sponsorship."
            .into(),
        description_html: "<p>Northwind builds forecasting tools for retailers across Europe and helps them plan stock.</p>\
                           <h3>What you bring</h3><ul><li>1+ years of experience with SQL and Python</li>\
                           <li>Fluent German and English</li></ul>\
                           <p>You must have the right to work in Germany; we are unable to offer visa sponsorship.</p>"
            .into(),
        fingerprint: fingerprint("Northwind Analytics", "junior data analyst", "berlin"),
    };
    assert_eq!(job, expected);
}

#[test]
fn postings_without_identity_are_rejected_with_the_reason() {
    let taxonomy = Taxonomy::embedded();
    let with = |change: fn(&mut RawPosting)| {
        let mut raw = greenhouse_like();
        change(&mut raw);
        normalize(&raw, taxonomy, NOW).unwrap_err()
    };
    assert_eq!(with(|r| r.title = "   ".into()), Rejected::MissingTitle);
    assert_eq!(with(|r| r.company = String::new()), Rejected::MissingCompany);
    assert_eq!(with(|r| r.url = String::new()), Rejected::MissingUrl);
    assert_eq!(with(|r| r.external_id = " ".into()), Rejected::MissingExternalId);
    assert_eq!(
        with(|r| r.url = "javascript:alert(1)".into()),
        Rejected::UnsupportedUrl("javascript:alert(1)".into())
    );
    assert_eq!(
        with(|r| r.url = "ftp://example.com/job".into()),
        Rejected::UnsupportedUrl("ftp://example.com/job".into())
    );
}

#[test]
fn a_sparse_posting_says_unknown_in_every_optional_field() {
    let raw = RawPosting {
        source: "remoteok".into(),
        external_id: "1".into(),
        title: "Wild Card".into(),
        company: "Fictional Co".into(),
        url: "http://example.com/1".into(),
        apply_url: Some("mailto:jobs@example.com".into()),
        salary: Some(RawSalary {
            min: Some(0.0),
            max: Some(0.0),
            ..RawSalary::default()
        }),
        posted_at: Some(datetime!(2027-06-01 00:00 UTC)),
        ..RawPosting::default()
    };
    let job = normalize(&raw, Taxonomy::embedded(), NOW).unwrap();
    assert_eq!(job.apply_url, None);
    assert!(job.locations.is_empty());
    assert_eq!(
        (job.work_environment, job.remote_scope),
        (None, RemoteScope::NotRemote)
    );
    assert_eq!((job.level, job.min_years_experience), (JobLevel::Unknown, None));
    assert!(job.career_paths.is_empty() && job.languages_required.is_empty());
    assert_eq!(
        (job.visa, job.employment_type),
        (VisaSignal::Unknown, EmploymentType::Unknown)
    );
    assert_eq!(
        (job.salary, job.description_language, job.department),
        (None, None, None)
    );
    assert_eq!(
        job.posted_at, None,
        "a posting date in the future is a board error"
    );
    assert_eq!(
        (job.description_text.as_str(), job.description_html.as_str()),
        ("", "")
    );
    assert_eq!(job.fingerprint, fingerprint("Fictional Co", "Wild Card", ""));
}

#[test]
fn real_looking_postings_from_several_boards_read_right() {
    let taxonomy = Taxonomy::embedded();
    let posting = |title: &str, location: &str, employment: Option<&str>| RawPosting {
        source: "test".into(),
        external_id: "x".into(),
        title: title.into(),
        company: "Fictional Co".into(),
        url: "https://example.com/x".into(),
        locations: vec![location.into()],
        employment_type: employment.map(str::to_owned),
        ..RawPosting::default()
    };
    for (title, location, employment, level, city, path) in [
        (
            "Werkstudent*in (w/m/d) Finance",
            "Nürnberg, Germany",
            None,
            JobLevel::Internship,
            None,
            Some(CareerPath::Finance),
        ),
        (
            "IT Internship",
            "München",
            Some("Internship"),
            JobLevel::Internship,
            Some("munich"),
            Some(CareerPath::Tech),
        ),
        (
            "Graduate Frontend Engineer",
            "London, UK",
            None,
            JobLevel::Graduate,
            Some("london"),
            Some(CareerPath::Tech),
        ),
        (
            "Senior Sales Manager (all genders)",
            "Berlin",
            Some("Vollzeit"),
            JobLevel::Senior,
            Some("berlin"),
            Some(CareerPath::Sales),
        ),
        (
            "Account Executive - UK&I / Northern Europe",
            "London, United Kingdom",
            Some("Full-time"),
            JobLevel::Unknown,
            Some("london"),
            Some(CareerPath::Sales),
        ),
        (
            "Stage - Assistant(e) Marketing H/F",
            "Paris, France",
            Some("INTERN, FULL_TIME"),
            JobLevel::Internship,
            Some("paris"),
            Some(CareerPath::Marketing),
        ),
    ] {
        let job = normalize(&posting(title, location, employment), taxonomy, NOW).unwrap();
        assert_eq!(job.level, level, "{title}");
        assert_eq!(
            job.locations.first().and_then(|l| l.city.as_deref()),
            city,
            "{title}"
        );
        assert_eq!(job.career_paths.first().copied(), path, "{title}");
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9äöüßéÃ¼Å€£$%&;#<>/()|,.+-]{0,80}",
        Just("&lt;p&gt;x&lt;/p&gt;<".to_owned()),
    ]
}

fn maybe_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn raw_posting() -> impl Strategy<Value = RawPosting> {
    let salary = proptest::option::of(
        (
            proptest::option::of(any::<f64>()),
            proptest::option::of(any::<f64>()),
            maybe_text(),
            maybe_text(),
            maybe_text(),
        )
            .prop_map(|(min, max, currency, period, text)| RawSalary {
                min,
                max,
                currency,
                period,
                text,
            }),
    );
    let identity = (text(), text(), text(), text(), text(), text(), maybe_text());
    let place = (
        proptest::collection::vec(text(), 0..4),
        proptest::collection::vec(text(), 0..3),
        proptest::option::of(any::<bool>()),
        maybe_text(),
        maybe_text(),
        maybe_text(),
        maybe_text(),
    );
    let content = (
        maybe_text(),
        maybe_text(),
        salary,
        maybe_text(),
        proptest::collection::vec(text(), 0..2),
    );
    (identity, place, content).prop_map(|(identity, place, content)| {
        let (source, board, external_id, title, company, url, apply_url) = identity;
        let (locations, countries, remote, workplace, department, employment_type, seniority) = place;
        let (description_html, description_text, salary, language, tags) = content;
        RawPosting {
            source,
            board,
            external_id,
            title,
            company,
            url: format!("https://example.com/{url}"),
            apply_url,
            locations,
            countries,
            board_country: None,
            remote,
            workplace,
            department,
            employment_type,
            seniority,
            description_html,
            description_text,
            salary,
            posted_at: None,
            valid_through: None,
            language,
            tags,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn normalize_never_panics_on_arbitrary_strings_in_every_field(raw in raw_posting()) {
        if let Ok(job) = normalize(&raw, Taxonomy::embedded(), NOW) {
            if let Some(salary) = job.salary {
                prop_assert!(salary.min.zip(salary.max).is_none_or(|(lo, hi)| lo <= hi));
            }
            prop_assert_eq!(job.fingerprint.len(), 16);
        }
    }
}

#[test]
fn a_town_outside_our_cities_places_the_fingerprint_so_boards_agree_and_offices_stay_apart() {
    let taxonomy = Taxonomy::embedded();
    let at = |source: &str, locations: &[&str], countries: &[&str]| {
        let raw = RawPosting {
            source: source.into(),
            external_id: "x".into(),
            title: "Junior Backend Engineer".into(),
            company: "Fictional Co GmbH".into(),
            url: "https://example.com/x".into(),
            locations: locations.iter().map(|l| (*l).to_owned()).collect(),
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
            ..RawPosting::default()
        };
        normalize(&raw, taxonomy, NOW)
            .expect("a whole posting")
            .fingerprint
    };
    // Personio names only the office; a career page adds the country; Greenhouse the
    // country's name; a hybrid note does not change the place.
    let frankfurt = at("personio", &["Frankfurt"], &[]);
    assert_eq!(frankfurt, at("jsonld", &["Frankfurt, DE"], &[]));
    assert_eq!(frankfurt, at("greenhouse", &["Frankfurt, Germany"], &[]));
    assert_eq!(frankfurt, at("lever", &["Hybrid (Frankfurt)"], &[]));
    assert_eq!(frankfurt, at("jsonld", &["Frankfurt"], &["DE"]));
    // Two offices of one company in one country are two jobs.
    assert_ne!(frankfurt, at("greenhouse", &["Köln, Germany"], &[]));
    // A posting that names only the country is not known to be the Frankfurt one.
    assert_ne!(frankfurt, at("greenhouse", &["Germany"], &[]));
    assert_eq!(at("greenhouse", &["Germany"], &[]), at("jsonld", &[], &["DE"]));
    // Our own cities still place by slug, whatever the spelling.
    assert_eq!(
        at("greenhouse", &["München, Germany"], &[]),
        at("jsonld", &["Munich"], &[])
    );
}

#[test]
fn a_posting_hash_changes_with_what_the_board_sent_and_with_the_taxonomy() {
    let taxonomy = Taxonomy::embedded();
    let raw = greenhouse_like();
    assert_eq!(posting_hash(&raw, taxonomy), posting_hash(&raw.clone(), taxonomy));
    assert_eq!(posting_hash(&raw, taxonomy).len(), 16);
    let mut edited = raw.clone();
    edited.description_html = Some(format!(
        "{}<p>Now with a salary.</p>",
        edited.description_html.unwrap_or_default()
    ));
    assert_ne!(posting_hash(&raw, taxonomy), posting_hash(&edited, taxonomy));
    let mut moved = raw.clone();
    moved.locations = vec!["Wien".into()];
    assert_ne!(posting_hash(&raw, taxonomy), posting_hash(&moved, taxonomy));
    // Each field is framed: text moved from one field to the next is a change.
    let mut shifted = raw.clone();
    shifted.title.push_str(&shifted.company);
    shifted.company = String::new();
    let mut emptied = raw.clone();
    emptied.title.push_str(&emptied.company);
    emptied.company = String::new();
    emptied
        .company
        .push_str(&emptied.title[emptied.title.len() - 1..]);
    emptied.title.pop();
    assert_ne!(posting_hash(&shifted, taxonomy), posting_hash(&emptied, taxonomy));
    let (mut unset, mut not_remote) = (raw.clone(), raw.clone());
    unset.remote = None;
    not_remote.remote = Some(false);
    assert_ne!(
        posting_hash(&unset, taxonomy),
        posting_hash(&not_remote, taxonomy)
    );
    let (mut none, mut empty) = (raw.clone(), raw.clone());
    none.department = None;
    empty.department = Some(String::new());
    assert_ne!(posting_hash(&none, taxonomy), posting_hash(&empty, taxonomy));
    // Another taxonomy may read the same posting differently.
    let text = include_str!("../../data/taxonomy.toml");
    let other = Taxonomy::parse(&format!("{text}\n# revised\n")).expect("still valid");
    assert_ne!(posting_hash(&raw, taxonomy), posting_hash(&raw, &other));
}

#[test]
fn content_hashes_are_xxh3_so_stored_hashes_survive_a_rebuild() {
    // Test vectors of the XXH3 specification (64 bits, seed 0): a hash stored by one
    // build must equal the one the next build computes.
    assert_eq!(content_hash(b""), "2d06800538d394c2");
    assert_ne!(content_hash(b"a"), content_hash(b"b"));
    assert_eq!(content_hash(&[b'x'; 5000]).len(), 16);
}
