//! The reference vocabulary as data: countries, cities (with local spellings), career
//! paths (with the words that signal them) and languages. It lives in
//! `data/taxonomy.toml`, compiled in, so that tests and the binary read the same file.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::vocab::CareerPath;

/// A country JobPing knows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    pub name: String,
    /// Other names and codes it goes by ("Deutschland", "DEU").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// In the EU/EEA or Switzerland: EU citizens may work there without a visa.
    pub eu: bool,
    /// Official working languages (ISO 639-1).
    #[serde(default)]
    pub languages: Vec<String>,
}

/// A city JobPing covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct City {
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Local and common spellings ("München", "Muenchen").
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A career path's display name and the words that signal it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareerPathInfo {
    pub slug: CareerPath,
    pub name: String,
    /// Words or phrases in a title that point to this path.
    #[serde(default)]
    pub title_keywords: Vec<String>,
    /// Department or team names that point to this path.
    #[serde(default)]
    pub department_keywords: Vec<String>,
    /// Words in a description that hint at this path (weaker evidence).
    #[serde(default)]
    pub description_keywords: Vec<String>,
}

/// A working language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// ISO 639-1.
    pub code: String,
    pub name: String,
    /// Names it is called by in postings ("German", "Deutsch", "allemand").
    #[serde(default)]
    pub names: Vec<String>,
}

/// The whole reference vocabulary, with look-ups.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub countries: Vec<Country>,
    pub cities: Vec<City>,
    pub career_paths: Vec<CareerPathInfo>,
    pub languages: Vec<Language>,
    #[serde(skip)]
    index: Index,
    /// A hash of the text this was read from: what it says, in a word.
    #[serde(skip)]
    revision: u64,
    /// The career-path keywords compiled for matching, on first use.
    #[serde(skip)]
    career_keywords: OnceLock<crate::normalize::CareerKeywords>,
    /// Every one-word language name in one automaton, with the language of each pattern,
    /// on first use.
    #[serde(skip)]
    language_names: OnceLock<(aho_corasick::AhoCorasick, Vec<usize>)>,
}

#[derive(Debug, Default)]
struct Index {
    city_by_slug: HashMap<String, usize>,
    city_by_name: HashMap<String, usize>,
    country_by_name: HashMap<String, usize>,
    language_by_code: HashMap<String, usize>,
    /// Every name of every language, lowercased; the first language to claim a name
    /// keeps it.
    language_by_name: HashMap<String, usize>,
}

/// The taxonomy file is not valid.
#[derive(Debug, thiserror::Error)]
#[error("taxonomy: {0}")]
pub struct TaxonomyError(String);

const EMBEDDED: &str = include_str!("../data/taxonomy.toml");

