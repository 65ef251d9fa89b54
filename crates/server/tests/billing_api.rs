//! Payments and credits through the real router over a real database (SQLite file, or
//! PostgreSQL with CREDITDESK_TEST_POSTGRES_URL): partial payments, shortfall and merchant
//! write-offs, reversals, the billing-credits API's lists and their paging, the store's tenant.

mod common;

use axum::http::{Method, StatusCode};
use common::{assert_error, error_fields, test_app, TestApp, ACCOUNTS};
use creditdesk_server::db::{Db, Synchronous};
use serde_json::{json, Value};

/// A money field as text with two decimals (the API writes numbers).
fn money(value: &Value) -> String {
    format!("{:.2}", value.as_f64().expect("a number"))
}

/// An invoice's paid, written-off and remaining values, and its status.
fn figures(invoice: &Value) -> (String, String, String, String) {
    (
        money(&invoice["paidValue"]),
        money(&invoice["writtenOffValue"]),
        money(&invoice["remainingValue"]),
        invoice["status"].as_str().unwrap().to_owned(),
    )
}

fn expect(
    paid: &str,
    written_off: &str,
    remaining: &str,
    status: &str,
) -> (String, String, String, String) {
    (
        paid.into(),
        written_off.into(),
        remaining.into(),
        status.into(),
    )
}

