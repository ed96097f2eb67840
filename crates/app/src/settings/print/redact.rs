//! The one redaction of URLs for `jobping config`: every credential a URL can carry
//! (a password, a lone user name standing for a token, a query parameter named like a
//! key or password) is replaced, and the rest is kept as written.

use url::Url;

use super::REDACTED;

/// `raw` with every credential in it replaced by `[redacted]`. A URL with none comes
/// back exactly as written; a string that is not a URL is kept only up to its scheme, in
/// case it hides a credential.
pub(super) fn url(raw: &str) -> String {
    let mut url = match Url::parse(raw) {
        Ok(url) => url,
        Err(_) if raw.starts_with("sqlite:") && !raw.contains('?') => return raw.to_owned(),
        Err(_) => {
            return match raw.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://{REDACTED}"),
                None => REDACTED.to_owned(),
            };
        }
    };
    if url.cannot_be_a_base() && url.path().contains('@') {
        // `scheme:user:password@host`, read as a scheme and an opaque path.
        return format!("{}:{REDACTED}", url.scheme());
    }
    let mut changed = false;
    if url.password().is_some() {
        // The user name stays: which account is used is worth seeing, and is no secret.
        let _ = url.set_password(Some(REDACTED));
        changed = true;
    } else if !url.username().is_empty() {
        // `https://TOKEN@host`: a user name without a password is the credential itself.
        let _ = url.set_username(REDACTED);
        changed = true;
    }
    if let Some(query) = url.query() {
        let redacted = query_without_credentials(query);
        if redacted != query {
            url.set_query(Some(&redacted));
            changed = true;
        }
    }
    if changed { url.to_string() } else { raw.to_owned() }
}

/// Whether a query parameter (or a request parameter added to one) named `name` holds
/// a credential: `password`, `key`, `token`, `secret` and the like, alone or as part of a
/// name such as `app_key`, `api-key`, `access_token` or `client_secret`.
pub(super) fn is_credential(name: &str) -> bool {
    const WORDS: [&str; 13] = [
        "password",
        "passwd",
        "pass",
        "pwd",
        "sslpassword",
        "secret",
        "token",
        "key",
        "apikey",
        "auth",
        "signature",
        "sig",
        "credential",
    ];
    let name = name.to_ascii_lowercase();
    // Adzuna's application id travels with its key and is kept as secret as the key.
    name == "app_id"
        || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| WORDS.contains(&word) || word == "credentials")
}

/// A query string with the value of every credential parameter replaced, the other
/// parameters kept byte for byte.
fn query_without_credentials(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded: String = url::form_urlencoded::parse(name.as_bytes())
                .map(|(name, _)| name.into_owned())
                .collect();
            if is_credential(&decoded) {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_credential_parameters_are_redacted_and_the_rest_kept() {
        for (raw, printed) in [
            (
                "postgres://app:pg-password@db.internal:5433/jobping",
                "postgres://app:%5Bredacted%5D@db.internal:5433/jobping",
            ),
            (
                "postgres://db.internal/jobping?user=app&password=pg-password&sslmode=require",
                "postgres://db.internal/jobping?user=app&password=[redacted]&sslmode=require",
            ),
            (
                "https://feed:pw@boards.example/?app_id=id1&app_key=k1&api_key=k2&token=t&key=k3&secret=s&page=2",
                "https://feed:%5Bredacted%5D@boards.example/?app_id=[redacted]&app_key=[redacted]&api_key=[redacted]&token=[redacted]&key=[redacted]&secret=[redacted]&page=2",
            ),
            (
                "https://ghp_token@relay.example/",
                "https://%5Bredacted%5D@relay.example/",
            ),
            (
                "https://example.org/bot?Access-Token=abc",
                "https://example.org/bot?Access-Token=[redacted]",
            ),
            (
                "https://example.org/bot?pass%77ord=abc",
                "https://example.org/bot?pass%77ord=[redacted]",
            ),
        ] {
            assert_eq!(url(raw), printed, "{raw}");
        }
    }

    #[test]
    fn a_url_without_credentials_is_printed_exactly_as_written() {
        for raw in [
            "https://api.resend.com",
            "http://127.0.0.1:9000",
            "https://example.org/bot?keywords=graduate&lang=en&sort_by=date",
            "sqlite://jobping.db?mode=rwc",
            "redis://cache.internal:6380/2",
        ] {
            assert_eq!(url(raw), raw);
        }
    }

    #[test]
    fn what_is_not_a_usable_url_keeps_at_most_its_scheme() {
        assert_eq!(url("postgres://app:pw@[bad"), "postgres://[redacted]");
        assert_eq!(url("app:pw@db.internal"), "app:[redacted]");
        assert_eq!(url("no scheme, pw"), "[redacted]");
    }

    #[test]
    fn parameter_names_are_judged_by_their_words() {
        for name in [
            "password",
            "API_KEY",
            "apikey",
            "client_secret",
            "access-token",
            "app_id",
        ] {
            assert!(is_credential(name), "{name}");
        }
        for name in [
            "keywords",
            "page_size",
            "sort_by",
            "user",
            "sslmode",
            "location",
            "passage",
        ] {
            assert!(!is_credential(name), "{name}");
        }
    }
}
