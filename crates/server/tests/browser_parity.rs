//! The admin's "Use in this browser" answers from core's in-memory [`Ledger`]; the server answers
//! from SQL. A store built in memory by core's engine is imported through the API
//! (`POST /api/creditdesk/books`), then every read the admin makes is asked of both, and the JSON
//! must be the same: account searches, invoice searches with their summaries, the dashboard, and
//! each account's view, transactions, holders, invoices and statement, and the billing-credits
//! lists.

mod common;

use axum::http::{Method, StatusCode};
use common::{assert_error, test_app_with, Lcg, TestApp};
use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{ChangeInvoice, CreateHold, OpenAccount};
use creditdesk_core::ids::{Actor, FriendlyCode, HolderId, TransactionId};
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::memory::{Dump, Ledger, DUMP_FORMAT};
use creditdesk_core::ops;
use creditdesk_core::search::{AccountFilter, CreditFilter, CreditScope, InvoiceFilter};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{HolderList, HolderView, StatementView, TransactionList};
use creditdesk_core::Timestamp;
use serde_json::{json, Value};

const ACCOUNTS: u64 = 12;
const DAYS: u32 = 90;

fn id_bytes(n: u64) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[8..].copy_from_slice(&n.to_be_bytes());
    bytes
}

/// A store of [`ACCOUNTS`] buyers over [`DAYS`] days, built by core's engine alone: holds (some
/// left to expire), settlements in installments, payments, cancellations, refunds, limit
/// changes, holders, a closed account. Every command through `Ledger::with_book`, as the
/// browser's engine runs them.
fn build(start: Timestamp, rng: &mut Lcg) -> Ledger {
    let mut ledger = Ledger::new();
    let config = StoreConfig::default()
        .apply_update(
            &json!({"toleranceEnabled": true, "postponementEnabled": true,
            "maxPostponementDays": 30, "invoicePostponementLimit": 2, "shortfallTolerance": 0.05,
            "dailyInterestRate": 0.002, "taxRate": 0.15, "interestGraceDays": 1}),
        )
        .unwrap();
    ledger.set_config(config.clone());
    let actor: Actor = "parity".parse().unwrap();
    let mut serial = 0u64;
    for day in 0..DAYS {
        let seconds = rng.next(80_000) as i64;
        let now = Timestamp::from_unix_micros(
            start.plus_days(day).unwrap().unix_micros() + seconds * 1_000_000,
        )
        .unwrap();
        let ctx = Ctx {
            now,
            actor: &actor,
            config: &config,
        };
        let account = 1 + rng.next(ACCOUNTS);
        let open = OpenAccount::from_json(&json!({
            "document": format!("{account:03}"), "documentType": "CPF",
            "email": format!("buyer{account}@example.com"),
            "creditLimit": 500 + 250 * (account % 5), "tolerance": "0.1"
        }))
        .unwrap();
        let id = open.account_id();
        let _ = ledger.with_book(&id, |slot| ops::open(slot, &open, &ctx));
        serial += 1;
        let hold = CreateHold::from_json(
            &json!({"value": 10 + rng.next(300), "settle": rng.next(4) != 0,
                "installments": 1 + rng.next(4), "orderId": format!("order-{serial}")}),
            now,
        )
        .unwrap();
        let transaction = TransactionId::from_bytes(id_bytes(serial));
        let held = ledger.with_book(&id, |slot| {
            ops::hold(slot, &id, &hold, transaction.clone(), &ctx).map(|_| ())
        });
        if held.is_ok() && rng.next(3) != 0 {
            let code: FriendlyCode = format!("Par{serial:05}").parse().unwrap();
            let _ = ledger.with_book(&id, |slot| {
                let book = slot.as_mut().unwrap();
                book.settle(&transaction, hold.value, &code, &ctx)
                    .map(|_| ())
            });
        }
        // Something happens to an older invoice of some account.
        let other = format!("{:03}_CPF", 1 + rng.next(ACCOUNTS))
            .parse()
            .unwrap();
        let _ = ledger.with_book(&other, |slot| {
            let Some(book) = slot.as_mut() else {
                return Ok(());
            };
            let open: Vec<_> = book
                .invoices
                .iter()
                .filter(|i| i.status == InvoiceStatus::Opened)
                .map(|i| (i.id.clone(), i.transaction_id.clone()))
                .collect();
            if open.is_empty() {
                return Ok(());
            }
            let (invoice, transaction) = open[rng.next(open.len() as u64) as usize].clone();
            let part = creditdesk_core::commands::Pay {
                value: Some("1".parse().unwrap()),
                reference: None,
            };
            match rng.next(9) {
                0 | 1 => common::pay_all(book, &invoice, &ctx).map(|_| ()),
                // Credits in part: an invoice that stays open owing less, one written off, one
                // paid in part and then cancelled (the summaries count what each still owes).
                6 => book
                    .pay(&invoice, &part, &common::locators(), &ctx)
                    .map(|_| ()),
                7 => {
                    let reason = creditdesk_core::commands::CreditReason {
                        reason: "settled by phone".into(),
                    };
                    let locator = common::locators().payment;
                    book.write_off(&invoice, &reason, &locator, &ctx)
                        .map(|_| ())
                }
                // Paid in two parts, the second leaving a cent (written off: a shortfall),
                // then the first reversed: open, owing it, with the cent still written off;
                // cancelled on every other such invoice.
                8 => {
                    let first = common::locators();
                    book.pay(&invoice, &part, &first, &ctx)?;
                    let left = book
                        .invoices
                        .iter()
                        .find(|i| i.id == invoice)
                        .unwrap()
                        .remaining();
                    if left.minor() > 1 {
                        let almost = creditdesk_core::commands::Pay {
                            value: Some(creditdesk_core::Money::saturating_from_minor(
                                left.minor() - 1,
                            )),
                            reference: None,
                        };
                        book.pay(&invoice, &almost, &common::locators(), &ctx)?;
                        let reason = creditdesk_core::commands::CreditReason {
                            reason: "bounced".into(),
                        };
                        book.reverse_credit(&first.payment, &reason, &ctx)?;
                    }
                    if rng.next(2) == 0 {
                        book.cancel_invoice(&invoice, &ctx)?;
                    }
                    Ok(())
                }
                2 => book.cancel_invoice(&invoice, &ctx).map(|_| ()),
                3 => book.postpone_invoice(&invoice, 5, &ctx).map(|_| ()),
                4 => book.refund(&transaction, "5".parse().unwrap(), &ctx),
                _ => {
                    let change = ChangeInvoice::from_json(&json!({"observation": "called"}))?;
                    book.change_invoice(&invoice, &change, &common::locators(), &ctx)
                        .map(|_| ())
                }
            }
        });
        if day % 20 == 7 {
            let _ = ledger.with_book(&id, |slot| {
                let email = format!("holder{day}@example.com").parse().unwrap();
                let holder = HolderId::from_bytes(id_bytes(10_000 + u64::from(day)));
                slot.as_mut()
                    .unwrap()
                    .add_holder(&email, holder, &ctx)
                    .map(|_| ())
            });
        }
    }
    // One account with no debt, closed.
    let now = start.plus_days(DAYS).unwrap();
    let ctx = Ctx {
        now,
        actor: &actor,
        config: &config,
    };
    let open = OpenAccount::from_json(&json!({"document": "999", "documentType": "CPF",
        "email": "gone@example.com", "creditLimit": 100}))
    .unwrap();
    let id = open.account_id();
    ledger
        .with_book(&id, |slot| {
            ops::open(slot, &open, &ctx)?;
            slot.as_mut().unwrap().close(&ctx)
        })
        .unwrap();
    ledger
}

