//! CSV import jobs (core's `import`): the job, its file in parts, its progress and its row
//! errors. A file is written in parts of at most [`PART_BYTES`] as it arrives, and read back one
//! part at a time, so no request and no worker holds a whole file; the job row is written once
//! the whole file was read and checked (parts without one are strays, see
//! [`Db::forget_stray_import_parts`]). One server works on a job at a time: it claims it with a lease (an owner token and a time)
//! and renews the lease with each batch's progress; a server that stopped mid-job leaves the
//! lease to run out, and the next claim resumes after the last batch written.

use creditdesk_core::import::{ImportKind, ImportStatus, ImportView, RowError, ERRORS_LISTED_MAX};
use creditdesk_core::Timestamp;
use sqlx::FromRow;

use super::books::time;
use super::{Db, StorageError};

/// Largest part of a stored import file, in bytes.
pub const PART_BYTES: usize = 1_048_576;

/// A job as it is written when its file is accepted (its parts written before).
#[derive(Debug, Clone)]
pub struct NewImport {
    pub id: String,
    pub kind: ImportKind,
    pub dry_run: bool,
    pub file_name: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub rows_total: u32,
    pub ignored_columns: Vec<String>,
}

/// A job claimed to be worked on: where it stands, and the claim's owner token (its file is
/// read with [`Db::import_part`]).
#[derive(Debug, Clone)]
pub struct ClaimedImport {
    pub id: String,
    pub kind: ImportKind,
    pub dry_run: bool,
    pub created_by: String,
    pub rows_total: u32,
    pub rows_done: u32,
    pub rows_failed: u32,
    pub owner: String,
}

/// What one batch of a job did.
#[derive(Debug, Clone, Default)]
pub struct ImportProgress {
    pub rows_done: u32,
    pub rows_failed: u32,
    /// The errors of this batch's rows.
    pub errors: Vec<RowError>,
}

#[derive(FromRow)]
struct ImportRow {
    id: String,
    kind: String,
    dry_run: bool,
    file_name: String,
    created_by: String,
    created_at_us: i64,
    finished_at_us: Option<i64>,
    rows_total: i32,
    rows_done: i32,
    rows_failed: i32,
    ignored_columns: String,
}

const IMPORT_COLUMNS: &str = "id, kind, dry_run, file_name, created_by, created_at_us, \
    finished_at_us, rows_total, rows_done, rows_failed, ignored_columns";

fn count(n: i32, what: &str) -> Result<u32, StorageError> {
    u32::try_from(n).map_err(|_| StorageError::corrupt(format!("{what} {n}")))
}

fn stored_count(n: u32) -> i32 {
    i32::try_from(n).expect("import counts are bounded by IMPORT_ROWS_MAX")
}

impl ImportRow {
    fn view(self, errors: Vec<RowError>) -> Result<ImportView, StorageError> {
        let rows_total = count(self.rows_total, "rows_total")?;
        let rows_done = count(self.rows_done, "rows_done")?;
        Ok(ImportView {
            kind: self.kind.parse().map_err(StorageError::corrupt)?,
            status: ImportStatus::of_progress(rows_done, rows_total),
            dry_run: self.dry_run,
            file_name: self.file_name,
            created_by: self.created_by,
            created_at: time(self.created_at_us)?,
            finished_at: self.finished_at_us.map(time).transpose()?,
            rows_total,
            rows_done,
            rows_failed: count(self.rows_failed, "rows_failed")?,
            ignored_columns: serde_json::from_str(&self.ignored_columns)
                .map_err(|e| StorageError::corrupt(format!("ignored_columns: {e}")))?,
            errors,
            id: self.id,
        })
    }
}

#[derive(FromRow)]
struct ErrorRow {
    line: i32,
    seq: i32,
    field: String,
    message: String,
}

