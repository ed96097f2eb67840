-- Operator access (PostgreSQL): admin API keys, kept only as the SHA-256 of the key.
CREATE TABLE admin_keys (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    key_hash     TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    -- Space-separated scope names (`read`, `write`).
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- The dashboard counts signups and verifications per day.
CREATE INDEX subscribers_created_at ON subscribers (created_at);
CREATE INDEX subscribers_verified_at ON subscribers (verified_at) WHERE verified_at IS NOT NULL;
CREATE INDEX email_events_occurred_at ON email_events (occurred_at);
