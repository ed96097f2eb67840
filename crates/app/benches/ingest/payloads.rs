//! Recorded-shape payloads for the ingest benchmark, built in memory.
//!
//! Each board's page is our own fixture's first posting re-serialized many times with
//! fictional ids, titles, companies and cities, so that the adapters read exactly the
//! shapes they read in production. Every tenth page is a company's own career page
//! (JSON-LD) listing the same jobs as one of its board pages: those postings are the
//! same jobs on a second source and exercise cross-source merges.

use jobping_sources::adapters::SourceKind;
use serde_json::{Value, json};
use url::Url;

const GREENHOUSE: &str = include_str!("../../../sources/tests/fixtures/greenhouse/fjordpay-content.json");
const LEVER: &str = include_str!("../../../sources/tests/fixtures/lever/helsinki-labs-eu.json");
const RECRUITEE: &str = include_str!("../../../sources/tests/fixtures/recruitee/nordlicht-offers.json");
const ARBEITNOW: &str = include_str!("../../../sources/tests/fixtures/arbeitnow/page1.json");

/// Postings per page: a mid-sized company board, or one aggregator page.
pub const PER_PAGE: usize = 100;

/// One fetched page as the pipeline receives it.
pub struct Payload {
    pub kind: SourceKind,
    pub board: String,
    pub url: Url,
    pub body: Vec<u8>,
}

/// The pages holding `postings` postings (rounded up to whole pages).
/// `paragraphs` sets the length of the HTML-heavy (Greenhouse) descriptions; the other
/// boards' are a third as long.
pub fn pages(postings: usize, paragraphs: usize) -> Vec<Payload> {
    let templates = Templates::load(paragraphs);
    let pages = postings.div_ceil(PER_PAGE);
    (0..pages)
        .map(|page| {
            // Pages 9, 19, 29… mirror a board page just before them on the company's own
            // site; Lever names the company by its slug, and a JSON-LD page is already
            // the site, so those are skipped over.
            if page % 10 == 9 {
                let mirrored = if matches!((page - 1) % 9, 3 | 8) {
                    page - 2
                } else {
                    page - 1
                };
                jsonld_page(mirrored, &company(mirrored), &jobs(mirrored, paragraphs))
            } else {
                templates.page(page)
            }
        })
        .collect()
}

/// One fictional job as a board would list it.
struct Spec {
    id: u64,
    title: String,
    city: &'static City,
    german: bool,
    senior: bool,
    /// Sections in a long description.
    paragraphs: usize,
}

struct City {
    name: &'static str,
    country: &'static str,
    code: &'static str,
}

const CITIES: &[City] = &[
    City {
        name: "London",
        country: "United Kingdom",
        code: "GB",
    },
    City {
        name: "Berlin",
        country: "Germany",
        code: "DE",
    },
    City {
        name: "München",
        country: "Germany",
        code: "DE",
    },
    City {
        name: "Hamburg",
        country: "Germany",
        code: "DE",
    },
    City {
        name: "Frankfurt",
        country: "Germany",
        code: "DE",
    },
    City {
        name: "Köln",
        country: "Germany",
        code: "DE",
    },
    City {
        name: "Wien",
        country: "Austria",
        code: "AT",
    },
    City {
        name: "Zürich",
        country: "Switzerland",
        code: "CH",
    },
    City {
        name: "Amsterdam",
        country: "Netherlands",
        code: "NL",
    },
    City {
        name: "Rotterdam",
        country: "Netherlands",
        code: "NL",
    },
    City {
        name: "Paris",
        country: "France",
        code: "FR",
    },
    City {
        name: "Lyon",
        country: "France",
        code: "FR",
    },
    City {
        name: "Madrid",
        country: "Spain",
        code: "ES",
    },
    City {
        name: "Barcelona",
        country: "Spain",
        code: "ES",
    },
    City {
        name: "Lisbon",
        country: "Portugal",
        code: "PT",
    },
    City {
        name: "Porto",
        country: "Portugal",
        code: "PT",
    },
    City {
        name: "Dublin",
        country: "Ireland",
        code: "IE",
    },
    City {
        name: "Stockholm",
        country: "Sweden",
        code: "SE",
    },
    City {
        name: "Oslo",
        country: "Norway",
        code: "NO",
    },
    City {
        name: "Copenhagen",
        country: "Denmark",
        code: "DK",
    },
    City {
        name: "Helsinki",
        country: "Finland",
        code: "FI",
    },
    City {
        name: "Warsaw",
        country: "Poland",
        code: "PL",
    },
    City {
        name: "Prague",
        country: "Czechia",
        code: "CZ",
    },
    City {
        name: "Milano",
        country: "Italy",
        code: "IT",
    },
    City {
        name: "Brussels",
        country: "Belgium",
        code: "BE",
    },
];