impl Db {
    /// Writes part `seq` (0 first) of the file of job `id`, received at `at`.
    pub async fn put_import_part(
        &self,
        id: &str,
        seq: u16,
        bytes: Vec<u8>,
        at: Timestamp,
    ) -> Result<(), StorageError> {
        assert!(bytes.len() <= PART_BYTES, "a part is at most PART_BYTES");
        let sql = "INSERT INTO import_parts (import_id, seq, bytes, received_at_us) \
                   VALUES ($1, $2, $3, $4)";
        let args = vec![
            id.into(),
            i32::from(seq).into(),
            bytes.into(),
            at.unix_micros().into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }

    /// Part `seq` of the file of job `id` (`None`: the file has no more parts).
    pub async fn import_part(&self, id: &str, seq: u16) -> Result<Option<Vec<u8>>, StorageError> {
        let sql = "SELECT bytes FROM import_parts WHERE import_id = $1 AND seq = $2";
        let row: Option<(Vec<u8>,)> = self
            .pool
            .fetch_optional(sql, vec![id.into(), i32::from(seq).into()])
            .await?;
        Ok(row.map(|(bytes,)| bytes))
    }

    /// Forgets the parts of a file that became no job (refused while it arrived).
    pub async fn drop_import_parts(&self, id: &str) -> Result<(), StorageError> {
        let sql = "DELETE FROM import_parts WHERE import_id = $1";
        self.pool.execute(sql, vec![id.into()]).await?;
        Ok(())
    }

    /// Forgets parts received before `before` that belong to no job: a file whose server
    /// stopped while it arrived. How many.
    pub async fn forget_stray_import_parts(&self, before: Timestamp) -> Result<u64, StorageError> {
        let sql = "DELETE FROM import_parts WHERE received_at_us < $1 \
                   AND import_id NOT IN (SELECT id FROM imports)";
        Ok(self
            .pool
            .execute(sql, vec![before.unix_micros().into()])
            .await?)
    }

    /// Writes a new job (nothing of it done), once its file's parts are written.
    pub async fn create_import(&self, job: &NewImport) -> Result<(), StorageError> {
        let sql = "INSERT INTO imports (id, kind, dry_run, file_name, created_by, \
                   created_at_us, rows_total, ignored_columns) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let ignored = serde_json::to_string(&job.ignored_columns).expect("strings serialise");
        let args = vec![
            job.id.as_str().into(),
            job.kind.as_str().into(),
            super::engine::Arg::Bool(job.dry_run),
            job.file_name.as_str().into(),
            job.created_by.as_str().into(),
            job.created_at.unix_micros().into(),
            stored_count(job.rows_total).into(),
            ignored.into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }

    /// The job `id` with its first errors (`None`: no such job).
    pub async fn import(&self, id: &str) -> Result<Option<ImportView>, StorageError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
        let row: Option<ImportRow> = self.pool.fetch_optional(&sql, vec![id.into()]).await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let errors = self.import_errors(id, None, ERRORS_LISTED_MAX).await?;
                row.view(errors.into_iter().map(|(_, e)| e).collect())
                    .map(Some)
            }
        }
    }

    /// Jobs newest first, `limit` of them after skipping `offset`, without their errors; and
    /// how many there are.
    pub async fn imports(
        &self,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<ImportView>, u32), StorageError> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports ORDER BY created_at_us DESC, id DESC \
             LIMIT $1 OFFSET $2"
        );
        let args = vec![i64::from(limit).into(), i64::from(offset).into()];
        let rows: Vec<ImportRow> = self.pool.fetch_all(&sql, args).await?;
        let (total,): (i64,) = self
            .pool
            .fetch_one("SELECT COUNT(*) FROM imports", vec![])
            .await?;
        let views = rows
            .into_iter()
            .map(|row| row.view(Vec::new()))
            .collect::<Result<_, _>>()?;
        Ok((views, u32::try_from(total).unwrap_or(u32::MAX)))
    }

    /// Up to `limit` errors of job `id` by line, after the error at `after`, each with its
    /// position (its line and its place among that line's errors, for the next call's `after`).
    pub async fn import_errors(
        &self,
        id: &str,
        after: Option<(u32, u32)>,
        limit: u32,
    ) -> Result<Vec<((u32, u32), RowError)>, StorageError> {
        let (line, seq) = after.map_or((-1, -1), |(l, s)| (i64::from(l), i64::from(s)));
        let sql = "SELECT line, seq, field, message FROM import_errors WHERE import_id = $1 \
                   AND (line > $2 OR (line = $2 AND seq > $3)) ORDER BY line, seq LIMIT $4";
        let args = vec![id.into(), line.into(), seq.into(), i64::from(limit).into()];
        let rows: Vec<ErrorRow> = self.pool.fetch_all(sql, args).await?;
        rows.into_iter()
            .map(|row| {
                let line = count(row.line, "line")?;
                let error = RowError {
                    line,
                    field: row.field,
                    message: row.message,
                };
                Ok(((line, count(row.seq, "seq")?), error))
            })
            .collect()
    }

    /// Claims the oldest unfinished job whose lease has run out at `now`, for `lease_us`, as
    /// `owner`; `None` when there is none.
    pub async fn claim_import(
        &self,
        now: Timestamp,
        lease_us: i64,
        owner: &str,
    ) -> Result<Option<ClaimedImport>, StorageError> {
        let now_us = now.unix_micros();
        let sql = "UPDATE imports SET lease_until_us = $1, lease_owner = $2 \
                   WHERE id = (SELECT id FROM imports WHERE finished_at_us IS NULL \
                   AND lease_until_us < $3 ORDER BY created_at_us, id LIMIT 1) \
                   AND finished_at_us IS NULL AND lease_until_us < $3 \
                   RETURNING id, kind, dry_run, created_by, rows_total, rows_done, rows_failed";
        let args = vec![(now_us + lease_us).into(), owner.into(), now_us.into()];
        type Claimed = (String, String, bool, String, i32, i32, i32);
        let row: Option<Claimed> = self.pool.fetch_optional(sql, args).await?;
        let Some((id, kind, dry_run, created_by, total, done, failed)) = row else {
            return Ok(None);
        };
        Ok(Some(ClaimedImport {
            kind: kind.parse().map_err(StorageError::corrupt)?,
            rows_total: count(total, "rows_total")?,
            rows_done: count(done, "rows_done")?,
            rows_failed: count(failed, "rows_failed")?,
            owner: owner.to_owned(),
            id,
            dry_run,
            created_by,
        }))
    }

    /// Writes a batch's progress and errors, and renews the lease to `lease_until`, in one
    /// transaction — only while `job.owner` still holds the job (`false`: another took it, and
    /// nothing was written). `finished_at`: the job is done, and its file's parts are dropped.
    pub async fn record_import_progress(
        &self,
        job: &ClaimedImport,
        progress: &ImportProgress,
        lease_until: Timestamp,
        finished_at: Option<Timestamp>,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin_write().await?;
        let sql = "UPDATE imports SET rows_done = $1, rows_failed = $2, lease_until_us = $3 \
                   WHERE id = $4 AND lease_owner = $5 AND finished_at_us IS NULL";
        let args = vec![
            stored_count(progress.rows_done).into(),
            stored_count(progress.rows_failed).into(),
            lease_until.unix_micros().into(),
            job.id.as_str().into(),
            job.owner.as_str().into(),
        ];
        if tx.execute(sql, args).await? == 0 {
            return Ok(false);
        }
        let mut seq = 0;
        let mut last_line = None;
        for error in &progress.errors {
            seq = if last_line == Some(error.line) {
                seq + 1
            } else {
                0
            };
            last_line = Some(error.line);
            let sql = "INSERT INTO import_errors (import_id, line, seq, field, message) \
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
            let args = vec![
                job.id.as_str().into(),
                stored_count(error.line).into(),
                seq.into(),
                error.field.as_str().into(),
                error.message.as_str().into(),
            ];
            tx.execute(sql, args).await?;
        }
        if let Some(at) = finished_at {
            let sql = "UPDATE imports SET finished_at_us = $1 WHERE id = $2";
            tx.execute(sql, vec![at.unix_micros().into(), job.id.as_str().into()])
                .await?;
            let sql = "DELETE FROM import_parts WHERE import_id = $1";
            tx.execute(sql, vec![job.id.as_str().into()]).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
