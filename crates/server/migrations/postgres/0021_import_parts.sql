-- An import's file kept in parts as it arrives (each at most `db::imports::PART_BYTES`), so no
-- request and no worker holds a whole file: the parts are written while the file is read and
-- checked, the job row last, and a job's parts dropped when it finishes. Parts without a job
-- (a file refused or a server stopped mid-upload) are forgotten by the sweep.
CREATE TABLE import_parts (
    import_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    received_at_us BIGINT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
INSERT INTO import_parts (import_id, seq, bytes, received_at_us)
    SELECT id, 0, convert_to(body, 'UTF8'), created_at_us FROM imports WHERE finished_at_us IS NULL;
ALTER TABLE imports DROP COLUMN body;
