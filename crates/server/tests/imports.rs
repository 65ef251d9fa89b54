//! CSV imports through the real app: a preview lists exactly what applying refuses and writes
//! nothing; applying writes each good row alone; the same file applied twice changes nothing; a
//! job stopped midway (its last batch written but not recorded) resumes after its lease without
//! duplicates; an edited invoice export imports back; files are checked whole before a job
//! exists, bounded; a row that fails on its own (a damaged book) is its error and the job goes
//! on. On SQLite, and PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL` is set.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{assert_error, error_fields, test_app, test_app_with, TestApp, ACCOUNTS};
use creditdesk_core::import::{ImportStatus, ImportView, ERRORS_LISTED_MAX};
use creditdesk_server::imports::ImportWork;
use serde_json::Value;

const HEADER: &str = "document,documentType,email,creditLimit,tolerance,description\r\n";

/// Sends `file` to `POST /api/creditdesk/imports/{kind}{query}`.
async fn send(app: &TestApp, kind: &str, query: &str, file: &str) -> (StatusCode, Value) {
    let path = format!("/api/creditdesk/imports/{kind}{query}");
    let (status, _, body) = app
        .send_with(
            Method::POST,
            &path,
            Some(file),
            &app.admin,
            &[("content-type", "text/csv")],
        )
        .await;
    (status, body)
}

/// The job as it is now.
async fn job(app: &TestApp, id: &str) -> ImportView {
    let body = app
        .ok(Method::GET, &format!("/api/creditdesk/imports/{id}"), None)
        .await;
    serde_json::from_value(body).unwrap()
}

/// Sends `file` and waits for its job to complete (the background worker handles it).
async fn import(app: &TestApp, kind: &str, query: &str, file: &str) -> ImportView {
    let (status, body) = send(app, kind, query, file).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    for _ in 0..1500 {
        let view = job(app, &id).await;
        if view.status == ImportStatus::Completed {
            assert_eq!(view.rows_done, view.rows_total);
            assert!(view.finished_at.is_some());
            return view;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("import {id} did not complete within 30 s");
}

/// How many accounts the store has.
async fn account_count(app: &TestApp) -> u64 {
    let list = app
        .ok(Method::GET, &format!("{ACCOUNTS}?from=1&to=1"), None)
        .await;
    list["summary"]["count"].as_u64().unwrap()
}

/// The account's statement entries.
async fn entries(app: &TestApp, account: &str) -> usize {
    let statement = app
        .ok(
            Method::GET,
            &format!("{ACCOUNTS}/{account}/statements"),
            None,
        )
        .await;
    statement["statements"].as_array().unwrap().len()
}

/// A file with good rows, bad rows and a second row of one account.
fn mixed_file() -> String {
    [
        HEADER,
        "100,CPF,ana+store@example.com,1500.00,0.1,Ana's shop\r\n",
        "101,CPF,not-an-email,10,,\r\n",
        "102,CPF,Bruno_Silva@Example.COM,12.345,,\r\n",
        "\r\n",
        "103,CNPJ,josé.müller@exämple.com,800,,\"Shop, north\"\r\n",
        "100,CPF,ana+store@example.com,2000,0.1,Ana's shop\r\n",
        "104,CPF,c@d.co,-5,2,\r\n",
        "105,Pass port,c@d.co,5,,\r\n",
    ]
    .concat()
}

#[tokio::test]
async fn a_preview_lists_what_applying_refuses_and_writes_nothing() {
    let app = test_app().await;
    let preview = import(
        &app,
        "accounts",
        "?dryRun=true&fileName=buyers.csv",
        &mixed_file(),
    )
    .await;
    assert!(preview.dry_run);
    assert_eq!(preview.file_name, "buyers.csv");
    assert_eq!((preview.rows_total, preview.rows_failed), (7, 4));
    let fields: Vec<(u32, &str)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (3, "email"),
            (4, "creditLimit"),
            (8, "creditLimit"),
            (8, "tolerance"),
            (9, "documentType")
        ]
    );
    assert_eq!(account_count(&app).await, 0, "a preview writes nothing");

    let applied = import(&app, "accounts", "", &mixed_file()).await;
    assert!(!applied.dry_run);
    assert_eq!(applied.file_name, "accounts.csv");
    assert_eq!(
        (applied.rows_total, applied.rows_failed),
        (preview.rows_total, preview.rows_failed)
    );
    assert_eq!(
        applied.errors, preview.errors,
        "the preview is what applying does"
    );
    assert_eq!(account_count(&app).await, 2);
    // Rows of one account apply in file order: the later limit wins.
    let ana = app
        .ok(Method::GET, &format!("{ACCOUNTS}/100_CPF"), None)
        .await;
    assert_eq!(
        (
            ana["creditLimit"].to_string(),
            ana["email"].as_str(),
            ana["description"].as_str()
        ),
        (
            "2000.00".to_owned(),
            Some("ana+store@example.com"),
            Some("Ana's shop")
        )
    );
    let shop = app
        .ok(Method::GET, &format!("{ACCOUNTS}/103_CNPJ"), None)
        .await;
    assert_eq!(shop["email"], "josé.müller@exämple.com");
    assert_eq!(shop["description"], "Shop, north");

    // The history, newest first; a job's errors as CSV.
    let history = app.ok(Method::GET, "/api/creditdesk/imports", None).await;
    let ids: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [applied.id.as_str(), preview.id.as_str()]);
    assert_eq!(history["range"]["total"], 2);
    assert_eq!(history["data"][0]["rowsFailed"], 4);
    let path = format!("/api/creditdesk/imports/{}/errors.csv", applied.id);
    let (status, _, csv) = app
        .send_with(Method::GET, &path, None, &app.admin, &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.as_str().unwrap().split("\r\n").collect();
    assert_eq!(lines[0], "line,field,message");
    assert_eq!(lines.len(), 1 + 5 + 1, "{lines:?}");
    assert!(lines[1].starts_with("3,email,"), "{}", lines[1]);
}

