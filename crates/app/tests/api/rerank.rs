//! Re-ranking through an OpenAI-compatible service, played by wiremock on loopback.

use std::time::{Duration, Instant};

use jobping::rerank::{RerankMode, RerankSettings, Reranker};
use jobping_core::matching::{IndexedJob, Label, Match};
use jobping_core::normalize::normalize;
use jobping_core::{Preferences, RawPosting, RawPreferences, Taxonomy};
use serde_json::{Value, json};
use time::OffsetDateTime;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-4f9c2b7e1d";
const TIMEOUT: Duration = Duration::from_millis(200);
const COOLDOWN: Duration = Duration::from_millis(300);

fn job(id: i64, title: &str, company: &str, description: &str) -> IndexedJob {
    let now = OffsetDateTime::now_utc();
    let raw = RawPosting {
        source: "greenhouse".into(),
        board: "test".into(),
        external_id: id.to_string(),
        title: title.into(),
        company: company.into(),
        url: format!("https://boards.example/{id}"),
        locations: vec!["Berlin, Germany".into()],
        description_text: Some(description.into()),
        posted_at: Some(now - time::Duration::days(1)),
        ..RawPosting::default()
    };
    IndexedJob {
        id,
        job: normalize(&raw, Taxonomy::embedded(), now).expect("a valid posting"),
        first_seen_at: now,
        active: true,
    }
}

fn jobs() -> Vec<IndexedJob> {
    vec![
        job(
            1,
            "Graduate Business Analyst",
            "Brightpath",
            "Graduate programme in Berlin.",
        ),
        job(
            2,
            "Junior Marketing Associate",
            "Nordwind",
            "Campaigns and social media.",
        ),
        job(
            3,
            "Junior Data Analyst",
            "Fjordpay",
            "SQL and Python dashboards for the payments team.",
        ),
        job(4, "Graduate Analyst", "Lumen", "Rotations across the business."),
    ]
}

/// Matches best first by the built-in score: 90, 80, 70, 60.
fn candidates(jobs: &[IndexedJob]) -> Vec<(Match, &IndexedJob)> {
    jobs.iter()
        .enumerate()
        .map(|(i, job)| {
            let score = 90 - 10 * i as u8;
            let found = Match {
                job_id: job.id,
                score,
                label: Label::for_score(score),
                reasons: vec![format!("{} in Berlin", job.job.title)],
            };
            (found, job)
        })
        .collect()
}

fn ids(matches: &[Match]) -> Vec<i64> {
    matches.iter().map(|m| m.job_id).collect()
}

pub(crate) fn preferences() -> Preferences {
    let raw = RawPreferences {
        cities: vec!["berlin".into()],
        career_paths: vec!["data".into()],
        roles: vec!["Data Analyst".into()],
        entry_levels: vec!["graduate".into(), "entry".into()],
        experience: Some("none".into()),
        work_environments: vec!["office".into(), "hybrid".into()],
        visa: Some("sponsorship".into()),
        languages: vec!["en".into()],
        skills: vec!["sql".into(), "python".into()],
        ..RawPreferences::default()
    };
    Preferences::parse(&raw, Taxonomy::embedded()).expect("valid preferences")
}

fn settings(server: &MockServer, mode: RerankMode) -> RerankSettings {
    RerankSettings {
        enabled: true,
        mode,
        base_url: Url::parse(&format!("{}/v1", server.uri())).unwrap(),
        model: "text-embedding-3-small".into(),
        api_key: Some(KEY.into()),
        timeout_ms: TIMEOUT.as_millis() as u64,
        max_candidates: 30,
        failure_threshold: 3,
        cooldown_seconds: 60,
    }
}

fn reranker(settings: RerankSettings) -> Reranker {
    // As `main` does, before the reranker builds its HTTPS client.
    jobping::install_tls_provider();
    Reranker::new(settings)
        .expect("valid settings")
        .with_cooldown(COOLDOWN)
}

