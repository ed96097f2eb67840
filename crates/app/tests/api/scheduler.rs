use jobping::scheduler::Scheduler;
use jobping::worker::{Outcome, try_execute_task};
use serde_json::Value;
use time::OffsetDateTime;

use crate::app_test;
use crate::health::with_operator_key;
use crate::helpers::{Options, TestApp};

fn every_second() -> Options {
    with_operator_key(vec![("JOBPING_SCHEDULE_HOUSEKEEPING", "* * * * * *".into())])
}

app_test!(
    two_schedulers_on_one_database_fire_each_firing_once,
    every_second,
    |app: TestApp| async move {
        // Two stores, as two processes would have.
        let first = Scheduler::new(app.db.store().await, &app.state.settings);
        let second = Scheduler::new(app.db.store().await, &app.state.settings);
        let now = OffsetDateTime::now_utc();
        let (a, b) = tokio::join!(first.tick(now), second.tick(now));
        let fired = a.unwrap().len() + b.unwrap().len();
        assert_eq!(fired, 1, "one of the two fired the housekeeping job");
        assert!(
            first.tick(now).await.unwrap().is_empty(),
            "a firing is never run twice"
        );

        let run = try_execute_task(&app.state, "test").await.unwrap().unwrap();
        assert_eq!(
            (run.task.kind.as_str(), run.outcome),
            ("housekeeping", Outcome::Done)
        );
        let ready: Value = app.get_as_operator("/ready").await.json().await.unwrap();
        let housekeeping = &ready["checks"]["schedules"]["housekeeping"];
        assert!(housekeeping["last_success_at"].is_string(), "{ready}");
        assert_eq!(housekeeping["cron"], "* * * * * *");
    }
);

fn switched_off() -> Options {
    with_operator_key(vec![("JOBPING_SCHEDULE_HOUSEKEEPING", "off".into())])
}

app_test!(
    a_disabled_schedule_never_fires,
    switched_off,
    |app: TestApp| async move {
        let scheduler = Scheduler::new(app.state.store.clone(), &app.state.settings);
        assert!(
            scheduler
                .tick(OffsetDateTime::now_utc())
                .await
                .unwrap()
                .is_empty()
        );
        let ready: Value = app.get_as_operator("/ready").await.json().await.unwrap();
        assert_eq!(ready["checks"]["schedules"]["housekeeping"]["enabled"], false);
    }
);

fn scrape_every_second() -> Options {
    Options {
        env: vec![("JOBPING_SCHEDULE_SCRAPE", "* * * * * *".into()), ("JOBPING_SCHEDULE_HOUSEKEEPING", "off".into())],
        toml: Some("[[sources]]\nkind = \"greenhouse\"\nboards = [\"alder\", \"birch\"]\n\n[[sources]]\nkind = \"remoteok\"\nenabled = false\n".into()),
        ..Options::default()
    }
}

app_test!(
    a_source_schedule_fans_out_into_one_task_per_board,
    scrape_every_second,
    |app: TestApp| async move {
        let scheduler = Scheduler::new(app.state.store.clone(), &app.state.settings);
        assert_eq!(
            scheduler.names(),
            ["scrape:greenhouse"],
            "disabled sources are not scheduled"
        );
        assert_eq!(
            scheduler.tick(OffsetDateTime::now_utc()).await.unwrap(),
            ["scrape:greenhouse"]
        );
        let fan_out = try_execute_task(&app.state, "test").await.unwrap().unwrap();
        assert_eq!(
            (fan_out.task.kind.as_str(), fan_out.outcome),
            ("scrape", Outcome::Done)
        );
        let stats = app
            .state
            .store
            .queue_stats(OffsetDateTime::now_utc())
            .await
            .unwrap();
        assert_eq!(stats.pending, 2, "one scrape_board task per board");
    }
);
