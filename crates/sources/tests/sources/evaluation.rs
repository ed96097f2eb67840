//! The normalization evaluation end to end: a folder of recorded payloads (fictional
//! companies, real shapes), a labels folder, and the report it makes.

use std::path::PathBuf;

use jobping_sources::evaluation::{Options, run};

/// A fresh folder under the system temp dir, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("jobping-eval-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
    fn write(&self, relative: &str, text: &str) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Adzuna as one scraper re-wrapped it: `{"metadata", "jobs": [...]}`.
const ADZUNA: &str = r#"{"metadata": {"search_term": "data"}, "jobs": [
 {"id": "901", "title": "Stage Data Analyst (H/F)", "company": {"display_name": "Brume Conseil"},
  "location": {"area": ["France", "Ile-de-France", "Paris"], "display_name": "Paris, Ile-de-France"},
  "description": "Stage de 6 mois au sein de l'équipe data…", "redirect_url": "https://www.adzuna.fr/details/901",
  "created": "2025-06-01T10:00:00Z"},
 {"id": "902", "title": "Senior Data Engineer", "company": {"display_name": "Brume Conseil"},
  "location": {"area": ["France", "Auvergne-Rhône-Alpes", "Lyon"], "display_name": "Lyon, Rhône"},
  "description": "Vous avez 6 ans d'expérience en data engineering…", "redirect_url": "https://www.adzuna.fr/details/902",
  "created": "2025-06-01T10:00:00Z"},
 {"title": "no id, so not a posting"}
]}"#;

const HEADER: &str = "key\tlevel\tearly\tpaths\tcities\tcountries\twork\tvisa\tlanguages\tdeadline\n";

#[test]
fn measures_each_field_against_the_labels() {
    let payloads = Folder::new("payloads");
    payloads.write("adzuna/fr-search.json", ADZUNA);
    payloads.write("notasource/ignored.json", "{}");
    let labels = Folder::new("labels");
    // #0 labelled as read; #1 labelled hybrid, which the posting does not say: one miss.
    labels.write(
        "set.tsv",
        &format!(
            "{HEADER}adzuna/fr-search.json#0\tinternship\tyes\tdata\tparis\tFR\tunknown\tunknown\t-\t-\n\
             adzuna/fr-search.json#1\tsenior\tno\tdata|tech\t-\tFR\thybrid\tunknown\t-\t-\n\
             adzuna/fr-search.json#7\tjunior\tyes\t-\t-\t-\tunknown\tunknown\t-\t-\n"
        ),
    );
    let report = run(&Options {
        payloads: Some(payloads.0.clone()),
        labels: Some(labels.0.clone()),
        mistakes: Some("work-environment".into()),
    })
    .unwrap();
    assert!(
        report.contains("measured on 2 labelled real postings (1 files"),
        "{report}"
    );
    assert!(
        report.contains("1 labelled postings are not among those read (first: adzuna/fr-search.json#7)"),
        "{report}"
    );
    assert!(
        report.contains("Not read: adzuna/fr-search.json#2: missing id"),
        "{report}"
    );
    let line = |field: &str| report.lines().find(|l| l.starts_with(field)).unwrap().to_owned();
    assert!(
        line("early-career ").ends_with("2         2      1.000"),
        "{report}"
    );
    assert!(
        line("work-environment").ends_with("2         1      0.500"),
        "{report}"
    );
    assert!(
        report.contains("adzuna/fr-search.json#1\tSenior Data Engineer\thybrid / unknown"),
        "{report}"
    );
}

#[test]
fn says_plainly_when_the_payloads_or_labels_are_absent() {
    let missing = std::env::temp_dir().join("jobping-eval-no-such-folder");
    let err = run(&Options {
        payloads: Some(missing.clone()),
        labels: None,
        mistakes: None,
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("no recorded payloads at") && err.contains("jobping-eval-no-such-folder"),
        "{err}"
    );

    let payloads = Folder::new("payloads-2");
    payloads.write("adzuna/fr-search.json", ADZUNA);
    let labels = Folder::new("labels-bad");
    labels.write(
        "set.tsv",
        &format!("{HEADER}adzuna/fr-search.json#0\tintern\tyes\t-\t-\t-\tunknown\tunknown\t-\t-\n"),
    );
    let err = format!(
        "{:#}",
        run(&Options {
            payloads: Some(payloads.0.clone()),
            labels: Some(labels.0.clone()),
            mistakes: None,
        })
        .unwrap_err()
    );
    assert!(err.contains("set.tsv, line 2") && err.contains("level"), "{err}");
}
