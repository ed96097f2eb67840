//! Career paths from the taxonomy's keyword lists (data, not code): the title is the
//! strongest evidence, then the department, then words in the description.

use std::collections::HashSet;

use super::words::has_keyword;
use crate::taxonomy::Taxonomy;
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
    title: &str,
    department: Option<&str>,
    description: &str,
    taxonomy: &Taxonomy,
) -> Vec<CareerPath> {
    let title = title.to_lowercase();
    let department = department.map(str::to_lowercase).unwrap_or_default();
    let description = description.to_lowercase();
    // Descriptions are long: look single words up in a set built once, and search only
    // for the multi-word phrases.
    let description_words: HashSet<&str> = description
        .split(|c: char| !c.is_alphanumeric() && c != '+' && c != '#')
        .collect();
    let in_description = |keyword: &String| {
        let keyword = keyword.trim();
        if keyword.contains(|c: char| !c.is_alphanumeric() && c != '+' && c != '#') {
            has_keyword(&description, keyword)
        } else {
            description_words.contains(keyword)
        }
    };
    let mut scored: Vec<(CareerPath, u32, bool)> = Vec::new();
    for info in taxonomy
        .career_paths
        .iter()
        .filter(|p| p.slug != CareerPath::Unsure)
    {
        // A longer keyword is more specific: "business analyst" (strategy) should beat
        // "analyst" (data) on "Business Analyst".
        let title_score: u32 = info
            .title_keywords
            .iter()
            .filter(|k| has_keyword(&title, k))
            .map(|k| TITLE_WEIGHT * k.split_whitespace().count() as u32)
            .sum();
        let department_score: u32 = info
            .department_keywords
            .iter()
            .filter(|k| has_keyword(&department, k))
            .map(|_| DEPARTMENT_WEIGHT)
            .max()
            .unwrap_or(0);
        let description_hits = (info
            .description_keywords
            .iter()
            .filter(|k| in_description(k))
            .count() as u32)
            .min(DESCRIPTION_CAP);
        let strong = title_score > 0 || department_score > 0;
        let score = title_score + department_score + description_hits * DESCRIPTION_WEIGHT;
        if strong || description_hits >= DESCRIPTION_ALONE {
            scored.push((info.slug, score, strong));
        }
    }
    // Description-only paths are a fallback: once the title or department names a
    // path, a description's vocabulary does not add others.
    if scored.iter().any(|(_, _, strong)| *strong) {
        scored.retain(|(_, _, strong)| *strong);
    }
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(path, _, _)| path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CareerPath::*;

    fn paths(title: &str, department: Option<&str>, description: &str) -> Vec<CareerPath> {
        career_paths(title, department, description, Taxonomy::embedded())
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
        assert!(paths("Construction Solicitor - Non Contentious", None, "").is_empty());
    }
}
