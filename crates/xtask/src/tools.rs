//! Installs the tools the build and the tests need, only when missing or of the wrong version.
//! Everything comes from package registries (crates.io, npm, apt); nothing downloads a prebuilt
//! binary. Versions and traps: `../shared/toolchain.md`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

use crate::{root, run_checked, step};

pub const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm's binaryen (Debian's wasm-opt 108 silently breaks the bundle).
pub const BINARYEN_VERSION: &str = "132.0.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// PATH with the project's npm tools first, then cargo's bin folder, then the caller's PATH.
pub fn path_with_tools() -> OsString {
    let mut paths = vec![root().join(".tools/binaryen/node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        paths.push(home.join("bin"));
    }
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH entries without separators")
}

/// The first line a program prints for `args`, if it runs and succeeds.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", path_with_tools())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn is_root() -> bool {
    output("id", &["-u"]).as_deref() == Some("0")
}

/// The wasm target, trunk, wasm-bindgen-cli (the lockfile's version) and wasm-opt.
pub fn ensure_build_tools() -> anyhow::Result<()> {
    step("Checking build tools (installing what is missing)");
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if targets.lines().any(|t| t.trim() == WASM_TARGET) {
        println!("ok   rust target {WASM_TARGET}");
    } else {
        println!("get  rust target {WASM_TARGET}");
        run_checked(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }

    let trunk = output("trunk", &["--version"]).unwrap_or_default();
    if trunk == format!("trunk {TRUNK_VERSION}") {
        println!("ok   {trunk}");
    } else {
        println!(
            "get  trunk {TRUNK_VERSION} (found {:?}; about 6 minutes on 2 cores)",
            trunk
        );
        run_checked(Command::new("cargo").args([
            "install",
            "--locked",
            "--force",
            "trunk@0.21.14",
        ]))?;
    }

    let wanted = lockfile_version("wasm-bindgen")?;
    let found = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if found == format!("wasm-bindgen {wanted}") {
        println!("ok   {found}");
    } else {
        println!("get  wasm-bindgen-cli {wanted} (found {found:?}; about 2 minutes)");
        // No --locked: one of its pinned dependencies is missing on the registry mirror.
        run_checked(Command::new("cargo").args([
            "install",
            "--force",
            &format!("wasm-bindgen-cli@{wanted}"),
        ]))?;
    }

    let wasm_opt = root().join(".tools/binaryen/node_modules/.bin/wasm-opt");
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    let found = Command::new(&wasm_opt)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if found
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {major}")))
    {
        println!("ok   wasm-opt {major} (npm binaryen, in .tools/)");
    } else {
        println!("get  wasm-opt from npm binaryen@{BINARYEN_VERSION}");
        let prefix = root().join(".tools/binaryen");
        run_checked(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&prefix)
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )
        .context("cannot install binaryen with npm: is node/npm installed?")?;
    }
    if Command::new("dpkg")
        .args(["-s", "binaryen"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        println!("note Debian's binaryen is installed; it breaks wasm bundles. The npm one in .tools/ comes first on PATH here, but consider `apt-get remove binaryen`.");
    }
    Ok(())
}

/// Chromium and chromedriver (browser tests), the PostgreSQL server binaries, and the SMTP
/// server the reminder tests mail to.
pub fn ensure_test_tools() -> anyhow::Result<()> {
    step("Checking test tools (installing what is missing)");
    ensure_aiosmtpd()?;
    let mut apt = Vec::new();
    match output("chromedriver", &["--version"]) {
        Some(v) if chromium().is_some() => println!("ok   {v}"),
        _ => apt.extend(["chromium", "chromium-driver"]),
    }
    match postgres_bin() {
        Some(dir) => println!("ok   PostgreSQL server binaries in {}", dir.display()),
        None => apt.push("postgresql"),
    }
    if apt.is_empty() {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {}", apt.join(" "));
    if !is_root() {
        bail!(
            "missing {}: run `sudo sh -c '{install}'` and try again",
            apt.join(", ")
        );
    }
    println!("get  {} (apt)", apt.join(", "));
    run_checked(
        Command::new("sh")
            .args(["-c", &install])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(())
}

pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| which(name))
}

pub fn chromedriver() -> PathBuf {
    which("chromedriver").unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&path_with_tools())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb`.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The version of `package` in Cargo.lock.
fn lockfile_version(package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("{package} is not in Cargo.lock")
}

/// aiosmtpd, pinned, from PyPI into a virtualenv in `.tools/aiosmtpd`: the real SMTP server
/// the server's reminder tests start (they look for `.tools/aiosmtpd/bin/aiosmtpd`).
pub const AIOSMTPD_VERSION: &str = "1.4.6";

pub fn ensure_aiosmtpd() -> anyhow::Result<PathBuf> {
    let venv = root().join(".tools/aiosmtpd");
    let smtpd = venv.join("bin/aiosmtpd");
    let version = output(&smtpd.to_string_lossy(), &["--version"]).unwrap_or_default();
    if version.ends_with(AIOSMTPD_VERSION) {
        println!("ok   aiosmtpd {AIOSMTPD_VERSION} (PyPI, in .tools/)");
        return Ok(smtpd);
    }
    println!("get  aiosmtpd {AIOSMTPD_VERSION} from PyPI into .tools/aiosmtpd");
    run_checked(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("cannot create a Python virtualenv: is python3 (with venv) installed?")?;
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("aiosmtpd=={AIOSMTPD_VERSION}")),
    )
    .context("cannot install aiosmtpd from PyPI")?;
    Ok(smtpd)
}

/// Schemathesis, pinned, from PyPI into a virtualenv in `.tools/schemathesis`; its `st`.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

pub fn ensure_schemathesis() -> anyhow::Result<PathBuf> {
    let venv = root().join(".tools/schemathesis");
    let st = venv.join("bin/st");
    let version = output(&st.to_string_lossy(), &["--version"]).unwrap_or_default();
    if version.ends_with(SCHEMATHESIS_VERSION) {
        println!("ok   schemathesis {SCHEMATHESIS_VERSION} (PyPI, in .tools/)");
        return Ok(st);
    }
    println!("get  schemathesis {SCHEMATHESIS_VERSION} from PyPI into .tools/schemathesis");
    run_checked(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .context("cannot create a Python virtualenv: is python3 (with venv) installed?")?;
    run_checked(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")),
    )
    .context("cannot install schemathesis from PyPI")?;
    Ok(st)
}

/// The reference Customer Credit API spec beside the repository, if it is there.
pub fn reference_spec() -> Option<PathBuf> {
    let spec = root().join("../shared/reference/customer-credit-api.openapi.json");
    spec.is_file().then_some(spec)
}
