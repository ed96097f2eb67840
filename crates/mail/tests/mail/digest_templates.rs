//! The jobs email and the notices around it. The checks every email passes (self-contained
//! HTML, plain text lines, footer links) run over these too, in `templates.rs`.

use jobping_mail::EmailKind;
use jobping_mail::templates::{
    DigestEmail, DigestJob, JobLine, PaymentFailedEmail, RenderedEmail, digest, payment_failed,
    wider_preferences,
};

use crate::helpers::url;
use crate::templates::{HOSTILE, assert_url_in_both_parts, in_html, job, manage};

const PREMIUM: &str = "Want more? Premium sends 15 jobs a week.";

fn digest_job(line: JobLine, n: usize) -> DigestJob {
    DigestJob {
        line,
        thumbs_up_url: url(&format!("https://jobping.example/feedback?token=up{n}&v=1")),
        thumbs_down_url: url(&format!("https://jobping.example/feedback?token=down{n}&v=2")),
    }
}

fn digest_email(jobs: Vec<JobLine>, premium: bool) -> DigestEmail {
    let links = manage();
    DigestEmail {
        subject: format!("{} new jobs for you in Berlin", jobs.len()),
        intro: "Here are the newest jobs that fit what you told us.".into(),
        jobs: jobs
            .into_iter()
            .enumerate()
            .map(|(n, line)| digest_job(line, n))
            .collect(),
        premium_note: premium.then(|| PREMIUM.to_owned()),
        attribution: vec!["Jobs from Arbeitnow.".into()],
        manage_url: links.manage_url,
        unsubscribe_url: links.unsubscribe_url,
    }
}

/// A rendered digest, for the checks every email passes.
pub fn digest_with(jobs: Vec<JobLine>, premium: bool) -> RenderedEmail {
    digest(digest_email(jobs, premium))
}

/// A rendered payment notice, with or without a billing page.
pub fn payment_failed_with(billing: bool) -> RenderedEmail {
    payment_failed(PaymentFailedEmail {
        manage_url: manage().manage_url,
        billing_url: billing.then(|| url("https://jobping.example/billing?session=b1&x=2")),
    })
}

#[test]
fn the_digest_lists_each_job_with_why_it_fits_and_its_apply_and_feedback_links() {
    let data = digest_email(
        vec![
            job("Data Analyst Intern", "Monzo"),
            job("Graduate Consultant", "Roland Berger"),
        ],
        false,
    );
    let email = digest(data.clone());

    assert_eq!(email.kind, EmailKind::Digest);
    assert_eq!(email.subject, "2 new jobs for you in Berlin");
    for job in &data.jobs {
        assert_url_in_both_parts(&email, &job.line.apply_url);
        assert_url_in_both_parts(&email, &job.thumbs_up_url);
        assert_url_in_both_parts(&email, &job.thumbs_down_url);
        for part in [&email.text, &email.html] {
            for detail in [
                &*job.line.title,
                &job.line.company,
                &job.line.place,
                "Why it fits",
                "Graduate role; Visa sponsorship",
                "€45,000–52,000 a year",
                "Posted 2 days ago",
                "Apply",
                "Good match",
                "Not for me",
            ] {
                assert!(part.contains(detail), "lacks {detail}:\n{part}");
            }
        }
    }
    assert!(email.text.contains("👍 Good match: https://"), "{}", email.text);
    assert!(email.text.contains("👎 Not for me: https://"), "{}", email.text);
    assert!(email.text.contains(&data.intro) && email.html.contains(&data.intro));
    assert_url_in_both_parts(&email, &data.manage_url);
    assert_url_in_both_parts(&email, &data.unsubscribe_url);
    // The HTML's preview line names the first job.
    assert!(
        email.html.contains("Data Analyst Intern at Monzo, and 1 more"),
        "{}",
        email.html
    );
}

#[test]
fn unknown_salary_and_date_are_left_out() {
    let mut line = job("Junior Developer", "Acme");
    line.salary = None;
    line.posted = None;
    line.why = Vec::new();
    let email = digest(digest_email(vec![line], false));

    for part in [&email.text, &email.html] {
        assert!(!part.contains("Salary"), "{part}");
        assert!(!part.contains("Posted"), "{part}");
        assert!(!part.contains("Why it fits"), "{part}");
        assert!(part.contains("Junior Developer"), "{part}");
    }
}

