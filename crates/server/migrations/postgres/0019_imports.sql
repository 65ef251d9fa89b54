-- CSV imports (core's `import`): one row per job, its file kept until every row is handled
-- (then emptied), its progress written with each batch of rows, and a lease so that one
-- server at a time works on it (a server that stops mid-job leaves the lease to run out,
-- and another — or itself, restarted — resumes where the last batch ended).
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    file_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    finished_at_us BIGINT,
    rows_total INTEGER NOT NULL,
    rows_done INTEGER NOT NULL DEFAULT 0,
    rows_failed INTEGER NOT NULL DEFAULT 0,
    ignored_columns TEXT NOT NULL,
    lease_until_us BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imports_by_time ON imports (created_at_us, id);
CREATE INDEX imports_unfinished ON imports (lease_until_us) WHERE finished_at_us IS NULL;
-- Each refused row's errors, in the order its reader found them (`seq`).
CREATE TABLE import_errors (
    import_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, line, seq)
);
