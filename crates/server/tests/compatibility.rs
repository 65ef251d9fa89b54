//! What existing integrations send (issue 10): whole objects posted back, empty strings, bare
//! bodies, stores' own document types, the earlier reference's paths, client-chosen transaction
//! ids, account search by document. A table of steps, each a request as an old or loose client
//! sends it and what it must answer; run in order on one store, on the test's engine.

mod common;

use axum::http::{Method, StatusCode};
use common::{error_fields, test_app, test_app_with, TestApp};
use creditdesk_server::api::unknown_fields::UnknownFields;
use serde_json::Value;

const A: &str = "/api/creditcontrol/accounts";

/// One request and what must come back: the status, values at JSON pointers (as JSON text),
/// and the `Creditdesk-Ignored-Fields` header.
struct Step {
    what: &'static str,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    status: u16,
    expect: &'static [(&'static str, &'static str)],
    ignored: Option<&'static str>,
}

const fn step(
    what: &'static str,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    status: u16,
    expect: &'static [(&'static str, &'static str)],
) -> Step {
    Step {
        what,
        method,
        path,
        body,
        status,
        expect,
        ignored: None,
    }
}

fn steps() -> Vec<Step> {
    use Method as M;
    vec![
        Step {
            ignored: Some("availableCredit, balance, createdAt, id, status"),
            ..step(
                "an open-account body with the whole account object posted back",
                M::POST,
                A,
                Some(
                    r#"{"id": "4337660521_CPF", "document": "4337660521", "documentType": "cpf", "email": "erp@shop.co",
                    "creditLimit": "3000", "status": "Open", "balance": 0, "availableCredit": 3000,
                    "createdAt": "2024-01-01T00:00:00Z"}"#,
                ),
                200,
                &[("/id", r#""4337660521_CPF""#), ("/creditLimit", "3000.00")],
            )
        },
        step(
            "a store's own document type, as before the reference had a list",
            M::POST,
            A,
            Some(
                r#"{"document": "4337660521", "documentType": "mercolanta", "email": "b@shop.co", "creditLimit": 500}"#,
            ),
            200,
            &[
                ("/id", r#""4337660521_mercolanta""#),
                ("/documentType", r#""mercolanta""#),
            ],
        ),
        step(
            "found by its id",
            M::GET,
            "/api/creditcontrol/accounts/4337660521_mercolanta",
            None,
            200,
            &[("/email", r#""b@shop.co""#)],
        ),
        step(
            "account search by document finds both types",
            M::GET,
            "/api/creditcontrol/accounts?document=4337660521",
            None,
            200,
            &[
                ("/data/0/id", r#""4337660521_CPF""#),
                ("/data/1/id", r#""4337660521_mercolanta""#),
                ("/summary/count", "2"),
            ],
        ),
        step(
            "op=or on account search",
            M::GET,
            "/api/creditcontrol/accounts?document=4337660521&email=nobody@shop.co&op=or",
            None,
            200,
            &[("/summary/count", "2")],
        ),
        step(
            "op=and (the default) on account search",
            M::GET,
            "/api/creditcontrol/accounts?document=4337660521&email=b@shop.co",
            None,
            200,
            &[("/summary/count", "1")],
        ),
        Step {
            ignored: Some("id"),
            ..step(
                "an update without documentType (the id has it), with the id in the body",
                M::PUT,
                "/api/creditcontrol/accounts/4337660521_CPF",
                Some(
                    r#"{"email": "erp2@shop.co", "creditLimit": 2500, "document": "4337660521", "id": "4337660521_CPF"}"#,
                ),
                200,
                &[("/email", r#""erp2@shop.co""#), ("/creditLimit", "2500.00")],
            )
        },
        step(
            "an update with only email and description",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF",
            Some(r#"{"email": "erp3@shop.co", "description": "synced"}"#),
            200,
            &[
                ("/email", r#""erp3@shop.co""#),
                ("/description", r#""synced""#),
                ("/creditLimit", "2500.00"),
            ],
        ),
        step(
            "a pre-authorization with only a value: not settling, 1 installment",
            M::POST,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions",
            Some(r#"{"value": 100}"#),
            200,
            &[("/value", "100.00"), ("/installments", "1")],
        ),
        step(
            "the earlier reference's path, values as strings",
            M::POST,
            "/api/creditcontrol/accounts/4337660521_CPF/transaction",
            Some(r#"{"value": "490.0", "settle": false, "installments": "1"}"#),
            200,
            &[("/value", "490.00")],
        ),
        step(
            "a hold with an id the client chose is created (the earlier reference's PUT)",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order-42",
            Some(
                r#"{"value": "20.0", "settle": true, "installments": "2", "expirationDate": "2999-01-01"}"#,
            ),
            422,
            &[],
        ),
        step(
            "… within the allowed expiration",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order-42",
            Some(r#"{"value": "20.0", "settle": true, "installments": "2"}"#),
            200,
            &[
                ("/id", r#""order-42""#),
                ("/value", "20.00"),
                ("/installments", "2"),
            ],
        ),
        step(
            "the same PUT again changes nothing (a natural idempotent create)",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order-42",
            Some(r#"{"value": "20.0", "settle": true, "installments": "2"}"#),
            200,
            &[("/value", "20.00")],
        ),
        step(
            "holds so far: 100 + 490 + 20",
            M::GET,
            "/api/creditcontrol/accounts/4337660521_CPF",
            None,
            200,
            &[("/preAuthorizedCredit", "610.00")],
        ),
        step(
            "an update of that hold keeps what it leaves out",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order-42",
            Some(r#"{"value": 16}"#),
            200,
            &[("/value", "16.00"), ("/installments", "2")],
        ),
        step(
            "it settles into invoices named after it",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order-42/settlement",
            Some(r#"{"value": 16}"#),
            200,
            &[("/id", r#""order-42""#)],
        ),
        step(
            "its invoices",
            M::GET,
            "/api/creditcontrol/accounts/4337660521_CPF/invoices/order-42-02",
            None,
            200,
            &[("/value", "8.00"), ("/status", r#""Opened""#)],
        ),
        step(
            "ids are per account: another account may use the same one",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_mercolanta/transactions/order-42",
            Some(r#"{"value": 5}"#),
            200,
            &[("/id", r#""order-42""#), ("/value", "5.00")],
        ),
        step(
            "… and the first account's transaction is untouched",
            M::GET,
            "/api/creditcontrol/accounts/4337660521_CPF/invoices/order-42-01",
            None,
            200,
            &[("/value", "8.00")],
        ),
        step(
            "empty paymentLink and observation mean none",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/invoices/order-42-01",
            Some(r#"{"status": "Opened", "paymentLink": "", "observation": ""}"#),
            200,
            &[],
        ),
        step(
            "a wrong value is still refused, naming its field",
            M::POST,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions",
            Some(r#"{"value": "12,50", "installments": 1, "color": "red"}"#),
            422,
            &[("/error/fields/0/field", r#""value""#)],
        ),
        step(
            "an id with unsafe characters cannot exist: 404, nothing created",
            M::PUT,
            "/api/creditcontrol/accounts/4337660521_CPF/transactions/order%2042",
            Some(r#"{"value": 1}"#),
            404,
            &[],
        ),
        step(
            "a program probing a path that is not the API gets the JSON 404",
            M::GET,
            "/_v/customer-credit/accounts?document=4337660521",
            None,
            404,
            &[("/error/code", r#""not_found""#)],
        ),
    ]
}

async fn run(app: &TestApp, step: &Step) {
    let (status, headers, body) = app
        .send_with(step.method.clone(), step.path, step.body, &app.admin, &[])
        .await;
    let what = step.what;
    assert_eq!(status.as_u16(), step.status, "{what}: {body}");
    for (pointer, want) in step.expect {
        let got = body.pointer(pointer).map(Value::to_string);
        assert_eq!(got.as_deref(), Some(*want), "{what}: {pointer} in {body}");
    }
    let ignored = headers
        .get("creditdesk-ignored-fields")
        .map(|v| v.to_str().unwrap());
    if let Some(want) = step.ignored {
        assert_eq!(ignored, Some(want), "{what}");
    } else if status == StatusCode::OK {
        assert_eq!(ignored, None, "{what}");
    }
}

#[tokio::test]
async fn what_existing_integrations_send_works() {
    let app = test_app().await;
    for step in steps() {
        run(&app, &step).await;
    }
    // The empty strings left the invoice as it was.
    let (_, invoice) = app
        .get("/api/creditcontrol/accounts/4337660521_CPF/invoices/order-42-01")
        .await;
    assert_eq!(invoice["paymentLink"], Value::Null, "{invoice}");
}

#[tokio::test]
async fn a_strict_store_refuses_unknown_fields() {
    let app = test_app_with(|state| state.unknown_fields = UnknownFields::Refuse).await;
    let body = r#"{"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1, "colour": "red"}"#;
    let (status, answer) = app.send(Method::POST, A, Some(body), &app.admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_fields(&answer), ["colour"]);
    let (status, _) = app.get(&format!("{A}/1_CPF")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
}

/// With the admin built, its `index.html` answers browser navigations only; a program probing a
/// path gets the API's JSON 404, never a page it would take for an answer.
#[tokio::test]
async fn the_admin_page_answers_navigations_only() {
    use axum::body::Body;
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><body>admin</body></html>",
    )
    .unwrap();
    let app = test_app().await;
    let router =
        creditdesk_server::app(creditdesk_server::AppState::new(app.db.clone()), dir.path());
    let cases = [
        (Method::GET, Some("text/html,application/xhtml+xml"), 200),
        (Method::GET, Some("application/json"), 404),
        (Method::GET, None, 404),
        (Method::POST, Some("text/html"), 404),
    ];
    for (method, accept, status) in cases {
        let mut request = axum::http::Request::builder()
            .method(method.clone())
            .uri("/_v/customer-credit/accounts?document=4337660521");
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {accept:?}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let expect = if status == 200 {
            "text/html"
        } else {
            "application/json"
        };
        assert!(kind.starts_with(expect), "{method} {accept:?}: {kind}");
    }
}
