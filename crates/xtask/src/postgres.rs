//! A throwaway PostgreSQL cluster: a temp folder, a free loopback port, stopped and deleted on drop.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context};

use crate::tools;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// A cluster for tests: `fsync=off` (nothing there needs to survive a power cut).
    pub fn start() -> anyhow::Result<Cluster> {
        Cluster::start_with(false)
    }

    /// A cluster as production runs it: every commit flushed to disk (`fsync=on`, the default),
    /// for measurements that compare with durable SQLite.
    pub fn start_durable() -> anyhow::Result<Cluster> {
        Cluster::start_with(true)
    }

    fn start_with(durable: bool) -> anyhow::Result<Cluster> {
        let bin = tools::postgres_bin()
            .context("no PostgreSQL server binaries under /usr/lib/postgresql")?;
        let dir = std::env::temp_dir().join(format!("creditdesk-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        // initdb refuses to run as root: then the cluster belongs to the `postgres` user.
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if as_postgres {
            crate::run_checked(Command::new("chown").args(["-R", "postgres:"]).arg(&dir))?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let cluster = Cluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster.pg(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200",
            path(&cluster.dir),
            if durable { "on" } else { "off" }
        );
        let log = cluster.dir.join("server.log");
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        )?;
        println!(
            "PostgreSQL running on 127.0.0.1:{port} (data in {}, fsync {})",
            cluster.dir.display(),
            if durable { "on" } else { "off" }
        );
        Ok(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let exe = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = command
            .args(args)
            .current_dir(&self.dir)
            .output()
            .with_context(|| format!("cannot run {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if let Err(error) = self.pg("pg_ctl", &["-D", path(&data), "-m", "fast", "-w", "stop"]) {
            eprintln!("could not stop the test PostgreSQL: {error:#}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
