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
    pub async fn run(self, db: &Db, now: Timestamp) -> Result<u64, StorageError> {
        let mut changed = 0;
        loop {
            let mut this_pass = 0;
            for id in &self.accounts(db, now).await? {
                this_pass += db
                    .with_book(id, &self.reads(), now, move |book| {
                        Ok::<_, StorageError>(book.as_mut().map_or(0, |b| self.apply(b, now)))
                    })
                    .await?;
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

/// Runs [`expire_holds`] and [`mark_overdue`] every `interval` at the state's clock, and
/// resumes import jobs left unfinished, until the process ends.
pub fn spawn(state: crate::AppState, interval: Duration) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut optimized = tokio::time::Instant::now();
        loop {
            ticker.tick().await;
            if optimized.elapsed() >= Duration::from_secs(3600) {
                optimized = tokio::time::Instant::now();
                if let Err(error) = db.optimize().await {
                    tracing::warn!(%error, "could not refresh the query planner's statistics");
                }
            }
            let now = state.now();
            if let Err(error) = db
                .forget_idempotency_before(now.unix_micros() - crate::idempotency::KEEP_US)
                .await
            {
                tracing::warn!(%error, "could not forget old idempotency keys");
            }
            match expire_holds(&db, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "released expired holds"),
                Err(error) => tracing::warn!(%error, "expiry sweep failed; it runs again shortly"),
            }
            match mark_overdue(&db, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(overdue = n, "invoices fell overdue"),
                Err(error) => tracing::warn!(%error, "overdue sweep failed; it runs again shortly"),
            }
            if let Err(error) = db.forget_buyer_links_before(now).await {
                tracing::warn!(%error, "could not forget ended My Credits links and sessions");
            }
            // Import jobs a stopped server left (their lease run out) resume.
            crate::imports::start(&state);
        }
    });
}
