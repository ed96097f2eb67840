//! Full-page screenshots of every page at phone width. They are written only when
//! `JOBPING_SCREENSHOTS` names a folder (`docs/screenshots` holds the committed ones), so
//! CI takes and checks them without rewriting files.

use std::path::PathBuf;

use serde_json::json;

use crate::browser::{Browser, HEIGHT, WIDTH};
use crate::support::spawn;
use crate::tour::{PAGES, tour};

/// A PNG of the whole page: the screen grows to the page's height for the shot.
async fn full_page(browser: &Browser) -> Vec<u8> {
    let height = browser
        .script("return Math.ceil(document.documentElement.scrollHeight)")
        .await
        .as_u64()
        .expect("a page height");
    let height = u32::try_from(height).unwrap().max(HEIGHT);
    browser.emulate(height).await;
    let inner = browser
        .script("return [window.innerWidth, window.innerHeight]")
        .await;
    assert_eq!(inner, json!([WIDTH, height]), "the screen shows the whole page");
    let png = browser.client.screenshot().await.expect("a screenshot");
    browser.emulate(HEIGHT).await;
    png
}

/// Width and height from a PNG's header.
fn dimensions(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_a_full_page_screenshot_at_phone_width() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    let folder = std::env::var_os("JOBPING_SCREENSHOTS").map(PathBuf::from);
    if let Some(folder) = &folder {
        std::fs::create_dir_all(folder).unwrap();
    }
    let mut taken = Vec::new();
    tour(&app, &browser, async |page| {
        let png = full_page(&browser).await;
        let (width, height) = dimensions(&png);
        assert_eq!(width, WIDTH, "{page} is shot at phone width");
        assert!(height >= HEIGHT, "{page} is shot whole");
        if let Some(folder) = &folder {
            std::fs::write(folder.join(format!("{page}.png")), &png).unwrap();
        }
        taken.push(page);
    })
    .await;
    assert_eq!(taken, PAGES);
    browser.close().await;
}