const LEVELS: &[&str] = &[
    "Junior",
    "Graduate",
    "Senior",
    "Working Student",
    "Intern",
    "Entry-Level",
];
const ROLES: &[&str] = &[
    "Backend Engineer",
    "Frontend Developer",
    "Data Analyst",
    "Data Scientist",
    "Product Designer",
    "UX Researcher",
    "Marketing Manager",
    "Content Writer",
    "Account Executive",
    "Financial Analyst",
    "HR Generalist",
    "DevOps Engineer",
    "QA Engineer",
    "Mobile Developer",
    "Customer Success Associate",
    "Business Analyst",
    "Supply Chain Planner",
    "Legal Counsel",
    "Mechanical Engineer",
    "Sales Development Representative",
];
const PREFIXES: &[&str] = &[
    "Fjord",
    "Isar",
    "Nordlicht",
    "Alpen",
    "Harbour",
    "Spree",
    "Tulipa",
    "Lumen",
    "Vino",
    "Skar",
    "Danube",
    "Baltic",
    "Tagus",
    "Rhine",
    "Amstel",
    "Liffey",
    "Vltava",
    "Elbe",
    "Loire",
    "Douro",
    "Neckar",
    "Oder",
    "Saimaa",
    "Garonne",
    "Tiber",
    "Ebro",
    "Mosel",
    "Inn",
    "Aare",
    "Vistula",
    "Seine",
    "Thames",
    "Kemi",
    "Glomma",
    "Drava",
    "Sava",
    "Tisza",
    "Maas",
    "Scheldt",
    "Shannon",
];
const SUFFIXES: &[&str] = &[
    "Pay",
    "Labs",
    "Media",
    "Mobility",
    "Robotics",
    "Logistics",
    "Health",
    "Energy",
    "Analytics",
    "Works",
    "Systems",
    "Foods",
    "Bank",
    "Games",
    "Studio",
];

/// The company behind page `page`: distinct for every page.
fn company(page: usize) -> String {
    let prefix = PREFIXES[page % PREFIXES.len()];
    let suffix = SUFFIXES[(page / PREFIXES.len()) % SUFFIXES.len()];
    let round = page / (PREFIXES.len() * SUFFIXES.len());
    if round == 0 {
        format!("{prefix} {suffix}")
    } else {
        format!("{prefix} {suffix} {}", round + 1)
    }
}

fn slug(name: &str) -> String {
    name.to_lowercase().replace(' ', "-")
}

/// The jobs page `page` lists: distinct titles within the page, so distinct jobs.
fn jobs(page: usize, paragraphs: usize) -> Vec<Spec> {
    let titles = LEVELS.len() * ROLES.len();
    (0..PER_PAGE)
        .map(|k| {
            // 7 is coprime with the number of titles, so titles never repeat on a page.
            let t = (7 * k + page) % titles;
            let level = LEVELS[t % LEVELS.len()];
            let role = ROLES[t / LEVELS.len()];
            Spec {
                id: 7_000_000_000 + (page * PER_PAGE + k) as u64,
                title: format!("{level} {role}"),
                city: &CITIES[(k + 3 * page) % CITIES.len()],
                german: k % 5 == 0,
                senior: level == "Senior",
                paragraphs,
            }
        })
        .collect()
}

