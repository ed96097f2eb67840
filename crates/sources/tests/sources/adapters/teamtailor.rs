//! Teamtailor: the RSS feed and the JSON Feed of one fictional board, which list the
//! same jobs under the same ids.

use jobping_sources::adapters::{SourceKind, parse};

use super::{at, page_of, posting, skips, strings, url};

const RSS_PAGE: &str = "https://skarholmen.teamtailor.com/jobs.rss";
const JSON_PAGE: &str = "https://skarholmen.teamtailor.com/jobs.json";

fn json_feed() -> jobping_sources::adapters::Page {
    page_of(
        SourceKind::Teamtailor,
        "skarholmen",
        "skarholmen-jobs.json",
        JSON_PAGE,
    )
}

#[test]
fn teamtailor_reads_rss_items_with_namespaced_locations_and_department() {
    let page = page_of(
        SourceKind::Teamtailor,
        "skarholmen",
        "skarholmen-jobs.rss",
        RSS_PAGE,
    );
    assert_eq!(page.postings.len(), 2);
    assert_eq!(skips(&page), vec![(2, "missing title (<title>)")]);
    let job = posting(&page, "6d1f7a52-8f3e-4b0a-9c1d-2e3f4a5b6c7d");
    assert_eq!(job.title, "Junior Game Designer");
    assert_eq!(job.company, "Skärholmen Studios", "the channel's title, trimmed");
    assert_eq!(
        job.url,
        "https://skarholmen.teamtailor.com/jobs/4410021-junior-game-designer"
    );
    assert_eq!(job.locations, strings(&["Stockholm, Sweden", "Göteborg, Sweden"]));
    assert_eq!(job.countries, strings(&["Sweden"]));
    assert_eq!(job.department.as_deref(), Some("Design"));
    assert_eq!(job.workplace.as_deref(), Some("hybrid"));
    assert_eq!(job.posted_at, Some(at(2026, 10, 5, 9, 0, 0, 2)));
    assert!(
        job.description_html
            .as_deref()
            .unwrap()
            .contains("<strong>your first game</strong>")
    );
    assert_eq!(page.next, None, "the RSS feed names no next page");
}

#[test]
fn teamtailor_rss_remote_status_fully_is_remote_and_none_is_not() {
    let page = page_of(
        SourceKind::Teamtailor,
        "skarholmen",
        "skarholmen-jobs.rss",
        RSS_PAGE,
    );
    let designer = posting(&page, "6d1f7a52-8f3e-4b0a-9c1d-2e3f4a5b6c7d");
    assert_eq!(designer.remote, None, "hybrid is a workplace, not a remote flag");
    let tester = posting(&page, "7e2a8b63-9a4f-4c1b-8d2e-3f4a5b6c7d8e");
    assert_eq!(
        (tester.workplace.as_deref(), tester.remote),
        (Some("none"), Some(false))
    );
    let fully = br#"<rss version="2.0"><channel><item>
        <title>Gameplay Programmer</title><guid>d1e2f3a4</guid>
        <link>https://skarholmen.teamtailor.com/jobs/4410030-gameplay-programmer</link>
        <remoteStatus>fully</remoteStatus></item></channel></rss>"#;
    let page = parse(SourceKind::Teamtailor, "skarholmen", fully, &url(RSS_PAGE)).expect("RSS");
    assert_eq!(page.postings[0].remote, Some(true));
}

#[test]
fn teamtailor_rss_without_a_channel_title_names_the_board() {
    let body = br#"<rss version="2.0"><channel><item><title>Sound Designer</title>
        <guid>e2f3a4b5</guid></item></channel></rss>"#;
    let page = parse(SourceKind::Teamtailor, "skarholmen", body, &url(RSS_PAGE)).expect("RSS");
    assert_eq!(page.postings[0].company, "skarholmen");
}

