//! A Creditdesk server process and a keep-alive HTTP/1.1 client for it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::process::{Child, Command};

pub const APP_KEY: &str = "bench";
pub const APP_TOKEN: &str = "bench-token-0123456789-abcdef";

/// A free TCP port on loopback.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `creditdesk-server` running in its own process.
pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl ServerProcess {
    /// Starts the binary on `database` and waits until `/healthz` answers.
    pub async fn start(binary: &Path, database: &str, log_dir: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log = log_dir.join(format!("server-{port}.log"));
        let child = Command::new(binary)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", database])
            .args(["--static-dir", "/nonexistent"])
            .args(["--sweep-seconds", "3600"])
            .env("CREDITDESK_APP_KEY", APP_KEY)
            .env("CREDITDESK_APP_TOKEN", APP_TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let server = ServerProcess { child, port, log };
        let api = Api::new(port);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok((200, _)) = api.call("GET", "/healthz", None).await {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the server did not answer /healthz within 30 s; its log:\n{}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        )
    }

    pub fn api(&self) -> Api {
        Api::new(self.port)
    }

    /// The most resident memory the process has held since it started (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// `kill -9`: no chance to finish anything.
    pub async fn kill_hard(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// A pooled keep-alive client with the bench's credentials.
/// How many commands each commit carried, `(size, commits)`, and how long the writers worked.
#[derive(Debug, Clone, Default)]
pub struct Commits {
    pub sizes: Vec<(u64, u64)>,
    pub busy_us: u64,
}

#[derive(Clone)]
pub struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Api {
    pub fn new(port: u16) -> Api {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        // Idle connections are dropped before the server's keep-alive (15 s) closes them, so a
        // request never goes out on a connection the server is closing.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(crate::load::in_flight_max())
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build(connector);
        Api {
            client,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// One request; the status and the body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> anyhow::Result<(u16, Bytes)> {
        let (status, _, body) = self.exchange(method, path, body).await?;
        Ok((status, body))
    }

    /// [`Api::call`], with the reply's headers.
    pub async fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> anyhow::Result<(u16, hyper::HeaderMap, Bytes)> {
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("X-VTEX-API-AppKey", APP_KEY)
            .header("X-VTEX-API-AppToken", APP_TOKEN)
            .header("Content-Type", "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))?;
        let response = self.client.request(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, headers, body))
    }

    /// A `GET` whose body is read as it arrives and only counted: the status, the lines (`\n`)
    /// and the bytes.
    pub async fn get_counted(&self, path: &str) -> anyhow::Result<(u16, u64, u64)> {
        let request = Request::builder()
            .method("GET")
            .uri(format!("{}{path}", self.base))
            .header("X-VTEX-API-AppKey", APP_KEY)
            .header("X-VTEX-API-AppToken", APP_TOKEN)
            .body(Full::new(Bytes::new()))?;
        let response = self.client.request(request).await?;
        let status = response.status().as_u16();
        let mut body = response.into_body();
        let (mut lines, mut bytes) = (0u64, 0u64);
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame?.into_data() {
                lines += data.iter().filter(|b| **b == b'\n').count() as u64;
                bytes += data.len() as u64;
            }
        }
        Ok((status, lines, bytes))
    }

    /// The server's group-commit counters since it started (its `/healthz`).
    pub async fn commits(&self) -> anyhow::Result<Commits> {
        let health = self.ok("GET", "/healthz", None).await?;
        Ok(Commits {
            sizes: serde_json::from_value(health["commandsPerCommit"].clone())?,
            busy_us: serde_json::from_value(health["writersBusyMicros"].clone())?,
        })
    }

    /// A request that must answer 200; its JSON.
    pub async fn ok(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> anyhow::Result<serde_json::Value> {
        let (status, bytes) = self.call(method, path, body).await?;
        if status != 200 {
            bail!(
                "{method} {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        if bytes.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}
