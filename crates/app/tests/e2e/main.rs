//! End-to-end tests in headless Chromium: the subscriber's journey through the pages,
//! accessibility and layout at phone width, and screenshots for the docs.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`CHROMEDRIVER` and `CHROMIUM` name
//! other paths); without them the tests skip with a note, except in CI, where they fail.
//! `JOBPING_SCREENSHOTS=<folder>` writes the screenshots there.

// The API tests' helpers, shared as they are; this binary uses only some of them.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod audit;
mod browser;
mod form;
mod journey;
mod screenshots;
mod support;
mod tour;
