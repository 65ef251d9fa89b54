//! The same guards on every surface (issue 30), over real sockets to a real server process:
//! credentials and permission before any body is read, one JSON reader (a key named twice
//! refused) on the company-credit API too, secrets never kept for a replay (buyer links as keys
//! and webhooks), the API's headers on every API router, and error replies that echo no more than
//! a few KB of what was sent.

mod common;

use std::time::Duration;

use axum::http::Method;
use common::process::ServerProcess;
use common::test_app;
use creditdesk_server::web::API_POLICY;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY: &str = "guards-key";
const TOKEN: &str = "guards-token-0123456789abcdef";

async fn server() -> (common::TestApp, ServerProcess) {
    let app = test_app().await;
    let server = ServerProcess::start(&app.database_url, KEY, TOKEN, &[]).await;
    (app, server)
}

/// The JSON body of a raw HTTP answer.
fn body_of(response: &str) -> Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// A header of a raw HTTP answer (lower-case name).
fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Sends a request's headers announcing `declared` bytes of body and only the first KB of it;
/// the status the server answers within 5 s (0: none, it waited for the rest).
async fn answer_before_body(port: u16, path: &str, credentials: &str, declared: u64) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n{credentials}\
         Content-Length: {declared}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'a'; 1024]).await.unwrap();
    let mut answer = [0u8; 12];
    match tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut answer)).await {
        Ok(Ok(_)) => std::str::from_utf8(&answer[9..12])
            .unwrap()
            .parse()
            .unwrap(),
        _ => 0,
    }
}

#[tokio::test]
async fn credentials_and_permission_are_checked_before_any_body_is_read() {
    let (_app, server) = server().await;
    let created = json!({"label": "reader", "resources": ["Read Invoices"]}).to_string();
    let (status, answer) = server
        .request("POST", "/api/creditdesk/keys", &created, KEY, TOKEN)
        .await;
    assert_eq!(status, 200, "{answer}");
    let reader = body_of(&answer);
    let reader = format!(
        "X-VTEX-API-AppKey: {}\r\nX-VTEX-API-AppToken: {}\r\n",
        reader["appKey"].as_str().unwrap(),
        reader["appToken"].as_str().unwrap()
    );
    let big = 49 * 1024 * 1024;
    for (path, credentials, declared, expect) in [
        ("/api/creditdesk/imports/accounts", "", big, 401),
        (
            "/api/creditdesk/imports/invoices",
            "X-VTEX-API-AppKey: nobody\r\nX-VTEX-API-AppToken: wrong-token-0123456789\r\n",
            big,
            401,
        ),
        (
            "/api/creditdesk/imports/accounts",
            reader.as_str(),
            big,
            403,
        ),
        ("/api/creditcontrol/accounts", "", 60_000, 401),
        ("/api/creditcontrol/accounts", reader.as_str(), 60_000, 403),
        ("/api/creditdesk/books", reader.as_str(), 60_000, 403),
        ("/api/creditdesk/webhooks", "", 60_000, 401),
        (
            "/api/creditdesk/accounts/1_CPF/buyer-links",
            reader.as_str(),
            60_000,
            403,
        ),
        ("/rest/V1/companyCredits/1/increaseBalance", "", 60_000, 401),
        (
            "/rest/V1/companyCredits/1/increaseBalance",
            reader.as_str(),
            60_000,
            403,
        ),
    ] {
        let status = answer_before_body(server.port, path, credentials, declared).await;
        assert_eq!(
            status, expect,
            "POST {path} answered before its body arrived"
        );
    }
}

#[tokio::test]
async fn the_company_credit_api_refuses_a_key_named_twice() {
    let (app, server) = server().await;
    app.open_account("51", "1000").await;
    let twice = r#"{"value": 1, "currency": "BRL", "operationType": 4, "value": 900}"#;
    let increase = "/rest/V1/companyCredits/1/increaseBalance";
    let (status, answer) = server.request("POST", increase, twice, KEY, TOKEN).await;
    assert_eq!(status, 400, "{answer}");
    let refusal = body_of(&answer);
    assert!(
        refusal["message"].is_string(),
        "that platform's shape: {refusal}"
    );
    assert!(refusal.to_string().contains("value"), "{refusal}");
    let limit = r#"{"creditLimit": {"credit_limit": 5, "credit_limit": 5000}}"#;
    let (status, answer) = server
        .request("PUT", "/rest/V1/companyCredits/1", limit, KEY, TOKEN)
        .await;
    assert_eq!(status, 400, "{answer}");
    let account = app
        .ok(Method::GET, "/api/creditcontrol/accounts/51_CPF", None)
        .await;
    assert_eq!(
        account["balance"].to_string(),
        "0.00",
        "nothing moved: {account}"
    );
    assert_eq!(
        account["creditLimit"].to_string(),
        "1000.00",
        "nothing saved: {account}"
    );
}

