//! Working on CSV import jobs (core's `import` reads and applies each row; `db::imports` keeps
//! the job). A job is claimed with a lease, its rows handled in batches — rows of distinct
//! accounts side by side, so that they share group commits; a row of an account already in the
//! batch starts the next one, so rows of one account apply in file order — and each batch's
//! progress and errors written before the next begins. A server that stops mid-job resumes
//! after the last batch written once the lease runs out: rows handled again change nothing
//! (core's rows are idempotent), so nothing is written twice. A row that fails on its own (it
//! panics, or its book breaks an invariant) is recorded as its error and the job goes on: only
//! storage failing stops a job. A preview (`dryRun`) tries each row on a copy of its account's
//! book, read without a lock, and writes nothing. The file is read back a stored part at a time
//! (`JobFile`), never whole.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use creditdesk_core::book::Ctx;
use creditdesk_core::credit::PaymentLocators;
use creditdesk_core::ids::{AccountId, Actor};
use creditdesk_core::import::{self, FileReader, ImportRecord, ImportRow, RowError};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::CreditError;
use rand::Rng;

use crate::db::imports::{ClaimedImport, ImportProgress};
use crate::db::{Db, StorageError};
use crate::AppState;

/// How long a claimed job is held before another server may resume it.
pub const LEASE_US: i64 = 30 * 1_000_000;
/// Most rows handled side by side.
pub const BATCH_ROWS_MAX: usize = 256;

/// When jobs are worked on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportWork {
    /// As soon as a file is accepted, and at every sweep (jobs left by a stopped server).
    #[default]
    InBackground,
    /// Only when [`run`] is called (tests that stop a job midway).
    WhenRun,
}

/// Starts [`run`] in the background, unless the state says jobs wait to be run.
pub fn start(state: &AppState) {
    if state.import_work == ImportWork::WhenRun {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = run(&state, u32::MAX).await {
            tracing::warn!(%error, "an import stopped; it resumes at the next sweep");
        }
    });
}

/// Works on every job that can be claimed at the state's clock, until none is left or about
/// `rows_max` rows were handled (a batch is never cut); how many rows it handled.
pub async fn run(state: &AppState, rows_max: u32) -> Result<u32, StorageError> {
    let owner = format!("{:032x}", rand::rng().random::<u128>());
    let mut handled = 0;
    while handled < rows_max {
        let Some(job) = state.db.claim_import(state.now(), LEASE_US, &owner).await? else {
            break;
        };
        handled += work_on(state, &job, rows_max - handled).await?;
    }
    Ok(handled)
}

/// How a row fared: refused (its errors); failed on its own — it panicked, or its change would
/// break a book's invariant — (recorded as its error, the job goes on); or storage failed (the
/// job stops, to resume later).
enum RowFailure {
    Refused(CreditError),
    Failed(String),
    Storage(StorageError),
}

impl From<StorageError> for RowFailure {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Refused(refusal) => RowFailure::Refused(refusal),
            StorageError::Panicked | StorageError::Broken { .. } => {
                RowFailure::Failed(error.to_string())
            }
            other => RowFailure::Storage(other),
        }
    }
}

/// The error of a row that failed on its own (`why`, cut): one row, never the job.
fn failed(line: u32, why: &str) -> Vec<RowError> {
    let why = creditdesk_core::text::shorten(why, crate::background::ITEM_ERROR_CHARS_MAX);
    vec![RowError {
        line,
        field: String::new(),
        message: format!("was not handled ({why}); the other rows were: report this line"),
    }]
}

/// What every row of a job shares: the store policy as the job runs, the key that sent it.
struct JobEnv {
    config: StoreConfig,
    actor: Actor,
}

/// Handles the job's rows after those done, up to about `rows_max`; how many it handled.
async fn work_on(
    state: &AppState,
    job: &ClaimedImport,
    rows_max: u32,
) -> Result<u32, StorageError> {
    let (config, _) = state.db.store_config().await?;
    let actor = job.created_by.parse().map_err(|e| {
        StorageError::corrupt(format!("import {} by {}: {e}", job.id, job.created_by))
    })?;
    let env = Arc::new(JobEnv { config, actor });
    let mut file = JobFile::new(job);
    for _ in 0..job.rows_done {
        file.next(&state.db).await?;
    }
    let mut progress = ImportProgress {
        rows_done: job.rows_done,
        rows_failed: job.rows_failed,
        errors: Vec::new(),
    };
    let mut handled = 0;
    loop {
        let batch = next_batch(state, job.kind, &mut file).await?;
        let tried = futures::future::join_all(batch.into_iter().map(|(line, row)| {
            let row = handle(state, job, env.clone(), line, row);
            async move {
                crate::background::isolated(row)
                    .await
                    .unwrap_or_else(|panic| Ok(failed(line, &panic)))
            }
        }))
        .await;
        for errors in tried {
            let errors = errors?;
            if !errors.is_empty() {
                progress.rows_failed += 1;
                progress.errors.extend(errors);
            }
            progress.rows_done += 1;
            handled += 1;
        }
        let now = state.now();
        let lease_until =
            creditdesk_core::Timestamp::from_unix_micros(now.unix_micros() + LEASE_US)
                .unwrap_or(now);
        let finished = (progress.rows_done >= job.rows_total).then_some(now);
        if !state
            .db
            .record_import_progress(job, &progress, lease_until, finished)
            .await?
        {
            tracing::warn!(import = %job.id, "another server took this import over");
            return Ok(handled);
        }
        progress.errors.clear();
        if finished.is_some() || handled >= rows_max {
            return Ok(handled);
        }
    }
}

