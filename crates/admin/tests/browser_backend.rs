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

/// Credits in the page: a partial payment, the invoice's credits, a reversal (once), a write-off.
#[wasm_bindgen_test]
async fn credits_in_the_page_are_the_engines() {
    browser::clear().unwrap();
    let send = |method, path: String, body: Option<Value>| async move {
        Backend::Browser.send(method, &path, body.as_ref()).await
    };
    let json = |text: String| -> Value { serde_json::from_str(&text).unwrap() };
    let account = "/api/creditcontrol/accounts/1_CPF";
    let open = json!({"document": "1", "documentType": "CPF", "email": "a@example.com", "creditLimit": 100});
    send(
        Method::Post,
        "/api/creditcontrol/accounts".into(),
        Some(open),
    )
    .await
    .unwrap();
    let hold = json!({"value": 50, "settle": true});
    send(
        Method::Put,
        format!("{account}/transactions/t1"),
        Some(hold),
    )
    .await
    .unwrap();
    let settle = Some(json!({"value": 50}));
    send(
        Method::Put,
        format!("{account}/transactions/t1/settlement"),
        settle,
    )
    .await
    .unwrap();
    let pay = format!("{account}/invoices/t1-01/payments");
    let paid = json(
        send(Method::Post, pay.clone(), Some(json!({"value": 20})))
            .await
            .unwrap(),
    );
    assert_eq!(
        (
            paid["status"].as_str(),
            paid["remainingValue"].to_string().as_str()
        ),
        (Some("Opened"), "30.00")
    );
    let too_much = send(Method::Post, pay, Some(json!({"value": 30.01}))).await;
    assert!(
        matches!(too_much, Err(AdminError::Refused(ref d)) if d.fields[0].field == "value"),
        "{too_much:?}"
    );

    let credits = "/api/creditdesk/accounts/1_CPF/invoices/t1-01/credits".to_owned();
    let list = json(send(Method::Get, credits.clone(), None).await.unwrap());
    assert_eq!(list["listCompleted"], json!(true));
    let locator = list["items"][0]["locator"].as_str().unwrap().to_owned();
    let reversal = format!("/api/creditdesk/credits/{locator}/reversal");
    let reason = Some(json!({"reason": "bounced"}));
    let reversed = json(
        send(Method::Post, reversal.clone(), reason.clone())
            .await
            .unwrap(),
    );
    assert_eq!(reversed["creditState"], json!("reversed"));
    let again = send(Method::Post, reversal, reason.clone()).await;
    assert!(
        matches!(again, Err(AdminError::Refused(ref d)) if d.reason.as_deref() == Some("credit_reversed")),
        "{again:?}"
    );
    let unknown = send(
        Method::Post,
        "/api/creditdesk/credits/01ARZ3NDEKTSV4RRFFQ69G5FAV/reversal".into(),
        reason.clone(),
    )
    .await;
    assert!(
        matches!(unknown, Err(AdminError::Refused(ref d)) if d.code == ErrorCode::NotFound),
        "{unknown:?}"
    );

    let write_off = "/api/creditdesk/accounts/1_CPF/invoices/t1-01/write-off".to_owned();
    let written = json(send(Method::Post, write_off, reason).await.unwrap());
    assert_eq!(
        (
            written["status"].as_str(),
            written["writtenOffValue"].to_string().as_str()
        ),
        (Some("Paid"), "50.00")
    );
    let list = json(send(Method::Get, credits, None).await.unwrap());
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // The billing-credits lists, on this browser's own tenant (kept across requests).
    let store = json(
        send(Method::Get, "/api/creditdesk/store".into(), None)
            .await
            .unwrap(),
    );
    let tenant = store["tenantLocator"].as_str().unwrap().to_owned();
    let again = json(
        send(Method::Get, "/api/creditdesk/store".into(), None)
            .await
            .unwrap(),
    );
    assert_eq!(
        again["tenantLocator"],
        json!(tenant),
        "one tenant per browser store"
    );
    let billing = format!("/api/billing/{tenant}");
    let all = json(
        send(Method::Get, format!("{billing}/credits/list?count=1"), None)
            .await
            .unwrap(),
    );
    assert_eq!(
        (
            all["items"].as_array().unwrap().len(),
            &all["listCompleted"]
        ),
        (1, &json!(false))
    );
    let posted = json(
        send(
            Method::Get,
            format!("{billing}/invoices/t1-01/credits/list"),
            None,
        )
        .await
        .unwrap(),
    );
    let with_reversed = json(
        send(
            Method::Get,
            format!("{billing}/invoices/t1-01/credits/list?includeReversed=true"),
            None,
        )
        .await
        .unwrap(),
    );
    let count = |list: &Value| list["items"].as_array().unwrap().len();
    assert_eq!((count(&posted), count(&with_reversed)), (1, 2));
    let shortfall = send(
        Method::Get,
        format!("{billing}/shortfallCredits/{locator}"),
        None,
    )
    .await;
    assert!(
        matches!(shortfall, Err(AdminError::Refused(ref d)) if d.code == ErrorCode::NotFound),
        "a payment is no shortfall credit: {shortfall:?}"
    );
    let other = send(
        Method::Get,
        "/api/billing/0f8fad5b-d9cb-469f-a165-70867728950e/credits/list".into(),
        None,
    )
    .await;
    assert!(
        matches!(other, Err(AdminError::Refused(ref d)) if d.code == ErrorCode::NotFound),
        "{other:?}"
    );
    let bad = send(Method::Get, format!("{billing}/credits/list?count=0"), None).await;
    assert!(
        matches!(bad, Err(AdminError::Refused(ref d)) if d.fields[0].field == "count"),
        "{bad:?}"
    );
}

