-- JobPing's first schema (SQLite). Same logical content as migrations/postgres.
-- Times are INTEGER microseconds since the Unix epoch (UTC), so they compare and sort as numbers.
-- Append-only: a shipped migration is never edited; change the schema with a new file.

CREATE TABLE subscribers (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'unsubscribed')),
    tier            TEXT NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'premium')),
    timezone        TEXT NOT NULL DEFAULT 'Europe/London',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    verified_at     INTEGER,
    unsubscribed_at INTEGER
) STRICT;
-- One subscriber per address, whatever its case.
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (lower(email));
CREATE INDEX subscribers_status_tier ON subscribers (status, tier);

CREATE TABLE preferences (
    subscriber_id TEXT PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
    data          TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id  TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('privacy', 'marketing')),
    granted        INTEGER NOT NULL CHECK (granted IN (0, 1)),
    policy_version TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_subscriber ON consents (subscriber_id);

-- Hashed addresses that must never be emailed again (unsubscribed, bounced, complained).
CREATE TABLE suppressions (
    email_hash TEXT PRIMARY KEY,
    reason     TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained', 'deleted')),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sources (
    name            TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    etag            TEXT,
    last_modified   TEXT,
    last_polled_at  INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE source_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL REFERENCES sources (name) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'not_modified', 'blocked', 'failed')),
    fetched     INTEGER NOT NULL DEFAULT 0 CHECK (fetched >= 0),
    inserted    INTEGER NOT NULL DEFAULT 0 CHECK (inserted >= 0),
    updated     INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    error       TEXT
) STRICT;
CREATE INDEX source_runs_source ON source_runs (source, started_at DESC);

-- One row per job, however many sources list it. `fingerprint` (normalized company,
-- title and city) is the cross-source identity: among active jobs it is unique, so the
-- same job found on two sources is one row with two `job_sources`.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint   TEXT NOT NULL CHECK (length(fingerprint) > 0),
    title         TEXT NOT NULL CHECK (length(title) > 0),
    company       TEXT NOT NULL CHECK (length(company) > 0),
    url           TEXT NOT NULL,
    level         TEXT NOT NULL,
    early_career  INTEGER NOT NULL CHECK (early_career IN (0, 1)),
    -- The normalized job as JSON, and a hash of it to tell a real change from a re-read.
    data          TEXT NOT NULL,
    data_hash     TEXT NOT NULL,
    posted_at     INTEGER,
    valid_through INTEGER,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX jobs_active_fingerprint ON jobs (fingerprint) WHERE active;
CREATE INDEX jobs_updated_at ON jobs (updated_at);
CREATE INDEX jobs_active_last_seen ON jobs (last_seen_at) WHERE active;

-- Where a job was found: identity first (source, board and the source's own id).
CREATE TABLE job_sources (
    source        TEXT NOT NULL,
    board         TEXT NOT NULL,
    external_id   TEXT NOT NULL CHECK (length(external_id) > 0),
    job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (source, board, external_id)
) STRICT;
CREATE INDEX job_sources_job ON job_sources (job_id);

CREATE TABLE deliveries (
    id                  TEXT PRIMARY KEY,
    subscriber_id       TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('welcome', 'digest', 'notice')),
    -- The slot this delivery fills, e.g. '2026-W48-thu': one delivery per slot.
    period              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    provider_message_id TEXT,
    skip_reason         TEXT,
    last_error          TEXT,
    UNIQUE (subscriber_id, kind, period)
) STRICT;

CREATE TABLE delivery_items (
    delivery_id   TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    score         REAL NOT NULL CHECK (score >= 0 AND score <= 100),
    reasons       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (delivery_id, position),
    -- A job is emailed to a subscriber at most once, ever.
    UNIQUE (subscriber_id, job_id)
) STRICT;

CREATE TABLE feedback (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    job_id        INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    delivery_id   TEXT REFERENCES deliveries (id) ON DELETE SET NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('up', 'down', 'click')),
    reason        TEXT,
    created_at    INTEGER NOT NULL
) STRICT;
-- One vote (up or down) per subscriber and job; clicks are counted freely.
CREATE UNIQUE INDEX feedback_one_vote ON feedback (subscriber_id, job_id) WHERE kind IN ('up', 'down');

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (length(kind) > 0),
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    schedule     TEXT,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at       INTEGER NOT NULL,
    lease        TEXT,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;
CREATE INDEX tasks_pending_run_at ON tasks (run_at, id) WHERE status = 'pending';
CREATE INDEX tasks_running_locked_until ON tasks (locked_until) WHERE status = 'running';
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE status IN ('done', 'dead');

-- One row per cron schedule: a firing is claimed by moving last_fired_at forward.
CREATE TABLE schedules (
    name            TEXT PRIMARY KEY,
    last_fired_at   INTEGER,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error      TEXT
) STRICT;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_hash TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at DESC);

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL CHECK (length(value) > 0),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE switches (
    name       TEXT PRIMARY KEY,
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;
