//! Accessibility and layout on every page at phone width: language, labels, no sideways
//! scrolling, text contrast, image alternatives (see `audit.js`).

use crate::browser::Browser;
use crate::support::spawn;
use crate::tour::{PAGES, tour};

const AUDIT: &str = include_str!("audit.js");

/// The problems `audit.js` finds on the page the browser shows.
pub async fn problems(browser: &Browser) -> Vec<String> {
    let found = browser.script(AUDIT).await;
    serde_json::from_value(found).expect("the audit returns a list of sentences")
}

/// A page from `html`, with no server.
fn page(html: &str) -> String {
    use base64::Engine;
    format!(
        "data:text/html;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(html)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_finds_each_kind_of_defect_on_a_page_made_with_them() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    browser
        .open(&page(
            r#"<!doctype html><html><head><meta name="viewport" content="width=device-width"></head><body>
            <p style="color: rgb(170, 170, 170)">Faint text</p>
            <p style="color: rgb(148, 148, 148); font-size: 24px">Large grey text</p>
            <div style="background: rgb(0, 0, 0)"><p style="color: rgb(255, 255, 255)">White on black</p></div>
            <input type="text" name="nameless">
            <label>Wrapped <input type="text" name="wrapped"></label>
            <input type="text" name="named" aria-label="Search">
            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">
            <div style="width: 600px">Too wide</div>
            </body></html>"#,
        ))
        .await;
    let found = problems(&browser).await;
    let expected = [
        "<html> has no lang attribute",
        r#"no accessible label: input[name="nameless"]"#,
        "wider than the screen: 608px of content on a 375px screen; too wide: div \"Too wide\"",
        r#"contrast 2.32:1 (needs 4.5:1) for p "Faint text""#,
        "no alt text: img",
    ];
    for sentence in expected {
        assert!(
            found.iter().any(|problem| problem.starts_with(sentence)),
            "missing {sentence:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "nothing else is flagged: {found:#?}");

    browser
        .open(&page(
            r#"<!doctype html><html lang="en"><body><p>No viewport</p></body></html>"#,
        ))
        .await;
    let found = problems(&browser).await;
    assert!(
        found.len() == 1 && found[0].starts_with("no <meta name=\"viewport\""),
        "{found:#?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_accessible_and_fits_a_phone_screen() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    let mut visited = Vec::new();
    let mut report = Vec::new();
    tour(&app, &browser, async |page| {
        visited.push(page);
        for problem in problems(&browser).await {
            report.push(format!("{page} ({}): {problem}", browser.location().await));
        }
    })
    .await;
    assert_eq!(visited, PAGES, "the tour reached every page");
    assert!(
        report.is_empty(),
        "{} accessibility problem(s) at {} px:\n{}",
        report.len(),
        crate::browser::WIDTH,
        report.join("\n")
    );
    browser.close().await;
}
