//! The pure parts of re-ranking: the texts sent, and the orders read back.
//!
//! An order is a permutation of the candidates' positions (`0..n`), best first.

use std::collections::HashSet;

use jobping_core::Preferences;
use jobping_core::Taxonomy;
use jobping_core::matching::IndexedJob;

/// The share of the built-in score in the embeddings blend; similarity has the rest.
pub const BUILTIN_WEIGHT: f64 = 0.5;

/// How much of a description is sent, in characters.
const DESCRIPTION_CHARS: usize = 500;

/// The subscriber as one paragraph: roles, paths, skills, keywords and cities.
pub(crate) fn profile_text(prefs: &Preferences) -> String {
    let taxonomy = Taxonomy::embedded();
    let paths: Vec<String> = prefs
        .career_paths()
        .iter()
        .map(|path| taxonomy.career_path(*path).name.clone())
        .collect();
    let cities: Vec<String> = prefs
        .cities()
        .iter()
        .map(|slug| {
            taxonomy
                .city(slug)
                .map_or_else(|| slug.clone(), |city| city.name.clone())
        })
        .collect();
    let parts = [
        ("Roles", prefs.roles().to_vec()),
        ("Career paths", paths),
        ("Skills", prefs.skills().to_vec()),
        ("Keywords", prefs.keywords().to_vec()),
        ("Cities", cities),
    ];
    parts
        .iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(name, items)| format!("{name}: {}.", items.join(", ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A job as one paragraph: title, company, paths, places and the start of the description.
pub(crate) fn job_text(job: &IndexedJob) -> String {
    let taxonomy = Taxonomy::embedded();
    let job = &job.job;
    let mut text = format!("{} at {}.", job.title, job.company);
    if !job.career_paths.is_empty() {
        let paths: Vec<&str> = job
            .career_paths
            .iter()
            .map(|path| taxonomy.career_path(*path).name.as_str())
            .collect();
        text.push_str(&format!(" Career paths: {}.", paths.join(", ")));
    }
    if !job.locations.is_empty() {
        let places: Vec<&str> = job.locations.iter().map(|l| l.raw.as_str()).collect();
        text.push_str(&format!(" Location: {}.", places.join("; ")));
    }
    let description = excerpt(&job.description_text, DESCRIPTION_CHARS);
    if !description.is_empty() {
        text.push(' ');
        text.push_str(&description);
    }
    text
}

/// The first `max` characters of `text` on one line, cut at a word where possible.
fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => &cut,
    };
    format!("{cut}…")
}

/// Cosine similarity, `None` for vectors of different lengths or of zero length.
fn cosine(a: &[f32], b: &[f32]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (mut dot, mut norm_a, mut norm_b) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    let norms = norm_a.sqrt() * norm_b.sqrt();
    let similarity = if norms > 0.0 { dot / norms } else { 0.0 };
    similarity.is_finite().then_some(similarity)
}

/// Orders by `BUILTIN_WEIGHT × score/100 + (1 − BUILTIN_WEIGHT) × max(cosine, 0)`, ties
/// in input order. `None` when a job vector does not fit the profile's.
///
/// The raw cosine is used, not one rescaled across the candidates: near-equal
/// similarities then move jobs a little, and a spread-out one moves them a lot.
pub(crate) fn blend(scores: &[u8], profile: &[f32], jobs: &[Vec<f32>]) -> Option<Vec<usize>> {
    if scores.len() != jobs.len() {
        return None;
    }
    let mut blended = Vec::with_capacity(jobs.len());
    for (score, job) in scores.iter().zip(jobs) {
        let similarity = cosine(profile, job)?.clamp(0.0, 1.0);
        blended.push(BUILTIN_WEIGHT * f64::from(*score) / 100.0 + (1.0 - BUILTIN_WEIGHT) * similarity);
    }
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|a, b| blended[*b].total_cmp(&blended[*a]));
    Some(order)
}

/// Reads a chat answer: a JSON array of the given ids, best first, possibly in a code
/// fence. Ids left out follow in input order. `Err` names what is wrong: not an array,
/// an id that was not given, or one listed twice.
pub(crate) fn from_chat_answer(answer: &str, ids: &[i64]) -> Result<Vec<usize>, String> {
    let array = match (answer.find('['), answer.rfind(']')) {
        (Some(start), Some(end)) if start < end => &answer[start..=end],
        _ => return Err("the answer holds no JSON array".to_owned()),
    };
    let values: Vec<serde_json::Value> =
        serde_json::from_str(array).map_err(|_| "the answer's array is not JSON".to_owned())?;
    let mut order = Vec::with_capacity(ids.len());
    let mut seen = HashSet::new();
    for value in values {
        let id = match &value {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| format!("`{value}` is not a job id"))?;
        let position = ids
            .iter()
            .position(|given| *given == id)
            .ok_or_else(|| format!("the answer names job {id}, which was not a candidate"))?;
        if !seen.insert(position) {
            return Err(format!("the answer lists job {id} twice"));
        }
        order.push(position);
    }
    order.extend((0..ids.len()).filter(|position| !seen.contains(position)));
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_chat_answer_keeps_the_rest_in_input_order() {
        assert_eq!(from_chat_answer("[30]", &[10, 20, 30]), Ok(vec![2, 0, 1]));
    }

    #[test]
    fn a_chat_answer_in_a_code_fence_with_string_ids_is_read() {
        let answer = "```json\n[\"20\", 10, 30]\n```";
        assert_eq!(from_chat_answer(answer, &[10, 20, 30]), Ok(vec![1, 0, 2]));
    }

    #[test]
    fn a_chat_answer_with_an_unknown_a_repeated_or_a_non_id_entry_is_refused() {
        let ids = [10, 20, 30];
        assert!(from_chat_answer("[10, 99]", &ids).is_err());
        assert!(from_chat_answer("[10, 10]", &ids).is_err());
        assert!(from_chat_answer("[10, {\"id\": 20}]", &ids).is_err());
        assert!(from_chat_answer("Job 10 fits best.", &ids).is_err());
        assert!(from_chat_answer("][", &ids).is_err());
    }

    #[test]
    fn the_blend_weighs_score_and_similarity_equally_and_keeps_ties_in_order() {
        let profile = [1.0, 0.0];
        let jobs = [vec![0.0, 1.0], vec![1.0, 0.0], vec![0.0, 1.0]];
        // 0.45, 0.4 + 0.5, 0.45: the similar job leads; the tie keeps input order.
        assert_eq!(blend(&[90, 80, 90], &profile, &jobs), Some(vec![1, 0, 2]));
        assert_eq!(blend(&[90], &profile, &[vec![1.0]]), None);
    }

    #[test]
    fn an_excerpt_is_cut_at_a_word_and_marked() {
        let text = "word ".repeat(200);
        let cut = excerpt(&text, 500);
        assert!(cut.chars().count() <= 501);
        assert!(cut.ends_with("word…"));
        assert_eq!(excerpt("  short\n text ", 500), "short text");
    }
}
