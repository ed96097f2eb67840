//! Jobs and sources on SQLite. A batch travels as one JSON parameter read with
//! `json_each`, so a thousand postings cost a handful of statements, not thousands.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use jobping_core::Job;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Row};
use time::OffsetDateTime;

use super::{SqliteStore, begin_write, from_us, opt_from_us, us};
use crate::error::DbContext;
use crate::jobs::{JobRow, KnownLink, LinkKey, Target, check_hashes, plan};
use crate::{Result, SourceRun, SourceState, SourceStatus, StoredJob, UpsertSummary};

/// The columns a job row binds, in order, as `column1`… of a `VALUES` list: an
/// optional id first, then these, then `now`.
const JOB_VALUES: usize = 11;

/// Rows per statement. SQLite allows 32,766 parameters in one; a batch's rows go as
/// bound values, where a JSON batch had its kilobytes of job data escaped, parsed and
/// unescaped again on the way in.
const ROWS_PER_STATEMENT: usize = 500;

/// `(?, ?, …), (?, ?, …)…`: `rows` rows of `columns` parameters.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// Binds one job row: its id when given, the [`JOB_VALUES`] columns, then `now`.
fn bind_row(
    args: &mut SqliteArguments,
    row: &JobRow<'_>,
    id: Option<i64>,
    now: OffsetDateTime,
) -> std::result::Result<(), sqlx::error::BoxDynError> {
    let job = row.job;
    if let Some(id) = id {
        args.add(id)?;
    }
    args.add(job.fingerprint.as_str())?;
    args.add(job.title.as_str())?;
    args.add(job.company.as_str())?;
    args.add(job.url.as_str())?;
    args.add(job.level.as_str())?;
    args.add(i64::from(row.early_career))?;
    args.add(row.data.as_str())?;
    args.add(row.data_hash.as_str())?;
    args.add(job.posted_at.map(us))?;
    args.add(job.valid_through.map(us))?;
    args.add(i64::from(!row.expired))?;
    args.add(us(now))?;
    Ok(())
}