/// A job's file read back part by part by core's reader, its rows handed out in file order:
/// at most one part and its rows are held.
struct JobFile {
    id: String,
    reader: Option<FileReader>,
    next_part: u16,
    rows: VecDeque<ImportRecord>,
    rows_total: u32,
    rows_read: u32,
}

impl JobFile {
    fn new(job: &ClaimedImport) -> JobFile {
        JobFile {
            id: job.id.clone(),
            reader: Some(FileReader::new(job.kind)),
            next_part: 0,
            rows: VecDeque::new(),
            rows_total: job.rows_total,
            rows_read: 0,
        }
    }

    fn corrupt(&self, why: impl std::fmt::Display) -> StorageError {
        StorageError::corrupt(format!("import {}: its file {why}", self.id))
    }

    /// The next row; a file that ends before the job's count of rows is corrupt.
    async fn next(&mut self, db: &Db) -> Result<ImportRecord, StorageError> {
        loop {
            if let Some(row) = self.rows.pop_front() {
                self.rows_read += 1;
                return Ok(row);
            }
            let Some(reader) = self.reader.as_mut() else {
                let (read, total) = (self.rows_read, self.rows_total);
                return Err(self.corrupt(format!("ends after {read} of its {total} rows")));
            };
            let mut rows = Vec::new();
            let read = match db.import_part(&self.id, self.next_part).await? {
                Some(bytes) => {
                    self.next_part += 1;
                    reader.feed(&bytes, &mut rows)
                }
                None => {
                    let reader = self.reader.take().expect("read above");
                    reader.finish(&mut rows).map(drop)
                }
            };
            read.map_err(|errors| self.corrupt(format!("no longer reads: {errors}")))?;
            self.rows.extend(rows);
        }
    }

    /// Whether every row was handed out.
    fn ended(&self) -> bool {
        self.rows_read >= self.rows_total
    }

    /// Gives `row`, the last handed out, back: it is the next again.
    fn put_back(&mut self, row: ImportRecord) {
        self.rows_read -= 1;
        self.rows.push_front(row);
    }
}

/// The next rows to handle side by side, each read (or its errors): at most
/// [`BATCH_ROWS_MAX`], ending before a second row of one account.
async fn next_batch(
    state: &AppState,
    kind: import::ImportKind,
    file: &mut JobFile,
) -> Result<Vec<(u32, Result<ImportRow, Vec<RowError>>)>, StorageError> {
    let mut accounts: HashSet<AccountId> = HashSet::new();
    let mut batch = Vec::new();
    while batch.len() < BATCH_ROWS_MAX && !file.ended() {
        let record = file.next(&state.db).await?;
        let read = std::panic::catch_unwind(|| import::read_row(kind, &record));
        let row = read.unwrap_or_else(|_| Err(failed(record.line, "its reader failed")));
        if let Ok(row) = &row {
            if !accounts.insert(row.account().clone()) {
                file.put_back(record);
                break;
            }
        }
        batch.push((record.line, row));
    }
    Ok(batch)
}

/// One row: its errors (none: written, or for a preview, it would be).
async fn handle(
    state: &AppState,
    job: &ClaimedImport,
    env: Arc<JobEnv>,
    line: u32,
    row: Result<ImportRow, Vec<RowError>>,
) -> Result<Vec<RowError>, StorageError> {
    let row = match row {
        Ok(row) => row,
        Err(errors) => return Ok(errors),
    };
    let now = state.now();
    let locators = PaymentLocators::at(now, rand::rng().random());
    let (id, reads) = (row.account().clone(), row.reads());
    let tried = if job.dry_run {
        let mut slot = state.db.read_book(&id, &reads, now).await?;
        let ctx = Ctx {
            now,
            actor: &env.actor,
            config: &env.config,
        };
        import::apply(&mut slot, &row, &locators, &ctx).map_err(RowFailure::Refused)
    } else {
        state
            .db
            .with_book(&id, &reads, now, move |slot| {
                let ctx = Ctx {
                    now,
                    actor: &env.actor,
                    config: &env.config,
                };
                import::apply(slot, &row, &locators, &ctx).map_err(RowFailure::Refused)
            })
            .await
    };
    match tried {
        Ok(()) => Ok(Vec::new()),
        Err(RowFailure::Refused(refusal)) => Ok(import::refusal(line, refusal)),
        Err(RowFailure::Failed(why)) => Ok(failed(line, &why)),
        Err(RowFailure::Storage(error)) => Err(error),
    }
}
