use jobping_core::normalize::fingerprint;
use jobping_core::{EmploymentType, Job, JobLevel, JobLocation, RemoteScope, VisaSignal};
use jobping_store::testing::TestDb;
use jobping_store::{SourceRun, UpsertSummary, store_test};

use crate::{secs, t0};

pub fn job(source: &str, board: &str, id: &str, title: &str, company: &str, city: &str) -> Job {
    Job {
        source: source.into(),
        board: board.into(),
        external_id: id.into(),
        title: title.into(),
        company: company.into(),
        url: format!("https://{source}.example/{board}/{id}"),
        apply_url: None,
        locations: vec![JobLocation {
            city: Some(city.into()),
            country: Some("DE".into()),
            raw: city.into(),
        }],
        work_environment: None,
        remote_scope: RemoteScope::NotRemote,
        level: JobLevel::Graduate,
        min_years_experience: None,
        career_paths: vec![],
        department: None,
        visa: VisaSignal::Unknown,
        languages_required: vec![],
        description_language: Some("en".into()),
        salary: None,
        employment_type: EmploymentType::FullTime,
        posted_at: Some(t0() - secs(86_400)),
        valid_through: None,
        description_text: "Join our graduate programme.".into(),
        description_html: "<p>Join our graduate programme.</p>".into(),
        fingerprint: fingerprint(company, title, city),
    }
}

fn summary(inserted: u64, updated: u64, unchanged: u64, merged: u64) -> UpsertSummary {
    UpsertSummary {
        inserted,
        updated,
        unchanged,
        merged,
    }
}

store_test!(
    new_jobs_are_inserted_and_a_rescrape_only_marks_them_seen,
    |db: TestDb| async move {
        let store = db.store().await;
        let batch = [
            job(
                "greenhouse",
                "brightpath",
                "1",
                "Graduate Data Analyst",
                "Brightpath",
                "berlin",
            ),
            job(
                "greenhouse",
                "brightpath",
                "2",
                "Junior Backend Engineer",
                "Brightpath",
                "munich",
            ),
        ];
        assert_eq!(
            store.upsert_jobs(&batch, t0()).await.unwrap(),
            summary(2, 0, 0, 0)
        );
        assert_eq!(
            store.upsert_jobs(&batch, t0() + secs(60)).await.unwrap(),
            summary(0, 0, 2, 0)
        );
        let jobs = store.jobs(true).await.unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].job, batch[0]);
        assert_eq!(jobs[0].first_seen_at, t0());
        assert_eq!(jobs[0].last_seen_at, t0() + secs(60));
        assert_eq!(jobs[0].urls, ["https://greenhouse.example/brightpath/1"]);
    }
);

store_test!(
    concurrent_batches_holding_the_same_jobs_in_opposite_orders_both_land,
    |db: TestDb| async move {
        // Two boards scraped at once list the same 150 jobs, one in the reverse order
        // of the other: on PostgreSQL the two inserts take the fingerprint index's
        // locks in opposite orders, and the batch the server aborts must run again.
        let store = db.store().await;
        for round in 0..4 {
            let titles: Vec<String> = (0..300)
                .map(|i| format!("Graduate Analyst {round}-{i}"))
                .collect();
            let on_board: Vec<Job> = titles
                .iter()
                .enumerate()
                .map(|(i, title)| {
                    job(
                        "greenhouse",
                        "kestrel",
                        &format!("{round}-{i}"),
                        title,
                        "Kestrel",
                        "berlin",
                    )
                })
                .collect();
            let on_page: Vec<Job> = titles
                .iter()
                .enumerate()
                .rev()
                .map(|(i, title)| {
                    job(
                        "jsonld",
                        "kestrel.example",
                        &format!("p{round}-{i}"),
                        title,
                        "Kestrel",
                        "berlin",
                    )
                })
                .collect();
            let (first, second) = tokio::join!(
                tokio::spawn({
                    let store = store.clone();
                    async move { store.upsert_jobs(&on_board, t0()).await }
                }),
                tokio::spawn({
                    let store = store.clone();
                    async move { store.upsert_jobs(&on_page, t0()).await }
                })
            );
            let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
            assert_eq!(first.inserted + second.inserted, 300, "each job counted new once");
            assert_eq!(first.merged + second.merged, 300);
        }
        let jobs = store.jobs(true).await.unwrap();
        assert_eq!(jobs.len(), 4 * 300, "each job once");
        assert!(jobs.iter().all(|j| j.urls.len() == 2), "each job keeps both URLs");
    }
);

