-- Transaction ids may be chosen by clients (`PUT …/transactions/{id}`), so they are unique per
-- account, not per store: transactions and invoices are keyed by (account_id, id), and an
-- invoice refers to its transaction within its account. SQLite cannot change a primary key in
-- place, so both tables are rebuilt, invoices first set aside so no key is ever dangling.
CREATE TABLE invoices_kept AS SELECT * FROM invoices;
DROP TABLE invoices;

CREATE TABLE transactions_new (
    id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    order_id TEXT NOT NULL,
    value_minor BIGINT NOT NULL,
    original_value_minor BIGINT NOT NULL,
    installments INTEGER NOT NULL,
    settle BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    expires_at_us BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    settled_value_minor BIGINT NOT NULL,
    refunded_value_minor BIGINT NOT NULL,
    settled_at_us BIGINT,
    PRIMARY KEY (account_id, id)
);
INSERT INTO transactions_new SELECT id, account_id, order_id, value_minor, original_value_minor,
    installments, settle, status, expires_at_us, created_at_us, updated_at_us,
    settled_value_minor, refunded_value_minor, settled_at_us FROM transactions;
DROP TABLE transactions;
ALTER TABLE transactions_new RENAME TO transactions;
CREATE INDEX transactions_by_expiry ON transactions (status, expires_at_us);
CREATE INDEX transactions_active_held ON transactions (account_id, status, expires_at_us, value_minor);

CREATE TABLE invoices (
    id TEXT NOT NULL,
    friendly_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    transaction_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    installment INTEGER NOT NULL,
    number_of_installments INTEGER NOT NULL,
    value_minor BIGINT NOT NULL,
    credit_value_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    resolved_at_us BIGINT,
    original_due_date_us BIGINT NOT NULL,
    due_date_us BIGINT NOT NULL,
    postponements INTEGER NOT NULL,
    postponed_days INTEGER NOT NULL,
    observation TEXT,
    observation_folded TEXT,
    payment_link TEXT,
    PRIMARY KEY (account_id, id),
    FOREIGN KEY (account_id, transaction_id) REFERENCES transactions (account_id, id)
);
INSERT INTO invoices SELECT id, friendly_id, account_id, transaction_id, order_id, installment,
    number_of_installments, value_minor, credit_value_minor, status, created_at_us, updated_at_us,
    resolved_at_us, original_due_date_us, due_date_us, postponements, postponed_days, observation,
    observation_folded, payment_link FROM invoices_kept;
DROP TABLE invoices_kept;
CREATE INDEX invoices_by_creation ON invoices (created_at_us, id);
CREATE INDEX invoices_by_account ON invoices (account_id, status, created_at_us);
CREATE INDEX invoices_by_transaction ON invoices (account_id, transaction_id);
CREATE INDEX invoices_by_status ON invoices (status, created_at_us);
CREATE INDEX invoices_by_due_date ON invoices (due_date_us);
CREATE INDEX invoices_by_friendly_id ON invoices (friendly_id);
CREATE INDEX invoices_by_value ON invoices (value_minor);
CREATE INDEX invoices_by_status_due ON invoices (status, due_date_us, value_minor);
CREATE INDEX invoices_by_status_value ON invoices (status, value_minor);
