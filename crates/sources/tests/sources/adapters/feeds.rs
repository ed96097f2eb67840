//! Personio's XML feed and JSON-LD in career pages.

use jobping_sources::adapters::{SourceKind, parse};

use super::{at, page_of, posting, skips, strings, url};

const PERSONIO_PAGE: &str = "https://alpenwerk.jobs.personio.de/xml";

#[test]
fn personio_reads_cdata_descriptions_offices_keywords_and_a_salary_without_max() {
    let page = page_of(
        SourceKind::Personio,
        "alpenwerk",
        "alpenwerk-positions.xml",
        PERSONIO_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (<name>)")]);
    let job = posting(&page, "3301001");
    assert_eq!(job.title, "Werkstudent Data Science (m/w/d)");
    assert_eq!(job.company, "Alpenwerk GmbH");
    assert_eq!(job.url, "https://alpenwerk.jobs.personio.de/job/3301001");
    assert_eq!(job.locations, strings(&["München", "Wien"]));
    assert_eq!(
        job.department.as_deref(),
        Some("Research & Development"),
        "XML entities are decoded"
    );
    assert_eq!(job.employment_type.as_deref(), Some("intern"));
    assert_eq!(job.seniority.as_deref(), Some("student"));
    for tag in ["Python", "Data", "SQL", "part-time"] {
        assert!(job.tags.iter().any(|t| t == tag), "{tag} in {:?}", job.tags);
    }
    let html = job.description_html.as_deref().unwrap();
    assert!(html.starts_with("<h3>Deine Aufgaben</h3>"), "{html}");
    assert!(
        html.contains("Python &amp; SQL"),
        "CDATA is passed through untouched: {html}"
    );
    assert!(html.contains("<h3>Dein Profil</h3>"));
    assert_eq!(job.posted_at, Some(at(2026, 9, 24, 11, 0, 15, 0)));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(1600.0), None));
    assert_eq!(salary.currency.as_deref(), Some("EUR"));
    assert_eq!(salary.period.as_deref(), Some("monthly"));
}

#[test]
fn personio_uses_the_board_when_subcompany_is_empty() {
    let page = page_of(
        SourceKind::Personio,
        "alpenwerk",
        "alpenwerk-positions.xml",
        PERSONIO_PAGE,
    );
    let job = posting(&page, "3301002");
    assert_eq!(job.company, "alpenwerk");
    assert_eq!(job.description_html, None);
    assert_eq!(job.salary, None);
    assert_eq!(job.posted_at, Some(at(2026, 10, 1, 8, 0, 0, 2)));
}

#[test]
fn personio_with_an_html_error_page_or_truncated_xml_is_a_parse_error() {
    let page_url = url(PERSONIO_PAGE);
    let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let err = parse(SourceKind::Personio, "alpenwerk", html, &page_url).expect_err("not a feed");
    assert!(err.problem.contains("workzag-jobs"), "{err}");
    let truncated = b"<?xml version=\"1.0\"?><workzag-jobs><position><id>1</id><name>Intern";
    let err = parse(SourceKind::Personio, "alpenwerk", truncated, &page_url).expect_err("truncated");
    assert_eq!(err.kind, SourceKind::Personio);
}

const CAREER_PAGE: &str = "https://careers.portoharbour.example/jobs";

#[test]
fn jsonld_finds_postings_in_a_graph_and_an_array_despite_a_broken_block() {
    let page = page_of(SourceKind::JsonLd, CAREER_PAGE, "career-page.html", CAREER_PAGE);
    assert_eq!(page.postings.len(), 2, "{:?}", page.skipped);
    let broken: Vec<_> = page
        .skipped
        .iter()
        .filter(|s| s.reason.contains("not valid JSON"))
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].index, 1, "the second ld+json block is the broken one");
    assert!(
        page.skipped.iter().any(|s| s.reason.contains("missing title")),
        "{:?}",
        page.skipped
    );
    assert_eq!(page.skipped.len(), 2);
}

#[test]
fn jsonld_reads_an_array_typed_posting_with_address_salary_and_dates() {
    let page = page_of(SourceKind::JsonLd, CAREER_PAGE, "career-page.html", CAREER_PAGE);
    let job = posting(&page, "PHL-2027-01");
    assert_eq!(job.source, "jsonld");
    assert_eq!(job.board, CAREER_PAGE);
    assert_eq!(job.title, "Estágio em Engenharia de Software");
    assert_eq!(job.company, "Porto Harbour Labs");
    assert_eq!(job.url, "https://careers.portoharbour.example/jobs/phl-2027-01");
    assert_eq!(job.locations, strings(&["Porto, Norte, PT"]));
    assert_eq!(job.countries, strings(&["PT"]));
    assert_eq!(job.employment_type.as_deref(), Some("INTERN, FULL_TIME"));
    assert_eq!(job.language.as_deref(), Some("pt"));
    assert_eq!(job.posted_at, Some(at(2026, 10, 1, 0, 0, 0, 0)));
    assert_eq!(job.valid_through, Some(at(2026, 11, 30, 23, 59, 59, 0)));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(900.0), Some(1100.0)));
    assert_eq!(salary.period.as_deref(), Some("MONTH"));
}

#[test]
fn jsonld_reads_a_telecommute_posting_with_a_numeric_id_and_an_empty_salary_value() {
    let page = page_of(SourceKind::JsonLd, CAREER_PAGE, "career-page.html", CAREER_PAGE);
    let job = posting(&page, "98765");
    assert_eq!(
        job.company, "Porto Harbour Labs",
        "hiringOrganization given as plain text"
    );
    assert_eq!(job.url, CAREER_PAGE, "no url of its own: the page it sits on");
    assert_eq!(job.remote, Some(true));
    assert_eq!(job.workplace.as_deref(), Some("TELECOMMUTE"));
    assert_eq!(job.countries, strings(&["Portugal"]));
    assert_eq!(job.salary, None, "an empty QuantitativeValue states no pay");
}

#[test]
fn jsonld_page_without_structured_data_has_no_postings_and_no_error() {
    let body = b"<html><head><title>Jobs</title></head><body><p>No openings.</p></body></html>";
    let page = parse(SourceKind::JsonLd, CAREER_PAGE, body, &url(CAREER_PAGE)).expect("a page");
    assert!(page.postings.is_empty() && page.skipped.is_empty());
}

#[test]
fn deeply_nested_xml_is_refused_rather_than_exhausting_the_stack() {
    let body = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let err = parse(
        SourceKind::Personio,
        "alpenwerk",
        body.as_bytes(),
        &url(PERSONIO_PAGE),
    )
    .expect_err("too deep");
    assert!(err.problem.contains("deeper"), "{err}");
}
