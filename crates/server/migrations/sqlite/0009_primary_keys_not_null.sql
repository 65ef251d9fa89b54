-- SQLite lets a TEXT PRIMARY KEY hold NULL unless the column says NOT NULL (a quirk kept for old
-- databases); PostgreSQL never does. Accounts, holders and API keys are rebuilt with NOT NULL so
-- both engines have the same schema (tests/schema_parity.rs). No stored row has a NULL key: ids
-- are validated before any write.
--
-- Accounts are referenced by holders, transactions, invoices and entries. With the foreign key
-- checks deferred to the commit, the accounts are set aside, the table dropped and created again,
-- and the same rows put back before the commit checks every reference.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE accounts_kept AS SELECT * FROM accounts;
DROP TABLE accounts;
CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
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
INSERT INTO accounts SELECT id, document, document_type, email, email_folded, description,
    credit_limit_minor, tolerance, status, balance_minor, created_at_us, updated_at_us
    FROM accounts_kept;
DROP TABLE accounts_kept;
CREATE INDEX accounts_by_status ON accounts (status, created_at_us, id);
CREATE INDEX accounts_by_email ON accounts (email_folded);
CREATE INDEX accounts_by_creation ON accounts (created_at_us, id);
CREATE INDEX accounts_by_document ON accounts (document);

CREATE TABLE holders_new (
    id TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL,
    level SMALLINT NOT NULL,
    created_at_us BIGINT NOT NULL
);
INSERT INTO holders_new SELECT id, account_id, email, level, created_at_us FROM holders;
DROP TABLE holders;
ALTER TABLE holders_new RENAME TO holders;
CREATE INDEX holders_by_account ON holders (account_id);

CREATE TABLE api_keys_new (
    app_key TEXT NOT NULL PRIMARY KEY,
    token_sha256 TEXT NOT NULL,
    resources TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    revoked_at_us BIGINT
);
INSERT INTO api_keys_new SELECT app_key, token_sha256, resources, label, created_at_us,
    revoked_at_us FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
