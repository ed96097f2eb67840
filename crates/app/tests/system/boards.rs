//! Job boards on loopback: one HTTP server answering every adapter kind's API paths with
//! the payloads the project keeps in `crates/sources/tests/fixtures`, plus a robots.txt.
//!
//! The fixtures were recorded with dates in autumn 2026. Matching drops jobs older than
//! `matching.max_job_age_days` (30) counted from the real clock, so every date in a
//! payload is moved by the same whole number of days: the newest lands yesterday and
//! the order, gaps and deadlines between them stay as recorded.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use regex::{Captures, Regex};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The board whose path robots.txt disallows for JobPing's crawler.
pub const BLOCKED_BOARD: &str = "sealed";

/// The `jobping scrape` rows (`source:board`, or the kind alone for boardless
/// sources) the server answers.
pub const SCRAPED: &[&str] = &[
    "greenhouse:fjordpay",
    "lever:helsinki-labs",
    "ashby:lumen-grid",
    "workable:tulipa-robotics",
    "smartrecruiters:vinoverde",
    "recruitee:nordlicht",
    "personio:alpenwerk",
    "teamtailor:skarholmen",
    "remoteok",
    "arbeitnow",
    "himalayas",
    "themuse",
    "adzuna:gb",
    "reed",
    "jsonld",
    "remotive",
    "jobicy",
];

const ROBOTS: &str = "User-agent: *\nAllow: /\n\nUser-agent: JobPingBot\nDisallow: /v1/boards/sealed/\n";

/// The day after the newest date in any fixture (jobicy's 2026-10-15 05:12): it becomes
/// yesterday, so no posting is dated in the future whatever the hour.
const NEWEST_RECORDED: (i32, u32, u32) = (2026, 10, 16);

/// The loopback board server.
pub struct Boards {
    pub server: MockServer,
}

