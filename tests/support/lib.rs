//! Helpers for the end-to-end tests: the real server binary on a temp SQLite file and a free
//! port, chromedriver with headless Chromium, and a minimal HTTP client.
//!
//! The tests need a built admin and server; `cargo xtask test` builds both and passes their
//! paths in `CREDITDESK_E2E_SERVER_BIN` and `CREDITDESK_E2E_DIST`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// How long a page may take to show what a test waits for.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

fn required_env(name: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(name).map(PathBuf::from).with_context(|| {
        format!("{name} is not set: run the end-to-end tests with `cargo xtask test`")
    })?;
    anyhow::ensure!(
        path.exists(),
        "{name} points at {}, which does not exist",
        path.display()
    );
    Ok(path)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until something accepts connections on the port.
async fn wait_for_port(port: u16, what: &str, child: &mut Child) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("{what} exited early ({status})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{what} did not listen on port {port} within 30 s")
}

/// The real `creditdesk-server` process.
pub struct Server {
    child: Child,
    pub port: u16,
    pub app_key: String,
    pub app_token: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> anyhow::Result<Server> {
        let bin = required_env("CREDITDESK_E2E_SERVER_BIN")?;
        let dist = required_env("CREDITDESK_E2E_DIST")?;
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let (app_key, app_token) = (
            "e2e-admin".to_owned(),
            "e2e-token-0123456789-abcdef".to_owned(),
        );
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let mut child = Command::new(bin)
            .env("CREDITDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("e2e.db").display()),
            )
            .env("CREDITDESK_STATIC_DIR", dist)
            .env("CREDITDESK_APP_KEY", &app_key)
            .env("CREDITDESK_APP_TOKEN", &app_token)
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("start creditdesk-server")?;
        wait_for_port(port, "creditdesk-server", &mut child).await?;
        Ok(Server {
            child,
            port,
            app_key,
            app_token,
            dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What the server printed, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A plain HTTP/1.1 request; returns the status and the body.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> anyhow::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await?;
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("no status line")?;
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        Ok((status, body))
    }

    /// `http` with the admin credentials.
    pub async fn http_authorized(
        &self,
        method: &str,
        path: &str,
        body: &str,
    ) -> anyhow::Result<(u16, String)> {
        let headers = [
            ("X-VTEX-API-AppKey", self.app_key.as_str()),
            ("X-VTEX-API-AppToken", self.app_token.as_str()),
        ];
        self.http(method, path, &headers, body).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The built admin served as plain files, with no Creditdesk server behind it (what `trunk
/// serve` gives without a server): every `/api/` path is a bare 404.
pub struct Site {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Site {
    pub async fn start() -> anyhow::Result<Site> {
        let dist = required_env("CREDITDESK_E2E_DIST")?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_file(stream, dist.clone()));
            }
        });
        Ok(Site { port, task })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request, one file: the path under `dist`, `index.html` for the admin's own routes.
async fn serve_file(mut stream: TcpStream, dist: PathBuf) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    let (status, kind, body) = if path.starts_with("/api/") {
        ("404 Not Found", "text/plain", b"no server here".to_vec())
    } else {
        let file = dist.join(path.trim_start_matches('/'));
        let file = if file.is_file() && !path.contains("..") {
            file
        } else {
            dist.join("index.html")
        };
        let kind = match file.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "application/wasm",
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            _ => "text/html",
        };
        ("200 OK", kind, std::fs::read(file).unwrap_or_default())
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.write_all(&body).await;
}

/// Where the admin under test gets its data: the real server, or no server at all ("Use in
/// this browser", the page served as plain files).
pub enum Mode {
    Server(Box<Server>),
    Browser(Site),
}

impl Mode {
    pub async fn start_server() -> anyhow::Result<Mode> {
        Ok(Mode::Server(Box::new(Server::start().await?)))
    }

    pub async fn start_browser() -> anyhow::Result<Mode> {
        Ok(Mode::Browser(Site::start().await?))
    }

    pub fn url(&self, path: &str) -> String {
        match self {
            Mode::Server(server) => server.url(path),
            Mode::Browser(site) => site.url(path),
        }
    }

    /// The server, in server mode.
    pub fn server(&self) -> Option<&Server> {
        match self {
            Mode::Server(server) => Some(server),
            Mode::Browser(_) => None,
        }
    }

    pub fn log(&self) -> String {
        self.server().map(Server::log).unwrap_or_default()
    }

    /// Opens the admin and gets past the sign-in: the server's key, or "Use in this browser"
    /// (after the page said no server answers).
    pub async fn sign_in(&self, browser: &Browser) -> anyhow::Result<()> {
        match self {
            Mode::Server(server) => browser.sign_in(server).await,
            Mode::Browser(site) => {
                browser.client.goto(&site.url("/")).await?;
                browser.watch_policy_violations().await?;
                browser
                    .wait_for_text(".sign-in .notice", |t| t.contains("No Creditdesk server"))
                    .await?;
                browser.find("#use-browser").await?.click().await?;
                browser.find("nav").await?;
                Ok(())
            }
        }
    }
}

/// chromedriver driving headless Chromium, and a WebDriver session on it.
pub struct Browser {
    pub client: Client,
    _driver: Child,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        let chromedriver =
            std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        let port = free_port()?;
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!("start {chromedriver:?}: install chromium-driver (cargo xtask test does)")
            })?;
        wait_for_port(port, "chromedriver", &mut driver).await?;
        let mut options = serde_json::json!({
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     "--lang=en-US"]
        });
        if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .iter()
            .find(|p| std::path::Path::new(p).exists())
        {
            options["binary"] = serde_json::json!(binary);
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("open a WebDriver session")?;
        Ok(Browser {
            client,
            _driver: driver,
        })
    }

    /// Waits for the element, then returns it.
    pub async fn find(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css} within {UI_TIMEOUT:?}"))
    }

    /// Replaces an input's text the way a person would: select all, type.
    /// Follows the link whose text is `text` (a screen of the navigation, say).
    pub async fn go(&self, text: &str) -> anyhow::Result<()> {
        self.client
            .find(Locator::LinkText(text))
            .await?
            .click()
            .await?;
        Ok(())
    }

    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let input = self.find(css).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }

    /// The `value` of an input.
    pub async fn value(&self, css: &str) -> anyhow::Result<String> {
        Ok(self
            .find(css)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Waits until the element's text satisfies `accept`; returns that text.
    pub async fn wait_for_text(
        &self,
        css: &str,
        accept: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if accept(&last) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{css} never showed the expected text; last seen: {last:?}")
    }

    /// Saves a PNG of the page under `tests/screenshots/` (not committed) for people to look at.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Signs in to the admin served by `server` with its key, and waits for the navigation.
    /// From then on the page records what its Content-Security-Policy blocks
    /// ([`Browser::policy_violations`]).
    pub async fn sign_in(&self, server: &Server) -> anyhow::Result<()> {
        self.client.goto(&server.url("/")).await?;
        self.watch_policy_violations().await?;
        self.type_into("#app-key", &server.app_key).await?;
        self.type_into("#app-token", &server.app_token).await?;
        self.find("#sign-in").await?.click().await?;
        self.find("nav").await?;
        Ok(())
    }

    /// Starts recording, in this page, every request or inline code the server's
    /// Content-Security-Policy blocks. (Had the policy blocked the admin's own loader, the page
    /// would be blank and every step would fail.)
    pub async fn watch_policy_violations(&self) -> anyhow::Result<()> {
        self.client
            .execute(
                "window.__policyViolations = [];\
                 document.addEventListener('securitypolicyviolation', e => \
                   window.__policyViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// What the policy blocked since [`Browser::watch_policy_violations`]: `directive blocked`.
    pub async fn policy_violations(&self) -> anyhow::Result<Vec<String>> {
        let found = self
            .client
            .execute(
                "return window.__policyViolations || ['not watching'];",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    pub async fn close(self) -> anyhow::Result<()> {
        self.client.close().await?;
        Ok(())
    }
}
