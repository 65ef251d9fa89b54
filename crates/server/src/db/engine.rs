//! What differs between SQLite and PostgreSQL, in one place: how a write transaction takes its
//! lock, how a read sees one snapshot, how ids sort, who keeps the planner's statistics, and
//! which commands may share a commit. Everything else runs the same SQL text on both (written
//! with `$1` placeholders, which SQLite also reads) through the plain functions here: a query is
//! its text and a list of [`Arg`]s, and a row type reads from either engine.

use futures::TryStreamExt;
use sqlx::postgres::{PgArguments, PgPool, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{Arguments, FromRow};

use creditdesk_core::ids::AccountId;

/// A pool of connections to either engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A value bound to a placeholder, typed as its column is (`None` binds SQL `NULL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(Option<String>),
    Int64(Option<i64>),
    Int32(Option<i32>),
    Int16(i16),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(Some(text.to_owned()))
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(Some(text))
    }
}

impl From<Option<&str>> for Arg {
    fn from(text: Option<&str>) -> Arg {
        Arg::Text(text.map(str::to_owned))
    }
}

impl From<Option<String>> for Arg {
    fn from(text: Option<String>) -> Arg {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Int64(Some(n))
    }
}

impl From<Option<i64>> for Arg {
    fn from(n: Option<i64>) -> Arg {
        Arg::Int64(n)
    }
}

impl From<i32> for Arg {
    fn from(n: i32) -> Arg {
        Arg::Int32(Some(n))
    }
}

impl From<Option<i32>> for Arg {
    fn from(n: Option<i32>) -> Arg {
        Arg::Int32(n)
    }
}

impl From<i16> for Arg {
    fn from(n: i16) -> Arg {
        Arg::Int16(n)
    }
}

impl From<Vec<u8>> for Arg {
    fn from(bytes: Vec<u8>) -> Arg {
        Arg::Bytes(bytes)
    }
}

impl From<bool> for Arg {
    fn from(flag: bool) -> Arg {
        Arg::Bool(flag)
    }
}