store_test!(
    a_batch_larger_than_one_statement_is_written_whole,
    |db: TestDb| async move {
        // More rows than one statement carries on SQLite (500) or than a page holds.
        let store = db.store().await;
        let mut batch: Vec<Job> = (0..1_234)
            .map(|i| {
                job(
                    "greenhouse",
                    "heron",
                    &i.to_string(),
                    &format!("Trainee {i}"),
                    "Heron",
                    "vienna",
                )
            })
            .collect();
        assert_eq!(
            store.upsert_jobs(&batch, t0()).await.unwrap(),
            summary(1_234, 0, 0, 0)
        );
        for posting in &mut batch {
            posting.description_text = format!("{} Now paid.", posting.title);
        }
        assert_eq!(
            store.upsert_jobs(&batch, t0() + secs(60)).await.unwrap(),
            summary(0, 1_234, 0, 0)
        );
        let jobs = store.jobs(true).await.unwrap();
        assert_eq!(jobs.len(), 1_234);
        for (stored, posting) in jobs.iter().zip(&batch) {
            assert_eq!(&stored.job, posting);
            assert_eq!(stored.first_seen_at, t0());
            assert_eq!(stored.last_seen_at, t0() + secs(60));
        }
    }
);

store_test!(a_changed_posting_updates_its_job, |db: TestDb| async move {
    let store = db.store().await;
    let mut posting = job(
        "lever",
        "nordwind",
        "a1",
        "Marketing Intern",
        "Nordwind",
        "hamburg",
    );
    store
        .upsert_jobs(std::slice::from_ref(&posting), t0())
        .await
        .unwrap();
    posting.description_text = "Now with a salary.".into();
    assert_eq!(
        store
            .upsert_jobs(std::slice::from_ref(&posting), t0() + secs(5))
            .await
            .unwrap(),
        summary(0, 1, 0, 0)
    );
    let jobs = store.jobs(false).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].job.description_text, "Now with a salary.");
});

store_test!(
    the_same_job_on_two_sources_is_one_job_with_both_urls,
    |db: TestDb| async move {
        let store = db.store().await;
        let on_board = job(
            "greenhouse",
            "kestrel",
            "77",
            "Graduate Analyst",
            "Kestrel Labs GmbH",
            "berlin",
        );
        let on_page = job(
            "jsonld",
            "https://kestrel.example/careers",
            "p77",
            "Graduate Analyst (m/w/d)",
            "Kestrel Labs",
            "berlin",
        );
        assert_eq!(
            on_board.fingerprint, on_page.fingerprint,
            "normalization makes the two one job"
        );
        store.upsert_jobs(&[on_board], t0()).await.unwrap();
        assert_eq!(
            store.upsert_jobs(&[on_page], t0() + secs(1)).await.unwrap(),
            summary(0, 0, 0, 1)
        );
        let jobs = store.jobs(true).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].urls.len(), 2);
    }
);

store_test!(near_misses_are_not_merged, |db: TestDb| async move {
    let store = db.store().await;
    let batch = [
        job(
            "greenhouse",
            "kestrel",
            "1",
            "Data Analyst",
            "Kestrel Labs",
            "berlin",
        ),
        job(
            "lever",
            "kestrel",
            "2",
            "Senior Data Analyst",
            "Kestrel Labs",
            "berlin",
        ),
        job("ashby", "kestrel", "3", "Data Analyst", "Kestrel Labs", "munich"),
        job(
            "workable",
            "other",
            "4",
            "Data Analyst",
            "Kestrel Logistics",
            "berlin",
        ),
    ];
    assert_eq!(
        store.upsert_jobs(&batch, t0()).await.unwrap(),
        summary(4, 0, 0, 0)
    );
    assert_eq!(store.jobs(true).await.unwrap().len(), 4);
});

