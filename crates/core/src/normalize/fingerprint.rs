//! Cross-source identity: the same job found on Greenhouse and on a JSON-LD page gets
//! the same fingerprint; a different job (another title, another city) does not.

use std::sync::LazyLock;

use regex::Regex;

/// Legal-form words dropped from the end of a company name ("Acme GmbH" = "Acme").
const LEGAL_SUFFIXES: &[&str] = &[
    "gmbh",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "se",
    "ag",
    "bv",
    "nv",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "plc",
    "llc",
    "llp",
    "co",
    "corp",
    "corporation",
    "kg",
    "ug",
    "ab",
    "as",
    "oy",
    "oyj",
    "aps",
    "kgaa",
    "mbh",
    "company",
];

/// A stable hex fingerprint of a job: normalized company, normalized title and the
/// first city slug (or country code, or "remote"). FNV-1a 64 over the three parts, so
/// it is the same on every run and platform without a hashing dependency.
pub fn fingerprint(company: &str, title: &str, city_or_country: &str) -> String {
    let key = format!(
        "{}\u{1f}{}\u{1f}{}",
        normalize_company(company),
        normalize_title(title),
        city_or_country.trim().to_lowercase()
    );
    format!("{:016x}", fnv1a_64(key.as_bytes()))
}

/// Lower case, punctuation gone, legal form dropped: "Acme Labs B.V." → "acme labs".
pub(crate) fn normalize_company(company: &str) -> String {
    // Spelled-out forms: "b v" from "B.V.", "s a" from "S.A.", "s p a" from "S.p.A.":
    // runs of single letters become one word.
    let mut merged: Vec<String> = Vec::new();
    let mut previous_single = false;
    for word in plain_words(company) {
        let single = word.chars().count() == 1;
        match merged.last_mut() {
            Some(last) if single && previous_single => last.push_str(&word),
            _ => merged.push(word),
        }
        previous_single = single;
    }
    while merged.len() > 1
        && merged
            .last()
            .is_some_and(|w| LEGAL_SUFFIXES.contains(&w.as_str()))
    {
        merged.pop();
    }
    merged.join(" ")
}

/// Lower case, gender markers and punctuation gone: "Data Analyst (m/w/d)" and
/// "Data Analyst (all genders)" are one title; "Senior Data Analyst" is another.
pub(crate) fn normalize_title(title: &str) -> String {
    static GENDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?i)[(\[]\s*(?:[mwfdxhnai*]\s*[/|,\-]\s*){1,3}[mwfdxhnai*]\s*[)\]]",
            r"|(?-u:\b)[mwfd]\s*/\s*[mwfd]\s*/\s*[mwfdx](?-u:\b)|(?-u:\b)m-w-d(?-u:\b)|(?-u:\b)w-m-d(?-u:\b)",
            r"|[(\[]\s*(?:all genders?|alle geschlechter|gn|d|divers|h/f|f/h|m/f|f/m|w/m|m/w)\s*[)\]]",
            r"|[*:_/]in(?:nen)?(?-u:\b)",
        ))
        .expect("valid regex")
    });
    plain_words(&GENDER.replace_all(title, " ")).join(" ")
}

/// Lowercase alphanumeric words; everything else separates.
fn plain_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// FNV-1a, 64 bits: stable across builds and platforms, which a stored hash must be.
pub(crate) fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn company_legal_forms_and_punctuation_are_dropped() {
        for (name, expected) in [
            ("Brightfield GmbH", "brightfield"),
            ("Brightfield Ltd.", "brightfield"),
            ("Brightfield Limited", "brightfield"),
            ("Brightfield, Inc.", "brightfield"),
            ("Northwind Labs B.V.", "northwind labs"),
            ("Tessera S.A.", "tessera"),
            ("Kestrel SE", "kestrel"),
            ("Kestrel AG", "kestrel"),
            ("Quarry plc", "quarry"),
            ("Limited", "limited"),
        ] {
            assert_eq!(normalize_company(name), expected, "{name}");
        }
    }

    #[test]
    fn gender_markers_are_dropped_from_titles() {
        for title in [
            "Data Analyst (m/w/d)",
            "Data Analyst (f/m/x)",
            "Data Analyst (all genders)",
            "Data Analyst (M/F/D)",
            "Data Analyst m/w/d",
            "Data Analyst (w/m/d)",
            "data analyst",
            "Data-Analyst",
        ] {
            assert_eq!(normalize_title(title), "data analyst", "{title}");
        }
        assert_eq!(normalize_title("Werkstudent*in Finance"), "werkstudent finance");
    }

    #[test]
    fn the_same_job_gets_the_same_fingerprint_and_near_misses_do_not() {
        let base = fingerprint("Brightfield GmbH", "Data Analyst (m/w/d)", "berlin");
        assert_eq!(
            base,
            fingerprint("brightfield", "Data Analyst (all genders)", "berlin")
        );
        assert_eq!(base.len(), 16);
        assert_ne!(
            base,
            fingerprint("Brightfield GmbH", "Senior Data Analyst (m/w/d)", "berlin")
        );
        assert_ne!(
            base,
            fingerprint("Brightfield GmbH", "Data Analyst (m/w/d)", "munich")
        );
        assert_ne!(
            base,
            fingerprint("Brightwater GmbH", "Data Analyst (m/w/d)", "berlin")
        );
    }
}