/// The store with a shortfall tolerance of 0.05, account `1_CPF` (limit 1000) and a settlement of
/// 300.00 in three invoices of 100.00; answers the invoices' paths.
async fn store_with_invoices(app: &TestApp) -> Vec<String> {
    let (status, body) = app
        .put(
            "/api/creditcontrol/storeconfig",
            r#"{"shortfallTolerance": 0.05}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.open_account("1", "1000").await;
    let tx = app.hold_and_settle("1_CPF", "300.00", 3).await;
    (1..=3)
        .map(|n| format!("{ACCOUNTS}/1_CPF/invoices/{tx}-0{n}"))
        .collect()
}

/// The Creditdesk extension `what` of an invoice's path (`/api/creditdesk/accounts/…`).
fn ours(invoice: &str, what: &str) -> String {
    format!(
        "{}/{what}",
        invoice.replacen("/creditcontrol/", "/creditdesk/", 1)
    )
}

async fn tenant(app: &TestApp) -> String {
    let store = app.ok(Method::GET, "/api/creditdesk/store", None).await;
    assert_eq!(store["currency"], "BRL");
    store["tenantLocator"].as_str().unwrap().to_owned()
}

async fn balance(app: &TestApp) -> String {
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    money(&account["balance"])
}

#[tokio::test]
async fn partial_payments_write_offs_and_reversals_move_invoice_and_balance() {
    let app = test_app().await;
    let invoices = store_with_invoices(&app).await;
    let pay = |n: usize| format!("{}/payments", invoices[n]);
    assert_eq!(balance(&app).await, "-300.00");

    // Part of the first: it stays open with the rest to pay.
    let paid = app
        .ok(
            Method::POST,
            &pay(0),
            Some(json!({"value": 30, "reference": "TRANSFER 1"})),
        )
        .await;
    assert_eq!(figures(&paid), expect("30.00", "0.00", "70.00", "Opened"));
    assert_eq!(
        money(&paid["value"]),
        "100.00",
        "value is still the invoice's amount"
    );
    assert_eq!(balance(&app).await, "-270.00");

    // More than is left is refused, naming the most that can be paid; nothing is written.
    let (status, body) = app
        .call(Method::POST, &pay(0), Some(json!({"value": 70.01})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["value"]);
    assert!(body.to_string().contains("70.00"), "{body}");
    for (bad, field) in [
        (json!({"value": 0}), "value"),
        (json!({"value": "1.001"}), "value"),
        (
            json!({"value": 1, "reference": "x".repeat(65)}),
            "reference",
        ),
    ] {
        let (status, body) = app.call(Method::POST, &pay(0), Some(bad.clone())).await;
        assert_eq!(
            (status, error_fields(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{bad}: {body}"
        );
    }
    assert_eq!(balance(&app).await, "-270.00");

    // 69.97 of 70.00 leaves 0.03, within the tolerance: written off, the invoice is paid.
    let closed = app
        .ok(Method::POST, &pay(0), Some(json!({"value": "69.97"})))
        .await;
    assert_eq!(figures(&closed), expect("99.97", "0.03", "0.00", "Paid"));
    assert_eq!(balance(&app).await, "-200.00");

    // 99.90 of the second leaves 0.10, past the tolerance: still open.
    let open = app
        .ok(Method::POST, &pay(1), Some(json!({"value": 99.9})))
        .await;
    assert_eq!(figures(&open), expect("99.90", "0.00", "0.10", "Opened"));
    // The merchant writes the rest off with a reason.
    let write_off = ours(&invoices[1], "write-off");
    let (status, body) = app
        .call(Method::POST, &write_off, Some(json!({"reason": "  "})))
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_owned()]),
        "{body}"
    );
    let written = app
        .ok(
            Method::POST,
            &write_off,
            Some(json!({"reason": "rounding"})),
        )
        .await;
    assert_eq!(figures(&written), expect("99.90", "0.10", "0.00", "Paid"));
    let (status, body) = app
        .call(Method::POST, &write_off, Some(json!({"reason": "again"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // No body pays what is left, as the reference's payment does.
    let third = app.ok(Method::POST, &pay(2), None).await;
    assert_eq!(figures(&third), expect("100.00", "0.00", "0.00", "Paid"));
    assert_eq!(balance(&app).await, "0.00");

    // The first invoice's credits, oldest first.
    let list = app
        .ok(Method::GET, &ours(&invoices[0], "credits"), None)
        .await;
    let items = list["items"].as_array().unwrap();
    let kinds: Vec<(&str, String)> = items
        .iter()
        .map(|c| (c["creditType"].as_str().unwrap(), money(&c["amount"])))
        .collect();
    assert_eq!(
        kinds,
        [
            ("payment", "30.00".into()),
            ("payment", "69.97".into()),
            ("shortfallWriteOff", "0.03".into())
        ]
    );
    assert_eq!(items[0]["reference"], "TRANSFER 1");
    assert_eq!(items[2]["parentCreditLocator"], items[1]["locator"]);
    assert_eq!(list["listCompleted"], true);

    // Reversing the payment that closed it reverses its shortfall write-off too.
    let reversal = |locator: &Value| {
        format!(
            "/api/creditdesk/credits/{}/reversal",
            locator.as_str().unwrap()
        )
    };
    let (status, body) = app
        .call(
            Method::POST,
            &reversal(&items[1]["locator"]),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_owned()]),
        "{body}"
    );
    let reversed = app
        .ok(
            Method::POST,
            &reversal(&items[1]["locator"]),
            Some(json!({"reason": "bounced"})),
        )
        .await;
    assert_eq!(
        (
            reversed["creditState"].as_str(),
            reversed["reversalReason"].as_str()
        ),
        (Some("reversed"), Some("bounced"))
    );
    assert!(reversed["reversedAt"].is_string(), "{reversed}");
    let first = app.ok(Method::GET, &invoices[0], None).await;
    assert_eq!(figures(&first), expect("30.00", "0.00", "70.00", "Opened"));
    assert_eq!(balance(&app).await, "-70.00");
    let (status, body) = app
        .call(
            Method::POST,
            &reversal(&items[1]["locator"]),
            Some(json!({"reason": "twice"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["reason"], "credit_reversed");
    let (status, body) = app
        .call(
            Method::POST,
            &reversal(&items[2]["locator"]),
            Some(json!({"reason": "went with its payment"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    for locator in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-a-ulid"] {
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/creditdesk/credits/{locator}/reversal"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{locator}: {body}");
        assert_error(&body, "not_found");
    }

    // The statement shows the reversal as its own entries.
    let statement = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF/statements"), None)
        .await;
    let reversals: Vec<(&str, &str, String)> = statement["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().ends_with("Reversed"))
        .map(|e| {
            let locator = e["metadata"]["creditLocator"].as_str().unwrap();
            (e["kind"].as_str().unwrap(), locator, money(&e["value"]))
        })
        .collect();
    let locator = |n: usize| items[n]["locator"].as_str().unwrap();
    assert_eq!(
        reversals,
        [
            ("PaymentReversed", locator(1), "-69.97".to_owned()),
            ("WriteOffReversed", locator(2), "-0.03".to_owned())
        ],
        "{statement}"
    );
    assert_eq!(money(&statement["currentBalance"]), "-70.00");

    // The invoice search counts what is still owed by what remains.
    let (_, search) = app
        .get(&format!("{ACCOUNTS}/1_CPF/invoices?status=Opened"))
        .await;
    assert_eq!(money(&search["summary"]["total"]), "70.00", "{search}");
}

#[tokio::test]
async fn a_partial_payment_retried_under_one_idempotency_key_pays_once() {
    let app = test_app().await;
    let invoices = store_with_invoices(&app).await;
    let path = format!("{}/payments", invoices[0]);
    let body = json!({"value": 25}).to_string();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (status, _, answer) = app
            .send_with(
                Method::POST,
                &path,
                Some(&body),
                &app.admin,
                &[("Idempotency-Key", "pay-25")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answers.push(answer);
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(
        figures(&answers[0]),
        expect("25.00", "0.00", "75.00", "Opened")
    );
    let list = app
        .ok(Method::GET, &ours(&invoices[0], "credits"), None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(balance(&app).await, "-275.00");
    // Another key is another payment.
    let (status, _, answer) = app
        .send_with(
            Method::POST,
            &path,
            Some(&body),
            &app.admin,
            &[("Idempotency-Key", "pay-25-b")],
        )
        .await;
    assert_eq!(
        (status, figures(&answer)),
        (StatusCode::OK, expect("50.00", "0.00", "50.00", "Opened"))
    );
}

/// The store's credits: payments on each invoice, a shortfall, a write-off, a payment reversed
/// then paid again.
async fn store_with_credits(app: &TestApp) -> Vec<String> {
    let invoices = store_with_invoices(app).await;
    // A second between writes: locators sort by the millisecond they were made in.
    for (n, value) in [(0, json!(40)), (0, json!("59.98")), (1, json!(10))] {
        app.clock.advance_seconds(1);
        app.ok(
            Method::POST,
            &format!("{}/payments", invoices[n]),
            Some(json!({"value": value})),
        )
        .await;
    }
    app.ok(
        Method::POST,
        &ours(&invoices[1], "write-off"),
        Some(json!({"reason": "goodwill"})),
    )
    .await;
    app.ok(Method::POST, &format!("{}/payments", invoices[2]), None)
        .await;
    let third = app
        .ok(Method::GET, &ours(&invoices[2], "credits"), None)
        .await;
    let locator = third["items"][0]["locator"].as_str().unwrap();
    app.ok(
        Method::POST,
        &format!("/api/creditdesk/credits/{locator}/reversal"),
        Some(json!({"reason": "bounced"})),
    )
    .await;
    app.clock.advance_seconds(1);
    app.ok(Method::POST, &format!("{}/payments", invoices[2]), None)
        .await;
    invoices
}

fn locators(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["locator"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_billing_credit_lists_page_filter_and_name_their_tenant() {
    let app = test_app().await;
    let invoices = store_with_credits(&app).await;
    let tenant = tenant(&app).await;
    let billing = format!("/billing/{tenant}");

    // Every credit, oldest first: 40, 59.98, its 0.02 shortfall, 10, the write-off of 90, 100
    // (reversed), 100.
    let all = app
        .ok(Method::GET, &format!("{billing}/credits/list"), None)
        .await;
    assert_eq!(all["listCompleted"], true);
    let every = locators(&all);
    assert_eq!(every.len(), 7, "{all}");
    let mut sorted = every.clone();
    sorted.sort();
    assert_eq!(every, sorted, "oldest first");
    let types: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["creditType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "payment",
            "payment",
            "shortfallWriteOff",
            "payment",
            "writeOff",
            "payment",
            "payment"
        ]
    );
    // Brief by default; `extended=true` adds Creditdesk's fields.
    let item = &all["items"][0];
    assert_eq!(
        (item.get("targets"), item.get("createdBy")),
        (None, None),
        "{item}"
    );
    assert!(
        item["accountLocator"] == "1_CPF"
            && item["currency"] == "BRL"
            && item["realizedAt"].is_string(),
        "{item}"
    );
    let extended = app
        .ok(
            Method::GET,
            &format!("{billing}/credits/list?extended=true"),
            None,
        )
        .await;
    assert_eq!(locators(&extended), every);
    let item = &extended["items"][0];
    assert_eq!(
        item["targets"][0]["invoiceLocator"],
        invoices[0].rsplit('/').next().unwrap()
    );
    assert!(item["createdBy"].is_string(), "{item}");
    // The same paths under /api.
    let (_, again) = app.get(&format!("/api{billing}/credits/list")).await;
    assert_eq!(again, all);

    // Pages: `listCompleted` exactly when the page reaches the end.
    for (query, want, completed) in [
        ("count=6", 0..6, false),
        ("count=7", 0..7, true),
        ("offset=6&count=1", 6..7, true),
        ("offset=5&count=1", 5..6, false),
        ("offset=7", 7..7, true),
        ("offset=600&count=1000", 7..7, true),
    ] {
        let page = app
            .ok(
                Method::GET,
                &format!("{billing}/credits/list?{query}"),
                None,
            )
            .await;
        assert_eq!(
            (locators(&page), page["listCompleted"].as_bool()),
            (every[want].to_vec(), Some(completed)),
            "{query}"
        );
    }
    // Walking pages of 4 gives every credit once.
    let mut walked = Vec::new();
    for offset in (0..).step_by(4) {
        let page = app
            .ok(
                Method::GET,
                &format!("{billing}/credits/list?offset={offset}&count=4"),
                None,
            )
            .await;
        walked.extend(locators(&page));
        if page["listCompleted"] == true {
            break;
        }
    }
    assert_eq!(walked, every);

    // One account's; another account's credits are not listed.
    app.open_account("2", "1000").await;
    let tx = app.hold_and_settle("2_CPF", "50.00", 1).await;
    app.ok(
        Method::POST,
        &format!("{ACCOUNTS}/2_CPF/invoices/{tx}-01/payments"),
        None,
    )
    .await;
    let mine = app
        .ok(
            Method::GET,
            &format!("{billing}/credits/list?accountLocator=1_CPF"),
            None,
        )
        .await;
    assert_eq!(locators(&mine), every);
    let theirs = app
        .ok(
            Method::GET,
            &format!("{billing}/credits/list?accountLocator=2_CPF"),
            None,
        )
        .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    let nobody = app
        .ok(
            Method::GET,
            &format!("{billing}/credits/list?accountLocator=9_CPF"),
            None,
        )
        .await;
    assert_eq!(nobody, json!({"listCompleted": true, "items": []}));

    // Shortfall credits: the list, and one by locator with its parent, targets and creator.
    let shortfalls = app
        .ok(
            Method::GET,
            &format!("{billing}/shortfallCredits/list"),
            None,
        )
        .await;
    assert_eq!(locators(&shortfalls), [every[2].clone()]);
    let one = app
        .ok(
            Method::GET,
            &format!("{billing}/shortfallCredits/{}", every[2]),
            None,
        )
        .await;
    assert_eq!(
        (
            one["parentCreditLocator"].as_str(),
            one["shortfallCreditState"].as_str()
        ),
        (Some(every[1].as_str()), Some("distributed"))
    );
    assert_eq!(money(&one["amount"]), "0.02");
    assert!(
        one["createdBy"].is_string() && one["targets"].is_array(),
        "{one}"
    );
    let lower = every[2].to_lowercase();
    let (status, _) = app
        .get(&format!("{billing}/shortfallCredits/{lower}"))
        .await;
    assert_eq!(status, StatusCode::OK, "a ULID reads in either case");
    for missing in [every[0].as_str(), "01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope"] {
        let (status, body) = app
            .get(&format!("{billing}/shortfallCredits/{missing}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
    }

    // An invoice's credits: posted ones, or all with includeReversed.
    let third = invoices[2].rsplit('/').next().unwrap();
    let posted = app
        .ok(
            Method::GET,
            &format!("{billing}/invoices/{third}/credits/list"),
            None,
        )
        .await;
    assert_eq!(locators(&posted), [every[6].clone()]);
    let with_reversed = app
        .ok(
            Method::GET,
            &format!("{billing}/invoices/{third}/credits/list?includeReversed=true"),
            None,
        )
        .await;
    assert_eq!(
        locators(&with_reversed),
        [every[5].clone(), every[6].clone()]
    );
    assert_eq!(with_reversed["items"][0]["creditState"], "reversed");
    assert_eq!(with_reversed["items"][0]["reversalReason"], "bounced");
    let (status, body) = app
        .get(&format!(
            "{billing}/invoices/00000000000000000000000000000000-01/credits/list"
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Values out of range name their parameter; another tenant is not found.
    for (query, field) in [
        ("count=0", "count"),
        ("count=1001", "count"),
        ("offset=-1", "offset"),
        ("extended=maybe", "extended"),
        ("accountLocator=%20", "accountLocator"),
        ("acountLocator=1_CPF", "acountLocator"),
    ] {
        let (status, body) = app.get(&format!("{billing}/credits/list?{query}")).await;
        assert_eq!(
            (status, error_fields(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{query}: {body}"
        );
    }
    for other in ["0f8fad5b-d9cb-469f-a165-70867728950e", "not-a-uuid"] {
        for path in ["credits/list", "shortfallCredits/list"] {
            let (status, body) = app.get(&format!("/billing/{other}/{path}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{other}/{path}: {body}");
            assert_error(&body, "not_found");
        }
    }
    let upper = tenant.to_uppercase();
    let (status, _) = app.get(&format!("/billing/{upper}/credits/list")).await;
    assert_eq!(status, StatusCode::OK, "a UUID reads in either case");
}

#[tokio::test]
async fn the_tenant_is_made_with_the_database_and_kept() {
    let app = test_app().await;
    let first = tenant(&app).await;
    assert_eq!(
        first
            .parse::<creditdesk_core::ids::TenantLocator>()
            .map(|t| t.to_string()),
        Ok(first.clone())
    );
    // Another server on the same database (a restart, or a second process) has the same one.
    let again = Db::connect(&app.database_url, Synchronous::Full)
        .await
        .unwrap();
    assert_eq!(again.tenant().as_str(), first);
    // Another database has another.
    let other = test_app().await;
    assert_ne!(tenant(&other).await, first);
}
