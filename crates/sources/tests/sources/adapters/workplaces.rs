//! How each company board's own workplace fields reach `RawPosting::workplace`.

use jobping_sources::adapters::{SourceKind, parse};

use super::url;

/// The workplace each posting of a payload is read with, in order.
fn workplaces(kind: SourceKind, board: &str, body: &str, page_url: &str) -> Vec<Option<String>> {
    let page = parse(kind, board, body.as_bytes(), &url(page_url)).expect("a page");
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    page.postings.into_iter().map(|p| p.workplace).collect()
}

#[test]
fn recruitee_flags_are_the_ways_of_working_an_offer_accepts() {
    let body = r#"{"offers":[
        {"id":1,"title":"Redakteur","remote":true,"hybrid":true,"on_site":false},
        {"id":2,"title":"Projektleitung","remote":false,"hybrid":true,"on_site":true},
        {"id":3,"title":"Lagerist","remote":false,"hybrid":false,"on_site":true},
        {"id":4,"title":"Assistenz","remote":true,"hybrid":false,"on_site":true},
        {"id":5,"title":"Praktikum","remote":false,"hybrid":false,"on_site":false}
    ]}"#;
    assert_eq!(
        workplaces(
            SourceKind::Recruitee,
            "kieselstein",
            body,
            "https://kieselstein.recruitee.com/api/offers/"
        ),
        [
            Some("remote".to_owned()),
            Some("hybrid".to_owned()),
            Some("on_site".to_owned()),
            Some("hybrid".to_owned()),
            None,
        ]
    );
}

#[test]
fn smartrecruiters_without_remote_or_hybrid_is_on_site_only_when_both_flags_are_sent() {
    let body = r#"{"offset":0,"limit":10,"totalFound":4,"content":[
        {"id":"1","name":"Tester","location":{"city":"Gdańsk","country":"pl","remote":false,"hybrid":false}},
        {"id":"2","name":"Analyst","location":{"city":"Gdańsk","country":"pl","remote":false,"hybrid":true}},
        {"id":"3","name":"Consultant","location":{"city":"Brno","country":"cz","remote":true,"hybrid":false}},
        {"id":"4","name":"Engineer","location":{"city":"Brno","country":"cz","remote":false}}
    ]}"#;
    assert_eq!(
        workplaces(
            SourceKind::SmartRecruiters,
            "Bursztyn",
            body,
            "http://127.0.0.1:9000/v1/companies/Bursztyn/postings?limit=10&offset=0"
        ),
        [
            Some("onsite".to_owned()),
            Some("hybrid".to_owned()),
            Some("remote".to_owned()),
            None,
        ]
    );
}

#[test]
fn greenhouse_reads_the_workplace_custom_field_under_its_common_names() {
    let body = r#"{"jobs":[
        {"id":1,"title":"Host Success Manager","metadata":[{"name":"Workplace Type","value":"Hybrid","value_type":"single_select"}]},
        {"id":2,"title":"Data Engineer","metadata":[{"name":"location type","value":"Remote","value_type":"single_select"}]},
        {"id":3,"title":"Analyst","metadata":[{"name":"Team","value":"Remote Ops","value_type":"single_select"}]}
    ]}"#;
    assert_eq!(
        workplaces(
            SourceKind::Greenhouse,
            "lindenhof",
            body,
            "http://127.0.0.1:9000/v1/boards/lindenhof/jobs?content=true"
        ),
        [Some("Hybrid".to_owned()), Some("Remote".to_owned()), None]
    );
}
