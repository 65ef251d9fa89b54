-- Invoice searches at scale (see BENCHMARKS.md): a status with a due-date window finds its rows
-- by range instead of walking every invoice of that status in creation order, and the summary of
-- a status (value sums) reads the index alone.
CREATE INDEX invoices_by_status_due ON invoices (status, due_date_us, value_minor);
CREATE INDEX invoices_by_status_value ON invoices (status, value_minor);
