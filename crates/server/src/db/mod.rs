//! Storage: one SQLite file or one PostgreSQL database, behind one type. It knows core and sqlx,
//! not HTTP: its failures are [`StorageError`]s, which the server maps to statuses in one place.
//!
//! Both engines run the same SQL text; what differs between them is in [`engine`]. Writes to an
//! account go through group commit ([`commit`]). Money is stored as integer minor units or exact
//! decimal text; times as microseconds since the Unix epoch (`*_us`).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use creditdesk_core::ids::TenantLocator;
use creditdesk_core::store_config::StoreConfig;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use engine::{Arg, Pool};

/// The store's database: a pool of connections and the group-commit lanes writing through it.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    /// What the group-commit writers write through ([`Pool::for_writers`]).
    writes: Pool,
    lanes: Arc<commit::Lanes>,
    /// The store's tenant locator, set with the database and never changed.
    tenant: TenantLocator,
}

pub mod books;
pub mod buyers;
pub mod commit;
pub mod company;
pub mod dashboard;
pub mod engine;
pub mod error;
pub mod imports;
pub mod outbox;
pub mod reminders;
pub mod search;

pub use error::StorageError;

/// SQLite durability. `Full`: a commit is on disk before it is acknowledged (survives power
/// loss). `Normal`: faster; a crash of the machine may lose the last commits, never corrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Full,
    Normal,
}

/// What the store holds for an idempotency key.
pub enum StoredReply {
    /// Nothing (or only an expired reply).
    Absent,
    /// A request under this key has not finished.
    InFlight,
    /// The reply to the request with this hash.
    Reply {
        request_sha256: String,
        status: u16,
        body: String,
    },
}

/// SQL for a hold core's `Transaction::reserved` counts (`t.` prefixes the columns when
/// `table` is `Some("t")`): still `Authorized`, whatever its time.
pub(crate) fn reserved_hold_sql(table: Option<&str>) -> String {
    let t = table.map(|t| format!("{t}.")).unwrap_or_default();
    format!("{t}status = 'Authorized'")
}

/// SQL for core's `Transaction::is_active`: a reserved hold before its time, `now` being the
/// given placeholder.
pub(crate) fn active_hold_sql(table: Option<&str>, now: &str) -> String {
    let t = table.map(|t| format!("{t}.")).unwrap_or_default();
    format!("{} AND {t}expires_at_us > {now}", reserved_hold_sql(table))
}

/// SQL for a hold `Book::expire_holds` would expire at `now` (reserved, time passed).
pub(crate) fn expired_hold_sql(now: &str) -> String {
    format!("{} AND expires_at_us <= {now}", reserved_hold_sql(None))
}

/// An API key as stored.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub app_key: String,
    pub token_sha256: String,
    pub resources: String,
    pub label: String,
    pub created_at_us: i64,
}

/// What [`Db::upsert_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUpsert {
    /// The key is stored with the given token, resources and label.
    Stored,
    /// The key was revoked then; it stays revoked.
    Revoked { revoked_at_us: i64 },
}

/// The store's tenant locator: made by the first server to start on the database (the update
/// sets it only while it is unset, so servers starting together agree), then read.
async fn tenant_locator(pool: &Pool) -> anyhow::Result<TenantLocator> {
    let made = TenantLocator::from_random(rand::random());
    let sql = "UPDATE store_config SET tenant_locator = $1 WHERE id = 1 AND tenant_locator IS NULL";
    pool.execute(sql, vec![made.as_str().into()]).await?;
    let sql = "SELECT tenant_locator FROM store_config WHERE id = 1";
    let (text,): (Option<String>,) = pool.fetch_one(sql, Vec::new()).await?;
    let text = text.context("the store has no tenant locator")?;
    text.parse()
        .map_err(|e| anyhow::anyhow!("the stored tenant locator {text:?} {e}"))
}