fn embeddings_body(vectors: &[[f32; 3]]) -> Value {
    let data: Vec<Value> = vectors
        .iter()
        .enumerate()
        .map(|(index, v)| json!({ "object": "embedding", "index": index, "embedding": v }))
        .collect();
    json!({
        "object": "list",
        "data": data,
        "model": "text-embedding-3-small",
        "usage": { "prompt_tokens": 412, "total_tokens": 412 },
    })
}

fn chat_body(content: &str) -> Value {
    json!({
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content, "refusal": null },
            "logprobs": null,
            "finish_reason": "stop",
        }],
        "usage": { "prompt_tokens": 689, "completion_tokens": 9, "total_tokens": 698 },
        "system_fingerprint": "fp_44709d6fcb",
    })
}

async fn answer_chat(server: &MockServer, content: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_body(content)))
        .expect(1)
        .mount(server)
        .await;
}

async fn fail_with_500(server: &MockServer, times: u64) -> wiremock::MockGuard {
    let body = json!({ "error": { "message": "The server had an error", "type": "server_error" } });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500).set_body_json(body))
        .expect(times)
        .mount_as_scoped(server)
        .await
}

async fn requests(server: &MockServer) -> Vec<Value> {
    let received = server.received_requests().await.expect("recording is on");
    received
        .iter()
        .map(|r| r.body_json().expect("a JSON body"))
        .collect()
}

#[tokio::test]
async fn embeddings_lift_a_lower_scored_job_whose_text_fits_the_profile() {
    let server = MockServer::start().await;
    // Profile first, then jobs 1-4; job 3 points where the profile does.
    let vectors = [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.9, 0.1, 0.0],
        [0.0, 1.0, 1.0],
    ];
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(embeddings_body(&vectors)))
        .expect(1)
        .mount(&server)
        .await;
    let jobs = jobs();
    let given = candidates(&jobs);
    let before: Vec<Match> = given.iter().map(|(m, _)| m.clone()).collect();

    let reranked = reranker(settings(&server, RerankMode::Embeddings))
        .rerank(&preferences(), given)
        .await;

    assert_eq!(ids(&reranked), [3, 1, 2, 4]);
    for m in &reranked {
        let original = before.iter().find(|b| b.job_id == m.job_id).unwrap();
        assert_eq!(m, original, "score, label and reasons are kept as they were");
    }
    let body = &requests(&server).await[0];
    assert_eq!(body["model"], "text-embedding-3-small");
    let input = body["input"].as_array().unwrap();
    assert_eq!(input.len(), 5, "the profile and four jobs");
    let profile = input[0].as_str().unwrap();
    assert!(profile.contains("Data Analyst") && profile.contains("sql") && profile.contains("Berlin"));
    assert!(
        input[3]
            .as_str()
            .unwrap()
            .starts_with("Junior Data Analyst at Fjordpay.")
    );
}

#[tokio::test]
async fn a_chat_answer_reorders_the_candidates_best_first() {
    let server = MockServer::start().await;
    answer_chat(&server, "[3, 1, 2, 4]").await;
    let jobs = jobs();

    let reranked = reranker(settings(&server, RerankMode::Chat))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [3, 1, 2, 4]);
    let body = &requests(&server).await[0];
    assert_eq!(body["temperature"], 0);
    let prompt = body["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.contains("[id 3] Junior Data Analyst at Fjordpay."));
    assert!(prompt.contains("JSON array"));
}

#[tokio::test]
async fn a_chat_answer_listing_some_ids_puts_the_rest_after_them_in_built_in_order() {
    let server = MockServer::start().await;
    answer_chat(&server, "```json\n[4, 2]\n```").await;
    let jobs = jobs();

    let reranked = reranker(settings(&server, RerankMode::Chat))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [4, 2, 1, 3]);
}

#[tokio::test]
async fn a_chat_answer_naming_an_unknown_id_falls_back_to_the_built_in_order() {
    let server = MockServer::start().await;
    answer_chat(&server, "[3, 99, 1, 2, 4]").await;
    let jobs = jobs();

    let reranked = reranker(settings(&server, RerankMode::Chat))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
}

