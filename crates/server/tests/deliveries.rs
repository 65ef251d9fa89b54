//! What leaves the server — webhooks and reminder emails — against hostile or broken parts
//! (issue 30): an email address or an SMTP answer that broke the one delivery task for every
//! buyer, webhooks aimed at internal addresses, a slow endpoint holding back the others, and
//! credentials in webhook URLs. Real sockets throughout: the app served on loopback, a real SMTP
//! server (aiosmtpd), real HTTP receivers.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::process::ServerProcess;
use common::smtp::Smtp;
use common::{test_app, test_app_with, TestApp, ACCOUNTS};
use creditdesk_core::Timestamp;
use creditdesk_server::outbound::Destinations;
use creditdesk_server::webhooks::{client, deliver_due};
use creditdesk_server::{mail, notify, AppState};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const WEBHOOKS: &str = "/api/creditdesk/webhooks";
const STORE: &str = "/api/creditcontrol/storeconfig";

/// An address Creditdesk accepts and lettre refuses, longer than the 200 characters an error
/// keeps, with its cut inside a two-byte character.
fn hostile_email() -> String {
    format!("x<y@{}.com", "é".repeat(98))
}

/// An account with `email` and one invoice of 100.00 due in 30 days; the invoice's path.
async fn invoice_for(app: &TestApp, document: &str, email: &str) -> String {
    let body = json!({"document": document, "documentType": "CPF", "email": email,
                      "creditLimit": "1000", "description": "test", "tolerance": "0"});
    app.ok(Method::POST, ACCOUNTS, Some(body)).await;
    let tx = app
        .hold_and_settle(&format!("{document}_CPF"), "100.00", 1)
        .await;
    format!("{ACCOUNTS}/{document}_CPF/invoices/{tx}-01")
}

/// Reminders a day before the due date; the clock moved past the first one of `invoice`.
async fn reminders_fall_due(app: &TestApp, invoice: &str) {
    let settings =
        json!({"notificationsSettings": {"daysPrior": [{"days": 1, "timeOfDay": "09:00:00"}]}});
    app.ok(Method::PUT, STORE, Some(settings)).await;
    let path = invoice.replace("/api/creditcontrol/", "/api/creditdesk/") + "/reminders";
    let list = app.ok(Method::GET, &path, None).await;
    let at: Timestamp = list["items"][0]["at"].as_str().unwrap().parse().unwrap();
    let seconds = (at.unix_micros() - app.state.now().unix_micros()) / 1_000_000 + 1;
    app.clock.advance_seconds(seconds);
}

async fn email_of(app: &TestApp, invoice: &str) -> Value {
    let path = invoice.replace("/api/creditcontrol/", "/api/creditdesk/") + "/reminders";
    app.ok(Method::GET, &path, None).await["items"][0]["email"].clone()
}

/// The app served on a loopback socket, with its background loops running; its port.
async fn serve(app: &TestApp) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = app.router.clone();
    let limits = app.state.limits;
    tokio::spawn(creditdesk_server::serve::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    notify::spawn(&app.state, Duration::from_secs(1));
    port
}

