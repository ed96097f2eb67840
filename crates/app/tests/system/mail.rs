//! Emails as a subscriber receives them: from the file outbox or from the SMTP sink.

use std::path::Path;

use jobping_mail::testing::ReceivedMessage;

/// One email, parsed.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub text: String,
    pub raw: String,
}

impl Email {
    pub fn parse(raw: &str) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap_or_else(|| panic!("not a parseable email:\n{raw}"));
        Self {
            to: message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned(),
            text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            raw: raw.to_owned(),
        }
    }

    pub fn from_sink(message: &ReceivedMessage) -> Self {
        Self::parse(&message.text())
    }

    /// A header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        message
            .header_raw(name)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// `X-JobPing-Kind`: `verify`, `welcome`, `digest`, …
    pub fn kind(&self) -> String {
        self.header("X-JobPing-Kind").unwrap_or_default()
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID")
            .unwrap_or_else(|| panic!("no Message-ID in:\n{}", self.raw))
    }

    /// The token of the first link to `path` (e.g. `/verify`) in the text part.
    pub fn token_for(&self, path: &str) -> String {
        self.tokens_for(path)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {path} link in:\n{}", self.text))
    }

    /// The tokens of every link to `path` in the text part, in order.
    pub fn tokens_for(&self, path: &str) -> Vec<String> {
        let pattern = format!(r"{}\?token=([A-Za-z0-9_\-.]+)", regex::escape(path));
        regex::Regex::new(&pattern)
            .unwrap()
            .captures_iter(&self.text)
            .map(|c| c[1].to_owned())
            .collect()
    }

    /// The token of the first "Not for me" (thumbs down) link of a digest.
    pub fn thumbs_down_token(&self) -> String {
        let re = regex::Regex::new(r"Not for me: \S*/feedback\?token=([A-Za-z0-9_\-.]+)").unwrap();
        re.captures(&self.text)
            .unwrap_or_else(|| panic!("no thumbs-down link in:\n{}", self.text))[1]
            .to_owned()
    }
}

/// Every `.eml` under `folder`, oldest first (by modification time, then name).
pub fn read_outbox(folder: &Path) -> Vec<Email> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, path)| std::fs::read_to_string(path).ok())
        .map(|raw| Email::parse(&raw))
        .collect()
}

/// The emails of `kind` to `address`.
pub fn to_of_kind<'a>(emails: &'a [Email], address: &str, kind: &str) -> Vec<&'a Email> {
    emails
        .iter()
        .filter(|e| e.to.eq_ignore_ascii_case(address) && e.kind() == kind)
        .collect()
}
