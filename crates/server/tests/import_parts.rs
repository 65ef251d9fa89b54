//! An import's file is never held whole: it is read and checked as it arrives, kept in parts of
//! at most `PART_BYTES` (their bytes the file's, cut anywhere — inside a character, inside a
//! quoted line break), read back part by part by the worker (also when a job resumes), dropped
//! when the job finishes or the file is refused, and forgotten by the sweep when a server
//! stopped while it arrived. Measured on a real server process: two 40 MB files arriving at
//! once grow it by a few MB (about 200 MB when files were held whole). On SQLite, and
//! PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL` is set.

mod common;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode};
use common::{test_app_with, Creds, TestApp};
use creditdesk_core::import::{ImportStatus, ImportView};
use creditdesk_core::Timestamp;
use creditdesk_server::db::imports::PART_BYTES;
use creditdesk_server::imports::{self, ImportWork, LEASE_US};
use futures::StreamExt;
use http_body_util::BodyExt;
use serde_json::Value;

/// Sends `pieces` as the body of an accounts import, one frame each, then (`Then::Wait`) keeps
/// the body open without sending more.
async fn send_pieces(app: &TestApp, pieces: Vec<Vec<u8>>, then: Then) -> (StatusCode, Value) {
    let Creds::Key(key, token) = &app.admin else {
        unreachable!("the admin has a key")
    };
    let frames = futures::stream::iter(pieces).map(|p| Ok::<_, std::io::Error>(Bytes::from(p)));
    let body = match then {
        Then::End => Body::from_stream(frames),
        Then::Wait => Body::from_stream(frames.chain(futures::stream::pending())),
    };
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/creditdesk/imports/accounts")
        .header("X-VTEX-API-AppKey", key)
        .header("X-VTEX-API-AppToken", token)
        .header("content-type", "text/csv")
        .extension(axum::extract::ConnectInfo(app.peer))
        .body(body)
        .unwrap();
    let answer = tower::ServiceExt::oneshot(app.router.clone(), request);
    let response = tokio::time::timeout(Duration::from_secs(20), answer)
        .await
        .expect("answered without waiting for the rest of the body")
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[derive(Clone, Copy)]
enum Then {
    End,
    Wait,
}

/// An accounts file of `rows` rows, each with a wide ignored `notes` cell of characters of 2 to
/// 4 bytes and a quoted description with a line break.
fn wide_file(rows: u32) -> Vec<u8> {
    let notes = "ação é 😀 €, ".repeat(120);
    let mut file = String::from("document,documentType,email,creditLimit,notes,description\r\n");
    for n in 0..rows {
        file += &format!("{n},CPF,b{n}@example.com,1,\"{notes}\",\"Loja {n}\r\nfundos\"\r\n");
    }
    file.into_bytes()
}

/// The parts kept for job `id`, in order.
async fn parts(app: &TestApp, id: &str) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    while let Some(part) = app.db.import_part(id, parts.len() as u16).await.unwrap() {
        parts.push(part);
    }
    parts
}

async fn job(app: &TestApp, id: &str) -> ImportView {
    let body = app
        .ok(Method::GET, &format!("/api/creditdesk/imports/{id}"), None)
        .await;
    serde_json::from_value(body).unwrap()
}

async fn waiting_app() -> TestApp {
    test_app_with(|state| state.import_work = ImportWork::WhenRun).await
}

#[tokio::test]
async fn a_file_is_kept_in_parts_and_read_back_across_them_when_a_job_resumes() {
    let app = waiting_app().await;
    let rows = 1_300;
    let file = wide_file(rows);
    assert!(file.len() > 2 * PART_BYTES, "{} bytes", file.len());
    let pieces = file.chunks(10_007).map(<[u8]>::to_vec).collect();
    let (status, body) = send_pieces(&app, pieces, Then::End).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["rowsTotal"], rows);
    let id = body["id"].as_str().unwrap().to_owned();

    let kept = parts(&app, &id).await;
    assert_eq!(kept.len(), file.len().div_ceil(PART_BYTES));
    let (last, full) = kept.split_last().unwrap();
    assert!(full.iter().all(|part| part.len() == PART_BYTES));
    assert!(!last.is_empty() && last.len() <= PART_BYTES);
    assert_eq!(kept.concat(), file, "the parts are the file's bytes");

    // Stopped after its first batches (in the first part), resumed by another run after the
    // lease: it reads the parts again from the start and skips the rows done.
    let first = imports::run(&app.state, 300).await.unwrap();
    assert!(first >= 300 && first < rows, "{first}");
    assert_eq!(job(&app, &id).await.rows_done, first);
    app.clock.advance_seconds(LEASE_US / 1_000_000 + 1);
    assert_eq!(
        imports::run(&app.state, u32::MAX).await.unwrap(),
        rows - first
    );
    let view = job(&app, &id).await;
    assert_eq!(view.status, ImportStatus::Completed);
    assert_eq!(
        (view.rows_done, view.rows_failed),
        (rows, 0),
        "{:?}",
        view.errors
    );
    assert_eq!(view.ignored_columns, ["notes"]);
    let (status, account) = app.get("/api/creditcontrol/accounts/1299_CPF").await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["description"], "Loja 1299\r\nfundos");
    assert!(
        parts(&app, &id).await.is_empty(),
        "a finished job keeps no file"
    );
}

