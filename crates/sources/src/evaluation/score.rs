//! Field-by-field comparison of the normalizer's reading with the labels.

use std::collections::BTreeSet;

use jobping_core::{Job, JobLevel, RemoteScope, VisaSignal};

use super::labels::{Reading, Tri, Visa};

/// The fields measured, in report order.
pub const FIELDS: [&str; 9] = [
    "early-career",
    "level",
    "work-environment",
    "career-path",
    "city",
    "country",
    "visa",
    "languages",
    "deadline",
];

/// The normalizer's answer in the labels' terms.
pub fn reading(job: &Job) -> Reading {
    let early = match job.level {
        JobLevel::Unknown => Tri::Unknown,
        level if level.is_early_career() => Tri::Yes,
        _ => Tri::No,
    };
    let mut countries: BTreeSet<String> = job.locations.iter().filter_map(|l| l.country.clone()).collect();
    if let RemoteScope::Countries(codes) = &job.remote_scope {
        countries.extend(codes.iter().map(|c| c.to_uppercase()));
    }
    Reading {
        level: job.level,
        early,
        paths: job
            .career_paths
            .iter()
            .filter(|p| p.as_str() != "unsure")
            .map(|p| p.as_str().to_owned())
            .collect(),
        cities: job.locations.iter().filter_map(|l| l.city.clone()).collect(),
        countries,
        work: job.work_environment,
        visa: match job.visa {
            VisaSignal::Sponsors => Visa::Sponsors,
            VisaSignal::NoSponsorship | VisaSignal::RightToWorkRequired => Visa::NoSponsorship,
            VisaSignal::Unknown => Visa::Unknown,
        },
        languages: job.languages_required.iter().map(|l| l.to_lowercase()).collect(),
        deadline: job.valid_through.map(|t| t.date()),
    }
}

/// Whether the answer is right for `field`.
pub fn agrees(field: &str, label: &Reading, answer: &Reading) -> bool {
    match field {
        "early-career" => label.early == answer.early,
        "level" => label.level == answer.level,
        "work-environment" => label.work == answer.work,
        "career-path" => {
            if label.paths.is_empty() {
                answer.paths.is_empty()
            } else {
                !answer.paths.is_empty() && answer.paths.is_subset(&label.paths)
            }
        }
        "city" => label.cities == answer.cities,
        "country" => label.countries == answer.countries,
        "visa" => label.visa == answer.visa,
        "languages" => label.languages == answer.languages,
        "deadline" => label.deadline == answer.deadline,
        _ => false,
    }
}

/// A field's value, as the report shows it.
pub fn shown(field: &str, r: &Reading) -> String {
    let set = |s: &BTreeSet<String>| {
        if s.is_empty() {
            "-".to_owned()
        } else {
            s.iter().cloned().collect::<Vec<_>>().join("|")
        }
    };
    match field {
        "early-career" => format!("{:?}", r.early).to_lowercase(),
        "level" => r.level.as_str().to_owned(),
        "work-environment" => r.work.map_or("unknown", |w| w.as_str()).to_owned(),
        "career-path" => set(&r.paths),
        "city" => set(&r.cities),
        "country" => set(&r.countries),
        "visa" => match r.visa {
            Visa::Sponsors => "sponsors",
            Visa::NoSponsorship => "no_sponsorship",
            Visa::Unknown => "unknown",
        }
        .to_owned(),
        "languages" => set(&r.languages),
        "deadline" => r.deadline.map_or("-".to_owned(), |d| d.to_string()),
        _ => String::new(),
    }
}

/// Precision and recall of one value of a three-way field, with unknowns apart.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ValueScore {
    /// Answered this value.
    pub answered: usize,
    /// Labelled this value.
    pub labelled: usize,
    /// Both.
    pub right: usize,
    /// Labelled this value, answered unknown: an honest abstention, not a wrong guess.
    pub abstained: usize,
}

impl ValueScore {
    pub fn precision(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.right as f64 / self.answered as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.labelled > 0).then(|| self.right as f64 / self.labelled as f64)
    }
}

/// Counts for one value over (label, answer) pairs, `unknown` being the abstention.
pub fn value_score<T: PartialEq + Copy>(pairs: &[(T, T)], value: T, unknown: T) -> ValueScore {
    let mut s = ValueScore::default();
    for &(label, answer) in pairs {
        s.answered += usize::from(answer == value);
        s.labelled += usize::from(label == value);
        s.right += usize::from(label == value && answer == value);
        s.abstained += usize::from(label == value && answer == unknown);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_recall_count_unknown_apart() {
        use Tri::*;
        let pairs = [(Yes, Yes), (Yes, Unknown), (No, Yes), (Yes, Yes), (Unknown, No)];
        let s = value_score(&pairs, Yes, Unknown);
        assert_eq!((s.answered, s.labelled, s.right, s.abstained), (3, 3, 2, 1));
        assert!((s.precision().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.recall().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(value_score(&pairs, No, Unknown).precision(), Some(0.0));
    }
}
