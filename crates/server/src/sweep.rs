//! Releasing expired holds without a request touching them. Reads never count an expired hold
//! anyway; the sweep records the `Expired` status (through core's `Book::expire_holds`) so
//! searches and reports see it.

use std::time::Duration;

use creditdesk_core::Timestamp;

use crate::db::books::Reads;
use crate::db::Db;
use crate::db::StorageError;

/// Accounts handled per pass.
const ACCOUNTS_PER_PASS: i64 = 500;

/// Marks every hold whose time has passed at `now` as expired; returns how many.
pub async fn expire_holds(db: &Db, now: Timestamp) -> Result<u64, StorageError> {
    let mut expired = 0;
    loop {
        let accounts = db
            .accounts_with_expired_holds(now, ACCOUNTS_PER_PASS)
            .await?;
        if accounts.is_empty() {
            return Ok(expired);
        }
        for id in &accounts {
            let load = Reads::expiry();
            expired += db
                .with_book(id, &load, now, move |book| {
                    Ok::<_, StorageError>(
                        book.as_mut()
                            .map_or(0, |b| b.expire_holds(now).len() as u64),
                    )
                })
                .await?;
        }
    }
}

/// Marks every open invoice fallen due before `now` as overdue (core's `Book::mark_overdue`:
/// its `invoice.overdue` event goes to the outbox with the change); returns how many. One that
/// fell due while the server was down is marked at the first sweep after it comes back.
pub async fn mark_overdue(db: &Db, now: Timestamp) -> Result<u64, StorageError> {
    let mut marked = 0;
    loop {
        let accounts = db
            .accounts_with_newly_overdue(now, ACCOUNTS_PER_PASS)
            .await?;
        let mut this_pass = 0;
        for id in &accounts {
            this_pass += db
                .with_book(id, &Reads::overdue(), now, move |book| {
                    Ok::<_, StorageError>(
                        book.as_mut()
                            .map_or(0, |b| b.mark_overdue(now).len() as u64),
                    )
                })
                .await?;
        }
        marked += this_pass;
        if this_pass == 0 {
            return Ok(marked);
        }
    }
}

/// Runs [`expire_holds`] and [`mark_overdue`] every `interval` until the process ends.
pub fn spawn(db: Db, interval: Duration) {
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
            let Ok(now) = Timestamp::from_unix_micros(crate::now_us()) else {
                continue;
            };
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
        }
    });
}