/// A description of realistic length: long as Greenhouse boards write them, or a third
/// of that.
fn description(spec: &Spec, company: &str, long: bool) -> String {
    let paragraphs = if long {
        spec.paragraphs
    } else {
        spec.paragraphs / 3
    };
    let mut html = String::new();
    if spec.german {
        html.push_str(&format!(
            "<div class=\"content-intro\"><p><strong>Über {company}</strong></p><p>{company} baut Software \
             für Kundinnen und Kunden in ganz Europa. Unser Team in {} wächst, und wir suchen Verstärkung \
             als {}.</p></div>",
            spec.city.name, spec.title
        ));
        for i in 0..paragraphs {
            html.push_str(&format!(
                "<h3>Deine Aufgaben ({i})</h3><ul><li>Du arbeitest eng mit dem Produktteam zusammen und \
                 übernimmst früh Verantwortung.</li><li>Du lernst von erfahrenen Kolleginnen und Kollegen \
                 &amp; bringst eigene Ideen ein.</li><li>Du gestaltest Prozesse, die tausenden Menschen \
                 den Alltag erleichtern.</li></ul><p>Wir bieten flexible Arbeitszeiten, ein Jobticket und \
                 30 Tage Urlaub.</p>"
            ));
        }
        html.push_str("<p>Sehr gute Deutschkenntnisse und gute Englischkenntnisse setzen wir voraus.</p>");
    } else {
        html.push_str(&format!(
            "<div class=\"content-intro\"><p><strong>About {company}</strong></p><p>{company} builds \
             products for customers across Europe. Our team in {} is growing and we are looking for a {} \
             to join us.</p></div>",
            spec.city.name, spec.title
        ));
        for i in 0..paragraphs {
            html.push_str(&format!(
                "<h3>What you will do ({i})</h3><ul><li>Work closely with the product team and take \
                 ownership of meaningful projects from your first weeks.</li><li>Learn from experienced \
                 colleagues &amp; bring your own ideas to the table.</li><li>Shape the processes that \
                 make daily life easier for thousands of people.</li></ul><p>We offer flexible hours, a \
                 learning budget and <a href=\"https://example.org/benefits\" \
                 onclick=\"track()\">25 days of holiday</a>.</p>"
            ));
        }
        if spec.senior {
            html.push_str("<p>You have 5+ years of experience in a similar role.</p>");
        } else {
            html.push_str("<p>No prior experience required: recent graduates are welcome.</p>");
        }
        html.push_str("<p>We are unable to offer visa sponsorship for this role.</p>");
    }
    html
}

fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The first valid posting of each JSON fixture, to be re-serialized.
struct Templates {
    greenhouse: Value,
    lever: Value,
    recruitee: Value,
    /// Recruitee's `close_at`, in its own "2026-11-30 23:00:00 UTC" form.
    recruitee_close_at: String,
    arbeitnow: Value,
    paragraphs: usize,
}

impl Templates {
    fn load(paragraphs: usize) -> Self {
        let first = |json: &str, pointer: &str| -> Value {
            let root: Value = serde_json::from_str(json).expect("fixture is JSON");
            root.pointer(pointer)
                .cloned()
                .expect("fixture has a first posting")
        };
        Self {
            greenhouse: first(GREENHOUSE, "/jobs/0"),
            lever: first(LEVER, "/0"),
            recruitee: first(RECRUITEE, "/offers/0"),
            recruitee_close_at: recruitee_date(time::OffsetDateTime::now_utc() + time::Duration::days(90)),
            arbeitnow: first(ARBEITNOW, "/data/0"),
            paragraphs,
        }
    }

    /// Board page `page`: the kinds take turns, Greenhouse (HTML-heavy) most often.
    fn page(&self, page: usize) -> Payload {
        let company = company(page);
        let jobs = jobs(page, self.paragraphs);
        match page % 9 {
            0..=2 => self.greenhouse_page(&company, &jobs),
            3 => self.lever_page(&company, &jobs),
            4 => self.recruitee_page(&company, &jobs),
            5 => self.arbeitnow_page(page, &company, &jobs),
            6..=7 => personio_page(&company, &jobs),
            _ => jsonld_page(page, &company, &jobs),
        }
    }

    fn greenhouse_page(&self, company: &str, jobs: &[Spec]) -> Payload {
        let board = slug(company);
        let postings: Vec<Value> = jobs
            .iter()
            .map(|spec| {
                let mut job = self.greenhouse.clone();
                job["id"] = json!(spec.id);
                job["internal_job_id"] = json!(spec.id + 1);
                job["absolute_url"] = json!(format!(
                    "https://job-boards.greenhouse.io/{board}/jobs/{}",
                    spec.id
                ));
                job["title"] = json!(spec.title);
                job["company_name"] = json!(company);
                job["location"] = json!({ "name": format!("{}, {}", spec.city.name, spec.city.country) });
                job["language"] = json!(if spec.german { "de" } else { "en" });
                // Greenhouse sends its content HTML-escaped.
                job["content"] = json!(escape_html(&description(spec, company, true)));
                job["offices"][0]["name"] = json!(spec.city.name);
                job["offices"][0]["location"] = json!(format!("{}, {}", spec.city.name, spec.city.country));
                job
            })
            .collect();
        let body = json!({ "jobs": postings, "meta": { "total": jobs.len() } });
        payload(
            SourceKind::Greenhouse,
            &board,
            &format!("https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true"),
            serde_json::to_vec(&body),
        )
    }

