//! The physical limit: durable single-row commits per second, with nothing of Creditdesk in the
//! way, on the same disk and settings the server uses.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Executor};

/// Single-row `INSERT` commits on a SQLite file in `dir` (WAL, `synchronous=FULL`, as the
/// server runs it), one after the other for `seconds`.
pub async fn sqlite_commits(dir: &Path, seconds: f64) -> anyhow::Result<f64> {
    let path = dir.join("limit.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("limit.db{suffix}")));
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)")
        .await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut commits = 0u64;
    while Instant::now() < deadline {
        sqlx::query("INSERT INTO t (v) VALUES ($1)")
            .bind(commits as i64)
            .execute(&mut conn)
            .await?;
        commits += 1;
    }
    Ok(commits as f64 / started.elapsed().as_secs_f64())
}

/// Single-row `UPDATE` commits on PostgreSQL by `connections` clients at once (each its own row),
/// for `seconds`: with 1, the latency of one durable commit; with more, what group commit allows.
pub async fn postgres_commits(url: &str, connections: u32, seconds: f64) -> anyhow::Result<f64> {
    let mut setup = sqlx::PgConnection::connect(url).await?;
    setup
        .execute("DROP TABLE IF EXISTS bench_limit; CREATE TABLE bench_limit (id INT PRIMARY KEY, v BIGINT NOT NULL)")
        .await?;
    for id in 0..connections {
        sqlx::query("INSERT INTO bench_limit (id, v) VALUES ($1, 0)")
            .bind(id as i32)
            .execute(&mut setup)
            .await?;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for id in 0..connections {
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            let mut commits = 0u64;
            while Instant::now() < deadline {
                sqlx::query("UPDATE bench_limit SET v = v + 1 WHERE id = $1")
                    .bind(id as i32)
                    .execute(&mut conn)
                    .await?;
                commits += 1;
            }
            anyhow::Ok(commits)
        }));
    }
    let mut commits = 0;
    for task in tasks {
        commits += task.await??;
    }
    Ok(commits as f64 / started.elapsed().as_secs_f64())
}