store_test!(
    stale_and_expired_jobs_go_inactive_and_come_back_when_seen_again,
    |db: TestDb| async move {
        let store = db.store().await;
        let fresh = job("greenhouse", "a", "fresh", "Graduate Engineer", "Alder", "berlin");
        let stale = job("greenhouse", "a", "stale", "Graduate Designer", "Alder", "berlin");
        let mut expired = job(
            "greenhouse",
            "a",
            "expired",
            "Graduate Marketer",
            "Alder",
            "berlin",
        );
        let now = t0() + secs(5 * 86_400);
        expired.valid_through = Some(now - secs(10));
        store
            .upsert_jobs(std::slice::from_ref(&stale), t0())
            .await
            .unwrap();
        store
            .upsert_jobs(&[fresh, expired], now - secs(60))
            .await
            .unwrap();
        assert_eq!(
            store
                .deactivate_stale_jobs(now - secs(3 * 86_400), now)
                .await
                .unwrap(),
            2
        );
        let active: Vec<String> = store
            .jobs(true)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.job.external_id)
            .collect();
        assert_eq!(active, ["fresh"]);
        assert_eq!(store.jobs(false).await.unwrap().len(), 3);
        assert_eq!(
            store.upsert_jobs(&[stale], now).await.unwrap(),
            summary(0, 1, 0, 0),
            "a returning job is updated"
        );
        assert_eq!(store.jobs(true).await.unwrap().len(), 2);
    }
);

store_test!(
    a_posting_past_its_valid_through_date_stays_inactive_however_often_a_board_lists_it,
    |db: TestDb| async move {
        let store = db.store().await;
        let mut lingering = job("greenhouse", "a", "late", "Graduate Marketer", "Alder", "berlin");
        lingering.valid_through = Some(t0() + secs(10));
        store
            .upsert_jobs(std::slice::from_ref(&lingering), t0())
            .await
            .unwrap();
        let now = t0() + secs(86_400);
        assert_eq!(
            store
                .deactivate_stale_jobs(now - secs(3 * 86_400), now)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .upsert_scraped_jobs(std::slice::from_ref(&lingering), &["h1".to_owned()], now)
                .await
                .unwrap(),
            summary(0, 0, 1, 0),
            "the board still lists it, but it has closed: seen, not revived"
        );
        assert!(store.jobs(true).await.unwrap().is_empty());
        // Read again, it would stay closed: an unchanged copy need not be read at all.
        let hash = vec![("late".to_owned(), "h1".to_owned())];
        assert_eq!(
            store
                .seen_unchanged("greenhouse", "a", &hash, now + secs(60))
                .await
                .unwrap(),
            ["late"]
        );
        assert!(store.jobs(true).await.unwrap().is_empty());

        let mut closed = job("lever", "b", "closed", "Junior Analyst", "Birch", "berlin");
        closed.valid_through = Some(now - secs(60));
        assert_eq!(
            store.upsert_jobs(&[closed], now).await.unwrap(),
            summary(1, 0, 0, 0)
        );
        assert!(
            store.jobs(true).await.unwrap().is_empty(),
            "a posting found already closed is kept, inactive"
        );
        assert_eq!(store.jobs(false).await.unwrap().len(), 2);

        lingering.valid_through = Some(now + secs(30 * 86_400));
        assert_eq!(
            store.upsert_jobs(&[lingering], now).await.unwrap(),
            summary(0, 1, 0, 0),
            "a board that extends the date brings it back"
        );
        assert_eq!(store.jobs(true).await.unwrap().len(), 1);
    }
);