#[tokio::test]
async fn a_buyer_link_is_never_kept_for_a_replay() {
    let (app, server) = server().await;
    app.ok(
        Method::PUT,
        "/api/creditcontrol/storeconfig",
        Some(json!({"myCreditsEnabled": true})),
    )
    .await;
    app.open_account("7", "1000").await;
    let path = "/api/creditdesk/accounts/7_CPF/buyer-links";
    let body = json!({"email": "7@example.com"}).to_string();
    let key = [("Idempotency-Key", "link-1")];
    let (status, first) = server
        .request_with("POST", path, &body, KEY, TOKEN, &key)
        .await;
    assert_eq!(status, 200, "{first}");
    let url = body_of(&first)["url"].as_str().unwrap().to_owned();
    let token = url.split("token=").nth(1).unwrap();
    let (status, again) = server
        .request_with("POST", path, &body, KEY, TOKEN, &key)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        header(&again, "idempotent-replayed"),
        Some("true"),
        "{again}"
    );
    assert!(
        !again.contains(token),
        "the replay holds the sign-in token: {again}"
    );
    let replayed = body_of(&again);
    assert!(replayed.get("url").is_none(), "{replayed}");
    assert!(replayed["urlWithheld"].is_string(), "{replayed}");
    assert_eq!(replayed["expiresAt"], body_of(&first)["expiresAt"]);
    // A refusal of the same route carries no secret: its replay is the refusal itself.
    let wrong = json!({"email": "nobody@example.com"}).to_string();
    let key = [("Idempotency-Key", "link-2")];
    let (status, refused) = server
        .request_with("POST", path, &wrong, KEY, TOKEN, &key)
        .await;
    assert_eq!(status, 422, "{refused}");
    let (status, again) = server
        .request_with("POST", path, &wrong, KEY, TOKEN, &key)
        .await;
    assert_eq!(status, 422, "{again}");
    assert_eq!(body_of(&again), body_of(&refused));
    assert!(body_of(&again)["error"]["code"].is_string(), "{again}");
}

#[tokio::test]
async fn every_api_router_answers_with_the_apis_headers() {
    let (app, server) = server().await;
    let store = app.ok(Method::GET, "/api/creditdesk/store", None).await;
    let tenant = store["tenantLocator"].as_str().unwrap();
    for path in [
        format!("/api/billing/{tenant}/credits/list"),
        format!("/billing/{tenant}/credits/list"),
        "/billing/no-such-route".to_owned(),
        "/rest/V1/companyCredits".to_owned(),
        "/rest/V1/no-such-route".to_owned(),
        "/api/creditcontrol/accounts".to_owned(),
        "/healthz".to_owned(),
    ] {
        let (status, answer) = server.request("GET", &path, "", KEY, TOKEN).await;
        assert!(status < 500, "{path}: {answer}");
        assert_eq!(
            header(&answer, "cache-control"),
            Some("no-store"),
            "{path}: {answer}"
        );
        assert_eq!(
            header(&answer, "content-security-policy"),
            Some(API_POLICY),
            "{path}"
        );
        assert_eq!(
            header(&answer, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_error_reply_echoes_at_most_a_few_kb_of_a_huge_id() {
    let (app, server) = server().await;
    let store = app.ok(Method::GET, "/api/creditdesk/store", None).await;
    let tenant = store["tenantLocator"].as_str().unwrap();
    let id = "a".repeat(65_400);
    for (method, path) in [
        ("GET", format!("/api/creditcontrol/accounts/{id}")),
        ("GET", format!("/api/creditcontrol/accounts/{id}/invoices")),
        (
            "GET",
            format!("/api/creditcontrol/accounts/1_CPF/invoices/{id}"),
        ),
        ("GET", format!("/api/creditdesk/webhooks/{id}/deliveries")),
        ("DELETE", format!("/api/creditdesk/webhooks/{id}")),
        (
            "POST",
            format!("/api/creditdesk/webhooks/deliveries/{id}/replay"),
        ),
        ("GET", format!("/api/creditdesk/imports/{id}")),
        ("DELETE", format!("/api/creditdesk/keys/{id}")),
        (
            "GET",
            format!("/api/billing/{tenant}/shortfallCredits/{id}"),
        ),
        ("GET", format!("/rest/V1/companyCredits/{id}")),
        ("GET", format!("/rest/{id}/V1/companyCredits")),
    ] {
        let (status, answer) = server.request(method, &path, "", KEY, TOKEN).await;
        assert!(
            (400..500).contains(&status),
            "{method} {path:.60}…: {status}"
        );
        assert!(
            answer.len() < 4096,
            "{method} {path:.60}… answered {} bytes",
            answer.len()
        );
    }
}

#[tokio::test]
async fn a_third_csv_file_waits_while_two_are_arriving() {
    let (_app, server) = server().await;
    let path = "/api/creditdesk/imports/accounts?dryRun=true";
    let mut arriving = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nX-VTEX-API-AppKey: {KEY}\r\n\
             X-VTEX-API-AppToken: {TOKEN}\r\nContent-Length: 10000000\r\n\r\ndocument,"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        arriving.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let file = "document,documentType,email,creditLimit\n1,CPF,a@example.com,10\n";
    let (status, answer) = server.request("POST", path, file, KEY, TOKEN).await;
    assert_eq!(status, 429, "{answer}");
    assert_eq!(header(&answer, "retry-after"), Some("5"), "{answer}");
    // The two stop arriving: their places are free again.
    drop(arriving);
    let mut status = 0;
    for _ in 0..50 {
        (status, _) = server.request("POST", path, file, KEY, TOKEN).await;
        if status != 429 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 202);
}
