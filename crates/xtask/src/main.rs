//! `cargo xtask run` and `cargo xtask test`: everything a fresh machine needs, one command each.
//!
//! Both install what is missing or of the wrong version first (see `tools`), print each step as
//! it starts, and say what to do when something cannot be done automatically.

mod bench;
mod mutants;
mod postgres;
mod report;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};

use report::Report;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run          build the admin and start the server on http://127.0.0.1:8080 (SQLite in ./data)
  test         run every check and test suite; ends with `N passed, N failed`
  bench        measure the limit, Creditdesk over HTTP, scale and the engine (BENCHMARKS.md);
               extra arguments go to the bench (--seconds 10, --scale-accounts 50000)
  torture      races, kill -9 under load, hostile input, property tests at scale (RELIABILITY.md)
  mutants      mutation testing of creditdesk-core with cargo-mutants (report in target/mutants/);
               extra arguments go to cargo mutants (--file crates/core/src/account.rs);
               --last-change: only the last commit that changed core (as in `test`)
  admin        build the admin into ./dist (release, offline)
  install      install the build and test tools only";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::run("bench", &args[1..]),
        Some("torture") => bench::run("torture", &args[1..]),
        Some("mutants") => mutants::run(&args[1..]),
        Some("admin") => tools::ensure_build_tools().and_then(|_| build_admin()),
        Some("install") => tools::ensure_build_tools()
            .and_then(|_| tools::ensure_test_tools())
            .map(|_| ExitCode::SUCCESS),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (where `Cargo.toml` with `[workspace]` is).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Prints a step heading, so long work shows where it is.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// A command run from the workspace root, with the project's tool folders first on PATH.
pub fn cmd(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(root())
        .env("PATH", tools::path_with_tools());
    command
}

/// Runs a command and fails with its name if it fails.
pub fn run_checked(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

fn build_admin() -> anyhow::Result<ExitCode> {
    step("Building the admin (trunk, release, offline)");
    run_checked(cmd("cargo").args(["fetch", "--locked"]))?;
    run_checked(cmd("trunk").args(["build", "--release", "--offline"]))?;
    println!("admin built into {}", root().join("dist").display());
    Ok(ExitCode::SUCCESS)
}

fn run(server_args: &[String]) -> anyhow::Result<ExitCode> {
    tools::ensure_build_tools()?;
    build_admin()?;
    step("Building and starting the server");
    let listen = std::env::var("CREDITDESK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    println!("Admin and API at http://{listen}/ — sign in with an app key and token:");
    if std::env::var("CREDITDESK_APP_KEY").is_ok() {
        println!("  the CREDITDESK_APP_KEY / CREDITDESK_APP_TOKEN you set.");
    } else {
        println!("  on the first start the server creates one and prints it below, once.");
        println!("  Lost it? `cargo run -p creditdesk-server -- create-key` makes a new one.");
    }
    let status = cmd("cargo")
        .args([
            "run",
            "--release",
            "--locked",
            "-p",
            "creditdesk-server",
            "--",
        ])
        .args(server_args)
        .status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn test() -> anyhow::Result<ExitCode> {
    tools::ensure_build_tools()?;
    tools::ensure_test_tools()?;
    let mut report = Report::default();

    step("cargo fmt --check");
    report.check("cargo fmt", cmd("cargo").args(["fmt", "--all", "--check"]));

    step("cargo clippy (warnings denied)");
    report.check(
        "clippy",
        cmd("cargo").args([
            "clippy",
            "--locked",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    );

    report.check(
        "clippy (wasm32)",
        cmd("cargo").args([
            "clippy",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "-p",
            "creditdesk-core",
            "-p",
            "creditdesk-admin",
            "--",
            "-D",
            "warnings",
        ]),
    );

    step("Native tests (server on SQLite)");
    report.tests(
        "native",
        cmd("cargo").args([
            "test",
            "--locked",
            "--no-fail-fast",
            "-p",
            "creditdesk-core",
            "-p",
            "creditdesk-server",
            "-p",
            "creditdesk-xtask",
            "-p",
            "creditdesk-bench",
        ]),
    );

    step("wasm tests of core and admin in headless Chromium");
    for package in ["creditdesk-core", "creditdesk-admin"] {
        report.tests(
            &format!("wasm {package}"),
            cmd("cargo")
                .args([
                    "test",
                    "--locked",
                    "--no-fail-fast",
                    // Only test targets: the doc-tests run natively and are counted above.
                    "--tests",
                    "--target",
                    "wasm32-unknown-unknown",
                    "-p",
                    package,
                ])
                .env("CHROMEDRIVER", tools::chromedriver()),
        );
    }

    step("Server tests on PostgreSQL (throwaway cluster)");
    match postgres::Cluster::start() {
        Ok(cluster) => {
            report.tests(
                "server on postgres",
                cmd("cargo")
                    .args([
                        "test",
                        "--locked",
                        "--no-fail-fast",
                        "-p",
                        "creditdesk-server",
                    ])
                    .env("CREDITDESK_TEST_POSTGRES_URL", cluster.url()),
            );
            drop(cluster);
        }
        Err(error) => report.failed_step("postgres cluster", &format!("{error:#}")),
    }

    step("End-to-end: the real server and admin in headless Chromium");
    let e2e_ready = build_admin().and_then(|_| {
        run_checked(cmd("cargo").args(["build", "--locked", "-p", "creditdesk-server"]))
    });
    match e2e_ready {
        Ok(_) => report.tests(
            "end-to-end",
            cmd("cargo")
                .args(["test", "--locked", "--no-fail-fast", "-p", "creditdesk-e2e"])
                .env(
                    "CREDITDESK_E2E_SERVER_BIN",
                    root().join("target/debug/creditdesk-server"),
                )
                .env("CREDITDESK_E2E_DIST", root().join("dist"))
                .env("CHROMEDRIVER", tools::chromedriver()),
        ),
        Err(error) => report.failed_step("end-to-end build", &format!("{error:#}")),
    }

    step("Mutation testing of the last change to core (cargo xtask mutants runs every mutant)");
    let started = std::time::Instant::now();
    match mutants::run_last_change() {
        Ok(Some(outcome)) => report.outcome("mutants (last core change)", outcome, started),
        Ok(None) => {}
        Err(error) => report.failed_step("mutants (last core change)", &format!("{error:#}")),
    }

    step("Reliability, quick: races, kill -9 under load, hostile input (cargo xtask torture runs it all)");
    let torture_ready = run_checked(cmd("cargo").args([
        "build",
        "--locked",
        "-p",
        "creditdesk-server",
        "-p",
        "creditdesk-bench",
    ]));
    let st = torture_ready.and_then(|()| tools::ensure_schemathesis());
    match (st, postgres::Cluster::start()) {
        (Ok(st), Ok(cluster)) => {
            let bench = root().join("target/debug/creditdesk-bench");
            let mut torture = cmd(&bench.to_string_lossy());
            torture
                .args(["torture", "--quick", "--server-bin"])
                .arg(root().join("target/debug/creditdesk-server"))
                .arg("--dir")
                .arg(root().join("target/torture-quick"))
                .args(["--postgres", &cluster.url()])
                .arg("--schemathesis")
                .arg(st);
            if let Some(spec) = tools::reference_spec() {
                torture.arg("--reference").arg(spec);
            }
            report.check("torture (quick)", &mut torture);
            drop(cluster);
        }
        (Err(error), _) | (_, Err(error)) => {
            report.failed_step("torture (quick)", &format!("{error:#}"))
        }
    }

    Ok(report.finish())
}
