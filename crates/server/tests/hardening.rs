//! What an attacker tries against the API (issue 17): secrets kept or replayed, brute force,
//! duplicate keys, digits beyond what is allowed in any notation, echo amplification, invisible
//! characters, security headers, and the database file's permissions. On the test's engine.

mod common;

use axum::http::{Method, StatusCode};
use common::{
    assert_error, error_fields, test_app, test_app_with, test_app_with_account, Creds, TestApp,
};
use creditdesk_server::api::unknown_fields::UnknownFields;
use creditdesk_server::db::Db;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/creditcontrol/accounts";
const HOLDS: &str = "/api/creditcontrol/accounts/1_CPF/transactions";
const KEYS: &str = "/api/creditdesk/keys";

async fn account(app: &TestApp) -> Value {
    app.get(&format!("{ACCOUNTS}/1_CPF")).await.1
}

/// Every text the database holds in these tables' columns, one string per row.
async fn table_text(db: &Db, sql: &str) -> Vec<String> {
    let rows: Vec<(String,)> = db
        .pool()
        .fetch_all(sql, Vec::new())
        .await
        .expect("read the table");
    rows.into_iter().map(|(text,)| text).collect()
}

#[tokio::test]
async fn a_new_token_is_never_stored_and_a_retry_says_it_is_withheld() {
    let app = test_app().await;
    let body = json!({"label": "shop", "resources": ["Read Invoices"]}).to_string();
    let retry = [("Idempotency-Key", "new-key-1")];
    let (status, headers, created) = app
        .send_with(Method::POST, KEYS, Some(&body), &app.admin, &retry)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(headers["cache-control"], "no-store");
    let token = created["appToken"]
        .as_str()
        .expect("the first reply has the token");
    let key = created["appKey"].as_str().unwrap();

    // Nothing the database keeps holds the token: not the idempotency table, not the keys.
    let kept = table_text(&app.db, "SELECT body FROM idempotency").await;
    assert_eq!(kept.len(), 1, "the reply's stand-in is kept");
    assert!(kept.iter().all(|body| !body.contains(token)), "{kept:?}");
    let keys = table_text(&app.db, "SELECT token_sha256 FROM api_keys").await;
    assert!(keys.iter().all(|hash| !hash.contains(token)));

    // The retry gets the key, not its token, and is told why.
    let (status, headers, replayed) = app
        .send_with(Method::POST, KEYS, Some(&body), &app.admin, &retry)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(replayed.get("appToken").is_none(), "{replayed}");
    assert_eq!(replayed["appKey"], key);
    assert_eq!(replayed["resources"], json!(["Read Invoices"]));
    assert!(replayed["appTokenWithheld"]
        .as_str()
        .is_some_and(|why| why.contains("shown only in the first reply")));
    // One key was created, and its token (from the first reply) works.
    let (_, list) = app.send(Method::GET, KEYS, None, &app.admin).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "the admin's and the new one"
    );
    let creds = Creds::Key(key.to_owned(), token.to_owned());
    let (status, _) = app
        .send(Method::GET, "/api/creditcontrol/invoices", None, &creds)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Replies kept before the fix held tokens: the migration forgets them on upgrade.
