//! One URL, one hop: robots.txt, then attempts through politeness with retries.

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use url::Url;

use super::address::Reach;
use super::body::read_up_to;
use super::retry::{self, Failed};
use super::{FetchError, Fetched, Fetcher, HostKey, RequestOptions, redact_url};

/// Where one hop ended.
#[derive(Debug)]
pub(crate) enum Step {
    Done(Fetched),
    Redirect(Url),
}

impl Fetcher {
    /// Fetches one URL without following redirects, retrying transient failures.
    pub(crate) async fn get_one(
        &self,
        url: &Url,
        options: RequestOptions<'_>,
        reach: Reach,
    ) -> Result<Step, FetchError> {
        let host = HostKey::of(url)?;
        let rules = self.robots_for(&host, url, reach).await?;
        if !rules.is_url_allowed(url) {
            tracing::info!(url = %redact_url(url), "blocked by robots.txt");
            return Err(FetchError::BlockedByRobots { url: redact_url(url) });
        }
        let delay = self.host_delay(&host, &rules);

        let mut attempt = 0;
        loop {
            let permit = self.politeness.acquire(&host, delay).await?;
            let outcome = self.attempt(url, options, reach).await;
            drop(permit);
            let failed = match outcome {
                Ok(step) => return Ok(step),
                Err(failed) => failed,
            };
            let cap = self.config.max_retry_after;
            if let Some(asked) = failed.retry_after.filter(|asked| *asked <= cap) {
                // The wait is the host's, not just ours: every caller sharing the budget
                // (and our own next attempt) starts no sooner.
                self.politeness.hold_off(&host, asked).await?;
            }
            if attempt >= self.config.max_retries || !retry::is_retryable(&failed.error) {
                return Err(failed.error);
            }
            if let Some(asked) = failed.retry_after.filter(|asked| *asked > cap) {
                tracing::warn!(?asked, "Retry-After is longer than we wait; giving up for now");
                return Err(failed.error);
            }
            if failed.retry_after.is_none() {
                let wait = retry::backoff(self.config.retry_base_delay, attempt, cap);
                tracing::debug!(error = %failed.error, ?wait, "backing off");
                tokio::time::sleep(wait).await;
            }
            attempt += 1;
            tracing::debug!(attempt, "retrying");
        }
    }

    /// One request and its body.
    async fn attempt(&self, url: &Url, options: RequestOptions<'_>, reach: Reach) -> Result<Step, Failed> {
        let mut request = self.client(reach).get(url.clone());
        if let Some(validators) = options.validators {
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(last_modified) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, last_modified);
            }
        }
        if let Some(auth) = options.basic_auth {
            request = request.basic_auth(&auth.username, auth.password.as_ref());
        }
        if let Some(accept) = options.accept {
            request = request.header(header::ACCEPT, accept);
        }
        let response = request
            .send()
            .await
            .map_err(|err| FetchError::from_reqwest(err, url))?;

        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Step::Done(Fetched::NotModified));
        }
        if status.is_redirection()
            && let Some(next) = location(url, response.headers())
        {
            return Ok(Step::Redirect(next));
        }
        if !status.is_success() {
            let retry_after = retry::retry_after(status.as_u16(), response.headers());
            let error = FetchError::Status {
                status: status.as_u16(),
                url: redact_url(url),
            };
            return Err(Failed { error, retry_after });
        }

        let limit = self.config.max_response_bytes;
        let too_large = || FetchError::TooLarge {
            limit,
            url: redact_url(url),
        };
        if response.content_length().is_some_and(|length| length > limit) {
            return Err(too_large().into());
        }
        let headers = response.headers().clone();
        let (bytes, cut) = read_up_to(response, limit)
            .await
            .map_err(|err| FetchError::from_reqwest(err, url))?;
        if cut {
            return Err(too_large().into());
        }
        Ok(Step::Done(Fetched::Body {
            status: status.as_u16(),
            bytes,
            content_type: text(&headers, header::CONTENT_TYPE),
            etag: text(&headers, header::ETAG),
            last_modified: text(&headers, header::LAST_MODIFIED),
            final_url: url.clone(),
        }))
    }
}

/// The redirect target, resolved against the URL that answered.
pub(crate) fn location(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let value = headers.get(header::LOCATION)?.to_str().ok()?;
    base.join(value).ok()
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}