store_test!(
    a_not_modified_board_keeps_its_jobs_fresh,
    |db: TestDb| async move {
        let store = db.store().await;
        store
            .upsert_jobs(
                &[job(
                    "personio",
                    "fjord",
                    "9",
                    "Working Student Finance",
                    "Fjord",
                    "hamburg",
                )],
                t0(),
            )
            .await
            .unwrap();
        let later = t0() + secs(10 * 86_400);
        assert_eq!(
            store.touch_source_jobs("personio", "fjord", later).await.unwrap(),
            1
        );
        assert_eq!(
            store
                .deactivate_stale_jobs(later - secs(86_400), later)
                .await
                .unwrap(),
            0
        );
        assert_eq!(store.jobs(true).await.unwrap()[0].last_seen_at, later);
    }
);

/// Postings as `seen_unchanged` takes them: (external id, posting hash).
fn hashes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(id, hash)| ((*id).into(), (*hash).into()))
        .collect()
}

store_test!(
    an_unchanged_posting_is_only_marked_seen_and_a_changed_or_inactive_one_is_not,
    |db: TestDb| async move {
        let store = db.store().await;
        let jobs = [
            job("recruitee", "fjord", "1", "Junior Analyst", "Fjord", "berlin"),
            job("recruitee", "fjord", "2", "Graduate Engineer", "Fjord", "hamburg"),
            job("recruitee", "fjord", "3", "Intern Designer", "Fjord", "munich"),
        ];
        store.upsert_jobs(&jobs, t0()).await.unwrap();
        // Nothing recorded yet: nothing is known to be unchanged.
        let later = t0() + secs(3_600);
        let none = store
            .seen_unchanged("recruitee", "fjord", &hashes(&[("1", "aa"), ("2", "bb")]), later)
            .await
            .unwrap();
        assert!(none.is_empty(), "{none:?}");
        let recorded = ["aa", "bb", "cc"].map(str::to_owned);
        assert_eq!(
            store.upsert_scraped_jobs(&jobs, &recorded, t0()).await.unwrap(),
            summary(0, 0, 3, 0)
        );
        // Posting 3's job goes inactive: it must be read again to come back.
        assert_eq!(
            store.deactivate_stale_jobs(t0(), t0() + secs(1)).await.unwrap(),
            0
        );
        store.upsert_jobs(&jobs[..2], t0() + secs(60)).await.unwrap();
        assert_eq!(
            store
                .deactivate_stale_jobs(t0() + secs(30), t0() + secs(120))
                .await
                .unwrap(),
            1
        );

        let mut seen = store
            .seen_unchanged(
                "recruitee",
                "fjord",
                // 1 unchanged, 2 changed, 3 unchanged but inactive, 4 never stored; and
                // the same id on another board is another posting.
                &hashes(&[("1", "aa"), ("2", "b2"), ("3", "cc"), ("4", "dd")]),
                later,
            )
            .await
            .unwrap();
        seen.sort();
        assert_eq!(seen, vec!["1".to_owned()]);
        assert!(
            store
                .seen_unchanged("recruitee", "other", &hashes(&[("1", "aa")]), later)
                .await
                .unwrap()
                .is_empty()
        );
        let stored = store.jobs(false).await.unwrap();
        let by_title = |title: &str| stored.iter().find(|j| j.job.title == title).unwrap();
        assert_eq!(by_title("Junior Analyst").last_seen_at, later);
        assert_eq!(by_title("Graduate Engineer").last_seen_at, t0() + secs(60));
        assert!(!by_title("Intern Designer").active);
    }
);

