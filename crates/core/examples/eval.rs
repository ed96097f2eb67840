//! Prints precision@5 and nDCG@5 of the matching engine over the labelled evaluation
//! set in `data/eval`: `cargo run -p jobping-core --example eval --release`.
//!
//! A job counts as relevant for precision when judged 2 or 3; nDCG uses the gain
//! 2^grade - 1 against the ideal order of all the profile's judgments.

mod eval_data;

use jobping_core::Taxonomy;
use jobping_core::matching::{JobIndex, MatchConfig, SubscriberContext, rank};

const K: usize = 5;

fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .enumerate()
        .map(|(i, &g)| (2f64.powi(i32::from(g)) - 1.0) / (i as f64 + 2.0).log2())
        .sum()
}

fn main() {
    let taxonomy = Taxonomy::embedded();
    let set = eval_data::EvalSet::load(taxonomy);
    let index = JobIndex::new(set.jobs.clone());
    let config = MatchConfig {
        limit: K,
        ..MatchConfig::default()
    };
    let ctx = SubscriberContext::fresh(set.now);
    let verbose = std::env::args().any(|a| a == "--verbose");
    let (mut precision, mut ndcg, mut ceiling) = (0.0, 0.0, 0.0);
    println!(
        "{:<46} {:>4} {:>6} {:>6}  grades",
        "profile", "sent", "P@5", "nDCG@5"
    );
    for (id, _, prefs) in &set.profiles {
        let matches = rank(prefs, &index, &ctx, &config, taxonomy);
        let got: Vec<u8> = matches
            .iter()
            .map(|m| set.grades[&(id.clone(), m.job_id)])
            .collect();
        let mut ideal: Vec<u8> = set.jobs.iter().map(|j| set.grades[&(id.clone(), j.id)]).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        ideal.truncate(K);
        let p = got.iter().filter(|&&g| g >= 2).count() as f64 / K as f64;
        let best = dcg(&ideal);
        let n = if best > 0.0 { dcg(&got) / best } else { 1.0 };
        println!(
            "{id:<46} {:>4} {p:>6.2} {n:>6.3}  {got:?} (ideal {ideal:?})",
            matches.len()
        );
        if verbose {
            for m in &matches {
                let job = &set
                    .jobs
                    .iter()
                    .find(|j| j.id == m.job_id)
                    .expect("a ranked job is in the set")
                    .job;
                let grade = set.grades[&(id.clone(), m.job_id)];
                println!(
                    "    {:>3} {:<9} g{grade} {} @ {}: {}",
                    m.score,
                    m.label.as_str(),
                    job.title,
                    job.company,
                    m.reasons.join(" · ")
                );
            }
        }
        ceiling += ideal.iter().filter(|&&g| g >= 2).count() as f64 / K as f64;
        precision += p;
        ndcg += n;
    }
    let count = set.profiles.len() as f64;
    println!();
    println!("profiles: {}, jobs: {}", set.profiles.len(), set.jobs.len());
    println!(
        "precision@5: {:.3} (best possible on this set: {:.3})",
        precision / count,
        ceiling / count
    );
    println!("nDCG@5: {:.3}", ndcg / count);
}
