-- The subscriber's web journey (PostgreSQL): link throttling and single-use tokens.
-- Same logical content as migrations/sqlite.

-- When this address was last emailed a link (verification or manage), so that a form
-- submitted again and again cannot make us flood someone's inbox.
ALTER TABLE subscribers ADD COLUMN link_sent_at TIMESTAMPTZ;
-- Unverified signups are purged after a while; this finds them without a scan.
CREATE INDEX subscribers_unverified_created_at ON subscribers (created_at) WHERE verified_at IS NULL;

-- Single-use tokens (hashed) once used. A token is kept until it expires: after that
-- its signature check refuses it anyway, and the row can go.
CREATE TABLE used_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX used_tokens_expires_at ON used_tokens (expires_at);
