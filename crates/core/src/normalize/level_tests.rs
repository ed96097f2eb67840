//! Table tests for job levels on real-looking titles and board fields.

use super::level::{LevelInput, job_level};
use crate::{EmploymentType, JobLevel};
use JobLevel::*;

fn level(title: &str, seniority: Option<&str>) -> JobLevel {
    job_level(&LevelInput {
        title,
        seniority,
        employment: EmploymentType::Unknown,
        description: "",
        min_years: None,
    })
}

#[test]
fn titles_name_the_level_of_real_looking_postings() {
    for (title, expected) in [
        (
            "Pflichtpraktikum Marketing - Digital Health (m/f/x) - remote",
            Internship,
        ),
        ("IT Internship", Internship),
        ("Software Engineer, Internship - Infrastructure", Internship),
        ("Werkstudent*in (w/m/d) im Bereich Finance", Internship),
        ("Working Student Data Analytics", Internship),
        ("Stage - Chargé(e) de recrutement H/F", Internship),
        ("Graduate Frontend Engineer", Graduate),
        ("Software Engineer, New Grad - Infrastructure", Graduate),
        ("Data Analyst Trainee", Graduate),
        ("Finance Graduate Scheme 2027", Graduate),
        ("Junior Full Stack .NET Developer", Junior),
        ("(Junior) IT-Projektmanager (m/w/d)", Junior),
        ("Associate Product Manager", Junior),
        ("Entry Level Crypto Market Specialist", Entry),
        ("Senior Sales Manager (all genders)", Senior),
        ("Sr. Backend Engineer", Senior),
        ("(Senior) Financial Accountant (f/m/d)", Mid),
        ("Software Engineer III - Angular", Senior),
        ("Quality Control Analyst II", Mid),
        ("Tech Lead (Java) - Surrey", Lead),
        ("Principal 3D Character Artist", Lead),
        ("Staff Software Engineer", Lead),
        ("Teamleiter Payroll/Entgeltabrechnung (m/w/d)", Lead),
        ("Outbound Team Leader", Lead),
        ("Staff+ Software Engineer, Systems", Lead),
        ("Manager, Enterprise Account Executive", Manager),
        ("Manager of Solutions Architecture", Manager),
        ("Absolventen Architektur als Energieberater (m/w/d)", Graduate),
        ("Engineering Manager Workload Management", Manager),
        ("Head of European and UK Policy", Manager),
        ("Associate Creative Director Design", Manager),
        ("Head of Graduate Recruitment", Manager),
    ] {
        assert_eq!(level(title, None), expected, "{title}");
    }
}

#[test]
fn false_friends_do_not_set_the_level() {
    assert_eq!(level("Care Assistant - Senior Living Community", None), Unknown);
    assert_eq!(level("Internal Auditor", None), Unknown);
    assert_eq!(level("International Sales Representative", None), Unknown);
    assert_eq!(level("Lead Generation Specialist", None), Unknown);
    assert_eq!(level("Staff Accountant", None), Unknown);
    assert_eq!(level("Early-stage Startup Analyst", None), Unknown);
}

#[test]
fn a_role_called_manager_is_mid_level_unless_it_manages_people() {
    assert_eq!(level("Account Manager", None), Mid);
    assert_eq!(level("Product Manager", None), Mid);
    assert_eq!(level("Social Media Manager", None), Mid);
    assert_eq!(level("Responsable Data & BI", None), Manager);
    assert_eq!(level("KFZ-Meister/Betriebsleiter (m/w/d)", None), Manager);
    assert_eq!(level("Regionalleiter Vertrieb (m/w/d)", None), Manager);
    assert_eq!(level("Junior Compliance and Immigrations Manager", None), Junior);
    assert_eq!(level("Graduate Account Manager", None), Graduate);
}

#[test]
fn the_seniority_field_speaks_when_the_title_is_silent() {
    for (field, expected) in [
        ("Entry-level", Entry),
        ("associate", Junior),
        ("mid_senior_level", Mid),
        ("Mid-Senior level", Mid),
        ("professional / experienced", Mid),
        ("berufserfahren", Mid),
        ("no experience required / student", Internship),
        ("Senior Level", Senior),
        ("Director", Manager),
        ("teamleitung", Manager),
    ] {
        assert_eq!(
            level("Customer Success Specialist", Some(field)),
            expected,
            "{field}"
        );
    }
    assert_eq!(level("Senior Software Engineer", Some("Entry-level")), Senior);
}

