-- Replies to requests sent with an Idempotency-Key, kept 24 hours. `status` 0 marks a request
-- still running (or one that never finished: it is never run again under the same key).
CREATE TABLE idempotency (
    app_key TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (app_key, idempotency_key)
);
CREATE INDEX idempotency_by_age ON idempotency (created_at_us);