    fn lever_page(&self, company: &str, jobs: &[Spec]) -> Payload {
        let board = slug(company);
        let postings: Vec<Value> = jobs
            .iter()
            .map(|spec| {
                let mut job = self.lever.clone();
                let id = format!("3f1c2a9e-1b7d-4c55-9a0e-{:012x}", spec.id);
                let html = description(spec, company, false);
                job["id"] = json!(id);
                job["text"] = json!(spec.title);
                job["hostedUrl"] = json!(format!("https://jobs.eu.lever.co/{board}/{id}"));
                job["applyUrl"] = json!(format!("https://jobs.eu.lever.co/{board}/{id}/apply"));
                job["categories"]["location"] = json!(format!("{}, {}", spec.city.name, spec.city.country));
                job["categories"]["allLocations"] =
                    json!([format!("{}, {}", spec.city.name, spec.city.country)]);
                job["categories"]["commitment"] = json!(if spec.senior { "Full-time" } else { "Internship" });
                job["country"] = json!(spec.city.code);
                job["descriptionPlain"] = json!(plain(&html));
                job["description"] = json!(html);
                job
            })
            .collect();
        payload(
            SourceKind::Lever,
            &board,
            &format!("https://api.eu.lever.co/v0/postings/{board}?mode=json"),
            serde_json::to_vec(&postings),
        )
    }

    fn recruitee_page(&self, company: &str, jobs: &[Spec]) -> Payload {
        let board = slug(company);
        let offers: Vec<Value> = jobs
            .iter()
            .map(|spec| {
                let mut offer = self.recruitee.clone();
                let job_slug = format!("{}-{}", slug(&spec.title), spec.id);
                let html = description(spec, company, false);
                offer["id"] = json!(spec.id);
                offer["guid"] = json!(format!("g{:x}", spec.id));
                offer["slug"] = json!(job_slug);
                offer["title"] = json!(spec.title);
                offer["company_name"] = json!(company);
                offer["careers_url"] = json!(format!("https://{board}.recruitee.com/o/{job_slug}"));
                offer["careers_apply_url"] =
                    json!(format!("https://{board}.recruitee.com/o/{job_slug}/c/new"));
                offer["city"] = json!(spec.city.name);
                offer["country"] = json!(spec.city.country);
                offer["country_code"] = json!(spec.city.code);
                offer["location"] = json!(format!("{}, {}", spec.city.name, spec.city.country));
                offer["locations"][0]["name"] = json!(spec.city.name);
                offer["locations"][0]["city"] = json!(spec.city.name);
                offer["locations"][0]["state"] = json!(spec.city.name);
                offer["locations"][0]["country"] = json!(spec.city.country);
                offer["locations"][0]["country_code"] = json!(spec.city.code);
                offer["translations"] = json!({});
                offer["description"] = json!(html);
                // Open for a while yet, whenever the benchmark runs: a closing date
                // already past makes the job inactive, which is not what is measured.
                offer["close_at"] = json!(self.recruitee_close_at);
                offer
            })
            .collect();
        payload(
            SourceKind::Recruitee,
            &board,
            &format!("https://{board}.recruitee.com/api/offers/"),
            serde_json::to_vec(&json!({ "offers": offers })),
        )
    }

    fn arbeitnow_page(&self, page: usize, company: &str, jobs: &[Spec]) -> Payload {
        let postings: Vec<Value> = jobs
            .iter()
            .map(|spec| {
                let mut job = self.arbeitnow.clone();
                let job_slug = format!("{}-{}", slug(&spec.title), spec.id);
                job["slug"] = json!(job_slug);
                job["company_name"] = json!(company);
                job["title"] = json!(spec.title);
                job["description"] = json!(description(spec, company, false));
                job["url"] = json!(format!(
                    "https://www.arbeitnow.com/jobs/companies/{}/{job_slug}",
                    slug(company)
                ));
                job["location"] = json!(spec.city.name);
                job
            })
            .collect();
        let body = json!({
            "data": postings,
            "links": { "next": null },
            "meta": { "current_page": page, "per_page": jobs.len() },
        });
        payload(
            SourceKind::Arbeitnow,
            "",
            &format!("https://www.arbeitnow.com/api/job-board-api?page={page}"),
            serde_json::to_vec(&body),
        )
    }
}

