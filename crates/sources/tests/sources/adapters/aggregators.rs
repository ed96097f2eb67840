//! Aggregators and search APIs: RemoteOK, Arbeitnow, Himalayas, The Muse, Adzuna, Reed,
//! and the two off by default, Remotive and Jobicy.

use jobping_sources::adapters::{SourceKind, parse};

use super::{at, page_of, posting, skips, strings, url};

#[test]
fn remoteok_skips_the_legal_notice_and_an_empty_position() {
    let page = page_of(SourceKind::RemoteOk, "", "api.json", "https://remoteok.com/api");
    assert_eq!(page.postings.len(), 2, "element 0 is the legal notice, not a job");
    assert_eq!(
        skips(&page),
        vec![(2, "empty title (/position)")],
        "indexes count the notice"
    );
    assert_eq!(page.next, None);
}

#[test]
fn remoteok_keeps_mojibake_as_given_and_reads_zero_salaries_as_unknown() {
    let page = page_of(SourceKind::RemoteOk, "", "api.json", "https://remoteok.com/api");
    let job = posting(&page, "1200001");
    assert_eq!(job.locations, strings(&["KrakÃ³w, Poland"]));
    assert_eq!(job.board_country, None, "a remote board covers no one country");
    assert_eq!(job.salary, None);
    assert_eq!(job.remote, Some(true));
    assert_eq!(job.posted_at.map(|t| t.unix_timestamp()), Some(1_789_990_000));
    assert_eq!(job.tags, strings(&["frontend", "react", "junior"]));
    let paid = posting(&page, "1200003");
    let salary = paid.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(40000.0), Some(55000.0)));
}

#[test]
fn arbeitnow_follows_links_next_on_the_configured_host() {
    let page = page_of(
        SourceKind::Arbeitnow,
        "",
        "page1.json",
        "http://127.0.0.1:9000/api/job-board-api",
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(1, "missing slug (/slug)")]);
    assert_eq!(
        page.next.as_ref().expect("a next page").as_str(),
        "http://127.0.0.1:9000/api/job-board-api?page=2"
    );
    let job = posting(&page, "pflichtpraktikum-ux-research-muenchen-310001");
    assert_eq!(job.company, "Isar Mobility");
    assert_eq!(job.locations, strings(&["München"]));
    assert_eq!(job.board_country.as_deref(), Some("DE"));
    assert_eq!(job.employment_type.as_deref(), Some("Internship / Trainee"));
    assert_eq!(job.remote, Some(false));
    assert_eq!(job.posted_at.map(|t| t.unix_timestamp()), Some(1_790_100_000));
}

#[test]
fn arbeitnow_last_page_has_no_next() {
    let body = br#"{"data":[],"links":{"next":null},"meta":{}}"#;
    let page = parse(
        SourceKind::Arbeitnow,
        "",
        body,
        &url("https://www.arbeitnow.com/api/job-board-api?page=9"),
    )
    .expect("a page");
    assert_eq!(page.next, None);
}

#[test]
fn himalayas_reads_restrictions_as_countries_and_pages_by_offset() {
    let page_url = "http://127.0.0.1:9000/jobs/api?limit=2&offset=0";
    let page = page_of(SourceKind::Himalayas, "", "jobs-offset0.json", page_url);
    assert_eq!(page.postings.len(), 2);
    assert_eq!(
        page.next.as_ref().expect("a next page").as_str(),
        "http://127.0.0.1:9000/jobs/api?limit=2&offset=2"
    );
    let job = posting(
        &page,
        "https://himalayas.app/companies/lisbon-loop/jobs/junior-customer-support-specialist",
    );
    assert_eq!(job.company, "Lisbon Loop");
    assert_eq!(job.countries, strings(&["Portugal", "Spain"]));
    assert_eq!(job.seniority.as_deref(), Some("Entry-level"));
    assert_eq!(job.salary, None, "a currency without amounts is no salary");
    assert_eq!(job.valid_through.map(|t| t.unix_timestamp()), Some(1_795_374_000));
    let paid = posting(
        &page,
        "https://himalayas.app/companies/warsaw-wave/jobs/associate-product-manager",
    );
    assert_eq!(
        paid.salary.as_ref().and_then(|s| s.currency.as_deref()),
        Some("EUR")
    );
}

