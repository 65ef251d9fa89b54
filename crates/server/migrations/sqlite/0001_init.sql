-- Store-wide policy: one row. `document` is the configuration as the API writes it (exact decimal
-- text, never floats); NULL until the first update, meaning "the defaults". `version` guards the
-- read-modify-write of a partial update against concurrent writers.
CREATE TABLE store_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT,
    version BIGINT NOT NULL,
    updated_at_us BIGINT,
    updated_by TEXT
);
INSERT INTO store_config (id, document, version) VALUES (1, NULL, 0);

-- API keys: the token is stored only as its SHA-256 (tokens are 256-bit random, or set by the
-- operator). `resources` is a comma-separated list of resource names.
CREATE TABLE api_keys (
    app_key TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL,
    resources TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    revoked_at_us BIGINT
);
