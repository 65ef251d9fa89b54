//! Connections over real sockets to a real server process: slow and idle clients are cut off
//! within the configured times while others are served, connections are bounded per address and
//! in all, and the operator's key obeys its revocation across restarts (issue 17).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::process::ServerProcess;
use common::test_app;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const KEY: &str = "operator";
const TOKEN: &str = "operator-token-0123456789";

/// A connection to the server from this loopback address.
async fn connect_from(source: [u8; 4], port: u16) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket
        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .unwrap()
}

/// Reads one HTTP response (headers and a `Content-Length` body); its status.
async fn read_response(stream: &mut TcpStream) -> u16 {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("a response within 10 s")
            .unwrap();
        assert!(
            n > 0,
            "closed before a whole response: {:?}",
            String::from_utf8_lossy(&data)
        );
        data.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return text[9..12].parse().unwrap();
            }
        }
    }
}

/// Waits until the server closes `stream` (reading and dropping anything it sends first); how
/// long that took, and what it sent.
async fn closed_after(stream: &mut TcpStream, since: Instant) -> (Duration, String) {
    let mut sent = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(15), stream.read(&mut chunk)).await {
            Err(_) => panic!("the server kept the connection open for 15 s"),
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (since.elapsed(), String::from_utf8_lossy(&sent).into_owned())
            }
            Ok(Ok(n)) => sent.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Whether the server still holds `stream` open without having sent anything.
fn still_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(stream.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_cut_off_while_others_are_served() {
    let app = test_app().await;
    let server = ServerProcess::start(
        &app.database_url,
        KEY,
        TOKEN,
        &[
            "--header-timeout-seconds",
            "2",
            "--body-timeout-seconds",
            "2",
            "--keep-alive-seconds",
            "2",
        ],
    )
    .await;
    let port = server.port;
    let start = Instant::now();
    // Sends nothing at all.
    let mut silent = connect_from([127, 0, 0, 1], port).await;
    // Half a header.
    let mut half_header = connect_from([127, 0, 0, 1], port).await;
    half_header
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // Headers with credentials, then 10 of the 100 bytes of body announced (without
    // credentials it is answered 401 at once, its body never read).
    let mut half_body = connect_from([127, 0, 0, 1], port).await;
    let head = format!(
        "POST /api/creditcontrol/accounts HTTP/1.1\r\nHost: x\r\nX-VTEX-API-AppKey: {KEY}\r\n\
         X-VTEX-API-AppToken: {TOKEN}\r\nContent-Length: 100\r\n\r\n{{\"documen"
    );
    half_body.write_all(head.as_bytes()).await.unwrap();
    // One request, then idle on a kept-alive connection.
    let mut idle = connect_from([127, 0, 0, 1], port).await;
    idle.write_all(HEALTH).await.unwrap();
    assert_eq!(read_response(&mut idle).await, 200);
    let idle_since = Instant::now();

    // Meanwhile another client is served, and every slow one is still held open.
    let mut neighbour = connect_from([127, 0, 0, 2], port).await;
    neighbour.write_all(HEALTH).await.unwrap();
    assert_eq!(read_response(&mut neighbour).await, 200);
    for (name, stream) in [
        ("silent", &silent),
        ("half header", &half_header),
        ("half body", &half_body),
        ("idle", &idle),
    ] {
        assert!(
            still_open(stream),
            "{name} was closed before its time ({:?})",
            start.elapsed()
        );
    }

    // Then each is cut off after its time (not before), the half body with a 408.
    let bound = Duration::from_secs(8);
    for (name, stream, since) in [
        ("silent", &mut silent, start),
        ("half header", &mut half_header, start),
        ("idle", &mut idle, idle_since),
    ] {
        let (after, sent) = closed_after(stream, since).await;
        assert!(
            after >= Duration::from_millis(1900) && after < bound,
            "{name}: {after:?}"
        );
        assert_eq!(sent, "", "{name}");
    }
    let (after, sent) = closed_after(&mut half_body, start).await;
    assert!(
        after >= Duration::from_millis(1900) && after < bound,
        "half body: {after:?}"
    );
    assert!(sent.starts_with("HTTP/1.1 408"), "{sent}");
    assert!(sent.contains("\"request_timeout\""), "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_bounded_per_address_and_in_all() {
    let app = test_app().await;
    let server = ServerProcess::start(
        &app.database_url,
        KEY,
        TOKEN,
        &[
            "--connections-per-address-max",
            "3",
            "--header-timeout-seconds",
            "3",
        ],
    )
    .await;
    let port = server.port;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from([127, 0, 0, 3], port).await;
        stream.write_all(HEALTH).await.unwrap();
        assert_eq!(read_response(&mut stream).await, 200);
        held.push(stream);
    }
    // A fourth from the same address is closed at once, unanswered.
    let mut fourth = connect_from([127, 0, 0, 3], port).await;
    let _ = fourth.write_all(HEALTH).await;
    let (after, sent) = closed_after(&mut fourth, Instant::now()).await;
    assert!(after < Duration::from_secs(2), "{after:?}");
    assert_eq!(sent, "");
    // Another address is served.
    let mut other = connect_from([127, 0, 0, 4], port).await;
    other.write_all(HEALTH).await.unwrap();
    assert_eq!(read_response(&mut other).await, 200);
    drop(held);
    drop(server);

    // In all: with room for 2, a third client waits until a slot frees (here: until the header
    // timeout closes a silent one), then is served.
    let server = ServerProcess::start(
        &app.database_url,
        KEY,
        TOKEN,
        &["--connections-max", "2", "--header-timeout-seconds", "2"],
    )
    .await;
    // The readiness probe of `start` held a slot; let it go.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    let _silent = [
        connect_from([127, 0, 0, 5], server.port).await,
        connect_from([127, 0, 0, 6], server.port).await,
    ];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = connect_from([127, 0, 0, 7], server.port).await;
    waiting.write_all(HEALTH).await.unwrap();
    assert_eq!(read_response(&mut waiting).await, 200);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1800),
        "served without waiting: {waited:?}"
    );
}