impl Taxonomy {
    /// The taxonomy compiled into the binary.
    pub fn embedded() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| Self::parse(EMBEDDED).expect("the embedded taxonomy is valid (tested)"))
    }

    /// Reads a taxonomy from TOML and checks that its references hold.
    pub fn parse(text: &str) -> Result<Self, TaxonomyError> {
        let mut taxonomy: Taxonomy = toml::from_str(text).map_err(|err| TaxonomyError(err.to_string()))?;
        taxonomy.build_index()?;
        taxonomy.revision = crate::normalize::fnv1a_64(text.as_bytes());
        Ok(taxonomy)
    }

    /// Changes whenever the taxonomy's text does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn build_index(&mut self) -> Result<(), TaxonomyError> {
        let mut index = Index::default();
        for (i, country) in self.countries.iter().enumerate() {
            for name in std::iter::once(&country.code)
                .chain([&country.name])
                .chain(&country.aliases)
            {
                if let Some(other) = index.country_by_name.insert(fold(name), i)
                    && other != i
                {
                    return Err(TaxonomyError(format!("country name `{name}` is used twice")));
                }
            }
        }
        for (i, city) in self.cities.iter().enumerate() {
            if !index.country_by_name.contains_key(&fold(&city.country)) {
                return Err(TaxonomyError(format!(
                    "city `{}` names unknown country `{}`",
                    city.slug, city.country
                )));
            }
            if index.city_by_slug.insert(city.slug.clone(), i).is_some() {
                return Err(TaxonomyError(format!("city slug `{}` is used twice", city.slug)));
            }
            for name in std::iter::once(&city.name)
                .chain(&city.aliases)
                .chain([&city.slug])
            {
                index.city_by_name.insert(fold(name), i);
            }
        }
        for (i, language) in self.languages.iter().enumerate() {
            index.language_by_code.insert(language.code.clone(), i);
            for name in &language.names {
                index.language_by_name.entry(name.to_lowercase()).or_insert(i);
            }
        }
        for path in CareerPath::ALL {
            if !self.career_paths.iter().any(|p| p.slug == *path) {
                return Err(TaxonomyError(format!("career path `{path}` has no entry")));
            }
        }
        self.index = index;
        Ok(())
    }

    /// The city with this slug.
    pub fn city(&self, slug: &str) -> Option<&City> {
        self.index.city_by_slug.get(slug).map(|&i| &self.cities[i])
    }

    /// The city a name or spelling stands for ("München", "munich", "MUNICH").
    pub fn city_named(&self, name: &str) -> Option<&City> {
        self.index.city_by_name.get(&fold(name)).map(|&i| &self.cities[i])
    }

    /// The country a code, name or alias stands for ("DE", "Deutschland", "germany").
    pub fn country_named(&self, name: &str) -> Option<&Country> {
        self.index
            .country_by_name
            .get(&fold(name))
            .map(|&i| &self.countries[i])
    }

    /// The language with this ISO 639-1 code.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.index.language_by_code.get(code).map(|&i| &self.languages[i])
    }

    /// Every language name that is one word (all letters or digits, as a posting's
    /// words are read), lowercased, in one automaton that reports overlapping matches.
    /// [`Self::language_named`] tells which language a match names.
    pub(crate) fn language_names(&self) -> &aho_corasick::AhoCorasick {
        &self.language_name_automaton().0
    }

    /// The language a match of [`Self::language_names`] names.
    pub(crate) fn language_named(&self, pattern: aho_corasick::PatternID) -> &Language {
        &self.languages[self.language_name_automaton().1[pattern.as_usize()]]
    }

    fn language_name_automaton(&self) -> &(aho_corasick::AhoCorasick, Vec<usize>) {
        self.language_names.get_or_init(|| {
            let (names, languages): (Vec<&str>, Vec<usize>) = self
                .index
                .language_by_name
                .iter()
                .filter(|(name, _)| !name.is_empty() && name.chars().all(char::is_alphanumeric))
                .map(|(name, &i)| (name.as_str(), i))
                .unzip();
            let automaton = aho_corasick::AhoCorasick::new(names).expect("a few hundred short names compile");
            (automaton, languages)
        })
    }

    /// The career paths' keywords, compiled once.
    pub(crate) fn career_keywords(&self) -> &crate::normalize::CareerKeywords {
        self.career_keywords
            .get_or_init(|| crate::normalize::CareerKeywords::new(&self.career_paths))
    }

    /// A career path's entry.
    pub fn career_path(&self, path: CareerPath) -> &CareerPathInfo {
        self.career_paths
            .iter()
            .find(|p| p.slug == path)
            .expect("every path has an entry (checked at parse)")
    }
}

/// Folds a name for look-up: lower case, trimmed, inner spaces collapsed.
pub fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_taxonomy_is_valid_and_covers_the_design_cities() {
        let taxonomy = Taxonomy::embedded();
        for slug in [
            "dublin",
            "london",
            "manchester",
            "birmingham",
            "belfast",
            "paris",
            "amsterdam",
            "brussels",
            "madrid",
            "barcelona",
            "berlin",
            "hamburg",
            "munich",
            "zurich",
            "milan",
            "rome",
            "stockholm",
            "copenhagen",
            "vienna",
            "prague",
            "warsaw",
        ] {
            assert!(taxonomy.city(slug).is_some(), "{slug}");
        }
    }

    #[test]
    fn local_spellings_find_their_city_and_names_their_country() {
        let taxonomy = Taxonomy::embedded();
        for (name, slug) in [
            ("München", "munich"),
            ("Milano", "milan"),
            ("Wien", "vienna"),
            ("Praha", "prague"),
            ("Warszawa", "warsaw"),
            ("Zürich", "zurich"),
            ("Bruxelles", "brussels"),
            ("København", "copenhagen"),
            ("  LONDON ", "london"),
        ] {
            assert_eq!(
                taxonomy.city_named(name).map(|c| c.slug.as_str()),
                Some(slug),
                "{name}"
            );
        }
        assert_eq!(taxonomy.country_named("Deutschland").unwrap().code, "DE");
        assert_eq!(taxonomy.country_named("uk").unwrap().code, "GB");
        assert!(!taxonomy.country_named("United Kingdom").unwrap().eu);
        assert!(taxonomy.country_named("Switzerland").unwrap().eu);
    }

    #[test]
    fn a_city_in_an_unknown_country_is_rejected() {
        let text = r#"
countries = []
cities = [{ slug = "x", name = "X", country = "ZZ" }]
career_paths = []
languages = []
"#;
        assert!(
            Taxonomy::parse(text)
                .unwrap_err()
                .to_string()
                .contains("unknown country `ZZ`")
        );
    }
}
