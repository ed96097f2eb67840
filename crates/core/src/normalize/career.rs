//! Career paths from the taxonomy's keyword lists (data, not code): the title is the
//! strongest evidence, then the department, then words in the description.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use super::text::Folded;
use super::words::{is_long_keyword, is_token_char, keyword_at, token_at};
use crate::taxonomy::{CareerPathInfo, Taxonomy};
use crate::vocab::CareerPath;

/// How much one keyword hit weighs, per source. A title hit outweighs any number of
/// description hits, since a description mentions SQL in a sales job too.
const TITLE_WEIGHT: u32 = 100;
const DEPARTMENT_WEIGHT: u32 = 40;
const DESCRIPTION_WEIGHT: u32 = 1;
/// Description hits counted at most, so a long description cannot outvote a department.
const DESCRIPTION_CAP: u32 = 5;
/// Description hits needed before the description alone names a path.
const DESCRIPTION_ALONE: u32 = 3;

/// The paths the job fits, best first; empty when nothing is clear.
pub(crate) fn career_paths(
    title: &Folded<'_>,
    department: Option<&str>,
    description: &Folded<'_>,
    taxonomy: &Taxonomy,
) -> Vec<CareerPath> {
    let keywords = taxonomy.career_keywords();
    let title = keywords.scan(&title.lower);
    let department = keywords.scan(&department.map(str::to_lowercase).unwrap_or_default());
    let description = keywords.scan(&description.lower);
    let mut scored: Vec<(CareerPath, u32, bool)> = Vec::new();
    let mut title_scores: Vec<(CareerPath, u32)> = Vec::new();
    for path in &keywords.paths {
        // A longer keyword is more specific: "business analyst" (strategy) should beat
        // "analyst" (data) on "Business Analyst".
        let title_score: u32 = path
            .title
            .iter()
            .filter(|(k, _)| title.as_keyword[*k])
            .map(|(_, words)| TITLE_WEIGHT * words)
            .sum();
        title_scores.push((path.slug, title_score));
        let department_score = if path.department.iter().any(|&k| department.as_keyword[k]) {
            DEPARTMENT_WEIGHT
        } else {
            0
        };
        // A single word in a description counts only whole ("sql", not "sqlite"); a
        // phrase by the keyword rule.
        let description_hits = (path
            .description
            .iter()
            .filter(|&&(k, phrase)| {
                if phrase {
                    description.as_keyword[k]
                } else {
                    description.as_token[k]
                }
            })
            .count() as u32)
            .min(DESCRIPTION_CAP);
        let strong = title_score > 0 || department_score > 0;
        let score = title_score + department_score + description_hits * DESCRIPTION_WEIGHT;
        if strong || description_hits >= DESCRIPTION_ALONE {
            scored.push((path.slug, score, strong));
        }
    }
    // Description-only paths are a fallback: once the title or department names a
    // path, a description's vocabulary does not add others.
    if scored.iter().any(|(_, _, strong)| *strong) {
        scored.retain(|(_, _, strong)| *strong);
    }
    // The title's dominant paths: a path the title names only in passing ("Data
    // Engineer - Financial Services", "Consultant Data Analyst") beside a stronger one
    // is not the job's. A board's department or category (often a broad guess, such as
    // an aggregator's "Design" for a data job) speaks only when the title names no path.
    let top_title = title_scores.iter().map(|(_, s)| *s).max().unwrap_or(0);
    if top_title > 0 {
        scored.retain(|(path, _, _)| title_scores.iter().any(|(p, s)| p == path && *s * 2 > top_title));
    }
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(path, _, _)| path).collect()
}

/// Every career-path keyword of a taxonomy in one automaton, built once: a single pass
/// over a text finds them all, where searching for each of hundreds of keywords in turn
/// took a pass apiece and was a tenth of all normalizing.
#[derive(Debug)]
pub(crate) struct CareerKeywords {
    automaton: Option<AhoCorasick>,
    /// The keywords, trimmed, by pattern number (read by the tests, kept for `Debug`).
    #[cfg_attr(not(test), allow(dead_code))]
    patterns: Vec<String>,
    /// Per pattern: whether it is long enough to match inside a word.
    long: Vec<bool>,
    paths: Vec<PathKeywords>,
}

