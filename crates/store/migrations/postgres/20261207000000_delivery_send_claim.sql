-- Sending a delivery is claimed first (PostgreSQL): whoever hands it to the mailer (a
-- worker's send task, `jobping send-due`, a retry) owns it until `send_locked_until`, so
-- two processes never send the same email. A claim that ran out (its owner died) can be
-- taken again.
ALTER TABLE deliveries ADD COLUMN send_owner TEXT;
ALTER TABLE deliveries ADD COLUMN send_locked_until TIMESTAMPTZ;