/// CSV in the page: an account import previewed (nothing written) then applied, the history and
/// its error file, the exports, an edited invoice export imported back with a part payment made
/// once, a file refused whole.
#[wasm_bindgen_test]
async fn csv_imports_and_exports_in_the_page_are_cores() {
    use creditdesk_core::import::{ImportStatus, ImportView};
    browser::clear().unwrap();
    let csv = |method, path: String, body: Option<String>| async move {
        Backend::Browser
            .send_csv(method, &path, body.as_deref())
            .await
    };
    let job = |text: String| -> ImportView { serde_json::from_str(&text).unwrap() };
    let file = "document,documentType,email,creditLimit,notes\r\n\
                1,CPF,ana+store@example.com,100,x\r\n\
                2,CPF,not-an-email,10,\r\n\
                3,CNPJ,bruno_silva@example.com,50.5,\r\n"
        .to_owned();
    let path = "/api/creditdesk/imports/accounts?dryRun=true&fileName=buyers.csv";
    let preview = job(csv(Method::Post, path.into(), Some(file.clone()))
        .await
        .unwrap());
    assert_eq!(
        (
            preview.status,
            preview.dry_run,
            preview.rows_total,
            preview.rows_done,
            preview.rows_failed
        ),
        (ImportStatus::Completed, true, 3, 3, 1)
    );
    assert_eq!(
        (preview.errors[0].line, preview.errors[0].field.as_str()),
        (3, "email")
    );
    assert_eq!(preview.ignored_columns, ["notes"]);
    assert_eq!(preview.file_name, "buyers.csv");
    assert!(
        browser::load().unwrap().dump().books.is_empty(),
        "a preview writes nothing"
    );
    let applied = job(csv(
        Method::Post,
        "/api/creditdesk/imports/accounts".into(),
        Some(file),
    )
    .await
    .unwrap());
    assert_eq!(
        (applied.dry_run, applied.rows_failed, &applied.errors),
        (false, 1, &preview.errors)
    );
    assert_eq!(browser::load().unwrap().dump().books.len(), 2);

    // The history (newest first), one job, its error file.
    let history: Value = serde_json::from_str(
        &Backend::Browser
            .send(Method::Get, "/api/creditdesk/imports?from=1&to=20", None)
            .await
            .unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [applied.id.as_str(), preview.id.as_str()]);
    assert_eq!(history["range"]["total"], 2);
    let one = Backend::Browser
        .send(
            Method::Get,
            &format!("/api/creditdesk/imports/{}", applied.id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(job(one), applied);
    let errors = csv(
        Method::Get,
        format!("/api/creditdesk/imports/{}/errors.csv", applied.id),
        None,
    )
    .await
    .unwrap();
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 2, "{errors}");
    assert_eq!(lines[0], "line,field,message");
    assert!(lines[1].starts_with("3,email,"), "{errors}");
    let missing = csv(
        Method::Get,
        "/api/creditdesk/imports/imp_nope/errors.csv".into(),
        None,
    )
    .await;
    assert!(
        matches!(missing, Err(AdminError::Refused(ref d)) if d.code == ErrorCode::NotFound),
        "{missing:?}"
    );

    // Exports: the accounts, an account's invoices, edited and imported back.
    let accounts = csv(
        Method::Get,
        "/api/creditdesk/exports/accounts.csv".into(),
        None,
    )
    .await
    .unwrap();
    let lines: Vec<&str> = accounts.lines().collect();
    assert_eq!(lines.len(), 3, "{accounts}");
    assert!(
        lines[0].starts_with("id,document,documentType,email"),
        "{accounts}"
    );
    assert!(
        lines[1].starts_with("1_CPF,1,CPF,ana+store@example.com,"),
        "{accounts}"
    );
    let account = "/api/creditcontrol/accounts/1_CPF";
    let hold = json!({"value": 90, "settle": true, "installments": 2});
    Backend::Browser
        .send(
            Method::Put,
            &format!("{account}/transactions/t1"),
            Some(&hold),
        )
        .await
        .unwrap();
    Backend::Browser
        .send(
            Method::Put,
            &format!("{account}/transactions/t1/settlement"),
            Some(&json!({"value": 90})),
        )
        .await
        .unwrap();
    let export = csv(
        Method::Get,
        "/api/creditdesk/exports/invoices.csv?status=Opened".into(),
        None,
    )
    .await
    .unwrap();
    let mut rows: Vec<Vec<String>> = export
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 3, "{export}");
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (status, id) = (column("status"), column("id"));
    rows[1][status] = "Paid".into();
    for (at, row) in rows.iter_mut().enumerate() {
        let cells: [&str; 2] = if at == 0 {
            ["paymentValue", "paymentReference"]
        } else if at == 2 {
            ["10", "TED 1"]
        } else {
            ["", ""]
        };
        row.extend(cells.map(str::to_owned));
    }
    let edited: String = rows
        .iter()
        .map(|r| format!("{}\r\n", r.join(",")))
        .collect();
    let second = rows[2][id].clone();
    for _ in 0..2 {
        let done = job(csv(
            Method::Post,
            "/api/creditdesk/imports/invoices".into(),
            Some(edited.clone()),
        )
        .await
        .unwrap());
        assert_eq!(
            (done.rows_total, done.rows_failed),
            (2, 0),
            "{:?}",
            done.errors
        );
        assert!(done.ignored_columns.contains(&"friendlyId".to_owned()));
    }
    let list: Value = serde_json::from_str(
        &Backend::Browser
            .send(Method::Get, &format!("{account}/invoices"), None)
            .await
            .unwrap(),
    )
    .unwrap();
    let got: Vec<(String, String, String)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
                i["paidValue"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        got[1],
        (second, "Opened".to_owned(), "10.00".to_owned()),
        "paid once: {got:?}"
    );
    assert_eq!(got[0].1, "Paid");
    let statement = csv(
        Method::Get,
        "/api/creditdesk/accounts/1_CPF/statements.csv".into(),
        None,
    )
    .await
    .unwrap();
    assert!(
        statement.starts_with("date,kind,origin,value"),
        "{statement}"
    );
    assert!(statement.lines().count() > 2, "{statement}");

    // A file refused whole writes no job.
    let refused = csv(
        Method::Post,
        "/api/creditdesk/imports/accounts".into(),
        Some("document\r\n1\r\n".into()),
    )
    .await;
    assert!(
        matches!(refused, Err(AdminError::Refused(ref d)) if d.fields[0].field == "file"),
        "{refused:?}"
    );
    let history: Value = serde_json::from_str(
        &Backend::Browser
            .send(Method::Get, "/api/creditdesk/imports", None)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(history["range"]["total"], 4);
    browser::clear().unwrap();
    let history = Backend::Browser
        .send(Method::Get, "/api/creditdesk/imports", None)
        .await
        .unwrap();
    assert!(history.contains("\"total\":0"), "{history}");
}
