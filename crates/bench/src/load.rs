//! The load generator: workloads, a closed loop for the peak, an open loop at a fixed rate for
//! latency (measured from each request's scheduled start, so a slow server cannot hide its
//! queueing), and percentiles.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::http::Api;

/// Accounts the spread and mixed workloads use.
pub const ACCOUNTS: u32 = 1000;

/// What one operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// One pre-authorization on one of [`ACCOUNTS`] accounts.
    Spread,
    /// One pre-authorization, always on the same account.
    Hot,
    /// Pre-authorize, settle it, pay its invoice: three requests.
    Mixed,
}

impl Workload {
    pub const ALL: [Workload; 3] = [Workload::Spread, Workload::Hot, Workload::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Spread => "pre-authorizations, 1000 accounts",
            Workload::Hot => "pre-authorizations, 1 hot account",
            Workload::Mixed => "hold → settle → pay (3 requests)",
        }
    }
}

pub fn account(n: u32) -> String {
    format!("{:011}_CPF", 10_000_000_000u64 + u64::from(n))
}

/// Opens the accounts the workloads use, each with a limit that never runs out.
pub async fn open_accounts(api: &Api) -> anyhow::Result<()> {
    let mut tasks = Vec::new();
    for chunk in 0..8u32 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            for n in (chunk..ACCOUNTS).step_by(8) {
                let id = account(n);
                let document = id.trim_end_matches("_CPF");
                let body = format!(
                    r#"{{"document": "{document}", "documentType": "CPF", "email": "b{n}@example.com", "creditLimit": 1000000000}}"#
                );
                api.ok("POST", "/api/creditcontrol/accounts", Some(&body))
                    .await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Runs operation number `n`; an error if any answer was not 200.
pub async fn run_op(api: &Api, workload: Workload, n: u64) -> anyhow::Result<()> {
    let account = match workload {
        Workload::Hot => account(0),
        _ => account((n % u64::from(ACCOUNTS)) as u32),
    };
    let path = format!("/api/creditcontrol/accounts/{account}/transactions");
    let hold = api
        .ok(
            "POST",
            &path,
            Some(r#"{"value": 0.01, "settle": true, "installments": 1}"#),
        )
        .await?;
    if workload != Workload::Mixed {
        return Ok(());
    }
    let id = hold["id"].as_str().context("hold id")?;
    api.ok(
        "PUT",
        &format!("{path}/{id}/settlement"),
        Some(r#"{"value": 0.01}"#),
    )
    .await?;
    api.ok(
        "POST",
        &format!("/api/creditcontrol/accounts/{account}/invoices/{id}-01/payments"),
        None,
    )
    .await?;
    Ok(())
}

/// How many commands the commits of one phase carried: `(size, commits)`, the difference of
/// two readings of the server's counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batches(Vec<(u64, u64)>);

impl Batches {
    pub fn between(before: &[(u64, u64)], after: &[(u64, u64)]) -> Batches {
        let earlier = |size: u64| {
            before
                .iter()
                .find(|(s, _)| *s == size)
                .map_or(0, |(_, n)| *n)
        };
        Batches(
            after
                .iter()
                .map(|&(size, n)| (size, n.saturating_sub(earlier(size))))
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }

    /// How many commits.
    pub fn commits(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// How many commands the commits carried.
    pub fn commands(&self) -> u64 {
        self.0.iter().map(|(size, n)| size * n).sum()
    }

    /// Commands per commit, on average.
    pub fn mean(&self) -> f64 {
        self.commands() as f64 / self.commits().max(1) as f64
    }

    /// The size at or below which the fraction `q` of commits fall.
    pub fn percentile(&self, q: f64) -> u64 {
        let commits: u64 = self.0.iter().map(|(_, n)| n).sum();
        let rank = (q * commits as f64).ceil() as u64;
        let mut seen = 0;
        for &(size, n) in &self.0 {
            seen += n;
            if seen >= rank {
                return size;
            }
        }
        0
    }
}

/// Latencies in microseconds and what they add up to.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub ops: u64,
    pub errors: u64,
    pub seconds: f64,
    pub latencies_us: Vec<u64>,
    /// The first errors (up to [`ERRORS_KEPT`]), as the requests saw them.
    pub first_errors: Vec<String>,
}

/// How many errors of a phase are kept with their text.
pub const ERRORS_KEPT: usize = 5;

/// Errors seen by the tasks of one phase: counted, the first ones kept.
#[derive(Debug, Default)]
struct Errors {
    count: AtomicU64,
    first: Mutex<Vec<String>>,
}

impl Errors {
    fn add(&self, error: &anyhow::Error) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first.lock().expect("errors");
        if first.len() < ERRORS_KEPT {
            first.push(format!("{error:#}"));
        }
    }

    fn sample(&self, seconds: f64, latencies_us: Vec<u64>) -> Sample {
        Sample {
            ops: latencies_us.len() as u64,
            errors: self.count.load(Ordering::Relaxed),
            seconds,
            latencies_us,
            first_errors: std::mem::take(&mut *self.first.lock().expect("errors")),
        }
    }
}

impl Sample {
    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.seconds
    }

    /// The `q` quantile (0..=1) in milliseconds.
    pub fn percentile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let at = ((q * sorted.len() as f64) as usize).min(sorted.len() - 1);
        sorted[at] as f64 / 1000.0
    }
}

/// `workers` clients each running operations back to back for `seconds`: the peak.
pub async fn closed_loop(api: &Api, workload: Workload, workers: u32, seconds: f64) -> Sample {
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(Errors::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (api, next, errors) = (api.clone(), next.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let begun = Instant::now();
                match run_op(&api, workload, n).await {
                    Ok(()) => latencies.push(begun.elapsed().as_micros() as u64),
                    Err(error) => errors.add(&error),
                }
            }
            latencies
        }));
    }
    let mut latencies_us = Vec::new();
    for task in tasks {
        latencies_us.extend(task.await.unwrap_or_default());
    }
    errors.sample(started.elapsed().as_secs_f64(), latencies_us)
}