fn fixture(relative: &str) -> String {
    let path = format!(
        "{}/../sources/tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// How many days every recorded date moves forward.
fn shift_days() -> i64 {
    let (y, m, d) = NEWEST_RECORDED;
    let newest = NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    (Utc::now().date_naive() - Duration::days(1) - newest).num_days()
}

/// `body` with every date moved forward by [`shift_days`]: ISO days (alone or in a
/// timestamp), dd/mm/yyyy, RFC 2822 dates (with the weekday recomputed), and epoch
/// seconds or milliseconds in JSON fields.
pub fn freshen(body: &str) -> String {
    let days = shift_days();
    let shift = |date: NaiveDate| date + Duration::days(days);
    let rfc2822 = Regex::new(
        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}:\d{2}:\d{2} [+-]\d{4})",
    )
    .unwrap();
    let body = rfc2822.replace_all(body, |c: &Captures| {
        let text = format!("{}, {} {} {} {}", &c[1], &c[2], &c[3], &c[4], &c[5]);
        let parsed = DateTime::parse_from_rfc2822(&text).expect("a recorded RFC 2822 date");
        (parsed + Duration::days(days))
            .format("%a, %d %b %Y %H:%M:%S %z")
            .to_string()
    });
    let iso = Regex::new(r"\b(20\d\d)-(\d\d)-(\d\d)").unwrap();
    let body = iso.replace_all(&body, |c: &Captures| {
        let date = NaiveDate::from_ymd_opt(
            c[1].parse().unwrap(),
            c[2].parse().unwrap(),
            c[3].parse().unwrap(),
        )
        .expect("a recorded date");
        shift(date).format("%Y-%m-%d").to_string()
    });
    let dmy = Regex::new(r"\b(\d\d)/(\d\d)/(20\d\d)\b").unwrap();
    let body = dmy.replace_all(&body, |c: &Captures| {
        let date = NaiveDate::from_ymd_opt(
            c[3].parse().unwrap(),
            c[2].parse().unwrap(),
            c[1].parse().unwrap(),
        )
        .expect("a recorded date");
        let moved = shift(date);
        format!("{:02}/{:02}/{}", moved.day(), moved.month(), moved.year())
    });
    let epoch = Regex::new(r#"("[A-Za-z_]+":\s?)(1[78]\d{8})(\d{3})?\b"#).unwrap();
    epoch
        .replace_all(&body, |c: &Captures| {
            let seconds: i64 = c[2].parse().unwrap();
            let moved = seconds + days * 86_400;
            match c.get(3) {
                Some(millis) => format!("{}{moved}{}", &c[1], millis.as_str()),
                None => format!("{}{moved}", &c[1]),
            }
        })
        .into_owned()
}

fn ok(body: String, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", content_type)
        .set_body_string(body)
}

fn json(relative: &str) -> ResponseTemplate {
    ok(freshen(&fixture(relative)), "application/json")
}

impl Boards {
    /// Starts the server with every board mounted.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let boards = Self { server };
        boards.mount_all().await;
        boards
    }

    /// `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    async fn mount(&self, mock: Mock) {
        mock.mount(&self.server).await;
    }

    async fn first_and_empty_pages(
        &self,
        api_path: &str,
        first: (&str, &str),
        body: ResponseTemplate,
        empty: serde_json::Value,
    ) {
        self.mount(
            Mock::given(method("GET"))
                .and(path(api_path))
                .and(query_param(first.0, first.1))
                .respond_with(body)
                .with_priority(1),
        )
        .await;
        // Every later page is empty, which ends the paging.
        self.mount(
            Mock::given(method("GET"))
                .and(path(api_path))
                .respond_with(ResponseTemplate::new(200).set_body_json(empty))
                .with_priority(2),
        )
        .await;
    }

    async fn mount_all(&self) {
        let get = || Mock::given(method("GET"));
        self.mount(
            get()
                .and(path("/robots.txt"))
                .respond_with(ok(ROBOTS.into(), "text/plain")),
        )
        .await;
        self.mount(
            get()
                .and(path("/v1/boards/fjordpay/jobs"))
                .respond_with(json("greenhouse/fjordpay-content.json")),
        )
        .await;
        // Served, but robots.txt forbids it: fetching it would be a failure of the test.
        self.mount(
            get()
                .and(path(format!("/v1/boards/{BLOCKED_BOARD}/jobs")))
                .respond_with(json("greenhouse/fjordpay-content.json")),
        )
        .await;
        self.mount(
            get()
                .and(path("/v0/postings/helsinki-labs"))
                .respond_with(json("lever/helsinki-labs-eu.json")),
        )
        .await;
        self.mount(
            get()
                .and(path("/posting-api/job-board/lumen-grid"))
                .respond_with(json("ashby/lumen-grid-compensation.json")),
        )
        .await;
        self.mount(
            get()
                .and(path("/api/v1/widget/accounts/tulipa-robotics"))
                .respond_with(json("workable/tulipa-robotics-details.json")),
        )
        .await;
        self.first_and_empty_pages(
            "/v1/companies/vinoverde/postings",
            ("offset", "0"),
            json("smartrecruiters/vinoverde-page1.json"),
            serde_json::json!({"offset": 2, "limit": 2, "totalFound": 5, "content": []}),
        )
        .await;
        // Recruitee, Personio and Teamtailor name the company in the host: the base URL
        // stands for that host, so their paths carry no board.
        self.mount(
            get()
                .and(path("/api/offers/"))
                .respond_with(json("recruitee/nordlicht-offers.json")),
        )
        .await;
        self.mount(get().and(path("/xml")).respond_with(ok(
            freshen(&fixture("personio/alpenwerk-positions.xml")),
            "application/xml",
        )))
        .await;
        self.mount(get().and(path("/jobs.rss")).respond_with(ok(
            freshen(&fixture("teamtailor/skarholmen-jobs.rss")),
            "application/rss+xml",
        )))
        .await;
        self.mount(get().and(path("/api")).respond_with(json("remoteok/api.json")))
            .await;
        self.mount(
            get()
                .and(path("/api/job-board-api"))
                .and(query_param("page", "2"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(serde_json::json!({"data": [], "links": {"next": null}, "meta": {}})),
                )
                .with_priority(1),
        )
        .await;
        self.mount(
            get()
                .and(path("/api/job-board-api"))
                .respond_with(json("arbeitnow/page1.json"))
                .with_priority(2),
        )
        .await;
        self.first_and_empty_pages(
            "/jobs/api",
            ("offset", "0"),
            json("himalayas/jobs-offset0.json"),
            serde_json::json!({"offset": 2, "limit": 2, "totalCount": 5, "jobs": []}),
        )
        .await;
        self.first_and_empty_pages(
            "/api/public/jobs",
            ("page", "0"),
            json("themuse/jobs-page0.json"),
            serde_json::json!({"page": 1, "page_count": 3, "results": []}),
        )
        .await;
        self.mount(
            get()
                .and(path("/v1/api/jobs/gb/search/1"))
                .respond_with(json("adzuna/gb-search-page1.json"))
                .with_priority(1),
        )
        .await;
        self.mount(
            get()
                .and(path_regex(r"^/v1/api/jobs/gb/search/\d+$"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(serde_json::json!({"count": 120, "results": []})),
                )
                .with_priority(2),
        )
        .await;
        self.first_and_empty_pages(
            "/api/1.0/search",
            ("resultsToSkip", "0"),
            json("reed/search-page1.json"),
            serde_json::json!({"results": [], "totalResults": 5}),
        )
        .await;
        self.mount(get().and(path("/careers/jobs")).respond_with(ok(
            freshen(&fixture("jsonld/career-page.html")),
            "text/html; charset=utf-8",
        )))
        .await;
        self.mount(
            get()
                .and(path("/api/remote-jobs"))
                .respond_with(json("remotive/remote-jobs.json")),
        )
        .await;
        self.mount(
            get()
                .and(path("/api/v2/remote-jobs"))
                .respond_with(json("jobicy/remote-jobs.json")),
        )
        .await;
    }

    /// The `[[sources]]` of a `jobping.toml` naming every adapter kind, each pointed at
    /// this server. Remotive and Jobicy are switched on explicitly: their terms forbid
    /// the use, which is why they are off by default, but they are still adapters the
    /// binary must be able to run.
    pub fn sources_toml(&self) -> String {
        let base = self.uri();
        let mut out = String::new();
        let mut source = |kind: &str, extra: &str| {
            out.push_str(&format!(
                "[[sources]]\nkind = \"{kind}\"\nbase_url = \"{base}\"\nschedule = \"off\"\n{extra}\n"
            ));
        };
        source(
            "greenhouse",
            &format!("boards = [\"fjordpay\", \"{BLOCKED_BOARD}\"]\n"),
        );
        source("lever", "boards = [\"helsinki-labs\"]\neu = true\n");
        source("ashby", "boards = [\"lumen-grid\"]\n");
        source("workable", "boards = [\"tulipa-robotics\"]\n");
        source("smartrecruiters", "boards = [\"vinoverde\"]\n");
        source("recruitee", "boards = [\"nordlicht\"]\n");
        source("personio", "boards = [\"alpenwerk\"]\n");
        source("teamtailor", "boards = [\"skarholmen\"]\n");
        source("remoteok", "");
        source("arbeitnow", "");
        source("himalayas", "");
        source("themuse", "query = { level = \"Entry Level\" }\n");
        source("adzuna", "boards = [\"gb\"]\nkeywords = \"graduate\"\n");
        source("reed", "keywords = \"graduate\"\n");
        source(
            "jsonld",
            "urls = [\"https://careers.portoharbour.example/careers/jobs\"]\n",
        );
        source("remotive", "enabled = true\n");
        source("jobicy", "enabled = true\n");
        out
    }

    /// The paths requested so far, in order.
    pub async fn requested_paths(&self) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect()
    }
}

#[test]
fn freshening_moves_every_date_format_by_the_same_days() {
    let days = shift_days();
    let moved = freshen(
        r#"{"a":"2026-10-16T05:00:00Z","b":"12/10/2026","c": 1790000000,"d":1790000000123} <pubDate>Mon, 05 Oct 2026 09:00:00 +0200</pubDate>"#,
    );
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap() + Duration::days(days);
    assert!(
        moved.contains(&day(2026, 10, 16).format("%Y-%m-%d").to_string()),
        "{moved}"
    );
    assert!(
        moved.contains(&day(2026, 10, 12).format("%d/%m/%Y").to_string()),
        "{moved}"
    );
    assert!(
        moved.contains(&format!("\"c\": {}", 1_790_000_000 + days * 86_400)),
        "{moved}"
    );
    assert!(
        moved.contains(&format!("\"d\":{}123", 1_790_000_000 + days * 86_400)),
        "{moved}"
    );
    let rss = day(2026, 10, 5);
    assert!(
        moved.contains(&format!("{} 09:00:00 +0200", rss.format("%a, %d %b %Y"))),
        "{moved}"
    );
}
