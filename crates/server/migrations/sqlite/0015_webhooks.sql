-- Webhooks through a transactional outbox (core's `webhooks`). An event is written to `outbox`
-- in the transaction of the change that causes it; the delivery task fans each event out to
-- the endpoints that hear it (one `webhook_deliveries` row each, `fanned_out_at_us` set in the
-- same transaction) and sends what is due, each try kept in `webhook_attempts`.
CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    disabled_at_us BIGINT,
    disabled_reason TEXT,
    deleted_at_us BIGINT
);
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    body TEXT NOT NULL,
    fanned_out_at_us BIGINT
);
CREATE INDEX outbox_to_fan_out ON outbox (fanned_out_at_us, id);
CREATE TABLE webhook_deliveries (
    id TEXT NOT NULL PRIMARY KEY,
    event_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_us BIGINT,
    claimed_until_us BIGINT,
    last_status_code INTEGER,
    last_error TEXT,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_us);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    at_us BIGINT NOT NULL,
    status_code INTEGER,
    error TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