/// Personio's XML feed, in the fixture's shape (descriptions as CDATA blocks).
fn personio_page(company: &str, jobs: &[Spec]) -> Payload {
    let board = slug(company);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workzag-jobs>\n");
    for spec in jobs {
        let html = description(spec, company, false);
        let (first, second) = html.split_at(html.find("<h3>").unwrap_or(0));
        xml.push_str(&format!(
            "\t<position>\n\t\t<id>{id}</id>\n\t\t<subcompany>{company}</subcompany>\n\t\t<office>{city}</office>\n\
             \t\t<department>Research &amp; Development</department>\n\t\t<name>{title}</name>\n\
             \t\t<jobDescriptions>\n\t\t\t<jobDescription>\n\t\t\t\t<name>Intro</name>\n\
             \t\t\t\t<value><![CDATA[{first}]]></value>\n\t\t\t</jobDescription>\n\
             \t\t\t<jobDescription>\n\t\t\t\t<name>Details</name>\n\
             \t\t\t\t<value><![CDATA[{second}]]></value>\n\t\t\t</jobDescription>\n\t\t</jobDescriptions>\n\
             \t\t<employmentType>{employment}</employmentType>\n\t\t<seniority>{seniority}</seniority>\n\
             \t\t<schedule>full-time</schedule>\n\t\t<createdAt>2026-09-24T11:00:15+00:00</createdAt>\n\
             \t\t<salaryInformation>\n\t\t\t<min>42000.00</min>\n\t\t\t<max>52000.00</max>\n\
             \t\t\t<currencyCode>EUR</currencyCode>\n\t\t\t<type>yearly</type>\n\t\t</salaryInformation>\n\
             \t</position>\n",
            id = spec.id,
            city = spec.city.name,
            title = spec.title,
            employment = if spec.senior { "permanent" } else { "intern" },
            seniority = if spec.senior { "experienced" } else { "entry-level" },
        ));
    }
    xml.push_str("</workzag-jobs>\n");
    payload(
        SourceKind::Personio,
        &board,
        &format!("https://{board}.jobs.personio.de/xml"),
        Ok(xml.into_bytes()),
    )
}

/// A career page with one JSON-LD block of `JobPosting`s, as in the fixture. For a
/// mirror page, `page` is the board page it mirrors: same company, titles and cities,
/// the site's own ids.
fn jsonld_page(page: usize, company: &str, jobs: &[Spec]) -> Payload {
    let site = format!("https://careers.{}.example", slug(company));
    let postings: Vec<Value> = jobs
        .iter()
        .map(|spec| {
            json!({
                "@context": "https://schema.org/",
                "@type": "JobPosting",
                "title": spec.title,
                "description": description(spec, company, false),
                "identifier": { "@type": "PropertyValue", "name": company, "value": format!("SITE-{}", spec.id) },
                "url": format!("{site}/jobs/{}", spec.id),
                "datePosted": "2026-10-01",
                "validThrough": "2027-03-31T23:59:59+00:00",
                "employmentType": if spec.senior { "FULL_TIME" } else { "INTERN" },
                "hiringOrganization": { "@type": "Organization", "name": company },
                "jobLocation": { "@type": "Place", "address": {
                    "@type": "PostalAddress",
                    "addressCountry": spec.city.code,
                    "addressLocality": spec.city.name,
                }},
                "baseSalary": { "@type": "MonetaryAmount", "currency": "EUR", "value": {
                    "@type": "QuantitativeValue", "minValue": 900, "maxValue": 1100, "unitText": "MONTH",
                }},
                "inLanguage": if spec.german { "de" } else { "en" },
            })
        })
        .collect();
    let block = serde_json::to_string(&postings).expect("JSON-LD serializes");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Careers at {company}</title>\n\
         <script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"WebSite\",\"url\":\"{site}/\"}}</script>\n\
         </head>\n<body>\n<h1>Open roles</h1>\n<script type=\"application/ld+json\">\n{block}\n</script>\n</body>\n</html>\n"
    );
    let url = format!("{site}/jobs?page={page}");
    payload(SourceKind::JsonLd, &url, &url, Ok(html.into_bytes()))
}

fn payload(kind: SourceKind, board: &str, url: &str, body: serde_json::Result<Vec<u8>>) -> Payload {
    Payload {
        kind,
        board: board.to_owned(),
        url: Url::parse(url).expect("benchmark page URLs are valid"),
        body: body.expect("payloads serialize"),
    }
}

fn escape_html(html: &str) -> String {
    html.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A time as Recruitee writes it: "2026-11-30 23:00:00 UTC".
fn recruitee_date(at: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} 23:00:00 UTC",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}
