//! The hand labels: what a careful reader says each real posting means. Keys and
//! judgments only (see `data/normalization/GUIDE.md`); the files are compiled in, and
//! `--labels DIR` reads another set.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use jobping_core::{CareerPath, JobLevel, WorkEnvironment};
use time::Date;

/// The label files shipped in the binary, by name.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "adzuna-1.tsv",
        include_str!("../../data/normalization/labels/adzuna-1.tsv"),
    ),
    (
        "adzuna-2.tsv",
        include_str!("../../data/normalization/labels/adzuna-2.tsv"),
    ),
    (
        "adzuna-3.tsv",
        include_str!("../../data/normalization/labels/adzuna-3.tsv"),
    ),
    (
        "adzuna-4.tsv",
        include_str!("../../data/normalization/labels/adzuna-4.tsv"),
    ),
    (
        "arbeitnow-1.tsv",
        include_str!("../../data/normalization/labels/arbeitnow-1.tsv"),
    ),
    (
        "arbeitnow-2.tsv",
        include_str!("../../data/normalization/labels/arbeitnow-2.tsv"),
    ),
    (
        "boards.tsv",
        include_str!("../../data/normalization/labels/boards.tsv"),
    ),
];

const HEADER: [&str; 10] = [
    "key",
    "level",
    "early",
    "paths",
    "cities",
    "countries",
    "work",
    "visa",
    "languages",
    "deadline",
];

/// Yes, no, or the posting does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

/// The visa statement, with "must already have the right to work" counted as a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visa {
    Sponsors,
    NoSponsorship,
    Unknown,
}

/// One posting's labels, or the normalizer's answer in the same terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub level: JobLevel,
    pub early: Tri,
    /// The acceptable paths (a label may allow several; an answer is right when it is a
    /// non-empty part of them, or both are empty).
    pub paths: BTreeSet<String>,
    pub cities: BTreeSet<String>,
    pub countries: BTreeSet<String>,
    pub work: Option<WorkEnvironment>,
    pub visa: Visa,
    pub languages: BTreeSet<String>,
    pub deadline: Option<Date>,
}

/// Every label, by key (`source/file#n`).
pub type Labels = BTreeMap<String, Reading>;

/// The shipped labels.
pub fn embedded() -> anyhow::Result<Labels> {
    let mut labels = Labels::new();
    for (name, text) in EMBEDDED {
        read_into(&mut labels, name, text)?;
    }
    Ok(labels)
}

/// Every `*.tsv` in `dir`.
pub fn from_dir(dir: &Path) -> anyhow::Result<Labels> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the labels folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    names.sort();
    if names.is_empty() {
        bail!("{} holds no .tsv label files", dir.display());
    }
    let mut labels = Labels::new();
    for path in names {
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        read_into(&mut labels, &path.display().to_string(), &text)?;
    }
    Ok(labels)
}

fn read_into(labels: &mut Labels, file: &str, text: &str) -> anyhow::Result<()> {
    let mut header_seen = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !header_seen {
            if cells != HEADER {
                bail!(
                    "{file}: the first line must be the header `{}`",
                    HEADER.join("\\t")
                );
            }
            header_seen = true;
            continue;
        }
        let reading = parse_row(&cells).with_context(|| format!("{file}, line {}", number + 1))?;
        if labels.insert(cells[0].to_owned(), reading).is_some() {
            bail!("{file}, line {}: `{}` is labelled twice", number + 1, cells[0]);
        }
    }
    Ok(())
}

fn parse_row(cells: &[&str]) -> anyhow::Result<Reading> {
    if cells.len() != HEADER.len() {
        bail!("{} columns where {} are needed", cells.len(), HEADER.len());
    }
    let level = cells[1]
        .parse::<JobLevel>()
        .map_err(|e| anyhow::anyhow!("level: {e}"))?;
    let early = match cells[2] {
        "yes" => Tri::Yes,
        "no" => Tri::No,
        "unknown" => Tri::Unknown,
        other => bail!("early: `{other}` is not yes, no or unknown"),
    };
    let paths = list(cells[3]);
    for path in &paths {
        if path.parse::<CareerPath>().is_err() {
            bail!("paths: `{path}` is not a career path");
        }
    }
    let work = match cells[6] {
        "unknown" => None,
        other => Some(
            other
                .parse::<WorkEnvironment>()
                .map_err(|e| anyhow::anyhow!("work: {e}"))?,
        ),
    };
    let visa = match cells[7] {
        "sponsors" => Visa::Sponsors,
        "no_sponsorship" => Visa::NoSponsorship,
        "unknown" => Visa::Unknown,
        other => bail!("visa: `{other}` is not sponsors, no_sponsorship or unknown"),
    };
    let deadline = match cells[9] {
        "-" | "" => None,
        day => Some(
            Date::parse(day, &time::format_description::well_known::Iso8601::DATE)
                .with_context(|| format!("deadline: `{day}` is not a YYYY-MM-DD date"))?,
        ),
    };
    Ok(Reading {
        level,
        early,
        paths,
        cities: list(cells[4]),
        countries: list(cells[5]).into_iter().map(|c| c.to_uppercase()).collect(),
        work,
        visa,
        languages: list(cells[8]),
        deadline,
    })
}

fn list(cell: &str) -> BTreeSet<String> {
    if cell == "-" || cell.is_empty() {
        return BTreeSet::new();
    }
    cell.split('|')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "key\tlevel\tearly\tpaths\tcities\tcountries\twork\tvisa\tlanguages\tdeadline\n";

    #[test]
    fn reads_a_row_with_lists_and_empties() {
        let mut labels = Labels::new();
        let text = format!(
            "{HEAD}# a comment\nreed/a.json#3\tjunior\tyes\tdata|tech\tlondon\tgb\thybrid\tno_sponsorship\ten|de\t2026-01-15\n"
        );
        read_into(&mut labels, "t", &text).unwrap();
        let r = &labels["reed/a.json#3"];
        assert_eq!(r.level, JobLevel::Junior);
        assert_eq!(r.early, Tri::Yes);
        assert_eq!(r.paths.len(), 2);
        assert!(r.countries.contains("GB"));
        assert_eq!(r.work, Some(WorkEnvironment::Hybrid));
        assert_eq!(r.visa, Visa::NoSponsorship);
        assert_eq!(r.deadline.unwrap().to_string(), "2026-01-15");
    }

    #[test]
    fn names_what_is_wrong() {
        let mut labels = Labels::new();
        let text = format!("{HEAD}k#0\tjunior\tmaybe\t-\t-\t-\tunknown\tunknown\t-\t-\n");
        let err = format!("{:#}", read_into(&mut labels, "f.tsv", &text).unwrap_err());
        assert!(
            err.contains("f.tsv, line 2") && err.contains("early: `maybe`"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            read_into(&mut Labels::new(), "f.tsv", "key\tlevel\n").unwrap_err()
        );
        assert!(err.contains("header"), "{err}");
        let twice = format!(
            "{HEAD}k#0\tjunior\tyes\t-\t-\t-\tunknown\tunknown\t-\t-\nk#0\tjunior\tyes\t-\t-\t-\tunknown\tunknown\t-\t-\n"
        );
        let err = format!(
            "{:#}",
            read_into(&mut Labels::new(), "f.tsv", &twice).unwrap_err()
        );
        assert!(err.contains("labelled twice"), "{err}");
    }

    #[test]
    fn the_shipped_labels_parse() {
        let labels = embedded().unwrap();
        assert!(labels.len() >= 500, "{} labels", labels.len());
    }
}
