//! Company boards: Greenhouse, Lever, Ashby, Workable, SmartRecruiters, Recruitee.

use jobping_core::RawSalary;
use jobping_sources::adapters::{SourceKind, parse};

use super::{at, page_of, posting, skips, strings, url};

const GREENHOUSE_PAGE: &str = "http://127.0.0.1:9000/v1/boards/fjordpay/jobs?content=true";

#[test]
fn greenhouse_reads_every_valid_job_and_skips_an_empty_title_and_an_object_id() {
    let page = page_of(
        SourceKind::Greenhouse,
        "fjordpay",
        "fjordpay-content.json",
        GREENHOUSE_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(page.skipped.len(), 2);
    assert_eq!(page.skipped[0].index, 2);
    assert!(
        page.skipped[0].reason.contains("empty title"),
        "{:?}",
        page.skipped
    );
    assert_eq!(page.skipped[1].index, 3);
    assert!(page.skipped[1].reason.contains("id"), "{:?}", page.skipped);
    assert_eq!(page.next, None);
}

#[test]
fn greenhouse_keeps_entity_escaped_content_as_given_and_reads_metadata_and_offices() {
    let page = page_of(
        SourceKind::Greenhouse,
        "fjordpay",
        "fjordpay-content.json",
        GREENHOUSE_PAGE,
    );
    let job = posting(&page, "7712340002");
    assert_eq!(job.source, "greenhouse");
    assert_eq!(job.board, "fjordpay");
    assert_eq!(job.title, "Graduate Data Analyst");
    assert_eq!(
        job.company, "Fjordpay",
        "the trailing space of company_name is trimmed"
    );
    assert_eq!(
        job.url,
        "https://job-boards.greenhouse.io/fjordpay/jobs/7712340002"
    );
    assert_eq!(
        job.locations,
        strings(&["London, UK", "London, England, United Kingdom"])
    );
    assert_eq!(job.department.as_deref(), Some("Data & Analytics"));
    assert_eq!(job.employment_type.as_deref(), Some("Graduate Programme"));
    assert_eq!(job.workplace.as_deref(), Some("Hybrid"));
    assert!(
        job.description_html
            .as_deref()
            .unwrap()
            .starts_with("&lt;div class=&quot;content-intro&quot;&gt;")
    );
    assert_eq!(job.posted_at, Some(at(2026, 9, 28, 11, 55, 32, -4)));
    assert_eq!(job.valid_through, Some(at(2026, 12, 31, 23, 59, 59, 0)));
    assert_eq!(job.language.as_deref(), Some("en"));
    assert_eq!(job.salary, None);
}

#[test]
fn greenhouse_leaves_a_null_metadata_value_and_a_null_deadline_unknown() {
    let page = page_of(
        SourceKind::Greenhouse,
        "fjordpay",
        "fjordpay-content.json",
        GREENHOUSE_PAGE,
    );
    let job = posting(&page, "7712340003");
    assert_eq!(job.employment_type, None);
    assert_eq!(job.valid_through, None);
    assert_eq!(job.department, None);
    assert_eq!(job.language.as_deref(), Some("de"));
}

#[test]
fn greenhouse_without_a_jobs_array_is_a_parse_error_naming_the_source() {
    let err = parse(
        SourceKind::Greenhouse,
        "fjordpay",
        br#"{"status":404,"error":"Job not found"}"#,
        &url(GREENHOUSE_PAGE),
    )
    .expect_err("not a board");
    assert_eq!(err.kind, SourceKind::Greenhouse);
    assert!(err.to_string().starts_with("greenhouse: "), "{err}");
    assert!(err.problem.contains("/jobs"), "{err}");
}

const LEVER_PAGE: &str = "https://api.eu.lever.co/v0/postings/helsinki-labs?mode=json";

#[test]
fn lever_reads_millisecond_dates_lists_and_the_salary_range() {
    let page = page_of(
        SourceKind::Lever,
        "helsinki-labs",
        "helsinki-labs-eu.json",
        LEVER_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (/text)")]);
    let job = posting(&page, "3f1c2a9e-1b7d-4c55-9a0e-6d2f8b7c1e01");
    assert_eq!(job.title, "Software Engineering Intern (Summer 2027)");
    assert_eq!(
        job.company, "helsinki-labs",
        "Lever names no company: the board token stands in"
    );
    assert_eq!(
        job.apply_url.as_deref(),
        Some("https://jobs.eu.lever.co/helsinki-labs/3f1c2a9e-1b7d-4c55-9a0e-6d2f8b7c1e01/apply")
    );
    assert_eq!(job.locations, strings(&["Helsinki, Finland", "Tallinn, Estonia"]));
    assert_eq!(job.countries, strings(&["FI"]));
    assert_eq!(job.workplace.as_deref(), Some("hybrid"));
    assert_eq!(job.employment_type.as_deref(), Some("Internship"));
    assert_eq!(job.department.as_deref(), Some("Engineering"));
    assert_eq!(job.tags, strings(&["Platform"]));
    assert_eq!(job.posted_at.map(|t| t.unix_timestamp()), Some(1_790_000_000));
    let html = job.description_html.as_deref().unwrap();
    assert!(
        html.contains("<h3>What you will do</h3>") && html.contains("We mentor every new joiner."),
        "{html}"
    );
    assert!(
        job.description_text
            .as_deref()
            .unwrap()
            .contains("Life at Helsinki Labs")
    );
    let salary = RawSalary {
        min: Some(2200.0),
        max: Some(2600.0),
        currency: Some("EUR".into()),
        period: Some("per-month-salary".into()),
        text: None,
    };
    assert_eq!(job.salary, Some(salary));
}

#[test]
fn lever_keeps_a_posting_without_location_and_an_unspecified_workplace() {
    let page = page_of(
        SourceKind::Lever,
        "helsinki-labs",
        "helsinki-labs-eu.json",
        LEVER_PAGE,
    );
    let job = posting(&page, "8b0e5d3a-2c4f-4e11-8d9a-0f1e2d3c4b5a");
    assert!(job.locations.is_empty());
    assert!(job.countries.is_empty());
    assert_eq!(job.workplace.as_deref(), Some("unspecified"));
    assert_eq!(job.salary, None);
}

#[test]
fn lever_answering_an_error_object_is_a_parse_error() {
    let body = br#"{"ok":false,"error":"Document not found"}"#;
    let err = parse(SourceKind::Lever, "nobody", body, &url(LEVER_PAGE)).expect_err("an error answer");
    assert!(err.problem.contains("Document not found"), "{err}");
}

const ASHBY_PAGE: &str = "http://127.0.0.1:9000/posting-api/job-board/lumengrid?includeCompensation=true";

#[test]
fn ashby_keeps_remote_and_hybrid_together_and_reads_the_salary_component() {
    let page = page_of(
        SourceKind::Ashby,
        "lumengrid",
        "lumen-grid-compensation.json",
        ASHBY_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    let job = posting(&page, "a1b2c3d4-0001-4f00-9000-000000000001");
    assert_eq!(job.title, "Graduate Energy Analyst");
    assert_eq!(job.remote, Some(true));
    assert_eq!(job.workplace.as_deref(), Some("Hybrid"));
    assert_eq!(job.locations, strings(&["Amsterdam", "Rotterdam"]));
    assert_eq!(job.countries, strings(&["Netherlands"]));
    assert_eq!(job.department.as_deref(), Some("Early Career"));
    assert_eq!(job.employment_type.as_deref(), Some("FullTime"));
    assert_eq!(
        job.posted_at.map(|t| t.unix_timestamp()),
        Some(at(2026, 10, 5, 9, 30, 0, 0).unix_timestamp())
    );
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(42000.0), Some(48000.0)));
    assert_eq!(salary.currency.as_deref(), Some("EUR"));
    assert_eq!(salary.period.as_deref(), Some("1 YEAR"));
    assert_eq!(salary.text.as_deref(), Some("€42K - €48K"));
}

#[test]
fn ashby_skips_unlisted_and_untitled_jobs_and_leaves_empty_compensation_unknown() {
    let page = page_of(
        SourceKind::Ashby,
        "lumengrid",
        "lumen-grid-compensation.json",
        ASHBY_PAGE,
    );
    assert_eq!(
        page.skipped.iter().map(|s| s.index).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(page.skipped[0].reason.contains("isListed"));
    let job = posting(&page, "a1b2c3d4-0002-4f00-9000-000000000002");
    assert_eq!(job.salary, None);
    assert_eq!(job.remote, None);
    assert_eq!(job.locations, strings(&["EMEA"]));
}

const WORKABLE_PAGE: &str = "http://127.0.0.1:9000/api/v1/widget/accounts/tulipa-robotics?details=true";

#[test]
fn workable_names_the_account_as_company_and_reads_every_location() {
    let page = page_of(
        SourceKind::Workable,
        "tulipa-robotics",
        "tulipa-robotics-details.json",
        WORKABLE_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "empty shortcode (/shortcode)")]);
    let job = posting(&page, "3A9F01C2B7");
    assert_eq!(job.company, "Tulipa Robotics");
    assert_eq!(
        job.locations,
        strings(&[
            "Eindhoven, North Brabant, Netherlands",
            "Leuven, Flanders, Belgium"
        ])
    );
    assert_eq!(job.countries, strings(&["NL", "BE"]));
    assert_eq!(job.remote, Some(false));
    assert_eq!(job.seniority.as_deref(), Some("Entry level"));
    assert_eq!(job.department.as_deref(), Some("R&D"));
    assert_eq!(job.posted_at, Some(at(2026, 10, 7, 0, 0, 0, 0)));
    assert_eq!(
        job.apply_url.as_deref(),
        Some("https://apply.workable.com/j/3A9F01C2B7/apply")
    );
}