/// Most requests in flight at once: what a client's connection pool may hold, three quarters of
/// the connections the server allows one address (`--connections-per-address-max`; more are
/// closed at once, unanswered — which is what issue 14's 63 errors were: when latency spiked,
/// this generator opened up to 1,024 connections from loopback and those past 128 were reset).
pub fn in_flight_max() -> usize {
    let per_address = creditdesk_server::serve::ConnectionLimits::default();
    per_address.connections_per_address_max as usize * 3 / 4
}

/// Operations started at `rate` per second for `seconds`, whatever the server's pace; each
/// latency counts from the operation's scheduled start (a wait for a place among
/// [`in_flight_max`] included, so a slow server cannot hide its queueing).
pub async fn open_loop(api: &Api, workload: Workload, rate: f64, seconds: f64) -> Sample {
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Errors::default());
    let in_flight = Arc::new(tokio::sync::Semaphore::new(in_flight_max()));
    let started = Instant::now();
    let total = (rate * seconds) as u64;
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let scheduled = started + Duration::from_secs_f64(n as f64 / rate);
        tokio::time::sleep_until(scheduled.into()).await;
        let permit = in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("open semaphore");
        let (api, latencies, errors) = (api.clone(), latencies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let result = run_op(&api, workload, n).await;
            let latency = scheduled.elapsed().as_micros() as u64;
            drop(permit);
            match result {
                Ok(()) => latencies.lock().expect("latencies").push(latency),
                Err(error) => errors.add(&error),
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let latencies_us = std::mem::take(&mut *latencies.lock().expect("latencies"));
    errors.sample(started.elapsed().as_secs_f64(), latencies_us)
}

/// One workload measured: its peak (32 clients back to back), then its latency at half the
/// peak rate (open loop), with the commits the server made at the peak and where the peak's
/// time went (what names the limit when a target is missed).
#[derive(Debug, Clone)]
pub struct Measured {
    pub workload: Workload,
    pub peak: Sample,
    pub half: Sample,
    pub batches: Batches,
    /// Seconds the writers were busy per second of the peak.
    pub busy: f64,
    /// CPU seconds the server and this load generator used during the peak (`None`: not on
    /// Linux).
    pub server_cpu_s: Option<f64>,
    pub generator_cpu_s: Option<f64>,
}

/// CPU seconds (user and system, every thread) process `pid` used since it started, from
/// `/proc/<pid>/stat` (in the kernel's clock ticks, 100 a second on Linux).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after it are counted from its ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let (utime, stime): (f64, f64) = (fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?);
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// Clients of the peak phase.
pub const PEAK_CLIENTS: u32 = 32;

/// Measures `workload` on the server `server_pid` for `seconds` per phase.
pub async fn measure(
    api: &Api,
    server_pid: Option<u32>,
    workload: Workload,
    seconds: f64,
) -> anyhow::Result<Measured> {
    let cpu = || {
        let server = server_pid.and_then(cpu_seconds);
        (server, cpu_seconds(std::process::id()))
    };
    let before = api.commits().await?;
    let cpu_before = cpu();
    let peak = closed_loop(api, workload, PEAK_CLIENTS, seconds).await;
    let cpu_after = cpu();
    let after = api.commits().await?;
    let spent = |before: Option<f64>, after: Option<f64>| Some(after? - before?);
    let batches = Batches::between(&before.sizes, &after.sizes);
    let busy = after.busy_us.saturating_sub(before.busy_us) as f64 / 1e6 / peak.seconds;
    let half = open_loop(api, workload, (peak.rate() / 2.0).max(1.0), seconds).await;
    Ok(Measured {
        workload,
        peak,
        half,
        batches,
        busy,
        server_cpu_s: spent(cpu_before.0, cpu_after.0),
        generator_cpu_s: spent(cpu_before.1, cpu_after.1),
    })
}

impl Measured {
    /// Requests per operation (the mixed workload's three count against the limit).
    fn requests(&self) -> f64 {
        if self.workload == Workload::Mixed {
            3.0
        } else {
            1.0
        }
    }

    pub fn errors(&self) -> u64 {
        self.peak.errors + self.half.errors
    }

    /// The first errors of both phases.
    pub fn first_errors(&self) -> impl Iterator<Item = &String> {
        self.peak.first_errors.iter().chain(&self.half.first_errors)
    }

    /// The table's header: [`Measured::row`]'s columns.
    pub const HEADER: &str = "| engine | workload | peak ops/s | ratio to the limit | errors | p50 ms | p99 ms | p99.9 ms (at half peak) | commands per commit at peak: mean / p99 | writers busy at peak (s/s) | writer µs per command | server CPU ms per op | load generator's CPU share |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    /// Microseconds the writers worked per command at the peak.
    pub fn writer_us_per_command(&self) -> f64 {
        self.busy * self.peak.seconds * 1e6 / self.batches.commands().max(1) as f64
    }

    /// Server CPU milliseconds per operation at the peak.
    pub fn server_cpu_ms_per_op(&self) -> Option<f64> {
        Some(self.server_cpu_s? * 1e3 / (self.peak.ops.max(1) as f64))
    }

    /// The share of the machine's cores the load generator took at the peak.
    pub fn generator_share(&self) -> Option<f64> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        Some(self.generator_cpu_s? / (self.peak.seconds * cores))
    }

    /// Its peak over `limit` commits per second (the mixed workload's requests counted).
    pub fn ratio(&self, limit: f64) -> f64 {
        self.peak.rate() * self.requests() / limit
    }

    /// Its row of the table, its peak as a ratio to `limit` commits per second.
    pub fn row(&self, engine: &str, limit: f64) -> String {
        let ms = |q: f64| crate::ms(self.half.percentile_ms(q));
        let or_dash =
            |value: Option<f64>, shown: fn(f64) -> String| value.map_or("—".into(), shown);
        format!(
            "| {engine} | {} | {:.0} | {:.2}× | {} | {} | {} | {} | {:.1} / {} | {:.2} | {:.0} | {} | {} |",
            self.workload.name(),
            self.peak.rate(),
            self.ratio(limit),
            self.errors(),
            ms(0.5),
            ms(0.99),
            ms(0.999),
            self.batches.mean(),
            self.batches.percentile(0.99),
            self.busy,
            self.writer_us_per_command(),
            or_dash(self.server_cpu_ms_per_op(), |v| format!("{v:.2}")),
            or_dash(self.generator_share(), |v| format!("{:.0} %", v * 100.0)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{cpu_seconds, in_flight_max, Batches};

    #[test]
    fn the_generator_stays_below_the_servers_bound_per_address() {
        let limits = creditdesk_server::serve::ConnectionLimits::default();
        assert!(in_flight_max() > super::PEAK_CLIENTS as usize);
        assert!(in_flight_max() < limits.connections_per_address_max as usize);
    }

    #[test]
    fn cpu_seconds_are_read_from_proc() {
        let spent = cpu_seconds(std::process::id()).expect("/proc/self/stat reads");
        assert!((0.0..3600.0).contains(&spent), "{spent}");
        assert_eq!(cpu_seconds(u32::MAX), None, "no such process");
    }

    #[test]
    fn batches_between_two_readings() {
        type Reading = &'static [(u64, u64)];
        // (before, after, mean, p99)
        let cases: [(Reading, Reading, f64, u64); 4] = [
            (&[], &[], 0.0, 0),
            (&[], &[(1, 10)], 1.0, 1),
            (&[(1, 5)], &[(1, 5), (4, 3)], 4.0, 4),
            (&[(1, 2)], &[(1, 100), (2, 1), (64, 1)], 1.64, 2),
        ];
        for (before, after, mean, p99) in cases {
            let batches = Batches::between(before, after);
            assert_eq!(batches.commands() as f64, mean * batches.commits() as f64);
            assert!((batches.mean() - mean).abs() < 1e-9, "{batches:?}");
            assert_eq!(batches.percentile(0.99), p99, "{batches:?}");
        }
    }
}