#[tokio::test]
async fn the_same_file_applied_twice_changes_nothing_the_second_time() {
    let app = test_app().await;
    let file = format!("{HEADER}200,CPF,a@b.co,100,0.05,one\r\n201,CPF,c@d.co,200,,two\r\n");
    let first = import(&app, "accounts", "", &file).await;
    assert_eq!(first.rows_failed, 0);
    let before = (
        app.ok(Method::GET, &format!("{ACCOUNTS}/200_CPF"), None)
            .await,
        entries(&app, "200_CPF").await,
        entries(&app, "201_CPF").await,
    );
    let second = import(&app, "accounts", "", &file).await;
    assert_ne!(second.id, first.id);
    assert_eq!((second.rows_done, second.rows_failed), (2, 0));
    let mut after = app
        .ok(Method::GET, &format!("{ACCOUNTS}/200_CPF"), None)
        .await;
    after["updatedAt"] = before.0["updatedAt"].clone();
    assert_eq!(after, before.0);
    assert_eq!(
        (
            entries(&app, "200_CPF").await,
            entries(&app, "201_CPF").await
        ),
        (before.1, before.2)
    );
}

#[tokio::test]
async fn a_job_stopped_midway_resumes_after_its_lease_without_duplicates() {
    let app = test_app_with(|state| state.import_work = ImportWork::WhenRun).await;
    let rows: String = (0..600)
        .map(|n| format!("{},CPF,b{n}@example.com,{},,\r\n", 1000 + n, n + 1))
        .collect();
    let (status, body) = send(&app, "accounts", "", &format!("{HEADER}{rows}")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "Queued");
    let id = body["id"].as_str().unwrap().to_owned();
    // The first server handles one batch and stops.
    let handled = creditdesk_server::imports::run(&app.state, 1)
        .await
        .unwrap();
    assert_eq!(handled, creditdesk_server::imports::BATCH_ROWS_MAX as u32);
    let view = job(&app, &id).await;
    assert_eq!(
        (view.status, view.rows_done),
        (ImportStatus::Running, handled)
    );
    assert_eq!(account_count(&app).await, u64::from(handled));
    // As if it stopped after writing rows 101 to 256 and before recording them.
    let sql = "UPDATE imports SET rows_done = 100 WHERE id = $1";
    app.db
        .pool()
        .execute(sql, vec![id.as_str().into()])
        .await
        .unwrap();
    // A restarted server waits for the lease...
    assert_eq!(
        creditdesk_server::imports::run(&app.state, u32::MAX)
            .await
            .unwrap(),
        0
    );
    // ...and resumes once it has run out: rows 101 to 256 again, changing nothing.
    app.clock
        .advance_seconds(creditdesk_server::imports::LEASE_US / 1_000_000 + 1);
    let rest = creditdesk_server::imports::run(&app.state, u32::MAX)
        .await
        .unwrap();
    assert_eq!(rest, 500);
    let view = job(&app, &id).await;
    assert_eq!(
        (view.status, view.rows_done, view.rows_failed),
        (ImportStatus::Completed, 600, 0)
    );
    assert_eq!(account_count(&app).await, 600);
    for account in ["1000_CPF", "1150_CPF", "1255_CPF", "1599_CPF"] {
        assert_eq!(
            entries(&app, account).await,
            1,
            "{account}: one opening entry"
        );
    }
    assert_eq!(
        creditdesk_server::imports::run(&app.state, u32::MAX)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_edited_invoice_export_imports_back() {
    let app = test_app().await;
    app.open_account("300", "1000").await;
    app.hold_and_settle("300_CPF", "300", 3).await;
    let (_, _, export) = app
        .send_with(
            Method::GET,
            "/api/creditdesk/exports/invoices.csv",
            None,
            &app.admin,
            &[],
        )
        .await;
    let mut lines: Vec<Vec<String>> = export
        .as_str()
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let header = lines[0].clone();
    let column = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (status, observation) = (column("status"), column("observation"));
    lines[1][status] = "Paid".into();
    lines[2][status] = "Cancelled".into();
    lines[2][observation] = "'=by phone".into();
    let mut unknown = lines[3].clone();
    let id = column("id");
    unknown[id] = format!("{}9", &unknown[id][..unknown[id].len() - 1]);
    lines.push(unknown);
    let file: String = lines
        .iter()
        .map(|l| format!("{}\r\n", l.join(",")))
        .collect();
    let view = import(&app, "invoices", "", &file).await;
    assert_eq!((view.rows_total, view.rows_failed), (4, 1));
    assert_eq!(
        (view.errors[0].line, view.errors[0].field.as_str()),
        (5, "id")
    );
    assert!(
        view.ignored_columns.contains(&"friendlyId".to_owned()),
        "{:?}",
        view.ignored_columns
    );
    let invoices = app
        .ok(Method::GET, &format!("{ACCOUNTS}/300_CPF/invoices"), None)
        .await;
    let statuses: Vec<(&str, Option<&str>)> = invoices["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["status"].as_str().unwrap(), i["observation"].as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Paid", None),
            ("Cancelled", Some("=by phone")),
            ("Opened", None)
        ]
    );
    let before = entries(&app, "300_CPF").await;
    let again = import(&app, "invoices", "", &file).await;
    assert_eq!(again.rows_failed, 1);
    assert_eq!(
        entries(&app, "300_CPF").await,
        before,
        "applied twice, changed once"
    );
}

