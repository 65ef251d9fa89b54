//! My Credits through the real app: a store's backend asks a one-time link for an email of the
//! account (its own or a holder's, in any case, with `+`, `_`, dots and non-ASCII letters); the
//! link opens a session that shows that account's invoices and nothing of another's (another
//! account's invoice: 404); a link works once and for its minutes; the token is kept only as
//! a hash; turning `myCreditsEnabled` off refuses links (409) and stops live sessions. On
//! SQLite, and PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL` is set.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::{error_fields, test_app, TestApp, ACCOUNTS};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// `GET path` as a browser would (with the session cookie, when there is one).
async fn browse(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let request = request
        .header(header::HOST, "credit.store.example")
        .extension(axum::extract::ConnectInfo(app.peer))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Asks a link for `email` on `account`.
async fn link(app: &TestApp, account: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/creditdesk/accounts/{account}/buyer-links");
    let host = [("host", "credit.store.example")];
    let (status, _, answer) = app
        .send_with(
            Method::POST,
            &path,
            Some(&body.to_string()),
            &app.admin,
            &host,
        )
        .await;
    (status, answer)
}

/// Opens the link: the session cookie (`name=value`).
async fn open(app: &TestApp, url: &str) -> String {
    let path = url
        .strip_prefix("http://credit.store.example")
        .expect("the request's address");
    let (status, headers, body) = browse(app, path, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], "/my-credits");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Path=/my-credits"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_owned()
}

async fn enable(app: &TestApp, on: bool) {
    app.ok(
        Method::PUT,
        "/api/creditcontrol/storeconfig",
        Some(json!({"myCreditsEnabled": on})),
    )
    .await;
}

async fn account(app: &TestApp, document: &str, email: &str) {
    let body =
        json!({"document": document, "documentType": "CPF", "email": email, "creditLimit": 1000});
    app.ok(Method::POST, ACCOUNTS, Some(body)).await;
}

