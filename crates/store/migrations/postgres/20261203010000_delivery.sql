-- Delivering the job emails (PostgreSQL): the provider's webhook events, the streak of
-- empty digests, and the indexes the delivery worker and operators read by.
-- Same logical content as migrations/sqlite.

-- Events the email provider reported, kept by their id so that a replay is ignored.
CREATE TABLE email_events (
    event_id            TEXT PRIMARY KEY,
    kind                TEXT NOT NULL,
    email_hash          TEXT,
    provider_message_id TEXT,
    occurred_at         TIMESTAMPTZ NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL
);

-- Digests skipped in a row for want of matches, and when we last suggested widening
-- the preferences because of it.
ALTER TABLE subscribers ADD COLUMN empty_digests INTEGER NOT NULL DEFAULT 0 CHECK (empty_digests >= 0);
ALTER TABLE subscribers ADD COLUMN wider_note_sent_at TIMESTAMPTZ;

-- When a delivery failed for good (with `last_error`).
ALTER TABLE deliveries ADD COLUMN failed_at TIMESTAMPTZ;

-- A provider event names the message it is about.
CREATE INDEX deliveries_provider_message_id ON deliveries (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
-- Operators' counts look at recent deliveries and feedback.
CREATE INDEX deliveries_created_at ON deliveries (created_at);
CREATE INDEX feedback_created_at ON feedback (created_at);
-- Erasing a subscriber or a delivery reaches their feedback without a scan.
CREATE INDEX feedback_subscriber ON feedback (subscriber_id);
CREATE INDEX feedback_delivery ON feedback (delivery_id) WHERE delivery_id IS NOT NULL;
