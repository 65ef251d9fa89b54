//! Overdue interest and the overdue credit hold through the real router over a real database
//! (SQLite file, or PostgreSQL with CREDITDESK_TEST_POSTGRES_URL), the test clock moved forward:
//! interest on every invoice view and the dashboard, charged by a payment as its own statement
//! entries and given back by its reversal; new pre-authorizations refused while an invoice is
//! too late.

mod common;

use axum::http::{Method, StatusCode};
use common::{error_fields, test_app, TestApp, ACCOUNTS};
use serde_json::{json, Value};

const CONFIG: &str = "/api/creditcontrol/storeconfig";

/// The exact digits of a money field (the API writes two decimals).
fn money(value: &Value) -> String {
    assert!(value.is_number(), "a number: {value}");
    value.to_string()
}

/// An invoice's interest, interest tax, amount due and status.
fn owed(invoice: &Value) -> (String, String, String, String) {
    (
        money(&invoice["interest"]),
        money(&invoice["interestTax"]),
        money(&invoice["amountDue"]),
        invoice["status"].as_str().unwrap().to_owned(),
    )
}

fn expect(interest: &str, tax: &str, due: &str, status: &str) -> (String, String, String, String) {
    (interest.into(), tax.into(), due.into(), status.into())
}

async fn configure(app: &TestApp, body: Value) {
    let (status, saved) = app.put(CONFIG, &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
}

/// Account `1_CPF` (limit 2000) with one invoice of `value` due in 30 days; its path.
async fn one_invoice(app: &TestApp, value: &str) -> String {
    app.open_account("1", "2000").await;
    let tx = app.hold_and_settle("1_CPF", value, 1).await;
    format!("{ACCOUNTS}/1_CPF/invoices/{tx}-01")
}

#[tokio::test]
async fn a_payment_charges_the_overdue_interest_first_as_its_own_entries() {
    let app = test_app().await;
    configure(&app, json!({"dailyInterestRate": 0.001, "taxRate": 0.1})).await;
    let invoice = one_invoice(&app, "1000.00").await;
    let statement = format!("{ACCOUNTS}/1_CPF/statements");

    let before_due = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(
        owed(&before_due),
        expect("0.00", "0.00", "1000.00", "Opened")
    );

    // Ten full days late: 1000.00 × 0.001 × 10 = 10.00, and 10 % of it in tax.
    app.clock.advance_days(40);
    let late = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(owed(&late), expect("10.00", "1.00", "1011.00", "Opened"));
    assert_eq!(
        money(&late["value"]),
        "1000.00",
        "value stays the invoice's amount"
    );
    let listed = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF/invoices"), None)
        .await;
    assert_eq!(
        owed(&listed["data"][0]),
        owed(&late),
        "the list shows the same"
    );
    let searched = app
        .ok(
            Method::GET,
            "/api/creditcontrol/invoices?status=Opened",
            None,
        )
        .await;
    assert_eq!(
        owed(&searched["data"][0]),
        owed(&late),
        "the search shows the same"
    );
    let dashboard = app.ok(Method::GET, "/api/creditdesk/dashboard", None).await;
    assert_eq!(money(&dashboard["overdueInterest"]), "11.00");

    // Accrued interest is not debt until paid: the balance and available credit stay.
    let account = app
        .ok(Method::GET, &format!("{ACCOUNTS}/1_CPF"), None)
        .await;
    assert_eq!(money(&account["balance"]), "-1000.00");

    // A payment pays the interest first: less than it is refused, as is more than is due.
    let pay = format!("{invoice}/payments");
    for (value, says) in [("10.99", "at least 11.00"), ("1011.01", "at most 1011.00")] {
        let (status, body) = app
            .call(Method::POST, &pay, Some(json!({ "value": value })))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&body), ["value"], "{body}");
        assert!(body.to_string().contains(says), "{says}: {body}");
    }
    let paid = app.ok(Method::POST, &pay, None).await;
    assert_eq!(owed(&paid), expect("0.00", "0.00", "0.00", "Paid"));
    assert_eq!(money(&paid["interestPaidValue"]), "11.00");
    assert_eq!(money(&paid["paidValue"]), "1000.00");

    let entries = app.ok(Method::GET, &statement, None).await;
    let last: Vec<(String, String, String)> = entries["statements"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
                money(&e["value"]),
            )
        })
        .collect();
    let row = |o: &str, k: &str, v: &str| (o.to_owned(), k.to_owned(), v.to_owned());
    assert_eq!(
        last,
        [
            row("Interest", "Interest", "-10.00"),
            row("Interest", "InterestTax", "-1.00"),
            row("Payment", "InvoicePaid", "1011.00"),
        ]
    );
    assert_eq!(money(&entries["currentBalance"]), "0.00");

    // The payment reversed: its interest is given back and owed again, as are the days.
    let credits = app
        .ok(
            Method::GET,
            &format!(
                "{}/credits",
                invoice.replace("/creditcontrol/", "/creditdesk/")
            ),
            None,
        )
        .await;
    let locator = credits["items"][0]["locator"].as_str().unwrap();
    app.ok(
        Method::POST,
        &format!("/api/creditdesk/credits/{locator}/reversal"),
        Some(json!({"reason": "the transfer bounced"})),
    )
    .await;
    let reopened = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(
        owed(&reopened),
        expect("10.00", "1.00", "1011.00", "Opened")
    );
    assert_eq!(money(&reopened["interestPaidValue"]), "0.00");
    let entries = app.ok(Method::GET, &statement, None).await;
    assert_eq!(money(&entries["currentBalance"]), "-1000.00");
}

