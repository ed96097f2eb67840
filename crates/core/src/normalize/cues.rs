//! What a description says about the experience a job wants, when it names no number
//! of years: "a proven track record", "vous êtes confirmé(e)", "mehrjährige
//! Berufserfahrung" want experienced people; "no experience needed", "débutant
//! accepté", "Berufseinsteiger willkommen" open the job to beginners.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::words::{lines_mentioning, needles};
use crate::JobLevel;

/// Phrases that ask for an experienced person, in the languages we read.
static EXPERIENCED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:",
        // English
        r"(?:proven|extensive|significant|substantial|solid|considerable|demonstrable|demonstrated|strong|in-depth|hands-on commercial) (?:[\p{L}-]+ ){0,3}experience",
        r"|proven track record|experience (?:is )?(?:essential|a must|mandatory)",
        r"|previous experience (?:is )?(?:essential|required)",
        r"|must have (?:[\p{L}-]+ ){0,3}experience",
        r"|(?:an?|are you an?) (?:[\p{L}-]+,? (?:and |& )?){0,3}?(?:experienced|seasoned)",
        r"|(?:previous|prior) (?:[\p{L}-]+ ){0,2}experience (?:in|as|of|with|working)",
        r"|(?:have|has|having|possess|bring|with) (?:[\p{L}-]+ ){0,2}experience (?:in|of|as|with|working)",
        r"|(?:en tant que|as an?|als|come|como) (?:[\p{L}-]+ ){0,3}(?:s[eé]nior|confirmée?|expérimentée?|erfahrene[rn]?)",
        // French
        r"|confirmée?s?\b|confirmé(?:\.|\()e|expérimentée?s?\b|expérimenté(?:\.|\()e",
        r"|(?:solide|significative|forte|longue|riche|véritable) expérience|expérience (?:significative|solide|confirmée|avérée|probante|réussie (?:de|d'au moins|en tant|sur))",
        r"|compétences éprouvées|expertise (?:reconnue|confirmée|avérée)",
        // German
        r"|(?:mehrjährige|langjährige|fundierte|einschlägige|nachweisbare|umfassende|solide) (?:[\p{L}-]+ ){0,2}(?:berufserfahrung|erfahrung|praxiserfahrung)",
        r"|(?:suchen|bist|sind sie) (?:einen |eine |ein )?(?:erfahrene|erfahrenen|erfahrener)",
        r"|(?:hast|bringst|verfügst über|besitzt|haben sie|bringen sie|verfügen sie über) (?:[\p{L}-]+ ){0,3}(?:berufserfahrung|erfahrung)",
        // Spanish
        r"|experiencia (?:demostrable|consolidada|contrastada|acreditada)|amplia experiencia",
        // Italian
        r"|comprovata esperienza|esperienza (?:pluriennale|consolidata|comprovata)|pluriennale esperienza",
        // Dutch
        r"|(?:ruime|aantoonbare|jarenlange) (?:werk)?ervaring",
        // Polish
        r"|(?:kilkuletnie|wieloletnie|udokumentowane|komercyjne) doświadczenie|doświadczenie komercyjne",
        r")",
    ))
    .expect("valid regex")
});

/// Words just before a phrase that make it about someone else: "our experienced team",
/// "coached by a senior data scientist", "encadré(e) par un consultant confirmé".
static ABOUT_OTHERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:our|by|from|alongside|par|de nos|nos|notre|aux côtés|auprès|encadrée?|accompagnée?|unser\w*|von|mit|nuestr\w*|nostr\w*|onze|team of|équipe de|colleagues|collègues|kolleg\w*|mentors?)\b[^.;:\n]{0,30}$")
        .expect("valid regex")
});

/// Words just before a phrase that deny or shrink it: "no previous experience in…",
/// "erste Berufserfahrung", "une première expérience".
static LITTLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:no|not|without|any|sans|aucune|keine|ohne|sin|senza|geen|bez|first|some|initial|erste|ersten|erster|etwas|première|premières|primera|prima)\s+(?:[\p{L}-]+\s+){0,3}$")
        .expect("valid regex")
});

/// The experience noun of a phrase.
static NOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"experience|expérience|erfahrung|experiencia|esperienza|ervaring|doświadczenie")
        .expect("valid regex")
});

/// Words just after a phrase that make it a wish, not a requirement: "…is a plus",
/// "…not essential", "…souhaitée", "…von Vorteil".
static A_WISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^.;:\n]{0,40}?\b(?:not (?:essential|required|necessary)|desirable|a plus|an advantage|a bonus|preferred|nice to have|beneficial|helpful|un plus|un atout|souhaitée?|appréciée?|de préférence|von vorteil|wünschenswert|idealerweise|ideally|se valorará|valorable|gradita|pré)\b")
        .expect("valid regex")
});

/// Phrases that open a job to beginners.
static BEGINNERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:",
        r"no (?:prior |previous |professional |formal )?experience (?:is )?(?:required|needed|necessary)",
        r"|recent graduates?|new graduates?|(?:ideal|perfect) (?:first|entry)[- ]level|career starters?|school leavers?",
        r"|keine (?:berufserfahrung|erfahrung|vorkenntnisse) (?:erforderlich|notwendig|nötig)|berufseinsteiger(?:innen)?\b|quereinsteiger(?:innen)?\b",
        r"|débutante?s? (?:acceptée?s?|bienvenue?s?)|jeunes? diplômée?s?|sans expérience|aucune expérience (?:n'est )?(?:requise|exigée|nécessaire)",
        r"|sin experiencia|recién titulad[oa]s?|senza esperienza|neolaureat[oi]|geen ervaring (?:nodig|vereist)|startersfunctie|bez doświadczenia",
        r"|early career teachers?|ects?|nqts?|newly qualified",
        r")\b",
    ))
    .expect("valid regex")
});