#[test]
fn workable_falls_back_to_the_job_country_when_locations_are_empty() {
    let page = page_of(
        SourceKind::Workable,
        "tulipa-robotics",
        "tulipa-robotics-details.json",
        WORKABLE_PAGE,
    );
    let job = posting(&page, "7B22D0E4F1");
    assert_eq!(job.locations, strings(&["Germany"]));
    assert_eq!(job.remote, Some(true));
    assert_eq!(job.seniority, None, "an empty experience is unknown");
    assert_eq!(job.description_html, None);
}

const SMARTRECRUITERS_PAGE: &str = "http://127.0.0.1:9000/v1/companies/VinoVerde/postings?limit=2&offset=0";

#[test]
fn smartrecruiters_points_to_the_next_offset_while_postings_remain() {
    let page = page_of(
        SourceKind::SmartRecruiters,
        "VinoVerde",
        "vinoverde-page1.json",
        SMARTRECRUITERS_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert!(page.skipped.is_empty());
    let next = page.next.as_ref().expect("a next page");
    assert_eq!(
        next.as_str(),
        "http://127.0.0.1:9000/v1/companies/VinoVerde/postings?limit=2&offset=2"
    );
}

#[test]
fn smartrecruiters_stops_at_the_last_page() {
    let body =
        br#"{"offset":4,"limit":2,"totalFound":5,"content":[{"id":"744000200000005","name":"Stagista HR"}]}"#;
    let page_url = url("http://127.0.0.1:9000/v1/companies/VinoVerde/postings?limit=2&offset=4");
    let page = parse(SourceKind::SmartRecruiters, "VinoVerde", body, &page_url).expect("a page");
    assert_eq!(page.postings.len(), 1);
    assert_eq!(page.postings[0].company, "VinoVerde");
    assert_eq!(page.next, None);
}

#[test]
fn smartrecruiters_reads_experience_level_hybrid_and_language() {
    let page = page_of(
        SourceKind::SmartRecruiters,
        "VinoVerde",
        "vinoverde-page1.json",
        SMARTRECRUITERS_PAGE,
    );
    let job = posting(&page, "744000200000001");
    assert_eq!(job.company, "Vino Verde S.p.A.");
    assert_eq!(
        job.url,
        "https://jobs.smartrecruiters.com/VinoVerde/744000200000001"
    );
    assert_eq!(job.locations, strings(&["Milano, Lombardia, Italy"]));
    assert_eq!(job.countries, strings(&["it"]));
    assert_eq!(job.workplace.as_deref(), Some("hybrid"));
    assert_eq!(job.seniority.as_deref(), Some("Entry Level"));
    assert_eq!(job.language.as_deref(), Some("it"));
    let remote = posting(&page, "744000200000002");
    assert_eq!(remote.remote, Some(true));
    assert_eq!(remote.employment_type.as_deref(), Some("Internship"));
}

const RECRUITEE_PAGE: &str = "https://nordlicht.recruitee.com/api/offers/";

#[test]
fn recruitee_reads_string_salaries_flags_and_closing_date() {
    let page = page_of(
        SourceKind::Recruitee,
        "nordlicht",
        "nordlicht-offers.json",
        RECRUITEE_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (/title)")]);
    let job = posting(&page, "2800001");
    assert_eq!(job.company, "Nordlicht Media");
    assert_eq!(job.workplace.as_deref(), Some("hybrid"));
    assert_eq!(job.remote, Some(false));
    assert_eq!(job.employment_type.as_deref(), Some("internship"));
    assert_eq!(job.seniority.as_deref(), Some("student"));
    assert_eq!(job.countries, strings(&["DE"]));
    assert_eq!(job.tags, strings(&["Marketing", "Praktikum"]));
    assert_eq!(job.posted_at, Some(at(2026, 9, 21, 10, 10, 39, 0)));
    assert_eq!(job.valid_through, Some(at(2026, 11, 30, 23, 0, 0, 0)));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!(
        (salary.min, salary.max, salary.period.as_deref()),
        (Some(1500.0), Some(1800.0), Some("month"))
    );
    assert!(
        job.description_html
            .as_deref()
            .unwrap()
            .contains("Immatrikuliert"),
        "requirements are kept"
    );
}

#[test]
fn recruitee_leaves_an_all_null_salary_unknown() {
    let page = page_of(
        SourceKind::Recruitee,
        "nordlicht",
        "nordlicht-offers.json",
        RECRUITEE_PAGE,
    );
    let job = posting(&page, "2800002");
    assert_eq!(job.salary, None);
    assert_eq!(job.workplace.as_deref(), Some("remote"));
    assert_eq!(job.locations, strings(&["Remote job"]));
}
