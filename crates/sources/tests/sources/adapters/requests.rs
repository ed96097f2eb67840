//! Source kinds as data: names, static facts, first requests and the page cap.

use jobping_sources::adapters::{Boards, Crawl, KeyKind, Page, RequestError, RequestSettings, SourceKind};

use super::url;

#[test]
fn every_kind_reads_back_from_its_settings_name_and_serde_form() {
    for kind in SourceKind::ALL {
        assert_eq!(kind.as_str().parse::<SourceKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.as_str());
        let json = serde_json::to_string(&kind).expect("serializes");
        assert_eq!(json, format!("\"{kind}\""));
        assert_eq!(
            serde_json::from_str::<SourceKind>(&json).expect("deserializes"),
            kind
        );
        assert_eq!(kind.info().kind, kind);
    }
    assert!("monster".parse::<SourceKind>().is_err());
    let names: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names.join(","),
        "greenhouse,lever,ashby,workable,smartrecruiters,recruitee,personio,teamtailor,\
        remoteok,arbeitnow,himalayas,themuse,adzuna,reed,jsonld,remotive,jobicy"
    );
}

#[test]
fn only_remotive_and_jobicy_are_off_by_default_and_they_say_why() {
    for kind in SourceKind::ALL {
        let info = kind.info();
        let off = matches!(kind, SourceKind::Remotive | SourceKind::Jobicy);
        assert_eq!(info.enabled_by_default, !off, "{kind}");
        assert_eq!(info.disabled_reason.is_some(), off, "{kind}");
        assert!(!info.attribution.is_empty(), "{kind}");
        assert!(
            info.min_poll_interval.as_secs() >= 3600,
            "{kind} polls at most hourly"
        );
        assert!(info.max_pages >= 1);
    }
    assert!(
        SourceKind::Remotive
            .info()
            .disabled_reason
            .unwrap()
            .contains("forbid")
    );
    assert!(SourceKind::RemoteOk.info().attribution.contains("link back"));
}

#[test]
fn aggregators_take_no_boards_and_keyed_sources_name_their_keys() {
    for kind in [
        SourceKind::RemoteOk,
        SourceKind::Arbeitnow,
        SourceKind::Himalayas,
        SourceKind::TheMuse,
    ] {
        assert_eq!(kind.info().boards, Boards::None, "{kind}");
    }
    assert_eq!(SourceKind::Adzuna.info().keys, KeyKind::AppIdAndKey);
    assert_eq!(SourceKind::Reed.info().keys, KeyKind::BasicAuthKey);
    assert_eq!(SourceKind::Greenhouse.info().keys, KeyKind::None);
}

#[test]
fn a_base_url_replaces_only_the_host_and_keeps_the_api_path() {
    let base = url("http://127.0.0.1:9000");
    let request = SourceKind::Greenhouse
        .first_request(Some(&base), "monzo", &RequestSettings::default())
        .unwrap();
    assert_eq!(
        request.url.as_str(),
        "http://127.0.0.1:9000/v1/boards/monzo/jobs?content=true"
    );
    assert_eq!(request.basic_auth, None);
}

#[test]
fn default_first_pages_point_at_each_api() {
    let s = RequestSettings::default();
    let first = |kind: SourceKind, board: &str| kind.first_request(None, board, &s).unwrap().url.to_string();
    assert_eq!(
        first(SourceKind::Greenhouse, "monzo"),
        "https://boards-api.greenhouse.io/v1/boards/monzo/jobs?content=true"
    );
    assert_eq!(
        first(SourceKind::Lever, "palantir"),
        "https://api.lever.co/v0/postings/palantir?mode=json"
    );
    assert_eq!(
        first(SourceKind::Ashby, "lumengrid"),
        "https://api.ashbyhq.com/posting-api/job-board/lumengrid?includeCompensation=true"
    );
    assert_eq!(
        first(SourceKind::Workable, "tulipa"),
        "https://apply.workable.com/api/v1/widget/accounts/tulipa?details=true"
    );
    assert_eq!(
        first(SourceKind::SmartRecruiters, "VinoVerde"),
        "https://api.smartrecruiters.com/v1/companies/VinoVerde/postings?limit=100&offset=0"
    );
    assert_eq!(
        first(SourceKind::Recruitee, "nordlicht"),
        "https://nordlicht.recruitee.com/api/offers/"
    );
    assert_eq!(
        first(SourceKind::Personio, "alpenwerk"),
        "https://alpenwerk.jobs.personio.de/xml"
    );
    assert_eq!(
        first(SourceKind::Teamtailor, "skarholmen"),
        "https://skarholmen.teamtailor.com/jobs.rss"
    );
    assert_eq!(first(SourceKind::RemoteOk, ""), "https://remoteok.com/api");
    assert_eq!(
        first(SourceKind::Arbeitnow, ""),
        "https://www.arbeitnow.com/api/job-board-api"
    );
    assert_eq!(
        first(SourceKind::Himalayas, ""),
        "https://himalayas.app/jobs/api?limit=20&offset=0"
    );
    assert_eq!(
        first(SourceKind::TheMuse, ""),
        "https://www.themuse.com/api/public/jobs?page=0"
    );
    assert_eq!(
        first(SourceKind::Remotive, ""),
        "https://remotive.com/api/remote-jobs"
    );
    assert_eq!(
        first(SourceKind::Jobicy, ""),
        "https://jobicy.com/api/v2/remote-jobs?count=50"
    );
    assert_eq!(
        first(SourceKind::JsonLd, "https://careers.example.eu/jobs"),
        "https://careers.example.eu/jobs"
    );
}