impl Db {
    /// Opens (and for SQLite creates) the database named by `url` and runs the migrations.
    pub async fn connect(url: &str, synchronous: Synchronous) -> anyhow::Result<Db> {
        let pool = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Pool::Sqlite(open_sqlite(Path::new(path), synchronous).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .with_context(|| {
                    format!("cannot connect to PostgreSQL at {}: is it running, and does the database exist?", redact(url))
                })?;
            Pool::Postgres(pool)
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite:// (a file) or postgres:// (a server), not {:?}",
                redact(url)
            );
        };
        pool.migrate()
            .await
            .context("cannot migrate the database to this version of Creditdesk")?;
        let tenant = tenant_locator(&pool).await?;
        let db = Db {
            writes: pool.for_writers(),
            pool,
            lanes: Arc::default(),
            tenant,
        };
        db.optimize().await?;
        let upgraded = db.upgrade_legacy_payments().await?;
        if upgraded > 0 {
            tracing::info!(
                "gave {upgraded} invoices paid before credits existed their payment credit"
            );
        }
        Ok(db)
    }

    /// The connections, for SQL outside the storage floor's own (tests, tools).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// How many commands each commit carried since the process started: `(size, commits)`.
    pub fn batch_sizes(&self) -> Vec<(u32, u64)> {
        self.lanes.stats.sizes()
    }

    /// How long the writers have been at work since the process started, in µs (summed over
    /// lanes: PostgreSQL's run side by side).
    pub fn writers_busy_us(&self) -> u64 {
        self.lanes.stats.busy_us()
    }

    /// Keeps the query planner's statistics current ([`Pool::optimize`]).
    pub async fn optimize(&self) -> anyhow::Result<()> {
        Ok(self.pool.optimize().await?)
    }

    pub fn engine(&self) -> &'static str {
        self.pool.engine()
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        self.pool.execute("SELECT 1", Vec::new()).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await
    }

    /// The store's tenant locator (the billing-credits API's `{tenantLocator}`).
    pub fn tenant(&self) -> &TenantLocator {
        &self.tenant
    }

    /// The current configuration and its version (0 = never written, the defaults).
    pub async fn store_config(&self) -> Result<(StoreConfig, i64), StorageError> {
        let sql = "SELECT document, version FROM store_config WHERE id = 1";
        let (document, version): (Option<String>, i64) =
            self.pool.fetch_one(sql, Vec::new()).await?;
        let config = match document {
            None => StoreConfig::default(),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| StorageError::corrupt(format!("store configuration: {e}")))?,
        };
        Ok((config, version))
    }

    /// Writes `config` (replacing `previous`) if the stored version is still
    /// `expected_version`; `false` if another writer got there first (the caller re-reads and
    /// retries). When it times reminders otherwise, what was not sent is rescheduled in the
    /// same transaction.
    pub async fn replace_store_config(
        &self,
        previous: &StoreConfig,
        config: &StoreConfig,
        expected_version: i64,
        now_us: i64,
        actor: &str,
    ) -> Result<bool, StorageError> {
        let document = serde_json::to_string(config).expect("a configuration serializes");
        let sql = "UPDATE store_config SET document = $1, version = version + 1, \
                   updated_at_us = $2, updated_by = $3 WHERE id = 1 AND version = $4";
        let args = vec![
            document.into(),
            now_us.into(),
            actor.into(),
            expected_version.into(),
        ];
        let mut tx = self.pool.begin_write().await?;
        let replaced = tx.execute(sql, args).await? == 1;
        if replaced && !previous.times_reminders_as(config) {
            let now = books::time(now_us)?;
            reminders::reschedule(&mut tx, now).await?;
        }
        tx.commit().await?;
        Ok(replaced)
    }

    pub async fn count_active_keys(&self) -> Result<i64, StorageError> {
        let sql = "SELECT COUNT(*) FROM api_keys WHERE revoked_at_us IS NULL";
        let (count,): (i64,) = self.pool.fetch_one(sql, Vec::new()).await?;
        Ok(count)
    }

    /// Creates the key, or replaces its token, resources and label if it exists and is active.
    /// A revoked key stays revoked: the answer is `Revoked` with when, and nothing is written.
    pub async fn upsert_key(&self, key: &StoredKey) -> Result<KeyUpsert, StorageError> {
        let sql = "INSERT INTO api_keys (app_key, token_sha256, resources, label, created_at_us) \
                   VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (app_key) DO UPDATE SET token_sha256 = excluded.token_sha256, \
                   resources = excluded.resources, label = excluded.label \
                   WHERE api_keys.revoked_at_us IS NULL";
        let args = vec![
            key.app_key.as_str().into(),
            key.token_sha256.as_str().into(),
            key.resources.as_str().into(),
            key.label.as_str().into(),
            key.created_at_us.into(),
        ];
        if self.pool.execute(sql, args).await? == 1 {
            return Ok(KeyUpsert::Stored);
        }
        let sql = "SELECT revoked_at_us FROM api_keys WHERE app_key = $1";
        let (revoked_at_us,): (Option<i64>,) = self
            .pool
            .fetch_one(sql, vec![key.app_key.as_str().into()])
            .await?;
        let revoked_at_us = revoked_at_us.ok_or_else(|| {
            StorageError::corrupt("a key neither stored nor revoked: the upsert is broken")
        })?;
        Ok(KeyUpsert::Revoked { revoked_at_us })
    }

    /// Every key, newest first, revoked ones too: (key, revoked at).
    pub async fn list_keys(&self) -> Result<Vec<(StoredKey, Option<i64>)>, StorageError> {
        let sql = "SELECT app_key, token_sha256, resources, label, created_at_us, revoked_at_us \
                   FROM api_keys ORDER BY created_at_us DESC, app_key";
        let rows: Vec<(String, String, String, String, i64, Option<i64>)> =
            self.pool.fetch_all(sql, Vec::new()).await?;
        Ok(rows
            .into_iter()
            .map(
                |(app_key, token_sha256, resources, label, created_at_us, revoked)| {
                    (
                        StoredKey {
                            app_key,
                            token_sha256,
                            resources,
                            label,
                            created_at_us,
                        },
                        revoked,
                    )
                },
            )
            .collect())
    }

    /// Revokes an active key; `false` when there is no such active key.
    pub async fn revoke_key(&self, app_key: &str, now_us: i64) -> Result<bool, StorageError> {
        let sql =
            "UPDATE api_keys SET revoked_at_us = $1 WHERE app_key = $2 AND revoked_at_us IS NULL";
        let args = vec![now_us.into(), app_key.into()];
        Ok(self.pool.execute(sql, args).await? == 1)
    }

    /// Accounts with holds still `Authorized` past their time (for the expiry sweep).
    pub async fn accounts_with_expired_holds(
        &self,
        now: creditdesk_core::Timestamp,
        limit: i64,
    ) -> Result<Vec<creditdesk_core::ids::AccountId>, StorageError> {
        let sql = format!(
            "SELECT DISTINCT account_id FROM transactions WHERE {} LIMIT $2",
            expired_hold_sql("$1")
        );
        let args = vec![now.unix_micros().into(), limit.into()];
        let rows: Vec<(String,)> = self.pool.fetch_all(&sql, args).await?;
        rows.into_iter()
            .map(|(id,)| {
                id.parse()
                    .map_err(|e| StorageError::corrupt(format!("account id {id:?}: {e}")))
            })
            .collect()
    }

    /// Accounts with an open invoice fallen due before `now` and not yet marked overdue (core's
    /// `Read::NewlyOverdue`), at most `limit`.
    pub async fn accounts_with_newly_overdue(
        &self,
        now: creditdesk_core::Timestamp,
        limit: i64,
    ) -> Result<Vec<creditdesk_core::ids::AccountId>, StorageError> {
        let sql = "SELECT DISTINCT account_id FROM invoices WHERE status = 'Opened' \
                   AND overdue_at_us IS NULL AND due_date_us < $1 LIMIT $2";
        let args = vec![now.unix_micros().into(), limit.into()];
        let rows: Vec<(String,)> = self.pool.fetch_all(sql, args).await?;
        rows.into_iter()
            .map(|(id,)| {
                id.parse()
                    .map_err(|e| StorageError::corrupt(format!("account id {id:?}: {e}")))
            })
            .collect()
    }

    /// What is kept for this idempotency key (replies older than `cutoff_us` count as absent).
    pub async fn idempotent_reply(
        &self,
        app_key: &str,
        key: &str,
        cutoff_us: i64,
    ) -> Result<StoredReply, StorageError> {
        let sql = "SELECT request_sha256, status, body FROM idempotency \
                   WHERE app_key = $1 AND idempotency_key = $2 AND created_at_us >= $3";
        let args = vec![app_key.into(), key.into(), cutoff_us.into()];
        let row: Option<(String, i32, String)> = self.pool.fetch_optional(sql, args).await?;
        Ok(match row {
            None => StoredReply::Absent,
            Some((_, 0, _)) => StoredReply::InFlight,
            Some((request_sha256, status, body)) => StoredReply::Reply {
                request_sha256,
                status: u16::try_from(status).unwrap_or(500),
                body,
            },
        })
    }

    /// Reserves the key for a request about to run; `false` if another holds it.
    pub async fn reserve_idempotency_key(
        &self,
        app_key: &str,
        key: &str,
        request_sha256: &str,
        now_us: i64,
        cutoff_us: i64,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin_write().await?;
        let sql = "DELETE FROM idempotency WHERE app_key = $1 AND idempotency_key = $2 \
                   AND created_at_us < $3";
        tx.execute(sql, vec![app_key.into(), key.into(), cutoff_us.into()])
            .await?;
        let sql = "INSERT INTO idempotency (app_key, idempotency_key, request_sha256, status, \
                   body, created_at_us) VALUES ($1, $2, $3, 0, '', $4) \
                   ON CONFLICT (app_key, idempotency_key) DO NOTHING";
        let args = vec![
            app_key.into(),
            key.into(),
            request_sha256.into(),
            now_us.into(),
        ];
        let inserted = tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(inserted == 1)
    }

    /// Keeps the reply of a reserved key.
    pub async fn complete_idempotency_key(
        &self,
        app_key: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StorageError> {
        let sql = "UPDATE idempotency SET status = $1, body = $2 \
                   WHERE app_key = $3 AND idempotency_key = $4";
        let args = vec![
            i32::from(status).into(),
            body.into(),
            app_key.into(),
            key.into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }

    /// Drops a reservation whose reply is not kept.
    pub async fn release_idempotency_key(
        &self,
        app_key: &str,
        key: &str,
    ) -> Result<(), StorageError> {
        let sql =
            "DELETE FROM idempotency WHERE app_key = $1 AND idempotency_key = $2 AND status = 0";
        self.pool
            .execute(sql, vec![app_key.into(), key.into()])
            .await?;
        Ok(())
    }

    /// Forgets replies older than `cutoff_us`.
    pub async fn forget_idempotency_before(&self, cutoff_us: i64) -> Result<u64, StorageError> {
        let sql = "DELETE FROM idempotency WHERE created_at_us < $1";
        Ok(self.pool.execute(sql, vec![cutoff_us.into()]).await?)
    }

    /// The active (not revoked) key with this id.
    /// The active key whose token has this SHA-256 (`None` also when two keys share it: a
    /// bearer token must name one key).
    pub async fn active_key_by_token(
        &self,
        token_sha256: &str,
    ) -> Result<Option<StoredKey>, StorageError> {
        let sql = "SELECT app_key, token_sha256, resources, label, created_at_us FROM api_keys \
                   WHERE token_sha256 = $1 AND revoked_at_us IS NULL LIMIT 2";
        let mut rows: Vec<(String, String, String, String, i64)> =
            self.pool.fetch_all(sql, vec![token_sha256.into()]).await?;
        if rows.len() != 1 {
            return Ok(None);
        }
        let (app_key, token_sha256, resources, label, created_at_us) = rows.remove(0);
        Ok(Some(StoredKey {
            app_key,
            token_sha256,
            resources,
            label,
            created_at_us,
        }))
    }

    pub async fn active_key(&self, app_key: &str) -> Result<Option<StoredKey>, StorageError> {
        let sql = "SELECT app_key, token_sha256, resources, label, created_at_us FROM api_keys \
                   WHERE app_key = $1 AND revoked_at_us IS NULL";
        let row: Option<(String, String, String, String, i64)> =
            self.pool.fetch_optional(sql, vec![app_key.into()]).await?;
        Ok(row.map(
            |(app_key, token_sha256, resources, label, created_at_us)| StoredKey {
                app_key,
                token_sha256,
                resources,
                label,
                created_at_us,
            },
        ))
    }
}

async fn open_sqlite(path: &Path, synchronous: Synchronous) -> anyhow::Result<SqlitePool> {
    private_file(path)?;
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .with_context(|| format!("invalid SQLite path {}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match synchronous {
            Synchronous::Full => SqliteSynchronous::Full,
            Synchronous::Normal => SqliteSynchronous::Normal,
        })
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))
}

/// Makes the database file (and its folder, when missing) readable by this user only: the folder
/// 0700, the file 0600, created empty before SQLite opens it. SQLite gives the WAL and
/// shared-memory files the mode of the database file, so they are 0600 too. An existing file
/// that others may read is left as it is, with a warning saying how to close it.
fn private_file(path: &Path) -> anyhow::Result<()> {
    let text = path.to_string_lossy();
    if text.starts_with(':') || text.starts_with("file:") {
        return Ok(()); // in memory, or a URI SQLite opens itself
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)?.permissions().mode();
                if mode & 0o077 != 0 {
                    tracing::warn!(
                        path = %path.display(),
                        mode = format!("{:o}", mode & 0o777),
                        "the database file can be read by other users; `chmod 600` it and its -wal and -shm files"
                    );
                }
            }
            Ok(())
        }
        Err(error) => Err(error)
            .with_context(|| format!("cannot create the SQLite database {}", path.display())),
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        for (url, expect) in [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("sqlite://./data/x.db", "sqlite://./data/x.db"),
        ] {
            assert_eq!(redact(url), expect);
        }
    }
}