#[tokio::test]
async fn grace_days_and_postponement_move_the_start_of_interest() {
    let app = test_app().await;
    configure(
        &app,
        json!({"dailyInterestRate": 0.01, "taxRate": 0.5, "interestGraceDays": 2,
               "postponementEnabled": true, "invoicePostponementLimit": 1, "maxPostponementDays": 10}),
    )
    .await;
    let invoice = one_invoice(&app, "33.30").await;
    app.clock.advance_days(32);
    let graced = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(owed(&graced), expect("0.00", "0.00", "33.30", "Opened"));
    // One day past the grace: 0.333 → 0.33, tax 0.165 → 0.17 (half away from zero).
    app.clock.advance_days(1);
    let late = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(owed(&late), expect("0.33", "0.17", "33.80", "Opened"));
    app.ok(
        Method::PUT,
        &format!("{invoice}/postponement"),
        Some(json!({"dueDays": 5})),
    )
    .await;
    let postponed = app.ok(Method::GET, &invoice, None).await;
    assert_eq!(owed(&postponed), expect("0.00", "0.00", "33.30", "Opened"));
}

#[tokio::test]
async fn an_overdue_invoice_stops_new_pre_authorizations_until_it_is_postponed() {
    let app = test_app().await;
    configure(
        &app,
        json!({"overdueBlockDays": 3, "postponementEnabled": true,
               "invoicePostponementLimit": 1, "maxPostponementDays": 10}),
    )
    .await;
    let invoice = one_invoice(&app, "100.00").await;
    let id = invoice.rsplit('/').next().unwrap().to_owned();
    let hold = json!({"value": 10, "settle": true, "installments": 1});
    app.clock.advance_days(33);
    let (status, body) = app.hold("1_CPF", hold.clone()).await;
    assert_eq!(status, StatusCode::OK, "3 days late is allowed: {body}");

    app.clock.advance_days(1);
    let (status, body) = app.hold("1_CPF", hold.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["reason"], "overdue_invoices", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&id) && message.contains("4 days late"),
        "{message}"
    );
    let dry_run = app
        .ok(
            Method::POST,
            &format!("{ACCOUNTS}/1_CPF/transactions?dryRun=true"),
            Some(hold.clone()),
        )
        .await;
    assert_eq!(dry_run["accepted"], false, "{dry_run}");
    assert_eq!(dry_run["reason"], "overdue_invoices", "{dry_run}");

    app.ok(
        Method::PUT,
        &format!("{invoice}/postponement"),
        Some(json!({"dueDays": 5})),
    )
    .await;
    let (status, body) = app.hold("1_CPF", hold.clone()).await;
    assert_eq!(status, StatusCode::OK, "postponed, no longer late: {body}");

    // Turned off with null: late invoices no longer stop anything.
    app.clock.advance_days(20);
    let (status, _) = app.hold("1_CPF", hold.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    configure(&app, json!({"overdueBlockDays": null})).await;
    let (status, body) = app.hold("1_CPF", hold).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