/// The invoice ids of an account.
async fn invoice_ids(app: &TestApp, account: &str) -> Vec<String> {
    let list = app
        .ok(Method::GET, &format!("{ACCOUNTS}/{account}/invoices"), None)
        .await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_link_opens_its_account_once_and_nothing_of_another() {
    let app = test_app().await;
    enable(&app, true).await;
    account(&app, "1", "Ana.Silva+store_1@Example.COM").await;
    account(&app, "2", "bruno@example.com").await;
    app.hold_and_settle("1_CPF", "300", 3).await;
    app.hold_and_settle("2_CPF", "70", 1).await;
    let (ana, bruno) = (
        invoice_ids(&app, "1_CPF").await,
        invoice_ids(&app, "2_CPF").await,
    );
    let pay = json!({"status": "Opened", "paymentLink": "https://pay.example/ana-1"});
    app.call(
        Method::PUT,
        &format!("{ACCOUNTS}/1_CPF/invoices/{}", ana[0]),
        Some(pay),
    )
    .await;
    app.call(
        Method::POST,
        &format!("{ACCOUNTS}/1_CPF/invoices/{}/payments", ana[2]),
        None,
    )
    .await;

    let (status, answer) = link(
        &app,
        "1_CPF",
        json!({"email": "ana.silva+STORE_1@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let url = answer["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://credit.store.example/my-credits/sign-in?token="),
        "{url}"
    );
    let expires: creditdesk_core::Timestamp =
        answer["expiresAt"].as_str().unwrap().parse().unwrap();
    let minutes = (expires.unix_micros() - app.state.now().unix_micros()) / 60_000_000;
    assert_eq!(minutes, 14, "15 minutes from when it was asked");
    // Only the token's hash is kept.
    let token = url.rsplit('=').next().unwrap();
    let kept: Vec<(String,)> = app
        .db
        .pool()
        .fetch_all("SELECT token_sha256 FROM buyer_links", vec![])
        .await
        .unwrap();
    assert_eq!(kept, vec![(creditdesk_server::auth::hash_token(token),)]);

    let cookie = open(&app, &url).await;
    let (status, _, page) = browse(&app, "/my-credits", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for id in &ana {
        assert!(page.contains(id.as_str()), "{id} missing");
    }
    for id in &bruno {
        assert!(!page.contains(id.as_str()), "another account's {id} shown");
    }
    assert!(
        page.contains("href=\"https://pay.example/ana-1\""),
        "{page}"
    );
    assert_eq!(
        page.matches("class=\"pay\"").count(),
        1,
        "a Pay button where there is a link"
    );
    assert!(page.contains("id=\"paid-invoices\""));
    assert!(page.contains("Signed in as ana.silva+STORE_1@example.com"));
    let (status, _, _) = browse(
        &app,
        &format!("/my-credits/invoices/{}", ana[1]),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        format!("/my-credits/invoices/{}", bruno[0]),
        "/my-credits/invoices/nope".to_owned(),
    ] {
        let (status, _, _) = browse(&app, &path, Some(&cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // A link works once; no session, no page.
    let path = url.strip_prefix("http://credit.store.example").unwrap();
    assert_eq!(browse(&app, path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        browse(&app, "/my-credits", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        browse(&app, "/my-credits", Some("creditdesk_buyer=guess"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // The session ends after its hour.
    app.clock.advance_seconds(61 * 60);
    let (status, _, page) = browse(&app, "/my-credits", Some(&cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!page.contains("at the store</a>"), "{page}");
    // With the store's own My Credits page set, the expired page leads there.
    app.ok(
        Method::PUT,
        "/api/creditcontrol/storeconfig",
        Some(json!({"myCreditsUrl": "https://shop.example/credits?a=1&b=2"})),
    )
    .await;
    let (status, _, page) = browse(&app, "/my-credits", Some(&cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains(
            r#"href="https://shop.example/credits?a=1&amp;b=2">Open My Credits at the store</a>"#
        ),
        "{page}"
    );
}

#[tokio::test]
async fn holders_get_links_other_emails_do_not_and_links_expire() {
    let app = test_app().await;
    enable(&app, true).await;
    account(&app, "3", "owner@example.com").await;
    let holder = json!({"claims": {"email": "josé.müller_2@exämple.com"}});
    app.ok(
        Method::POST,
        &format!("{ACCOUNTS}/3_CPF/holders"),
        Some(holder),
    )
    .await;
    let (status, answer) = link(
        &app,
        "3_CPF",
        json!({"email": "JOSÉ.MÜLLER_2@EXÄMPLE.COM", "expiresInMinutes": 5}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let cookie = open(&app, answer["url"].as_str().unwrap()).await;
    assert_eq!(
        browse(&app, "/my-credits", Some(&cookie)).await.0,
        StatusCode::OK
    );

    for (body, field) in [
        (json!({"email": "someone@example.com"}), "email"),
        (json!({"email": "not an email"}), "email"),
        (
            json!({"email": "owner@example.com", "expiresInMinutes": 1441}),
            "expiresInMinutes",
        ),
        (
            json!({"email": "owner@example.com", "expiresInMinutes": 0}),
            "expiresInMinutes",
        ),
    ] {
        let (status, answer) = link(&app, "3_CPF", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_fields(&answer), [field], "{body}");
    }
    let (status, _) = link(&app, "9_CPF", json!({"email": "owner@example.com"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Past its minutes, a link opens nothing.
    let (_, answer) = link(&app, "3_CPF", json!({"email": "owner@example.com"})).await;
    app.clock.advance_seconds(15 * 60 + 1);
    let path = answer["url"]
        .as_str()
        .unwrap()
        .strip_prefix("http://credit.store.example")
        .unwrap()
        .to_owned();
    assert_eq!(browse(&app, &path, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn turning_my_credits_off_refuses_links_and_stops_sessions() {
    let app = test_app().await;
    account(&app, "4", "c@d.co").await;
    let (status, answer) = link(&app, "4_CPF", json!({"email": "c@d.co"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("myCreditsEnabled"),
        "{answer}"
    );
    enable(&app, true).await;
    let (_, answer) = link(&app, "4_CPF", json!({"email": "c@d.co"})).await;
    let cookie = open(&app, answer["url"].as_str().unwrap()).await;
    assert_eq!(
        browse(&app, "/my-credits", Some(&cookie)).await.0,
        StatusCode::OK
    );
    enable(&app, false).await;
    let (status, _, page) = browse(&app, "/my-credits", Some(&cookie)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("not available"));
    enable(&app, true).await;
    assert_eq!(
        browse(&app, "/my-credits", Some(&cookie)).await.0,
        StatusCode::OK
    );
    // Signing out ends the session.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/my-credits/sign-out")
        .header(header::COOKIE, &cookie)
        .extension(axum::extract::ConnectInfo(app.peer))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browse(&app, "/my-credits", Some(&cookie)).await.0,
        StatusCode::UNAUTHORIZED
    );
}
