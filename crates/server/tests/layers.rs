//! The layers of ARCHITECTURE.md, checked in the source: storage (`src/db/`) knows no HTTP and
//! none of the server's other modules — it depends on core and sqlx only — and `error`, the one
//! mapping to HTTP, is the only place that turns a storage error into a status.

use std::path::{Path, PathBuf};

/// What storage may not name: the web framework, HTTP types, and the modules above it.
const NOT_IN_STORAGE: &[&str] = &[
    "axum",
    "hyper",
    "http::",
    "StatusCode",
    "ApiError",
    "IntoResponse",
    "crate::error",
    "crate::api",
    "crate::auth",
    "crate::idempotency",
    "crate::extract",
    "crate::config",
    "crate::web",
    "crate::serve",
    "crate::sweep",
    "crate::webhooks",
    "reqwest",
    "crate::mail",
    "crate::notify",
    "lettre",
    "crate::time_zone",
    "chrono_tz",
    "crate::throttle",
    "crate::AppState",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// The code of a file without its comments (doc comments may name what the code may not use).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn storage_knows_no_http_and_nothing_above_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
    let files = rust_files(&dir);
    assert!(files.len() >= 4, "the storage files are read: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let code = code(file);
        for name in NOT_IN_STORAGE {
            if code.contains(name) {
                found.push(format!("{} names {name}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "storage must not know these:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_forbidden_name() {
    // The same scan over a module above storage finds what storage may not name.
    let api = code(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/error.rs"));
    assert!(NOT_IN_STORAGE.iter().any(|name| api.contains(name)));
}
