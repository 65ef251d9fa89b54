//! `GET`/`PUT /api/creditcontrol/storeconfig` through the real router over a real database.

mod common;

use axum::http::{Method, StatusCode};
use common::schema::{assert_matches_response_schema, response_schema, violations};
use common::{assert_error, error_fields, test_app, Creds};
use creditdesk_server::auth::Resource;
use serde_json::{json, Value};

const PATH: &str = "/api/creditcontrol/storeconfig";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn defaults_before_any_update_are_the_spec_example() {
    let app = test_app().await;
    let (status, body) = app.get(PATH).await;
    assert_eq!(status, StatusCode::OK);
    assert_matches_response_schema(&body, PATH, "get");
    let expected = parse(
        r#"{"dailyInterestRate":0,"invoicePostponementLimit":0,"taxRate":0,"maxPostponementDays":0,
            "defaultCreditValue":2000.00,"postponementEnabled":false,
            "automaticCheckingAccountCreationEnabled":false,"toleranceEnabled":false,
            "myCreditsEnabled":false,"maxPreAuthorizationGrowthRate":0,
            "notificationsSettings":{"daysPrior":[{"days":5,"timeOfDay":"12:00:00"},
              {"days":1,"timeOfDay":"12:00:00"},{"days":0,"timeOfDay":"12:00:00"}],
              "daysAfter":[{"days":3,"timeOfDay":"12:00:00"}]},
            "shortfallTolerance":0.00,"currency":"BRL","currencyCode":"BRL","interestGraceDays":0,"overdueBlockDays":null,
            "timeZone":"UTC","myCreditsUrl":null}"#,
    );
    assert_eq!(body, expected);
    let body = reference_fields(&body);
    // The same values as the reference spec's own GET example (numbers compared by value).
    let example = &common::schema::spec()["paths"][PATH]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"];
    assert_eq!(normalize(&body), normalize(example));
}

/// The configuration without Creditdesk's extension fields (what the reference's examples hold).
fn reference_fields(value: &Value) -> Value {
    let mut value = value.clone();
    for extension in [
        "shortfallTolerance",
        "currency",
        "currencyCode",
        "interestGraceDays",
        "overdueBlockDays",
        "timeZone",
        "myCreditsUrl",
    ] {
        value.as_object_mut().unwrap().remove(extension);
    }
    value
}

/// Numbers as exact decimals, so `2000.00` equals the spec's `2000.0`.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => {
            let d: rust_decimal::Decimal = n.to_string().parse().unwrap();
            Value::String(d.normalize().to_string())
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn full_update_as_the_spec_example_persists() {
    let app = test_app().await;
    let body = r#"{"dailyInterestRate":0.01,"invoicePostponementLimit":2,"taxRate":0.4,
        "maxPostponementDays":3,"defaultCreditValue":150.0,"maxPreAuthorizationGrowthRate":0.1,
        "myCreditsEnabled":true,"toleranceEnabled":true,"automaticCheckingAccountCreationEnabled":true,
        "postponementEnabled":true,"notificationsSettings":{"daysPrior":[{"days":1,"timeOfDay":"16:00:00"}],
        "daysAfter":[{"days":0,"timeOfDay":"12:00:00"}]}}"#;
    let (status, saved) = app.put(PATH, body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_matches_response_schema(&saved, PATH, "put");
    assert_eq!(
        normalize(&reference_fields(&saved)),
        normalize(&parse(body))
    );
    let (_, read) = app.get(PATH).await;
    assert_eq!(read, saved);
    assert_eq!(read["defaultCreditValue"].to_string(), "150.00");
}

