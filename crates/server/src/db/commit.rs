//! Group commit: the commands queued on one [`Lane`] run back to back in one transaction — a
//! savepoint each, so a refused or failed command rolls back alone and gets its own answer —
//! and every one of them is answered only after the one commit is durable.
//!
//! A lane has at most one writer task in this process. The first command on an idle lane starts
//! it at once (under light load a command waits for nobody); commands that arrive while it works
//! queue and join its current batch until the batch holds [`BATCH_COMMANDS_MAX`] commands or has
//! run for [`BATCH_TIME_MAX`], then the next. The writer ends when its lane is empty.
//!
//! The events of the batch's commands (the outbox rows) are written together in one statement
//! just before the commit, those of a command that rolled back left out.
//!
//! SQLite has one lane for the file (one writer at a time in any case: the queue replaces the
//! busy handler's sleeps). PostgreSQL has one per account: commands on a hot account share its
//! row lock and its commit, other accounts write in parallel, and the row lock still serialises
//! writers of other processes.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use creditdesk_core::book::Book;
use creditdesk_core::ids::AccountId;
use creditdesk_core::reads::Reads;
use creditdesk_core::Timestamp;
use tokio::sync::oneshot;

use super::books::{check, load, write};
use super::engine::{Lane, Pool, Tx};
use super::outbox::{insert_events, OutboxRow};
use super::StorageError;

/// The most commands one commit carries.
pub const BATCH_COMMANDS_MAX: usize = 64;
/// How long a batch keeps taking newly queued commands before it commits.
pub const BATCH_TIME_MAX: Duration = Duration::from_millis(4);

/// A command on one account, waiting for its lane's writer.
struct Job {
    account: AccountId,
    reads: Reads,
    now: Timestamp,
    work: Box<dyn Work>,
}

/// A command with its answer, its types erased so commands of every kind share a queue.
trait Work: Send {
    /// Runs the command on the loaded book (at most once).
    fn run(&mut self, book: &mut Option<Book>) -> Ran;
    /// Sends the command's answer: its own result when its changes are stored (`Ok`).
    fn answer(self: Box<Self>, stored: Result<(), StorageError>);
}

/// What running a command asks of storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ran {
    /// Write the book as the command left it.
    Accepted,
    /// Write nothing: the command refused, or panicked.
    Refused,
}

struct Typed<F, T, E> {
    command: Option<F>,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Work for Typed<F, T, E>
where
    F: FnOnce(&mut Option<Book>) -> Result<T, E> + Send,
    T: Send,
    E: From<StorageError> + Send,
{
    fn run(&mut self, book: &mut Option<Book>) -> Ran {
        let Some(command) = self.command.take() else {
            return Ran::Refused;
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| command(book))) {
            Ok(outcome) => {
                let ran = if outcome.is_ok() {
                    Ran::Accepted
                } else {
                    Ran::Refused
                };
                self.outcome = Some(outcome);
                ran
            }
            Err(_) => Ran::Refused,
        }
    }

    fn answer(self: Box<Self>, stored: Result<(), StorageError>) {
        let answer = match (stored, self.outcome) {
            (Err(error), _) => Err(E::from(error)),
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(E::from(StorageError::Panicked)),
        };
        // The request may have gone (its client hung up): its change is stored all the same.
        let _ = self.reply.send(answer);
    }
}

/// How many commands each commit carried, since the process started.
#[derive(Debug)]
pub struct BatchStats {
    /// `by_size[n - 1]`: commits that carried `n` commands.
    by_size: [AtomicU64; BATCH_COMMANDS_MAX],
    /// Time spent in batches, from taking the lock to the answers, in µs.
    busy_us: AtomicU64,
}

impl Default for BatchStats {
    fn default() -> BatchStats {
        BatchStats {
            by_size: std::array::from_fn(|_| AtomicU64::new(0)),
            busy_us: AtomicU64::new(0),
        }
    }
}

