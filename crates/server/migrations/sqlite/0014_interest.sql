-- Overdue interest (core's `interest`): what payments charged on an invoice and its tax, and the
-- instant interest has been charged up to; on a payment that charged interest, the amounts and
-- the days it paid for (`interest_through_us` set exactly when it charged any).
ALTER TABLE invoices ADD COLUMN interest_paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN interest_tax_paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN interest_through_us BIGINT;
ALTER TABLE credits ADD COLUMN interest_minor BIGINT;
ALTER TABLE credits ADD COLUMN interest_tax_minor BIGINT;
ALTER TABLE credits ADD COLUMN interest_from_us BIGINT;
ALTER TABLE credits ADD COLUMN interest_through_us BIGINT;
-- The open invoice due first, for the overdue hold on new pre-authorizations.
CREATE INDEX invoices_open_by_due ON invoices (account_id, status, due_date_us, id);