#[tokio::test]
async fn the_upgrade_forgets_replies_that_held_a_token() {
    let app = test_app().await;
    let execute = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            db.pool().execute(sql, Vec::new()).await.expect(sql);
        }
    };
    execute(
        "INSERT INTO idempotency (app_key, idempotency_key, request_sha256, status, body, created_at_us) \
         VALUES ('k', 'old', 'h', 200, '{\"appKey\":\"x\",\"appToken\":\"secret\"}', 1), \
                ('k', 'other', 'h', 200, '{\"id\":\"1\"}', 1)",
    )
    .await;
    // As a database from before the fix: the migration not yet applied.
    execute("DELETE FROM _sqlx_migrations WHERE version = 6").await;
    let db = Db::connect(&app.database_url, creditdesk_server::db::Synchronous::Full)
        .await
        .expect("reconnect and migrate");
    let kept = table_text(&db, "SELECT body FROM idempotency").await;
    assert_eq!(kept, vec!["{\"id\":\"1\"}".to_owned()]);
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_address_and_correct_clients_elsewhere_are_not() {
    let mut app = test_app_with_account().await;
    let Creds::Key(key, _) = app.admin.clone() else {
        unreachable!()
    };
    let wrong = Creds::Key(key.clone(), "not-the-token".into());
    let attacker = std::net::SocketAddr::from(([127, 0, 0, 66], 50000));
    let neighbour = std::net::SocketAddr::from(([127, 0, 0, 67], 50000));
    app.peer = attacker;
    for attempt in 1..=20 {
        let (status, body) = app.send(Method::GET, ACCOUNTS, None, &wrong).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
    }
    // The 21st attempt, and even the right token from that address, wait.
    let (status, headers, body) = app
        .send_with(Method::GET, ACCOUNTS, None, &wrong, &[])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_error(&body, "too_many_requests");
    let wait: u32 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let (status, _) = app.send(Method::GET, ACCOUNTS, None, &app.admin).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // With an Idempotency-Key the 429 is not kept: the retry after the wait runs.
    let body = json!({"value": 1, "settle": true, "installments": 1}).to_string();
    let retry = [("Idempotency-Key", "after-429")];
    let (status, _, _) = app
        .send_with(Method::POST, HOLDS, Some(&body), &app.admin, &retry)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Another address is not slowed, right or wrong.
    app.peer = neighbour;
    let (status, _) = app.send(Method::GET, ACCOUNTS, None, &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.send(Method::GET, ACCOUNTS, None, &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A minute after its first failure, the address may try again.
    app.peer = attacker;
    app.clock.advance_seconds(61);
    let (status, _, answer) = app
        .send_with(Method::POST, HOLDS, Some(&body), &app.admin, &retry)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        account(&app).await["preAuthorizedCredit"].to_string(),
        "1.00"
    );
}

#[tokio::test]
async fn a_key_named_twice_is_refused_and_nothing_is_written() {
    let app = test_app_with_account().await;
    let before = account(&app).await;
    let cases = [
        (
            r#"{"value": 1, "settle": true, "installments": 1, "value": 1000}"#,
            "value",
        ),
        (
            r#"{"value": 1, "settle": true, "settle": false, "installments": 1}"#,
            "settle",
        ),
        (
            r#"{"value": 1, "settle": true, "installments": 1, "v\u0061lue": 2}"#,
            "value",
        ),
    ];
    for (body, key) in cases {
        let (status, answer) = app.send(Method::POST, HOLDS, Some(body), &app.admin).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), vec![key], "{answer}");
        assert!(answer["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("more than once"));
    }
    let nested = r#"{"invoicePostponementLimit": 1, "notificationsSettings": {"daysPrior": [], "daysPrior": [{"days": 1, "timeOfDay": "08:00:00"}]}}"#;
    let (status, answer) = app.put("/api/creditcontrol/storeconfig", nested).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        error_fields(&answer),
        vec!["notificationsSettings.daysPrior"]
    );
    assert_eq!(account(&app).await, before);
    let (_, config) = app.get("/api/creditcontrol/storeconfig").await;
    assert_eq!(config["invoicePostponementLimit"], 0);
}

