//! The Customer Credit API end to end through the real router over a real database (SQLite
//! file, or PostgreSQL with CREDITDESK_TEST_POSTGRES_URL): every endpoint's success checked
//! against the reference schema, its refusals, and ids of other accounts.

mod common;

use axum::http::{Method, StatusCode};
use common::{assert_error, error_fields, test_app, Creds, ACCOUNTS};
use serde_json::{json, Value};

const SPEC_ACCOUNT: &str = "/api/creditcontrol/accounts/{creditAccountId}";

/// An ISO 8601 instant `days` from now.
fn in_days(days: u32) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    creditdesk_core::Timestamp::from_unix_micros(now)
        .unwrap()
        .plus_days(days)
        .unwrap()
        .to_string()
}

fn num(value: &Value) -> String {
    value
        .as_number()
        .map(|n| n.to_string())
        .unwrap_or_else(|| format!("not a number: {value}"))
}

#[tokio::test]
async fn accounts_open_read_update_and_close() {
    let app = test_app().await;
    let opened = app.open_account("11111111111", "1100").await;
    assert_eq!(opened["id"], "11111111111_CPF");
    assert_eq!(num(&opened["creditLimit"]), "1100.00");
    assert_eq!(num(&opened["availableCredit"]), "1100.00");
    assert_eq!(opened["status"], "Open");

    let (status, body) = app
        .call(
            Method::POST,
            ACCOUNTS,
            Some(json!({"document": "11111111111", "documentType": "CPF",
        "email": "x@example.com", "creditLimit": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["reason"], "account_exists");

    let (status, body) = app
        .call(
            Method::POST,
            ACCOUNTS,
            Some(json!({"document": "1_2", "documentType": "RG",
        "email": "nope", "creditLimit": -1, "colour": "red"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        // `colour` is ignored; `RG` is a document type of the store's own.
        ["document", "email", "creditLimit"]
    );

    let read = app
        .ok(Method::GET, &format!("{ACCOUNTS}/11111111111_CPF"), None)
        .await;
    assert_eq!(read, opened);

    let path = format!("{ACCOUNTS}/11111111111_CPF");
    let updated = app
        .ok(
            Method::PUT,
            &path,
            Some(json!({"email": "new@example.com",
        "document": "11111111111", "documentType": "CPF", "creditLimit": 500, "tolerance": 0.1})),
        )
        .await;
    assert_eq!(updated["email"], "new@example.com");
    assert_eq!(num(&updated["creditLimit"]), "500.00");
    assert_eq!(num(&updated["tolerance"]), "0.1");

    let (status, body) = app
        .call(
            Method::PUT,
            &path,
            Some(json!({"email": "a@b.co", "document": "2", "documentType": "CPF"})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["document".to_owned()]
        )
    );

    let upserted = app
        .ok(
            Method::PUT,
            &format!("{ACCOUNTS}/222_CNPJ"),
            Some(json!({"email": "c@example.com",
        "document": "222", "documentType": "CNPJ"})),
        )
        .await;
    assert_eq!(num(&upserted["creditLimit"]), "0.00");

    let limit = app
        .ok(
            Method::PUT,
            &format!("{path}/creditlimit"),
            Some(json!({"value": 2000, "reason": "good payer"})),
        )
        .await;
    assert_eq!(num(&limit["creditLimit"]), "2000.00");
    let tolerance = app
        .ok(
            Method::PUT,
            &format!("{path}/tolerance"),
            Some(json!({"value": 0.2})),
        )
        .await;
    assert_eq!(num(&tolerance["tolerance"]), "0.2");

    let closed = app.ok(Method::DELETE, &path, None).await;
    assert_eq!(closed["status"], "Closed");
    let (status, body) = app
        .hold(
            "11111111111_CPF",
            json!({"value": 1, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["reason"], "account_closed");
    let reopened = app
        .ok(
            Method::PUT,
            &path,
            Some(json!({"email": "new@example.com",
        "document": "11111111111", "documentType": "CPF"})),
        )
        .await;
    assert_eq!(reopened["status"], "Open");

    let list = app.ok(Method::GET, ACCOUNTS, None).await;
    assert_eq!(list["summary"]["count"], 2);
    let list = app
        .ok(
            Method::GET,
            &format!("{ACCOUNTS}?email=NEW@example.com"),
            None,
        )
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let list = app
        .ok(Method::GET, &format!("{ACCOUNTS}?from=2&to=2"), None)
        .await;
    assert_eq!(list["data"][0]["id"], "222_CNPJ");
    let (status, body) = app
        .call(Method::GET, &format!("{ACCOUNTS}?from=0&status=Late"), None)
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["status".to_owned(), "from".to_owned()]
        )
    );

    for missing in ["999_CPF", "not-an-account"] {
        let (status, body) = app
            .call(Method::GET, &format!("{ACCOUNTS}/{missing}"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_error(&body, "not_found");
    }
}

#[tokio::test]
async fn holds_settlements_invoices_and_statements() {
    let app = test_app().await;
    app.put(
        "/api/creditcontrol/storeconfig",
        r#"{"maxPreAuthorizationGrowthRate": 0.1}"#,
    )
    .await;
    app.open_account("1", "1000").await;
    let account = format!("{ACCOUNTS}/1_CPF");

    let (status, hold) = app
        .hold(
            "1_CPF",
            json!({"value": 300, "settle": true, "installments": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    let id = hold["id"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let read = app.ok(Method::GET, &account, None).await;
    assert_eq!(
        (
            num(&read["preAuthorizedCredit"]),
            num(&read["availableCredit"])
        ),
        ("300.00".into(), "700.00".into())
    );

    let (status, body) = app
        .hold(
            "1_CPF",
            json!({"value": 700.01, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["reason"], "insufficient_credit");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("700.00 available"),
        "{body}"
    );

    let tx = format!("{account}/transactions/{id}");
    let updated = app
        .ok(
            Method::PUT,
            &tx,
            Some(json!({"value": 330, "settle": true, "installments": 3})),
        )
        .await;
    assert_eq!(num(&updated["value"]), "330.00");
    let (status, body) = app.call(Method::DELETE, &tx, None).await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("not_cancellable"))
    );

    let settled = app
        .ok(
            Method::PUT,
            &format!("{tx}/settlement"),
            Some(json!({"value": 330})),
        )
        .await;
    assert_eq!(settled["id"], id);
    let again = app
        .ok(
            Method::PUT,
            &format!("{tx}/settlement"),
            Some(json!({"value": 330})),
        )
        .await;
    assert_eq!(again, settled, "the same settlement twice changes nothing");

    let invoices = app
        .ok(Method::GET, &format!("{account}/invoices"), None)
        .await;
    let data = invoices["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let values: Vec<String> = data.iter().map(|i| num(&i["value"])).collect();
    assert_eq!(values, ["110.00", "110.00", "110.00"]);
    assert_eq!(num(&invoices["summary"]["total"]), "330.00");
    for (n, invoice) in data.iter().enumerate() {
        assert_eq!(invoice["id"], format!("{id}-0{}", n + 1));
        assert_eq!(invoice["installment"], n + 1);
        assert_eq!(invoice["dueDate"], invoice["originalDueDate"]);
        assert!(invoice["friendlyId"]
            .as_str()
            .unwrap()
            .ends_with(&format!("-{}", n + 1)));
    }
    let first = format!("{account}/invoices/{id}-01");
    let paid = app
        .ok(Method::POST, &format!("{first}/payments"), None)
        .await;
    assert_eq!(paid["status"], "Paid");
    let (status, body) = app
        .call(Method::POST, &format!("{first}/payments"), None)
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("invoice_status"))
    );
    let (status, _) = app.call(Method::DELETE, &first, None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a paid invoice cannot be cancelled"
    );

    let third = format!("{account}/invoices/{id}-03");
    let (status, body) = app
        .call(
            Method::PUT,
            &third,
            Some(json!({"status": "Opened", "observation": "call on Monday",
        "paymentLink": "https://pay.example.com/3"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, Value::Null),
        "empty 200 as the spec"
    );
    let read = app.ok(Method::GET, &third, None).await;
    assert_eq!(
        (read["observation"].clone(), read["paymentLink"].clone()),
        (json!("call on Monday"), json!("https://pay.example.com/3"))
    );
    let (status, _) = app.call(Method::DELETE, &third, None).await;
    assert_eq!(status, StatusCode::OK);

    let refunded = app
        .ok(
            Method::POST,
            &format!("{tx}/refunds"),
            Some(json!({"value": 10})),
        )
        .await;
    assert_eq!(num(&refunded["value"]), "10.00");
    let (status, body) = app
        .call(
            Method::POST,
            &format!("{tx}/refunds"),
            Some(json!({"value": 321})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("refund_exceeded"))
    );

    let debit = app
        .ok(
            Method::PUT,
            &format!("{account}/statements/fee-1"),
            Some(json!({"value": "-5.50"})),
        )
        .await;
    assert_eq!(debit, json!({"value": "-5.50"}));
    app.ok(
        Method::PUT,
        &format!("{account}/statements/fee-1"),
        Some(json!({"value": "-5.50"})),
    )
    .await;

    // Balance: −330 settled, +110 paid, +110 cancelled, +10 refunded, −5.50 debited = −105.50.
    let read = app.ok(Method::GET, &account, None).await;
    assert_eq!(num(&read["balance"]), "-105.50");
    let statement = app
        .ok(Method::GET, &format!("{account}/statements"), None)
        .await;
    assert_eq!(num(&statement["currentBalance"]), "-105.50");
    let origins: Vec<&str> = statement["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        [
            "Credit",
            "Invoice",
            "Payment",
            "Invoice",
            "Credit",
            "Statement"
        ]
    );
    let tomorrow = app
        .ok(
            Method::GET,
            &format!("{account}/statements?dateFrom=2999-01-01"),
            None,
        )
        .await;
    assert_eq!(
        (
            num(&tomorrow["previousBalance"]),
            num(&tomorrow["intervalBalance"])
        ),
        ("-105.50".into(), "0.00".into())
    );

    let closing = app.call(Method::DELETE, &account, None).await;
    assert_eq!(closing.0, StatusCode::CONFLICT);
    assert_eq!(closing.1["error"]["reason"], "account_in_use");
}

#[tokio::test]
async fn the_invoices_guide_walkthrough() {
    let app = test_app().await;
    app.open_account("11111111111", "1000").await;
    let account = format!("{ACCOUNTS}/11111111111_CPF");
    let id = app.hold_and_settle("11111111111_CPF", "9.63", 1).await;
    let invoice = format!("{account}/invoices/{id}-01");

    // Postponing needs the store configuration first.
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("{invoice}/postponement"),
            Some(json!({"dueDays": 5})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("postponement_disabled"))
    );
    let (status, config) = app.put("/api/creditcontrol/storeconfig",
        r#"{"invoicePostponementLimit": 3, "maxPostponementDays": 30, "postponementEnabled": true}"#).await;
    assert_eq!(status, StatusCode::OK, "{config}");

    let before = app.ok(Method::GET, &invoice, None).await;
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("{invoice}/postponement"),
            Some(json!({"dueDays": 5})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    let after = app.ok(Method::GET, &invoice, None).await;
    let due = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<creditdesk_core::Timestamp>()
            .unwrap()
    };
    assert_eq!(
        due(&after["dueDate"]),
        due(&before["dueDate"]).plus_days(5).unwrap()
    );
    assert_eq!(after["originalDueDate"], before["originalDueDate"]);

    let paid = app
        .ok(Method::POST, &format!("{invoice}/payments"), None)
        .await;
    assert_eq!(paid["status"], "Paid");
    assert!(paid["resolvedAt"].is_string());
    let (status, body) = app.call(Method::DELETE, &invoice, None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an invoice that is paid can no longer be cancelled: {body}"
    );
    let read = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(read["status"], "Paid");
}

#[tokio::test]
async fn ids_of_other_accounts_are_not_found() {
    let app = test_app().await;
    app.open_account("1", "1000").await;
    app.open_account("2", "1000").await;
    let (_, hold) = app
        .hold(
            "1_CPF",
            json!({"value": 50, "settle": false, "installments": 1, "expirationDate": in_days(10)}),
        )
        .await;
    let id = hold["id"].as_str().unwrap().to_owned();
    let settle_1 = format!("{ACCOUNTS}/1_CPF/transactions/{id}/settlement");
    // Through account 2, account 1's transaction and invoice do not exist.
    let other = format!("{ACCOUNTS}/2_CPF/transactions/{id}");
    for (method, path, body) in [
        (
            Method::PUT,
            format!("{other}/settlement"),
            Some(json!({"value": 50})),
        ),
        (Method::DELETE, other.clone(), None),
        (
            Method::POST,
            format!("{other}/refunds"),
            Some(json!({"value": 1})),
        ),
    ] {
        let (status, body) = app.call(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    app.ok(Method::PUT, &settle_1, Some(json!({"value": 50})))
        .await;
    let invoice = format!("{ACCOUNTS}/2_CPF/invoices/{id}-01");
    for (method, path, body) in [
        (Method::GET, invoice.clone(), None),
        (Method::POST, format!("{invoice}/payments"), None),
        (Method::DELETE, invoice.clone(), None),
        (
            Method::PUT,
            invoice.clone(),
            Some(json!({"status": "Paid"})),
        ),
        (
            Method::PUT,
            format!("{invoice}/postponement"),
            Some(json!({"dueDays": 1})),
        ),
        (Method::GET, format!("{ACCOUNTS}/3_CPF/invoices"), None),
    ] {
        let (status, body) = app.call(method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    let list = app
        .ok(Method::GET, &format!("{ACCOUNTS}/2_CPF/invoices"), None)
        .await;
    assert_eq!(list["data"], json!([]));
    // Ids are per account: a PUT with that id through account 2 creates account 2's own hold
    // (create by id) and leaves account 1's transaction and invoice as they were.
    let created = app.ok(Method::PUT, &other, Some(json!({"value": 7}))).await;
    assert_eq!(
        (created["id"].as_str(), num(&created["value"])),
        (Some(id.as_str()), "7.00".into())
    );
    let first = app
        .ok(
            Method::GET,
            &format!("{ACCOUNTS}/1_CPF/invoices/{id}-01"),
            None,
        )
        .await;
    assert_eq!(
        (first["value"].to_string(), first["status"].clone()),
        ("50.00".into(), json!("Opened"))
    );
    let two = app
        .ok(Method::GET, &format!("{ACCOUNTS}/2_CPF"), None)
        .await;
    assert_eq!(num(&two["preAuthorizedCredit"]), "7.00");
}

#[tokio::test]
async fn holders_are_added_and_removed() {
    let app = test_app().await;
    app.open_account("1", "1000").await;
    let path = format!("{ACCOUNTS}/1_CPF/holders");
    let holder = app
        .ok(
            Method::POST,
            &path,
            Some(json!({"claims": {"email": "ana@example.com"}})),
        )
        .await;
    assert_eq!(holder["level"], 2);
    let (status, body) = app
        .call(
            Method::POST,
            &path,
            Some(json!({"claims": {"email": "ANA@example.com"}})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("holder_exists"))
    );
    let (status, body) = app
        .call(Method::POST, &path, Some(json!({"claims": {}})))
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["claims.email".to_owned()]
        )
    );
    let id = holder["id"].as_str().unwrap();
    let removed = app.ok(Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!(removed["id"], id);
    let (status, _) = app
        .call(Method::DELETE, &format!("{path}/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn automatic_accounts_open_at_checkout_when_allowed() {
    let app = test_app().await;
    let (status, _) = app
        .hold(
            "555_CPF",
            json!({"value": 10, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.put(
        "/api/creditcontrol/storeconfig",
        r#"{"automaticCheckingAccountCreationEnabled": true, "defaultCreditValue": 150}"#,
    )
    .await;
    let (status, body) = app
        .hold(
            "555_CPF",
            json!({"value": 150.01, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("insufficient_credit"))
    );
    let (status, _) = app
        .call(Method::GET, &format!("{ACCOUNTS}/555_CPF"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a refused hold opens no account"
    );
    let (status, body) = app
        .hold(
            "555_CPF",
            json!({"value": 150, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/555_CPF"), None)
        .await;
    assert_eq!(
        (num(&account["creditLimit"]), account["email"].clone()),
        ("150.00".into(), json!(""))
    );
}

/// Every route of the server (its own route table) × {no credentials, wrong token, a key lacking
/// the route's resource, a key holding it}.
#[tokio::test]
async fn unauthenticated_and_unauthorized_requests_are_refused_everywhere() {
    use creditdesk_server::api::ROUTES;
    use creditdesk_server::auth::Resource;
    let mut app = test_app().await;
    let wrong = match &app.admin {
        Creds::Key(key, _) => Creds::Key(key.clone(), "wrong".into()),
        Creds::None => unreachable!(),
    };
    let mut spec_routes = 0;
    for (n, route) in ROUTES
        .iter()
        .filter(|r| r.path != "/openapi.json")
        .enumerate()
    {
        // A client address per route: more wrong tokens than the throttle allows are sent here.
        app.peer = std::net::SocketAddr::from(([127, 1, 0, n as u8], 40000));
        let path = common::concrete_path(route);
        if path.starts_with("/api/creditcontrol/") {
            spec_routes += 1;
        }
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let holding = match route.resource {
            Some(resource) => app.key(&[resource]).await,
            None => app.key(&[Resource::ReadInvoices]).await,
        };
        let others: Vec<Resource> = Resource::ALL
            .into_iter()
            .filter(|r| Some(*r) != route.resource && *r != Resource::MainAccess)
            .collect();
        let lacking = app.key(&others).await;
        let mut cases = vec![
            (&Creds::None, Some(401)),
            (&wrong, Some(401)),
            (&holding, None),
        ];
        if route.resource.is_some() {
            cases.push((&lacking, Some(403)));
        }
        for (creds, expect) in cases {
            let (status, body) = app.send(method.clone(), &path, Some("{}"), creds).await;
            match expect {
                Some(code) => {
                    assert_eq!(
                        status.as_u16(),
                        code,
                        "{method} {path} as {creds:?}: {body}"
                    );
                    assert_error(
                        &body,
                        if code == 401 {
                            "unauthorized"
                        } else {
                            "forbidden"
                        },
                    );
                }
                None => assert!(
                    ![401, 403].contains(&status.as_u16()),
                    "{method} {path} with {:?}: {status} {body}",
                    route.resource
                ),
            }
        }
    }
    // The 25 endpoints of the reference spec, and the earlier one's `POST …/transaction`.
    assert_eq!(spec_routes, 26, "every endpoint of the reference spec");
}

#[tokio::test]
async fn dry_run_answers_without_writing() {
    let app = test_app().await;
    app.open_account("1", "500").await;
    let path = format!("{ACCOUNTS}/1_CPF/transactions?dryRun=true");
    let (status, body) = app
        .call(
            Method::POST,
            &path,
            Some(json!({"value": 200, "settle": true, "installments": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted"], true);
    assert_eq!(
        (
            num(&body["availableCredit"]),
            num(&body["availableCreditAfter"])
        ),
        ("500.00".into(), "300.00".into())
    );
    let (_, body) = app
        .call(
            Method::POST,
            &path,
            Some(json!({"value": 500.01, "settle": true, "installments": 1})),
        )
        .await;
    assert_eq!(
        (body["accepted"].clone(), body["reason"].clone()),
        (json!(false), json!("insufficient_credit"))
    );
    let (status, body) = app
        .call(
            Method::POST,
            &path,
            Some(json!({"value": -1, "settle": true, "installments": 1})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["value".to_owned()])
    );
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{ACCOUNTS}/1_CPF/transactions?dryRun=maybe"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    assert_eq!(
        num(&account["preAuthorizedCredit"]),
        "0.00",
        "a dry run holds nothing"
    );
}

#[tokio::test]
async fn the_sweep_marks_expired_holds_through_core() {
    use creditdesk_server::db::books::Reads;
    let app = test_app().await;
    app.open_account("1", "500").await;
    let (_, hold) = app
        .hold(
            "1_CPF",
            json!({"value": 200, "settle": false, "installments": 1, "expirationDate": in_days(2)}),
        )
        .await;
    let (_, other) = app.hold("1_CPF", json!({"value": 100, "settle": false, "installments": 1, "expirationDate": in_days(20)})).await;
    let later = in_days(3).parse::<creditdesk_core::Timestamp>().unwrap();
    assert_eq!(
        creditdesk_server::sweep::expire_holds(&app.db, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        creditdesk_server::sweep::expire_holds(&app.db, later)
            .await
            .unwrap(),
        0,
        "once"
    );
    let id: creditdesk_core::ids::AccountId = "1_CPF".parse().unwrap();
    for (hold, status) in [(&hold, "Expired"), (&other, "Authorized")] {
        let tid: creditdesk_core::ids::TransactionId =
            hold["id"].as_str().unwrap().parse().unwrap();
        let load = Reads::hold(&tid);
        let book = app.db.read_book(&id, &load, later).await.unwrap().unwrap();
        let found = book.transactions.iter().find(|t| t.id == tid).unwrap();
        assert_eq!(found.status.as_str(), status);
    }
    let path = format!(
        "{ACCOUNTS}/1_CPF/transactions/{}/settlement",
        hold["id"].as_str().unwrap()
    );
    let (status, body) = app
        .call(Method::PUT, &path, Some(json!({"value": 200})))
        .await;
    assert_eq!(
        (status, body["error"]["reason"].clone()),
        (StatusCode::CONFLICT, json!("not_authorized"))
    );
}

#[test]
fn request_paths_find_their_spec_routes() {
    use common::schema::spec_route;
    let cases = [
        (
            "get",
            "/api/creditcontrol/accounts/1_CPF",
            Some(SPEC_ACCOUNT),
        ),
        (
            "get",
            "/api/creditcontrol/accounts?from=1&to=5",
            Some(ACCOUNTS),
        ),
        (
            "post",
            "/api/creditcontrol/accounts/1_CPF/invoices/X-01/payments",
            Some("/api/creditcontrol/accounts/{creditAccountId}/invoices/{invoiceId}/payments"),
        ),
        (
            "put",
            "/api/creditcontrol/accounts/1_CPF/invoices/X-01",
            None,
        ),
        ("get", "/api/creditdesk/me", None),
    ];
    for (method, path, expect) in cases {
        assert_eq!(spec_route(method, path), expect, "{method} {path}");
    }
}

/// Every refusal reason of the credit rules, through HTTP: (method, path, body) → (status, reason).
#[tokio::test]
async fn every_refusal_reason_over_http() {
    let app = test_app().await;
    app.put("/api/creditcontrol/storeconfig",
        r#"{"maxPreAuthorizationGrowthRate": 0.1, "postponementEnabled": true, "invoicePostponementLimit": 1, "maxPostponementDays": 5}"#).await;
    app.open_account("1", "1000").await;
    let a = format!("{ACCOUNTS}/1_CPF");
    let s = app.hold_and_settle("1_CPF", "100", 2).await;
    app.call(Method::POST, &format!("{a}/invoices/{s}-01/payments"), None)
        .await;
    app.call(Method::POST, &format!("{a}/invoices/{s}-02/payments"), None)
        .await;
    let (_, held) = app
        .hold(
            "1_CPF",
            json!({"value": 50, "settle": true, "installments": 1}),
        )
        .await;
    let h = held["id"].as_str().unwrap().to_owned();
    let o = app.hold_and_settle("1_CPF", "10", 1).await;
    app.call(
        Method::PUT,
        &format!("{a}/invoices/{o}-01/postponement"),
        Some(json!({"dueDays": 1})),
    )
    .await;
    app.call(
        Method::PUT,
        &format!("{a}/statements/fee"),
        Some(json!({"value": "-1"})),
    )
    .await;
    let (_, holder) = app
        .call(
            Method::POST,
            &format!("{a}/holders"),
            Some(json!({"claims": {"email": "h@example.com"}})),
        )
        .await;
    assert!(holder["id"].is_string());
    let missing_tx = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";

    let cases: Vec<(Method, String, Option<Value>, u16, &str)> = vec![
        (
            Method::POST,
            format!("{a}/transactions"),
            Some(json!({"value": 2000, "settle": true, "installments": 1})),
            409,
            "insufficient_credit",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{h}"),
            Some(json!({"value": 55.01, "settle": true, "installments": 1})),
            409,
            "growth_exceeded",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{h}/settlement"),
            Some(json!({"value": 55.01})),
            409,
            "growth_exceeded",
        ),
        (
            Method::DELETE,
            format!("{a}/transactions/{h}"),
            None,
            409,
            "not_cancellable",
        ),
        (
            Method::POST,
            format!("{a}/transactions/{h}/refunds"),
            Some(json!({"value": 1})),
            409,
            "not_settled",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{s}"),
            Some(json!({"value": 1, "settle": true, "installments": 1})),
            409,
            "not_authorized",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{s}/settlement"),
            Some(json!({"value": 105})),
            409,
            "no_open_invoices",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{s}/settlement"),
            Some(json!({"value": 99})),
            409,
            "settlement_below_resolved",
        ),
        (
            Method::POST,
            format!("{a}/transactions/{s}/refunds"),
            Some(json!({"value": 100.01})),
            409,
            "refund_exceeded",
        ),
        (
            Method::POST,
            format!("{a}/invoices/{s}-01/payments"),
            None,
            409,
            "invoice_status",
        ),
        (
            Method::PUT,
            format!("{a}/invoices/{o}-01/postponement"),
            Some(json!({"dueDays": 1})),
            409,
            "postponement_limit",
        ),
        (
            Method::PUT,
            format!("{a}/statements/fee"),
            Some(json!({"value": "-2"})),
            409,
            "statement_id_reused",
        ),
        (
            Method::POST,
            format!("{a}/holders"),
            Some(json!({"claims": {"email": "H@example.com"}})),
            409,
            "holder_exists",
        ),
        (Method::DELETE, a.clone(), None, 409, "account_in_use"),
        (
            Method::POST,
            ACCOUNTS.to_owned(),
            Some(
                json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1}),
            ),
            409,
            "account_exists",
        ),
        (
            Method::PUT,
            format!("{a}/transactions/{missing_tx}/settlement"),
            Some(json!({"value": 1})),
            404,
            "transaction_not_found",
        ),
        (
            Method::GET,
            format!("{a}/invoices/{missing_tx}-01"),
            None,
            404,
            "invoice_not_found",
        ),
        (
            Method::DELETE,
            format!("{a}/holders/{missing_tx}"),
            None,
            404,
            "holder_not_found",
        ),
        (
            Method::GET,
            format!("{ACCOUNTS}/2_CPF"),
            None,
            404,
            "account_not_found",
        ),
    ];
    for (method, path, body, status, reason) in cases {
        let (got, json) = app.call(method.clone(), &path, body).await;
        assert_eq!(
            (got.as_u16(), json["error"]["reason"].as_str()),
            (status, Some(reason)),
            "{method} {path}: {json}"
        );
    }
    // And postponing beyond the days left, on a fresh invoice.
    app.put(
        "/api/creditcontrol/storeconfig",
        r#"{"invoicePostponementLimit": 3}"#,
    )
    .await;
    let (status, json) = app
        .call(
            Method::PUT,
            &format!("{a}/invoices/{o}-01/postponement"),
            Some(json!({"dueDays": 5})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), json["error"]["reason"].clone()),
        (409, json!("postponement_days")),
        "{json}"
    );
}

#[tokio::test]
async fn every_200_body_is_checked_against_the_reference_schema() {
    use std::sync::atomic::Ordering;
    let app = test_app().await;
    let before = common::checked_bodies().load(Ordering::Relaxed);
    app.open_account("1", "10").await;
    app.ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    assert!(
        common::checked_bodies().load(Ordering::Relaxed) >= before + 2,
        "the test client checked both bodies"
    );
}

/// Sums of `(status, value)` of an account's invoices by aging bucket at `now`, by core's rule.
fn aging_by_core(invoices: &Value, now: creditdesk_core::Timestamp) -> Vec<(String, String)> {
    use creditdesk_core::dashboard::AgingBucket;
    AgingBucket::ALL
        .into_iter()
        .map(|bucket| {
            let mut total = creditdesk_core::Money::ZERO;
            let mut count = 0;
            for invoice in invoices["data"].as_array().unwrap() {
                let due: creditdesk_core::Timestamp =
                    invoice["dueDate"].as_str().unwrap().parse().unwrap();
                if invoice["status"] == "Opened" && AgingBucket::of(due, now) == bucket {
                    count += 1;
                    total = total
                        .checked_add(num(&invoice["value"]).parse().unwrap())
                        .unwrap();
                }
            }
            (count.to_string(), total.to_string())
        })
        .collect()
}

fn aging_of(dashboard: &Value) -> Vec<(String, String)> {
    dashboard["aging"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["count"].to_string(), num(&a["total"])))
        .collect()
}

#[tokio::test]
async fn the_dashboard_adds_up_the_store_and_ages_invoices_as_time_passes() {
    const DASHBOARD: &str = "/api/creditdesk/dashboard";
    let app = test_app().await;
    app.open_account("1", "1000").await;
    app.open_account("2", "100").await;
    app.open_account("3", "500").await;
    app.ok(Method::DELETE, &format!("{ACCOUNTS}/3_CPF"), None)
        .await;
    let settled = app.hold_and_settle("1_CPF", "300", 3).await;
    let (status, _) = app
        .hold(
            "2_CPF",
            json!({"value": "90", "settle": false, "installments": 1, "expirationDate": in_days(10)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let d = app.ok(Method::GET, DASHBOARD, None).await;
    assert_eq!(
        (d["accounts"].clone(), d["openAccounts"].clone()),
        (json!(3), json!(2))
    );
    let figures: Vec<String> = [
        "creditExtended",
        "outstanding",
        "overdue",
        "available",
        "held",
    ]
    .iter()
    .map(|f| num(&d[f]))
    .collect();
    assert_eq!(figures, ["1100.00", "300.00", "0.00", "710.00", "90.00"]);
    let bands: Vec<Value> = d["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["accounts"].clone())
        .collect();
    assert_eq!(bands, [json!(0), json!(1), json!(0), json!(1), json!(0)]);
    assert_eq!(d["dueSoon"]["count"], 0);

    // 25 days on, the first installment (due at 30 days) is due within the week.
    app.clock.advance_days(25);
    let d = app.ok(Method::GET, DASHBOARD, None).await;
    assert_eq!(
        (d["dueSoon"]["count"].clone(), num(&d["dueSoon"]["total"])),
        (json!(1), "100.00".to_owned())
    );
    assert_eq!(d["dueSoon"]["invoices"][0]["installment"], 1);

    // 65 days on: installment 1 is 35 days late, 2 is 5 days late, 3 is current.
    app.clock.advance_days(40);
    let d = app.ok(Method::GET, DASHBOARD, None).await;
    let aging = aging_of(&d);
    assert_eq!(
        aging,
        [
            ("1", "100.00"),
            ("1", "100.00"),
            ("1", "100.00"),
            ("0", "0.00"),
            ("0", "0.00")
        ]
        .map(|(c, t)| (c.to_owned(), t.to_owned()))
    );
    assert_eq!(
        (num(&d["outstanding"]), num(&d["overdue"])),
        ("300.00".to_owned(), "200.00".to_owned())
    );
    let invoices = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF/invoices"), None)
        .await;
    let now = creditdesk_core::Timestamp::from_unix_micros(app.clock.now_us()).unwrap();
    assert_eq!(
        aging,
        aging_by_core(&invoices, now),
        "SQL buckets = core's buckets"
    );

    // Paying the oldest empties its bucket.
    app.ok(
        Method::POST,
        &format!("{ACCOUNTS}/1_CPF/invoices/{settled}-01/payments"),
        None,
    )
    .await;
    let d = app.ok(Method::GET, DASHBOARD, None).await;
    assert_eq!(aging_of(&d)[2], ("0".to_owned(), "0.00".to_owned()));
    assert_eq!(num(&d["overdue"]), "100.00");
}

#[tokio::test]
async fn an_accounts_transactions_and_holders_are_listed() {
    let app = test_app().await;
    app.open_account("1", "1000").await;
    let settled = app.hold_and_settle("1_CPF", "300", 3).await;
    let (_, hold) = app
        .hold(
            "1_CPF",
            json!({"value": "50", "settle": false, "installments": 2, "orderId": "o-2", "expirationDate": in_days(10)}),
        )
        .await;
    let held = hold["id"].as_str().unwrap().to_owned();
    let path = "/api/creditdesk/accounts/1_CPF/transactions";
    let list = app.ok(Method::GET, path, None).await;
    let summary: Vec<(Value, Value, String)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].clone(),
                t["status"].clone(),
                num(&t["settledValue"]),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (json!(held), json!("Authorized"), "0.00".to_owned()),
            (json!(settled), json!("Settled"), "300.00".to_owned()),
        ]
    );
    assert_eq!(list["data"][0]["orderId"], "o-2");
    app.ok(
        Method::DELETE,
        &format!("{ACCOUNTS}/1_CPF/transactions/{held}"),
        None,
    )
    .await;
    let list = app.ok(Method::GET, path, None).await;
    assert_eq!(list["data"][0]["status"], "Cancelled");

    let holders = "/api/creditdesk/accounts/1_CPF/holders";
    assert_eq!(app.ok(Method::GET, holders, None).await["data"], json!([]));
    app.ok(
        Method::POST,
        &format!("{ACCOUNTS}/1_CPF/holders"),
        Some(json!({"claims": {"email": "ana@example.com"}})),
    )
    .await;
    let list = app.ok(Method::GET, holders, None).await;
    assert_eq!(list["data"][0]["claims"]["email"], "ana@example.com");

    for path in [path, holders] {
        let (status, body) = app
            .call(Method::GET, &path.replace("1_CPF", "2_CPF"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
}

/// Commands sum an account's other active holds instead of loading them: the sums must agree
/// with the holds one by one, whether or not the command works on one of them.
#[tokio::test]
async fn many_active_holds_count_once_each() {
    let app = test_app().await;
    app.open_account("1", "1000").await;
    let mut ids = Vec::new();
    for _ in 0..30 {
        let (status, hold) = app
            .hold(
                "1_CPF",
                json!({"value": 10, "settle": true, "installments": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{hold}");
        ids.push(hold["id"].as_str().unwrap().to_owned());
    }
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    assert_eq!(
        (
            num(&account["preAuthorizedCredit"]),
            num(&account["availableCredit"])
        ),
        ("300.00".into(), "700.00".into())
    );
    // Settling one: its own 10 moves from held to owed; the other 29 still hold.
    let path = format!("{ACCOUNTS}/1_CPF/transactions/{}/settlement", ids[7]);
    app.ok(Method::PUT, &path, Some(json!({"value": 10}))).await;
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    let figures = ["balance", "preAuthorizedCredit", "availableCredit"].map(|f| num(&account[f]));
    assert_eq!(figures, ["-10.00", "290.00", "700.00"].map(String::from));
    let (status, _) = app
        .hold(
            "1_CPF",
            json!({"value": "700.01", "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .hold(
            "1_CPF",
            json!({"value": 700, "settle": true, "installments": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
