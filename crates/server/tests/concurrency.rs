//! Concurrency: an account never spends more than its available credit, whatever the number of
//! concurrent requests and server processes; a hold is settled or cancelled, never both.

mod common;

use axum::http::{Method, StatusCode};
use common::process::ServerProcess;
use common::{test_app, TestApp};
use serde_json::json;

const ACCOUNTS: &str = "/api/creditcontrol/accounts";

async fn open(app: &TestApp, document: &str, limit: u32) {
    let body = json!({"document": document, "documentType": "CPF", "email": "a@b.co", "creditLimit": limit}).to_string();
    let (status, json) = app
        .send(Method::POST, ACCOUNTS, Some(&body), &app.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

async fn available(app: &TestApp, account: &str) -> String {
    let (_, json) = app
        .send(
            Method::GET,
            &format!("{ACCOUNTS}/{account}"),
            None,
            &app.admin,
        )
        .await;
    json["availableCredit"].to_string()
}

/// 64 holds of 100 at once against 1000 of credit: exactly 10 pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_holds_never_overspend() {
    let app = std::sync::Arc::new(test_app().await);
    open(&app, "1", 1000).await;
    let body = json!({"value": 100, "settle": true, "installments": 1}).to_string();
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (app, body) = (app.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            app.send(
                Method::POST,
                &format!("{ACCOUNTS}/1_CPF/transactions"),
                Some(&body),
                &app.admin,
            )
            .await
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        let (status, json) = task.await.unwrap();
        if status == StatusCode::CONFLICT {
            assert_eq!(json["error"]["reason"], "insufficient_credit", "{json}");
        }
        statuses.push(status);
    }
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((accepted, refused), (10, 54), "{statuses:?}");
    assert_eq!(available(&app, "1_CPF").await, "0.00");
}

/// Settling and cancelling one hold at the same moment: exactly one wins, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settle_and_cancel_race_has_one_winner() {
    let app = std::sync::Arc::new(test_app().await);
    open(&app, "1", 100_000).await;
    let expiration = creditdesk_core::Timestamp::from_unix_micros(app.now_us())
        .unwrap()
        .plus_days(5)
        .unwrap();
    for round in 0..20 {
        let body = json!({"value": 10, "settle": false, "installments": 2, "expirationDate": expiration.to_string()}).to_string();
        let (_, hold) = app
            .send(
                Method::POST,
                &format!("{ACCOUNTS}/1_CPF/transactions"),
                Some(&body),
                &app.admin,
            )
            .await;
        let path = format!(
            "{ACCOUNTS}/1_CPF/transactions/{}",
            hold["id"].as_str().unwrap()
        );
        let settle = {
            let (app, path) = (app.clone(), path.clone());
            tokio::spawn(async move {
                app.send(
                    Method::PUT,
                    &format!("{path}/settlement"),
                    Some(r#"{"value": 10}"#),
                    &app.admin,
                )
                .await
            })
        };
        let cancel = {
            let (app, path) = (app.clone(), path.clone());
            tokio::spawn(async move { app.send(Method::DELETE, &path, None, &app.admin).await })
        };
        let (settled, cancelled) = (settle.await.unwrap(), cancel.await.unwrap());
        let wins = [settled.0, cancelled.0]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(
            wins, 1,
            "round {round}: settle {settled:?}, cancel {cancelled:?}"
        );
        let (_, invoices) = app
            .send(
                Method::GET,
                &format!("{ACCOUNTS}/1_CPF/invoices?to=1000"),
                None,
                &app.admin,
            )
            .await;
        let of_hold = invoices["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| path.ends_with(i["transactionId"].as_str().unwrap()))
            .count();
        assert_eq!(
            of_hold,
            if settled.0 == StatusCode::OK { 2 } else { 0 },
            "round {round}"
        );
    }
}

impl TestApp {
    fn now_us(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64
    }
}

/// The same race across two server processes sharing one database (the test's engine: a SQLite
/// file, or a PostgreSQL database).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_never_overspend() {
    let app = test_app().await;
    let url = app.database_url.clone();
    open(&app, "1", 1000).await;
    let (key, token) = ("two-process-key", "two-process-token-0123456789");
    let servers = std::sync::Arc::new([
        ServerProcess::start(&url, key, token, &[]).await,
        ServerProcess::start(&url, key, token, &[]).await,
    ]);
    let body = json!({"value": 100, "settle": true, "installments": 1}).to_string();
    let mut tasks = Vec::new();
    for n in 0..64 {
        let (servers, body) = (servers.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            servers[n % 2]
                .request(
                    "POST",
                    &format!("{ACCOUNTS}/1_CPF/transactions"),
                    &body,
                    key,
                    token,
                )
                .await
                .0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((accepted, refused), (10, 54), "{statuses:?}");
    assert_eq!(available(&app, "1_CPF").await, "0.00");
    drop(servers);
}
