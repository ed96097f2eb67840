//! Optional re-ranking of matches by embeddings or an LLM, through any OpenAI-compatible
//! base URL. Off by default.
//!
//! It runs after the core's hard filters and scoring, and only reorders: the same jobs
//! come out, with the same scores, labels and reasons. Only the best `max_candidates`
//! are sent; the rest follow in their built-in order. Any failure (an error, a timeout,
//! an answer that is not a usable order, an open circuit) leaves the built-in order, so
//! a job posting that tries to instruct the model can at worst move itself up a list it
//! was already on.
//!
//! - **Embeddings:** one `POST {base_url}/embeddings` with the profile and each job;
//!   jobs are ordered by `0.5 × score/100 + 0.5 × cosine` ([`BUILTIN_WEIGHT`]).
//! - **Chat:** one `POST {base_url}/chat/completions` at temperature 0 asking for the
//!   job ids, best first. The answer must name only ids that were sent, each at most
//!   once, or it is refused; ids it leaves out follow the listed ones in built-in order.
//!
//! Redirects are not followed: both calls are POSTs to the configured service, which
//! never needs one, and following them would let an answer point the client (API key
//! and all) at an address inside the operator's network. A 3xx is a failed call.
//!
//! Calls pass through a circuit breaker: after `failure_threshold` consecutive failures
//! (malformed answers count) the service is skipped for `cooldown_seconds`, then one
//! trial call decides whether it is used again. Every call is counted in
//! `jobping_rerank_calls_total{mode,outcome}` (outcome: ok, error, timeout, malformed,
//! circuit_open).

mod breaker;
mod openai;
mod order;
mod settings;

use std::time::{Duration, Instant};

use jobping_core::Preferences;
use jobping_core::matching::{IndexedJob, Match};

use self::breaker::CircuitBreaker;
use self::openai::{Api, CallError};
pub use self::order::BUILTIN_WEIGHT;
pub use self::settings::{RerankMode, RerankSettings};

/// Why a [`Reranker`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RerankError {
    #[error("{0}")]
    Settings(String),
    #[error("cannot build the HTTP client for re-ranking")]
    Client(#[source] reqwest::Error),
}

/// Reorders matches through an OpenAI-compatible service; share one per process.
#[derive(Debug)]
pub struct Reranker {
    settings: RerankSettings,
    client: reqwest::Client,
    breaker: CircuitBreaker,
}

