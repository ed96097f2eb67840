//! What a posting says about visas: sponsors, does not sponsor, requires the right to
//! work already, or nothing.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::words::{lines_mentioning, needles};

use crate::VisaSignal;

/// Refusals. Checked first, because a refusal contains the positive phrase: "we are
/// unable to offer visa sponsorship" holds "offer visa sponsorship".
static REFUSES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:unable|not able|cannot|can ?not|can't|can’t|won't|won’t|will not|do not|don't|don’t|does not|doesn't|doesn’t|are not|is not|no longer|not in a position)(?-u:\b)",
        r"[^.;\n]{0,40}?(?-u:\b)(?:sponsor|provide (?:visa |work )?sponsorship|offer (?:visa |work )?sponsorship|support (?:visa|work permit))",
        r"|(?-u:\b)no (?:visa |work (?:permit |visa )?)?sponsorship(?-u:\b)",
        r"|(?-u:\b)sponsorship (?:is )?not (?:available|provided|offered|possible)(?-u:\b)",
        r"|(?-u:\b)not eligible for (?:visa |immigration )?sponsorship(?-u:\b)",
        r"|(?-u:\b)without (?:the need for |requiring )?(?:visa |employer |immigration )?sponsorship(?-u:\b)",
        r"|(?-u:\b)kein(?:e)? (?:visa[- ]?)?(?:sponsoring|unterstützung beim visum|visumsunterstützung)(?-u:\b)",
        r"|keine visa-?unterstützung|kein visa-?sponsoring|können (?:leider )?keine? (?:visa|arbeitserlaubnis|visum)",
        r"|pas de (?:parrainage|sponsorisation|sponsoring) (?:de |du )?visa|ne (?:pouvons|proposons|sponsorisons|parrainons) pas[^.;\n]{0,30}visa",
        r"|sin patrocinio|no (?:ofrecemos|podemos ofrecer|proporcionamos) (?:el )?patrocinio|no se ofrece patrocinio",
        r"|non (?:offriamo|possiamo offrire|forniamo) (?:la )?sponsorizzazione|nessuna sponsorizzazione",
        r"|geen (?:visum)?sponsoring|geen visumsponsoring|kunnen geen (?:visum|werkvergunning)",
        r"|nie (?:zapewniamy|oferujemy) (?:sponsorowania|sponsoringu|wsparcia wizowego)",
    ))
    .expect("valid regex")
});

static SPONSORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)visa sponsorship (?:is )?(?:available|offered|provided|possible)(?-u:\b)",
        r"|(?-u:\b)(?:we|company) (?:can |will |do |are able to |happily )?sponsors? (?:work |your |skilled worker )?visas?(?-u:\b)",
        r"|(?-u:\b)(?:offer|offers|offering|provide|provides|providing) (?:full )?(?:visa|work permit|skilled worker visa) (?:sponsorship|support)(?-u:\b)",
        r"|(?-u:\b)skilled worker visa sponsorship(?-u:\b)",
        r"|(?-u:\b)(?:visa|relocation and visa|relocation & visa) (?:support|assistance)(?-u:\b)",
        r"|(?-u:\b)sponsorship (?:is )?available(?-u:\b)",
        r"|(?-u:\b)we sponsor(?-u:\b)",
        r"|(?-u:\b)visa[- ]sponsoring(?-u:\b)",
    ))
    .expect("valid regex")
});

static RIGHT_TO_WORK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)right to work in(?-u:\b)",
        r"|(?-u:\b)(?:legally )?(?:authori[sz]ed|entitled|eligible|permitted) to work in(?-u:\b)",
        r"|(?-u:\b)must (?:already )?(?:have|hold|possess) (?:a |the |valid |an )*(?:right|permission|authori[sz]ation|work permit|work visa)",
        r"|(?-u:\b)valid (?:eu |uk |swiss )?work (?:permit|authori[sz]ation|visa)(?-u:\b)",
        r"|(?-u:\b)(?:eu |uk )?work permit (?:is )?(?:required|needed|mandatory|necessary)(?-u:\b)",
        r"|(?-u:\b)eu work permit(?-u:\b)",
        r"|(?-u:\b)work authori[sz]ation (?:is )?required(?-u:\b)",
        r"|(?-u:\b)arbeitserlaubnis(?-u:\b)",
        r"|(?-u:\b)permis de travail(?-u:\b)",
        r"|(?:authori[sz]ed|eligible|permitted) for employment in|(?:right|eligibility) to work (?:in|within) the",
        r"|visa de travail valide|titre de séjour valide|autorisation de travail (?:valide|en cours)",
        r"|permiso de trabajo (?:válido|vigente)|autorización (?:para|de) trabajar",
        r"|permesso di (?:lavoro|soggiorno) (?:valido|in corso)|werkvergunning (?:vereist|verplicht|nodig)|geldige werkvergunning",
        r"|pozwolenie na pracę|prawo do pracy w",
        r"|gültige arbeitserlaubnis|aufenthalts- und arbeitserlaubnis|arbeitsberechtigung",
    ))
    .expect("valid regex")
});

