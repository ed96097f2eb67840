//! The shape of `jobping.toml`. Every key is optional; unknown keys are errors, so a
//! typo never silently leaves a default in force.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSettings {
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    pub bind: Option<String>,
    pub base_url: Option<String>,
    pub secret: Option<String>,
    /// Earlier signing secrets, still accepted for links already sent (rotation).
    pub secret_previous: Option<Vec<String>>,
    pub metrics_bind: Option<String>,
    #[serde(default)]
    pub mail: FileMail,
    #[serde(default)]
    pub admin: FileAdmin,
    #[serde(default)]
    pub stripe: FileStripe,
    #[serde(default)]
    pub http: FileHttp,
    #[serde(default)]
    pub queue: FileQueue,
    #[serde(default)]
    pub signup: FileSignup,
    #[serde(default)]
    pub limits: FileLimits,
    #[serde(default)]
    pub delivery: FileDelivery,
    /// Job name to cron expression; an empty expression disables the job.
    #[serde(default)]
    pub schedules: BTreeMap<String, String>,
    #[serde(default)]
    pub scraping: FileScraping,
    /// Matching weights and limits (`jobping_core::matching::MatchConfig`).
    #[serde(default)]
    pub matching: jobping_core::matching::MatchConfig,
    /// Optional re-ranking by an OpenAI-compatible service; off by default.
    #[serde(default)]
    pub rerank: crate::rerank::RerankSettings,
    /// `[[sources]]`; `None` (no such table at all) means the shipped default list.
    pub sources: Option<Vec<FileSource>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileScraping {
    pub contact_url: Option<String>,
    pub min_host_delay_ms: Option<u64>,
    pub max_response_bytes: Option<u64>,
    pub request_timeout_seconds: Option<u64>,
    pub inactive_after_days: Option<u64>,
    pub schedule: Option<String>,
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSource {
    pub kind: String,
    pub boards: Option<Vec<String>>,
    /// For `jsonld`: the career pages to read (the same as `boards`).
    pub urls: Option<Vec<String>>,
    pub base_url: Option<String>,
    pub enabled: Option<bool>,
    pub schedule: Option<String>,
    /// Lever: use the EU host.
    pub eu: Option<bool>,
    pub keywords: Option<String>,
    pub location: Option<String>,
    pub page_size: Option<u32>,
    pub max_pages: Option<u32>,
    pub app_id: Option<String>,
    pub api_key: Option<String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMail {
    pub transport: Option<String>,
    pub from: Option<String>,
    pub dkim_key: Option<String>,
    pub dkim_selector: Option<String>,
    pub resend_api_key: Option<String>,
    pub resend_base_url: Option<String>,
    pub resend_webhook_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAdmin {
    pub key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLimits {
    pub api_free: Option<String>,
    pub api_premium: Option<String>,
    pub form_address: Option<String>,
    pub webhook: Option<String>,
    pub admin: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    pub ipv6_prefix: Option<u64>,
    pub key_prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStripe {
    pub secret_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub price_monthly: Option<String>,
    pub price_amount: Option<String>,
    pub price_currency: Option<String>,
    pub price_interval: Option<String>,
    pub past_due_grace_days: Option<u64>,
    pub base_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileHttp {
    pub body_limit_bytes: Option<u64>,
    pub request_timeout_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDelivery {
    pub free_days: Option<Vec<String>>,
    pub premium_days: Option<Vec<String>>,
    pub hour: Option<u64>,
    pub free_jobs: Option<u64>,
    pub premium_jobs: Option<u64>,
    pub grace_hours: Option<u64>,
    pub empty_before_note: Option<u64>,
    pub paused: Option<bool>,
    pub paused_tiers: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSignup {
    pub link_interval_minutes: Option<u64>,
    pub per_ip_per_hour: Option<u64>,
    pub purge_unverified_days: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileQueue {
    pub concurrency: Option<u64>,
    pub max_attempts: Option<u64>,
    pub lease_seconds: Option<u64>,
    pub poll_interval_ms: Option<u64>,
    pub backoff_base_seconds: Option<u64>,
    pub backoff_max_seconds: Option<u64>,
    pub keep_done_hours: Option<u64>,
    pub keep_dead_days: Option<u64>,
}