#[test]
fn teamtailor_reads_a_json_feed_item_with_its_schema_org_job_posting() {
    let page = json_feed();
    let job = posting(&page, "6d1f7a52-8f3e-4b0a-9c1d-2e3f4a5b6c7d");
    assert_eq!(job.source, "teamtailor");
    assert_eq!(job.board, "skarholmen");
    assert_eq!(job.title, "Junior Game Designer");
    assert_eq!(
        job.company, "Skärholmen Studios",
        "the trailing space is the board's"
    );
    assert_eq!(
        job.url,
        "https://skarholmen.teamtailor.com/jobs/4410021-junior-game-designer"
    );
    assert_eq!(
        job.locations,
        strings(&["Stockholm, Stockholm, SE", "Göteborg, Sweden, SE"])
    );
    assert_eq!(job.countries, strings(&["SE"]));
    assert_eq!(job.employment_type.as_deref(), Some("FULL_TIME"));
    assert_eq!(job.posted_at, Some(at(2026, 10, 5, 9, 0, 0, 2)));
    assert_eq!(job.valid_through, Some(at(2026, 11, 15, 23, 59, 59, 1)));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(32000.0), Some(38000.0)));
    assert_eq!(salary.currency.as_deref(), Some("SEK"));
    assert_eq!(salary.period.as_deref(), Some("MONTH"));
    let html = job.description_html.as_deref().unwrap();
    assert!(
        html.starts_with("<p>Design levels with us &amp; ship") && html.ends_with("våra progr"),
        "content cut short by the board is kept as given: {html}"
    );
    assert_eq!(job.workplace, None, "the JSON Feed has no remote marker");
}

#[test]
fn teamtailor_json_feed_names_the_company_from_the_feed_when_the_posting_does_not() {
    let page = json_feed();
    let job = posting(&page, "7e2a8b63-9a4f-4c1b-8d2e-3f4a5b6c7d8e");
    assert_eq!(job.company, "Skärholmen Studios");
    assert_eq!(job.locations, strings(&["Stockholm, Europe, SE"]));
    assert_eq!(job.description_html, None, "neither content_html nor description");
    assert_eq!(job.posted_at, Some(at(2026, 10, 6, 10, 30, 0, 0)));
}

#[test]
fn teamtailor_json_feed_item_without_a_job_posting_reads_from_the_item_alone() {
    let page = json_feed();
    let job = posting(&page, "9a4c0d85-1c6b-4e3d-8f4a-5b6c7d8e9fa0");
    assert_eq!(job.title, "Level Artist");
    assert_eq!(job.company, "Skärholmen Studios");
    assert!(job.locations.is_empty() && job.countries.is_empty());
    assert_eq!(
        job.description_text.as_deref(),
        Some("Build the worlds our players get lost in.")
    );
    assert_eq!(job.posted_at, Some(at(2026, 10, 8, 8, 45, 12, 2)));
}

#[test]
fn teamtailor_json_feed_falls_back_to_date_posted_and_reads_a_single_salary_value() {
    let page = json_feed();
    let job = posting(&page, "ab5d1e96-2d7c-4f4e-9a5b-6c7d8e9fa0b1");
    assert_eq!(job.posted_at, Some(at(2026, 10, 9, 0, 0, 0, 1)));
    assert_eq!(job.locations, strings(&["Lisboa, Europe, PT"]));
    let salary = job.salary.as_ref().expect("a salary");
    assert_eq!((salary.min, salary.max), (Some(30000.0), Some(30000.0)));
    assert_eq!(salary.period.as_deref(), Some("YEAR"));
    assert_eq!(
        job.description_html.as_deref(),
        Some("<p>Trimmed for the fixture.</p>"),
        "content_html before the posting's description"
    );
}

#[test]
fn teamtailor_json_feed_skips_an_item_without_a_title_and_keeps_the_rest() {
    let page = json_feed();
    assert_eq!(page.postings.len(), 4);
    assert_eq!(skips(&page), vec![(2, "missing title (/title)")]);
}