/// Phrases that ask for a first taste of work: a junior job.
static FIRST_EXPERIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:",
        r"(?:erste|ersten) (?:[\p{L}-]+ ){0,2}(?:berufserfahrung|erfahrungen?|praxiserfahrung)",
        r"|(?:une )?premi[èe]re exp[ée]rience|first (?:work |professional |hands-on )?experience",
        r"|primera experiencia|prima esperienza|eerste (?:werk)?ervaring|pierwsze doświadczenie",
        r")",
    ))
    .expect("valid regex")
});

static NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    needles(&[
        "experience",
        "track record",
        "seasoned",
        "confirm",
        "expérim",
        "expérience",
        "éprouv",
        "expertise",
        "senior",
        "sénior",
        "erfahr",
        "experiencia",
        "esperienz",
        "ervaring",
        "doświadcz",
        "graduate",
        "starter",
        "leaver",
        "entry",
        "einsteiger",
        "débutant",
        "diplôm",
        "titulad",
        "neolaureat",
        "ect",
        "nqt",
        "qualified",
        "erste",
        "première",
        "premiere",
        "first",
        "primera",
        "prima",
        "eerste",
        "pierwsze",
    ])
});

/// Whether the description asks for an experienced person.
pub(crate) fn asks_for_experience(description: &str) -> bool {
    let text = lines_mentioning(description, &NEEDLES).to_lowercase();
    EXPERIENCED.find_iter(&text).any(|m| {
        let before = &text[floor(&text, m.start().saturating_sub(60))..m.start()];
        // What stands before the experience noun, inside the phrase too: "have some
        // experience in" is little.
        let noun = NOUN.find(m.as_str()).map_or(0, |n| n.start());
        let lead_in = format!("{before}{}", &m.as_str()[..noun]);
        // "Join our team as a senior analyst": the role, not the team, is experienced.
        let as_role = ["en tant que ", "as a ", "as an ", "als ", "come ", "como "]
            .iter()
            .any(|w| m.as_str().starts_with(w));
        (as_role || !ABOUT_OTHERS.is_match(before))
            && !A_WISH.is_match(&text[m.end()..])
            && !LITTLE.is_match(&lead_in)
    })
}

/// Whether the description opens the job to beginners: `Entry` when no experience is
/// needed, `Junior` when a first experience is asked (and not merely wished for).
pub(crate) fn beginner_level(description: &str) -> Option<JobLevel> {
    let text = lines_mentioning(description, &NEEDLES).to_lowercase();
    if BEGINNERS.is_match(&text) {
        return Some(JobLevel::Entry);
    }
    FIRST_EXPERIENCE
        .find_iter(&text)
        .any(|m| !A_WISH.is_match(&text[m.end()..]))
        .then_some(JobLevel::Junior)
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experienced_hires_are_recognised_in_several_languages() {
        for text in [
            "You bring proven experience in B2B sales.",
            "We are looking for an experienced payroll administrator.",
            "Previous experience is essential.",
            "Nous recrutons un(e) Data Analyst confirmé(e) pour notre client.",
            "Vous êtes expérimenté(e) en modélisation.",
            "Si vous avez une expérience solide, rejoignez-nous.",
            "Grâce à des compétences éprouvées, vous concevrez des pipelines.",
            "Du bringst mehrjährige Berufserfahrung im Vertrieb mit.",
            "Wir suchen einen erfahrenen Elektriker.",
            "Se requiere experiencia demostrable en SQL.",
            "Richiesta comprovata esperienza nel ruolo.",
            "Je hebt ruime ervaring met Java.",
            "Rejoignez notre équipe en tant que Data Analyste Sénior.",
            "Wymagamy kilkuletnie doświadczenie w testowaniu.",
            "Looking to appoint an experienced credit controller to our team.",
            "We are seeking a skilled and experienced technician.",
            "Do you possess previous experience in a credit control role?",
            "Du bringst Berufserfahrung im Vertrieb mit.",
        ] {
            assert!(asks_for_experience(text), "{text}");
        }
    }

    #[test]
    fn others_experience_and_wishes_are_not_requirements() {
        for text in [
            "You will join our experienced team of analysts.",
            "Vous serez encadré(e) par un consultant confirmé.",
            "Du arbeitest mit erfahrenen Kolleginnen und Kollegen.",
            "Proven experience with Excel is a plus but not essential.",
            "Une expérience significative serait un plus.",
            "Fundierte Erfahrung mit SAP ist von Vorteil.",
            "An internship for students who want hands-on learning.",
            "No previous experience in sales is needed.",
            "Du hast erste Erfahrung mit Python.",
            "Vous avez une première expérience en alternance.",
        ] {
            assert!(!asks_for_experience(text), "{text}");
        }
    }

    #[test]
    fn beginners_welcome_is_read_in_several_languages() {
        for text in [
            "No previous experience required: full training given.",
            "Ideal for recent graduates.",
            "Quereinsteiger willkommen!",
            "Débutant accepté.",
            "Poste ouvert aux jeunes diplômés.",
            "No se requiere experiencia: puesto sin experiencia previa.",
            "This post is suitable for ECTs.",
        ] {
            assert_eq!(beginner_level(text), Some(JobLevel::Entry), "{text}");
        }
        for text in [
            "Du hast erste Erfahrungen im Vertrieb gesammelt.",
            "Vous avez une première expérience en analyse de données.",
            "You have first experience with React.",
        ] {
            assert_eq!(beginner_level(text), Some(JobLevel::Junior), "{text}");
        }
        assert_eq!(beginner_level("You have five years of experience."), None);
        assert_eq!(
            beginner_level("Erste Erfahrungen mit Kubernetes sind von Vorteil."),
            None
        );
    }
}
