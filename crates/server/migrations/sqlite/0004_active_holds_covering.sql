-- Commands sum an account's active holds instead of loading them: an index that holds the value
-- too answers the sum without reading the rows.
CREATE INDEX transactions_active_held ON transactions (account_id, status, expires_at_us, value_minor);
DROP INDEX transactions_active;
