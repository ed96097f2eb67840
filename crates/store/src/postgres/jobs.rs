//! Jobs and sources on PostgreSQL. A batch of jobs travels as one array per column
//! (`UNNEST`), and keys and links as JSONB unpacked with `jsonb_to_recordset`, so a
//! thousand postings cost a handful of statements. The insert resolves races with a
//! concurrent worker through the active-fingerprint unique index.

use std::collections::{HashMap, HashSet};

use jobping_core::Job;
use serde_json::{Value, json};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Row};
use time::OffsetDateTime;

use super::{PgStore, UPSERT_ATTEMPTS};
use crate::error::DbContext;
use crate::jobs::{JobRow, KnownLink, LinkKey, Target, check_hashes, plan};
use crate::{Result, SourceRun, SourceState, SourceStatus, StoredJob, UpsertSummary};

/// A batch of job rows as one array per column, for `UNNEST`: the rows reach the
/// server as bound values, where a JSON batch had to be parsed as a whole and then the
/// kilobytes of each job's data parsed again.
#[derive(Default)]
struct JobColumns<'a> {
    ids: Vec<i64>,
    fingerprints: Vec<&'a str>,
    titles: Vec<&'a str>,
    companies: Vec<&'a str>,
    urls: Vec<&'a str>,
    levels: Vec<&'a str>,
    early_careers: Vec<bool>,
    data: Vec<&'a str>,
    data_hashes: Vec<&'a str>,
    posted_ats: Vec<Option<OffsetDateTime>>,
    valid_throughs: Vec<Option<OffsetDateTime>>,
    actives: Vec<bool>,
}

impl<'a> JobColumns<'a> {
    fn push(&mut self, row: &'a JobRow<'a>, id: Option<i64>) {
        let job = row.job;
        self.ids.extend(id);
        self.fingerprints.push(&job.fingerprint);
        self.titles.push(&job.title);
        self.companies.push(&job.company);
        self.urls.push(&job.url);
        self.levels.push(job.level.as_str());
        self.early_careers.push(row.early_career);
        self.data.push(&row.data);
        self.data_hashes.push(&row.data_hash);
        self.posted_ats.push(job.posted_at);
        self.valid_throughs.push(job.valid_through);
        self.actives.push(!row.expired);
    }

    /// `now` as `$1`, the columns as `$2`…`$12`, and the ids as `$13` if any.
    fn arguments(&self, now: OffsetDateTime) -> Result<PgArguments> {
        let mut args = PgArguments::default();
        let added = (|| {
            args.add(now)?;
            args.add(&self.fingerprints)?;
            args.add(&self.titles)?;
            args.add(&self.companies)?;
            args.add(&self.urls)?;
            args.add(&self.levels)?;
            args.add(&self.early_careers)?;
            args.add(&self.data)?;
            args.add(&self.data_hashes)?;
            args.add(&self.posted_ats)?;
            args.add(&self.valid_throughs)?;
            args.add(&self.actives)?;
            if !self.ids.is_empty() {
                args.add(&self.ids)?;
            }
            Ok::<_, sqlx::error::BoxDynError>(())
        })();
        added.map_err(|err| anyhow::anyhow!(err).context("encoding a batch of jobs"))?;
        Ok(args)
    }
}

/// The unnested columns of [`JobColumns::arguments`].
const UNNEST: &str = "UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[],
        $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::boolean[]";
const UNNESTED: &str = "fingerprint, title, company, url, level, early_career, data, data_hash, posted_at,
        valid_through, active";

/// Lets the transaction commit without waiting for the disk: for writes the next
/// scrape would make again anyway.
async fn commit_without_waiting(tx: &mut sqlx::PgConnection, context: &'static str) -> Result<()> {
    sqlx::query("SET LOCAL synchronous_commit TO OFF")
        .execute(tx)
        .await
        .db(context)?;
    Ok(())
}

