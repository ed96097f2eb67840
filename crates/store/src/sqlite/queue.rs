//! The task queue and the schedules (sqlite).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{SqliteStore, begin_write, enqueue, from_us, json_from_text, opt_from_us, us};
use crate::error::DbContext;
use crate::model::LEASE_EXPIRED_ERROR;
use crate::{
    ClaimedTask, FailOutcome, NewTask, QueueStats, Result, ScheduleStatus, StoreError, Task, TaskId,
    TaskStatus,
};

impl SqliteStore {
    pub(super) async fn enqueue_impl(&self, task: &NewTask) -> Result<Option<TaskId>> {
        enqueue(&mut *self.write().await?, task).await
    }

    pub(super) async fn claim_task_impl(
        &self,
        worker: &str,
        locked_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<ClaimedTask>> {
        let lease = Uuid::new_v4();
        let mut writer = self.write().await?;
        // Usually no lease has expired and one statement does it all.
        let row = sqlx::query(CLAIM_UNLESS_EXPIRED)
            .bind(us(now))
            .bind(lease.to_string())
            .bind(worker)
            .bind(us(locked_until))
            .fetch_optional(&mut *writer)
            .await
            .db("claiming a task")?;
        let row = match row {
            Some(row) => Some(row),
            None => {
                // Nothing due, or some lease expired: requeue, then claim, in a transaction.
                let mut tx = begin_write(&mut writer).await?;
                // One round trip for the three statements; only the last returns a row.
                let row = sqlx::query(REQUEUE_AND_CLAIM)
                    .bind(us(now))
                    .bind(LEASE_EXPIRED_ERROR)
                    .bind(lease.to_string())
                    .bind(worker)
                    .bind(us(locked_until))
                    .fetch_all(&mut *tx)
                    .await
                    .db("claiming a task")?
                    .pop();
                tx.commit().await.db("committing a claim")?;
                row
            }
        };
        let Some(row) = row else { return Ok(None) };
        let read = "reading a claimed task";
        let payload: String = row.try_get("payload").db(read)?;
        Ok(Some(ClaimedTask {
            id: row.try_get("id").db(read)?,
            kind: row.try_get("kind").db(read)?,
            payload: json_from_text(&payload)?,
            schedule: row.try_get("schedule").db(read)?,
            attempt: row.try_get::<i64, _>("attempts").db(read)? as u32,
            max_attempts: row.try_get::<i64, _>("max_attempts").db(read)? as u32,
            lease,
        }))
    }

    pub(super) async fn complete_task_impl(&self, task: &ClaimedTask, now: OffsetDateTime) -> Result<()> {
        let Some(schedule) = &task.schedule else {
            // One statement is atomic on its own: no transaction (and its two round
            // trips) needed.
            let done = complete(&mut *self.write().await?, task, now).await?;
            return if done {
                Ok(())
            } else {
                Err(StoreError::lease_lost(task))
            };
        };
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        if !complete(&mut *tx, task, now).await? {
            return Err(StoreError::lease_lost(task));
        }
        sqlx::query("UPDATE schedules SET last_success_at = $2 WHERE name = $1")
            .bind(schedule)
            .bind(us(now))
            .execute(&mut *tx)
            .await
            .db("recording a schedule's success")?;
        tx.commit().await.db("committing a completed task")?;
        Ok(())
    }

    pub(super) async fn fail_task_impl(
        &self,
        task: &ClaimedTask,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<FailOutcome> {
        let error = crate::model::clip_error(error);
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let status: Option<String> = sqlx::query_scalar(FAIL_TASK)
            .bind(task.id)
            .bind(task.lease.to_string())
            .bind(&error)
            .bind(retry_at.map(us))
            .bind(us(now))
            .fetch_optional(&mut *tx)
            .await
            .db("recording a failed attempt")?;
        let Some(status) = status else {
            return Err(StoreError::lease_lost(task));
        };
        if let Some(schedule) = &task.schedule {
            record_schedule_failure(&mut tx, schedule, &error, now).await?;
        }
        tx.commit().await.db("committing a failed attempt")?;
        match (status.as_str(), retry_at) {
            ("pending", Some(at)) => Ok(FailOutcome::Retry(at)),
            _ => Ok(FailOutcome::Dead),
        }
    }

    pub(super) async fn task_impl(&self, id: TaskId) -> Result<Task> {
        let row = sqlx::query(
            "SELECT id, kind, payload, unique_key, schedule, status, attempts, max_attempts, run_at,
                    locked_until, last_error, created_at, finished_at
             FROM tasks WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *self.read().await?)
        .await
        .db("reading a task")?;
        task_from_row(&row)
    }

    pub(super) async fn queue_stats_impl(&self, now: OffsetDateTime) -> Result<QueueStats> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM tasks WHERE status IN ('pending', 'running', 'dead') GROUP BY status",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .db("counting tasks")?;
        let (due, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(run_at) FROM tasks WHERE status = 'pending' AND run_at <= $1",
        )
        .bind(us(now))
        .fetch_one(&mut *self.read().await?)
        .await
        .db("measuring the queue's wait")?;
        let oldest = opt_from_us(oldest)?;
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
        .bind(us(done_before))
        .bind(us(dead_before))
        .execute(&mut *self.write().await?)
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
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        sqlx::query("INSERT INTO schedules (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut *tx)
            .await
            .db("registering a schedule")?;
        let claimed = sqlx::query(
            "UPDATE schedules SET last_fired_at = $2 WHERE name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)",
        )
        .bind(name)
        .bind(us(fire_at))
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
        .fetch_all(&mut *self.read().await?)
        .await
        .db("listing schedules")?;
        rows.iter()
            .map(|row| {
                let read = "reading a schedule";
                Ok(ScheduleStatus {
                    name: row.try_get("name").db(read)?,
                    last_fired_at: opt_from_us(row.try_get("last_fired_at").db(read)?)?,
                    last_success_at: opt_from_us(row.try_get("last_success_at").db(read)?)?,
                    last_failure_at: opt_from_us(row.try_get("last_failure_at").db(read)?)?,
                    last_error: row.try_get("last_error").db(read)?,
                })
            })
            .collect()
    }
}

/// Claims the oldest due task, provided no running task's lease has expired (else there
/// would be tasks to requeue first, and [`REQUEUE_AND_CLAIM`] is needed). One statement:
/// atomic without a transaction.
///
/// Binds: $1 now, $2 lease, $3 worker, $4 locked_until.
const CLAIM_UNLESS_EXPIRED: &str = "UPDATE tasks SET status = 'running', attempts = attempts + 1,
        lease = $2, locked_by = $3, locked_until = $4, updated_at = $1
    WHERE id = (SELECT id FROM tasks WHERE status = 'pending' AND run_at <= $1 ORDER BY run_at, id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM tasks WHERE status = 'running' AND locked_until < $1)
    RETURNING id, kind, payload, schedule, attempts, max_attempts";

/// Claims the oldest due task, in three statements sent as one (run in a write
/// transaction): running tasks whose lease ran out go back to the queue, or die if that
/// was their last attempt, in which case the schedule that fired them notes the failure
/// first (while they can still be told apart); then the oldest due task is claimed.
///
/// Binds: $1 now, $2 the lease-expired error, $3 lease, $4 worker, $5 locked_until.
const REQUEUE_AND_CLAIM: &str = "UPDATE schedules SET last_failure_at = $1, last_error = $2
    WHERE name IN (SELECT schedule FROM tasks
        WHERE status = 'running' AND locked_until < $1 AND attempts >= max_attempts);
    UPDATE tasks SET
        status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
        finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END,
        run_at = $1, updated_at = $1, lease = NULL, locked_by = NULL, locked_until = NULL,
        last_error = $2
    WHERE status = 'running' AND locked_until < $1;
    UPDATE tasks SET status = 'running', attempts = attempts + 1, lease = $3, locked_by = $4,
        locked_until = $5, updated_at = $1
    WHERE id = (SELECT id FROM tasks WHERE status = 'pending' AND run_at <= $1 ORDER BY run_at, id LIMIT 1)
    RETURNING id, kind, payload, schedule, attempts, max_attempts";

const FAIL_TASK: &str = "UPDATE tasks SET
        status = CASE WHEN $4 IS NULL OR attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
        run_at = CASE WHEN $4 IS NULL OR attempts >= max_attempts THEN run_at ELSE $4 END,
        finished_at = CASE WHEN $4 IS NULL OR attempts >= max_attempts THEN $5 ELSE NULL END,
        last_error = $3, updated_at = $5, lease = NULL, locked_by = NULL, locked_until = NULL
    WHERE id = $1 AND lease = $2 AND status = 'running'
    RETURNING status";

/// Marks a running task done if `task`'s lease still holds it; false when it does not.
async fn complete<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    task: &ClaimedTask,
    now: OffsetDateTime,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET status = 'done', finished_at = $3, updated_at = $3,
             lease = NULL, locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND lease = $2 AND status = 'running'",
    )
    .bind(task.id)
    .bind(task.lease.to_string())
    .bind(us(now))
    .execute(executor)
    .await
    .db("completing a task")?;
    Ok(done.rows_affected() == 1)
}

