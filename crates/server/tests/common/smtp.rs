//! A real SMTP server on loopback (aiosmtpd from PyPI, which `cargo xtask install` puts in
//! `.tools/aiosmtpd`) writing what it receives into a maildir the tests read.

use std::path::PathBuf;
use std::time::Duration;

use creditdesk_server::mail::Mailer;

/// A real SMTP server on loopback, for as long as the value lives.
pub struct Smtp {
    child: tokio::process::Child,
    maildir: tempfile::TempDir,
    port: u16,
}

/// One email as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope's recipients (the `X-RcptTo` aiosmtpd adds).
    pub rcpt_to: String,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub body: String,
}

fn aiosmtpd() -> PathBuf {
    if let Ok(path) = std::env::var("CREDITDESK_TEST_SMTPD") {
        return PathBuf::from(path);
    }
    let tools =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/aiosmtpd/bin/aiosmtpd");
    assert!(
        tools.is_file(),
        "no SMTP server for the reminder tests: run `cargo xtask install` (it puts aiosmtpd in \
         .tools/aiosmtpd), or set CREDITDESK_TEST_SMTPD to an aiosmtpd executable"
    );
    tools
}

impl Smtp {
    pub async fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(aiosmtpd())
            .args([
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path().join("mail"))
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..200 {
            if greets(port).await {
                return Smtp {
                    child,
                    maildir,
                    port,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::new(&self.url(), "Store <billing@store.example>").unwrap()
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Mail> {
        let dir = self.maildir.path().join("mail/new");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .map(|e| e.unwrap().path())
            .map(|p| (std::fs::metadata(&p).unwrap().modified().unwrap(), p))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| parse(&std::fs::read_to_string(p).unwrap()))
            .collect()
    }
}

/// Whether an SMTP server on `port` answers with its `220` greeting.
async fn greets(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let mut greeting = [0u8; 3];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut greeting)).await;
    let ready = matches!(read, Ok(Ok(_))) && &greeting == b"220";
    let _ = stream.write_all(b"QUIT\r\n").await;
    ready
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Headers (unfolded) and body of one message; quoted-printable soft breaks undone.
fn parse(text: &str) -> Mail {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let unfolded = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once(':')?;
                key.eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default()
    };
    Mail {
        rcpt_to: header("X-RcptTo"),
        to: header("To"),
        from: header("From"),
        subject: header("Subject"),
        body: body.replace("=\n", "").replace("=3D", "="),
    }
}
