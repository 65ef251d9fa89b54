//! CSV exports answer what the JSON API answers: an exported invoice search is the search's
//! every page, line for line (past a batch boundary, among invoices created at one instant);
//! the account export is the account search; a statement's lines lead from its previous
//! balance to its current one. On SQLite, and PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL`
//! is set.

mod common;

use axum::http::{Method, StatusCode};
use common::{test_app, TestApp, ACCOUNTS};
use creditdesk_core::export;
use creditdesk_core::wire::{AccountList, InvoiceList};
use serde_json::{json, Value};

/// The body of a CSV answer, checked to be one.
async fn csv(app: &TestApp, path: &str) -> String {
    let (status, headers, body) = app
        .send_with(Method::GET, path, None, &app.admin, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename="));
    match body {
        Value::String(text) => text,
        other => panic!("{path}: not CSV: {other}"),
    }
}

/// Every invoice the search `query` selects, page by page through the JSON API, as the
/// export's lines.
async fn searched_invoices(app: &TestApp, query: &str) -> String {
    let mut text = String::from_utf8(export::line(&export::INVOICE_COLUMNS)).unwrap();
    for page in 0.. {
        let (from, to) = (page * 1000 + 1, page * 1000 + 1000);
        let path = format!("/api/creditcontrol/invoices?from={from}&to={to}{query}");
        let list: InvoiceList =
            serde_json::from_value(app.ok(Method::GET, &path, None).await).unwrap();
        for invoice in &list.data {
            text.push_str(
                &String::from_utf8(export::line(&export::invoice_cells(invoice))).unwrap(),
            );
        }
        if list.data.len() < 1000 {
            break;
        }
    }
    text
}

#[tokio::test]
async fn an_exported_invoice_search_is_the_search_line_for_line() {
    let app = test_app().await;
    for n in 1..=3 {
        app.open_account(&n.to_string(), "1000000").await;
    }
    // 1,056 invoices: 88 settlements of 12 installments, the 12 of each created at one instant,
    // so that batches of 1,000 end inside a tie broken by id.
    for n in 0..88u32 {
        let account = format!("{}_CPF", 1 + n % 3);
        app.hold_and_settle(&account, &format!("{}.{:02}", 120 + n, n % 100), 12)
            .await;
        if n % 10 == 0 {
            app.clock.advance_seconds(60);
        }
    }
    let first = format!("{ACCOUNTS}/2_CPF/invoices");
    let list: InvoiceList =
        serde_json::from_value(app.ok(Method::GET, &first, None).await).unwrap();
    let invoice = &list.data[0];
    let path = format!("{ACCOUNTS}/2_CPF/invoices/{}", invoice.id);
    app.ok(Method::POST, &format!("{path}/payments"), None)
        .await;
    app.ok(
        Method::PUT,
        &path,
        Some(json!({"status": "Paid", "observation": "=HYPERLINK(\"http://x\")"})),
    )
    .await;
    for query in [
        "",
        "&status=Paid",
        "&creditAccountId=1_CPF",
        "&status=Opened&creditAccountId=2_CPF&op=or",
    ] {
        let exported = csv(
            &app,
            &format!(
                "/api/creditdesk/exports/invoices.csv?{}",
                query.trim_start_matches('&')
            ),
        )
        .await;
        let searched = searched_invoices(&app, query).await;
        assert_eq!(
            exported.lines().count(),
            searched.lines().count(),
            "{query}"
        );
        assert_eq!(exported, searched, "{query}");
    }
    let all = csv(&app, "/api/creditdesk/exports/invoices.csv").await;
    assert_eq!(all.lines().count(), 1 + 88 * 12);
    assert!(
        all.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","),
        "the formula is neutralised"
    );
    // A wrong parameter is refused before anything is sent.
    let (status, body) = app
        .get("/api/creditdesk/exports/invoices.csv?status=Lost")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(common::error_fields(&body), vec!["status"]);
}

#[tokio::test]
async fn the_account_export_is_the_account_search() {
    let app = test_app().await;
    for n in 1..=5 {
        app.open_account(&n.to_string(), &format!("{}", 100 * n))
            .await;
    }
    app.hold_and_settle("3_CPF", "50.25", 2).await;
    for query in ["", "status=Open", "document=3"] {
        let exported = csv(
            &app,
            &format!("/api/creditdesk/exports/accounts.csv?{query}"),
        )
        .await;
        let list: AccountList = serde_json::from_value(
            app.ok(Method::GET, &format!("{ACCOUNTS}?{query}"), None)
                .await,
        )
        .unwrap();
        let mut searched = String::from_utf8(export::line(&export::ACCOUNT_COLUMNS)).unwrap();
        for account in &list.data {
            searched.push_str(
                &String::from_utf8(export::line(&export::account_cells(account))).unwrap(),
            );
        }
        assert_eq!(exported, searched, "{query}");
    }
}

#[tokio::test]
async fn a_statement_export_leads_to_its_current_balance() {
    let app = test_app().await;
    app.open_account("1", "1000").await;
    app.hold_and_settle("1_CPF", "300.30", 3).await;
    app.clock.advance_days(1);
    let list: InvoiceList = serde_json::from_value(
        app.ok(Method::GET, &format!("{ACCOUNTS}/1_CPF/invoices"), None)
            .await,
    )
    .unwrap();
    let path = format!("{ACCOUNTS}/1_CPF/invoices/{}/payments", list.data[0].id);
    app.ok(Method::POST, &path, None).await;
    let statement = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF/statements"), None)
        .await;
    let exported = csv(&app, "/api/creditdesk/accounts/1_CPF/statements.csv").await;
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines[0], export::STATEMENT_COLUMNS.join(","));
    assert_eq!(
        lines.len(),
        1 + statement["statements"].as_array().unwrap().len()
    );
    let after = export::STATEMENT_COLUMNS
        .iter()
        .position(|c| *c == "balanceAfter")
        .unwrap();
    let last: Vec<&str> = lines.last().unwrap().split(',').collect();
    assert_eq!(
        last[after],
        statement["currentBalance"].to_string().trim_matches('"')
    );
    // The window's own parameters; an account the key cannot see is not found.
    let (status, _) = app
        .get("/api/creditdesk/accounts/1_CPF/statements.csv?dateFrom=yesterday")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .get("/api/creditdesk/accounts/9_CPF/statements.csv")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Over a real socket, compressed (as a browser or a spreadsheet tool downloads it), each
/// export's answer is whole: the chunked body ends with its last chunk, the connection not cut.
#[tokio::test]
async fn exports_end_whole_over_a_real_compressed_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const KEY: &str = "operator";
    const TOKEN: &str = "operator-token-0123456789";
    let app = test_app().await;
    app.open_account("111", "500").await;
    let server = common::process::ServerProcess::start(&app.database_url, KEY, TOKEN, &[]).await;
    for path in [
        "/api/creditdesk/exports/accounts.csv",
        "/api/creditdesk/exports/invoices.csv?status=Opened",
        "/api/creditdesk/accounts/111_CPF/statements.csv",
    ] {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\
             X-VTEX-API-AppKey: {KEY}\r\nX-VTEX-API-AppToken: {TOKEN}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let head = String::from_utf8_lossy(&response[..response.len().min(400)]).to_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert!(head.contains("content-encoding: gzip"), "{path}: {head}");
        assert!(
            response.ends_with(b"\r\n0\r\n\r\n"),
            "{path} was cut: {head}"
        );
    }
}