/// One path's keywords as pattern numbers.
#[derive(Debug)]
struct PathKeywords {
    slug: CareerPath,
    /// With the keyword's word count, its weight.
    title: Vec<(usize, u32)>,
    department: Vec<usize>,
    /// With whether it is a phrase (matched by the keyword rule, not as one token).
    description: Vec<(usize, bool)>,
}

/// Which patterns occur in one text, by each rule.
struct Found {
    as_keyword: Vec<bool>,
    as_token: Vec<bool>,
}

impl CareerKeywords {
    pub(crate) fn new<'a>(paths: &'a [CareerPathInfo]) -> Self {
        let mut patterns: Vec<&str> = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut id = |keyword: &'a String| -> Option<usize> {
            let keyword = keyword.trim();
            if keyword.is_empty() {
                return None;
            }
            Some(*ids.entry(keyword).or_insert_with(|| {
                patterns.push(keyword);
                patterns.len() - 1
            }))
        };
        let paths: Vec<PathKeywords> = paths
            .iter()
            .filter(|p| p.slug != CareerPath::Unsure)
            .map(|p| PathKeywords {
                slug: p.slug,
                title: p
                    .title_keywords
                    .iter()
                    .filter_map(|k| Some((id(k)?, k.split_whitespace().count() as u32)))
                    .collect(),
                department: p.department_keywords.iter().filter_map(&mut id).collect(),
                description: p
                    .description_keywords
                    .iter()
                    .filter_map(|k| {
                        let phrase = !k.trim().chars().all(is_token_char);
                        Some((id(k)?, phrase))
                    })
                    .collect(),
            })
            .collect();
        let long = patterns.iter().map(|k| is_long_keyword(k)).collect();
        let patterns: Vec<String> = patterns.into_iter().map(str::to_owned).collect();
        // Plain keywords always build; were one ever refused, paths would go unnamed
        // rather than normalizing fail.
        // A DFA: built once per process, it reads a description in a fraction of the
        // instructions the default NFA takes, for a few hundred kilobytes of memory.
        let automaton = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        Self {
            automaton,
            patterns,
            long,
            paths,
        }
    }

    fn scan(&self, text: &str) -> Found {
        let mut found = Found {
            as_keyword: vec![false; self.long.len()],
            as_token: vec![false; self.long.len()],
        };
        let Some(automaton) = &self.automaton else {
            return found;
        };
        for hit in automaton.find_overlapping_iter(text) {
            let (k, start, end) = (hit.pattern().as_usize(), hit.start(), hit.end());
            if !found.as_keyword[k] && keyword_at(text, start, end, self.long[k]) {
                found.as_keyword[k] = true;
            }
            if !found.as_token[k] && token_at(text, start, end) {
                found.as_token[k] = true;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CareerPath::*;

    fn paths(title: &str, department: Option<&str>, description: &str) -> Vec<CareerPath> {
        career_paths(
            &Folded::new(title),
            department,
            &Folded::new(description),
            Taxonomy::embedded(),
        )
    }

    #[test]
    fn the_title_names_the_career_path_first() {
        for (title, first) in [
            ("Data Analyst", Data),
            ("Customer Data Scientist - Experimentation", Data),
            ("Business Analyst Trainee", Strategy),
            ("Junior Marketing Manager", Marketing),
            ("Senior PR & Communications Manager", Marketing),
            ("Account Executive, Startups", Sales),
            ("Business Development Representative - EMEA", Sales),
            ("Associate Product Manager", Product),
            ("Backend Software Engineer - Application Development", Tech),
            ("Softwareentwickler Datenbanksysteme (m/w/d)", Tech),
            ("Accounts Assistant", Finance),
            ("Supply Chain Coordinator", Operations),
            ("Sustainability Analyst (ESG Reporting)", Sustainability),
            ("Werkstudent*in (w/m/d) im Bereich Finance", Finance),
        ] {
            assert_eq!(
                paths(title, None, "").first(),
                Some(&first),
                "{title}: {:?}",
                paths(title, None, "")
            );
        }
    }

    #[test]
    fn the_department_decides_when_the_title_is_silent() {
        assert_eq!(
            paths("Representative", Some("Business Development"), ""),
            vec![Sales]
        );
        assert_eq!(paths("IT Administrator (m/w/d)", None, ""), vec![Tech]);
        assert_eq!(paths("Wild Card", Some("Sales - International"), ""), vec![Sales]);
        assert_eq!(
            paths("Programme Coordinator", Some("People"), ""),
            vec![Operations]
        );
    }

    #[test]
    fn the_description_alone_names_a_path_only_with_several_hints() {
        let text = "You will write SQL and Python, build dashboards in Tableau and present statistics.";
        assert_eq!(paths("Wild Card", None, text), vec![Data]);
        assert!(paths("Wild Card", None, "We use SQL sometimes.").is_empty());
        assert_eq!(paths("Account Executive", None, text), vec![Sales]);
    }

    #[test]
    fn a_title_with_no_path_words_and_nothing_else_has_no_path() {
        assert!(paths("Pharmacy Technician", None, "").is_empty());
        assert!(paths("Teaching Assistant - SEN", None, "").is_empty());
    }

    #[test]
    fn legal_and_office_roles_have_paths_and_ai_engineering_is_tech() {
        assert_eq!(
            paths("Construction Solicitor - Non Contentious", None, ""),
            vec![Legal]
        );
        assert_eq!(paths("Juriste droit social (H/F)", None, ""), vec![Legal]);
        assert_eq!(paths("Data Protection Officer", None, ""), vec![Legal]);
        assert_eq!(
            paths("Executive Assistant to the CEO", None, ""),
            vec![Operations]
        );
        assert_eq!(paths("Teamassistenz (m/w/d)", None, ""), vec![Operations]);
        assert_eq!(paths("Claims Handler - Motor", None, ""), vec![Operations]);
        assert_eq!(paths("Senior AI Engineer", None, ""), vec![Tech]);
        assert_eq!(paths("Machine Learning Engineer", None, ""), vec![Tech]);
    }

    #[test]
    fn a_path_the_title_names_in_passing_or_a_broad_category_does_not_join_the_main_one() {
        assert_eq!(paths("Data Engineer - Financial Services", None, ""), vec![Data]);
        assert_eq!(
            paths("Data Engineer", Some("Emplois Création et Design"), ""),
            vec![Data]
        );
        assert_eq!(paths("Wild Card", Some("Design"), ""), vec![Product]);
    }

    #[test]
    fn the_automaton_finds_what_searching_keyword_by_keyword_finds() {
        use super::super::words::has_keyword;
        let taxonomy = Taxonomy::embedded();
        let keywords = taxonomy.career_keywords();
        let texts = [
            "softwareentwickler (m/w/d) im team data & analytics",
            "werkstudent*in controlling / finanzbuchhaltung, sql und python",
            "business analystin, c++ and c# developer; taxi driver; salesforce crm",
            "we are a fintech scaling our product management and ux research teams.",
            "marketing-manager:in für social media und content; account executive (m/f/d)",
        ];
        for text in texts {
            let found = keywords.scan(text);
            assert!(
                found.as_keyword.iter().any(|&f| f),
                "something is found in `{text}`"
            );
            for info in &taxonomy.career_paths {
                for k in info
                    .title_keywords
                    .iter()
                    .chain(&info.department_keywords)
                    .chain(&info.description_keywords)
                    .filter(|k| !k.trim().is_empty())
                {
                    let id = keywords
                        .patterns
                        .iter()
                        .position(|p| p == k.trim())
                        .unwrap_or_else(|| panic!("`{k}` has a pattern"));
                    assert_eq!(found.as_keyword[id], has_keyword(text, k), "`{k}` in `{text}`");
                    let as_token = text.split(|c: char| !is_token_char(c)).any(|w| w == k.trim());
                    if k.trim().chars().all(is_token_char) {
                        assert_eq!(found.as_token[id], as_token, "`{k}` as a token in `{text}`");
                    }
                }
            }
        }
    }
}
