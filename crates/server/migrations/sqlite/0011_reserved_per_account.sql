-- What an account's holds reserve (core's `Transaction::reserved`: the value of every hold still
-- Authorized, whatever its time), kept on the account by every write, so that loading a hot
-- account subtracts the few holds past their time instead of summing thousands.
ALTER TABLE accounts ADD COLUMN reserved_minor BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET reserved_minor = (
    SELECT CAST(COALESCE(SUM(t.value_minor), 0) AS BIGINT) FROM transactions t
    WHERE t.account_id = accounts.id AND t.status = 'Authorized'
);
