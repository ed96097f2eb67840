//! Table tests for the way of working read from descriptions, on invented postings.

use super::work_mode::{Said, work_mode};
use crate::WorkEnvironment::{self, Hybrid, Office, Remote};

fn plainly(text: &str) -> Option<WorkEnvironment> {
    work_mode(text).and_then(Said::plainly)
}

#[test]
fn hybrid_is_read_in_seven_languages() {
    for text in [
        "This is a hybrid role based in our Leeds office.",
        "We work in a hybrid way: 2 days in the office, the rest from home.",
        "Location: Lyon (Hybrid)",
        "Working model: Hybrid – 2 days remote, 3 days on site",
        "You will be required in the office 2 days per week.",
        "Hybrid working (once every 2 weeks in the office in Bolton)",
        "Flexible hours and the option to work from home.",
        "There is a requirement for some in office working.",
        "Onsite every Tuesday and Thursday at our Brno hub.",
        "Flexible Arbeitszeiten und Homeoffice-Möglichkeiten",
        "Mobiles Arbeiten nach Absprache",
        "Hybrides Arbeitsmodell (ca. 3 Tage im Büro)",
        "Bereitschaft für mind. 3 Tage/Woche vor Ort",
        "Unbefristete Stelle mit 2 Tagen Homeoffice",
        "Hybrid (bis 50 % Homeoffice)",
        "Arbeite bei uns im Office oder flexibel hybrid.",
        "Poste basé à Lille. Travail en hybride.",
        "Localisation : Nantes / Télétravail partiel",
        "Télétravail : 2 jours/semaine",
        "3 jours sur site par semaine, 2 jours de télétravail.",
        "Tous nos postes sont ouverts au télétravail.",
        "Modalidad de trabajo híbrida en Valencia.",
        "Teletrabajo parcial: 2 días desde casa.",
        "Thuiswerken is mogelijk, twee dagen per week op kantoor.",
        "Hybride werken vanuit ons kantoor in Utrecht.",
        "Lavoro ibrido con 2 giorni di smart working a settimana.",
        "Praca hybrydowa, 2 dni w biurze.",
        "Full Stack Developer London - Hybrid £60,000 - £70,000",
        "Project Manager Dublin, Cork, hybrid This role sits in our delivery team.",
        "We offer great salaries, hybrid and flexible working.",
    ] {
        assert_eq!(plainly(text), Some(Hybrid), "{text}");
    }
}

#[test]
fn remote_is_read_in_seven_languages() {
    for text in [
        "This is a fully remote position.",
        "We are a remote-first team spread over Europe.",
        "Location: Remote (UK)",
        "This is a part-time remote role for a data analyst.",
        "Paris, France OR remote from France.",
        "Frontend Developer Remote in UK, initial 6 month project.",
        "Pricing Analyst - Remote",
        "All of our roles are remote.",
        "Vollständiges Remote-Arbeiten.",
        "You will be working on a remote basis.",
        "Work from anywhere in the EU.",
        "Eine 100 % remote ausgeführte Tätigkeit",
        "Ortsunabhängiges Arbeiten, zu 100 % im Homeoffice.",
        "Mission de 6 mois – 100 % télétravail",
        "Poste en télétravail complet.",
        "Teletrabajo 100% desde cualquier lugar de España.",
        "Volledig op afstand werken vanuit heel Nederland.",
        "Lavoro full remote da tutta Italia.",
        "Praca zdalna, elastyczne godziny.",
        // Fully remote stands beside a hybrid option.
        "100 % Remote oder Hybrid-Option in Köln.",
    ] {
        assert_eq!(plainly(text), Some(Remote), "{text}");
    }
}

#[test]
fn office_is_read_in_seven_languages() {
    for text in [
        "Please note this is an onsite role.",
        "Permanent | Office Based | 25 days holiday",
        "You will be in our office five days a week.",
        "Based in the office Monday to Friday, 9 to 5.",
        "Required to work in the office 5 days a week, with some flexibility to work from home.",
        "Become part of a team with an office-first culture.",
        "Standort: Kassel (Vor Ort) | Unbefristet",
        "Vollzeit | Vor Ort |",
        "Wir suchen jemanden für unseren Standort in Kassel (kein Remote).",
        "Homeoffice ist leider nicht möglich.",
        "Mission sur site à Rennes pour une banque.",
        "Pas de télétravail possible sur ce poste.",
        "Puesto 100% presencial en Sevilla.",
        "Geen thuiswerken: je werkt volledig op kantoor.",
        "Lavoro in presenza presso la sede di Torino.",
        "Praca stacjonarna w biurze w Gdańsku.",
        "We're in-person with offices in Lisbon and Porto.",
    ] {
        assert_eq!(plainly(text), Some(Office), "{text}");
    }
}

#[test]
fn not_fully_remote_is_a_mix() {
    assert_eq!(
        plainly("The role is not fully remote: expect the office twice a month."),
        Some(Hybrid)
    );
}