#[test]
fn themuse_pages_by_page_number_and_reads_levels_and_locations() {
    let page_url = "http://127.0.0.1:9000/api/public/jobs?page=0&level=Internship";
    let page = page_of(SourceKind::TheMuse, "", "jobs-page0.json", page_url);
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (/name)")]);
    assert_eq!(
        page.next.as_ref().expect("a next page").as_str(),
        "http://127.0.0.1:9000/api/public/jobs?level=Internship&page=1"
    );
    let job = posting(&page, "15500001");
    assert_eq!(job.company, "Frankenwerk");
    assert_eq!(
        job.locations,
        strings(&["Nürnberg, Germany", "Flexible / Remote"])
    );
    assert_eq!(job.seniority.as_deref(), Some("Internship"));
    assert_eq!(
        job.url,
        "https://www.themuse.com/jobs/frankenwerk/werkstudent-controlling-mwd-b1c2d3"
    );
}

const ADZUNA_PAGE: &str =
    "http://127.0.0.1:9000/v1/api/jobs/gb/search/1?app_id=id&app_key=key&results_per_page=2&what=graduate";

#[test]
fn adzuna_drops_a_predicted_salary_and_keeps_a_stated_one() {
    let page = page_of(SourceKind::Adzuna, "gb", "gb-search-page1.json", ADZUNA_PAGE);
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "title (/title) is an array, not text")]);
    let stated = posting(&page, "6000000001");
    let salary = stated.salary.as_ref().expect("a stated salary");
    assert_eq!((salary.min, salary.max), (Some(27000.0), Some(30000.0)));
    assert_eq!(stated.company, "Mersey Analytics Ltd");
    assert_eq!(
        stated.locations,
        strings(&["Manchester, Greater Manchester, North West England, UK"]),
        "the board's name, then the areas it leaves out"
    );
    assert_eq!(
        stated.board_country.as_deref(),
        Some("GB"),
        "a search of one country"
    );
    assert_eq!(stated.employment_type.as_deref(), Some("full_time, permanent"));
    assert_eq!(stated.posted_at, Some(at(2026, 10, 10, 11, 13, 4, 0)));
    assert_eq!(
        posting(&page, "6000000002").salary,
        None,
        "salary_is_predicted \"1\" is Adzuna's guess"
    );
}

#[test]
fn adzuna_next_page_increments_the_page_number_in_the_path() {
    let page = page_of(SourceKind::Adzuna, "gb", "gb-search-page1.json", ADZUNA_PAGE);
    let next = page.next.as_ref().expect("a next page");
    assert_eq!(next.path(), "/v1/api/jobs/gb/search/2");
    assert_eq!(next.query(), url(ADZUNA_PAGE).query());
}

#[test]
fn reed_reads_day_month_year_dates_and_pages_by_results_to_skip() {
    let page_url = "http://127.0.0.1:9000/api/1.0/search?keywords=graduate&resultsToTake=3&resultsToSkip=0";
    let page = page_of(SourceKind::Reed, "", "search-page1.json", page_url);
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (/jobTitle)")]);
    assert_eq!(
        page.next.as_ref().expect("a next page").as_str(),
        "http://127.0.0.1:9000/api/1.0/search?keywords=graduate&resultsToTake=3&resultsToSkip=3"
    );
    let job = posting(&page, "53000001");
    assert_eq!(job.company, "Clyde & Forth Accountants");
    assert_eq!(job.locations, strings(&["G11AA"]));
    assert_eq!(job.board_country.as_deref(), Some("GB"));
    assert_eq!(job.posted_at, Some(at(2026, 10, 12, 0, 0, 0, 0)));
    assert_eq!(job.valid_through, Some(at(2026, 11, 30, 0, 0, 0, 0)));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!(
        (salary.min, salary.max, salary.currency.as_deref()),
        (Some(25000.0), Some(28000.0), Some("GBP"))
    );
    let hourly = posting(&page, "53000002")
        .salary
        .as_ref()
        .expect("an hourly salary");
    assert_eq!(
        hourly.min,
        Some(12.6),
        "hourly figures are passed on for normalization to judge"
    );
}

