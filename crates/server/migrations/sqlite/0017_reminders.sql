-- Reminders (core's `reminders`). Per invoice: the instant up to which its reminders are
-- decided (NULL: never, so from its creation) and when the next one falls due (0: to be worked
-- out again, after any change of the invoice or of the store's reminder settings; NULL: none).
-- Invoices that exist at this upgrade start from now: no reminder of the past goes out.
ALTER TABLE invoices ADD COLUMN reminded_through_us BIGINT;
ALTER TABLE invoices ADD COLUMN next_reminder_us BIGINT DEFAULT 0;
UPDATE invoices SET reminded_through_us = CAST(strftime('%s', 'now') AS BIGINT) * 1000000;
CREATE INDEX invoices_reminders_due ON invoices (status, next_reminder_us);
-- Each decided reminder: sent (its `invoice.reminder` event in the outbox, its email waiting
-- for the mail task in the same row) or skipped, and why.
CREATE TABLE reminders (
    invoice_id TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    rule TEXT NOT NULL,
    account_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    decided_at_us BIGINT NOT NULL,
    event_id TEXT,
    subject TEXT,
    body TEXT,
    amount_due_minor BIGINT,
    recipients TEXT,
    email_status TEXT,
    email_attempts INTEGER NOT NULL DEFAULT 0,
    email_next_us BIGINT,
    email_claimed_until_us BIGINT,
    emailed_at_us BIGINT,
    email_error TEXT,
    PRIMARY KEY (invoice_id, at_us, rule)
);
CREATE INDEX reminders_email_due ON reminders (email_status, email_next_us);
