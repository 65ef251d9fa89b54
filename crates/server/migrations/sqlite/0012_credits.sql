-- Credits: payments and write-offs as ledger facts (core's `credit`). An invoice keeps what its
-- posted payments paid and its write-offs took off; a credit is never edited but for being
-- reversed once. Invoices paid before this migration get their payment credit when the server
-- starts (core's `legacy_payment`: the same locator whoever computes it).
ALTER TABLE invoices ADD COLUMN paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN written_off_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN credit_locator TEXT;
CREATE TABLE credits (
    locator TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    reference TEXT,
    reason TEXT,
    parent_locator TEXT,
    created_at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    reversal_reason TEXT,
    reversed_at_us BIGINT,
    reversed_by TEXT
);
CREATE INDEX credits_by_invoice ON credits (account_id, invoice_id, locator);
CREATE INDEX credits_by_account ON credits (account_id, locator);
