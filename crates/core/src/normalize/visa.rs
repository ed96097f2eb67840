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
    ))
    .expect("valid regex")
});

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
        ] {
            assert_eq!(visa_signal(text), expected, "{text}");
        }
    }
}