#[tokio::test]
async fn files_are_checked_whole_and_bounded_before_a_job_exists() {
    let app = test_app().await;
    let refused = [
        ("accounts", "", "document,email\r\n1,a@b.co\r\n", "file"),
        ("accounts", "", "", "file"),
        ("invoices", "", "accountId,id\r\n", "file"),
        ("accounts", "?dryRun=maybe", HEADER, "dryRun"),
        (
            "accounts",
            "",
            "document,documentType,email,creditLimit\r\n1,\"CPF,a@b.co,1\r\n",
            "file",
        ),
    ];
    for (kind, query, file, field) in refused {
        let (status, body) = send(&app, kind, query, file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{file:?}: {body}");
        assert_eq!(error_fields(&body), [field], "{file:?}: {body}");
    }
    let path = "/api/creditdesk/imports/accounts";
    let latin1 = b"document,documentType,email,creditLimit\r\n1,CPF,jos\xe9@b.co,1\r\n";
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("X-VTEX-API-AppKey", creds(&app).0)
        .header("X-VTEX-API-AppToken", creds(&app).1)
        .extension(axum::extract::ConnectInfo(app.peer))
        .body(axum::body::Body::from(latin1.to_vec()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Larger than any JSON body may be, well within an import's bound.
    let rows: String = (0..5000)
        .map(|n| format!("{n},CPF,b{n}@example.com,1,,\r\n"))
        .collect();
    let (status, body) = send(&app, "accounts", "?dryRun=true", &format!("{HEADER}{rows}")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["rowsTotal"], 5000);
    let rows = "1,CPF,a@b.co,1\r\n".repeat(creditdesk_core::import::IMPORT_ROWS_MAX as usize + 1);
    let (status, body) = send(&app, "accounts", "", &format!("{HEADER}{rows}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("200000 rows"),
        "{body}"
    );
    let huge = format!(
        "{HEADER}{}",
        "x".repeat(creditdesk_core::import::IMPORT_BYTES_MAX as usize)
    );
    let (status, body) = send(&app, "accounts", "", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (status, body) = app.get("/api/creditdesk/imports/imp_nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, _) = app.get("/api/creditdesk/imports/imp_nope/errors.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.get("/api/creditdesk/imports?from=0").await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["from".to_owned()])
    );
}

#[tokio::test]
async fn a_job_lists_its_first_errors_and_its_error_file_all_of_them() {
    let app = test_app().await;
    let rows: String = (0..1200)
        .map(|n| format!("{n},CPF,nobody,1,,\r\n"))
        .collect();
    let view = import(&app, "accounts", "?dryRun=true", &format!("{HEADER}{rows}")).await;
    assert_eq!(view.rows_failed, 1200);
    assert_eq!(view.errors.len(), ERRORS_LISTED_MAX as usize);
    let path = format!("/api/creditdesk/imports/{}/errors.csv", view.id);
    let (_, _, csv) = app
        .send_with(Method::GET, &path, None, &app.admin, &[])
        .await;
    let lines: Vec<&str> = csv
        .as_str()
        .unwrap()
        .trim_end()
        .split("\r\n")
        .skip(1)
        .collect();
    assert_eq!(lines.len(), 1200);
    let numbers: Vec<u32> = lines
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (2..1202).collect::<Vec<u32>>());
}

fn creds(app: &TestApp) -> (String, String) {
    match &app.admin {
        common::Creds::Key(key, token) => (key.clone(), token.clone()),
        common::Creds::None => unreachable!("the admin has a key"),
    }
}

#[tokio::test]
async fn payment_rows_pay_once_per_reference_across_a_resumed_job_and_a_second_apply() {
    let app = test_app_with(|state| state.import_work = ImportWork::WhenRun).await;
    app.open_account("400", "1000").await;
    app.hold_and_settle("400_CPF", "300", 3).await;
    let invoices = app
        .ok(Method::GET, &format!("{ACCOUNTS}/400_CPF/invoices"), None)
        .await;
    let ids: Vec<String> = invoices["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    // Rows of one account are applied one batch each, in file order; the last row repeats the
    // first payment (the same reference): it pays nothing.
    let file = format!(
        "accountId,id,status,paymentValue,paymentReference\r\n\
         400_CPF,{a},Opened,10.50,TED 1\r\n\
         400_CPF,{b},Opened,100,TED 2\r\n\
         400_CPF,{c},Opened,100.01,TED 3\r\n\
         400_CPF,{a},Opened,10.50,TED 1\r\n",
        a = ids[0],
        b = ids[1],
        c = ids[2]
    );
    let run = |limit: u32| creditdesk_server::imports::run(&app.state, limit);
    let (status, body) = send(&app, "invoices", "", &file).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(run(1).await.unwrap(), 1);
    // As if it stopped after paying row 2 and before recording it.
    app.db
        .pool()
        .execute(
            "UPDATE imports SET rows_done = 0 WHERE id = $1",
            vec![id.as_str().into()],
        )
        .await
        .unwrap();
    app.clock
        .advance_seconds(creditdesk_server::imports::LEASE_US / 1_000_000 + 1);
    assert_eq!(run(u32::MAX).await.unwrap(), 4);
    let view = job(&app, &id).await;
    assert_eq!((view.rows_done, view.rows_failed), (4, 1));
    assert_eq!(
        (view.errors[0].line, view.errors[0].field.as_str()),
        (4, "paymentValue"),
        "{:?}",
        view.errors
    );
    let want = [
        ("Opened".to_owned(), "10.50".to_owned()),
        ("Paid".to_owned(), "100.00".to_owned()),
        ("Opened".to_owned(), "0.00".to_owned()),
    ];
    assert_eq!(statuses_paid(&app, "400_CPF").await, want);
    let before = entries(&app, "400_CPF").await;
    // The same file again: nothing paid twice.
    let (status, body) = send(&app, "invoices", "", &file).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(run(u32::MAX).await.unwrap(), 4);
    assert_eq!(statuses_paid(&app, "400_CPF").await, want);
    assert_eq!(entries(&app, "400_CPF").await, before);
}

/// Each invoice of `account`: its status and paid value.
async fn statuses_paid(app: &TestApp, account: &str) -> Vec<(String, String)> {
    let list = app
        .ok(Method::GET, &format!("{ACCOUNTS}/{account}/invoices"), None)
        .await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let status = i["status"].as_str().unwrap().to_owned();
            (status, i["paidValue"].to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_row_that_fails_on_its_own_is_its_error_and_the_job_goes_on() {
    let app = test_app().await;
    app.open_account("400", "1000").await;
    app.open_account("401", "1000").await;
    let damaged = app.hold_and_settle("400_CPF", "100", 1).await;
    let sound = app.hold_and_settle("401_CPF", "100", 1).await;
    // A hand-edited row: invoice 400's paid value no longer matches its payments, so its book
    // breaks an invariant as loaded and nothing may be written from it.
    let sql = "UPDATE invoices SET paid_minor = 1 WHERE id = $1";
    let id = format!("{damaged}-01");
    app.db
        .pool()
        .execute(sql, vec![id.as_str().into()])
        .await
        .unwrap();
    let file = format!(
        "accountId,id,status,observation\r\n\
         400_CPF,{damaged}-01,Opened,first\r\n\
         401_CPF,{sound}-01,Opened,second\r\n"
    );
    let view = import(&app, "invoices", "", &file).await;
    assert_eq!(
        (view.rows_done, view.rows_failed),
        (2, 1),
        "{:?}",
        view.errors
    );
    let error = &view.errors[0];
    assert_eq!((error.line, error.field.as_str()), (2, ""));
    assert!(
        error
            .message
            .starts_with("was not handled (the book of 400_CPF breaks an invariant"),
        "{}",
        error.message
    );
    let path = format!("{ACCOUNTS}/401_CPF/invoices/{sound}-01");
    let invoice = app.ok(Method::GET, &path, None).await;
    assert_eq!(invoice["observation"], "second");
    // And the next file is worked on: the failed row held nothing up.
    let view = import(
        &app,
        "accounts",
        "",
        &format!("{HEADER}402,CPF,c@d.co,5,,\r\n"),
    )
    .await;
    assert_eq!(view.rows_failed, 0);
}
