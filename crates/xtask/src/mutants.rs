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

use crate::report::Outcome;
use crate::{cmd, root, run_checked, step};

pub const CARGO_MUTANTS_VERSION: &str = "27.1.0";

/// Most mutants `cargo xtask test` runs from the last change to core: about 3 s each on two
/// cores, so the step stays within a few minutes of CI's budget.
pub const IN_DIFF_MUTANTS_MAX: u32 = 60;

/// Where the diff of the last change to core is written for `--in-diff`.
const LAST_CHANGE_DIFF: &str = "target/mutants-last-change.diff";

/// `cargo xtask mutants`: runs cargo-mutants over core; `extra` goes to it
/// (`--file crates/core/src/account.rs`, `--in-diff changes.diff`, `-j 2`). `--last-change`
/// alone runs what `cargo xtask test` runs ([`run_last_change`]).
pub fn run(extra: &[String]) -> anyhow::Result<ExitCode> {
    if extra == ["--last-change"] {
        // What `cargo xtask test` runs.
        return Ok(match run_last_change()? {
            Some(Outcome::Failed) => ExitCode::FAILURE,
            Some(Outcome::Passed) | None => ExitCode::SUCCESS,
        });
    }
    ensure_cargo_mutants()?;
    step("Mutation testing of creditdesk-core (cargo-mutants; report in target/mutants/)");
    Ok(match run_over_core("target/mutants", extra)? {
        Outcome::Passed => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::FAILURE,
    })
}

/// The step of `cargo xtask test`: the mutants in the last commit that changed core's sources
/// (at most [`IN_DIFF_MUTANTS_MAX`]; more are sampled by shard, and the full run is
/// `cargo xtask mutants`). Passed when none was missed; `Ok(None)` when there is nothing to run.
pub fn run_last_change() -> anyhow::Result<Option<Outcome>> {
    ensure_cargo_mutants()?;
    let git = |args: &[&str]| -> anyhow::Result<String> {
        let out = cmd("git").args(args).output().context("cannot run git")?;
        anyhow::ensure!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = match git(&["log", "-1", "--format=%H", "--", "crates/core/src"]) {
        Ok(commit) if !commit.is_empty() => commit,
        Ok(_) | Err(_) => {
            println!("note no git history of crates/core/src here: no mutants to pick");
            return Ok(None);
        }
    };
    let Ok(diff) = git(&[
        "diff",
        &format!("{commit}~1"),
        &commit,
        "--",
        "crates/core/src",
    ]) else {
        println!("note {commit} has no parent here (a shallow clone?): no diff to mutate");
        return Ok(None);
    };
    let diff_path = root().join(LAST_CHANGE_DIFF);
    std::fs::write(&diff_path, format!("{diff}\n"))?;
    let diff_arg = [
        "--in-diff".to_owned(),
        diff_path.to_string_lossy().into_owned(),
    ];
    let listed = cmd("cargo")
        .args(["mutants", "--package", "creditdesk-core", "--list"])
        .args(&diff_arg)
        .output()
        .context("cannot start cargo mutants --list")?;
    let count = u32::try_from(parse_lines(&String::from_utf8_lossy(&listed.stdout)).len())
        .unwrap_or(u32::MAX);
    let short = &commit[..12];
    if count == 0 {
        println!(
            "The last change to core ({short}) has no mutants (cargo xtask mutants runs them all)."
        );
        return Ok(None);
    }
    let shards = count.div_ceil(IN_DIFF_MUTANTS_MAX);
    let mut args = diff_arg.to_vec();
    if shards > 1 {
        println!(
            "{count} mutants in the last change to core ({short}): this run takes one in {shards} \
             (shard 0/{shards}); `cargo xtask mutants --in-diff {LAST_CHANGE_DIFF}` runs them all"
        );
        args.extend(["--shard".to_owned(), format!("0/{shards}")]);
    } else {
        println!("{count} mutants in the last change to core ({short})");
    }
    run_over_core("target/mutants-last-change", &args).map(Some)
}

/// Runs cargo-mutants over core with `extra`, its report under `output`; prints the summary.
/// Passed when no mutant was missed or timed out.
fn run_over_core(output: &str, extra: &[String]) -> anyhow::Result<Outcome> {
    let output = root().join(output);
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
    let clean = status.success() && summary.missed.is_empty() && summary.timeouts.is_empty();
    Ok(if clean {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

pub fn ensure_cargo_mutants() -> anyhow::Result<()> {
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
