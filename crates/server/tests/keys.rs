//! `/api/creditdesk/keys`: create (token shown once), use, list, revoke.

mod common;

use axum::http::{Method, StatusCode};
use common::{assert_error, error_fields, test_app, Creds};
use creditdesk_server::auth::Resource;
use serde_json::{json, Value};

const KEYS: &str = "/api/creditdesk/keys";

#[tokio::test]
async fn keys_are_created_used_listed_and_revoked() {
    let app = test_app().await;
    let body =
        json!({"label": "checkout", "resources": ["Create Statements", "Read Checking Accounts"]})
            .to_string();
    let (status, created) = app.send(Method::POST, KEYS, Some(&body), &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created["resources"],
        json!(["Create Statements", "Read Checking Accounts"])
    );
    let key = Creds::Key(
        created["appKey"].as_str().unwrap().into(),
        created["appToken"].as_str().unwrap().into(),
    );

    let (status, _) = app
        .send(Method::GET, "/api/creditcontrol/accounts", None, &key)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the new key works for its resources"
    );
    let (status, _) = app
        .send(Method::GET, "/api/creditcontrol/storeconfig", None, &key)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "and only those");
    let (status, _) = app.send(Method::GET, KEYS, None, &key).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "managing keys needs Main Access"
    );

    let (_, list) = app.send(Method::GET, KEYS, None, &app.admin).await;
    let listed: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["appKey"] == created["appKey"])
        .collect();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].get("appToken").is_none(),
        "tokens are never listed"
    );
    assert!(!list
        .to_string()
        .contains(created["appToken"].as_str().unwrap()));

    let path = format!("{KEYS}/{}", created["appKey"].as_str().unwrap());
    let (status, _) = app.send(Method::DELETE, &path, None, &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .send(Method::GET, "/api/creditcontrol/accounts", None, &key)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked key is refused: {body}"
    );
    let (status, _) = app.send(Method::DELETE, &path, None, &app.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.send(Method::GET, KEYS, None, &app.admin).await;
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["appKey"] == created["appKey"] && k["revokedAt"].is_string()));

    let Creds::Key(own, _) = &app.admin else {
        unreachable!()
    };
    let (status, body) = app
        .send(Method::DELETE, &format!("{KEYS}/{own}"), None, &app.admin)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn new_keys_are_validated() {
    let app = test_app().await;
    let cases: &[(Value, &[&str])] = &[
        (
            json!({"label": "", "resources": ["Read Invoices"]}),
            &["label"],
        ),
        (json!({"label": "x", "resources": []}), &["resources"]),
        (
            json!({"label": "x", "resources": ["Everything"]}),
            &["resources"],
        ),
        (json!({"label": "x"}), &["resources"]),
        (
            json!({"label": "x\u{7}", "resources": ["Read Invoices"], "admin": true}),
            &["label"],
        ),
    ];
    for (body, fields) in cases {
        let (status, error) = app
            .send(Method::POST, KEYS, Some(&body.to_string()), &app.admin)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_error(&error, "validation_failed");
        assert_eq!(error_fields(&error), *fields, "{body}");
    }
    let reader = app.key(&[Resource::ReadInvoices]).await;
    let (status, _) = app
        .send(
            Method::POST,
            KEYS,
            Some(r#"{"label":"x","resources":["Main Access"]}"#),
            &reader,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a limited key cannot mint a stronger one"
    );
}
