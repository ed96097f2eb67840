-- Billing through Stripe (PostgreSQL): the events received (kept by id, so a replay is
-- ignored) and each subscriber's customer and subscription as the newest event left them.
-- Same logical content as migrations/sqlite.

-- No subscriber column: an erased subscriber leaves nothing about them here.
CREATE TABLE stripe_events (
    event_id    TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    created     TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE billing_accounts (
    subscriber_id      UUID PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
    customer_id        TEXT,
    subscription_id    TEXT,
    status             TEXT,
    current_period_end TIMESTAMPTZ,
    past_due_since     TIMESTAMPTZ,
    -- Stripe's `created` of the newest event applied: older events are stale.
    last_event_at      TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- Events without the subscriber in their metadata are matched by customer.
CREATE INDEX billing_accounts_customer ON billing_accounts (customer_id) WHERE customer_id IS NOT NULL;
-- The grace check looks only at past_due subscriptions.
CREATE INDEX billing_accounts_past_due ON billing_accounts (past_due_since) WHERE status = 'past_due';
