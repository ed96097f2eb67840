-- The subscriber's web journey (SQLite): link throttling and single-use tokens.
-- Times are INTEGER microseconds since the Unix epoch (UTC), as in the initial schema.

-- When this address was last emailed a link (verification or manage), so that a form
-- submitted again and again cannot make us flood someone's inbox.
ALTER TABLE subscribers ADD COLUMN link_sent_at INTEGER;
-- Unverified signups are purged after a while; this finds them without a scan.
CREATE INDEX subscribers_unverified_created_at ON subscribers (created_at) WHERE verified_at IS NULL;

-- Single-use tokens (hashed) once used. A token is kept until it expires: after that
-- its signature check refuses it anyway, and the row can go.
CREATE TABLE used_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX used_tokens_expires_at ON used_tokens (expires_at);