#[tokio::test]
async fn a_file_is_refused_as_soon_as_a_line_is_wrong_and_leaves_no_part() {
    let app = waiting_app().await;
    // More than a part of good rows, then a line with a cell too many; the body stays open.
    let good = wide_file(700);
    assert!(good.len() > PART_BYTES);
    let bad = b"701,CPF,c@example.com,1,,,surplus\r\n".to_vec();
    let (status, body) = send_pieces(&app, vec![good, bad], Then::Wait).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("line 1402 has 7 cells; the header has 6 columns"),
        "{message}"
    );
    let strays = app
        .db
        .forget_stray_import_parts(Timestamp::MAX)
        .await
        .unwrap();
    assert_eq!(strays, 0, "the refused file's parts were dropped with it");
    let (_, history) = app.get("/api/creditdesk/imports").await;
    assert_eq!(history["range"]["total"], 0, "{history}");
}

#[tokio::test]
async fn parts_without_a_job_are_forgotten_by_the_sweep_after_a_day() {
    let app = waiting_app().await;
    let file = wide_file(3);
    let (status, body) = send_pieces(&app, vec![file.clone()], Then::End).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let queued = body["id"].as_str().unwrap().to_owned();
    // A server that stopped while a file arrived left a part and no job.
    let at = app.state.now();
    app.db
        .put_import_part("imp_stopped", 0, b"document".to_vec(), at)
        .await
        .unwrap();
    app.clock.advance_seconds(23 * 3_600);
    creditdesk_server::sweep::round(&app.state).await.unwrap();
    assert_eq!(parts(&app, "imp_stopped").await.len(), 1, "kept for a day");
    app.clock.advance_seconds(2 * 3_600);
    creditdesk_server::sweep::round(&app.state).await.unwrap();
    assert!(parts(&app, "imp_stopped").await.is_empty());
    assert_eq!(
        parts(&app, &queued).await,
        [file],
        "a job's file is no stray"
    );
}

#[tokio::test]
async fn a_job_queued_before_files_were_kept_in_parts_keeps_its_file_through_the_upgrade() {
    let app = waiting_app().await;
    // Back to the schema before migration 0021: a job's file was its `body`.
    for sql in [
        "DROP TABLE import_parts",
        "ALTER TABLE imports ADD COLUMN body TEXT NOT NULL DEFAULT ''",
        "DELETE FROM _sqlx_migrations WHERE version >= 21",
    ] {
        app.db.pool().execute(sql, Vec::new()).await.unwrap();
    }
    let file = "document,documentType,email,creditLimit\r\n7,CPF,sete@example.com,70\r\n";
    let sql = "INSERT INTO imports (id, kind, dry_run, file_name, body, created_by, \
               created_at_us, rows_total, ignored_columns) \
               VALUES ('imp_old', 'accounts', FALSE, 'old.csv', $1, 'vtexappkey-admin', 1, 1, '[]')";
    app.db.pool().execute(sql, vec![file.into()]).await.unwrap();
    creditdesk_server::db::Db::connect(&app.database_url, creditdesk_server::db::Synchronous::Full)
        .await
        .expect("upgrade");
    assert_eq!(parts(&app, "imp_old").await, [file.as_bytes()]);
    assert_eq!(imports::run(&app.state, u32::MAX).await.unwrap(), 1);
    let (status, account) = app.get("/api/creditcontrol/accounts/7_CPF").await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["creditLimit"].to_string(), "70.00");
}

#[tokio::test]
async fn two_files_of_40_mb_arriving_at_once_grow_the_server_by_far_less_than_one() {
    let app = common::test_app().await;
    let (key, token) = ("parts-key", "parts-token-0123456789abcdef");
    let server = common::process::ServerProcess::start(&app.database_url, key, token, &[]).await;
    // Two files received at once, each `bytes` of good rows (with a wide ignored cell) and
    // then a line with a cell too many: read to the end, then refused, so no job runs after.
    let send_two = |bytes: usize| {
        let notes = "x".repeat(400);
        let mut file = String::from("document,documentType,email,creditLimit,notes\r\n");
        let mut n = 0;
        while file.len() < bytes {
            file += &format!("{n},CPF,b{n}@example.com,1,{notes}\r\n");
            n += 1;
        }
        file += "0,CPF,c@example.com,1,,surplus\r\n";
        let server = &server;
        async move {
            let path = "/api/creditdesk/imports/accounts";
            let send = || server.request_with("POST", path, &file, key, token, &[]);
            let ((first, a), (second, b)) = tokio::join!(send(), send());
            for (status, answer) in [(first, a), (second, b)] {
                assert_eq!(status, 422, "{}", &answer[..answer.len().min(600)]);
                assert!(answer.contains("the header has 5 columns"), "{answer}");
            }
        }
    };
    // The first files open the database's connections and fill their caches.
    send_two(3_000_000).await;
    let before = server.peak_memory_kib();
    send_two(40_000_000).await;
    let grown_kib = server.peak_memory_kib() - before;
    // About 6 MB on SQLite and PostgreSQL; 206 MB when each file was held whole (and copied).
    assert!(
        grown_kib < 20 * 1024,
        "two 40 MB files grew the server by {} MB",
        grown_kib / 1024
    );
}
