//! "Use in this browser" answers the API's requests as the server does: a table of requests to
//! the engine in the page, each with the answer's start or the refusal's code, reason and field.
//! (That its stores' figures equal the server's SQL is `crates/server/tests/browser_parity.rs`.)

use creditdesk_admin::api::{AdminError, Method};
use creditdesk_admin::backend::{browser, Backend};
use creditdesk_core::ErrorCode;
use serde_json::{json, Value};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// What a request should get.
enum Expect {
    /// A 200 whose JSON text starts so.
    Answer(&'static str),
    /// A refusal: its code, then its reason or the field at fault (when it names one).
    Refused(ErrorCode, Option<&'static str>),
}

use Expect::{Answer, Refused};

fn cases() -> Vec<(Method, &'static str, Option<Value>, Expect)> {
    let open = json!({"document": "1", "documentType": "CPF", "email": "a@example.com", "creditLimit": 100});
    vec![
        (
            Method::Get,
            "/api/creditcontrol/accounts/1_CPF",
            None,
            Refused(ErrorCode::NotFound, Some("account_not_found")),
        ),
        (
            Method::Get,
            "/api/creditcontrol/accounts/not%20an%20id",
            None,
            Refused(ErrorCode::NotFound, None),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts",
            Some(open.clone()),
            Answer(r#"{"id":"1_CPF""#),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts",
            Some(open),
            Refused(ErrorCode::Conflict, Some("account_exists")),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts",
            Some(json!({"document": "2"})),
            Refused(ErrorCode::ValidationFailed, Some("documentType")),
        ),
        (
            Method::Get,
            "/api/creditdesk/accounts/1_CPF/holders",
            None,
            Answer(r#"{"data":[]}"#),
        ),
        (
            Method::Get,
            "/api/creditcontrol/accounts/1_CPF/holders",
            None,
            Refused(ErrorCode::NotFound, None),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts/1_CPF/transactions?dryRun=true",
            Some(json!({"value": 10})),
            Answer(r#"{"accepted":true"#),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts/1_CPF/transactions?dryRun=maybe",
            Some(json!({"value": 10})),
            Refused(ErrorCode::ValidationFailed, Some("dryRun")),
        ),
        (
            Method::Post,
            "/api/creditcontrol/accounts/1_CPF/transactions",
            Some(json!({"value": 101})),
            Refused(ErrorCode::Conflict, Some("insufficient_credit")),
        ),
        (
            Method::Get,
            "/api/creditdesk/accounts/1_CPF/transactions",
            None,
            Answer(r#"{"data":[]}"#),
        ),
        (
            Method::Delete,
            "/api/creditcontrol/accounts/1_CPF/transactions/zzz",
            None,
            Refused(ErrorCode::NotFound, None),
        ),
        (
            Method::Put,
            "/api/creditcontrol/storeconfig",
            Some(json!({"taxRate": 2})),
            Refused(ErrorCode::ValidationFailed, Some("taxRate")),
        ),
        (
            Method::Get,
            "/api/creditcontrol/invoices?nope=1",
            None,
            Refused(ErrorCode::ValidationFailed, Some("nope")),
        ),
        (
            Method::Get,
            "/api/creditcontrol/invoices",
            None,
            Answer(r#"{"data":[],"summary":{"#),
        ),
        (
            Method::Post,
            "/api/creditdesk/keys",
            Some(json!({"label": "x", "resources": ["Main Access"]})),
            Refused(ErrorCode::Conflict, None),
        ),
        (
            Method::Get,
            "/api/creditdesk/me",
            None,
            Answer(r#"{"appKey":"browser""#),
        ),
        (
            Method::Get,
            "/api/elsewhere",
            None,
            Refused(ErrorCode::NotFound, None),
        ),
    ]
}

#[wasm_bindgen_test]
async fn the_engine_in_the_page_answers_as_the_api_does() {
    browser::clear().unwrap();
    for (method, path, body, expect) in cases() {
        let got = Backend::Browser.send(method, path, body.as_ref()).await;
        match (got, expect) {
            (Ok(text), Answer(start)) => assert!(text.starts_with(start), "{path}: {text}"),
            (Err(AdminError::Refused(detail)), Refused(code, named)) => {
                assert_eq!(detail.code, code, "{path}: {detail:?}");
                let field = detail.fields.first().map(|f| f.field.as_str());
                if let Some(named) = named {
                    assert!(
                        detail.reason.as_deref() == Some(named) || field == Some(named),
                        "{path}: {detail:?} should name {named}"
                    );
                }
            }
            (got, _) => panic!("{path}: unexpected {got:?}"),
        }
    }
    // Nothing refused was kept; what was accepted is in the browser's store.
    let stored = browser::load().unwrap().dump();
    assert_eq!(stored.books.len(), 1);
    assert!(
        stored.books[0].transactions.is_empty(),
        "a dry run holds nothing"
    );
}