impl BatchStats {
    fn record(&self, commands: usize) {
        if let Some(count) = commands.checked_sub(1).and_then(|i| self.by_size.get(i)) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn add_busy(&self, since: Instant) {
        let us = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.busy_us.fetch_add(us, Ordering::Relaxed);
    }

    /// Time spent in batches since the process started, in µs.
    pub fn busy_us(&self) -> u64 {
        self.busy_us.load(Ordering::Relaxed)
    }

    /// `(commands per commit, commits)` for every size seen, smallest first.
    pub fn sizes(&self) -> Vec<(u32, u64)> {
        (1..)
            .zip(&self.by_size)
            .map(|(size, count)| (size, count.load(Ordering::Relaxed)))
            .filter(|(_, count)| *count > 0)
            .collect()
    }
}

/// The lanes with a writer at work, and what is queued on each.
#[derive(Debug, Default)]
pub struct Lanes {
    queued: Mutex<HashMap<Lane, VecDeque<Job>>>,
    pub stats: BatchStats,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("account", &self.account)
            .finish()
    }
}

impl Lanes {
    fn queue(&self) -> std::sync::MutexGuard<'_, HashMap<Lane, VecDeque<Job>>> {
        // A panic never happens while the lock is held (only queue operations run under it).
        self.queued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `job` behind the lane's writer, or — when the lane is idle — opens the lane and
    /// gives the job back: the caller starts the writer with it.
    fn push(&self, lane: &Lane, job: Job) -> Option<Job> {
        let mut queued = self.queue();
        match queued.get_mut(lane) {
            Some(waiting) => {
                waiting.push_back(job);
                None
            }
            None => {
                queued.insert(lane.clone(), VecDeque::new());
                Some(job)
            }
        }
    }

    /// Puts `jobs` back at the head of the lane's queue, in their order.
    fn requeue(&self, lane: &Lane, jobs: Vec<Job>) {
        let mut queued = self.queue();
        let waiting = queued.entry(lane.clone()).or_default();
        for job in jobs.into_iter().rev() {
            waiting.push_front(job);
        }
    }

    /// Up to `max` queued jobs; the lane stays open.
    fn take(&self, lane: &Lane, max: usize) -> Vec<Job> {
        let mut queued = self.queue();
        let Some(waiting) = queued.get_mut(lane) else {
            return Vec::new();
        };
        let n = waiting.len().min(max);
        waiting.drain(..n).collect()
    }

    /// Up to `max` queued jobs, or none — and then the lane is closed, in the same step, so a
    /// job queued afterwards starts a new writer.
    fn take_or_close(&self, lane: &Lane, max: usize) -> Vec<Job> {
        let mut queued = self.queue();
        let Some(waiting) = queued.get_mut(lane) else {
            return Vec::new();
        };
        if waiting.is_empty() {
            queued.remove(lane);
            return Vec::new();
        }
        let n = waiting.len().min(max);
        waiting.drain(..n).collect()
    }
}

/// Runs `command` in the next commit of its lane; answers once that commit is durable.
pub async fn submit<T, E, F>(
    pool: &Pool,
    lanes: &Arc<Lanes>,
    account: &AccountId,
    reads: &Reads,
    now: Timestamp,
    command: F,
) -> Result<T, E>
where
    F: FnOnce(&mut Option<Book>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StorageError> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    let job = Job {
        account: account.clone(),
        reads: reads.clone(),
        now,
        work: Box::new(Typed {
            command: Some(command),
            outcome: None,
            reply,
        }),
    };
    let lane = pool.lane(account);
    if let Some(first) = lanes.push(&lane, job) {
        tokio::spawn(write_lane(pool.clone(), lanes.clone(), lane, first));
    }
    answer.await.unwrap_or_else(|_| {
        Err(E::from(StorageError::Lost(
            "the writer stopped before this command's commit",
        )))
    })
}

/// Closes the lane if its writer ends without closing it itself (a panic, or the runtime
/// shutting down): what was queued is dropped, and each waiting request hears so.
struct Writing {
    lanes: Arc<Lanes>,
    lane: Lane,
    closed: bool,
}

impl Drop for Writing {
    fn drop(&mut self) {
        if !self.closed {
            self.lanes.queue().remove(&self.lane);
        }
    }
}

async fn write_lane(pool: Pool, lanes: Arc<Lanes>, lane: Lane, first: Job) {
    let mut writing = Writing {
        lanes: lanes.clone(),
        lane: lane.clone(),
        closed: false,
    };
    let mut batch = vec![first];
    while !batch.is_empty() {
        let started = Instant::now();
        commit_batch(&pool, &lanes, &lane, batch).await;
        lanes.stats.add_busy(started);
        batch = lanes.take_or_close(&lane, BATCH_COMMANDS_MAX);
    }
    writing.closed = true;
}