#[test]
fn mentions_that_do_not_describe_the_job_are_not_read() {
    for text in [
        "We build a hybrid cloud platform for banks.",
        "Experience with hybrid and multi-cloud environments.",
        "Training from MOTs to electrical & hybrid vehicles.",
        "Our remote sensing team maps forests from space.",
        "We help companies support their remote teams.",
        "Provide remote support to customers by phone.",
        "A budget of 500 € for your home office equipment.",
        "Home office allowance and a new laptop.",
        "Budget von 500 € für die Einrichtung deines Home Office",
        "Workation: spend up to 30 days a year working from anywhere.",
        "Bis zu 20 Tage im Jahr remote aus dem EU-Ausland arbeiten.",
        "Experience with Home Office visa applications.",
        "Join our relaxed office based in Hartley Wintney.",
        "Parkplatz vor Ort und eine Kantine.",
        "Fehleranalyse vor Ort beim Kunden.",
        "Lunch on site and a gym.",
        "Browse more remote jobs on our board.",
        "Own the full mobile lifecycle of our app.",
        "Ability to work remotely and independently.",
        "You get 3 days of onboarding training in our London office.",
        "We answer every application within 2 days.",
        "Ship features to our mobile app in 2 days.",
        "Experience in hybrid and native app development.",
        "Build native, hybrid and web apps.",
        "We'll schedule an onsite in our office to meet the team.",
        "Able to travel to remote sites.",
        "Voll mobil einsetzbar im Außendienst.",
        "We cannot support remote candidates outside the UK.",
        "Formation en présentiel à Lyon la première semaine.",
    ] {
        assert_eq!(work_mode(text), None, "{text}");
    }
}

#[test]
fn passing_mentions_count_only_weakly() {
    for (text, expected) in [
        ("#LI-Hybrid #LI-AB1", Hybrid),
        ("#LI-Remote", Remote),
        ("Apply now.\n#LI-XY1 #LI-Hybrid", Hybrid),
        ("Competitive salary and flexible remote/hybrid work.", Hybrid),
        ("Benefits\nHomeoffice\n30 Tage Urlaub", Hybrid),
        ("Lieu : Ile-de-France Télétravail", Hybrid),
    ] {
        assert_eq!(work_mode(text), Some(Said::InPassing(expected)), "{text}");
    }
}

#[test]
fn text_without_a_way_of_working_says_nothing() {
    assert_eq!(work_mode(""), None);
    assert_eq!(
        work_mode("We are hiring a data analyst in Lyon.\nApply with your CV."),
        None
    );
}

// TEMP-DEBUG
#[test]
#[ignore]
fn dump_explanations() {
    let path = std::env::var("WM_IN").unwrap_or_else(|_| "/tmp/wm-dump.jsonl".into());
    let dump = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for line in dump.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = v["text"].as_str().unwrap();
        let e = super::work_mode::explain(text);
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            v["key"].as_str().unwrap(),
            v["label"].as_str().unwrap(),
            v["answer"].as_str().unwrap(),
            e.replace('\n', " ")
        ));
    }
    std::fs::write("/tmp/wm-explain.tsv", out).unwrap();
}

// TEMP-DEBUG
#[test]
#[ignore]
fn time_work_mode() {
    let mut texts = Vec::new();
    for path in ["/tmp/wm-dump.jsonl", "/tmp/wm-real1.jsonl"] {
        for line in std::fs::read_to_string(path).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            texts.push(v["text"].as_str().unwrap().to_owned());
        }
    }
    let _ = work_mode("warm up hybrid");
    super::work_mode::profile(&texts);
    let start = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..5 {
        let pass = std::time::Instant::now();
        for t in &texts {
            if work_mode(t).is_some() {
                n += 1;
            }
        }
        eprintln!(
            "pass {:.1} µs each",
            pass.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
        );
    }
    let el = start.elapsed();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    eprintln!(
        "{} texts x5, avg {} bytes: {:?} total, {:.1} µs each, {n} found",
        texts.len(),
        bytes / texts.len(),
        el,
        el.as_secs_f64() * 1e6 / (5.0 * texts.len() as f64)
    );
}

// TEMP-DEBUG
#[test]
#[ignore]
fn time_normalize() {
    let mut raws = Vec::new();
    for path in ["/tmp/wm-dump.jsonl", "/tmp/wm-real1.jsonl"] {
        for line in std::fs::read_to_string(path).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            raws.push(crate::posting::RawPosting {
                source: "x".into(),
                board: "x".into(),
                external_id: "1".into(),
                title: v["title"].as_str().unwrap().into(),
                company: "Acme".into(),
                url: "https://example.com/1".into(),
                description_text: Some(v["text"].as_str().unwrap().into()),
                locations: vec!["Berlin".into()],
                ..Default::default()
            });
        }
    }
    let tax = crate::taxonomy::Taxonomy::embedded();
    let now = time::OffsetDateTime::now_utc();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for r in &raws {
            let _ = super::normalize(r, tax, now);
        }
        eprintln!(
            "normalize {:.1} µs each",
            t.elapsed().as_secs_f64() * 1e6 / raws.len() as f64
        );
    }
}
