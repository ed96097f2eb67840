//! Filling the signup form the way a person does: typing, ticking boxes, choosing from
//! the lists, then pressing the button.

use crate::browser::Browser;

/// Everything but the cities and the consent: the two things people forget.
pub async fn fill_all_but_city_and_consent(browser: &Browser, address: &str) {
    browser.type_into("#email", address).await;
    browser.tick("career_paths", "data", true).await;
    browser.tick("entry_levels", "graduate", true).await;
    browser.tick("entry_levels", "entry", true).await;
    browser.choose("#experience", "none").await;
    browser.tick("work_environments", "hybrid", true).await;
    browser.tick("work_environments", "remote", true).await;
    browser.choose("#visa", "eu").await;
    browser.tick("languages", "en", true).await;
}

/// The rest of a valid signup, after [`fill_all_but_city_and_consent`].
pub async fn add_cities_and_consent(browser: &Browser) {
    browser.tick("cities", "berlin", true).await;
    browser.tick("cities", "amsterdam", true).await;
    browser.tick("consent", "yes", true).await;
}

pub async fn submit(browser: &Browser) {
    browser.click("main form button[type=submit]").await;
}