#[test]
fn lever_eu_boards_use_the_eu_host() {
    let s = RequestSettings {
        eu: true,
        ..RequestSettings::default()
    };
    let request = SourceKind::Lever
        .first_request(None, "helsinki-labs", &s)
        .unwrap();
    assert_eq!(
        request.url.as_str(),
        "https://api.eu.lever.co/v0/postings/helsinki-labs?mode=json"
    );
}

#[test]
fn a_company_host_source_with_a_base_url_uses_that_host() {
    let base = url("http://127.0.0.1:9100");
    let s = RequestSettings {
        query: vec![("language".into(), "en".into())],
        ..RequestSettings::default()
    };
    let personio = SourceKind::Personio
        .first_request(Some(&base), "alpenwerk", &s)
        .unwrap();
    assert_eq!(personio.url.as_str(), "http://127.0.0.1:9100/xml?language=en");
    let jsonld = SourceKind::JsonLd.first_request(Some(&base), "https://careers.example.eu/jobs?team=x", &s);
    assert_eq!(
        jsonld.unwrap().url.as_str(),
        "http://127.0.0.1:9100/jobs?team=x&language=en"
    );
}

#[test]
fn adzuna_needs_its_keys_and_puts_the_search_in_the_query() {
    let missing = SourceKind::Adzuna.first_request(None, "gb", &RequestSettings::default());
    assert!(matches!(
        missing,
        Err(RequestError::MissingSetting {
            setting: "app_id",
            ..
        })
    ));
    let s = RequestSettings {
        app_id: Some("id1".into()),
        api_key: Some("key1".into()),
        keywords: Some("graduate analyst".into()),
        location: Some("Manchester".into()),
        ..RequestSettings::default()
    };
    let request = SourceKind::Adzuna.first_request(None, "GB", &s).unwrap();
    assert_eq!(
        request.url.as_str(),
        "https://api.adzuna.com/v1/api/jobs/gb/search/1?app_id=id1&app_key=key1&results_per_page=50\
         &what=graduate+analyst&where=Manchester&content-type=application%2Fjson"
    );
    assert!(
        SourceKind::Adzuna
            .first_request(None, "great-britain", &s)
            .is_err()
    );
}

#[test]
fn reed_sends_its_key_as_the_basic_auth_user_and_never_prints_it() {
    assert!(
        SourceKind::Reed
            .first_request(None, "", &RequestSettings::default())
            .is_err()
    );
    let s = RequestSettings {
        api_key: Some("reed-secret".into()),
        keywords: Some("trainee".into()),
        ..Default::default()
    };
    let request = SourceKind::Reed.first_request(None, "", &s).unwrap();
    assert_eq!(
        request.url.as_str(),
        "https://www.reed.co.uk/api/1.0/search?keywords=trainee&resultsToTake=100&resultsToSkip=0"
    );
    let auth = request.basic_auth.expect("basic auth");
    assert_eq!(
        (auth.username.as_str(), auth.password.as_deref()),
        ("reed-secret", None)
    );
    assert!(!format!("{auth:?} {s:?}").contains("reed-secret"));
}

#[test]
fn boards_that_could_escape_the_path_or_host_are_refused() {
    let s = RequestSettings::default();
    for (kind, board) in [
        (SourceKind::Greenhouse, "../admin"),
        (SourceKind::Greenhouse, "a/b"),
        (SourceKind::Greenhouse, ""),
        (SourceKind::Recruitee, "evil.com/x"),
        (SourceKind::Personio, "a.b"),
        (SourceKind::JsonLd, "file:///etc/passwd"),
    ] {
        let result = kind.first_request(None, board, &s);
        assert!(
            matches!(result, Err(RequestError::InvalidBoard { .. })),
            "{kind} {board:?}: {result:?}"
        );
    }
}

fn page_with_next(next: &str) -> Page {
    Page {
        next: Some(url(next)),
        ..Page::default()
    }
}

#[test]
fn a_crawl_stops_at_the_page_cap_on_repeats_and_off_host_links() {
    let first = url("http://127.0.0.1:9000/api/job-board-api");
    let mut crawl = Crawl::new(&first, 3);
    assert_eq!(
        crawl
            .next(&page_with_next("http://127.0.0.1:9000/api/job-board-api?page=2"))
            .map(|u| u.to_string()),
        Some("http://127.0.0.1:9000/api/job-board-api?page=2".to_owned())
    );
    assert_eq!(
        crawl.next(&page_with_next("http://127.0.0.1:9000/api/job-board-api?page=2")),
        None,
        "a repeat"
    );
    assert_eq!(
        crawl.next(&page_with_next("https://elsewhere.example/api?page=3")),
        None,
        "another host"
    );
    assert!(
        crawl
            .next(&page_with_next("http://127.0.0.1:9000/api/job-board-api?page=3"))
            .is_some()
    );
    assert_eq!(
        crawl.next(&page_with_next("http://127.0.0.1:9000/api/job-board-api?page=4")),
        None,
        "the cap"
    );
    assert_eq!(crawl.pages(), 3);
    assert_eq!(crawl.next(&Page::default()), None);
}