impl PgStore {
    /// Upserts a batch, running it again when it met a concurrent one.
    ///
    /// Boards are scraped several at once, and two batches holding the same jobs in
    /// different orders (one job found on two boards) can deadlock on the unique
    /// fingerprint index or the rows. PostgreSQL then aborts one of them; it runs again
    /// from the start, which reads what the other has committed.
    pub(super) async fn upsert_jobs_again_after_deadlocks(
        &self,
        jobs: &[Job],
        posting_hashes: Option<&[String]>,
        now: OffsetDateTime,
    ) -> Result<UpsertSummary> {
        check_hashes(jobs, posting_hashes)?;
        let mut attempt = 1;
        loop {
            match self.upsert_jobs_impl(jobs, posting_hashes, now).await {
                Err(err) if err.is_transient() && attempt < UPSERT_ATTEMPTS => {
                    tracing::info!(
                        attempt,
                        "a batch of jobs met a concurrent one; upserting it again"
                    );
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn upsert_jobs_impl(
        &self,
        jobs: &[Job],
        posting_hashes: Option<&[String]>,
        now: OffsetDateTime,
    ) -> Result<UpsertSummary> {
        if jobs.is_empty() {
            return Ok(UpsertSummary::default());
        }
        let rows: Vec<JobRow<'_>> = jobs.iter().map(|job| JobRow::new(job, now)).collect();
        let keys: Vec<Value> = jobs
            .iter()
            .map(|j| json!({"source": j.source, "board": j.board, "external_id": j.external_id}))
            .collect();
        let fingerprints: Vec<&str> = jobs.iter().map(|j| j.fingerprint.as_str()).collect();

        let mut tx = self.pool.begin().await.db("beginning a batch of jobs")?;
        // A crash can lose only the last moments of asynchronous commits, and those are
        // postings the board still lists: the next scrape reads them again. Nothing later
        // depends on them having landed: the WAL is one sequence, so the run's own
        // record, committed after, flushes the batches before it.
        commit_without_waiting(&mut tx, "relaxing the commit of a batch of jobs").await?;
        let known: HashMap<LinkKey, KnownLink> = sqlx::query(
            "SELECT s.source, s.board, s.external_id, s.job_id, j.fingerprint, j.data_hash, j.active,
                    (j.data ->> 'source' = s.source AND j.data ->> 'board' = s.board
                     AND j.data ->> 'external_id' = s.external_id) AS is_primary
             FROM jsonb_to_recordset($1::jsonb) AS k(source text, board text, external_id text)
             JOIN job_sources s USING (source, board, external_id)
             JOIN jobs j ON j.id = s.job_id",
        )
        .bind(Value::Array(keys))
        .fetch_all(&mut *tx)
        .await
        .db("looking up known postings")?
        .iter()
        .map(|r: &PgRow| {
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
        let active: HashMap<String, i64> =
            sqlx::query_as("SELECT fingerprint, id FROM jobs WHERE active AND fingerprint = ANY($1)")
                .bind(&fingerprints)
                .fetch_all(&mut *tx)
                .await
                .db("looking up active fingerprints")?
                .into_iter()
                .collect();

        let mut plan = plan(&rows, &known, &active);
        let mut inserted_ids: HashMap<String, i64> = HashMap::new();
        if !plan.inserts.is_empty() {
            let mut columns = JobColumns::default();
            for &i in &plan.inserts {
                columns.push(&rows[i], None);
            }
            let sql = format!(
                "INSERT INTO jobs (fingerprint, title, company, url, level, early_career, data, data_hash,
                                   posted_at, valid_through, active, first_seen_at, last_seen_at, updated_at)
                 SELECT fingerprint, title, company, url, level, early_career, data::jsonb, data_hash,
                        posted_at, valid_through, active, $1, $1, $1
                 FROM {UNNEST}) AS u({UNNESTED})
                 ON CONFLICT (fingerprint) WHERE active DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
                 RETURNING id, fingerprint, xmax = 0 AS inserted"
            );
            let returned: Vec<(i64, String, bool)> =
                sqlx::query_as_with(sqlx::AssertSqlSafe(sql), columns.arguments(now)?)
                    .fetch_all(&mut *tx)
                    .await
                    .db("inserting new jobs")?;
            // A row that met the index (a concurrent batch committed the same job since
            // the look-up) was only marked seen: this posting joined that job.
            let joined = returned.iter().filter(|(_, _, inserted)| !inserted).count() as u64;
            plan.summary.inserted -= joined;
            plan.summary.merged += joined;
            inserted_ids.extend(returned.into_iter().map(|(id, fingerprint, _)| (fingerprint, id)));
        }
        if !plan.updates.is_empty() {
            let mut columns = JobColumns::default();
            for &(id, i) in &plan.updates {
                columns.push(&rows[i], Some(id));
            }
            let sql = format!(
                "UPDATE jobs SET fingerprint = u.fingerprint, title = u.title, company = u.company, url = u.url,
                     level = u.level, early_career = u.early_career, data = u.data::jsonb,
                     data_hash = u.data_hash, posted_at = u.posted_at, valid_through = u.valid_through,
                     last_seen_at = $1, updated_at = $1, active = u.active
                 FROM {UNNEST}, $13::bigint[]) AS u({UNNESTED}, id)
                 WHERE jobs.id = u.id"
            );
            sqlx::query_with(sqlx::AssertSqlSafe(sql), columns.arguments(now)?)
                .execute(&mut *tx)
                .await
                .db("updating changed jobs")?;
        }
        if !plan.touches.is_empty() {
            sqlx::query("UPDATE jobs SET last_seen_at = $2 WHERE id = ANY($1)")
                .bind(&plan.touches)
                .bind(now)
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
                json!({"source": job.source, "board": job.board, "external_id": job.external_id,
                       "job_id": job_id, "url": job.url, "raw_hash": posting_hashes.map(|h| &h[*i])})
            })
            .collect();
        sqlx::query(
            "INSERT INTO job_sources (source, board, external_id, job_id, url, raw_hash, first_seen_at, last_seen_at)
             SELECT source, board, external_id, job_id, url, raw_hash, $2, $2
             FROM jsonb_to_recordset($1::jsonb)
                  AS l(source text, board text, external_id text, job_id bigint, url text, raw_hash text)
             ON CONFLICT (source, board, external_id) DO UPDATE SET
                 job_id = EXCLUDED.job_id, url = EXCLUDED.url, last_seen_at = EXCLUDED.last_seen_at,
                 raw_hash = COALESCE(EXCLUDED.raw_hash, job_sources.raw_hash)",
        )
        .bind(Value::Array(links))
        .bind(now)
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
        let touched: i64 = sqlx::query_scalar(
            "WITH links AS (
                 UPDATE job_sources SET last_seen_at = $3 WHERE source = $1 AND board = $2 RETURNING job_id
             ), seen AS (
                 UPDATE jobs SET last_seen_at = $3 WHERE active AND id IN (SELECT job_id FROM links)
             )
             SELECT COUNT(*) FROM links",
        )
        .bind(source)
        .bind(board)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .db("marking a board's postings as seen")?;
        Ok(touched as u64)
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
        let (ids, hashes): (Vec<&str>, Vec<&str>) = postings
            .iter()
            .map(|(id, hash)| (id.as_str(), hash.as_str()))
            .unzip();
        // One primary-key look-up per posting, whatever the planner believes of the
        // tables while their statistics are young (a plain join can become a scan of
        // the board's every link per posting); LIMIT keeps the subquery from being
        // flattened into such a join. A board seen for the first time stops here.
        let candidates: Vec<(String, i64)> = sqlx::query_as(
            "SELECT k.external_id, s.job_id
             FROM unnest($3::text[], $4::text[]) AS k(external_id, raw_hash)
             CROSS JOIN LATERAL (
                 SELECT s.job_id FROM job_sources s
                 JOIN jobs j ON j.id = s.job_id AND (j.active OR j.valid_through < $5)
                 WHERE s.source = $1 AND s.board = $2 AND s.external_id = k.external_id
                   AND s.raw_hash = k.raw_hash
                 LIMIT 1
             ) AS s",
        )
        .bind(source)
        .bind(board)
        .bind(&ids)
        .bind(&hashes)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .db("looking up unchanged postings")?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let (ids, jobs): (Vec<String>, Vec<i64>) = candidates.into_iter().unzip();
        let mut tx = self.pool.begin().await.db("beginning to mark postings seen")?;
        // A "last seen" lost to a crash is written again by the next scrape: not worth
        // waiting for the disk on every board's every scrape.
        commit_without_waiting(&mut tx, "relaxing the commit of seen postings").await?;
        // Only jobs still active now count, or closed for good (past their valid-through
        // date, which reading the same posting again cannot change): one deactivated as
        // stale since the look-up must be read again to come back.
        let still_active: HashSet<i64> = sqlx::query_scalar(
            "UPDATE jobs SET last_seen_at = $2 WHERE (active OR valid_through < $2) AND id = ANY($1)
             RETURNING id",
        )
        .bind(&jobs)
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .db("marking unchanged jobs as seen")?
        .into_iter()
        .collect();
        let seen: Vec<String> = ids
            .into_iter()
            .zip(jobs)
            .filter(|(_, job)| still_active.contains(job))
            .map(|(id, _)| id)
            .collect();
        sqlx::query(
            "UPDATE job_sources SET last_seen_at = $4
             WHERE source = $1 AND board = $2 AND external_id = ANY($3)",
        )
        .bind(source)
        .bind(board)
        .bind(&seen)
        .bind(now)
        .execute(&mut *tx)
        .await
        .db("marking unchanged postings as seen")?;
        tx.commit().await.db("committing seen postings")?;
        Ok(seen)
    }

    pub(super) async fn deactivate_stale_jobs_impl(
        &self,
        not_seen_since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let result = sqlx::query(
            "UPDATE jobs SET active = FALSE, updated_at = $2
             WHERE active AND (last_seen_at < $1 OR (valid_through IS NOT NULL AND valid_through < $2))",
        )
        .bind(not_seen_since)
        .bind(now)
        .execute(&self.pool)
        .await
        .db("deactivating stale jobs")?;
        Ok(result.rows_affected())
    }

    pub(super) async fn jobs_impl(&self, active_only: bool) -> Result<Vec<StoredJob>> {
        let rows = sqlx::query(
            "SELECT j.id, j.data, j.first_seen_at, j.last_seen_at, j.active,
                    ARRAY(SELECT url FROM job_sources s WHERE s.job_id = j.id
                          ORDER BY first_seen_at, source) AS urls
             FROM jobs j WHERE j.active OR NOT $1 ORDER BY j.id",
        )
        .bind(active_only)
        .fetch_all(&self.pool)
        .await
        .db("listing jobs")?;
        rows.iter()
            .map(|row| {
                let read = "reading a job";
                let data: Value = row.try_get("data").db(read)?;
                Ok(StoredJob {
                    id: row.try_get("id").db(read)?,
                    job: serde_json::from_value(data)
                        .map_err(|err| anyhow::anyhow!("a stored job does not parse: {err}"))?,
                    first_seen_at: row.try_get("first_seen_at").db(read)?,
                    last_seen_at: row.try_get("last_seen_at").db(read)?,
                    active: row.try_get("active").db(read)?,
                    urls: row.try_get("urls").db(read)?,
                })
            })
            .collect()
    }

    pub(super) async fn source_state_impl(&self, name: &str) -> Result<Option<SourceState>> {
        let row = sqlx::query(
            "SELECT name, kind, last_polled_at, last_success_at, last_error, etag, last_modified
             FROM sources WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .db("reading a source")?;
        row.as_ref().map(source_state).transpose()
    }

    pub(super) async fn record_source_run_impl(&self, run: &SourceRun) -> Result<()> {
        let ok = matches!(run.status.as_str(), "ok" | "not_modified");
        let mut tx = self.pool.begin().await.db("beginning a source run")?;
        sqlx::query(
            "INSERT INTO sources (name, kind, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind",
        )
        .bind(&run.name)
        .bind(&run.kind)
        .bind(run.started_at)
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
        .bind(run.finished_at)
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
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(&run.status)
        .bind(run.fetched as i32)
        .bind(run.inserted as i32)
        .bind(run.updated as i32)
        .bind(run.skipped as i32)
        .bind(&run.error)
        .execute(&mut *tx)
        .await
        .db("recording a source run")?;
        tx.commit().await.db("committing a source run")?;
        Ok(())
    }

    pub(super) async fn source_statuses_impl(&self) -> Result<Vec<SourceStatus>> {
        let rows = sqlx::query(
            "SELECT s.name, s.kind, s.last_polled_at, s.last_success_at, s.last_error, s.etag, s.last_modified,
                    r.started_at, r.finished_at, r.status, r.fetched, r.inserted, r.updated, r.skipped,
                    r.error AS run_error,
                    (SELECT COUNT(DISTINCT js.job_id) FROM job_sources js JOIN jobs j ON j.id = js.job_id
                     WHERE j.active AND (js.source || CASE WHEN js.board = '' THEN '' ELSE ':' || js.board END) = s.name)
                        AS active_jobs
             FROM sources s
             LEFT JOIN LATERAL (SELECT * FROM source_runs WHERE source = s.name
                                ORDER BY started_at DESC, id DESC LIMIT 1) r ON TRUE
             ORDER BY s.name",
        )
        .fetch_all(&self.pool)
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
                        started_at: row.try_get("started_at").db(read)?,
                        finished_at: row
                            .try_get::<Option<OffsetDateTime>, _>("finished_at")
                            .db(read)?
                            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                        status,
                        fetched: row.try_get::<i32, _>("fetched").db(read)? as u64,
                        inserted: row.try_get::<i32, _>("inserted").db(read)? as u64,
                        updated: row.try_get::<i32, _>("updated").db(read)? as u64,
                        skipped: row.try_get::<i32, _>("skipped").db(read)? as u64,
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

fn source_state(row: &PgRow) -> Result<SourceState> {
    let read = "reading a source";
    Ok(SourceState {
        name: row.try_get("name").db(read)?,
        kind: row.try_get("kind").db(read)?,
        last_polled_at: row.try_get("last_polled_at").db(read)?,
        last_success_at: row.try_get("last_success_at").db(read)?,
        last_error: row.try_get("last_error").db(read)?,
        etag: row.try_get("etag").db(read)?,
        last_modified: row.try_get("last_modified").db(read)?,
    })
}