store_test!(
    a_scraped_batch_stores_each_postings_hash_with_its_own_link,
    |db: TestDb| async move {
        let store = db.store().await;
        let board = job(
            "greenhouse",
            "kestrel",
            "1",
            "Graduate Analyst",
            "Kestrel",
            "berlin",
        );
        let site = "https://kestrel.example/careers";
        let mirror = job("jsonld", site, "k-1", "Graduate Analyst", "Kestrel", "berlin");
        // A new job and its copy on the company's site, in one batch: one job, two links,
        // each with the hash of what its own source sent.
        assert_eq!(
            store
                .upsert_scraped_jobs(&[board.clone(), mirror], &["g1".into(), "j1".into()], t0())
                .await
                .unwrap(),
            summary(1, 0, 0, 1)
        );
        let later = t0() + secs(60);
        let seen = |source: &'static str, board: &'static str, id: &str, hash: &str| {
            let store = store.clone();
            let postings = hashes(&[(id, hash)]);
            async move {
                store
                    .seen_unchanged(source, board, &postings, later)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(seen("greenhouse", "kestrel", "1", "g1").await, ["1"]);
        assert_eq!(seen("jsonld", site, "k-1", "j1").await, ["k-1"]);
        assert!(seen("jsonld", site, "k-1", "g1").await.is_empty());

        // The board edits the posting: the new hash replaces the old.
        let mut edited = board.clone();
        edited.description_text = "Join our graduate programme in Berlin.".into();
        assert_eq!(
            store
                .upsert_scraped_jobs(std::slice::from_ref(&edited), &["g2".into()], later)
                .await
                .unwrap(),
            summary(0, 1, 0, 0)
        );
        assert!(seen("greenhouse", "kestrel", "1", "g1").await.is_empty());
        assert_eq!(seen("greenhouse", "kestrel", "1", "g2").await, ["1"]);

        // Hashes that do not pair with the jobs are refused, and nothing is written.
        let err = store
            .upsert_scraped_jobs(&[board, edited], &["g3".into()], later)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("1 posting hashes for 2 jobs"), "{err}");
        assert_eq!(seen("greenhouse", "kestrel", "1", "g2").await, ["1"]);
        assert_eq!(store.jobs(false).await.unwrap().len(), 1);
    }
);

store_test!(
    two_workers_upserting_the_same_new_job_at_once_store_it_once,
    |db: TestDb| async move {
        let (a, b) = (db.store().await, db.store().await);
        for round in 0..5 {
            let title = format!("Graduate Analyst {round}");
            let left = [job(
                "greenhouse",
                "kestrel",
                &format!("g{round}"),
                &title,
                "Kestrel",
                "berlin",
            )];
            let right = [job(
                "jsonld",
                "https://kestrel.example",
                &format!("j{round}"),
                &title,
                "Kestrel",
                "berlin",
            )];
            let (x, y) = tokio::join!(a.upsert_jobs(&left, t0()), b.upsert_jobs(&right, t0()));
            let total = x.unwrap().inserted + y.unwrap().inserted;
            assert!(total >= 1, "round {round}");
        }
        let jobs = a.jobs(true).await.unwrap();
        assert_eq!(jobs.len(), 5, "one job per title");
        assert!(jobs.iter().all(|j| j.urls.len() == 2), "each keeps both links");
    }
);

fn run(status: &str, at: time::OffsetDateTime, error: Option<&str>, etag: Option<&str>) -> SourceRun {
    SourceRun {
        name: "greenhouse:kestrel".into(),
        kind: "greenhouse".into(),
        started_at: at,
        finished_at: at + secs(2),
        status: status.into(),
        fetched: 12,
        inserted: 3,
        updated: 1,
        skipped: 2,
        error: error.map(str::to_owned),
        etag: etag.map(str::to_owned),
        last_modified: None,
    }
}

store_test!(
    source_runs_keep_the_last_success_and_validators_through_failures,
    |db: TestDb| async move {
        let store = db.store().await;
        assert!(store.source_state("greenhouse:kestrel").await.unwrap().is_none());
        store
            .record_source_run(&run("ok", t0(), None, Some("\"v1\"")))
            .await
            .unwrap();
        store
            .record_source_run(&run(
                "failed",
                t0() + secs(3_600),
                Some("board answered 503"),
                None,
            ))
            .await
            .unwrap();
        let state = store.source_state("greenhouse:kestrel").await.unwrap().unwrap();
        assert_eq!(state.last_success_at, Some(t0() + secs(2)));
        assert_eq!(state.last_polled_at, Some(t0() + secs(3_602)));
        assert_eq!(state.last_error.as_deref(), Some("board answered 503"));
        assert_eq!(
            state.etag.as_deref(),
            Some("\"v1\""),
            "a failed run keeps the last good validators"
        );
        store
            .upsert_jobs(
                &[job(
                    "greenhouse",
                    "kestrel",
                    "1",
                    "Graduate Analyst",
                    "Kestrel",
                    "berlin",
                )],
                t0(),
            )
            .await
            .unwrap();
        let statuses = store.source_statuses().await.unwrap();
        assert_eq!(statuses.len(), 1);
        assert_eq!(statuses[0].active_jobs, 1);
        let last = statuses[0].last_run.as_ref().unwrap();
        assert_eq!(
            (last.status.as_str(), last.fetched, last.skipped),
            ("failed", 12, 2)
        );
    }
);

store_test!(
    rescraping_a_job_found_on_two_sources_changes_nothing,
    |db: TestDb| async move {
        let store = db.store().await;
        let on_board = job(
            "greenhouse",
            "kestrel",
            "77",
            "Graduate Analyst",
            "Kestrel Labs",
            "berlin",
        );
        let mut on_page = job(
            "jsonld",
            "https://kestrel.example/careers",
            "p77",
            "Graduate Analyst",
            "Kestrel Labs",
            "berlin",
        );
        on_page.description_text = "The career page words it differently.".into();
        store
            .upsert_jobs(&[on_board.clone(), on_page.clone()], t0())
            .await
            .unwrap();
        for round in 1..=3 {
            let again = store
                .upsert_jobs(&[on_page.clone(), on_board.clone()], t0() + secs(round))
                .await
                .unwrap();
            assert_eq!(again, summary(0, 0, 2, 0), "round {round}");
        }
        let jobs = store.jobs(true).await.unwrap();
        assert_eq!(
            jobs[0].job.source, "greenhouse",
            "the first source's content is kept"
        );
        assert_eq!(jobs[0].last_seen_at, t0() + secs(3));
    }
);

/// A SQLite database holding one job, and its store, open, for the SQLite-only tests.
async fn sqlite_with_one_job() -> (TestDb, std::sync::Arc<dyn jobping_store::Store>) {
    let db = TestDb::sqlite();
    let intern = job(
        "greenhouse",
        "fictional-labs",
        "1",
        "Data Intern",
        "Fictional Labs",
        "Berlin",
    );
    let store = db.store().await;
    store.upsert_jobs(&[intern], t0()).await.expect("upserting a job");
    (db, store)
}

/// SQLite only: a new database gets 16 KiB pages, set before it turned to WAL (after
/// which its page size cannot change), so that a 7-8 kB job row fits in one page rather
/// than a chain of overflow pages.
#[tokio::test]
async fn a_new_sqlite_database_has_pages_a_job_row_fits_in() {
    let (db, _store) = sqlite_with_one_job().await;
    assert_eq!(db.count("PRAGMA page_size").await, 16 * 1024);
}

/// SQLite only: what is written reaches the database file itself within seconds, though
/// the log is far below the writer's own checkpoint threshold: a checkpointer beside the
/// writer copies it.
#[tokio::test]
async fn sqlite_copies_its_log_into_the_database_beside_the_writer() {
    use sqlx::Connection;
    // The store stays open: closing its last connection would checkpoint by itself.
    let (db, _store) = sqlite_with_one_job().await;
    let file = db.url.trim_start_matches("sqlite://").to_owned();
    let copy = format!("{file}.copy");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        // The database file alone, without its log: only what has been checkpointed.
        std::fs::copy(&file, &copy).expect("copying the database file");
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{copy}"))
            .await
            .expect("opening the copy");
        let jobs: Option<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(&mut conn)
            .await
            .ok();
        let _ = conn.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{copy}{suffix}"));
        }
        if jobs == Some(1) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the job is still only in the log after 10 s (the file holds {jobs:?})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
