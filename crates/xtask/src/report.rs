//! Runs suites, echoes their output, and adds up what passed and failed.

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
}

#[derive(Default)]
pub struct Report {
    passed: u64,
    failed: u64,
    lines: Vec<String>,
}

impl Report {
    /// A check that passes or fails as a whole (fmt, clippy): counts as one.
    pub fn check(&mut self, name: &str, command: &mut Command) {
        let started = Instant::now();
        let ok = command.status().map(|s| s.success()).unwrap_or(false);
        self.record(name, u64::from(ok), u64::from(!ok), started);
    }

    /// A test suite: its `test result:` lines are added up. A suite that fails without any such
    /// line (it did not compile, say) counts as one failure.
    pub fn tests(&mut self, name: &str, command: &mut Command) {
        let started = Instant::now();
        let (mut passed, mut failed) = (0, 0);
        let ok = match command.stdout(Stdio::piped()).spawn() {
            Ok(mut child) => {
                let stdout = child.stdout.take().expect("piped stdout");
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    println!("{line}");
                    if let Some((p, f)) = parse_result_line(&line) {
                        passed += p;
                        failed += f;
                    }
                }
                child.wait().map(|s| s.success()).unwrap_or(false)
            }
            Err(error) => {
                println!("cannot start {command:?}: {error}");
                false
            }
        };
        if !ok && failed == 0 {
            failed = 1;
        }
        self.record(name, passed, failed, started);
    }

    /// A check whose outcome was decided here: counts as one.
    pub fn outcome(&mut self, name: &str, outcome: Outcome, started: Instant) {
        let passed = u64::from(outcome == Outcome::Passed);
        self.record(name, passed, 1 - passed, started);
    }

    pub fn failed_step(&mut self, name: &str, why: &str) {
        println!("{name} failed: {why}");
        self.failed += 1;
        self.lines.push(format!("  {name:<28} FAILED: {why}"));
    }

    fn record(&mut self, name: &str, passed: u64, failed: u64, started: Instant) {
        self.passed += passed;
        self.failed += failed;
        let seconds = started.elapsed().as_secs();
        self.lines.push(format!(
            "  {name:<28} {passed:>4} passed, {failed:>3} failed  ({seconds} s)"
        ));
    }

    pub fn finish(self) -> ExitCode {
        println!("\n==> Summary");
        for line in &self.lines {
            println!("{line}");
        }
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

/// `test result: ok. 12 passed; 0 failed; ...` (cargo test and wasm-bindgen-test-runner).
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let at = rest.find(word)?;
        rest[..at]
            .trim_end()
            .rsplit([' ', '.'])
            .next()?
            .parse()
            .ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

#[cfg(test)]
mod tests {
    use super::parse_result_line;

    #[test]
    fn reads_result_lines() {
        let cases = [
            ("test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.05s", Some((12, 0))),
            ("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out", Some((3, 2))),
            ("test result: ok. 0 passed; 0 failed; 0 ignored", Some((0, 0))),
            ("running 12 tests", None),
            ("test foo ... ok", None),
        ];
        for (line, expect) in cases {
            assert_eq!(parse_result_line(line), expect, "{line}");
        }
    }
}
