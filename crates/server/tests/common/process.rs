//! A real `creditdesk-server` process on a loopback port, for what only a real process shows:
//! several processes on one database, restarts, and connections over real sockets.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running `creditdesk-server`. Killed when dropped.
pub struct ServerProcess {
    child: tokio::process::Child,
    pub port: u16,
}

impl ServerProcess {
    /// Starts the server on `database_url` with this operator key and extra flags, and waits
    /// until it accepts connections.
    pub async fn start(database_url: &str, key: &str, token: &str, args: &[&str]) -> ServerProcess {
        let port = free_port();
        let child = command(database_url, key, token, port)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start creditdesk-server");
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return ServerProcess { child, port };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("creditdesk-server did not start on port {port}");
    }

    /// Runs the server until it has started (or exited) and returns what it wrote to stderr by
    /// then, and whether it was still running.
    pub async fn start_output(database_url: &str, key: &str, token: &str) -> (String, bool) {
        let port = free_port();
        let mut child = command(database_url, key, token, port)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start creditdesk-server");
        let mut running = false;
        for _ in 0..200 {
            if child.try_wait().expect("poll the server").is_some() {
                break;
            }
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                running = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.start_kill();
        let mut stderr = String::new();
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let _ =
            tokio::time::timeout(Duration::from_secs(10), pipe.read_to_string(&mut stderr)).await;
        let _ = child.wait().await;
        (stderr, running)
    }

    /// One request over plain HTTP/1.1 (`Connection: close`); the status code and the whole
    /// response text.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: &str,
        key: &str,
        token: &str,
    ) -> (u16, String) {
        self.request_with(method, path, body, key, token, &[]).await
    }

    /// [`ServerProcess::request`] with more request headers.
    pub async fn request_with(
        &self,
        method: &str,
        path: &str,
        body: &str,
        key: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let extra: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
             X-VTEX-API-AppKey: {key}\r\nX-VTEX-API-AppToken: {token}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, response)
    }

    /// Kills the process at once (SIGKILL: no shutdown, nothing flushed) and waits for it.
    pub async fn kill_9(&mut self) {
        self.child.kill().await.expect("kill the server");
    }

    /// The most memory the process has held so far (`VmHWM` of `/proc/<pid>/status`, Linux),
    /// in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        let pid = self.child.id().expect("the server is running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("poll the server").is_none()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(database_url: &str, key: &str, token: &str, port: u16) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_creditdesk-server"));
    command
        .env("CREDITDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url)
        .env("CREDITDESK_APP_KEY", key)
        .env("CREDITDESK_APP_TOKEN", token)
        .env("CREDITDESK_STATIC_DIR", "/nonexistent")
        .env("CREDITDESK_WEBHOOK_ALLOWED_NETWORKS", super::LOOPBACK)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    command
}
