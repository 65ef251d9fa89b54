//! Webhooks through the real router over a real database (SQLite file, or PostgreSQL with
//! CREDITDESK_TEST_POSTGRES_URL), delivered by the server's own rounds to a real HTTP receiver
//! on loopback that checks every Standard Webhooks signature itself: events from the outbox,
//! retries after a 500 on core's schedule (the test clock moved), 410 disabling the endpoint,
//! replay, and the endpoints' management.

mod common;

use common::process::ServerProcess;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine;
use common::{error_fields, test_app, TestApp, ACCOUNTS};
use creditdesk_server::webhooks::{client, deliver_due, Round};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const WEBHOOKS: &str = "/api/creditdesk/webhooks";

/// What the receiver got: the `webhook-id`, whether the signature verified, the body.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    verified: bool,
    body: Value,
}

#[derive(Clone, Default)]
struct Receiver {
    /// The secrets of the endpoints that point here.
    secrets: Arc<Mutex<Vec<String>>>,
    /// Statuses to answer, in order (200 once they run out).
    script: Arc<Mutex<VecDeque<u16>>>,
    got: Arc<Mutex<Vec<Received>>>,
}

/// Checks `webhook-signature` as a receiver following the Standard Webhooks spec would.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let Ok(key) =
        base64::engine::general_purpose::STANDARD.decode(secret.trim_start_matches("whsec_"))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(header("webhook-id").as_bytes());
    mac.update(b".");
    mac.update(header("webhook-timestamp").as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    header("webhook-signature")
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let secrets = r.secrets.lock().unwrap().clone();
    let received = Received {
        id: headers["webhook-id"].to_str().unwrap().to_owned(),
        verified: secrets.iter().any(|s| verify(s, &headers, &body)),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    r.got.lock().unwrap().push(received);
    let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// A receiver listening on loopback; its URL.
async fn receiver(script: &[u16]) -> (Receiver, String) {
    let r = Receiver::default();
    r.script.lock().unwrap().extend(script);
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, url)
}

/// Adds an endpoint for `events` at `url`; its id and secret.
async fn add(app: &TestApp, url: &str, events: Value) -> (String, String) {
    let created = app
        .ok(
            Method::POST,
            WEBHOOKS,
            Some(json!({ "url": url, "events": events })),
        )
        .await;
    assert!(
        created["warning"].as_str().unwrap().contains("plain http"),
        "{created}"
    );
    (
        created["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn round(app: &TestApp) -> Round {
    deliver_due(&app.state, &client(app.state.destinations.clone()))
        .await
        .unwrap()
}

fn types(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.body["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn events_reach_a_real_receiver_signed_and_in_order() {
    let app = test_app().await;
    let (r, url) = receiver(&[]).await;
    let (_, secret) = add(&app, &url, json!(["*"])).await;
    r.secrets.lock().unwrap().push(secret);
    let (_, only_paid) = add(&app, &format!("{url}?paid"), json!(["invoice.paid"])).await;
    r.secrets.lock().unwrap().push(only_paid);

    app.open_account("1", "1000").await;
    let tx = app.hold_and_settle("1_CPF", "100.00", 1).await;
    let invoice = format!("{ACCOUNTS}/1_CPF/invoices/{tx}-01");
    app.ok(Method::POST, &format!("{invoice}/payments"), None)
        .await;
    app.ok(
        Method::PUT,
        &format!("{ACCOUNTS}/1_CPF/creditlimit"),
        Some(json!({"value": 1500})),
    )
    .await;

    // Nothing is sent before a round: the events wait in the outbox.
    assert!(r.got.lock().unwrap().is_empty());
    let done = round(&app).await;
    assert_eq!(done.attempted, done.delivered, "{done:?}");
    let got = r.got.lock().unwrap().clone();
    assert!(
        got.iter().all(|g| g.verified),
        "every signature verifies: {got:?}"
    );
    let all = types(&got);
    for expected in [
        "account.credit_limit_changed",
        "hold.created",
        "hold.settled",
        "invoice.created",
        "credit.posted",
        "invoice.paid",
    ] {
        assert!(all.iter().any(|t| t == expected), "{expected} in {all:?}");
    }
    // A command's events keep their order: the hold settled, then its invoice created.
    let at = |t: &str| all.iter().position(|x| x == t).unwrap();
    assert!(at("hold.settled") < at("invoice.created"), "{all:?}");
    let paid = got
        .iter()
        .find(|g| g.body["type"] == "invoice.paid")
        .unwrap();
    assert_eq!(paid.body["data"]["invoiceId"], format!("{tx}-01"));
    assert_eq!(paid.body["data"]["status"], "Paid");
    assert!(paid.body["timestamp"].is_string());
    assert!(paid.id.starts_with("msg_"), "{}", paid.id);
    // The second endpoint heard only invoice.paid (its deliveries say so).
    let list = app.ok(Method::GET, WEBHOOKS, None).await;
    let second = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["events"] == json!(["invoice.paid"]))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        list.to_string().find("whsec_").is_none(),
        "no secret listed: {list}"
    );
    let deliveries = app
        .ok(
            Method::GET,
            &format!("{WEBHOOKS}/{second}/deliveries"),
            None,
        )
        .await;
    let kinds: Vec<&str> = deliveries["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["invoice.paid"]);
    assert_eq!(deliveries["data"][0]["status"], "delivered");
    assert_eq!(deliveries["data"][0]["tries"][0]["statusCode"], 200);

    // A second round has nothing left to send.
    assert_eq!(round(&app).await, Round::default());
}

#[tokio::test]
async fn a_failed_delivery_is_retried_on_the_schedule_and_can_be_replayed() {
    let app = test_app().await;
    let (r, url) = receiver(&[500]).await;
    let (id, secret) = add(&app, &url, json!(["hold.created"])).await;
    r.secrets.lock().unwrap().push(secret);
    app.open_account("1", "1000").await;
    let (status, _) = app
        .hold(
            "1_CPF",
            json!({"value": 10, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let first = round(&app).await;
    assert_eq!((first.attempted, first.delivered), (1, 0));
    // Not due again until the first retry delay (5 s, up to a tenth more) has passed.
    assert_eq!(round(&app).await.attempted, 0);
    app.clock.advance_seconds(6);
    let second = round(&app).await;
    assert_eq!((second.attempted, second.delivered), (1, 1));
    let got = r.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id, "a retry keeps the webhook-id");
    assert!(got.iter().all(|g| g.verified));

    let deliveries = app
        .ok(Method::GET, &format!("{WEBHOOKS}/{id}/deliveries"), None)
        .await;
    let delivery = &deliveries["data"][0];
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 2);
    let codes: Vec<&Value> = delivery["tries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["statusCode"])
        .collect();
    assert_eq!(codes, [&json!(500), &json!(200)]);

    // Replay sends it once more, now.
    let delivery_id = delivery["id"].as_str().unwrap();
    app.ok(
        Method::POST,
        &format!("{WEBHOOKS}/deliveries/{delivery_id}/replay"),
        None,
    )
    .await;
    assert_eq!(round(&app).await.delivered, 1);
    assert_eq!(r.got.lock().unwrap().len(), 3);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{WEBHOOKS}/deliveries/dlv_none/replay"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_an_unreachable_one_keeps_its_delivery_pending() {
    let app = test_app().await;
    let (r, url) = receiver(&[410]).await;
    let (gone, _) = add(&app, &url, json!(["*"])).await;
    // A port nobody listens on: no answer at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let (down, _) = add(&app, &format!("http://{closed}/hook"), json!(["*"])).await;
    app.open_account("1", "1000").await;

    let done = round(&app).await;
    assert_eq!((done.attempted, done.delivered), (2, 0), "{done:?}");
    assert_eq!(r.got.lock().unwrap().len(), 1);
    let list = app.ok(Method::GET, WEBHOOKS, None).await;
    let endpoint = |id: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(endpoint(&gone)["disabledReason"]
        .as_str()
        .unwrap()
        .contains("410"));
    assert!(endpoint(&down).get("disabledAt").is_none());
    let deliveries = app
        .ok(Method::GET, &format!("{WEBHOOKS}/{down}/deliveries"), None)
        .await;
    assert_eq!(deliveries["data"][0]["status"], "pending");
    assert!(deliveries["data"][0]["tries"][0]["statusCode"].is_null());
    assert!(deliveries["data"][0]["nextAttemptAt"].is_string());

    // Deleted: its pending delivery is never sent.
    app.ok(Method::DELETE, &format!("{WEBHOOKS}/{down}"), None)
        .await;
    app.clock.advance_days(1);
    assert_eq!(round(&app).await.attempted, 0);
    let (status, _) = app
        .call(Method::GET, &format!("{WEBHOOKS}/{down}/deliveries"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn endpoints_are_checked_and_their_secret_is_shown_once() {
    let app = test_app().await;
    for (body, field) in [
        (
            json!({"url": "ftp://example.com/x", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "https://", "events": ["*"]}), "url"),
        (
            json!({"url": "https://example.com", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.com", "events": ["invoice.nope"]}),
            "events",
        ),
        (
            json!({"url": "https://example.com", "events": ["*", "invoice.paid"]}),
            "events",
        ),
        (json!({"events": ["*"]}), "url"),
    ] {
        let (status, answer) = app.call(Method::POST, WEBHOOKS, Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), [field], "{body}: {answer}");
    }
    let body =
        json!({"url": "https://example.com/hooks", "events": ["invoice.paid", "invoice.paid"]})
            .to_string();
    let headers = [("Idempotency-Key", "hook-1")];
    let (status, _, first) = app
        .send_with(Method::POST, WEBHOOKS, Some(&body), &app.admin, &headers)
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(
        first.get("warning").is_none(),
        "https needs no warning: {first}"
    );
    assert_eq!(first["events"], json!(["invoice.paid"]));
    let (_, _, again) = app
        .send_with(Method::POST, WEBHOOKS, Some(&body), &app.admin, &headers)
        .await;
    assert_eq!(again["id"], first["id"], "the retry is the same endpoint");
    assert!(
        again.get("secret").is_none(),
        "a replay never shows the secret: {again}"
    );
    assert!(again["secretWithheld"].is_string());
    let list = app.ok(Method::GET, WEBHOOKS, None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

/// The JSON body of a raw HTTP answer.
fn body_of(response: &str) -> Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_event_committed_before_a_kill_9_is_delivered_after_the_restart() {
    let app = test_app().await;
    let (r, url) = receiver(&[]).await;
    let (key, token) = ("crash-key", "crash-token-0123456789abcdef");
    // A round at start, then none for an hour: what is committed now stays in the outbox.
    let mut first = ServerProcess::start(
        &app.database_url,
        key,
        token,
        &["--webhook-seconds", "3600"],
    )
    .await;
    let create = json!({"url": url, "events": ["hold.created"]}).to_string();
    let (status, answer) = first
        .request("POST", "/api/creditdesk/webhooks", &create, key, token)
        .await;
    assert_eq!(status, 200, "{answer}");
    r.secrets
        .lock()
        .unwrap()
        .push(body_of(&answer)["secret"].as_str().unwrap().to_owned());
    let account =
        json!({"document": "7", "documentType": "CPF", "email": "k@b.co", "creditLimit": 100})
            .to_string();
    let (status, answer) = first.request("POST", ACCOUNTS, &account, key, token).await;
    assert_eq!(status, 200, "{answer}");
    let hold = json!({"value": 10, "settle": true, "installments": 1}).to_string();
    let path = format!("{ACCOUNTS}/7_CPF/transactions");
    let (status, answer) = first.request("POST", &path, &hold, key, token).await;
    assert_eq!(status, 200, "{answer}");
    let transaction = body_of(&answer)["id"].as_str().unwrap().to_owned();
    first.kill_9().await;
    assert!(
        r.got.lock().unwrap().is_empty(),
        "nothing was sent before the kill"
    );

    let _second =
        ServerProcess::start(&app.database_url, key, token, &["--webhook-seconds", "1"]).await;
    for _ in 0..100 {
        if !r.got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let got = r.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "delivered once after the restart: {got:?}");
    assert!(got[0].verified);
    assert_eq!(got[0].body["type"], "hold.created");
    assert_eq!(got[0].body["data"]["transactionId"], transaction);
}

#[tokio::test]
async fn the_first_moment_an_invoice_is_late_is_told_once() {
    let app = test_app().await;
    let (r, url) = receiver(&[]).await;
    let (_, secret) = add(&app, &url, json!(["invoice.overdue"])).await;
    r.secrets.lock().unwrap().push(secret);
    app.open_account("1", "1000").await;
    let tx = app.hold_and_settle("1_CPF", "100.00", 1).await;
    let now = || creditdesk_core::Timestamp::from_unix_micros(app.clock.now_us()).unwrap();
    let sweep = |at| creditdesk_server::sweep::mark_overdue(&app.db, at);
    assert_eq!(sweep(now()).await.unwrap(), 0, "not due yet");
    // Down for days past the due date: the first sweep after marks it.
    app.clock.advance_days(35);
    assert_eq!(sweep(now()).await.unwrap(), 1);
    assert_eq!(sweep(now()).await.unwrap(), 0, "once");
    round(&app).await;
    let got = r.got.lock().unwrap().clone();
    assert_eq!(types(&got), ["invoice.overdue"]);
    assert!(got[0].verified);
    assert_eq!(got[0].body["data"]["invoiceId"], format!("{tx}-01"));
}