async fn record_schedule_failure(
    tx: &mut sqlx::SqliteConnection,
    schedule: &str,
    error: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("UPDATE schedules SET last_failure_at = $2, last_error = $3 WHERE name = $1")
        .bind(schedule)
        .bind(us(now))
        .bind(error)
        .execute(tx)
        .await
        .db("recording a schedule's failure")?;
    Ok(())
}

fn task_from_row(row: &SqliteRow) -> Result<Task> {
    let read = "reading a task";
    let payload: String = row.try_get("payload").db(read)?;
    let status: String = row.try_get("status").db(read)?;
    Ok(Task {
        id: row.try_get("id").db(read)?,
        kind: row.try_get("kind").db(read)?,
        payload: json_from_text(&payload)?,
        unique_key: row.try_get("unique_key").db(read)?,
        schedule: row.try_get("schedule").db(read)?,
        status: TaskStatus::parse(&status)?,
        attempts: row.try_get::<i64, _>("attempts").db(read)? as u32,
        max_attempts: row.try_get::<i64, _>("max_attempts").db(read)? as u32,
        run_at: from_us(row.try_get("run_at").db(read)?)?,
        locked_until: opt_from_us(row.try_get("locked_until").db(read)?)?,
        last_error: row.try_get("last_error").db(read)?,
        created_at: from_us(row.try_get("created_at").db(read)?)?,
        finished_at: opt_from_us(row.try_get("finished_at").db(read)?)?,
    })
}

impl SqliteStore {
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
        .bind(task.lease.to_string())
        .bind(us(locked_until))
        .bind(us(now))
        .execute(&mut *self.write().await?)
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
        let released = sqlx::query(RELEASE_TASK)
            .bind(task.id)
            .bind(task.lease.to_string())
            .bind(us(now))
            .bind(crate::model::clip_error(reason))
            .execute(&mut *self.write().await?)
            .await
            .db("releasing a task")?;
        Ok(released.rows_affected() == 1)
    }
}

/// Puts a running task back in the queue, due now, without counting the attempt.
/// Binds: $1 id, $2 lease, $3 now, $4 the reason.
const RELEASE_TASK: &str = "UPDATE tasks SET status = 'pending', attempts = MAX(attempts - 1, 0),
        run_at = $3, updated_at = $3, lease = NULL, locked_by = NULL, locked_until = NULL,
        last_error = $4
    WHERE id = $1 AND lease = $2 AND status = 'running'";