async fn commit_batch(pool: &Pool, lanes: &Lanes, lane: &Lane, mut batch: Vec<Job>) {
    let mut tx = match pool.begin_write().await {
        Ok(tx) => tx,
        Err(error) => return fail(batch.into_iter().map(|j| j.work), &error.to_string()),
    };
    // What queued while the lock was taken joins at once; later arrivals while time allows.
    let started = Instant::now();
    batch.extend(lanes.take(lane, BATCH_COMMANDS_MAX - batch.len()));
    let mut ran: Vec<(Box<dyn Work>, Result<(), StorageError>)> = Vec::with_capacity(batch.len());
    let mut events: Vec<OutboxRow> = Vec::new();
    // The savepoint `command` is open before each command but the transaction's first, which
    // needs none: when it fails, nothing else is in the transaction. After a command that
    // stored its changes, the savepoint is released and set anew in one round trip.
    let mut savepoint = false;
    loop {
        let mut jobs = batch.into_iter();
        while let Some(mut job) = jobs.next() {
            let first = ran.is_empty();
            if !first && !savepoint {
                if let Err(error) = tx.execute_script("SAVEPOINT command").await {
                    let all = ran.into_iter().map(|(w, _)| w).chain([job.work]);
                    return fail(all.chain(jobs.map(|j| j.work)), &error.to_string());
                }
                savepoint = true;
            }
            // The transaction's first command takes the lane's lock; it covers the others.
            let lock = if first { pool.lock_clause() } else { "" };
            let stored = load_run_write(&mut tx, lock, &mut job).await.map(|rows| {
                events.extend(rows);
            });
            let next = match (&stored, first) {
                (Err(_), true) => {
                    // Only this command was in the transaction: roll it back, answer it, and
                    // leave the rest to the next batch.
                    let _ = tx.rollback().await;
                    lanes.requeue(lane, jobs.collect());
                    return job.work.answer(stored);
                }
                (Ok(()), true) => None,
                (Ok(()), false) => Some("RELEASE SAVEPOINT command; SAVEPOINT command"),
                (Err(_), false) => Some("ROLLBACK TO SAVEPOINT command"),
            };
            if let Some(next) = next {
                if let Err(error) = tx.execute_script(next).await {
                    let all = ran.into_iter().map(|(w, _)| w).chain([job.work]);
                    return fail(all.chain(jobs.map(|j| j.work)), &error.to_string());
                }
            }
            ran.push((job.work, stored));
        }
        if ran.len() >= BATCH_COMMANDS_MAX || started.elapsed() >= BATCH_TIME_MAX {
            break;
        }
        batch = lanes.take(lane, BATCH_COMMANDS_MAX - ran.len());
        if batch.is_empty() {
            break;
        }
    }
    if let Err(error) = insert_events(&mut tx, &events).await {
        return fail(ran.into_iter().map(|(w, _)| w), &error.to_string());
    }
    if let Err(error) = tx.commit().await {
        return fail(ran.into_iter().map(|(w, _)| w), &error.to_string());
    }
    lanes.stats.record(ran.len());
    for (work, stored) in ran {
        work.answer(stored);
    }
}

/// Answers every command of a batch that could not commit.
fn fail(works: impl Iterator<Item = Box<dyn Work>>, why: &str) {
    tracing::error!(
        error = why,
        "a batch of commands could not commit; nothing of it was written"
    );
    for work in works {
        work.answer(Err(StorageError::Batch(why.to_owned())));
    }
}

/// Loads the job's book (taking `lock`, [`Pool::lock_clause`] or nothing), runs its command
/// and writes what it changed; answers the events of the change, for the batch to write.
async fn load_run_write(
    tx: &mut Tx,
    lock: &str,
    job: &mut Job,
) -> Result<Vec<OutboxRow>, StorageError> {
    let Job {
        account,
        reads,
        now,
        work,
    } = job;
    let before = load(tx, account, reads, *now, lock).await?;
    check(account, before.as_ref(), reads, "as loaded")?;
    let mut after = before.clone();
    if work.run(&mut after) == Ran::Refused {
        return Ok(Vec::new());
    }
    match &after {
        Some(after) => {
            check(account, Some(after), reads, "before the write")?;
            write(tx, before.as_ref(), after, *now).await
        }
        None => Ok(Vec::new()),
    }
}
