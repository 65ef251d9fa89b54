//! `Idempotency-Key`: a retry gets the first reply without a second effect.

mod common;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use common::{error_fields, test_app_with_account, Creds, TestApp};
use serde_json::Value;

const HOLDS: &str = "/api/creditcontrol/accounts/1_CPF/transactions";

async fn held(app: &TestApp) -> Value {
    let (_, account) = app
        .send(
            Method::GET,
            "/api/creditcontrol/accounts/1_CPF",
            None,
            &app.admin,
        )
        .await;
    account["preAuthorizedCredit"].clone()
}

#[tokio::test]
async fn a_retry_gets_the_same_reply_without_a_second_effect() {
    let app = test_app_with_account().await;
    let body = r#"{"value": 100, "settle": true, "installments": 1}"#;
    let key = [("Idempotency-Key", "order-1001")];
    let (status, headers, first) = app
        .send_with(Method::POST, HOLDS, Some(body), &app.admin, &key)
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, headers, again) = app
        .send_with(Method::POST, HOLDS, Some(body), &app.admin, &key)
        .await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &first),
        "the same hold id, not a new hold"
    );
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(held(&app).await.to_string(), "100.00");

    // The same key with another request is refused.
    let (status, _, error) = app
        .send_with(
            Method::POST,
            HOLDS,
            Some(r#"{"value": 200, "settle": true, "installments": 1}"#),
            &app.admin,
            &key,
        )
        .await;
    assert_eq!(
        (status, error_fields(&error)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["Idempotency-Key".to_owned()]
        )
    );

    // Another key, another effect; without a key, as always.
    app.send_with(
        Method::POST,
        HOLDS,
        Some(body),
        &app.admin,
        &[("Idempotency-Key", "order-1002")],
    )
    .await;
    assert_eq!(held(&app).await.to_string(), "200.00");

    // Keys belong to the app key that used them.
    let other = app
        .key(&[creditdesk_server::auth::Resource::MainAccess])
        .await;
    let (status, headers, _) = app
        .send_with(Method::POST, HOLDS, Some(body), &other, &key)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("idempotent-replayed").is_none());
    assert_eq!(held(&app).await.to_string(), "300.00");
}

#[tokio::test]
async fn refusals_are_kept_but_credential_failures_are_not() {
    let app = test_app_with_account().await;
    let too_much = r#"{"value": 5000, "settle": true, "installments": 1}"#;
    let key = [("Idempotency-Key", "big-order")];
    let (status, _, first) = app
        .send_with(Method::POST, HOLDS, Some(too_much), &app.admin, &key)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, headers, again) = app
        .send_with(Method::POST, HOLDS, Some(too_much), &app.admin, &key)
        .await;
    assert_eq!((status, again), (StatusCode::CONFLICT, first));
    assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");

    let wrong = match &app.admin {
        Creds::Key(k, _) => Creds::Key(k.clone(), "wrong".into()),
        Creds::None => unreachable!(),
    };
    let body = r#"{"value": 10, "settle": true, "installments": 1}"#;
    let key = [("Idempotency-Key", "retry-after-401")];
    let (status, _, _) = app
        .send_with(Method::POST, HOLDS, Some(body), &wrong, &key)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = app
        .send_with(Method::POST, HOLDS, Some(body), &app.admin, &key)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers.get("idempotent-replayed").is_none(),
        "the 401 was not kept"
    );

    for bad in ["", "with space", &"x".repeat(256)] {
        let (status, _, error) = app
            .send_with(
                Method::POST,
                HOLDS,
                Some(body),
                &app.admin,
                &[("Idempotency-Key", bad)],
            )
            .await;
        assert_eq!(
            (status, error_fields(&error)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["Idempotency-Key".to_owned()]
            ),
            "{bad:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_copies_run_once() {
    let app = Arc::new(test_app_with_account().await);
    let body = r#"{"value": 100, "settle": true, "installments": 1}"#;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.send_with(
                Method::POST,
                HOLDS,
                Some(body),
                &app.admin,
                &[("Idempotency-Key", "double-click")],
            )
            .await
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let (status, _, json) = task.await.unwrap();
        match status {
            StatusCode::OK => ids.push(json["id"].clone()),
            StatusCode::CONFLICT => assert_eq!(json["error"]["code"], "conflict", "{json}"),
            other => panic!("{other}: {json}"),
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every success is the same hold: {ids:?}");
    assert_eq!(held(&app).await.to_string(), "100.00");
}