/// The posting's visa signal. A job whose work is immigration or mobility ("Immigration
/// Paralegal", "Global Mobility Specialist") talks about visas for others: its offer
/// words are the duties, not an offer to the candidate (its refusals still count).
pub(crate) fn job_visa_signal(title: &str, description: &str) -> VisaSignal {
    static ABOUT_VISAS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:immigration|mobility|visa|visas|relocation|einwanderung|aufenthalt\w*|immigración|mobilité|migration)(?-u:\b)")
            .expect("valid regex")
    });
    match visa_signal(&format!("{title}\n{description}")) {
        VisaSignal::Sponsors if ABOUT_VISAS.is_match(title) => VisaSignal::Unknown,
        signal => signal,
    }
}

/// The visa signal in the title and description. A refusal beats an offer (it often
/// quotes the offer's words); an offer beats a right-to-work line, which is often
/// boilerplate printed under every posting.
pub(crate) fn visa_signal(text: &str) -> VisaSignal {
    static NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        needles(&[
            "sponsor",
            "visa",
            "visum",
            "work",
            "permit",
            "arbeitserlaubnis",
            "permis",
            "authori",
            "entitled",
            "employment in",
            "séjour",
            "patrocinio",
            "permiso",
            "autorización",
            "sponsorizzazione",
            "permesso",
            "werkvergunning",
            "pozwolen",
            "prawo do pracy",
            "sponsorowania",
            "wizow",
            "arbeitsberechtigung",
        ])
    });
    let text = &lines_mentioning(text, &NEEDLES);
    if REFUSES.is_match(text) {
        VisaSignal::NoSponsorship
    } else if SPONSORS.is_match(text) {
        VisaSignal::Sponsors
    } else if RIGHT_TO_WORK.is_match(text) {
        VisaSignal::RightToWorkRequired
    } else {
        VisaSignal::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VisaSignal::*;

    #[test]
    fn visa_phrases_are_read_and_negation_beats_the_offer() {
        for (text, expected) in [
            ("Visa sponsorship available for the right candidate.", Sponsors),
            ("We sponsor visas for all engineering roles.", Sponsors),
            ("Skilled Worker visa sponsorship is offered.", Sponsors),
            ("We offer visa support and relocation.", Sponsors),
            ("Unfortunately we are unable to sponsor visas.", NoSponsorship),
            (
                "We are unable to offer visa sponsorship for this role.",
                NoSponsorship,
            ),
            ("No visa sponsorship.", NoSponsorship),
            ("We do not offer sponsorship at this time.", NoSponsorship),
            (
                "You must be able to work in the UK without sponsorship.",
                NoSponsorship,
            ),
            ("You must have the right to work in the UK.", RightToWorkRequired),
            ("A valid work permit is required.", RightToWorkRequired),
            ("EU work permit required.", RightToWorkRequired),
            ("Arbeitserlaubnis erforderlich.", RightToWorkRequired),
            ("Join our Dublin team building payments.", Unknown),
            ("Wir bieten leider keine Visa-Unterstützung an.", NoSponsorship),
            ("Nous ne proposons pas de parrainage de visa.", NoSponsorship),
            ("Puesto sin patrocinio de visado.", NoSponsorship),
            ("Non offriamo sponsorizzazione del visto.", NoSponsorship),
            ("Helaas geen visumsponsoring mogelijk.", NoSponsorship),
            ("Nie zapewniamy sponsorowania wizy.", NoSponsorship),
            (
                "Applicants must be legally authorized for employment in the United States.",
                RightToWorkRequired,
            ),
            (
                "Visa requirements: visa de travail valide pour la France",
                RightToWorkRequired,
            ),
            ("Werkvergunning vereist voor Nederland.", RightToWorkRequired),
            ("Wymagane pozwolenie na pracę w Polsce.", RightToWorkRequired),
        ] {
            assert_eq!(visa_signal(text), expected, "{text}");
        }
    }

    #[test]
    fn a_job_in_immigration_does_not_offer_sponsorship_by_describing_it() {
        let duties = "You will prepare visa sponsorship applications and offer visa support to our clients.";
        assert_eq!(job_visa_signal("Immigration Paralegal", duties), Unknown);
        assert_eq!(job_visa_signal("Global Mobility Coordinator", duties), Unknown);
        assert_eq!(
            job_visa_signal("Data Analyst", "Visa sponsorship available."),
            Sponsors
        );
        assert_eq!(
            job_visa_signal(
                "Immigration Paralegal",
                "We are unable to offer visa sponsorship."
            ),
            NoSponsorship
        );
    }
}