/// `GET /healthz` over the socket: its status and body.
async fn healthz(port: u16) -> (u16, Value) {
    let answer = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

/// Polls `check` every 100 ms for up to `seconds`; whether it came true.
async fn within<F: std::future::Future<Output = bool>>(
    seconds: u64,
    check: impl Fn() -> F,
) -> bool {
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn an_address_the_mailer_refuses_fails_its_email_alone_and_the_others_go_out() {
    let smtp = Smtp::start().await;
    let app = test_app_with(|s| s.mailer = Some(smtp.mailer())).await;
    let bad = invoice_for(&app, "1", &hostile_email()).await;
    let good = invoice_for(&app, "2", "2@example.com").await;
    reminders_fall_due(&app, &bad).await;
    let port = serve(&app).await;

    assert!(
        within(20, || async { !smtp.received().is_empty() }).await,
        "the other buyer's reminder was mailed"
    );
    let good_email = email_of(&app, &good).await;
    assert_eq!(good_email["status"], "Sent", "{good_email}");
    let bad_email = email_of(&app, &bad).await;
    assert_eq!(
        bad_email["status"], "Pending",
        "tried again later: {bad_email}"
    );
    let error = bad_email["error"].as_str().unwrap();
    assert!(error.contains("is not an address"), "{error}");
    assert!(error.chars().count() <= 200, "{error}");

    let (status, health) = healthz(port).await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    let emails = &health["tasks"]["emails"];
    assert_eq!(emails["state"], "running", "{health}");
    assert!(emails["itemsFailed"].as_u64().unwrap() >= 1, "{health}");
    assert!(emails["lastRoundAt"].is_string(), "{health}");
    assert_eq!(
        health["tasks"]["deliveries"]["state"], "running",
        "{health}"
    );

    // Another round later: the loop is still there, and the buyer with a good address is not
    // mailed twice.
    let rounds_before = emails["lastRoundAt"].clone();
    assert!(
        within(10, || async {
            healthz(port).await.1["tasks"]["emails"]["lastRoundAt"] != rounds_before
        })
        .await,
        "the emails loop goes on"
    );
    assert_eq!(smtp.received().len(), 1);
}

/// An SMTP server that greets, then refuses every sender with `550 ` and 100 × `é`.
async fn refusing_smtp() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 refuser ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let answer = match verb.as_str() {
                        "EHLO" | "HELO" => "250 refuser\r\n".to_owned(),
                        "MAIL" => format!("550 {}\r\n", "é".repeat(100)),
                        "QUIT" => break,
                        _ => "250 ok\r\n".to_owned(),
                    };
                    if write.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn an_smtp_answer_cut_inside_a_character_is_kept_as_the_emails_error() {
    let refuser = mail::Mailer::new(&refusing_smtp().await, "billing@store.example").unwrap();
    let app = test_app_with(|s| s.mailer = Some(refuser.clone())).await;
    let invoice = invoice_for(&app, "1", "1@example.com").await;
    reminders_fall_due(&app, &invoice).await;
    assert_eq!(notify::remind_due(&app.state).await.unwrap(), 1);
    assert_eq!(mail::deliver_due(&app.state, &refuser).await.unwrap(), 0);
    let email = email_of(&app, &invoice).await;
    assert_eq!(email["status"], "Pending", "{email}");
    let error = email["error"].as_str().unwrap();
    assert!(error.chars().count() <= 200, "{error}");
    assert!(error.contains("550") || error.contains("é"), "{error}");
}

/// A receiver on loopback answering 200 after `delay`; what it got, and its URL.
async fn receiver(delay: Duration) -> (Arc<Mutex<Vec<Instant>>>, String) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                tokio::time::sleep(delay).await;
                seen.lock().unwrap().push(Instant::now());
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (got, url)
}

#[tokio::test]
async fn a_slow_endpoint_holds_back_only_its_own_deliveries() {
    let app = test_app().await;
    let (slow, slow_url) = receiver(Duration::from_secs(2)).await;
    let (fast, fast_url) = receiver(Duration::ZERO).await;
    for url in [&slow_url, &fast_url] {
        let body = json!({"url": url, "events": ["*"]});
        app.ok(Method::POST, WEBHOOKS, Some(body)).await;
    }
    app.open_account("1", "1000").await;
    for _ in 0..3 {
        let (status, _) = app.hold("1_CPF", json!({"value": "10"})).await;
        assert_eq!(status, StatusCode::OK);
    }
    let started = Instant::now();
    let round = deliver_due(&app.state, &client(app.state.destinations.clone()))
        .await
        .unwrap();
    let (slow, fast) = (slow.lock().unwrap().clone(), fast.lock().unwrap().clone());
    assert!(
        fast.len() >= 3,
        "one event per hold at least: {}",
        fast.len()
    );
    assert_eq!(slow.len(), fast.len());
    assert_eq!(round.delivered as usize, 2 * fast.len(), "{round:?}");
    let fast_done = fast.iter().max().unwrap().duration_since(started);
    assert!(
        fast_done < Duration::from_secs(2),
        "the healthy endpoint waited {fast_done:?} behind the slow one"
    );
    assert!(started.elapsed() >= Duration::from_secs(2 * fast.len() as u64));
}

/// A server that allows no internal network.
fn public_only(app: &TestApp) -> AppState {
    AppState {
        destinations: Arc::new(Destinations::default()),
        ..app.state.clone()
    }
}

#[tokio::test]
async fn webhooks_reach_no_internal_address_in_any_spelling() {
    let app = test_app().await;
    let (key, token) = ("ssrf-key", "ssrf-token-0123456789abcdef");
    let server = ServerProcess::start(
        &app.database_url,
        key,
        token,
        &["--webhook-allowed-networks", ""],
    )
    .await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://2130706433/hook",
        "http://0x7f.0.0.1/hook",
        "http://127.1/hook",
        "http://0/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://192.168.0.1/hook",
        "http://[fd00::1]/hook",
        "http://localhost:9/hook",
    ] {
        let body = json!({"url": url, "events": ["*"]}).to_string();
        let (status, answer) = server.request("POST", WEBHOOKS, &body, key, token).await;
        assert_eq!(status, 422, "{url}: {answer}");
        assert!(answer.contains("\"field\":\"url\""), "{url}: {answer}");
        assert!(
            answer.contains("--webhook-allowed-networks"),
            "{url}: {answer}"
        );
    }
    let body = json!({"url": "https://hooks.example/h", "events": ["*"]}).to_string();
    let (status, answer) = server.request("POST", WEBHOOKS, &body, key, token).await;
    assert_eq!(status, 200, "a public name is accepted: {answer}");

    // Endpoints added while loopback was allowed, by address and by name: a server that no
    // longer allows it sends them nothing, and says why.
    let (got, url) = receiver(Duration::ZERO).await;
    let by_name = url.replace("127.0.0.1", "localhost");
    for url in [&url, &by_name] {
        app.ok(
            Method::POST,
            WEBHOOKS,
            Some(json!({"url": url, "events": ["*"]})),
        )
        .await;
    }
    app.open_account("1", "1000").await;
    let (status, _) = app.hold("1_CPF", json!({"value": "10"})).await;
    assert_eq!(status, StatusCode::OK);
    let closed = public_only(&app);
    let round = deliver_due(&closed, &client(closed.destinations.clone()))
        .await
        .unwrap();
    // Two events to each of the three endpoints; the public name does not resolve here.
    assert_eq!((round.attempted, round.delivered), (6, 0), "{round:?}");
    assert!(got.lock().unwrap().is_empty(), "nothing reached loopback");
    let list = app.ok(Method::GET, WEBHOOKS, None).await;
    for endpoint in list["data"].as_array().unwrap().iter().skip(1) {
        let path = format!("{WEBHOOKS}/{}/deliveries", endpoint["id"].as_str().unwrap());
        let deliveries = app.ok(Method::GET, &path, None).await;
        let error = deliveries["data"][0]["lastError"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            error.contains("a loopback address"),
            "{}: {deliveries}",
            endpoint["url"]
        );
    }
}

#[tokio::test]
async fn credentials_in_a_webhook_url_are_never_shown() {
    let app = test_app().await;
    let (got, url) = receiver(Duration::ZERO).await;
    let secret_url = url.replace("http://", "http://hookuser:s3cret-pass@");
    let created = app
        .ok(
            Method::POST,
            WEBHOOKS,
            Some(json!({"url": secret_url, "events": ["*"]})),
        )
        .await;
    let shown = url.replace("http://", "http://***@");
    assert_eq!(created["url"], shown.as_str(), "{created}");
    let list = app.ok(Method::GET, WEBHOOKS, None).await;
    assert_eq!(list["data"][0]["url"], shown.as_str(), "{list}");
    assert!(!list.to_string().contains("s3cret"), "{list}");
    app.open_account("1", "1000").await;
    let (status, _) = app.hold("1_CPF", json!({"value": "10"})).await;
    assert_eq!(status, StatusCode::OK);
    let round = deliver_due(&app.state, &client(app.state.destinations.clone()))
        .await
        .unwrap();
    assert!(
        round.delivered >= 1,
        "the real URL is still the one used: {round:?}"
    );
    assert_eq!(got.lock().unwrap().len(), round.delivered as usize);
}