/// Arguments for a chunk of rows (with ids for updates).
fn row_arguments(rows: &[(&JobRow<'_>, Option<i64>)], now: OffsetDateTime) -> Result<SqliteArguments> {
    let mut args = SqliteArguments::default();
    for (row, id) in rows {
        bind_row(&mut args, row, *id, now)
            .map_err(|err| anyhow::anyhow!(err).context("encoding a batch of jobs"))?;
    }
    Ok(args)
}

impl SqliteStore {
    pub(super) async fn upsert_jobs_impl(
        &self,
        jobs: &[Job],
        posting_hashes: Option<&[String]>,
        now: OffsetDateTime,
    ) -> Result<UpsertSummary> {
        check_hashes(jobs, posting_hashes)?;
        if jobs.is_empty() {
            return Ok(UpsertSummary::default());
        }
        let rows: Vec<JobRow<'_>> = jobs.iter().map(|job| JobRow::new(job, now)).collect();
        let keys: Vec<Value> = jobs
            .iter()
            .map(|j| json!([j.source, j.board, j.external_id]))
            .collect();
        let fingerprints: Vec<&str> = jobs.iter().map(|j| j.fingerprint.as_str()).collect();

        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let known: HashMap<LinkKey, KnownLink> = sqlx::query(
            "SELECT s.source, s.board, s.external_id, s.job_id, j.fingerprint, j.data_hash, j.active,
                    (j.data ->> '$.source' = s.source AND j.data ->> '$.board' = s.board
                     AND j.data ->> '$.external_id' = s.external_id) AS is_primary
             FROM json_each($1) AS k
             JOIN job_sources s ON s.source = k.value ->> 0 AND s.board = k.value ->> 1
                               AND s.external_id = k.value ->> 2
             JOIN jobs j ON j.id = s.job_id",
        )
        .bind(Value::Array(keys).to_string())
        .fetch_all(&mut *tx)
        .await
        .db("looking up known postings")?
        .iter()
        .map(|r| {
            let key = (r.get("source"), r.get("board"), r.get("external_id"));
            let link = KnownLink {
                job_id: r.get("job_id"),
                fingerprint: r.get("fingerprint"),
                data_hash: r.get("data_hash"),
                active: r.get("active"),
                primary: r.get("is_primary"),
            };
            (key, link)
        })
        .collect();
        let active: HashMap<String, i64> = sqlx::query_as(
            "SELECT fingerprint, id FROM jobs WHERE active AND fingerprint IN (SELECT value FROM json_each($1))",
        )
        .bind(json!(fingerprints).to_string())
        .fetch_all(&mut *tx)
        .await
        .db("looking up active fingerprints")?
        .into_iter()
        .collect();

        let plan = plan(&rows, &known, &active);
        let mut inserted_ids: HashMap<String, i64> = HashMap::new();
        if !plan.inserts.is_empty() {
            let rows: Vec<(&JobRow<'_>, Option<i64>)> =
                plan.inserts.iter().map(|&i| (&rows[i], None)).collect();
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let sql = format!(
                    "INSERT INTO jobs (fingerprint, title, company, url, level, early_career, data, data_hash,
                                       posted_at, valid_through, active, first_seen_at, last_seen_at, updated_at)
                     SELECT column1, column2, column3, column4, column5, column6, column7, column8,
                            column9, column10, column11, column12, column12, column12
                     FROM (VALUES {}) WHERE true
                     ON CONFLICT (fingerprint) WHERE active DO UPDATE SET last_seen_at = excluded.last_seen_at
                     RETURNING id, fingerprint",
                    placeholders(chunk.len(), JOB_VALUES + 1)
                );
                let returned: Vec<(i64, String)> =
                    sqlx::query_as_with(sqlx::AssertSqlSafe(sql), row_arguments(chunk, now)?)
                        .fetch_all(&mut *tx)
                        .await
                        .db("inserting new jobs")?;
                inserted_ids.extend(returned.into_iter().map(|(id, fingerprint)| (fingerprint, id)));
            }
        }
        if !plan.updates.is_empty() {
            let rows: Vec<(&JobRow<'_>, Option<i64>)> =
                plan.updates.iter().map(|&(id, i)| (&rows[i], Some(id))).collect();
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let sql = format!(
                    "UPDATE jobs SET fingerprint = u.column2, title = u.column3, company = u.column4,
                         url = u.column5, level = u.column6, early_career = u.column7, data = u.column8,
                         data_hash = u.column9, posted_at = u.column10, valid_through = u.column11,
                         active = u.column12, last_seen_at = u.column13, updated_at = u.column13
                     FROM (VALUES {}) AS u WHERE jobs.id = u.column1",
                    placeholders(chunk.len(), JOB_VALUES + 2)
                );
                sqlx::query_with(sqlx::AssertSqlSafe(sql), row_arguments(chunk, now)?)
                    .execute(&mut *tx)
                    .await
                    .db("updating changed jobs")?;
            }
        }
        if !plan.touches.is_empty() {
            sqlx::query("UPDATE jobs SET last_seen_at = $2 WHERE id IN (SELECT value FROM json_each($1))")
                .bind(json!(plan.touches).to_string())
                .bind(us(now))
                .execute(&mut *tx)
                .await
                .db("marking jobs as seen")?;
        }
        let links: Vec<Value> = plan
            .links
            .iter()
            .map(|(i, target)| {
                let job = rows[*i].job;
                let job_id = match target {
                    Target::Existing(id) => Some(*id),
                    Target::Inserted(fingerprint) => inserted_ids.get(fingerprint).copied(),
                };
                json!([
                    job.source,
                    job.board,
                    job.external_id,
                    job_id,
                    job.url,
                    posting_hashes.map(|h| &h[*i])
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO job_sources (source, board, external_id, job_id, url, raw_hash, first_seen_at, last_seen_at)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, $2, $2
             FROM json_each($1) WHERE true
             ON CONFLICT (source, board, external_id) DO UPDATE SET
                 job_id = excluded.job_id, url = excluded.url, last_seen_at = excluded.last_seen_at,
                 raw_hash = coalesce(excluded.raw_hash, job_sources.raw_hash)",
        )
        .bind(Value::Array(links).to_string())
        .bind(us(now))
        .execute(&mut *tx)
        .await
        .db("linking postings to jobs")?;
        tx.commit().await.db("committing a batch of jobs")?;
        Ok(plan.summary)
    }

    pub(super) async fn touch_source_jobs_impl(
        &self,
        source: &str,
        board: &str,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        let touched =
            sqlx::query("UPDATE job_sources SET last_seen_at = $3 WHERE source = $1 AND board = $2")
                .bind(source)
                .bind(board)
                .bind(us(now))
                .execute(&mut *tx)
                .await
                .db("marking a board's postings as seen")?
                .rows_affected();
        sqlx::query(
            "UPDATE jobs SET last_seen_at = $3
             WHERE active AND id IN (SELECT job_id FROM job_sources WHERE source = $1 AND board = $2)",
        )
        .bind(source)
        .bind(board)
        .bind(us(now))
        .execute(&mut *tx)
        .await
        .db("marking a board's jobs as seen")?;
        tx.commit().await.db("committing seen jobs")?;
        Ok(touched)
    }

    pub(super) async fn seen_unchanged_impl(
        &self,
        source: &str,
        board: &str,
        postings: &[(String, String)],
        now: OffsetDateTime,
    ) -> Result<Vec<String>> {
        if postings.is_empty() {
            return Ok(Vec::new());
        }
        // The ids go in through IN, which SQLite turns into a look-up on the primary key;
        // a join on json_each can make it scan every link of the board for each id. The
        // look-up runs on a reader, so that a board seen for the first time does not
        // queue behind other boards' writes for nothing.
        let ids: Vec<&str> = postings.iter().map(|(id, _)| id.as_str()).collect();
        let hashes: HashMap<&str, &str> = postings
            .iter()
            .map(|(id, hash)| (id.as_str(), hash.as_str()))
            .collect();
        let candidates: Vec<(String, i64)> = {
            let mut reader = self.read().await?;
            sqlx::query_as::<_, (String, i64, String)>(
                "SELECT s.external_id, s.job_id, s.raw_hash
                 FROM job_sources s JOIN jobs j ON j.id = s.job_id AND (j.active OR j.valid_through < $4)
                 WHERE s.source = $1 AND s.board = $2 AND s.raw_hash IS NOT NULL
                   AND s.external_id IN (SELECT value FROM json_each($3))",
            )
            .bind(source)
            .bind(board)
            .bind(json!(ids).to_string())
            .bind(us(now))
            .fetch_all(&mut *reader)
            .await
            .db("looking up unchanged postings")?
            .into_iter()
            .filter(|(id, _, hash)| hashes.get(id.as_str()) == Some(&hash.as_str()))
            .map(|(id, job, _)| (id, job))
            .collect()
        };
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        // Only jobs still active once the write lock is held count, or closed for good
        // (past their valid-through date, which reading the same posting again cannot
        // change): one deactivated as stale in between must be read again to come back.
        let jobs: Vec<i64> = candidates.iter().map(|(_, job)| *job).collect();
        let still_active: HashSet<i64> = sqlx::query_scalar(
            "UPDATE jobs SET last_seen_at = $2
             WHERE (active OR valid_through < $2) AND id IN (SELECT value FROM json_each($1))
             RETURNING id",
        )
        .bind(json!(jobs).to_string())
        .bind(us(now))
        .fetch_all(&mut *tx)
        .await
        .db("marking unchanged jobs as seen")?
        .into_iter()
        .collect();
        let seen: Vec<String> = candidates
            .into_iter()
            .filter(|(_, job)| still_active.contains(job))
            .map(|(id, _)| id)
            .collect();
        sqlx::query(
            "UPDATE job_sources SET last_seen_at = $4
             WHERE source = $1 AND board = $2 AND external_id IN (SELECT value FROM json_each($3))",
        )
        .bind(source)
        .bind(board)
        .bind(json!(seen).to_string())
        .bind(us(now))
        .execute(&mut *tx)
        .await
        .db("marking unchanged postings as seen")?;
        tx.commit().await.db("committing unchanged postings")?;
        Ok(seen)
    }

    pub(super) async fn deactivate_stale_jobs_impl(
        &self,
        not_seen_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let mut writer = self.write().await?;
        let result = sqlx::query(
            "UPDATE jobs SET active = 0, updated_at = $2
             WHERE active AND (last_seen_at < $1 OR (valid_through IS NOT NULL AND valid_through < $2))",
        )
        .bind(us(not_seen_since))
        .bind(us(now))
        .execute(&mut *writer)
        .await
        .db("deactivating stale jobs")?;
        Ok(result.rows_affected())
    }

    pub(super) async fn jobs_impl(&self, active_only: bool) -> Result<Vec<StoredJob>> {
        let mut reader = self.read().await?;
        let rows = sqlx::query(
            "SELECT j.id, j.data, j.first_seen_at, j.last_seen_at, j.active,
                    (SELECT json_group_array(url) FROM (SELECT url FROM job_sources s
                        WHERE s.job_id = j.id ORDER BY first_seen_at, source)) AS urls
             FROM jobs j WHERE j.active OR NOT $1 ORDER BY j.id",
        )
        .bind(active_only)
        .fetch_all(&mut *reader)
        .await
        .db("listing jobs")?;
        rows.iter()
            .map(|row| {
                let read = "reading a job";
                let data: String = row.try_get("data").db(read)?;
                let urls: String = row.try_get("urls").db(read)?;
                Ok(StoredJob {
                    id: row.try_get("id").db(read)?,
                    job: serde_json::from_str(&data).context("a stored job does not parse")?,
                    first_seen_at: from_us(row.try_get("first_seen_at").db(read)?)?,
                    last_seen_at: from_us(row.try_get("last_seen_at").db(read)?)?,
                    active: row.try_get("active").db(read)?,
                    urls: serde_json::from_str(&urls).context("a job's URLs do not parse")?,
                })
            })
            .collect()
    }

    pub(super) async fn source_state_impl(&self, name: &str) -> Result<Option<SourceState>> {
        let mut reader = self.read().await?;
        let row = sqlx::query(
            "SELECT name, kind, last_polled_at, last_success_at, last_error, etag, last_modified
             FROM sources WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut *reader)
        .await
        .db("reading a source")?;
        row.as_ref().map(source_state).transpose()
    }

    pub(super) async fn record_source_run_impl(&self, run: &SourceRun) -> Result<()> {
        let ok = matches!(run.status.as_str(), "ok" | "not_modified");
        let mut writer = self.write().await?;
        let mut tx = begin_write(&mut writer).await?;
        sqlx::query(
            "INSERT INTO sources (name, kind, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind",
        )
        .bind(&run.name)
        .bind(&run.kind)
        .bind(us(run.started_at))
        .execute(&mut *tx)
        .await
        .db("registering a source")?;
        sqlx::query(
            "UPDATE sources SET last_polled_at = $2,
                 last_success_at = CASE WHEN $3 THEN $2 ELSE last_success_at END,
                 last_error = $4,
                 etag = CASE WHEN $3 THEN $5 ELSE etag END,
                 last_modified = CASE WHEN $3 THEN $6 ELSE last_modified END
             WHERE name = $1",
        )
        .bind(&run.name)
        .bind(us(run.finished_at))
        .bind(ok)
        .bind(&run.error)
        .bind(&run.etag)
        .bind(&run.last_modified)
        .execute(&mut *tx)
        .await
        .db("updating a source")?;
        sqlx::query(
            "INSERT INTO source_runs (source, started_at, finished_at, status, fetched, inserted, updated, skipped, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&run.name)
        .bind(us(run.started_at))
        .bind(us(run.finished_at))
        .bind(&run.status)
        .bind(run.fetched as i64)
        .bind(run.inserted as i64)
        .bind(run.updated as i64)
        .bind(run.skipped as i64)
        .bind(&run.error)
        .execute(&mut *tx)
        .await
        .db("recording a source run")?;
        tx.commit().await.db("committing a source run")?;
        Ok(())
    }

    pub(super) async fn source_statuses_impl(&self) -> Result<Vec<SourceStatus>> {
        let mut reader = self.read().await?;
        let rows = sqlx::query(
            "SELECT s.name, s.kind, s.last_polled_at, s.last_success_at, s.last_error, s.etag, s.last_modified,
                    r.started_at, r.finished_at, r.status, r.fetched, r.inserted, r.updated, r.skipped,
                    r.error AS run_error,
                    (SELECT COUNT(DISTINCT js.job_id) FROM job_sources js JOIN jobs j ON j.id = js.job_id
                     WHERE j.active AND (js.source || CASE WHEN js.board = '' THEN '' ELSE ':' || js.board END) = s.name)
                        AS active_jobs
             FROM sources s
             LEFT JOIN source_runs r ON r.id = (SELECT id FROM source_runs WHERE source = s.name
                                               ORDER BY started_at DESC, id DESC LIMIT 1)
             ORDER BY s.name",
        )
        .fetch_all(&mut *reader)
        .await
        .db("listing sources")?;
        rows.iter()
            .map(|row| {
                let read = "reading a source status";
                let state = source_state(row)?;
                let last_run = match row.try_get::<Option<String>, _>("status").db(read)? {
                    None => None,
                    Some(status) => Some(SourceRun {
                        name: state.name.clone(),
                        kind: state.kind.clone(),
                        started_at: from_us(row.try_get("started_at").db(read)?)?,
                        finished_at: opt_from_us(row.try_get("finished_at").db(read)?)?
                            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                        status,
                        fetched: row.try_get::<i64, _>("fetched").db(read)? as u64,
                        inserted: row.try_get::<i64, _>("inserted").db(read)? as u64,
                        updated: row.try_get::<i64, _>("updated").db(read)? as u64,
                        skipped: row.try_get::<i64, _>("skipped").db(read)? as u64,
                        error: row.try_get("run_error").db(read)?,
                        etag: None,
                        last_modified: None,
                    }),
                };
                Ok(SourceStatus {
                    state,
                    last_run,
                    active_jobs: row.try_get::<i64, _>("active_jobs").db(read)? as u64,
                })
            })
            .collect()
    }
}

fn source_state(row: &sqlx::sqlite::SqliteRow) -> Result<SourceState> {
    let read = "reading a source";
    Ok(SourceState {
        name: row.try_get("name").db(read)?,
        kind: row.try_get("kind").db(read)?,
        last_polled_at: opt_from_us(row.try_get("last_polled_at").db(read)?)?,
        last_success_at: opt_from_us(row.try_get("last_success_at").db(read)?)?,
        last_error: row.try_get("last_error").db(read)?,
        etag: row.try_get("etag").db(read)?,
        last_modified: row.try_get("last_modified").db(read)?,
    })
}
