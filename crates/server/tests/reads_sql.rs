//! Storage loads what core's `Book::loaded` says a command reads: for each command's `Reads`, the
//! book read through SQL equals the whole account's book loaded in memory — on SQLite, and on
//! PostgreSQL in that pass. (Core's engine tests show each command needs no more than its reads.)

mod common;

use axum::http::{Method, StatusCode};
use creditdesk_core::book::Book;
use creditdesk_core::ids::{AccountId, InvoiceId, StatementId, TransactionId};
use creditdesk_core::reads::{Read, Reads};
use creditdesk_core::Timestamp;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/creditcontrol/accounts";

async fn ok(app: &common::TestApp, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = app
        .send(method, path, Some(&body.to_string()), &app.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    answer
}

async fn hold(app: &common::TestApp, body: Value) -> TransactionId {
    let answer = ok(
        app,
        Method::POST,
        &format!("{ACCOUNTS}/1_CPF/transactions"),
        body,
    )
    .await;
    answer["id"].as_str().unwrap().parse().unwrap()
}

/// 90 held and settled in 3 installments; the transaction's id.
async fn settled_in_three(app: &common::TestApp) -> TransactionId {
    let settled = hold(app, json!({"value": 90, "settle": true, "installments": 3})).await;
    let path = format!("{ACCOUNTS}/1_CPF/transactions/{settled}/settlement");
    ok(app, Method::PUT, &path, json!({"value": 90})).await;
    settled
}

/// The same book with its lists in one order (SQL and memory may list them differently).
fn sorted(mut book: Book) -> Book {
    book.transactions.sort_by(|a, b| a.id.cmp(&b.id));
    book.invoices.sort_by(|a, b| a.id.cmp(&b.id));
    book.holders.sort_by(|a, b| a.id.cmp(&b.id));
    book
}

#[tokio::test]
async fn storage_loads_exactly_what_each_command_reads() {
    let app = common::test_app_with_account().await;
    let account: AccountId = "1_CPF".parse().unwrap();
    for email in ["h1@b.co", "h2@b.co"] {
        let body = json!({"claims": {"email": email}});
        ok(
            &app,
            Method::POST,
            &format!("{ACCOUNTS}/1_CPF/holders"),
            body,
        )
        .await;
    }
    let settled = settled_in_three(&app).await;
    let paid = InvoiceId::new(&settled, 1);
    let path = format!("{ACCOUNTS}/1_CPF/invoices/{paid}/payments");
    ok(&app, Method::POST, &path, json!({})).await;
    let expiring = hold(&app, json!({"value": 10})).await;
    let cancelled = hold(&app, json!({"value": 5})).await;
    let path = format!("{ACCOUNTS}/1_CPF/transactions/{cancelled}");
    let (status, answer) = app.send(Method::DELETE, &path, None, &app.admin).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let active = hold(&app, json!({"value": 20, "settle": true})).await;
    let statement: StatementId = "fee-1".parse().unwrap();
    let path = format!("{ACCOUNTS}/1_CPF/statements/{statement}");
    ok(&app, Method::PUT, &path, json!({"value": -3})).await;

    // Read two days on, after the unsettled hold's day: it counts as expired, not yet swept.
    let now = Timestamp::from_unix_micros(app.clock.now_us())
        .unwrap()
        .plus_days(2)
        .unwrap();
    let transactions = [&settled, &expiring, &cancelled, &active];
    let mut everything = vec![Read::RecentTransactions, Read::Holders, Read::Entries];
    everything.extend(
        transactions
            .iter()
            .map(|t| Read::TransactionInvoices((*t).clone())),
    );
    let whole = app
        .db
        .read_book(&account, &Reads::of(&everything), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            whole.transactions.len(),
            whole.invoices.len(),
            whole.holders.len()
        ),
        (4, 3, 2),
        "the whole account is read"
    );
    assert!(whole.entries.len() >= 4, "{:?}", whole.entries);

    let cases = [
        Reads::account(),
        Reads::close(),
        Reads::holders(),
        Reads::hold(&active),
        Reads::hold(&expiring),
        Reads::settlement(&settled),
        Reads::invoice(&paid),
        Reads::invoice(&InvoiceId::new(&settled, 2)),
        Reads::debit(&statement),
        Reads::debit(&"fee-2".parse().unwrap()),
        Reads::statement(),
        Reads::expiry(),
        Reads::transaction_list(),
        Reads::of(&[Read::OldestOpenInvoice]),
        Reads::overdue(),
        Reads::of(&[Read::NewlyOverdue, Read::OldestOpenInvoice]),
    ];
    for reads in cases {
        let stored = app
            .db
            .read_book(&account, &reads, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            sorted(stored),
            sorted(whole.loaded(&reads, now)),
            "{reads:?}: SQL (left) and core's Book::loaded (right)"
        );
    }
}

async fn scalar(db: &creditdesk_server::db::Db, sql: &str) -> i64 {
    let (n,): (i64,) = db.pool().fetch_one(sql, Vec::new()).await.unwrap();
    n
}

async fn execute(db: &creditdesk_server::db::Db, sql: &str) {
    db.pool().execute(sql, Vec::new()).await.unwrap();
}

/// A stored book that breaks core's invariants (here: a damaged invoice) is neither used nor
/// written by a command that reads the broken part; the answer is a logged server fault, and
/// commands that read other parts go on.
#[tokio::test]
async fn a_book_that_breaks_an_invariant_is_never_written() {
    let app = common::test_app_with_account().await;
    let settled = settled_in_three(&app).await;
    execute(
        &app.db,
        "UPDATE invoices SET value_minor = value_minor + 1 WHERE installment = 2",
    )
    .await;
    let counts = "SELECT CAST((SELECT COUNT(*) FROM entries) * 1000000 + (SELECT SUM(value_minor + credit_value_minor) FROM invoices) AS BIGINT)";
    let before = scalar(&app.db, counts).await;

    let path = format!("{ACCOUNTS}/1_CPF/transactions/{settled}/refunds");
    let (status, answer) = app
        .send(
            Method::POST,
            &path,
            Some(&json!({"value": 10}).to_string()),
            &app.admin,
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{answer}");
    assert_eq!(answer["error"]["code"], "internal", "{answer}");
    assert_eq!(scalar(&app.db, counts).await, before, "nothing was written");

    let path = format!("{ACCOUNTS}/1_CPF/creditlimit");
    ok(&app, Method::PUT, &path, json!({"value": 2000})).await;
}
