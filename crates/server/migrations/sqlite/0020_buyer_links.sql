-- My Credits (core's `buyer`): one-time sign-in links for buyers and the sessions they open.
-- Only the SHA-256 of each token is kept; a link is used once, and both end at their time.
CREATE TABLE buyer_links (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    email TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL,
    used_at_us BIGINT
);
CREATE TABLE buyer_sessions (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX buyer_links_by_expiry ON buyer_links (expires_at_us);
CREATE INDEX buyer_sessions_by_expiry ON buyer_sessions (expires_at_us);