#[test]
fn employment_type_description_and_years_are_weaker_evidence_in_that_order() {
    let input = |employment, description, min_years| LevelInput {
        title: "Marketing Assistant",
        seniority: None,
        employment,
        description,
        min_years,
    };
    assert_eq!(
        job_level(&input(EmploymentType::WorkingStudent, "", Some(5))),
        Internship
    );
    assert_eq!(job_level(&input(EmploymentType::Apprenticeship, "", None)), Entry);
    assert_eq!(
        job_level(&input(
            EmploymentType::FullTime,
            "Ideal for recent graduates.",
            None
        )),
        Entry
    );
    // Two or more years asked is not a beginner's job, whatever else is said.
    assert_eq!(
        job_level(&input(
            EmploymentType::FullTime,
            "Ideal for recent graduates.",
            Some(5)
        )),
        Senior
    );
    assert_eq!(
        job_level(&input(
            EmploymentType::FullTime,
            "You bring proven experience in retail.",
            None
        )),
        Mid
    );
    assert_eq!(
        job_level(&input(
            EmploymentType::FullTime,
            "Whether you are starting out (no experience required) or bring proven experience, apply.",
            None
        )),
        Unknown
    );
    assert_eq!(job_level(&input(EmploymentType::FullTime, "", Some(5))), Senior);
    assert_eq!(job_level(&input(EmploymentType::FullTime, "", Some(1))), Junior);
    assert_eq!(job_level(&input(EmploymentType::FullTime, "", None)), Unknown);
}

#[test]
fn years_asked_overrule_an_early_career_title() {
    let input = |title, min_years| LevelInput {
        title,
        seniority: None,
        employment: EmploymentType::FullTime,
        description: "",
        min_years,
    };
    assert_eq!(job_level(&input("Junior Consultant", Some(3))), Mid);
    assert_eq!(job_level(&input("Graduate Engineer", Some(6))), Senior);
    assert_eq!(job_level(&input("Junior Consultant", Some(1))), Junior);
    assert_eq!(
        job_level(&input("Working Student Marketing", Some(2))),
        Internship
    );
}

#[test]
fn a_board_level_that_the_description_contradicts_says_nothing() {
    let input = |seniority, description| LevelInput {
        title: "Pharmacy Technician",
        seniority: Some(seniority),
        employment: EmploymentType::FullTime,
        description,
        min_years: None,
    };
    assert_eq!(
        job_level(&input("Senior Level", "No experience required: we train you.")),
        Unknown
    );
    assert_eq!(
        job_level(&input(
            "Entry Level",
            "You bring extensive experience in pharmacy."
        )),
        Unknown
    );
    assert_eq!(
        job_level(&input("Entry Level", "We train you from day one.")),
        Entry
    );
}

#[test]
fn titles_in_other_languages_and_ranks_are_read() {
    for (title, expected) in [
        ("Data Analyst - (H/F) - En alternance", Entry),
        ("Alternant(e) Data Scientist", Entry),
        ("Duales Studium Wirtschaftsinformatik (m/w/d)", Entry),
        ("Quereinsteiger im Vertrieb (w/m/d)", Entry),
        ("Młodszy Specjalista ds. Obsługi Klienta", Junior),
        ("Becario/a de Marketing", Internship),
        ("Abschlussarbeit (Bachelor) im Bereich Robotik", Internship),
        ("Data engineer sénior Python", Senior),
        ("Expert Data Management H/F", Senior),
        ("Architecte Data (H/F)", Senior),
        ("Consultant Data confirmé(e) F/H", Mid),
        ("Data Engineer expérimenté", Mid),
        ("Data Practice Leader", Lead),
        ("Associate Product Manager", Junior),
        ("Store Associate", Unknown),
        ("Digital Strategy - Associate Manager", Mid),
    ] {
        assert_eq!(level(title, None), expected, "{title}");
    }
}

#[test]
fn an_early_career_word_about_the_people_served_is_not_the_level() {
    for title in [
        "Graduate Recruitment Coordinator",
        "Early Careers Recruiter",
        "Apprenticeship Assessor",
        "Recruiter for Interns and Graduates",
        "Ausbilder Elektrotechnik (m/w/d)",
        "Mission mentorat - Data Analyst",
    ] {
        assert!(!level(title, None).is_early_career(), "{title}");
    }
}
