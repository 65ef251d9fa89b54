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

/// The native packages under test, always selected together: cargo unifies features over the
/// selection, so a second `cargo test -p creditdesk-server` alone would build every dependency
/// from hyper up and every server test binary a second time (gigabytes on a CI disk).
const NATIVE: [&str; 8] = [
    "-p",
    "creditdesk-core",
    "-p",
    "creditdesk-server",
    "-p",
    "creditdesk-xtask",
    "-p",
    "creditdesk-bench",
];

/// The programs the end-to-end and torture steps run, built once with one selection.
const SERVER_AND_BENCH: [&str; 4] = ["-p", "creditdesk-server", "-p", "creditdesk-bench"];

/// What a full `cargo xtask test` writes under `target/` (measured on a fresh clone), so a run on
/// a nearly full disk says so at the start instead of failing in a linker half an hour later.
const DISK_NEEDED_BYTES: u64 = 12 << 30;

/// Prints the free space where `target/` lives, and a warning when it is less than a run needs.
fn disk_check() {
    let free = Command::new("df")
        .args(["-Pk"])
        .arg(root())
        .output()
        .ok()
        .and_then(|out| {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let line = text.lines().nth(1)?.to_owned();
            let kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
            Some(kib * 1024)
        });
    match free {
        Some(bytes) if bytes < DISK_NEEDED_BYTES => println!(
            "warning: {} GiB free on the disk of {}; a full run writes about {} GiB under \
             target/ — free some space (`cargo clean` removes an old target/) or expect \
             'No space left on device'",
            bytes >> 30,
            root().display(),
            DISK_NEEDED_BYTES >> 30
        ),
        Some(bytes) => println!(
            "{} GiB free on the disk of {}",
            bytes >> 30,
            root().display()
        ),
        None => println!("cannot read the free disk space (df); going on"),
    }
}

/// One test executable of the server, as the native step built it.
struct TestBinary {
    name: String,
    path: PathBuf,
}

/// The server's test executables from the native step's build (cargo finds them fresh; nothing is
/// rebuilt), so the PostgreSQL run tests exactly what the SQLite run tested.
fn server_test_binaries() -> anyhow::Result<Vec<TestBinary>> {
    let output = cmd("cargo")
        .args(["test", "--locked", "--no-run", "--message-format=json"])
        .args(NATIVE)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot start cargo test --no-run")?;
    if !output.status.success() {
        bail!("the server's tests do not build ({})", output.status);
    }
    let binaries = test_binaries(
        &String::from_utf8_lossy(&output.stdout),
        "creditdesk-server",
    );
    if binaries.is_empty() {
        bail!("cargo reported no test executable of creditdesk-server");
    }
    Ok(binaries)
}

/// The test executables of `package` in cargo's JSON messages.
fn test_binaries(messages: &str, package: &str) -> Vec<TestBinary> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["profile"]["test"] == true)
        .filter(|message| {
            let id = message["package_id"].as_str().unwrap_or_default();
            id.contains(&format!("#{package}@")) || id.starts_with(&format!("{package} "))
        })
        .filter_map(|message| {
            let path = message["executable"].as_str()?;
            let name = message["target"]["name"].as_str()?.to_owned();
            Some(TestBinary {
                name,
                path: PathBuf::from(path),
            })
        })
        .collect()
}

fn test() -> anyhow::Result<ExitCode> {
    disk_check();
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
        cmd("cargo")
            .args(["test", "--locked", "--no-fail-fast"])
            .args(NATIVE),
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
    match (postgres::Cluster::start(), server_test_binaries()) {
        (Ok(cluster), Ok(binaries)) => {
            for binary in &binaries {
                report.tests(
                    &format!("postgres {}", binary.name),
                    cmd(&binary.path.to_string_lossy())
                        .current_dir(root().join("crates/server"))
                        .env("CREDITDESK_TEST_POSTGRES_URL", cluster.url()),
                );
            }
            drop(cluster);
        }
        (Err(error), _) => report.failed_step("postgres cluster", &format!("{error:#}")),
        (_, Err(error)) => report.failed_step("server tests on postgres", &format!("{error:#}")),
    }

    step("End-to-end: the real server and admin in headless Chromium");
    let e2e_ready = build_admin().and_then(|_| {
        run_checked(
            cmd("cargo")
                .args(["build", "--locked"])
                .args(SERVER_AND_BENCH),
        )
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
    let torture_ready = run_checked(
        cmd("cargo")
            .args(["build", "--locked"])
            .args(SERVER_AND_BENCH),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_binaries_are_the_packages_test_executables() {
        let messages = [
            // A server integration test: taken.
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/server#creditdesk-server@0.1.0","target":{"name":"keys"},"profile":{"test":true},"executable":"/w/target/debug/deps/keys-1"}"#,
            // The server's library, not a test build: left.
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/server#creditdesk-server@0.1.0","target":{"name":"creditdesk_server"},"profile":{"test":false},"executable":null}"#,
            // Another package's test: left.
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/core#creditdesk-core@0.1.0","target":{"name":"cases"},"profile":{"test":true},"executable":"/w/target/debug/deps/cases-2"}"#,
            // The old package id spelling (cargo before 1.77).
            r#"{"reason":"compiler-artifact","package_id":"creditdesk-server 0.1.0 (path+file:///w/crates/server)","target":{"name":"creditdesk_server"},"profile":{"test":true},"executable":"/w/target/debug/deps/creditdesk_server-3"}"#,
            r#"{"reason":"build-finished","success":true}"#,
            "not json",
        ]
        .join("\n");
        let found: Vec<(String, PathBuf)> = test_binaries(&messages, "creditdesk-server")
            .into_iter()
            .map(|binary| (binary.name, binary.path))
            .collect();
        assert_eq!(
            found,
            [
                ("keys".into(), "/w/target/debug/deps/keys-1".into()),
                (
                    "creditdesk_server".into(),
                    "/w/target/debug/deps/creditdesk_server-3".into()
                ),
            ]
        );
    }
}