#[tokio::test]
async fn a_chat_answer_that_is_not_json_falls_back_to_the_built_in_order() {
    let server = MockServer::start().await;
    answer_chat(&server, "The Junior Data Analyst role at Fjordpay fits best.").await;
    let jobs = jobs();

    let reranked = reranker(settings(&server, RerankMode::Chat))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
}

#[tokio::test]
async fn embeddings_that_do_not_match_the_inputs_fall_back_to_the_built_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(embeddings_body(&[[1.0, 0.0, 0.0]; 2])))
        .expect(1)
        .mount(&server)
        .await;
    let jobs = jobs();

    let reranked = reranker(settings(&server, RerankMode::Embeddings))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_abandoned_within_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(chat_body("[4, 3, 2, 1]"))
                .set_delay(Duration::from_secs(10)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let jobs = jobs();

    let started = Instant::now();
    let reranked = reranker(settings(&server, RerankMode::Chat))
        .rerank(&preferences(), candidates(&jobs))
        .await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
    assert!(
        started.elapsed() < TIMEOUT + Duration::from_millis(500),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn after_the_failure_threshold_the_circuit_opens_and_the_server_is_not_called() {
    let server = MockServer::start().await;
    let failing = fail_with_500(&server, 3).await;
    let reranker = reranker(settings(&server, RerankMode::Chat));
    let jobs = jobs();

    for _ in 0..6 {
        let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;
        assert_eq!(ids(&reranked), [1, 2, 3, 4]);
    }

    // Three failures reached the server; the next three calls were turned away.
    drop(failing);
}

#[tokio::test]
async fn after_the_cooldown_one_trial_call_goes_through_and_its_success_closes_the_circuit() {
    let server = MockServer::start().await;
    let reranker = reranker(RerankSettings {
        failure_threshold: 2,
        ..settings(&server, RerankMode::Chat)
    });
    let jobs = jobs();
    let failing = fail_with_500(&server, 2).await;
    for _ in 0..3 {
        reranker.rerank(&preferences(), candidates(&jobs)).await;
    }
    drop(failing);
    // Two calls in all: the trial and the one after it, none while the circuit is open.
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_body("[4, 3, 2, 1]")))
        .expect(2)
        .mount(&server)
        .await;
    let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;
    assert_eq!(
        ids(&reranked),
        [1, 2, 3, 4],
        "still open: the server is not asked"
    );

    // Waiting out the cooldown is the behaviour under test.
    tokio::time::sleep(COOLDOWN).await;
    for _ in 0..2 {
        let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;
        assert_eq!(ids(&reranked), [4, 3, 2, 1]);
    }
}

#[tokio::test]
async fn a_failed_trial_call_opens_the_circuit_for_another_cooldown() {
    let server = MockServer::start().await;
    let reranker = reranker(RerankSettings {
        failure_threshold: 1,
        ..settings(&server, RerankMode::Chat)
    });
    let jobs = jobs();
    let failing = fail_with_500(&server, 2).await;

    reranker.rerank(&preferences(), candidates(&jobs)).await;
    reranker.rerank(&preferences(), candidates(&jobs)).await;
    tokio::time::sleep(COOLDOWN).await;
    let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;
    reranker.rerank(&preferences(), candidates(&jobs)).await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
    // The first call and the trial call reached the server; the two others did not.
    drop(failing);
}

#[tokio::test]
async fn the_key_is_sent_as_a_bearer_token_and_never_appears_in_debug_output() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_body("[2, 1]")))
        .expect(1)
        .mount(&server)
        .await;
    let settings = settings(&server, RerankMode::Chat);
    let reranker = reranker(settings.clone());
    let jobs = jobs();

    let reranked = reranker.rerank(&preferences(), candidates(&jobs[..2])).await;

    assert_eq!(ids(&reranked), [2, 1]);
    for printed in [
        format!("{settings:?}"),
        format!("{reranker:?}"),
        format!("{settings:#?}"),
    ] {
        assert!(!printed.contains(KEY), "the key leaked: {printed}");
        assert!(printed.contains("[redacted]"));
    }
}

