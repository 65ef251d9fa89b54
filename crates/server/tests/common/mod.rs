//! A real application over a real database for each test: a fresh SQLite file by default, or a
//! fresh database on the PostgreSQL server named by `CREDITDESK_TEST_POSTGRES_URL` (set by
//! `cargo xtask test`, which starts a throwaway cluster).

#![allow(dead_code)]

pub mod process;
pub mod schema;
pub mod smtp;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use creditdesk_server::auth::{self, Resource};
use creditdesk_server::db::Db;
use creditdesk_server::db::Synchronous;
use creditdesk_server::{AppState, Clock};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A small deterministic generator (a test must fail the same way twice).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `below`.
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

pub struct TestApp {
    pub router: Router,
    /// The app's state (for tests that run its background work, such as webhook rounds).
    pub state: AppState,
    pub db: Db,
    /// The app's clock (tests move it forward to see invoices fall due).
    pub clock: Clock,
    /// The admin key every test starts with.
    pub admin: Creds,
    /// Where the database is (for tests that start server processes on it).
    pub database_url: String,
    /// The client address requests come from (as a real connection would give it; failed
    /// sign-ins are throttled per address).
    pub peer: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

#[derive(Clone, Debug)]
pub enum Creds {
    None,
    Key(String, String),
}

/// The network the tests' servers may send webhooks to (`--webhook-allowed-networks`).
pub const LOOPBACK: &str = "127.0.0.0/8";

pub async fn test_app() -> TestApp {
    test_app_with(|_| {}).await
}

/// [`test_app`] with the account `1_CPF` open (limit 1000, email `a@b.co`).
pub async fn test_app_with_account() -> TestApp {
    let app = test_app().await;
    let body =
        serde_json::json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000})
            .to_string();
    let (status, answer) = app
        .send(
            Method::POST,
            "/api/creditcontrol/accounts",
            Some(&body),
            &app.admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    app
}

/// [`test_app`] with its state changed by `configure` (a strict store, other limits).
pub async fn test_app_with(configure: impl FnOnce(&mut AppState)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match std::env::var("CREDITDESK_TEST_POSTGRES_URL") {
        Ok(admin_url) => fresh_postgres_database(&admin_url).await,
        Err(_) => format!("sqlite://{}", dir.path().join("test.db").display()),
    };
    let db = Db::connect(&url, Synchronous::Full)
        .await
        .expect("connect test database");
    let mut state = AppState::new(db.clone());
    // The tests' webhook receivers listen on loopback, as a developer's do.
    state.destinations = std::sync::Arc::new(creditdesk_server::outbound::Destinations::new(
        LOOPBACK.parse().expect("a CIDR"),
    ));
    configure(&mut state);
    let clock = state.clock.clone();
    let router = creditdesk_server::app(state.clone(), dir.path());
    let mut app = TestApp {
        router,
        state,
        db,
        clock,
        admin: Creds::None,
        database_url: url,
        peer: std::net::SocketAddr::from(([127, 0, 0, 1], 40000)),
        _dir: dir,
    };
    app.admin = app.key(&[Resource::MainAccess]).await;
    app
}

/// Creates an empty database on the cluster and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("creditdesk_test_{}", rand_suffix());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    conn.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .expect("URL with a database");
    format!("{base}/{name}")
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestApp {
    /// A new key holding exactly these resources.
    pub async fn key(&self, resources: &[Resource]) -> Creds {
        let (key, token) = auth::generate_credentials();
        auth::store_key(&self.db, &key, &token, resources, "test", 0)
            .await
            .expect("store key");
        Creds::Key(key, token)
    }

    /// Sends a request with a raw body (or none) and returns the status and the JSON body
    /// (`Value::Null` when the body is empty).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        creds: &Creds,
    ) -> (StatusCode, Value) {
        let (status, _, json) = self.send_with(method, path, body, creds, &[]).await;
        (status, json)
    }

    /// [`TestApp::send`] with extra request headers, also returning the response headers.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        creds: &Creds,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Value) {
        let method_name = method.as_str().to_owned();
        let mut request = Request::builder().method(method).uri(path);
        if let Creds::Key(key, token) = creds {
            request = request
                .header("X-VTEX-API-AppKey", key)
                .header("X-VTEX-API-AppToken", token);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .extension(axum::extract::ConnectInfo(self.peer))
            .body(
                body.map(|b| Body::from(b.to_owned()))
                    .unwrap_or_else(Body::empty),
            )
            .unwrap();
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let csv = headers
            .get("content-type")
            .is_some_and(|t| t.as_bytes().starts_with(b"text/csv"));
        let json = if bytes.is_empty() {
            Value::Null
        } else if csv {
            // An export: its text, checked by the tests that ask for it.
            Value::String(String::from_utf8(bytes.to_vec()).expect("CSV is UTF-8"))
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{status}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        // Every 200 JSON body of a reference-spec route is held to the spec's schema (except
        // dry runs, our extension, which answer whether a hold would pass instead).
        if status == StatusCode::OK && !json.is_null() && !csv && !path.contains("dryRun=true") {
            let method = method_name.to_lowercase();
            if let Some(template) = schema::spec_route(&method, path) {
                schema::assert_matches_response_schema(&json, template, &method);
                checked_bodies().fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            // And to our own OpenAPI document, so its schemas say what the server writes.
            let ours = creditdesk_server::api::openapi::document();
            if let Some(template) = schema::route_in(ours, &method, path) {
                let response = &ours["paths"][template][&method]["responses"]["200"]["content"]
                    ["application/json"]["schema"];
                let found = schema::violations_in(ours, &json, response);
                assert!(
                    found.is_empty(),
                    "{method} {path} breaks our OpenAPI document: {found:?}\nbody: {json}"
                );
            }
        }
        (status, headers, json)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None, &self.admin).await
    }

    pub async fn put(&self, path: &str, body: &str) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body), &self.admin).await
    }
}