#[tokio::test]
async fn partial_update_as_the_invoices_guide_keeps_other_fields() {
    let app = test_app().await;
    app.put(PATH, r#"{"taxRate": 0.4, "notificationsSettings": {"daysAfter": [{"days": 2, "timeOfDay": "09:30:00"}]}}"#).await;
    let (status, body) =
        app.put(PATH, r#"{"invoicePostponementLimit": 3, "maxPostponementDays": 30, "postponementEnabled": true}"#).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["invoicePostponementLimit"], json!(3));
    assert_eq!(body["maxPostponementDays"], json!(30));
    assert_eq!(body["postponementEnabled"], json!(true));
    assert_eq!(body["taxRate"].to_string(), "0.4");
    assert_eq!(
        body["notificationsSettings"]["daysAfter"],
        parse(r#"[{"days":2,"timeOfDay":"09:30:00"}]"#)
    );
    assert_eq!(
        body["notificationsSettings"]["daysPrior"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "daysPrior kept"
    );
}

#[tokio::test]
async fn numeric_strings_are_read_exactly() {
    let app = test_app().await;
    let (status, body) = app
        .put(
            PATH,
            r#"{"defaultCreditValue": "1100.1", "taxRate": "0.125"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["defaultCreditValue"].to_string(), "1100.10");
    assert_eq!(body["taxRate"].to_string(), "0.125");
}

/// Each invalid body is refused with 422 naming exactly these fields, and nothing is written.
#[tokio::test]
async fn invalid_updates_name_each_field_and_write_nothing() {
    let app = test_app().await;
    let (_, before) = app.get(PATH).await;
    let cases: &[(&str, &[&str])] = &[
        (r#"{"taxRate": 1.5}"#, &["taxRate"]),
        (r#"{"dailyInterestRate": -0.01}"#, &["dailyInterestRate"]),
        (
            r#"{"maxPreAuthorizationGrowthRate": 0.1234567}"#,
            &["maxPreAuthorizationGrowthRate"],
        ),
        (r#"{"defaultCreditValue": 10.005}"#, &["defaultCreditValue"]),
        (r#"{"defaultCreditValue": -1}"#, &["defaultCreditValue"]),
        (
            r#"{"defaultCreditValue": 0.30000000000000001}"#,
            &["defaultCreditValue"],
        ),
        (
            r#"{"invoicePostponementLimit": 2.5}"#,
            &["invoicePostponementLimit"],
        ),
        (r#"{"maxPostponementDays": 366}"#, &["maxPostponementDays"]),
        (
            r#"{"postponementEnabled": "yes"}"#,
            &["postponementEnabled"],
        ),
        (r#"{"taxRate": null}"#, &["taxRate"]),
        (
            r#"{"notificationsSettings": {"daysPrior": [{"days": 1, "timeOfDay": "24:00:00"}]}}"#,
            &["notificationsSettings.daysPrior[0].timeOfDay"],
        ),
        (
            r#"{"notificationsSettings": {"daysAfter": [{"days": -1, "timeOfDay": "12:00:00"}, {"timeOfDay": "1:00"}]}}"#,
            &[
                "notificationsSettings.daysAfter[0].days",
                "notificationsSettings.daysAfter[1].days",
                "notificationsSettings.daysAfter[1].timeOfDay",
            ],
        ),
        (
            r#"{"notificationsSettings": {"daysAfter": [{"days":1,"timeOfDay":"12:00:00"},{"days":1,"timeOfDay":"12:00:00"}]}}"#,
            &["notificationsSettings.daysAfter[1]"],
        ),
        (
            r#"{"postponementEnabled": true, "taxRate": 2, "maxPostponementDays": -3}"#,
            &["maxPostponementDays", "taxRate"],
        ),
        (r#"[1, 2]"#, &["body"]),
    ];
    for (body, fields) in cases {
        let (status, error) = app.put(PATH, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {error}"
        );
        assert_error(&error, "validation_failed");
        assert_eq!(error_fields(&error), *fields, "{body} -> {error}");
    }
    let too_many: Vec<Value> = (0..11)
        .map(|d| json!({"days": d, "timeOfDay": "12:00:00"}))
        .collect();
    let body = json!({"notificationsSettings": {"daysPrior": too_many}}).to_string();
    let (status, error) = app.put(PATH, &body).await;
    assert_eq!(
        (status, error_fields(&error)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["notificationsSettings.daysPrior".to_owned()]
        )
    );

    let (_, after) = app.get(PATH).await;
    assert_eq!(after, before, "a refused update changed the configuration");
}

#[tokio::test]
async fn malformed_bodies_are_400_with_the_same_error_shape() {
    let app = test_app().await;
    for body in [
        r#"{"taxRate": "#,
        "not json",
        "",
        r#"{"taxRate": 0.1} trailing"#,
    ] {
        let (status, error) = app.put(PATH, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?} -> {error}");
        assert_error(&error, "malformed_json");
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = test_app().await;
    let body = format!(r#"{{"taxRate": 0.1, "pad": "{}"}}"#, "x".repeat(70 * 1024));
    let (status, error) = app.put(PATH, &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&error, "payload_too_large");
}

#[tokio::test]
async fn credentials_are_required_and_resources_enforced() {
    let app = test_app().await;
    let reader = app.key(&[Resource::ReadConfiguration]).await;
    let editor = app.key(&[Resource::EditConfiguration]).await;
    let unrelated = app.key(&[Resource::ReadInvoices]).await;
    let wrong_token = match &app.admin {
        Creds::Key(key, _) => Creds::Key(key.clone(), "not-the-token".into()),
        Creds::None => unreachable!(),
    };
    let unknown_key = Creds::Key("creditdesk-nobody".into(), "whatever".into());
    let update = Some(r#"{"taxRate": 0.2}"#);
    let cases: &[(&Creds, Method, StatusCode, Option<&str>)] = &[
        (
            &Creds::None,
            Method::GET,
            StatusCode::UNAUTHORIZED,
            Some("unauthorized"),
        ),
        (
            &Creds::None,
            Method::PUT,
            StatusCode::UNAUTHORIZED,
            Some("unauthorized"),
        ),
        (
            &wrong_token,
            Method::GET,
            StatusCode::UNAUTHORIZED,
            Some("unauthorized"),
        ),
        (
            &unknown_key,
            Method::PUT,
            StatusCode::UNAUTHORIZED,
            Some("unauthorized"),
        ),
        (
            &unrelated,
            Method::GET,
            StatusCode::FORBIDDEN,
            Some("forbidden"),
        ),
        (
            &unrelated,
            Method::PUT,
            StatusCode::FORBIDDEN,
            Some("forbidden"),
        ),
        (&reader, Method::GET, StatusCode::OK, None),
        (
            &reader,
            Method::PUT,
            StatusCode::FORBIDDEN,
            Some("forbidden"),
        ),
        (
            &editor,
            Method::GET,
            StatusCode::FORBIDDEN,
            Some("forbidden"),
        ),
        (&editor, Method::PUT, StatusCode::OK, None),
        (&app.admin, Method::GET, StatusCode::OK, None),
        (&app.admin, Method::PUT, StatusCode::OK, None),
    ];
    for (creds, method, expect, code) in cases {
        let body = if *method == Method::PUT { update } else { None };
        let (status, json) = app.send(method.clone(), PATH, body, creds).await;
        assert_eq!(status, *expect, "{method} as {creds:?}: {json}");
        if let Some(code) = code {
            assert_error(&json, code);
        }
    }
    // Credentials are checked before the body is read: a bad body without them is still 401.
    let (status, _) = app.send(Method::PUT, PATH, Some("{"), &Creds::None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = test_app().await;
    let (status, body) = app.get("/api/creditcontrol/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, body) = app.send(Method::POST, PATH, Some("{}"), &app.admin).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed");
}

#[tokio::test]
async fn concurrent_partial_updates_all_land() {
    let app = test_app().await;
    let fields = [
        "postponementEnabled",
        "toleranceEnabled",
        "myCreditsEnabled",
        "automaticCheckingAccountCreationEnabled",
    ];
    let updates = fields.iter().map(|field| {
        let app = &app;
        async move { app.put(PATH, &json!({ *field: true }).to_string()).await }
    });
    for (status, body) in futures::future::join_all(updates).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, body) = app.get(PATH).await;
    for field in fields {
        assert_eq!(
            body[field],
            json!(true),
            "{field} lost by a concurrent update"
        );
    }
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = test_app().await;
    let (status, body) = app.send(Method::GET, "/healthz", None, &Creds::None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(
        body["commandsPerCommit"],
        json!([]),
        "no command yet: {body}"
    );
    assert_eq!(body["writersBusyMicros"], 0, "{body}");
    // One account opened: one commit of one command, and the writer's time counted.
    let open =
        json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 100})
            .to_string();
    let (status, _) = app
        .send(
            Method::POST,
            "/api/creditcontrol/accounts",
            Some(&open),
            &app.admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app.send(Method::GET, "/healthz", None, &Creds::None).await;
    assert_eq!(body["commandsPerCommit"], json!([[1, 1]]), "{body}");
    assert!(body["writersBusyMicros"].as_u64().unwrap() > 0, "{body}");
    assert!(["sqlite", "postgres"].contains(&body["database"].as_str().unwrap()));
}

#[test]
fn the_schema_validator_catches_what_it_checks() {
    let schema = json!({
        "type": "object", "required": ["a", "b"],
        "properties": { "a": { "type": "integer" }, "b": { "type": "array", "items": { "type": "string" } } }
    });
    assert!(violations(&json!({"a": 1, "b": ["x"]}), &schema).is_empty());
    assert_eq!(violations(&json!({"a": 1.5, "b": [1]}), &schema).len(), 2);
    assert_eq!(
        violations(&json!({"b": []}), &schema),
        vec!["$: required field a is missing"]
    );
    // And the real schema refuses a body missing a required field.
    let mut body =
        serde_json::to_value(creditdesk_core::store_config::StoreConfig::default()).unwrap();
    body.as_object_mut().unwrap().remove("taxRate");
    assert_eq!(
        violations(&body, response_schema(PATH, "get")),
        vec!["$: required field taxRate is missing"]
    );
}

#[tokio::test]
async fn me_tells_the_key_and_its_resources() {
    let app = test_app().await;
    let reader = app.key(&[Resource::ReadConfiguration]).await;
    let (status, body) = app
        .send(Method::GET, "/api/creditdesk/me", None, &reader)
        .await;
    assert_eq!(status, StatusCode::OK);
    let Creds::Key(key, _) = &reader else {
        unreachable!()
    };
    assert_eq!(
        body,
        json!({ "appKey": key, "resources": ["Read Configuration"] })
    );
    let (_, body) = app
        .send(Method::GET, "/api/creditdesk/me", None, &app.admin)
        .await;
    assert_eq!(
        body["resources"].as_array().unwrap().len(),
        Resource::ALL.len()
    );
    let (status, body) = app
        .send(Method::GET, "/api/creditdesk/me", None, &Creds::None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
}