#[tokio::test]
async fn without_a_key_no_authorization_header_is_sent() {
    let server = MockServer::start().await;
    answer_chat(&server, "[2, 1]").await;
    let reranker = reranker(RerankSettings {
        api_key: None,
        ..settings(&server, RerankMode::Chat)
    });
    let jobs = jobs();

    let reranked = reranker.rerank(&preferences(), candidates(&jobs[..2])).await;

    assert_eq!(ids(&reranked), [2, 1]);
    let received = server.received_requests().await.unwrap();
    assert!(!received[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn only_the_first_max_candidates_are_sent_and_the_rest_keep_their_place() {
    let server = MockServer::start().await;
    // Profile, job 1, job 2: job 2 is the one like the profile.
    let vectors = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]];
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(embeddings_body(&vectors)))
        .expect(1)
        .mount(&server)
        .await;
    let reranker = reranker(RerankSettings {
        max_candidates: 2,
        ..settings(&server, RerankMode::Embeddings)
    });
    let jobs = jobs();

    let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;

    assert_eq!(ids(&reranked), [2, 1, 3, 4]);
    assert_eq!(requests(&server).await[0]["input"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn disabled_re_ranking_returns_the_input_without_calling_the_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_body("[4, 3, 2, 1]")))
        .expect(0)
        .mount(&server)
        .await;
    let reranker = reranker(RerankSettings {
        enabled: false,
        ..settings(&server, RerankMode::Chat)
    });
    let jobs = jobs();

    let reranked = reranker.rerank(&preferences(), candidates(&jobs)).await;

    assert_eq!(ids(&reranked), [1, 2, 3, 4]);
}

#[test]
fn rerank_settings_default_to_off_with_the_documented_values() {
    let settings: RerankSettings = toml::from_str("").unwrap();
    assert_eq!(settings, RerankSettings::default());
    assert!(!settings.enabled);
    assert_eq!(settings.mode, RerankMode::Embeddings);
    assert_eq!(settings.base_url.as_str(), "https://api.openai.com/v1");
    assert_eq!(
        (
            settings.timeout_ms,
            settings.max_candidates,
            settings.failure_threshold,
            settings.cooldown_seconds
        ),
        (2000, 30, 3, 60)
    );
    assert_eq!(settings.validate(), Ok(()));
}

#[test]
fn rerank_settings_are_read_from_toml_and_unknown_keys_are_refused() {
    let settings: RerankSettings = toml::from_str(
        "enabled = true\nmode = \"chat\"\nbase_url = \"http://localhost:11434/v1\"\nmodel = \"llama3.1\"",
    )
    .unwrap();
    assert_eq!(settings.mode, RerankMode::Chat);
    assert_eq!(settings.base_url.as_str(), "http://localhost:11434/v1");
    assert_eq!(settings.validate(), Ok(()));

    let unknown = toml::from_str::<RerankSettings>("enabled = true\ntemperature = 1").unwrap_err();
    assert!(unknown.to_string().contains("temperature"), "{unknown}");
    assert!(toml::from_str::<RerankSettings>("mode = \"rerank\"").is_err());
    assert!(toml::from_str::<RerankSettings>("base_url = \"not a url\"").is_err());
}

#[test]
fn enabled_re_ranking_without_a_model_is_refused_with_the_field_named() {
    let settings = RerankSettings {
        enabled: true,
        ..RerankSettings::default()
    };
    let problem = settings.validate().unwrap_err();
    assert!(problem.starts_with("rerank.model:"), "{problem}");
    assert!(Reranker::new(settings).is_err());

    let zero = RerankSettings {
        timeout_ms: 0,
        ..RerankSettings::default()
    };
    assert!(zero.validate().unwrap_err().starts_with("rerank.timeout_ms:"));
}
