-- Per-status invoice totals, kept in the same transaction as the invoices they count, so that a
-- whole-store summary reads a few rows instead of every invoice. Rows are spread over shards
-- (chosen from the account id) so that concurrent settlements of different accounts do not all
-- update one row; a total is the sum over every shard. Existing invoices are counted in shard 0.
CREATE TABLE invoice_totals (
    shard SMALLINT NOT NULL,
    status TEXT NOT NULL,
    invoice_count BIGINT NOT NULL,
    value_minor BIGINT NOT NULL,
    PRIMARY KEY (shard, status)
);
INSERT INTO invoice_totals (shard, status, invoice_count, value_minor)
SELECT 0, status, COUNT(*), CAST(COALESCE(SUM(value_minor), 0) AS BIGINT) FROM invoices GROUP BY status;
