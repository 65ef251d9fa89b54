//! Releasing expired holds without a request touching them. Reads never count an expired hold
//! anyway; the sweep records the `Expired` status (through core's `Book::expire_holds`) so
//! searches and reports see it.

use std::time::Duration;

use creditdesk_core::book::Book;
use creditdesk_core::ids::AccountId;
use creditdesk_core::Timestamp;

use crate::db::books::Reads;
use crate::db::Db;
use crate::db::StorageError;

/// Accounts handled per pass.
const ACCOUNTS_PER_PASS: i64 = 500;

/// What a sweep does to each account it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Holds whose time has passed become `Expired` (core's `Book::expire_holds`).
    ExpireHolds,
    /// Open invoices fallen due are marked overdue, their `invoice.overdue` event written with
    /// the mark (core's `Book::mark_overdue`).
    MarkOverdue,
}

impl Sweep {
    async fn accounts(self, db: &Db, now: Timestamp) -> Result<Vec<AccountId>, StorageError> {
        match self {
            Sweep::ExpireHolds => db.accounts_with_expired_holds(now, ACCOUNTS_PER_PASS).await,
            Sweep::MarkOverdue => db.accounts_with_newly_overdue(now, ACCOUNTS_PER_PASS).await,
        }
    }

    fn reads(self) -> Reads {
        match self {
            Sweep::ExpireHolds => Reads::expiry(),
            Sweep::MarkOverdue => Reads::overdue(),
        }
    }

    /// What it changed on one book.
    fn apply(self, book: &mut Book, now: Timestamp) -> u64 {
        let changed = match self {
            Sweep::ExpireHolds => book.expire_holds(now).len(),
            Sweep::MarkOverdue => book.mark_overdue(now).len(),
        };
        changed as u64
    }

    /// Runs the sweep over every account that needs it at `now`; returns how many things it
    /// changed. What came due while the server was down is handled by the first sweep after.
    /// One account that fails (its book refused by storage, or a panic) is logged and left
    /// for the next sweep; the others go on.
    pub async fn run(self, db: &Db, now: Timestamp) -> Result<u64, StorageError> {
        let mut changed = 0;
        let reads = self.reads();
        loop {
            let mut this_pass = 0;
            for id in &self.accounts(db, now).await? {
                let one = db.with_book(id, &reads, now, move |book| {
                    Ok::<_, StorageError>(book.as_mut().map_or(0, |b| self.apply(b, now)))
                });
                match crate::background::isolated(one).await {
                    Ok(Ok(n)) => this_pass += n,
                    Ok(Err(error)) => {
                        tracing::warn!(account = %id, %error, sweep = ?self, "an account was not swept; the next sweep retries it");
                    }
                    Err(panicked) => {
                        tracing::error!(account = %id, error = %panicked, sweep = ?self, "an account was not swept; the next sweep retries it");
                    }
                }
            }
            changed += this_pass;
            if this_pass == 0 {
                return Ok(changed);
            }
        }
    }
}

/// Marks every hold whose time has passed at `now` as expired; returns how many.
pub async fn expire_holds(db: &Db, now: Timestamp) -> Result<u64, StorageError> {
    Sweep::ExpireHolds.run(db, now).await
}

/// Marks every open invoice fallen due before `now` as overdue; returns how many.
pub async fn mark_overdue(db: &Db, now: Timestamp) -> Result<u64, StorageError> {
    Sweep::MarkOverdue.run(db, now).await
}

/// The sweep's background loop, as `/healthz` names it.
pub const LOOP: &str = "sweep";

/// How long the parts of a file that became no job are kept (a server stopped while the file
/// arrived): far longer than any upload may take.
pub const STRAY_IMPORT_PARTS_KEPT_US: i64 = 24 * 3_600 * 1_000_000;

/// One sweep at the state's clock: old idempotency keys forgotten, expired holds released,
/// overdue invoices marked, ended My Credits links forgotten, import jobs left unfinished
/// resumed and stray parts of import files forgotten. Each part runs whatever the others did; the first failure is the round's.
pub async fn round(state: &crate::AppState) -> Result<(), StorageError> {
    let (db, now) = (&state.db, state.now());
    let forgotten = db
        .forget_idempotency_before(now.unix_micros() - crate::idempotency::KEEP_US)
        .await;
    let expired = expire_holds(db, now).await;
    if let Ok(n @ 1..) = expired {
        tracing::info!(expired = n, "released expired holds");
    }
    let overdue = mark_overdue(db, now).await;
    if let Ok(n @ 1..) = overdue {
        tracing::info!(overdue = n, "invoices fell overdue");
    }
    let links = db.forget_buyer_links_before(now).await;
    let kept_from = Timestamp::from_unix_micros(now.unix_micros() - STRAY_IMPORT_PARTS_KEPT_US);
    let strays = db
        .forget_stray_import_parts(kept_from.unwrap_or(Timestamp::MIN))
        .await;
    // Import jobs a stopped server left (their lease run out) resume.
    crate::imports::start(state);
    forgotten
        .and(expired.map(drop))
        .and(overdue.map(drop))
        .and(links.map(drop))
        .and(strays.map(drop))
}

/// Runs [`round`] every `interval` (the first at start), and refreshes the query planner's
/// statistics hourly, until the process ends.
pub fn spawn(state: &crate::AppState, interval: Duration) {
    let optimized = std::sync::Arc::new(std::sync::Mutex::new(tokio::time::Instant::now()));
    crate::background::spawn(
        state,
        LOOP,
        interval,
        crate::background::FirstRound::AtStart,
        move |state| {
            let optimized = optimized.clone();
            async move {
                let due = {
                    let mut last = optimized.lock().unwrap_or_else(|p| p.into_inner());
                    let due = last.elapsed() >= Duration::from_secs(3600);
                    if due {
                        *last = tokio::time::Instant::now();
                    }
                    due
                };
                if due {
                    if let Err(error) = state.db.optimize().await {
                        tracing::warn!(%error, "could not refresh the query planner's statistics");
                    }
                }
                round(&state).await
            }
        },
    );
}
