//! The recorded payloads: every file under `DIR/<source kind>/`, read by that source's
//! adapter and normalized exactly as `scrape` does, each posting keyed
//! `<kind>/<file>#<n>` with `n` its position in the file's list.

use std::collections::BTreeSet;
use std::path::Path;

use crate::adapters::{self, Boards, SourceKind};
use anyhow::Context;
use jobping_core::normalize::normalize;
use jobping_core::{Job, Taxonomy};
use time::OffsetDateTime;
use url::Url;

/// One posting as the normalizer read it.
pub struct Normalized {
    pub key: String,
    pub job: Job,
}

/// What could not be read, said plainly in the report.
pub struct Unread {
    pub what: String,
    pub why: String,
}

#[derive(Default)]
pub struct Read {
    pub postings: Vec<Normalized>,
    pub unread: Vec<Unread>,
    pub files: usize,
}

/// Reads every source folder of `dir`; folders that name no source kind are skipped.
pub fn read(dir: &Path, now: OffsetDateTime) -> anyhow::Result<Read> {
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the payloads folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut out = Read::default();
    for folder in folders {
        let name = folder
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Ok(kind) = name.parse::<SourceKind>() else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let file_name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let prefix = format!("{name}/{file_name}");
            let body = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            out.files += 1;
            read_file(kind, &prefix, &body, now, &mut out);
        }
    }
    Ok(out)
}

fn read_file(kind: SourceKind, prefix: &str, body: &[u8], now: OffsetDateTime, out: &mut Read) {
    let body = unwrap_recording(kind, body);
    let page_url = Url::parse(&format!("https://{}.recorded.invalid/{}", kind.as_str(), prefix))
        .unwrap_or_else(|_| Url::parse("https://recorded.invalid/").expect("a valid URL"));
    // Recordings are named `<board>-….json`: the company token (Lever's payload never
    // names the company, the board does) or Adzuna's country.
    let board = match kind.info().boards {
        Boards::PageUrl => page_url.as_str().to_owned(),
        Boards::None => String::new(),
        Boards::Token | Boards::Host | Boards::Country => {
            let file = prefix.rsplit('/').next().unwrap_or(prefix);
            file.split(['-', '.']).next().unwrap_or_default().to_owned()
        }
    };
    let page = match adapters::parse(kind, &board, &body, &page_url) {
        Ok(page) => page,
        Err(err) => {
            out.unread.push(Unread {
                what: prefix.to_owned(),
                why: err.to_string(),
            });
            return;
        }
    };
    let skipped: BTreeSet<usize> = page.skipped.iter().map(|s| s.index).collect();
    for s in &page.skipped {
        out.unread.push(Unread {
            what: format!("{prefix}#{}", s.index),
            why: s.reason.clone(),
        });
    }
    let mut ordinals = (0..).filter(|i| !skipped.contains(i));
    for raw in &page.postings {
        let n = ordinals.next().unwrap_or_default();
        let key = format!("{prefix}#{n}");
        match normalize(raw, Taxonomy::embedded(), now) {
            Ok(job) => out.postings.push(Normalized { key, job }),
            Err(rejected) => out.unread.push(Unread {
                what: key,
                why: format!("rejected by the normalizer: {rejected}"),
            }),
        }
    }
}

/// A recording some tool re-wrapped keeps the board's items under another key: an
/// Adzuna scraper that saved `{"metadata", "jobs": [...]}` instead of the API's
/// `{"results": [...]}`. Give the adapter the API's own shape back.
fn unwrap_recording(kind: SourceKind, body: &[u8]) -> Vec<u8> {
    if kind != SourceKind::Adzuna {
        return body.to_vec();
    }
    let Ok(serde_json::Value::Object(mut top)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    if top.contains_key("results") {
        return body.to_vec();
    }
    match top.remove("jobs") {
        Some(jobs @ serde_json::Value::Array(_)) => {
            serde_json::to_vec(&serde_json::json!({ "results": jobs })).unwrap_or_else(|_| body.to_vec())
        }
        _ => body.to_vec(),
    }
}
