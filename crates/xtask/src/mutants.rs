//! `cargo xtask mutants`: mutation testing of `creditdesk-core` with cargo-mutants (crates.io,
//! pinned, installed like the other tools). Each mutant — a credit rule changed on purpose — runs
//! core's native test suites; a mutant that every test survives is a rule no test pins down.
//! Prints caught / missed / unviable / timeouts and each missed mutant with file and line; the
//! whole report stays in `target/mutants/mutants.out/`. Equivalent mutants (no observable
//! difference) are skipped by name from `.cargo/mutants.toml`, each with its reason in
//! `docs/testing.md`.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::Context;

use crate::{cmd, root, run_checked, step};

pub const CARGO_MUTANTS_VERSION: &str = "27.1.0";

/// Runs cargo-mutants over core; `extra` goes to it (`--file crates/core/src/account.rs`,
/// `--in-diff changes.diff`, `-j 2`).
pub fn run(extra: &[String]) -> anyhow::Result<ExitCode> {
    ensure_cargo_mutants()?;
    step("Mutation testing of creditdesk-core (cargo-mutants; report in target/mutants/)");
    let output = root().join("target/mutants");
    let started = std::time::Instant::now();
    let status = cmd("cargo")
        .args(["mutants", "--package", "creditdesk-core", "--output"])
        .arg(&output)
        .args(extra)
        .status()
        .context("cannot start cargo mutants")?;
    let report = output.join("mutants.out");
    let summary = Summary::read(&report)?;
    summary.print(started.elapsed().as_secs(), &report);
    // cargo-mutants exits 2 when mutants were missed, 3 on timeouts: both are findings.
    Ok(if status.success() && summary.missed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn ensure_cargo_mutants() -> anyhow::Result<()> {
    step("Checking cargo-mutants");
    let found = Command::new("cargo")
        .args(["mutants", "--version"])
        .env("PATH", crate::tools::path_with_tools())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if found == format!("cargo-mutants {CARGO_MUTANTS_VERSION}") {
        println!("ok   {found}");
        return Ok(());
    }
    println!("get  cargo-mutants {CARGO_MUTANTS_VERSION} (found {found:?}; about 3 minutes)");
    run_checked(Command::new("cargo").args([
        "install",
        "--locked",
        "--force",
        &format!("cargo-mutants@{CARGO_MUTANTS_VERSION}"),
    ]))
}

/// What one run found, from cargo-mutants' lists (one mutant per line).
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    caught: u32,
    missed: Vec<String>,
    unviable: u32,
    timeouts: Vec<String>,
}

impl Summary {
    fn read(report: &Path) -> anyhow::Result<Summary> {
        let lines = |name: &str| -> anyhow::Result<Vec<String>> {
            let path = report.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(parse_lines(&text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
            }
        };
        let count = |v: Vec<String>| u32::try_from(v.len()).unwrap_or(u32::MAX);
        Ok(Summary {
            caught: count(lines("caught.txt")?),
            missed: lines("missed.txt")?,
            unviable: count(lines("unviable.txt")?),
            timeouts: lines("timeout.txt")?,
        })
    }

    fn print(&self, seconds: u64, report: &Path) {
        println!("\n| caught | missed | unviable | timeouts | time |\n|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {} | {} | {} | {} s |",
            self.caught,
            self.missed.len(),
            self.unviable,
            self.timeouts.len(),
            seconds
        );
        for (what, list) in [("missed", &self.missed), ("timed out", &self.timeouts)] {
            if !list.is_empty() {
                println!("\n{what} (file:line: mutant):");
                for mutant in list {
                    println!("- {mutant}");
                }
            }
        }
        println!("\nFull report: {}", report.display());
    }
}

/// The non-empty lines of a cargo-mutants list.
fn parse_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lists_of_a_report() {
        let dir = std::env::temp_dir().join(format!("xtask-mutants-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("caught.txt"), "a.rs:1:1: x\nb.rs:2:3: y\n").unwrap();
        std::fs::write(
            dir.join("missed.txt"),
            "crates/core/src/account.rs:93:50: replace ToZero with AwayFromZero\n\n",
        )
        .unwrap();
        let summary = Summary::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            summary,
            Summary {
                caught: 2,
                missed: vec![
                    "crates/core/src/account.rs:93:50: replace ToZero with AwayFromZero".into()
                ],
                unviable: 0,
                timeouts: Vec::new(),
            }
        );
    }
}