async fn import(app: &TestApp, dump: &Dump) {
    let (status, body) = app
        .put(
            "/api/creditcontrol/storeconfig",
            &serde_json::to_string(&dump.store_config).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for book in &dump.books {
        let body = serde_json::to_string(book).unwrap();
        let (status, answer) = app
            .send(
                Method::POST,
                "/api/creditdesk/books",
                Some(&body),
                &app.admin,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", book.account.id);
    }
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn json_of(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

#[tokio::test]
async fn the_browser_engine_and_the_server_answer_alike() {
    let app = test_app_with(|_| {}).await;
    let start = Timestamp::from_unix_micros(app.clock.now_us()).unwrap();
    let ledger = build(start, &mut Lcg(11));
    let dump = ledger.dump();
    dump.check().unwrap();
    let invoices: usize = dump.books.iter().map(|b| b.invoices.len()).sum();
    assert!(invoices > 40, "enough invoices to compare: {invoices}");
    import(&app, &dump).await;

    // Compare at a moment after everything (some holds expired, some invoices overdue).
    app.clock.advance_days(i64::from(DAYS) + 3);
    let now = Timestamp::from_unix_micros(app.clock.now_us()).unwrap();
    let actor: Actor = "parity".parse().unwrap();
    let ctx = Ctx {
        now,
        actor: &actor,
        config: ledger.config(),
    };

    let (status, dashboard) = app.get("/api/creditdesk/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dashboard, json_of(ledger.dashboard(now)), "dashboard");

    for query in [
        "",
        "status=Open",
        "status=Closed",
        "from=3&to=7",
        "email=BUYER3%40example.com",
        "document=004&op=or&status=Closed",
        "to=100",
    ] {
        let filter = AccountFilter::from_query(&pairs(query)).unwrap();
        let (status, answer) = app
            .get(&format!("/api/creditcontrol/accounts?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        assert_eq!(
            answer,
            json_of(ledger.accounts(&filter, now)),
            "accounts?{query}"
        );
    }
    for query in [
        "",
        "to=1000",
        "status=Opened",
        "status=Paid,Cancelled&to=500",
        "observation=call&op=or&status=Cancelled",
        "creditAccountId=003_CPF&to=200",
        "dueDateTo=2100-01-01&status=Opened&from=2&to=9",
    ] {
        let filter = InvoiceFilter::from_query(&pairs(query)).unwrap();
        let (status, answer) = app
            .get(&format!("/api/creditcontrol/invoices?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        assert_eq!(
            answer,
            json_of(ledger.invoices(&filter, now)),
            "invoices?{query}"
        );
    }

    let (_, store) = app.get("/api/creditdesk/store").await;
    let tenant = store["tenantLocator"].as_str().unwrap();
    let credits: usize = dump.books.iter().map(|b| b.credits.len()).sum();
    assert!(credits > 20, "enough credits to compare: {credits}");
    for (list, scope, query) in [
        ("credits", CreditScope::Store, ""),
        ("credits", CreditScope::Store, "extended=true&count=1000"),
        ("credits", CreditScope::Store, "offset=7&count=5"),
        (
            "credits",
            CreditScope::Store,
            "accountLocator=003_CPF&extended=true",
        ),
        ("shortfallCredits", CreditScope::Shortfalls, ""),
        (
            "shortfallCredits",
            CreditScope::Shortfalls,
            "offset=1&count=2",
        ),
    ] {
        let filter = CreditFilter::from_query(&pairs(query), &scope).unwrap();
        let path = format!("/billing/{tenant}/{list}/list?{query}");
        let (status, answer) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        assert_eq!(answer, json_of(ledger.credits(&filter)), "{path}");
    }

    for book in &dump.books {
        let id = &book.account.id;
        let book: &Book = ledger.book(id).unwrap();
        let path = format!("/api/creditcontrol/accounts/{id}");
        let (_, account) = app.get(&path).await;
        assert_eq!(account, json_of(ops::account_view(book, &ctx)), "{path}");
        let (_, statement) = app.get(&format!("{path}/statements")).await;
        assert_eq!(
            statement,
            json_of(StatementView::from(&book.statement(None, None))),
            "{id}"
        );
        let mut filter = InvoiceFilter::from_query(&pairs("to=1000")).unwrap();
        filter.account = Some(id.clone());
        let (_, list) = app.get(&format!("{path}/invoices?to=1000")).await;
        assert_eq!(
            list,
            json_of(ledger.invoices(&filter, now)),
            "{id} invoices"
        );
        let (_, list) = app
            .get(&format!("/api/creditdesk/accounts/{id}/transactions"))
            .await;
        assert_eq!(
            list,
            json_of(TransactionList::of(&book.transactions, now)),
            "{id}"
        );
        for invoice in book.invoices.iter().filter(|i| i.has_credits()) {
            let scope = CreditScope::Invoice(invoice.id.clone());
            let query = "includeReversed=true&extended=true";
            let filter = CreditFilter::from_query(&pairs(query), &scope).unwrap();
            let path = format!(
                "/billing/{tenant}/invoices/{}/credits/list?{query}",
                invoice.id
            );
            let (_, list) = app.get(&path).await;
            assert_eq!(list, json_of(ledger.credits(&filter)), "{path}");
        }
        let (_, list) = app
            .get(&format!("/api/creditdesk/accounts/{id}/holders"))
            .await;
        let holders = HolderList {
            data: book.holders.iter().map(HolderView::from).collect(),
        };
        assert_eq!(list, json_of(holders), "{id} holders");
    }
}

#[tokio::test]
async fn an_import_takes_each_account_once_and_only_whole_books() {
    let app = test_app_with(|_| {}).await;
    let start = Timestamp::from_unix_micros(app.clock.now_us()).unwrap();
    let dump = build(start, &mut Lcg(3)).dump();
    let first = serde_json::to_string(&dump.books[0]).unwrap();
    let post = |body: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/creditdesk/books",
                Some(&body),
                &app.admin,
            )
            .await
        }
    };
    let (status, body) = post(first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["imported"], true);
    // The same account again: refused, and left as it was.
    let (status, body) = post(first.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["reason"], "account_exists");

    // A book whose balance its entries do not explain is refused, nothing written.
    let mut broken = dump.books[1].clone();
    broken.account.balance = "-1.00".parse().unwrap();
    let (status, body) = post(serde_json::to_string(&broken).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "validation_failed");
    assert_eq!(body["error"]["fields"][0]["field"], "book");
    let (status, _) = app
        .get(&format!(
            "/api/creditcontrol/accounts/{}",
            broken.account.id
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another account's invoice inside a book, an unknown field, a bad amount: refused.
    let mut foreign = dump.books[2].clone();
    if let Some(invoice) = dump
        .books
        .iter()
        .flat_map(|b| &b.invoices)
        .find(|i| i.account_id != foreign.account.id)
    {
        foreign.invoices.push(invoice.clone());
    }
    let mut unknown = json_of(&dump.books[3]);
    unknown["account"]["nickname"] = json!("x");
    let mut digits = json_of(&dump.books[3]);
    digits["account"]["creditLimit"] = json!("10.001");
    // Free text the API's readers refuse is refused in a book too: a script as the Pay
    // button's link, a line break into a reminder email (issue 30).
    let with_invoice = dump.books.iter().find(|b| !b.invoices.is_empty()).unwrap();
    let mut script = json_of(with_invoice);
    script["invoices"][0]["paymentLink"] = json!("javascript:alert(document.cookie)");
    let mut header = json_of(with_invoice);
    header["invoices"][0]["orderId"] = json!("o-1\r\nBcc: everyone@example.com");
    for body in [
        json_of(&foreign),
        unknown,
        digits,
        json!({"account": 1}),
        script,
        header,
    ] {
        let (status, answer) = post(body.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["fields"][0]["field"], "book", "{answer}");
    }

    // Only Main Access imports.
    let reader = app
        .key(&[creditdesk_server::auth::Resource::ReadCheckingAccounts])
        .await;
    let (status, _) = app
        .send(Method::POST, "/api/creditdesk/books", Some(&first), &reader)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A dump names its format.
    let mut other = dump.clone();
    other.format = "something-else".into();
    assert!(other.check().unwrap_err().contains(DUMP_FORMAT));
}
