-- Accounts and everything that happens on them. Money in integer minor units (*_minor), rates as
-- exact decimal text, times in microseconds since the Unix epoch (*_us). *_folded columns hold
-- text case-folded by core (search::fold) so searches agree with core on both engines.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    document_type TEXT NOT NULL,
    email TEXT,
    email_folded TEXT,
    description TEXT,
    credit_limit_minor BIGINT NOT NULL,
    tolerance TEXT NOT NULL,
    status TEXT NOT NULL,
    balance_minor BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX accounts_by_status ON accounts (status, created_at_us, id);
CREATE INDEX accounts_by_email ON accounts (email_folded);
CREATE INDEX accounts_by_creation ON accounts (created_at_us, id);

CREATE TABLE holders (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL,
    level SMALLINT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX holders_by_account ON holders (account_id);

CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
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
    settled_at_us BIGINT
);
CREATE INDEX transactions_active ON transactions (account_id, status, expires_at_us);
CREATE INDEX transactions_by_expiry ON transactions (status, expires_at_us);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    friendly_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    transaction_id TEXT NOT NULL REFERENCES transactions (id),
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
    payment_link TEXT
);
CREATE INDEX invoices_by_creation ON invoices (created_at_us, id);
CREATE INDEX invoices_by_account ON invoices (account_id, status, created_at_us);
CREATE INDEX invoices_by_transaction ON invoices (transaction_id);
CREATE INDEX invoices_by_status ON invoices (status, created_at_us);
CREATE INDEX invoices_by_due_date ON invoices (due_date_us);
CREATE INDEX invoices_by_friendly_id ON invoices (friendly_id);
CREATE INDEX invoices_by_value ON invoices (value_minor);

CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    value_minor BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    transaction_id TEXT,
    installment INTEGER,
    number_of_installments INTEGER,
    statement_id TEXT,
    reason TEXT
);
CREATE INDEX entries_by_account ON entries (account_id, at_us, seq);
CREATE UNIQUE INDEX entries_by_statement_id ON entries (account_id, statement_id) WHERE statement_id IS NOT NULL;