#[tokio::test]
async fn a_revoked_operator_key_stays_revoked_across_restarts() {
    let app = test_app().await;
    let url = app.database_url.clone();
    let server = ServerProcess::start(&url, KEY, TOKEN, &[]).await;
    let (status, _) = server
        .request("GET", "/api/creditdesk/me", "", KEY, TOKEN)
        .await;
    assert_eq!(status, 200);
    drop(server);

    let (status, body) = app
        .send(
            Method::DELETE,
            &format!("/api/creditdesk/keys/{KEY}"),
            None,
            &app.admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The next start says so, and how to get a new key, and keeps it revoked.
    let (stderr, running) = ServerProcess::start_output(&url, KEY, TOKEN).await;
    assert!(running, "the server still starts: {stderr}");
    assert!(stderr.contains("was revoked at"), "{stderr}");
    assert!(stderr.contains("create-key"), "{stderr}");
    let server = ServerProcess::start(&url, KEY, TOKEN, &[]).await;
    let (status, response) = server
        .request("GET", "/api/creditdesk/me", "", KEY, TOKEN)
        .await;
    assert_eq!(status, 401, "{response}");
    let (_, keys) = app
        .send(Method::GET, "/api/creditdesk/keys", None, &app.admin)
        .await;
    let operator = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["appKey"] == KEY)
        .unwrap();
    assert!(operator["revokedAt"].is_string(), "{operator}");
}

#[tokio::test]
async fn an_operator_token_shorter_than_24_characters_is_refused_at_start() {
    let app = test_app().await;
    let (stderr, running) =
        ServerProcess::start_output(&app.database_url, KEY, "twenty-three-characters").await;
    assert!(!running, "started with a short token");
    assert!(
        stderr.contains("has 23 characters; it needs at least 24"),
        "{stderr}"
    );
    let (_, running) =
        ServerProcess::start_output(&app.database_url, KEY, "twenty-four-characters!!").await;
    assert!(running);
}
