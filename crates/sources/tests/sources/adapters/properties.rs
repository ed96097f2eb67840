//! Properties: no adapter panics, whatever a server sends.

use jobping_sources::adapters::{SourceKind, parse};
use proptest::prelude::*;
use serde_json::Value;
use url::Url;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9 ./:-]{0,12}".prop_map(Value::String),
        Just(Value::String("1".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("title".to_owned()),
            Just("jobs".to_owned()),
            Just("data".to_owned()),
            Just("results".to_owned()),
            Just("content".to_owned()),
            Just("offers".to_owned()),
            Just("name".to_owned()),
            Just("position".to_owned()),
            Just("offset".to_owned()),
            Just("totalFound".to_owned()),
            Just("page_count".to_owned()),
            Just("count".to_owned()),
            Just("salary".to_owned()),
            Just("location".to_owned()),
            Just("links".to_owned()),
            Just("next".to_owned()),
            Just("compensation".to_owned()),
            Just("@type".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn page_url() -> Url {
    Url::parse("http://127.0.0.1:9000/v1/api/jobs/gb/search/1?offset=0&limit=10&page=0").expect("a URL")
}

proptest! {
    #[test]
    fn no_adapter_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for kind in SourceKind::ALL {
            let _ = parse(kind, "board", &body, &page_url());
        }
    }

    #[test]
    fn no_adapter_panics_on_arbitrary_markup(body in "(<[a-zA-Z:]{0,8}>|</[a-z:]{0,8}>|<!\\[CDATA\\[|\\]\\]>|&[a-z#0-9]{0,5};|[a-z {}\":,\\[\\]]){0,60}") {
        for kind in [SourceKind::Personio, SourceKind::Teamtailor, SourceKind::JsonLd] {
            let _ = parse(kind, "board", body.as_bytes(), &page_url());
        }
    }

    #[test]
    fn no_json_adapter_panics_on_arbitrary_json_values(value in any_json()) {
        let body = serde_json::to_vec(&value).expect("serializes");
        for kind in SourceKind::ALL {
            if let Ok(page) = parse(kind, "board", &body, &page_url()) {
                prop_assert!(page.postings.iter().all(|p| !p.external_id.is_empty() && !p.title.is_empty()));
            }
        }
    }

    #[test]
    fn a_posting_wrapped_in_any_jobs_array_either_parses_or_is_skipped(item in any_json()) {
        let body = serde_json::to_vec(&serde_json::json!({"jobs": [item]})).expect("serializes");
        for kind in [SourceKind::Greenhouse, SourceKind::Ashby, SourceKind::Remotive, SourceKind::Jobicy] {
            let page = parse(kind, "board", &body, &page_url()).expect("a jobs array is the right shape");
            prop_assert_eq!(page.postings.len() + page.skipped.len(), 1);
        }
    }
}