#[test]
fn teamtailor_rss_and_json_feed_give_the_same_ids_for_the_same_jobs() {
    let rss = page_of(
        SourceKind::Teamtailor,
        "skarholmen",
        "skarholmen-jobs.rss",
        RSS_PAGE,
    );
    let json = json_feed();
    for job in &rss.postings {
        let same = posting(&json, &job.external_id);
        assert_eq!(
            (&same.title, &same.url, &same.company),
            (&job.title, &job.url, &job.company)
        );
    }
}

#[test]
fn teamtailor_json_feed_next_url_on_the_boards_host_is_moved_onto_the_page_origin() {
    let page = json_feed();
    assert_eq!(
        page.next.as_ref().map(|u| u.as_str()),
        Some("https://skarholmen.teamtailor.com/jobs.json?page=2&per_page=100")
    );
    let body = std::fs::read(format!(
        "{}/tests/fixtures/teamtailor/skarholmen-jobs.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the fixture");
    let mirror = url("http://127.0.0.1:9000/jobs.json");
    let page = parse(SourceKind::Teamtailor, "skarholmen", &body, &mirror).expect("a page");
    assert_eq!(
        page.next.as_ref().map(|u| u.as_str()),
        Some("http://127.0.0.1:9000/jobs.json?page=2&per_page=100"),
        "the feed names its own host in feed_url; a mirror keeps serving the next page"
    );
}

fn next_of(body: &str) -> Option<String> {
    let page = parse(
        SourceKind::Teamtailor,
        "skarholmen",
        body.as_bytes(),
        &url(JSON_PAGE),
    )
    .expect("a page");
    page.next.map(|u| u.to_string())
}

const ONE_ITEM: &str =
    r#"[{"id": "c1", "title": "Sound Designer", "url": "https://skarholmen.teamtailor.com/jobs/1"}]"#;

#[test]
fn teamtailor_json_feed_next_url_elsewhere_is_not_followed() {
    let foreign =
        format!(r#"{{"next_url": "https://tracker.example/jobs.json?page=2", "items": {ONE_ITEM}}}"#);
    assert_eq!(next_of(&foreign), None);
    let relative = format!(r#"{{"next_url": "/jobs.json?page=3&per_page=100", "items": {ONE_ITEM}}}"#);
    assert_eq!(
        next_of(&relative).as_deref(),
        Some("https://skarholmen.teamtailor.com/jobs.json?page=3&per_page=100")
    );
    let last = format!(r#"{{"feed_url": "{JSON_PAGE}", "items": {ONE_ITEM}}}"#);
    assert_eq!(next_of(&last), None, "the last page has no next_url");
    let empty = r#"{"next_url": "https://skarholmen.teamtailor.com/jobs.json?page=9", "items": []}"#;
    assert_eq!(next_of(empty), None, "an empty page ends the crawl");
}

#[test]
fn teamtailor_tells_a_json_feed_from_rss_by_its_first_character() {
    let body = format!("\u{feff}\n  {{\"title\": \"Skärholmen Studios\", \"items\": {ONE_ITEM}}}");
    let page = parse(
        SourceKind::Teamtailor,
        "skarholmen",
        body.as_bytes(),
        &url(JSON_PAGE),
    )
    .expect("JSON");
    assert_eq!(page.postings[0].title, "Sound Designer");
    let err = parse(
        SourceKind::Teamtailor,
        "skarholmen",
        b"{\"jobs\":[]}",
        &url(JSON_PAGE),
    )
    .expect_err("JSON, but not a JSON Feed");
    assert_eq!(err.kind, SourceKind::Teamtailor);
    assert!(err.problem.contains("/items"), "{err}");
    let err = parse(
        SourceKind::Teamtailor,
        "skarholmen",
        b"<html><body>Not found</body></html>",
        &url(RSS_PAGE),
    )
    .expect_err("neither feed");
    assert!(err.problem.contains("RSS"), "{err}");
}