#[tokio::test]
async fn more_digits_than_allowed_are_refused_in_every_notation() {
    let app = test_app_with_account().await;
    let before = account(&app).await;
    let cases = [
        (
            "1.999999999999999999999999999999e0",
            "must have at most 2 decimal places",
        ),
        (
            "100.00000000000000000000000000001e0",
            "must have at most 2 decimal places",
        ),
        (
            "1.999999999999999999999999999999",
            "must have at most 2 decimal places",
        ),
        ("1e-999999", "must have at most 2 decimal places"),
        (
            "\"1.0000000000000000000000000000001\"",
            "must have at most 2 decimal places",
        ),
        ("1e999999", "must be at most 1000000000.00"),
    ];
    for (value, reason) in cases {
        let body = format!(r#"{{"value": {value}, "settle": true, "installments": 1}}"#);
        let (status, answer) = app.send(Method::POST, HOLDS, Some(&body), &app.admin).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{value}: {answer}"
        );
        assert_eq!(error_fields(&answer), vec!["value"]);
        let message = answer["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(message.starts_with(reason), "{value}: {message}");
    }
    // The same rule for rates.
    let (status, answer) = app
        .put(
            &format!("{ACCOUNTS}/1_CPF/tolerance"),
            r#"{"value": 0.1000000000000000000000000000001e0}"#,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(account(&app).await, before);
    // Exact values in scientific notation are taken as they are.
    let body = r#"{"value": 1.5e1, "settle": true, "installments": 1}"#;
    let (status, answer) = app.send(Method::POST, HOLDS, Some(body), &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        account(&app).await["preAuthorizedCredit"].to_string(),
        "15.00"
    );
}

#[tokio::test]
async fn error_replies_stay_small_whatever_the_body_sends() {
    let fields: Vec<String> = (0..5000).map(|i| format!("\"f{i:05}\": 1")).collect();
    let body = format!("{{{}}}", fields.join(", "));
    assert!(body.len() > 50_000);

    // Ignored (the default): the header lists 20 of them and counts the rest.
    let app = test_app_with_account().await;
    let (status, headers, answer) = app
        .send_with(Method::POST, HOLDS, Some(&body), &app.admin, &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "value is missing");
    assert!(answer.to_string().len() < 4096);
    let ignored = headers["creditdesk-ignored-fields"].to_str().unwrap();
    assert!(ignored.len() < 1024, "{ignored}");
    assert!(ignored.ends_with("f00019, (and 4980 more)"), "{ignored}");

    // Refused (strict stores): one error per field, but the reply stays small, kept small too.
    let app = test_app_with(|state| state.unknown_fields = UnknownFields::Refuse).await;
    let retry = [("Idempotency-Key", "echo")];
    let (status, _, answer) = app
        .send_with(Method::POST, HOLDS, Some(&body), &app.admin, &retry)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = answer.to_string();
    assert!(reply.len() < 4096, "{} bytes: {reply}", reply.len());
    // The known fields are named once; the count of the unlisted errors is given.
    assert_eq!(reply.matches("the fields are").count(), 1, "{reply}");
    let listed = answer["error"]["fields"].as_array().unwrap();
    assert_eq!(
        listed.last().unwrap()["message"],
        "and 4980 more errors, not listed"
    );
    assert_eq!(answer["error"]["message"], "5000 fields are invalid");
    let kept = table_text(&app.db, "SELECT body FROM idempotency").await;
    assert!(kept.iter().all(|b| b.len() < 4096));

    // A key of 60 KB is cut, not echoed.
    let body = format!(r#"{{"{}": 1}}"#, "k".repeat(60_000));
    let (status, answer) = app.send(Method::POST, HOLDS, Some(&body), &app.admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.to_string().len() < 4096);
}

#[tokio::test]
async fn invisible_characters_are_refused_in_emails_and_ids() {
    let app = test_app_with_account().await;
    let before = account(&app).await;
    for email in [
        "ev\u{202E}moc.liame@a.co",
        "a\u{200B}@b.co",
        "\u{FEFF}a@b.co",
        "a@b\u{2060}.co",
    ] {
        let body =
            json!({"document": "2", "documentType": "CPF", "email": email, "creditLimit": 1})
                .to_string();
        let (status, answer) = app
            .send(Method::POST, ACCOUNTS, Some(&body), &app.admin)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email:?}: {answer}"
        );
        assert_eq!(error_fields(&answer), vec!["email"]);
    }
    for order_id in ["order\u{200B}1", "\u{202E}1redro", "a\u{2066}b"] {
        let body =
            json!({"value": 1, "settle": true, "installments": 1, "orderId": order_id}).to_string();
        let (status, answer) = app.send(Method::POST, HOLDS, Some(&body), &app.admin).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{order_id:?}: {answer}"
        );
        assert_eq!(error_fields(&answer), vec!["orderId"]);
        let message = answer["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains("invisible characters"), "{message}");
    }
    assert_eq!(account(&app).await, before);
    // Free text may hold them (a right-to-left description is meant).
    let body = json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000, "description": "\u{200F}שלום \u{200D}"}).to_string();
    let (status, answer) = app.put(&format!("{ACCOUNTS}/1_CPF"), &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn every_reply_carries_the_security_headers() {
    let app = test_app().await;
    for path in ["/api/creditcontrol/storeconfig", "/api/nowhere", "/healthz"] {
        let (_, headers, _) = app
            .send_with(Method::GET, path, None, &app.admin, &[])
            .await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(
            headers["content-security-policy"],
            creditdesk_server::web::API_POLICY,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_admin_is_served_with_a_policy_that_allows_its_loader_and_nothing_else() {
    use axum::body::Body;
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let loader = "import init from '/admin.js'; await init();";
    std::fs::write(
        dir.path().join("index.html"),
        format!("<html><head><script type=\"module\">{loader}</script></head><body></body></html>"),
    )
    .unwrap();
    let app = test_app().await;
    let router =
        creditdesk_server::app(creditdesk_server::AppState::new(app.db.clone()), dir.path());
    let request = axum::http::Request::get("/accounts/1_CPF")
        .header("accept", "text/html,application/xhtml+xml")
        .body(Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert_eq!(
        policy,
        creditdesk_server::web::admin_policy(&format!("<script>{loader}</script>"))
    );
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
    assert!(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers.get("cache-control").is_none(),
        "the admin's files may be cached"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_file_and_its_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("new/data");
    let path = folder.join("creditdesk.db");
    let db = Db::connect(
        &format!("sqlite://{}", path.display()),
        creditdesk_server::db::Synchronous::Full,
    )
    .await
    .unwrap();
    creditdesk_server::auth::store_key(&db, "k", "t", &[], "l", 0)
        .await
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(file.exists(), "{}", file.display());
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    db.close().await;
}
