-- Transaction ids may be chosen by clients (`PUT …/transactions/{id}`), so they are unique per
-- account, not per store: transactions and invoices are keyed by (account_id, id), and an
-- invoice refers to its transaction within its account.
ALTER TABLE invoices DROP CONSTRAINT invoices_transaction_id_fkey;
ALTER TABLE invoices DROP CONSTRAINT invoices_pkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_pkey;
ALTER TABLE transactions ADD PRIMARY KEY (account_id, id);
ALTER TABLE invoices ADD PRIMARY KEY (account_id, id);
ALTER TABLE invoices ADD FOREIGN KEY (account_id, transaction_id) REFERENCES transactions (account_id, id);
DROP INDEX invoices_by_transaction;
CREATE INDEX invoices_by_transaction ON invoices (account_id, transaction_id);
