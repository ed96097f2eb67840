//! The subscriber's journey in a real browser: signup, the emailed links, preferences,
//! unsubscribe and deletion.

use jobping_core::SubscriberStatus;
use jobping_store::StoreError;

use crate::browser::Browser;
use crate::form;
use crate::support::{confirmed, last_email_linking, link_in, signed_up, spawn, stored_cities, subscriber};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_with_mistakes_comes_back_with_each_message_and_then_goes_through() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    browser.open(&format!("{}/signup", app.address)).await;
    browser.heading("Get early-career jobs that fit you").await;

    form::fill_all_but_city_and_consent(&browser, "ada@example.com").await;
    form::submit(&browser).await;
    browser.css("#form-errors").await;
    let email = browser.css("#email").await;
    assert_eq!(
        email.prop("value").await.unwrap().as_deref(),
        Some("ada@example.com"),
        "the typed address is kept"
    );
    // Each message sits inside the field it is about, and the field points at it.
    for field in ["cities", "consent"] {
        let message = browser
            .css(&format!("fieldset#{field} > p.error#{field}-error"))
            .await;
        assert!(
            !message.text().await.unwrap().trim().is_empty(),
            "{field} says what is wrong"
        );
        let fieldset = browser.css(&format!("fieldset#{field}")).await;
        assert_eq!(
            fieldset.attr("aria-describedby").await.unwrap().as_deref(),
            Some(format!("{field}-error").as_str())
        );
    }
    let messages = browser
        .script("return document.querySelectorAll('p.error').length")
        .await;
    assert_eq!(messages, 2, "only the two fields left out are marked");
    assert!(
        browser.ticked("career_paths", "data").await,
        "choices made are kept"
    );
    assert!(browser.ticked("languages", "en").await);
    assert!(
        subscriber(&app, "ada@example.com").await.is_none(),
        "nothing is stored"
    );

    form::add_cities_and_consent(&browser).await;
    form::submit(&browser).await;
    browser.heading("Check your email").await;
    let pending = subscriber(&app, "ada@example.com")
        .await
        .expect("a pending subscriber");
    assert_eq!(pending.status, SubscriberStatus::Pending);
    assert_eq!(stored_cities(&app, &pending).await, ["amsterdam", "berlin"]);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emailed_link_confirms_with_one_click_and_signs_the_browser_in() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    signed_up(&app, "grace@example.com").await;
    let verification = last_email_linking(&app, "grace@example.com", "/verify");

    browser.open(&link_in(&app, &verification, "/verify")).await;
    browser.heading("Confirm your subscription").await;
    let before = subscriber(&app, "grace@example.com").await.unwrap();
    assert_eq!(
        before.status,
        SubscriberStatus::Pending,
        "opening the link confirms nothing"
    );
    assert!(browser.client.get_named_cookie("jobping_session").await.is_err());

    browser.click("main form button[type=submit]").await;
    browser.heading("Welcome to JobPing!").await;
    let after = subscriber(&app, "grace@example.com").await.unwrap();
    assert_eq!(after.status, SubscriberStatus::Active);
    let session = browser
        .client
        .get_named_cookie("jobping_session")
        .await
        .expect("the confirmation sets a session cookie");
    assert!(!session.value().is_empty());
    assert_eq!(session.http_only(), Some(true), "scripts cannot read the session");

    browser.follow("Review my preferences").await;
    browser.heading("Your preferences").await;
    assert_eq!(browser.location().await, "/preferences");
    let signed_in = browser.css("main .meta strong").await.text().await.unwrap();
    assert_eq!(signed_in, "grace@example.com");
    assert!(
        browser.ticked("cities", "berlin").await,
        "the stored choices are shown"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manage_link_opens_preferences_and_a_change_of_cities_is_saved() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    let mary = confirmed(&app, "mary@example.com").await;
    let welcome = last_email_linking(&app, "mary@example.com", "/preferences");

    browser.open(&link_in(&app, &welcome, "/preferences")).await;
    browser.heading("Your preferences").await;
    assert_eq!(
        browser.location().await,
        "/preferences",
        "the token leaves the address bar"
    );

    browser.tick("cities", "berlin", false).await;
    browser.tick("cities", "amsterdam", false).await;
    browser.tick("cities", "vienna", true).await;
    browser.tick("cities", "madrid", true).await;
    browser
        .click("main form[action=\"/preferences\"] button[type=submit]")
        .await;
    let notice = browser.css(".notice.ok[role=status]").await;
    assert!(notice.text().await.unwrap().starts_with("Saved"));
    assert_eq!(browser.location().await, "/preferences?saved=1");
    assert!(browser.ticked("cities", "vienna").await && !browser.ticked("cities", "berlin").await);
    assert_eq!(stored_cities(&app, &mary).await, ["madrid", "vienna"]);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsubscribe_link_asks_for_a_click_and_then_stops_the_emails() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    confirmed(&app, "alan@example.com").await;
    let welcome = last_email_linking(&app, "alan@example.com", "/unsubscribe");

    browser.open(&link_in(&app, &welcome, "/unsubscribe")).await;
    browser.heading("Unsubscribe from JobPing").await;
    let still = subscriber(&app, "alan@example.com").await.unwrap();
    assert_eq!(
        still.status,
        SubscriberStatus::Active,
        "opening the link changes nothing"
    );

    browser.click("main form button[type=submit]").await;
    browser.heading("You are unsubscribed").await;
    let after = subscriber(&app, "alan@example.com").await.unwrap();
    assert_eq!(after.status, SubscriberStatus::Unsubscribed);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_account_from_the_account_page_erases_the_subscriber() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn().await;
    let kim = confirmed(&app, "kim@example.com").await;
    let welcome = last_email_linking(&app, "kim@example.com", "/preferences");
    browser.open(&link_in(&app, &welcome, "/preferences")).await;
    browser.heading("Your preferences").await;

    browser.open(&format!("{}/account", app.address)).await;
    browser.heading("My account").await;
    browser.follow("Delete my account…").await;
    browser.heading("Delete my account").await;
    browser.click("main form button.danger[type=submit]").await;
    browser.heading("Your account is deleted").await;

    assert!(matches!(
        app.state.store.subscriber(kim.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        browser.client.get_named_cookie("jobping_session").await.is_err(),
        "the session ends with the account"
    );
    browser.close().await;
}