impl Reranker {
    /// Checks the settings and builds the HTTP client.
    pub fn new(settings: RerankSettings) -> Result<Self, RerankError> {
        settings.validate().map_err(RerankError::Settings)?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("JobPing/", env!("CARGO_PKG_VERSION"), " (re-ranking)"))
            .connect_timeout(settings.timeout())
            .timeout(settings.timeout())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(RerankError::Client)?;
        let breaker = CircuitBreaker::new(settings.failure_threshold, settings.cooldown());
        Ok(Self {
            settings,
            client,
            breaker,
        })
    }

    /// The same, with a cooldown finer than the settings' whole seconds.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.breaker = CircuitBreaker::new(self.settings.failure_threshold, cooldown);
        self
    }

    pub fn settings(&self) -> &RerankSettings {
        &self.settings
    }

    /// The candidates' matches, reordered when the service answers usefully and in the
    /// given order otherwise. Give them best first by the built-in score.
    pub async fn rerank(&self, prefs: &Preferences, candidates: Vec<(Match, &IndexedJob)>) -> Vec<Match> {
        let head_len = candidates.len().min(self.settings.max_candidates);
        if !self.settings.enabled || head_len < 2 {
            return candidates.into_iter().map(|(m, _)| m).collect();
        }
        let mode = self.settings.mode;
        let Some(permit) = self.breaker.try_acquire(Instant::now()) else {
            record(mode, "circuit_open");
            tracing::debug!(mode = mode.as_str(), "re-ranking skipped: the circuit is open");
            return candidates.into_iter().map(|(m, _)| m).collect();
        };
        let started = Instant::now();
        let head = &candidates[..head_len];
        let result = tokio::time::timeout(self.settings.timeout(), self.order(prefs, head))
            .await
            .unwrap_or(Err(CallError::Timeout));
        metrics::histogram!("jobping_rerank_call_duration_seconds", "mode" => mode.as_str())
            .record(started.elapsed().as_secs_f64());
        match result {
            Ok(order) => {
                permit.settle(true, Instant::now());
                record(mode, "ok");
                reorder(candidates, &order)
            }
            Err(err) => {
                let opened = permit.settle(false, Instant::now());
                record(mode, err.outcome());
                tracing::warn!(
                    mode = mode.as_str(),
                    outcome = err.outcome(),
                    error = %err,
                    "re-ranking failed; keeping the built-in order"
                );
                if opened {
                    tracing::warn!(
                        mode = mode.as_str(),
                        cooldown_ms = self.breaker.cooldown().as_millis() as u64,
                        "re-ranking circuit opened after repeated failures"
                    );
                }
                candidates.into_iter().map(|(m, _)| m).collect()
            }
        }
    }

    /// Asks the service for an order of `head`.
    async fn order(
        &self,
        prefs: &Preferences,
        head: &[(Match, &IndexedJob)],
    ) -> Result<Vec<usize>, CallError> {
        let api = Api {
            client: &self.client,
            base_url: &self.settings.base_url,
            api_key: self.settings.api_key.as_deref(),
            model: &self.settings.model,
        };
        let profile = order::profile_text(prefs);
        match self.settings.mode {
            RerankMode::Embeddings => {
                let mut inputs = Vec::with_capacity(head.len() + 1);
                inputs.push(profile);
                inputs.extend(head.iter().map(|(_, job)| order::job_text(job)));
                let mut vectors = api.embeddings(&inputs).await?;
                let jobs = vectors.split_off(1);
                let scores: Vec<u8> = head.iter().map(|(m, _)| m.score).collect();
                order::blend(&scores, &vectors[0], &jobs)
                    .ok_or_else(|| CallError::Malformed("embeddings of different lengths".to_owned()))
            }
            RerankMode::Chat => {
                let jobs: Vec<(i64, String)> = head
                    .iter()
                    .map(|(m, job)| (m.job_id, order::job_text(job)))
                    .collect();
                let answer = api.chat(&openai::chat_prompt(&profile, &jobs)).await?;
                let ids: Vec<i64> = head.iter().map(|(m, _)| m.job_id).collect();
                order::from_chat_answer(&answer, &ids).map_err(CallError::Malformed)
            }
        }
    }
}

/// Puts the head in `order` and the rest after it as they were.
fn reorder(candidates: Vec<(Match, &IndexedJob)>, order: &[usize]) -> Vec<Match> {
    let mut slots: Vec<Option<Match>> = candidates.into_iter().map(|(m, _)| Some(m)).collect();
    let mut out: Vec<Match> = order.iter().filter_map(|i| slots.get_mut(*i)?.take()).collect();
    // Whatever the order did not name (it always names the whole head) keeps its place.
    out.extend(slots.into_iter().flatten());
    out
}

fn record(mode: RerankMode, outcome: &'static str) {
    metrics::counter!("jobping_rerank_calls_total", "mode" => mode.as_str(), "outcome" => outcome)
        .increment(1);
}

#[cfg(test)]
mod tests {
    use url::Url;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    #[tokio::test]
    async fn a_redirect_from_the_service_is_a_failed_call_and_is_not_followed() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let elsewhere = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
            .expect(0)
            .mount(&elsewhere)
            .await;
        let service = MockServer::start().await;
        for status in [302, 307, 308] {
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(status)
                        .insert_header("Location", format!("{}/v1/chat/completions", elsewhere.uri())),
                )
                .up_to_n_times(1)
                .mount(&service)
                .await;
        }
        let settings = RerankSettings {
            enabled: true,
            mode: RerankMode::Chat,
            base_url: Url::parse(&format!("{}/v1", service.uri())).unwrap(),
            model: "m".into(),
            api_key: Some("sk-test".into()),
            ..RerankSettings::default()
        };
        let reranker = Reranker::new(settings).unwrap();
        let api = Api {
            client: &reranker.client,
            base_url: &reranker.settings.base_url,
            api_key: reranker.settings.api_key.as_deref(),
            model: &reranker.settings.model,
        };

        for _ in 0..3 {
            let err = api.chat("rank these").await.unwrap_err();
            assert!(
                err.to_string().contains("redirect, which is not followed"),
                "{err}"
            );
            assert_eq!(err.outcome(), "error");
        }
        assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
    }
}
