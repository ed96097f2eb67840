//! `[rerank]`: whether and how an OpenAI-compatible service reorders matches.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

/// What the service is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RerankMode {
    /// `POST /embeddings`: cosine similarity of profile and job, blended with the score.
    #[default]
    Embeddings,
    /// `POST /chat/completions`: the model answers with the job ids, best first.
    Chat,
}

impl RerankMode {
    /// The metric label and the word used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Embeddings => "embeddings",
            Self::Chat => "chat",
        }
    }
}

/// Re-ranking settings; the default is off. Serialized for `jobping config`, which
/// writes the two skipped fields itself, redacted.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RerankSettings {
    pub enabled: bool,
    pub mode: RerankMode,
    /// The API root, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    #[serde(deserialize_with = "url_from_text", skip_serializing)]
    pub base_url: Url,
    pub model: String,
    /// Sent as `Authorization: Bearer …`; never printed.
    #[serde(skip_serializing)]
    pub api_key: Option<String>,
    /// The whole call, connection to last byte, must finish within this.
    pub timeout_ms: u64,
    /// Only the best this many (by the built-in score) are reordered.
    pub max_candidates: usize,
    /// Consecutive failed calls that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit skips the service before one trial call.
    pub cooldown_seconds: u64,
}

/// The largest timeout accepted: a match round must not wait longer on one subscriber.
const MAX_TIMEOUT_MS: u64 = 60_000;
/// The most candidates one call may carry (prompt size, embedding batch size).
const MAX_CANDIDATES: usize = 200;

impl Default for RerankSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            mode: RerankMode::Embeddings,
            base_url: Url::parse("https://api.openai.com/v1").expect("a valid URL"),
            model: String::new(),
            api_key: None,
            timeout_ms: 2000,
            max_candidates: 30,
            failure_threshold: 3,
            cooldown_seconds: 60,
        }
    }
}

impl RerankSettings {
    /// Checks the values, naming the first bad one (`rerank.model: …`).
    pub fn validate(&self) -> Result<(), String> {
        let fail = |field: &str, problem: &str| Err(format!("rerank.{field}: {problem}"));
        if !matches!(self.base_url.scheme(), "http" | "https") {
            return fail("base_url", "must be an http or https URL");
        }
        if self.enabled && self.model.trim().is_empty() {
            return fail("model", "is required when re-ranking is enabled");
        }
        if self.api_key.as_deref().is_some_and(|key| key.trim().is_empty()) {
            return fail(
                "api_key",
                "must not be empty (leave it out for a server without keys)",
            );
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return fail("timeout_ms", &format!("must be between 1 and {MAX_TIMEOUT_MS}"));
        }
        if !(1..=MAX_CANDIDATES).contains(&self.max_candidates) {
            return fail(
                "max_candidates",
                &format!("must be between 1 and {MAX_CANDIDATES}"),
            );
        }
        if self.failure_threshold == 0 {
            return fail("failure_threshold", "must be at least 1");
        }
        if self.cooldown_seconds == 0 {
            return fail("cooldown_seconds", "must be at least 1");
        }
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    pub fn cooldown(&self) -> Duration {
        Duration::from_secs(self.cooldown_seconds)
    }
}

impl fmt::Debug for RerankSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut base_url = self.base_url.clone();
        if base_url.password().is_some() {
            let _ = base_url.set_password(Some("redacted"));
        }
        f.debug_struct("RerankSettings")
            .field("enabled", &self.enabled)
            .field("mode", &self.mode)
            .field("base_url", &base_url.as_str())
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("timeout_ms", &self.timeout_ms)
            .field("max_candidates", &self.max_candidates)
            .field("failure_threshold", &self.failure_threshold)
            .field("cooldown_seconds", &self.cooldown_seconds)
            .finish()
    }
}

// Parsed by hand so that this does not depend on the `url` crate's `serde` feature.
fn url_from_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let text = String::deserialize(deserializer)?;
    Url::parse(text.trim()).map_err(|err| serde::de::Error::custom(format!("`{text}` is not a URL: {err}")))
}
