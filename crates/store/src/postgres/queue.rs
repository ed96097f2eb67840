//! The task queue and the schedules (postgres).

use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{PgStore, enqueue};
use crate::error::DbContext;
use crate::model::LEASE_EXPIRED_ERROR;
use crate::{
    ClaimedTask, FailOutcome, NewTask, QueueStats, Result, ScheduleStatus, StoreError, Task, TaskId,
    TaskStatus,
};

impl PgStore {
    pub(super) async fn enqueue_impl(&self, task: &NewTask) -> Result<Option<TaskId>> {
        enqueue(&self.pool, task).await
    }

    pub(super) async fn claim_task_impl(
        &self,
        worker: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedTask>> {
        let lease = Uuid::new_v4();
        let row = sqlx::query(CLAIM)
            .bind(now)
            .bind(lease)
            .bind(worker)
            .bind(locked_until)
            .bind(LEASE_EXPIRED_ERROR)
            .fetch_optional(&self.lease_pool)
            .await
            .db("claiming a task")?;
        let Some(row) = row else { return Ok(None) };
        let read = "reading a claimed task";
        Ok(Some(ClaimedTask {
            id: row.try_get("id").db(read)?,
            kind: row.try_get("kind").db(read)?,
            payload: row.try_get("payload").db(read)?,
            schedule: row.try_get("schedule").db(read)?,
            attempt: row.try_get::<i32, _>("attempts").db(read)? as u32,
            max_attempts: row.try_get::<i32, _>("max_attempts").db(read)? as u32,
            lease,
        }))
    }

    pub(super) async fn complete_task_impl(&self, task: &ClaimedTask, now: OffsetDateTime) -> Result<()> {
        let done: i64 = sqlx::query_scalar(
            "WITH done AS (
                 UPDATE tasks SET status = 'done', finished_at = $3, updated_at = $3,
                     lease = NULL, locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND lease = $2 AND status = 'running'
                 RETURNING schedule
             ), success AS (
                 UPDATE schedules SET last_success_at = $3 WHERE name IN (SELECT schedule FROM done)
             )
             SELECT COUNT(*) FROM done",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(now)
        .fetch_one(&self.lease_pool)
        .await
        .db("completing a task")?;
        if done == 0 {
            return Err(StoreError::lease_lost(task));
        }
        Ok(())
    }

    pub(super) async fn fail_task_impl(
        &self,
        task: &ClaimedTask,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<FailOutcome> {
        let status: Option<String> = sqlx::query_scalar(
            "WITH failed AS (
                 UPDATE tasks SET
                     status = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN 'dead' ELSE 'pending' END,
                     run_at = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN run_at ELSE $4 END,
                     finished_at = CASE WHEN $4::timestamptz IS NULL OR attempts >= max_attempts
                         THEN $5 ELSE NULL END,
                     last_error = $3, updated_at = $5, lease = NULL, locked_by = NULL, locked_until = NULL
                 WHERE id = $1 AND lease = $2 AND status = 'running'
                 RETURNING status, schedule
             ), failure AS (
                 UPDATE schedules SET last_failure_at = $5, last_error = $3
                 WHERE name IN (SELECT schedule FROM failed)
             )
             SELECT status FROM failed",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(crate::model::clip_error(error))
        .bind(retry_at)
        .bind(now)
        .fetch_optional(&self.lease_pool)
        .await
        .db("recording a failed attempt")?;
        match status.as_deref() {
            None => Err(StoreError::lease_lost(task)),
            Some("pending") => Ok(retry_at.map_or(FailOutcome::Dead, FailOutcome::Retry)),
            Some(_) => Ok(FailOutcome::Dead),
        }
    }

    pub(super) async fn task_impl(&self, id: TaskId) -> Result<Task> {
        let row = sqlx::query(
            "SELECT id, kind, payload, unique_key, schedule, status, attempts, max_attempts, run_at,
                    locked_until, last_error, created_at, finished_at
             FROM tasks WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .db("reading a task")?;
        task_from_row(&row)
    }

    pub(super) async fn queue_stats_impl(&self, now: OffsetDateTime) -> Result<QueueStats> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM tasks WHERE status IN ('pending', 'running', 'dead') GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await
        .db("counting tasks")?;
        let (due, oldest): (i64, Option<OffsetDateTime>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(run_at) FROM tasks WHERE status = 'pending' AND run_at <= $1",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .db("measuring the queue's wait")?;
        Ok(crate::model::queue_stats(&counts, due, oldest, now))
    }

    pub(super) async fn purge_finished_tasks_impl(
        &self,
        done_before: OffsetDateTime,
        dead_before: OffsetDateTime,
    ) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM tasks WHERE (status = 'done' AND finished_at < $1) OR (status = 'dead' AND finished_at < $2)",
        )
        .bind(done_before)
        .bind(dead_before)
        .execute(&self.pool)
        .await
        .db("purging finished tasks")?;
        Ok(result.rows_affected())
    }

    pub(super) async fn fire_schedule_impl(
        &self,
        name: &str,
        fire_at: OffsetDateTime,
        task: &NewTask,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.db("beginning a schedule's firing")?;
        sqlx::query("INSERT INTO schedules (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut *tx)
            .await
            .db("registering a schedule")?;
        // Under READ COMMITTED a second process blocks on this row, then re-checks the
        // condition against the first one's committed firing and updates nothing.
        let claimed = sqlx::query(
            "UPDATE schedules SET last_fired_at = $2 WHERE name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)",
        )
        .bind(name)
        .bind(fire_at)
        .execute(&mut *tx)
        .await
        .db("claiming a schedule's firing")?
        .rows_affected()
            == 1;
        if claimed {
            enqueue(&mut *tx, task).await?;
        }
        tx.commit().await.db("committing a schedule's firing")?;
        Ok(claimed)
    }

    pub(super) async fn schedules_impl(&self) -> Result<Vec<ScheduleStatus>> {
        let rows = sqlx::query(
            "SELECT name, last_fired_at, last_success_at, last_failure_at, last_error FROM schedules ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .db("listing schedules")?;
        rows.iter()
            .map(|row| {
                let read = "reading a schedule";
                Ok(ScheduleStatus {
                    name: row.try_get("name").db(read)?,
                    last_fired_at: row.try_get("last_fired_at").db(read)?,
                    last_success_at: row.try_get("last_success_at").db(read)?,
                    last_failure_at: row.try_get("last_failure_at").db(read)?,
                    last_error: row.try_get("last_error").db(read)?,
                })
            })
            .collect()
    }
}

/// Claims the oldest due task, in one statement (one round trip) that also deals with
/// expired leases first: running tasks whose lease ran out go back to the queue, or die if
/// that was their last attempt (and the schedule that fired them notes the failure).
///
/// It does what requeueing and then claiming would, in two statements: a requeued task is
/// due at `now`, so the claim takes the oldest of the oldest pending task and the requeued
/// ones; a requeued task claimed at once is updated once, by `claimed`, and keeps what the
/// requeue would have left on it (`run_at`, `last_error`). Rows another process holds are
/// skipped, not waited for.
///
/// Binds: $1 now, $2 lease, $3 worker, $4 locked_until, $5 the lease-expired error.
const CLAIM: &str = "WITH expired AS (
        SELECT id, attempts >= max_attempts AS exhausted FROM tasks
        WHERE status = 'running' AND locked_until < $1
        FOR UPDATE SKIP LOCKED
    ), due AS (
        SELECT id, run_at FROM tasks
        WHERE status = 'pending' AND run_at <= $1
        ORDER BY run_at, id LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), pick AS MATERIALIZED (
        SELECT id FROM (
            SELECT id, run_at FROM due
            UNION ALL
            SELECT id, $1::timestamptz FROM expired WHERE NOT exhausted
        ) candidates
        ORDER BY run_at, id LIMIT 1
    ), requeued AS (
        UPDATE tasks SET
            status = CASE WHEN expired.exhausted THEN 'dead' ELSE 'pending' END,
            finished_at = CASE WHEN expired.exhausted THEN $1 ELSE NULL END,
            run_at = $1, updated_at = $1, lease = NULL, locked_by = NULL, locked_until = NULL,
            last_error = $5
        FROM expired
        WHERE tasks.id = expired.id AND tasks.id NOT IN (SELECT id FROM pick)
        RETURNING tasks.schedule, tasks.status
    ), failure AS (
        UPDATE schedules SET last_failure_at = $1, last_error = $5
        WHERE name IN (SELECT schedule FROM requeued WHERE status = 'dead')
    ), claimed AS (
        UPDATE tasks SET status = 'running', attempts = attempts + 1, lease = $2, locked_by = $3,
            locked_until = $4, updated_at = $1,
            run_at = CASE WHEN status = 'running' THEN $1 ELSE run_at END,
            last_error = CASE WHEN status = 'running' THEN $5 ELSE last_error END
        WHERE id IN (SELECT id FROM pick)
        RETURNING id, kind, payload, schedule, attempts, max_attempts
    )
    SELECT id, kind, payload, schedule, attempts, max_attempts FROM claimed";

fn task_from_row(row: &PgRow) -> Result<Task> {
    let read = "reading a task";
    let status: String = row.try_get("status").db(read)?;
    Ok(Task {
        id: row.try_get("id").db(read)?,
        kind: row.try_get("kind").db(read)?,
        payload: row.try_get("payload").db(read)?,
        unique_key: row.try_get("unique_key").db(read)?,
        schedule: row.try_get("schedule").db(read)?,
        status: TaskStatus::parse(&status)?,
        attempts: row.try_get::<i32, _>("attempts").db(read)? as u32,
        max_attempts: row.try_get::<i32, _>("max_attempts").db(read)? as u32,
        run_at: row.try_get("run_at").db(read)?,
        locked_until: row.try_get("locked_until").db(read)?,
        last_error: row.try_get("last_error").db(read)?,
        created_at: row.try_get("created_at").db(read)?,
        finished_at: row.try_get("finished_at").db(read)?,
    })
}

impl PgStore {
    pub(super) async fn renew_task_lease_impl(
        &self,
        task: &ClaimedTask,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let renewed = sqlx::query(
            "UPDATE tasks SET locked_until = $3, updated_at = $4
             WHERE id = $1 AND lease = $2 AND status = 'running'",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(locked_until)
        .bind(now)
        .execute(&self.lease_pool)
        .await
        .db("renewing a task's lease")?;
        Ok(renewed.rows_affected() == 1)
    }

    pub(super) async fn release_task_impl(
        &self,
        task: &ClaimedTask,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let released = sqlx::query(
            "UPDATE tasks SET status = 'pending', attempts = GREATEST(attempts - 1, 0),
                 run_at = $3, updated_at = $3, lease = NULL, locked_by = NULL, locked_until = NULL,
                 last_error = $4
             WHERE id = $1 AND lease = $2 AND status = 'running'",
        )
        .bind(task.id)
        .bind(task.lease)
        .bind(now)
        .bind(crate::model::clip_error(reason))
        .execute(&self.lease_pool)
        .await
        .db("releasing a task")?;
        Ok(released.rows_affected() == 1)
    }
}
