-- When the sweep first saw an invoice late (its `invoice.overdue` event went to the outbox in
-- the same transaction); cleared when a postponement makes it current again.
ALTER TABLE invoices ADD COLUMN overdue_at_us BIGINT;
CREATE INDEX invoices_newly_overdue ON invoices (status, overdue_at_us, due_date_us);
