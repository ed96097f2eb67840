//! A walk through every page a subscriber can see, in the order they meet them, for the
//! checks that look at each page (accessibility, screenshots).

use crate::browser::Browser;
use crate::form;
use crate::helpers::TestApp;
use crate::support::{last_email_linking, link_in};

/// The pages [`tour`] visits, by the name it gives them.
pub const PAGES: &[&str] = &[
    "landing",
    "privacy",
    "terms",
    "pricing",
    "signup",
    "signup-errors",
    "check-email",
    "verify",
    "welcome",
    "preferences",
    "account",
    "delete",
    "unsubscribe",
    "unsubscribed",
    "deleted",
    "account-link",
];

/// Walks the pages in [`PAGES`] with one subscriber, calling `visit` on each once it has
/// loaded.
pub async fn tour(app: &TestApp, browser: &Browser, mut visit: impl AsyncFnMut(&'static str)) {
    // A long address, as many students have: it must wrap, not widen the page.
    let address = "alexandra.konstantinopoulou@student.uni-example.eu";
    let page = |path: &str| format!("{}{path}", app.address);

    for (name, path, heading) in [
        ("landing", "/", "Your first job in Europe, found for you"),
        ("privacy", "/privacy", "Privacy notice"),
        ("terms", "/terms", "Terms of use"),
        ("pricing", "/pricing", "Pricing"),
        ("signup", "/signup", "Get early-career jobs that fit you"),
    ] {
        browser.open(&page(path)).await;
        browser.heading(heading).await;
        visit(name).await;
    }

    form::fill_all_but_city_and_consent(browser, address).await;
    form::submit(browser).await;
    browser.css("#form-errors").await;
    visit("signup-errors").await;

    form::add_cities_and_consent(browser).await;
    form::submit(browser).await;
    browser.heading("Check your email").await;
    visit("check-email").await;

    app.drain().await;
    let verification = last_email_linking(app, address, "/verify");
    browser.open(&link_in(app, &verification, "/verify")).await;
    browser.heading("Confirm your subscription").await;
    visit("verify").await;

    browser.click("main form button[type=submit]").await;
    browser.heading("Welcome to JobPing!").await;
    visit("welcome").await;

    browser.follow("Review my preferences").await;
    browser.heading("Your preferences").await;
    visit("preferences").await;

    browser.open(&page("/account")).await;
    browser.heading("My account").await;
    visit("account").await;

    browser.follow("Delete my account…").await;
    browser.heading("Delete my account").await;
    visit("delete").await;

    app.drain().await;
    let welcome = last_email_linking(app, address, "/unsubscribe");
    browser.open(&link_in(app, &welcome, "/unsubscribe")).await;
    browser.heading("Unsubscribe from JobPing").await;
    visit("unsubscribe").await;

    browser.click("main form button[type=submit]").await;
    browser.heading("You are unsubscribed").await;
    visit("unsubscribed").await;

    browser.open(&page("/account/delete")).await;
    browser.click("main form button.danger[type=submit]").await;
    browser.heading("Your account is deleted").await;
    visit("deleted").await;

    browser.open(&page("/account")).await;
    browser.heading("Get a link to your account").await;
    visit("account-link").await;
}