#[test]
fn remotive_keeps_its_salary_text_and_skips_an_empty_title() {
    let page = page_of(
        SourceKind::Remotive,
        "",
        "remote-jobs.json",
        "https://remotive.com/api/remote-jobs",
    );
    assert_eq!(page.postings.len(), 1);
    assert_eq!(skips(&page), vec![(1, "empty title (/title)")]);
    let job = posting(&page, "1900001");
    assert_eq!(
        job.salary.as_ref().and_then(|s| s.text.as_deref()),
        Some("€35k - €42k")
    );
    assert_eq!(job.locations, strings(&["Europe"]));
    assert_eq!(job.posted_at, Some(at(2026, 10, 14, 10, 12, 44, 0)));
}

#[test]
fn jobicy_reads_annual_salaries_and_skips_a_null_id() {
    let page = page_of(
        SourceKind::Jobicy,
        "",
        "remote-jobs.json",
        "https://jobicy.com/api/v2/remote-jobs?count=50",
    );
    assert_eq!(page.postings.len(), 1);
    assert_eq!(skips(&page), vec![(1, "missing id (/id)")]);
    let job = posting(&page, "120001");
    assert_eq!(job.seniority.as_deref(), Some("Entry"));
    assert_eq!(job.locations, strings(&["EMEA"]));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!(
        (salary.min, salary.period.as_deref(), salary.currency.as_deref()),
        (Some(30000.0), Some("year"), Some("EUR"))
    );
}

#[test]
fn an_html_error_page_is_a_parse_error_for_every_json_source() {
    let html = b"<!DOCTYPE html><html><body>Too Many Requests</body></html>";
    for kind in SourceKind::ALL {
        if matches!(
            kind,
            SourceKind::JsonLd | SourceKind::Personio | SourceKind::Teamtailor
        ) {
            continue;
        }
        let err = parse(kind, "board", html, &url("http://127.0.0.1:9000/")).expect_err("not JSON");
        assert_eq!(err.kind, kind);
        assert!(err.problem.contains("HTML"), "{err}");
    }
}

#[test]
fn truncated_json_is_a_parse_error_not_a_partial_page() {
    let body = br#"{"jobs":[{"id":1,"title":"Graduate Analyst"},{"id":2,"tit"#;
    let err = parse(
        SourceKind::Greenhouse,
        "fjordpay",
        body,
        &url("http://127.0.0.1:9000/"),
    )
    .expect_err("truncated");
    assert!(err.problem.contains("invalid JSON"), "{err}");
}

#[test]
fn a_crawl_over_arbeitnow_fetches_page_two_and_stops_when_next_is_null() {
    use jobping_sources::adapters::{Crawl, RequestSettings};
    let base = url("http://127.0.0.1:9000");
    let first = SourceKind::Arbeitnow
        .first_request(Some(&base), "", &RequestSettings::default())
        .expect("a request");
    let mut crawl = Crawl::new(&first.url, SourceKind::Arbeitnow.info().max_pages);
    let page1 = parse(
        SourceKind::Arbeitnow,
        "",
        &super::fixture(SourceKind::Arbeitnow, "page1.json"),
        &first.url,
    )
    .expect("page one");
    let second = crawl.next(&page1).expect("page two");
    assert_eq!(second.as_str(), "http://127.0.0.1:9000/api/job-board-api?page=2");
    let body = br#"{"data":[{"slug":"werkstudent-it-310009","title":"Werkstudent IT","company_name":"Spree Logistics","created_at":1790100900}],"links":{"next":null},"meta":{}}"#;
    let page2 = parse(SourceKind::Arbeitnow, "", body, &second).expect("page two parses");
    assert_eq!(page2.postings.len(), 1);
    assert_eq!(crawl.next(&page2), None);
    assert_eq!(crawl.pages(), 2);
}
