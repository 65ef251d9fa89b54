//! `creditdesk-bench`: run by `cargo xtask bench` and `cargo xtask torture` (which build the
//! release server, start a throwaway PostgreSQL cluster and pass their URLs).
//!
//! - `bench`: the physical limit (raw durable commits) next to Creditdesk over HTTP on loopback,
//!   driven from this process at saturation and at half of the peak; a store at scale; the
//!   engine in process. Prints Markdown for BENCHMARKS.md.
//! - `torture`: concurrent-hold races, `kill -9` under load, hostile input. Prints Markdown for
//!   RELIABILITY.md; exits non-zero when a check fails.

mod engine;
mod http;
mod limit;
mod load;
mod recorded;
mod scale;
mod torture;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use load::{Sample, Workload};

/// What the command line says.
#[derive(Debug, Clone)]
pub struct Options {
    pub server_bin: PathBuf,
    pub postgres: Option<String>,
    pub dir: PathBuf,
    pub seconds: f64,
    pub scale_accounts: u32,
    pub quick: bool,
    /// Schemathesis's `st`, when torture should run it.
    pub schemathesis: Option<PathBuf>,
    /// The reference Customer Credit API spec, when present (`../shared/reference/`).
    pub reference: Option<PathBuf>,
    /// Print each ratio beside the recorded run's (`recorded.json`), marking drops.
    pub compare: bool,
    /// Keep this run's ratios as the recorded run.
    pub record: bool,
    /// Sections to run (bench: `limit`, `http`, `scale`, `engine`; torture: `races`,
    /// `crashes`, `load`, `hostile`, `schemathesis`); all when empty.
    pub only: Vec<String>,
}

