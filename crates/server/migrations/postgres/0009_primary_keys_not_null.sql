-- The SQLite set rebuilds three tables whose TEXT primary keys SQLite let be NULL; here they
-- never could. What differed on this side: `store_config.id`, an INTEGER PRIMARY KEY — the
-- 64-bit rowid on SQLite — was a 32-bit integer here. It holds the single row 1 either way.
ALTER TABLE store_config ALTER COLUMN id TYPE BIGINT;
