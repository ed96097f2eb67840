//! Operator access on PostgreSQL: admin keys, the paged audit log and the dashboard's counts.

use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::PgStore;
use crate::error::DbContext;
use crate::operators::{bands, day_series, event_counts, named, scopes_from_text, scopes_text, window_start};
use crate::{AdminKey, AuditEntry, NewAdminKey, OperatorStats, Result, StoreError, SubscriberCount};

const KEY_COLUMNS: &str =
    "SELECT id, name, key_hash, scopes, created_at, last_used_at, revoked_at FROM admin_keys";

fn key_from_row(row: &PgRow) -> Result<AdminKey> {
    let read = "reading an admin key";
    let scopes: String = row.try_get("scopes").db(read)?;
    Ok(AdminKey {
        id: row.try_get("id").db(read)?,
        name: row.try_get("name").db(read)?,
        key_hash: row.try_get("key_hash").db(read)?,
        scopes: scopes_from_text(&scopes),
        created_at: row.try_get("created_at").db(read)?,
        last_used_at: row.try_get("last_used_at").db(read)?,
        revoked_at: row.try_get("revoked_at").db(read)?,
    })
}

impl PgStore {
    pub(super) async fn create_admin_key_impl(&self, key: &NewAdminKey) -> Result<AdminKey> {
        sqlx::query(
            "INSERT INTO admin_keys (id, name, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key.id)
        .bind(&key.name)
        .bind(&key.key_hash)
        .bind(scopes_text(&key.scopes))
        .bind(key.created_at)
        .execute(&self.pool)
        .await
        .db("keeping an admin key")?;
        self.admin_key_impl(key.id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn admin_key_by_hash_impl(&self, key_hash: &str) -> Result<Option<AdminKey>> {
        let sql = sqlx::AssertSqlSafe(format!("{KEY_COLUMNS} WHERE key_hash = $1"));
        let row = sqlx::query(sql)
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await
            .db("finding an admin key")?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub(super) async fn admin_key_impl(&self, id: Uuid) -> Result<Option<AdminKey>> {
        let sql = sqlx::AssertSqlSafe(format!("{KEY_COLUMNS} WHERE id = $1"));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db("reading an admin key")?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub(super) async fn admin_keys_impl(&self) -> Result<Vec<AdminKey>> {
        let sql = sqlx::AssertSqlSafe(format!("{KEY_COLUMNS} ORDER BY created_at, name"));
        let rows = sqlx::query(sql)
            .fetch_all(&self.pool)
            .await
            .db("listing admin keys")?;
        rows.iter().map(key_from_row).collect()
    }

    pub(super) async fn revoke_admin_key_impl(&self, id: Uuid, now: OffsetDateTime) -> Result<bool> {
        let done = sqlx::query("UPDATE admin_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await
            .db("revoking an admin key")?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        let known: Option<i32> = sqlx::query_scalar("SELECT 1 FROM admin_keys WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .db("finding an admin key")?;
        known.map(|_| false).ok_or(StoreError::NotFound)
    }

    pub(super) async fn touch_admin_key_impl(&self, id: Uuid, now: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE admin_keys SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await
            .db("noting an admin key's use")?;
        Ok(())
    }

    pub(super) async fn audit_page_impl(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target_hash, detail FROM audit_log
             WHERE $1::BIGINT IS NULL OR id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .db("reading the audit log")?;
        rows.iter()
            .map(|row| {
                let read = "reading an audit entry";
                Ok(AuditEntry {
                    id: row.try_get("id").db(read)?,
                    at: row.try_get("at").db(read)?,
                    actor: row.try_get("actor").db(read)?,
                    action: row.try_get("action").db(read)?,
                    target_hash: row.try_get("target_hash").db(read)?,
                    detail: row.try_get("detail").db(read)?,
                })
            })
            .collect()
    }

    pub(super) async fn sent_deliveries_impl(&self, subscriber: Uuid) -> Result<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE subscriber_id = $1 AND status = 'sent'",
        )
        .bind(subscriber)
        .fetch_one(&self.pool)
        .await
        .db("counting a subscriber's emails")?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    pub(super) async fn operator_stats_impl(&self, now: OffsetDateTime) -> Result<OperatorStats> {
        let since = window_start(now);
        let from = since;
        let db = &self.pool;
        let subscribers: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT status, tier, COUNT(*) FROM subscribers GROUP BY status, tier ORDER BY status, tier",
        )
        .fetch_all(db)
        .await
        .db("counting subscribers")?;
        let signups: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT floor(extract(epoch FROM created_at) / 86400)::BIGINT, COUNT(*) FROM subscribers WHERE created_at >= $1 GROUP BY 1",
        )
        .bind(from)
        .fetch_all(db)
        .await
        .db("counting signups")?;
        let verifications: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT floor(extract(epoch FROM verified_at) / 86400)::BIGINT, COUNT(*) FROM subscribers WHERE verified_at >= $1 GROUP BY 1",
        )
        .bind(from)
        .fetch_all(db)
        .await
        .db("counting verifications")?;
        let deliveries: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM deliveries WHERE created_at >= $1 GROUP BY status ORDER BY status",
        )
        .bind(from)
        .fetch_all(db)
        .await
        .db("counting emails")?;
        let events: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM email_events WHERE occurred_at >= $1 GROUP BY kind")
                .bind(from)
                .fetch_all(db)
                .await
                .db("counting provider events")?;
        let (items_sent, emails_with_items): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT d.id) FROM delivery_items i JOIN deliveries d ON d.id = i.delivery_id
             WHERE d.created_at >= $1 AND d.status = 'sent'",
        )
        .bind(from)
        .fetch_one(db)
        .await
        .db("counting emailed jobs")?;
        let score_rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT LEAST(floor(i.score / 10), 9)::BIGINT, COUNT(*)
             FROM delivery_items i JOIN deliveries d ON d.id = i.delivery_id
             WHERE d.created_at >= $1 AND d.status = 'sent' GROUP BY 1",
        )
        .bind(from)
        .fetch_all(db)
        .await
        .db("banding emailed scores")?;
        let feedback: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM feedback WHERE created_at >= $1 GROUP BY kind")
                .bind(from)
                .fetch_all(db)
                .await
                .db("counting feedback")?;
        let active_jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE active")
            .fetch_one(db)
            .await
            .db("counting active jobs")?;
        let by_source: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.source, COUNT(DISTINCT s.job_id) FROM job_sources s JOIN jobs j ON j.id = s.job_id
             WHERE j.active GROUP BY s.source ORDER BY 2 DESC, 1",
        )
        .fetch_all(db)
        .await
        .db("counting jobs by source")?;
        let by_city: Vec<(String, i64)> = sqlx::query_as(
            "SELECT l ->> 'city' AS city, COUNT(DISTINCT j.id)
             FROM jobs j CROSS JOIN LATERAL jsonb_array_elements(j.data -> 'locations') l
             WHERE j.active AND l ->> 'city' IS NOT NULL
             GROUP BY city ORDER BY 2 DESC, 1 LIMIT $1",
        )
        .bind(OperatorStats::TOP_CITIES)
        .fetch_all(db)
        .await
        .db("counting jobs by city")?;
        let by_path: Vec<(String, i64)> = sqlx::query_as(
            "SELECT p.value, COUNT(DISTINCT j.id)
             FROM jobs j CROSS JOIN LATERAL jsonb_array_elements_text(j.data -> 'career_paths') p
             WHERE j.active GROUP BY p.value ORDER BY 2 DESC, 1",
        )
        .fetch_all(db)
        .await
        .db("counting jobs by career path")?;

        let count = |rows: &[(String, i64)], name: &str| {
            rows.iter()
                .find(|(k, _)| k == name)
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        let (delivered, bounced, complained) = event_counts(&events);
        Ok(OperatorStats {
            since,
            subscribers: subscribers
                .into_iter()
                .map(|(status, tier, n)| SubscriberCount {
                    status,
                    tier,
                    count: u64::try_from(n).unwrap_or(0),
                })
                .collect(),
            signups_per_day: day_series(since, &signups),
            verifications_per_day: day_series(since, &verifications),
            deliveries: named(deliveries),
            delivered,
            bounced,
            complained,
            items_sent: u64::try_from(items_sent).unwrap_or(0),
            emails_with_items: u64::try_from(emails_with_items).unwrap_or(0),
            clicks: count(&feedback, "click"),
            votes_up: count(&feedback, "up"),
            votes_down: count(&feedback, "down"),
            score_bands: bands(&score_rows),
            active_jobs: u64::try_from(active_jobs).unwrap_or(0),
            jobs_by_source: named(by_source),
            jobs_by_city: named(by_city),
            jobs_by_career_path: named(by_path),
        })
    }
}