/// The accounts collection of the Customer Credit API.
#[allow(dead_code)]
pub const ACCOUNTS: &str = "/api/creditcontrol/accounts";

/// Calls every API test file makes (each binary uses some of them).
#[allow(dead_code)]
impl TestApp {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string());
        self.send(method, path, body.as_deref(), &self.admin).await
    }

    /// Calls and asserts 200 (the test client checks every 200 body against the schemas).
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, json) = self.call(method.clone(), path, body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {json}");
        json
    }

    /// Holds `value` on `account` in `installments` (settle = true) and settles it whole;
    /// returns the transaction id.
    pub async fn hold_and_settle(&self, account: &str, value: &str, installments: u16) -> String {
        let (status, hold) = self
            .hold(
                account,
                json!({"value": value, "settle": true, "installments": installments}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{hold}");
        let id = hold["id"].as_str().unwrap().to_owned();
        let path = format!("{ACCOUNTS}/{account}/transactions/{id}/settlement");
        self.ok(Method::PUT, &path, Some(json!({"value": value})))
            .await;
        id
    }

    pub async fn open_account(&self, document: &str, limit: &str) -> Value {
        let body = json!({"document": document, "documentType": "CPF", "email": format!("{document}@example.com"),
                          "creditLimit": limit, "description": "test", "tolerance": "0"});
        self.ok(Method::POST, ACCOUNTS, Some(body)).await
    }

    pub async fn hold(&self, account: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("{ACCOUNTS}/{account}/transactions"),
            Some(body),
        )
        .await
    }
}

/// How many 200 bodies were checked against the reference schema in this test binary.
pub fn checked_bodies() -> &'static std::sync::atomic::AtomicU32 {
    static CHECKED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    &CHECKED
}

/// The fields named in an error body, in order.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the body is the API's one error shape with this code.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error body: {body}"
    );
}

/// A request path for a route of the server's table, with placeholder ids filled in.
pub fn concrete_path(route: &creditdesk_server::api::RouteDoc) -> String {
    let id = "00000000000000000000000000000000";
    format!("/api{}", route.path)
        .replace("{id}", "1_CPF")
        .replace("{invoice}", &format!("{id}-01"))
        .replace("{transaction}", id)
        .replace("{holder}", id)
        .replace("{statement}", "s1")
        .replace("{key}", "k")
}

/// Pays all that is left of `invoice`, directly on a core `Book` (with fresh locators).
#[allow(dead_code)]
pub fn pay_all<'b>(
    book: &'b mut creditdesk_core::book::Book,
    invoice: &creditdesk_core::ids::InvoiceId,
    ctx: &creditdesk_core::book::Ctx,
) -> Result<&'b creditdesk_core::invoice::Invoice, creditdesk_core::CreditError> {
    book.pay(
        invoice,
        &creditdesk_core::commands::Pay::all(),
        &locators(),
        ctx,
    )
}

/// Fresh locators for a payment made by a test directly on a core `Book` (unique in the run).
#[allow(dead_code)]
pub fn locators() -> creditdesk_core::credit::PaymentLocators {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(2, Ordering::Relaxed);
    let locator = |n: u64| creditdesk_core::credit::CreditLocator::new(n, [7; 10]);
    creditdesk_core::credit::PaymentLocators {
        payment: locator(n),
        shortfall: locator(n + 1),
    }
}
