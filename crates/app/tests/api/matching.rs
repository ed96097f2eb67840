//! `jobping match`: ranking stored jobs for a preferences file or a subscriber.

use jobping::commands::matches::{self, Target};
use jobping_core::normalize::normalize;
use jobping_core::{EmailAddress, RawPosting, Taxonomy};
use serde_json::json;
use time::OffsetDateTime;

use crate::app_test;
use crate::helpers::TestApp;

fn posting(id: &str, title: &str, company: &str, location: &str, description: &str) -> RawPosting {
    RawPosting {
        source: "greenhouse".into(),
        board: "test".into(),
        external_id: id.into(),
        title: title.into(),
        company: company.into(),
        url: format!("https://boards.example/{id}"),
        locations: vec![location.into()],
        description_text: Some(description.into()),
        posted_at: Some(OffsetDateTime::now_utc() - time::Duration::days(2)),
        ..RawPosting::default()
    }
}

async fn store_jobs(app: &TestApp) {
    let now = OffsetDateTime::now_utc();
    let raw = [
        posting(
            "1",
            "Graduate Data Analyst",
            "Brightpath",
            "Berlin, Germany",
            "Join our graduate programme. SQL and Python. We offer visa sponsorship. English-speaking team.",
        ),
        posting(
            "2",
            "Senior Data Engineer",
            "Brightpath",
            "Berlin, Germany",
            "At least 6 years of experience with Spark. English-speaking team.",
        ),
        posting(
            "3",
            "Junior Data Analyst",
            "Nordwind",
            "Hamburg, Germany",
            "Fluent German required. Entry-level role for graduates, SQL.",
        ),
        posting(
            "4",
            "Data Analyst Intern",
            "Fjordpay",
            "London, UK",
            "A six-month internship in analytics with SQL.",
        ),
    ];
    let jobs: Vec<_> = raw
        .iter()
        .map(|r| normalize(r, Taxonomy::embedded(), now).unwrap())
        .collect();
    app.state.store.upsert_jobs(&jobs, now).await.unwrap();
    app.state.job_index.invalidate().await;
}

fn preferences() -> serde_json::Value {
    json!({
        "cities": ["berlin", "london"],
        "career_paths": ["data"],
        "roles": ["Data Analyst"],
        "entry_levels": ["graduate", "entry"],
        "experience": "none",
        "work_environments": ["office", "hybrid", "remote"],
        "visa": "sponsorship",
        "languages": ["en"],
        "skills": ["sql", "python"]
    })
}

app_test!(
    a_preferences_file_gets_only_jobs_that_pass_every_hard_filter,
    |app: TestApp| async move {
        store_jobs(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("prefs.json");
        std::fs::write(&file, preferences().to_string()).unwrap();
        let found = matches::run(&app.state, &Target::PreferencesFile(file), Some(5), true)
            .await
            .unwrap();
        let titles: Vec<String> = {
            let jobs = app.state.store.jobs(true).await.unwrap();
            found
                .iter()
                .map(|m| jobs.iter().find(|j| j.id == m.job_id).unwrap().job.title.clone())
                .collect()
        };
        assert_eq!(
            titles.first().map(String::as_str),
            Some("Graduate Data Analyst"),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.starts_with("Senior")),
            "too senior: {titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.contains("Junior Data Analyst")),
            "Hamburg, and German required: {titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.contains("Intern")),
            "internships were not asked for: {titles:?}"
        );
        assert!(
            found[0].reasons.iter().any(|r| r.contains("Berlin")),
            "{:?}",
            found[0].reasons
        );
    }
);

app_test!(
    a_subscribers_stored_preferences_are_used_by_address,
    |app: TestApp| async move {
        store_jobs(&app).await;
        let email = EmailAddress::parse("lea@example.com").unwrap();
        let subscriber = app
            .state
            .store
            .insert_subscriber(&email, OffsetDateTime::now_utc())
            .await
            .unwrap();
        app.state
            .store
            .save_preferences(subscriber.id, &preferences(), "fp", OffsetDateTime::now_utc())
            .await
            .unwrap();
        let found = matches::run(&app.state, &Target::Email("LEA@example.com".into()), None, false)
            .await
            .unwrap();
        assert!(!found.is_empty());
        let err = matches::run(
            &app.state,
            &Target::Email("nobody@example.com".into()),
            None,
            false,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("no subscriber"), "{err}");
    }
);

#[tokio::test]
async fn an_invalid_preferences_file_names_every_bad_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prefs.json");
    std::fs::write(
        &file,
        json!({"cities": ["atlantis"], "career_paths": ["data"], "visa": "maybe"}).to_string(),
    )
    .unwrap();
    let err = matches::preferences_from_file(&file).unwrap_err().to_string();
    for field in ["cities[0]", "visa", "experience", "languages"] {
        assert!(err.contains(field), "{field} missing from {err}");
    }
}
