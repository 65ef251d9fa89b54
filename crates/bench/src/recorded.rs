//! The ratios of the last recorded benchmark run, kept as data in the repo
//! (`crates/bench/recorded.json`, written by `cargo xtask bench --record`): `--compare` prints
//! each ratio of this run beside the recorded one and marks a drop of more than
//! [`DROP_MARKED`]. Ratios, not rates: both sides of each are measured in the same run, so
//! they travel between machines better than operations per second do.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A drop beyond this share of the recorded ratio is marked.
pub const DROP_MARKED: f64 = 0.15;

/// One workload's peak over the limit of its engine, in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    pub engine: String,
    pub workload: String,
    pub ratio: f64,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub commit: String,
    pub date: String,
    pub machine: String,
    pub ratios: Vec<Ratio>,
}

/// Where the recorded run is kept.
pub fn path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/recorded.json"))
}

/// The recorded run (`None`: none was recorded yet).
pub fn load() -> anyhow::Result<Option<Recorded>> {
    match std::fs::read_to_string(path()) {
        Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Keeps `recorded` as the run to compare with.
pub fn save(recorded: &Recorded) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(recorded)? + "\n";
    std::fs::write(path(), text)?;
    Ok(())
}

/// How a ratio of this run stands to the recorded one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Not in the recorded run.
    New,
    /// Within [`DROP_MARKED`] below the recorded ratio, or above it: the relative change.
    Held(f64),
    /// More than [`DROP_MARKED`] below: the relative change.
    Dropped(f64),
}

impl Change {
    /// As the comparison shows it.
    pub fn shown(self) -> String {
        match self {
            Change::New => "new".to_owned(),
            Change::Held(relative) => format!("{:+.0} %", relative * 100.0),
            Change::Dropped(relative) => format!("**{:+.0} % DROP**", relative * 100.0),
        }
    }
}

pub fn change(recorded: Option<f64>, now: f64) -> Change {
    match recorded {
        None => Change::New,
        Some(before) => {
            let relative = now / before - 1.0;
            if relative < -DROP_MARKED {
                Change::Dropped(relative)
            } else {
                Change::Held(relative)
            }
        }
    }
}

/// This run's ratios beside the recorded ones, as a Markdown table.
pub fn comparison(recorded: &Recorded, now: &[Ratio]) -> String {
    let mut table = format!(
        "## Compared with the recorded run ({}, {}, {})\n\n\
         | engine | workload | recorded | now | change |\n|---|---|---:|---:|---:|\n",
        recorded.commit, recorded.date, recorded.machine
    );
    for ratio in now {
        let before = recorded
            .ratios
            .iter()
            .find(|r| r.engine == ratio.engine && r.workload == ratio.workload)
            .map(|r| r.ratio);
        let shown = change(before, ratio.ratio).shown();
        let before = before.map_or("—".to_owned(), |b| format!("{b:.2}×"));
        table += &format!(
            "| {} | {} | {before} | {:.2}× | {shown} |\n",
            ratio.engine, ratio.workload, ratio.ratio
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drop_beyond_the_mark_is_marked() {
        // (recorded, now, as shown)
        let cases = [
            (None, 0.5, "new"),
            (Some(0.5), 0.5, "+0 %"),
            (Some(0.5), 0.6, "+20 %"),
            (Some(0.5), 0.43, "-14 %"),
            (Some(0.5), 0.42, "**-16 % DROP**"),
            (Some(0.5), 0.1, "**-80 % DROP**"),
        ];
        for (recorded, now, want) in cases {
            assert_eq!(change(recorded, now).shown(), want, "{recorded:?} → {now}");
        }
    }

    #[test]
    fn the_comparison_names_each_workload_and_marks_drops() {
        let ratio = |engine: &str, workload: &str, ratio| Ratio {
            engine: engine.into(),
            workload: workload.into(),
            ratio,
        };
        let recorded = Recorded {
            commit: "abc1234".into(),
            date: "2026-12-07".into(),
            machine: "2 cores".into(),
            ratios: vec![ratio("SQLite", "hot", 0.5), ratio("SQLite", "mixed", 0.25)],
        };
        let now = [
            ratio("SQLite", "hot", 0.4),
            ratio("SQLite", "mixed", 0.26),
            ratio("PostgreSQL", "hot", 0.3),
        ];
        let table = comparison(&recorded, &now);
        assert!(
            table.contains("| SQLite | hot | 0.50× | 0.40× | **-20 % DROP** |"),
            "{table}"
        );
        assert!(
            table.contains("| SQLite | mixed | 0.25× | 0.26× | +4 % |"),
            "{table}"
        );
        assert!(
            table.contains("| PostgreSQL | hot | — | 0.30× | new |"),
            "{table}"
        );
    }
}
