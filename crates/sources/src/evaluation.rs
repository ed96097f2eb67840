//! How right the normalizer is on real postings, measured field by field against hand
//! labels (`data/normalization/`): the `jobping eval-normalizer` command. Recorded
//! payloads go through the adapters and the normalizer exactly as a scrape does.

mod labels;
mod payloads;
mod score;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::bail;
use time::OffsetDateTime;

use labels::{Tri, Visa};
use score::FIELDS;

/// Where the recorded payloads are looked for when no folder is given.
pub const DEFAULT_PAYLOADS: &str = "../shared/fixtures/real-2";

/// What to measure and how to show it.
pub struct Options {
    pub payloads: Option<PathBuf>,
    pub labels: Option<PathBuf>,
    /// Print every posting this field gets wrong.
    pub mistakes: Option<String>,
}

/// Measures and returns the report.
pub fn run(options: &Options) -> anyhow::Result<String> {
    let dir = match &options.payloads {
        Some(dir) => dir.clone(),
        None => PathBuf::from(DEFAULT_PAYLOADS),
    };
    if !dir.is_dir() {
        bail!(
            "no recorded payloads at {}: give the folder that holds them (one subfolder per source \
             kind, e.g. `jobping eval-normalizer path/to/real-2`)",
            dir.display()
        );
    }
    if let Some(field) = &options.mistakes
        && !FIELDS.contains(&field.as_str())
    {
        bail!(
            "--mistakes: `{field}` is not a measured field ({})",
            FIELDS.join(", ")
        );
    }
    let labels = match &options.labels {
        Some(dir) => labels::from_dir(dir)?,
        None => labels::embedded()?,
    };
    let read = payloads::read(&dir, OffsetDateTime::now_utc())?;
    Ok(report(&dir, &labels, &read, options.mistakes.as_deref()))
}

fn report(dir: &Path, labels: &labels::Labels, read: &payloads::Read, mistakes: Option<&str>) -> String {
    let pairs: Vec<_> = read
        .postings
        .iter()
        .filter_map(|p| labels.get(&p.key).map(|label| (p, label, score::reading(&p.job))))
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Normalization measured on {} labelled real postings ({} files in {}; {} postings read, {} unlabelled).",
        pairs.len(),
        read.files,
        dir.display(),
        read.postings.len(),
        read.postings.len() - pairs.len()
    );
    let found: std::collections::BTreeSet<&str> = read.postings.iter().map(|p| p.key.as_str()).collect();
    let missing: Vec<&String> = labels.keys().filter(|k| !found.contains(k.as_str())).collect();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "{} labelled postings are not among those read (first: {}).",
            missing.len(),
            missing[0]
        );
    }
    for unread in &read.unread {
        let _ = writeln!(out, "Not read: {}: {}", unread.what, unread.why);
    }
    if pairs.is_empty() {
        out.push_str("No labelled posting was read: nothing to measure.\n");
        return out;
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = FIELDS
        .iter()
        .map(|field| {
            let right = pairs
                .iter()
                .filter(|(_, l, a)| score::agrees(field, l, a))
                .count();
            vec![
                (*field).to_owned(),
                pairs.len().to_string(),
                right.to_string(),
                format!("{:.3}", right as f64 / pairs.len() as f64),
            ]
        })
        .collect();
    out.push_str(&table(&["field", "labelled", "right", "accuracy"], &rows));
    out.push('\n');

    let early: Vec<(Tri, Tri)> = pairs.iter().map(|(_, l, a)| (l.early, a.early)).collect();
    let visa: Vec<(Visa, Visa)> = pairs.iter().map(|(_, l, a)| (l.visa, a.visa)).collect();
    let values = [
        (
            "early-career",
            "yes",
            score::value_score(&early, Tri::Yes, Tri::Unknown),
        ),
        (
            "early-career",
            "no",
            score::value_score(&early, Tri::No, Tri::Unknown),
        ),
        (
            "visa",
            "sponsors",
            score::value_score(&visa, Visa::Sponsors, Visa::Unknown),
        ),
        (
            "visa",
            "no_sponsorship",
            score::value_score(&visa, Visa::NoSponsorship, Visa::Unknown),
        ),
    ];
    let ratio = |r: Option<f64>| r.map_or("-".to_owned(), |r| format!("{r:.3}"));
    let rows: Vec<Vec<String>> = values
        .iter()
        .map(|(field, value, s)| {
            vec![
                (*field).to_owned(),
                (*value).to_owned(),
                ratio(s.precision()),
                ratio(s.recall()),
                s.answered.to_string(),
                s.labelled.to_string(),
                s.abstained.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "field",
            "value",
            "precision",
            "recall",
            "answered",
            "labelled",
            "answered unknown",
        ],
        &rows,
    ));
    let unknown_early = early.iter().filter(|(l, _)| *l == Tri::Unknown).count();
    let guessed = early
        .iter()
        .filter(|(l, a)| *l == Tri::Unknown && *a != Tri::Unknown)
        .count();
    let _ = writeln!(
        out,
        "\nLabelled unknown (the posting does not say): early-career {unknown_early}, of which {guessed} answered yes or no."
    );

    if let Some(field) = mistakes {
        let _ = writeln!(out, "\nWhere {field} is wrong (key, title: label / answer):");
        for (p, label, answer) in pairs.iter().filter(|(_, l, a)| !score::agrees(field, l, a)) {
            let _ = writeln!(
                out,
                "{}\t{}\t{} / {}",
                p.key,
                p.job.title,
                score::shown(field, label),
                score::shown(field, answer)
            );
        }
    }
    out
}

/// Rows as a left-aligned text table with a header.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}