#[test]
fn hostile_titles_and_companies_are_escaped_in_html_and_as_is_in_text() {
    let mut hostile = job("<b>Intern</b>\" onmouseover=\"x", HOSTILE);
    hostile.why = vec![HOSTILE.into()];
    let email = digest(DigestEmail {
        intro: "<i>intro</i>".into(),
        premium_note: Some("<a href=\"https://evil.example\">upgrade</a>".into()),
        attribution: vec!["<img src=x> Jobs".into()],
        ..digest_email(vec![hostile], false)
    });

    for raw in [
        "<script>",
        "<b>Intern",
        "onmouseover=\"x",
        "<i>intro",
        "evil.example\"",
        "<img",
    ] {
        assert!(!email.html.contains(raw), "HTML has {raw}:\n{}", email.html);
    }
    assert!(
        email
            .html
            .contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co"),
        "{}",
        email.html
    );
    for raw in [HOSTILE, "<b>Intern</b>", "<i>intro</i>", "<img src=x> Jobs"] {
        assert!(email.text.contains(raw), "text lacks {raw}:\n{}", email.text);
    }
}

#[test]
fn the_premium_note_comes_after_the_jobs_only_when_given() {
    let free = digest_with(vec![job("Data Analyst Intern", "Monzo")], true);
    let premium = digest_with(vec![job("Data Analyst Intern", "Monzo")], false);

    for part in [&free.text, &free.html] {
        let note = part.find(PREMIUM).expect("the note");
        let last_job_link = part.rfind("Not for me").unwrap();
        assert!(note > last_job_link, "the note comes after the jobs:\n{part}");
    }
    for part in [&premium.text, &premium.html] {
        assert!(!part.contains("Premium"), "{part}");
    }
}

#[test]
fn attribution_is_in_the_footer_when_given() {
    let email = digest_with(vec![job("Data Analyst Intern", "Monzo")], false);
    for part in [&email.text, &email.html] {
        let credit = part.find("Jobs from Arbeitnow.").expect("the credit");
        assert!(
            credit > part.find("Not for me").unwrap(),
            "after the jobs:\n{part}"
        );
    }

    let bare = digest(DigestEmail {
        attribution: Vec::new(),
        ..digest_email(vec![job("Data Analyst Intern", "Monzo")], false)
    });
    assert!(!bare.text.contains("Arbeitnow") && !bare.html.contains("Arbeitnow"));
}

#[test]
fn wider_preferences_suggests_more_cities_paths_and_ways_of_working() {
    let links = manage();
    let email = wider_preferences(manage());

    assert_eq!(email.kind, EmailKind::WiderPreferences);
    assert!(email.subject.contains("No new matches"), "{}", email.subject);
    assert_url_in_both_parts(&email, &links.manage_url);
    assert_url_in_both_parts(&email, &links.unsubscribe_url);
    for part in [&email.text, &email.html] {
        for idea in ["three weeks", "city", "career path", "remote or hybrid"] {
            assert!(part.contains(idea), "lacks {idea}:\n{part}");
        }
    }
}

#[test]
fn payment_failed_links_to_the_billing_page_when_there_is_one() {
    let with_billing = payment_failed_with(true);
    let billing = url("https://jobping.example/billing?session=b1&x=2");

    assert_eq!(with_billing.kind, EmailKind::PaymentFailed);
    assert_eq!(
        with_billing.subject,
        "Your JobPing Premium payment did not go through"
    );
    assert_url_in_both_parts(&with_billing, &billing);
    assert_url_in_both_parts(&with_billing, &manage().manage_url);

    let without = payment_failed_with(false);
    assert_url_in_both_parts(&without, &manage().manage_url);
    assert!(!without.html.contains(&in_html(&billing)));
    assert!(
        without.text.contains("update your payment details"),
        "{}",
        without.text
    );
}

#[test]
fn an_empty_digest_says_so_instead_of_listing_nothing() {
    let email = digest_with(Vec::new(), false);

    for part in [&email.text, &email.html] {
        assert!(part.contains("No new jobs matched"), "{part}");
        assert!(!part.contains("Apply"), "{part}");
    }
}