/// A row type either engine can read (what `#[derive(FromRow)]` and tuples give).
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<R> Row for R where R: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// `args` as the arguments of a query on the engine `DB`.
fn arguments<DB: sqlx::Database>(args: Vec<Arg>) -> Result<DB::Arguments<'static>, sqlx::Error>
where
    Option<String>: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
    Option<i32>: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
    i16: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
    Vec<u8>: sqlx::Encode<'static, DB> + sqlx::Type<DB>,
{
    let mut out = DB::Arguments::default();
    for arg in args {
        match arg {
            Arg::Text(v) => out.add(v),
            Arg::Int64(v) => out.add(v),
            Arg::Int32(v) => out.add(v),
            Arg::Int16(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments<'static>, sqlx::Error> {
    arguments::<Sqlite>(args)
}

fn pg_args(args: Vec<Arg>) -> Result<PgArguments, sqlx::Error> {
    arguments::<Postgres>(args)
}

/// Which commands may share one commit (see `db::commit`). The lock the first command of a
/// lane's transaction takes covers every other command of that lane: SQLite's lock is on the
/// file, PostgreSQL's on the one account row of the lane.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lane {
    /// SQLite has one writer for the whole file: every command queues behind it.
    Store,
    /// PostgreSQL writes accounts in parallel; commands on one account share its row lock.
    Account(AccountId),
}

impl Pool {
    /// The pool the lanes' writers take their connections from. SQLite: one connection of its
    /// own (there is one writer at a time anyway), so that a batch never waits for a
    /// connection busy with reads. PostgreSQL: the same pool (one writer per busy account).
    pub fn for_writers(&self) -> Pool {
        match self {
            Pool::Sqlite(pool) => {
                let options = (*pool.connect_options()).clone();
                let writes = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_lazy_with(options);
                Pool::Sqlite(writes)
            }
            Pool::Postgres(pool) => Pool::Postgres(pool.clone()),
        }
    }

    /// The lane of a command on `account`.
    pub fn lane(&self, account: &AccountId) -> Lane {
        match self {
            Pool::Sqlite(_) => Lane::Store,
            Pool::Postgres(_) => Lane::Account(account.clone()),
        }
    }

    /// A transaction that will write: SQLite takes the file's write lock up front
    /// (`BEGIN IMMEDIATE`, so it never fails half-way to upgrade a read lock); PostgreSQL locks
    /// rows as they are read with [`Pool::lock_clause`].
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A read-only transaction that sees one consistent snapshot without taking any lock
    /// (SQLite in WAL mode reads beside the writer; PostgreSQL: `REPEATABLE READ READ ONLY`).
    pub async fn begin_snapshot(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// What locks the account row read in a write transaction until it commits (SQLite already
    /// holds the whole file).
    pub fn lock_clause(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => " FOR UPDATE",
        }
    }

    /// `ORDER BY` of ids, byte-wise on both engines (as core sorts).
    pub fn by_id(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "id",
            Pool::Postgres(_) => "id COLLATE \"C\"",
        }
    }

    /// `ORDER BY` of a text column in byte order, as Rust compares strings (see [`Pool::by_id`]).
    pub fn in_byte_order(&self, column: &str) -> String {
        match self {
            Pool::Sqlite(_) => column.to_owned(),
            Pool::Postgres(_) => format!("{column} COLLATE \"C\""),
        }
    }

    /// Text `expr` with ASCII letters lowered (no other), compared and sorted in byte order:
    /// core's `search_criteria` text rule. PostgreSQL lowers by the collation's rules, so the
    /// `C` collation keeps it to ASCII as SQLite's `LOWER` is.
    pub fn ascii_folded(&self, expr: &str) -> String {
        match self {
            Pool::Sqlite(_) => format!("LOWER({expr})"),
            Pool::Postgres(_) => format!("LOWER(({expr}) COLLATE \"C\") COLLATE \"C\""),
        }
    }

    /// Microseconds since the epoch (`at_us_expr`) as `YYYY-MM-DD HH:MM:SS` in UTC, as core's
    /// `Timestamp::date_time_text` writes them.
    pub fn date_time_text(&self, at_us_expr: &str) -> String {
        match self {
            Pool::Sqlite(_) => {
                format!("strftime('%Y-%m-%d %H:%M:%S', ({at_us_expr}) / 1000000, 'unixepoch')")
            }
            Pool::Postgres(_) => format!(
                "to_char(to_timestamp(({at_us_expr}) / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
            ),
        }
    }

    /// Brings the schema to this version: each engine has its migration set, held to one
    /// schema by `tests/schema_parity.rs`.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
    }

    /// Keeps the query planner's statistics current. SQLite gathers none by itself: without them
    /// it may walk every invoice of a status instead of a due-date range (see BENCHMARKS.md).
    /// `PRAGMA optimize` analyses only tables never analysed or grown many times over since, so
    /// it runs at start and hourly from the sweep. PostgreSQL's autovacuum does this itself.
    pub async fn optimize(&self) -> Result<(), sqlx::Error> {
        if let Pool::Sqlite(pool) = self {
            sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
        }
        Ok(())
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    pub async fn execute(&self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => sqlx::query_with(sql, sqlite_args(args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            Pool::Postgres(pool) => sqlx::query_with(sql, pg_args(args)?)
                .execute(pool)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all<R: Row>(
        &self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<R>, sqlx::Error> {
        match self {
            Pool::Sqlite(pool) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_all(pool)
                    .await
            }
            Pool::Postgres(pool) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_all(pool)
                    .await
            }
        }
    }

    pub async fn fetch_optional<R: Row>(
        &self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<R>, sqlx::Error> {
        match self {
            Pool::Sqlite(pool) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_optional(pool)
                    .await
            }
            Pool::Postgres(pool) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_optional(pool)
                    .await
            }
        }
    }

    pub async fn fetch_one<R: Row>(&self, sql: &str, args: Vec<Arg>) -> Result<R, sqlx::Error> {
        match self {
            Pool::Sqlite(pool) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_one(pool)
                    .await
            }
            Pool::Postgres(pool) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_one(pool)
                    .await
            }
        }
    }

    /// Hands each row to `each` as it arrives (nothing is collected).
    pub async fn for_each_row<R: Row, E: From<sqlx::Error>>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        mut each: impl FnMut(R) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Pool::Sqlite(pool) => {
                let mut rows = sqlx::query_as_with(sql, sqlite_args(args)?).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row)?;
                }
            }
            Pool::Postgres(pool) => {
                let mut rows = sqlx::query_as_with(sql, pg_args(args)?).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(row)?;
                }
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Whether a subquery of the statement that takes the account's lock reads what is there
    /// once the lock is held: on SQLite, whose lock (the file's) is taken at `BEGIN`; not on
    /// PostgreSQL, where a subquery of a locking statement reads the snapshot from before the
    /// wait, so what the lock guards is read by a statement after it.
    pub fn subquery_sees_the_lock(&self) -> bool {
        match self {
            Tx::Sqlite(_) => true,
            Tx::Postgres(_) => false,
        }
    }

    /// What ends a `SELECT` of rows to claim: on PostgreSQL, lock them and skip those another
    /// transaction holds (so several servers share the work); SQLite has one writer anyway.
    pub fn skip_locked(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The query answering the next credit id to try: a sequence on PostgreSQL, so that
    /// several servers number accounts without waiting on one another (a number whose
    /// transaction rolls back is skipped); one past the largest on SQLite, whose one writer
    /// holds the file.
    pub fn next_credit_id(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "SELECT COALESCE(MAX(credit_id), 0) + 1 FROM accounts",
            Tx::Postgres(_) => "SELECT nextval('credit_ids')",
        }
    }

    /// `ORDER BY` of a text column in byte order ([`Pool::in_byte_order`]).
    pub fn in_byte_order(&self, column: &str) -> String {
        match self {
            Tx::Sqlite(_) => column.to_owned(),
            Tx::Postgres(_) => format!("{column} COLLATE \"C\""),
        }
    }

    pub async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Tx::Sqlite(tx) => sqlx::query_with(sql, sqlite_args(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => sqlx::query_with(sql, pg_args(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all<R: Row>(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<R>, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    pub async fn fetch_optional<R: Row>(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<R>, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_optional(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_optional(&mut **tx)
                    .await
            }
        }
    }

    pub async fn fetch_one<R: Row>(&mut self, sql: &str, args: Vec<Arg>) -> Result<R, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as_with(sql, sqlite_args(args)?)
                    .fetch_one(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                sqlx::query_as_with(sql, pg_args(args)?)
                    .fetch_one(&mut **tx)
                    .await
            }
        }
    }

    /// Runs `sql` — several statements separated by `;`, no placeholders — in one round trip.
    pub async fn execute_script(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            // A bare `&str` carries no arguments: both drivers run every statement in it.
            Tx::Sqlite(tx) => sqlx::Executor::execute(&mut **tx, sql).await.map(drop),
            Tx::Postgres(tx) => sqlx::Executor::execute(&mut **tx, sql).await.map(drop),
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}
