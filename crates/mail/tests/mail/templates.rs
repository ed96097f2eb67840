use jobping_mail::EmailKind;
use jobping_mail::templates::{
    self, JobLine, ManageEmail, RenderedEmail, VerifyEmail, WelcomeEmail, account_deleted,
    already_subscribed, manage_link, preferences_changed, verify, welcome,
};
use url::Url;

use crate::digest_templates;
use crate::helpers::url;

pub const HOSTILE: &str = "<script>alert(1)</script> & Co";

pub fn manage() -> ManageEmail {
    ManageEmail {
        manage_url: url("https://jobping.example/preferences?token=m4n&sig=1"),
        unsubscribe_url: url("https://jobping.example/unsubscribe?token=un5&sig=2"),
    }
}

pub fn job(title: &str, company: &str) -> JobLine {
    JobLine {
        title: title.into(),
        company: company.into(),
        place: "Remote (EU)".into(),
        why: vec!["Graduate role".into(), "Visa sponsorship".into()],
        salary: Some("€45,000–52,000 a year".into()),
        posted: Some("2 days ago".into()),
        apply_url: url(&format!(
            "https://jobping.example/go/{}?src=email&n=1",
            title.len()
        )),
    }
}

fn welcome_with(jobs: Vec<JobLine>) -> RenderedEmail {
    let manage = manage();
    welcome(WelcomeEmail {
        manage_url: manage.manage_url,
        unsubscribe_url: manage.unsubscribe_url,
        tier_note: Some("You are on the free plan: 5 jobs a week.".into()),
        jobs,
        next_digest: "Monday 24 November".into(),
    })
}

/// A URL as it appears inside HTML: `&` escaped.
pub fn in_html(url: &Url) -> String {
    url.as_str().replace('&', "&#38;")
}

pub fn assert_url_in_both_parts(email: &RenderedEmail, url: &Url) {
    assert!(
        email.text.contains(url.as_str()),
        "{:?} text lacks {url}:\n{}",
        email.kind,
        email.text
    );
    assert!(
        email.html.contains(&in_html(url)),
        "{:?} HTML lacks {url}:\n{}",
        email.kind,
        email.html
    );
}

fn every_email() -> Vec<RenderedEmail> {
    vec![
        verify(VerifyEmail {
            verify_url: url("https://jobping.example/verify?token=v&sig=3"),
            expires_in_hours: 24,
        }),
        already_subscribed(manage()),
        manage_link(manage()),
        welcome_with(vec![job("Data Analyst Intern", "Monzo")]),
        welcome_with(Vec::new()),
        preferences_changed(manage()),
        account_deleted(),
        digest_templates::digest_with(vec![job("Data Analyst Intern", "Monzo")], true),
        digest_templates::digest_with(Vec::new(), false),
        templates::wider_preferences(manage()),
        digest_templates::payment_failed_with(true),
        digest_templates::payment_failed_with(false),
    ]
}

#[test]
fn verify_carries_its_link_says_it_works_once_expires_and_can_be_ignored() {
    let verify_url = url("https://jobping.example/verify?token=abc&sig=def");
    let email = verify(VerifyEmail {
        verify_url: verify_url.clone(),
        expires_in_hours: 24,
    });

    assert_eq!(email.kind, EmailKind::Verify);
    assert_eq!(email.subject, "Confirm your JobPing subscription");
    assert_url_in_both_parts(&email, &verify_url);
    for part in [&email.text, &email.html] {
        assert!(part.contains("works once"), "{part}");
        assert!(part.contains("expires in 24 hours"), "{part}");
        assert!(
            part.contains("If you did not sign up, ignore this email; nothing will be sent."),
            "{part}"
        );
    }
}

#[test]
fn a_one_hour_link_is_not_called_hours() {
    let email = verify(VerifyEmail {
        verify_url: url("https://jobping.example/v"),
        expires_in_hours: 1,
    });

    assert!(email.text.contains("expires in 1 hour."), "{}", email.text);
    assert!(email.html.contains("expires in 1 hour."), "{}", email.html);
}

#[test]
fn manage_emails_carry_the_manage_and_unsubscribe_links_in_both_parts() {
    let links = manage();
    for email in [
        already_subscribed(manage()),
        manage_link(manage()),
        preferences_changed(manage()),
    ] {
        assert_url_in_both_parts(&email, &links.manage_url);
        assert_url_in_both_parts(&email, &links.unsubscribe_url);
    }
}

#[test]
fn each_manage_email_says_what_happened() {
    let already = already_subscribed(manage());
    assert_eq!(already.kind, EmailKind::AlreadySubscribed);
    assert!(already.text.contains("maybe you"), "{}", already.text);

    let link = manage_link(manage());
    assert_eq!(
        (link.kind, link.subject.as_str()),
        (EmailKind::ManageLink, "Your link to manage JobPing")
    );

    let changed = preferences_changed(manage());
    assert_eq!(changed.kind, EmailKind::PreferencesChanged);
    assert!(changed.html.contains("If it was not you"), "{}", changed.html);
}

