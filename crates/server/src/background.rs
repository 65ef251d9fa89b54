//! The server's background loops — the sweep, the deliveries (reminders and webhooks), the
//! emails — and what `/healthz` says of them.
//!
//! A loop runs one round per interval. One bad item fails alone: its work runs under
//! [`isolated`], so a panic in it is that item's recorded error and the round goes on. A round
//! that fails (storage) or panics is recorded and the next round runs on time. Each loop keeps
//! its [`LoopHealth`]: when its last round succeeded, its last failure, and whether it has
//! stopped (its task ended) or is stuck (one round running past [`ROUND_STUCK_US`]); either
//! makes `/healthz` non-ok.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use creditdesk_core::Timestamp;
use futures::FutureExt;
use serde::Serialize;

use crate::AppState;

/// A round still running this long after it began makes its loop `stuck`.
pub const ROUND_STUCK_US: i64 = 15 * 60 * 1_000_000;
/// Most characters of a failure kept and shown: a loop's, and a single item's (an email's or a
/// webhook attempt's error, as stored with it).
pub const ITEM_ERROR_CHARS_MAX: u32 = 200;

/// How a loop is doing, as `/healthz` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LoopState {
    /// Its last round succeeded (or its first has not ended yet).
    Running,
    /// Its last round failed; the next one retries.
    Failing,
    /// One round has run past [`ROUND_STUCK_US`].
    Stuck,
    /// Its task ended: nothing it does happens any more.
    Stopped,
}

impl LoopState {
    /// Whether the server is healthy with a loop in this state.
    pub fn is_ok(self) -> bool {
        matches!(self, LoopState::Running | LoopState::Failing)
    }
}

/// What one loop last did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopHealth {
    pub state: LoopState,
    pub interval_seconds: u64,
    /// When its last successful round ended.
    pub last_round_at: Option<Timestamp>,
    pub last_failure_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Items that failed alone since start (their rounds went on).
    pub items_failed: u64,
    #[serde(skip)]
    round_started_at: Option<Timestamp>,
    #[serde(skip)]
    ended: bool,
}

/// Every loop's health, shared by the loops and `/healthz`.
#[derive(Debug, Clone, Default)]
pub struct Loops(Arc<Mutex<BTreeMap<&'static str, LoopHealth>>>);

impl Loops {
    fn update(&self, name: &'static str, change: impl FnOnce(&mut LoopHealth)) {
        let mut loops = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(health) = loops.get_mut(name) {
            change(health);
        }
    }

    fn register(&self, name: &'static str, interval: Duration) {
        let health = LoopHealth {
            state: LoopState::Running,
            interval_seconds: interval.as_secs(),
            last_round_at: None,
            last_failure_at: None,
            last_error: None,
            items_failed: 0,
            round_started_at: None,
            ended: false,
        };
        let mut loops = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loops.insert(name, health);
    }

    /// Counts an item of loop `name` that failed alone.
    pub fn item_failed(&self, name: &'static str, error: &str, now: Timestamp) {
        self.update(name, |health| {
            health.items_failed += 1;
            health.last_failure_at = Some(now);
            health.last_error = Some(creditdesk_core::text::shorten(error, ITEM_ERROR_CHARS_MAX));
        });
    }

    /// Every loop at `now`, by name.
    pub fn report(&self, now: Timestamp) -> BTreeMap<&'static str, LoopHealth> {
        let loops = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut report = loops.clone();
        for health in report.values_mut() {
            let running_us = health
                .round_started_at
                .map(|at| now.unix_micros() - at.unix_micros());
            if health.ended {
                health.state = LoopState::Stopped;
            } else if running_us.is_some_and(|us| us > ROUND_STUCK_US) {
                health.state = LoopState::Stuck;
            }
        }
        report
    }
}

/// Marks its loop stopped when its task ends, however it ends.
struct EndGuard {
    loops: Loops,
    name: &'static str,
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.loops.update(self.name, |health| health.ended = true);
        tracing::error!(task = self.name, "a background task stopped");
    }
}

/// Runs `work`; a panic inside it is returned as its message instead of unwinding further, so
/// one item (or one round) fails alone.
pub async fn isolated<T>(work: impl Future<Output = T>) -> Result<T, String> {
    AssertUnwindSafe(work)
        .catch_unwind()
        .await
        .map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            format!("the server failed on this item ({message})")
        })
}

/// When a loop's first round runs.
#[derive(Debug, Clone, Copy)]
pub enum FirstRound {
    AtStart,
    AfterInterval,
}

/// Starts loop `name`: `round` every `interval` at the state's clock, until the process ends.
pub fn spawn<F, Fut, E>(
    state: &AppState,
    name: &'static str,
    interval: Duration,
    first: FirstRound,
    round: F,
) where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    state.loops.register(name, interval);
    let state = state.clone();
    tokio::spawn(async move {
        let _guard = EndGuard {
            loops: state.loops.clone(),
            name,
        };
        let start = match first {
            FirstRound::AtStart => tokio::time::Instant::now(),
            FirstRound::AfterInterval => tokio::time::Instant::now() + interval,
        };
        let mut ticker = tokio::time::interval_at(start, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let began = state.now();
            state
                .loops
                .update(name, |health| health.round_started_at = Some(began));
            let outcome = match isolated(round(state.clone())).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(error.to_string()),
                Err(panicked) => Err(panicked),
            };
            finish_round(&state, name, outcome);
        }
    });
}

fn finish_round(state: &AppState, name: &'static str, outcome: Result<(), String>) {
    let now = state.now();
    if let Err(error) = &outcome {
        tracing::warn!(task = name, %error, "a background round failed; the next one retries");
    }
    state.loops.update(name, |health| {
        health.round_started_at = None;
        match outcome {
            Ok(()) => {
                health.state = LoopState::Running;
                health.last_round_at = Some(now);
            }
            Err(error) => {
                health.state = LoopState::Failing;
                health.last_failure_at = Some(now);
                health.last_error =
                    Some(creditdesk_core::text::shorten(&error, ITEM_ERROR_CHARS_MAX));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_the_items_error_and_the_caller_goes_on() {
        let panicked = isolated(async {
            let mut text = "é".repeat(3);
            text.truncate(1);
        })
        .await;
        let error = panicked.unwrap_err();
        assert!(
            error.starts_with("the server failed on this item (") && error.contains("char"),
            "{error}"
        );
        assert_eq!(isolated(async { 7 }).await, Ok(7));
    }

    #[test]
    fn a_loop_whose_task_ended_is_stopped_and_a_long_round_stuck() {
        let loops = Loops::default();
        let t = |s: i64| Timestamp::from_unix_micros(s * 1_000_000).unwrap();
        loops.register("a", Duration::from_secs(5));
        loops.register("b", Duration::from_secs(5));
        loops.update("b", |h| h.round_started_at = Some(t(0)));
        let report = loops.report(t(60));
        assert_eq!(report["a"].state, LoopState::Running);
        assert_eq!(report["b"].state, LoopState::Running);
        assert_eq!(loops.report(t(16 * 60))["b"].state, LoopState::Stuck);
        drop(EndGuard {
            loops: loops.clone(),
            name: "a",
        });
        assert_eq!(loops.report(t(60))["a"].state, LoopState::Stopped);
        assert!(!LoopState::Stopped.is_ok() && !LoopState::Stuck.is_ok());
    }
}
