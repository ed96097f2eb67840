//! Full-page screenshots of every page at phone width. They are written only when
//! `JOBPING_SCREENSHOTS` names a folder (`docs/screenshots` holds the committed ones), so
//! CI takes and checks them without rewriting files.

use std::path::PathBuf;

use crate::browser::{Browser, HEIGHT, WIDTH};
use crate::support::spawn;
use crate::tour::{PAGES, tour};

/// A PNG of the whole page, and the height it should have: the screen grows to the
/// page's height for the shot.
async fn full_page(browser: &Browser) -> (Vec<u8>, u32) {
    let height = browser
        .script("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .expect("a page height");
    let height = u32::try_from(height).unwrap().max(HEIGHT);
    browser.emulate(height).await;
    let png = browser.client.screenshot().await.expect("a screenshot");
    browser.emulate(HEIGHT).await;
    (png, height)
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
        let (png, height) = full_page(&browser).await;
        assert_eq!(
            dimensions(&png),
            (WIDTH, height),
            "{page} is shot whole at phone width"
        );
        if let Some(folder) = &folder {
            std::fs::write(folder.join(format!("{page}.png")), &png).unwrap();
        }
        taken.push(page);
    })
    .await;
    assert_eq!(taken, PAGES);
    browser.close().await;
}