#[test]
fn welcome_lists_each_job_with_its_details_and_links() {
    let jobs = vec![
        job("Data Analyst Intern", "Monzo"),
        job("Graduate Consultant", "Roland Berger"),
    ];
    let email = welcome_with(jobs.clone());

    assert_eq!(email.kind, EmailKind::Welcome);
    assert_eq!(email.subject, "Welcome to JobPing: your first 2 matches");
    for job in &jobs {
        assert_url_in_both_parts(&email, &job.apply_url);
        for part in [&email.text, &email.html] {
            for detail in [
                &*job.title,
                &job.company,
                &job.place,
                "€45,000–52,000 a year",
                "2 days ago",
            ] {
                assert!(part.contains(detail), "lacks {detail}:\n{part}");
            }
            assert!(part.contains("Visa sponsorship"), "{part}");
        }
    }
    assert_url_in_both_parts(&email, &manage().manage_url);
    assert_url_in_both_parts(&email, &manage().unsubscribe_url);
    assert!(email.text.contains("free plan") && email.html.contains("free plan"));
    assert!(email.text.contains("Monday 24 November") && email.html.contains("Monday 24 November"));
    assert!(!email.text.contains("no matches"), "{}", email.text);
}

#[test]
fn welcome_with_no_jobs_yet_says_so_kindly() {
    let email = welcome_with(Vec::new());

    assert_eq!(email.subject, "Welcome to JobPing");
    for part in [&email.text, &email.html] {
        assert!(part.contains("We have no matches for you yet"), "{part}");
        assert!(!part.contains("Your first matches"), "{part}");
        assert!(part.contains("Monday 24 November"), "{part}");
    }
}

#[test]
fn third_party_text_is_escaped_in_html_and_left_as_is_in_text() {
    let mut hostile = job("<b>Intern</b>", HOSTILE);
    hostile.why = vec![HOSTILE.into()];
    hostile.place = "\"Berlin\" onmouseover='x'".into();
    let email = welcome_with(vec![hostile]);

    assert!(!email.html.contains("<script>"), "{}", email.html);
    assert!(!email.html.contains("<b>Intern"), "{}", email.html);
    assert!(!email.html.contains("onmouseover='x'"), "{}", email.html);
    assert!(
        email
            .html
            .contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co"),
        "{}",
        email.html
    );
    assert!(email.text.contains(HOSTILE), "{}", email.text);
    assert!(email.text.contains("<b>Intern</b>"), "{}", email.text);
}

#[test]
fn account_deleted_says_the_data_is_erased_and_nothing_more_will_come() {
    let email = account_deleted();

    assert_eq!(email.kind, EmailKind::AccountDeleted);
    for part in [&email.text, &email.html] {
        assert!(part.contains("erased"), "{part}");
        assert!(part.contains("nothing more will be sent"), "{part}");
    }
}

#[test]
fn only_emails_with_links_to_manage_have_the_footer_links() {
    for email in every_email() {
        let has_footer = !matches!(
            email.kind,
            EmailKind::Verify | EmailKind::AccountDeleted | EmailKind::PaymentFailed
        );
        for part in [&email.text, &email.html] {
            assert_eq!(
                part.contains("Unsubscribe"),
                has_footer,
                "{:?}:\n{part}",
                email.kind
            );
        }
    }
}

#[test]
fn html_is_self_contained_english_and_phone_sized() {
    for email in every_email() {
        let html = &email.html;
        assert!(html.starts_with("<!DOCTYPE html>"), "{:?}", email.kind);
        assert!(html.contains(r#"<html lang="en">"#), "{:?}", email.kind);
        assert!(html.contains("max-width:600px"), "{:?}", email.kind);
        assert!(html.contains(r#"name="viewport""#), "{:?}", email.kind);
        for forbidden in ["<img", "<script", "<link", "<style", " src=", "url(", "@import"] {
            assert!(!html.contains(forbidden), "{:?} has {forbidden}", email.kind);
        }
        // Every absolute URL in the HTML is a link the app passed in.
        for (at, _) in html.match_indices("http") {
            let rest = &html[at..];
            assert!(
                rest.starts_with("https://jobping.example/"),
                "{:?} links elsewhere: {}",
                email.kind,
                &rest[..40.min(rest.len())]
            );
        }
    }
}

#[test]
fn text_parts_are_plain_readable_lines() {
    for email in every_email() {
        assert!(
            !email.text.contains('<') || email.text.contains("<script>"),
            "{:?}",
            email.kind
        );
        assert!(
            !email.text.contains("&#"),
            "{:?} text is escaped:\n{}",
            email.kind,
            email.text
        );
        assert!(!email.text.starts_with(char::is_whitespace), "{:?}", email.kind);
        assert!(
            email.text.ends_with(".\n"),
            "{:?} ends with one line break",
            email.kind
        );
        assert!(
            !email.text.contains("\n\n\n"),
            "{:?} has stray blank lines:\n{}",
            email.kind,
            email.text
        );
        for line in email.text.lines().filter(|l| !l.contains("http")) {
            assert!(line.chars().count() <= 78, "{:?} long line: {line}", email.kind);
        }
    }
}

#[test]
fn a_rendered_email_becomes_an_outgoing_email_of_its_kind() {
    let to = jobping_core::EmailAddress::parse("ada@example.com").unwrap();
    let id = uuid::Uuid::now_v7();

    let outgoing = templates::manage_link(manage()).into_outgoing(id, to.clone(), None);

    assert_eq!(
        (outgoing.id, outgoing.kind, &outgoing.to),
        (id, EmailKind::ManageLink, &to)
    );
    assert_eq!(outgoing.subject, "Your link to manage JobPing");
}
