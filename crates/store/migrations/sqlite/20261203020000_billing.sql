-- Billing through Stripe (SQLite): the events received (kept by id, so a replay is
-- ignored) and each subscriber's customer and subscription as the newest event left them.
-- Times are INTEGER microseconds since the Unix epoch (UTC), as in the initial schema.

-- No subscriber column: an erased subscriber leaves nothing about them here.
CREATE TABLE stripe_events (
    event_id    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    created     INTEGER NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE TABLE billing_accounts (
    subscriber_id      TEXT PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
    customer_id        TEXT,
    subscription_id    TEXT,
    status             TEXT,
    current_period_end INTEGER,
    past_due_since     INTEGER,
    -- Stripe's `created` of the newest event applied: older events are stale.
    last_event_at      INTEGER,
    updated_at         INTEGER NOT NULL
) STRICT;

-- Events without the subscriber in their metadata are matched by customer.
CREATE INDEX billing_accounts_customer ON billing_accounts (customer_id) WHERE customer_id IS NOT NULL;
-- The grace check looks only at past_due subscriptions.
CREATE INDEX billing_accounts_past_due ON billing_accounts (past_due_since) WHERE status = 'past_due';
