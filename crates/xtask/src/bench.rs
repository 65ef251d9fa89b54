//! `cargo xtask bench` and `cargo xtask torture`: build the release server and the bench, start
//! a throwaway PostgreSQL cluster, run, and keep the Markdown output in `target/bench/`.

use std::io::{BufRead, BufReader, Write};
use std::process::{ExitCode, Stdio};

use anyhow::Context;

use crate::{cmd, postgres, root, run_checked, step, tools};

pub fn run(what: &str, extra: &[String]) -> anyhow::Result<ExitCode> {
    tools::ensure_test_tools()?;
    step("Building the release server and the bench");
    run_checked(cmd("cargo").args([
        "build",
        "--release",
        "--locked",
        "-p",
        "creditdesk-server",
        "-p",
        "creditdesk-bench",
    ]))?;
    step("Starting a throwaway PostgreSQL cluster (durable: fsync on)");
    let cluster = match postgres::Cluster::start_durable() {
        Ok(cluster) => Some(cluster),
        Err(error) => {
            println!("PostgreSQL is not available, measuring SQLite only: {error:#}");
            None
        }
    };
    let dir = root().join("target").join(what);
    std::fs::create_dir_all(&dir)?;
    step(&format!(
        "Running {what} (progress below; Markdown kept in target/{what}/results.md)"
    ));
    let mut command = cmd(&root()
        .join("target/release/creditdesk-bench")
        .to_string_lossy());
    command
        .arg(what)
        .arg("--server-bin")
        .arg(root().join("target/release/creditdesk-server"))
        .arg("--dir")
        .arg(&dir);
    if let Some(cluster) = &cluster {
        command.args(["--postgres", &cluster.url()]);
    }
    if what == "torture" {
        command
            .arg("--schemathesis")
            .arg(tools::ensure_schemathesis()?);
        match tools::reference_spec() {
            Some(spec) => {
                command.arg("--reference").arg(spec);
            }
            None => println!("note the reference spec (../shared/reference/) is not here: schemathesis runs on our OpenAPI document only"),
        }
    }
    command.args(extra).stdout(Stdio::piped());
    let mut child = command.spawn().context("start creditdesk-bench")?;
    let mut results = std::fs::File::create(dir.join("results.md"))?;
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        println!("{line}");
        writeln!(results, "{line}")?;
    }
    let mut ok = child.wait()?.success();
    drop(cluster);
    // `--only` picks sections of the bench binary; the property tests and the mutation run of
    // core come with the whole set.
    if what == "torture" && !extra.iter().any(|a| a == "--only") {
        step("Property tests at scale: 20,000 random command sequences per property");
        ok &= cmd("cargo")
            .args([
                "test",
                "--release",
                "--locked",
                "-p",
                "creditdesk-core",
                "--test",
                "properties",
                "--test",
                "engine_properties",
            ])
            .env("PROPTEST_CASES", "20000")
            .status()?
            .success();
        ok &= crate::mutants::run(&[])? == ExitCode::SUCCESS;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