impl Options {
    pub fn runs(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

const USAGE: &str = "usage: creditdesk-bench bench|torture --server-bin PATH --dir DIR [--postgres URL] [--seconds S] [--scale-accounts N] [--quick] [--schemathesis ST] [--reference SPEC.json] [--compare] [--record] [--only SECTION,...]";

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        server_bin: PathBuf::new(),
        postgres: None,
        dir: PathBuf::from("target/bench"),
        seconds: 10.0,
        scale_accounts: 50_000,
        quick: false,
        schemathesis: None,
        reference: None,
        compare: false,
        record: false,
        only: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--server-bin" => options.server_bin = value()?.into(),
            "--postgres" => options.postgres = Some(value()?),
            "--dir" => options.dir = value()?.into(),
            "--seconds" => options.seconds = value()?.parse()?,
            "--scale-accounts" => options.scale_accounts = value()?.parse()?,
            "--quick" => options.quick = true,
            "--schemathesis" => options.schemathesis = Some(value()?.into()),
            "--reference" => options.reference = Some(value()?.into()),
            "--compare" => options.compare = true,
            "--record" => options.record = true,
            "--only" => options.only = value()?.split(',').map(str::to_owned).collect(),
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    if !options.server_bin.is_file() {
        bail!(
            "--server-bin {} is not a file\n{USAGE}",
            options.server_bin.display()
        );
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        let options = parse(args.get(1..).unwrap_or_default())?;
        std::fs::create_dir_all(&options.dir)?;
        match args.first().map(String::as_str) {
            Some("bench") => bench(&options).await.map(|()| true),
            Some("torture") => torture::run(&options).await,
            _ => bail!("{USAGE}"),
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("creditdesk-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The machine, for the record.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{} GiB", kb / 1024 / 1024))
        .unwrap_or_else(|| "? GiB".into());
    format!("{cores} cores ({cpu}), {memory} RAM, Linux")
}

/// A fresh database on the PostgreSQL server at `admin_url`.
pub async fn fresh_postgres(admin_url: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .context("URL with a database")?;
    Ok(format!("{base}/{name}"))
}

fn ms(value: f64) -> String {
    format!("{value:.2}")
}

async fn bench(options: &Options) -> anyhow::Result<()> {
    let seconds = options.seconds;
    println!("# Creditdesk benchmark run\n");
    println!("- Machine: {}", machine());
    println!("- Phases of {seconds} s; load generator: this process (tokio, keep-alive HTTP/1.1), server: the release binary in its own process, both on loopback.\n");

    if options.runs("limit") || options.runs("http") {
        let limits = limits(options).await?;
        if options.runs("http") {
            let ratios = over_http(options, limits).await?;
            compare_and_record(options, ratios)?;
        }
    }
    if options.runs("scale") {
        at_scale(options).await?;
    }
    if options.runs("engine") {
        println!("## Engine (core, in process, native)\n");
        println!("| operation | ops/s |\n|---|---:|");
        for (name, rate) in engine::measure(seconds.min(5.0)) {
            println!("| {name} | {rate:.0} |");
        }
    }
    Ok(())
}

/// With `--compare`, this run's ratios beside the recorded ones; with `--record`, this run
/// kept as the recorded one.
fn compare_and_record(options: &Options, ratios: Vec<recorded::Ratio>) -> anyhow::Result<()> {
    if options.compare {
        match recorded::load()? {
            Some(before) => println!("{}", recorded::comparison(&before, &ratios)),
            None => println!("No run is recorded yet: `cargo xtask bench --record` keeps one.\n"),
        }
    }
    if options.record {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        let date = std::process::Command::new("date")
            .arg("+%Y-%m-%d")
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        let run = recorded::Recorded {
            commit,
            date,
            machine: machine(),
            ratios,
        };
        recorded::save(&run)?;
        println!("Recorded in {}.\n", recorded::path().display());
    }
    Ok(())
}

/// Raw commits per second: SQLite, PostgreSQL with 1 and 16 clients.
async fn limits(options: &Options) -> anyhow::Result<(f64, Option<f64>, Option<f64>)> {
    let seconds = options.seconds;
    println!("## The limit\n");
    let sqlite_limit = limit::sqlite_commits(&options.dir, seconds).await?;
    println!("| what | commits/s |\n|---|---:|");
    println!("| SQLite single-row INSERT commits (WAL, synchronous=FULL, same disk) | {sqlite_limit:.0} |");
    let (pg_limit, pg_limit_16) = match &options.postgres {
        Some(url) => {
            let db = fresh_postgres(url, "bench_limit").await?;
            let one = limit::postgres_commits(&db, 1, seconds).await?;
            let many = limit::postgres_commits(&db, 16, seconds).await?;
            println!("| PostgreSQL single-row UPDATE commits, 1 client | {one:.0} |");
            println!(
                "| PostgreSQL single-row UPDATE commits, 16 clients (group commit) | {many:.0} |"
            );
            (Some(one), Some(many))
        }
        None => (None, None),
    };
    println!();
    Ok((sqlite_limit, pg_limit, pg_limit_16))
}

/// Creditdesk at its peak and at half of it, per engine and workload.
async fn over_http(
    options: &Options,
    (sqlite_limit, pg_limit, pg_limit_16): (f64, Option<f64>, Option<f64>),
) -> anyhow::Result<Vec<recorded::Ratio>> {
    let mut ratios = Vec::new();
    let seconds = options.seconds;
    let mut engines = vec![(
        "SQLite",
        format!("sqlite://{}/http.db", options.dir.display()),
        sqlite_limit,
    )];
    if let (Some(url), Some(limit)) = (&options.postgres, pg_limit) {
        engines.push((
            "PostgreSQL",
            fresh_postgres(url, "bench_http").await?,
            limit,
        ));
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(options.dir.join(format!("http.db{suffix}")));
    }
    println!("## Creditdesk over HTTP\n");
    println!("Peak: 32 clients back to back. Latency: operations started at half the peak rate (open loop), measured from their scheduled start.\n");
    println!("{}", load::Measured::HEADER);
    for (engine, url, limit) in &engines {
        let server = http::ServerProcess::start(&options.server_bin, url, &options.dir).await?;
        let api = server.api();
        load::open_accounts(&api).await?;
        for workload in Workload::ALL {
            let measured = load::measure(&api, server.child.id(), workload, seconds).await?;
            println!("{}", measured.row(engine, *limit));
            ratios.push(recorded::Ratio {
                engine: (*engine).to_owned(),
                workload: workload.name().to_owned(),
                ratio: measured.ratio(*limit),
            });
            for error in measured.first_errors() {
                eprintln!("{engine}, {}: {error}", workload.name());
            }
        }
        server.kill_hard().await?;
    }
    if let Some(limit) = pg_limit_16 {
        println!("\n(The mixed workload's ratio counts its 3 requests. PostgreSQL ratios are to 1 client's commits; with 16 clients the limit is {limit:.0}/s.)\n");
    }
    Ok(ratios)
}

/// A store at scale, loaded through `Db::with_book`, queried over HTTP.
async fn at_scale(options: &Options) -> anyhow::Result<()> {
    println!("## Scale\n");
    let mut scale_engines = vec![(
        "SQLite",
        format!("sqlite://{}/scale.db", options.dir.display()),
    )];
    if let Some(url) = &options.postgres {
        scale_engines.push(("PostgreSQL", fresh_postgres(url, "bench_scale").await?));
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(options.dir.join(format!("scale.db{suffix}")));
    }
    for (engine, url) in scale_engines {
        let writers = if engine == "SQLite" { 1 } else { 8 };
        let loaded = scale::load(&url, options.scale_accounts, writers).await?;
        println!(
            "{engine}: {} invoices over {} accounts loaded in {:.0} s through `Db::with_book`.\n",
            loaded.invoices, loaded.accounts, loaded.seconds
        );
        let server = http::ServerProcess::start(&options.server_bin, &url, &options.dir).await?;
        let api = server.api();
        println!("| {engine}: query | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|");
        for kind in scale::query_kinds(&loaded) {
            let sample: Sample =
                scale::measure(&api, &kind, if options.quick { 20 } else { 200 }).await?;
            println!(
                "| {} | {} | {} | {} |",
                kind.name,
                ms(sample.percentile_ms(0.5)),
                ms(sample.percentile_ms(0.95)),
                ms(sample.percentile_ms(1.0)),
            );
        }
        println!();
        export_all(&server, engine, loaded.invoices).await?;
        server.kill_hard().await?;
    }

    Ok(())
}

/// Every invoice of the store as CSV, streamed: its lines counted (all must be there), its time,
/// and the server's peak memory before and after (flat when the export streams).
async fn export_all(
    server: &http::ServerProcess,
    engine: &str,
    invoices: u64,
) -> anyhow::Result<()> {
    let before = server.peak_memory_kib().unwrap_or_default();
    let started = std::time::Instant::now();
    let (status, lines, bytes) = server
        .api()
        .get_counted("/api/creditdesk/exports/invoices.csv")
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    let after = server.peak_memory_kib().unwrap_or_default();
    anyhow::ensure!(
        status == 200 && lines == invoices + 1,
        "the invoice export answered {status} with {lines} lines; {} expected",
        invoices + 1
    );
    println!(
        "{engine}: `GET /api/creditdesk/exports/invoices.csv` streamed all {invoices} invoices \
         ({:.0} MB) in {seconds:.1} s ({:.0} lines/s); the server's peak resident memory went \
         from {} MB to {} MB.\n",
        bytes as f64 / 1e6,
        invoices as f64 / seconds,
        before / 1024,
        after / 1024
    );
    Ok(())
}
