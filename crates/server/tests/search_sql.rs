//! Core's search filters give the same answer evaluated in memory (`creditdesk_core::search`)
//! and translated to SQL by the server, on this engine.

mod common;

use common::{test_app, Lcg};
use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{ChangeInvoice, CreateHold, OpenAccount};
use creditdesk_core::ids::{Actor, TransactionId};
use creditdesk_core::invoice::{Invoice, InvoiceStatus};
use creditdesk_core::search::{AccountFilter, InvoiceFilter};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::Timestamp;
use creditdesk_server::db::books::Reads;
use creditdesk_server::db::StorageError;
use serde_json::json;

fn day(d: u64) -> Timestamp {
    "2024-01-01T00:00:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .plus_days(d as u32)
        .unwrap()
}

const OBSERVATIONS: [&str; 4] = ["Black Friday", "call back", "ÉTÉ promo", "50%_off"];

/// Writes invoices across 4 accounts at chosen times; returns every invoice as stored.
async fn populate(app: &common::TestApp, rng: &mut Lcg) -> Vec<Invoice> {
    let config = StoreConfig::default();
    let actor: Actor = "test".parse().unwrap();
    let mut all = Vec::new();
    let mut tx = 0u8;
    for account in 1..=4 {
        let open = OpenAccount::from_json(
            &json!({"document": account.to_string(), "documentType": "CPF",
            "email": format!("buyer{account}@example.com"), "creditLimit": "100000"}),
        )
        .unwrap();
        let id = open.account_id();
        let who = (actor.clone(), config.clone());
        app.db
            .with_book(&id, &Reads::account(), day(0), move |book| {
                let (actor, config) = &who;
                *book = Some(Book::open(
                    &open,
                    &Ctx {
                        now: day(0),
                        actor,
                        config,
                    },
                ));
                Ok::<_, StorageError>(())
            })
            .await
            .unwrap();
        for _ in 0..12 {
            tx += 1;
            let now = day(rng.next(60));
            let installments = 1 + rng.next(4) as u16;
            let cents = 100 * installments as u64 + rng.next(5) * 100 + rng.next(3);
            let value = format!("{}.{:02}", cents / 100, cents % 100);
            let hold = CreateHold::from_json(
                &json!({"value": value, "settle": true, "installments": installments}),
                now,
            )
            .unwrap();
            let tid = TransactionId::from_bytes([tx; 16]);
            let mut statuses = Vec::new();
            for _ in 0..installments {
                statuses.push(rng.next(4));
            }
            let observation = OBSERVATIONS[rng.next(4) as usize];
            let who = (actor.clone(), config.clone());
            let invoices = app
                .db
                .with_book(&id, &Reads::settlement(&tid), now, move |book| {
                    let (actor, config) = &who;
                    let ctx = Ctx { now, actor, config };
                    let book = book.as_mut().unwrap();
                    book.create_hold(&hold, tid.clone(), &ctx).unwrap();
                    book.settle(
                        &tid,
                        value.parse().unwrap(),
                        &"Srch1234".parse().unwrap(),
                        &ctx,
                    )
                    .unwrap();
                    let ids: Vec<_> = book
                        .invoices
                        .iter()
                        .filter(|i| i.transaction_id == tid)
                        .map(|i| i.id.clone())
                        .collect();
                    for (invoice, status) in ids.iter().zip(&statuses) {
                        match status {
                            0 => {
                                common::pay_all(book, invoice, &ctx).unwrap();
                            }
                            1 => {
                                book.cancel_invoice(invoice, &ctx).unwrap();
                            }
                            2 => {
                                let change = ChangeInvoice {
                                    status: InvoiceStatus::Opened,
                                    observation: Some(observation.into()),
                                    payment_link: None,
                                };
                                book.change_invoice(invoice, &change, &common::locators(), &ctx)
                                    .unwrap();
                            }
                            _ => {}
                        }
                    }
                    Ok::<_, StorageError>(
                        book.invoices
                            .iter()
                            .filter(|i| i.transaction_id == tid)
                            .cloned()
                            .collect::<Vec<_>>(),
                    )
                })
                .await
                .unwrap();
            all.extend(invoices);
        }
    }
    all
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn invoice_filters_agree_in_memory_and_in_sql() {
    let app = test_app().await;
    let mut rng = Lcg(7);
    let invoices = populate(&app, &mut rng).await;
    assert!(
        invoices.len() > 60,
        "enough invoices to compare: {}",
        invoices.len()
    );

    let mut queries: Vec<String> = [
        "",
        "to=1000",
        "from=5&to=9",
        "status=Opened",
        "status=Paid,Cancelled",
        "op=or",
        "createdDateFrom=2024-01-10&createdDateTo=2024-01-20",
        "createdDateTo=2024-01-15T12:00:00Z",
        "dueDateFrom=2024-03-01",
        "dueDateTo=2024-02-15&status=Opened",
        "value=100.00",
        "observation=black",
        "observation=%C3%A9t%C3%A9",
        "observation=50%25_",
        "observation=%25",
        "creditAccountId=2_CPF",
        "creditAccountId=2_CPF&op=or&status=Paid",
        "friendlyId=Srch1234-2&to=1000",
        "value=100.00&status=Opened&op=or&to=1000",
        "createdDateFrom=2024-02-01&creditAccountId=3_CPF&to=50",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // And random combinations.
    let parameters = [
        "createdDateFrom",
        "createdDateTo",
        "dueDateFrom",
        "dueDateTo",
        "status",
        "creditAccountId",
        "value",
        "observation",
    ];
    for _ in 0..60 {
        let mut query = Vec::new();
        for parameter in &parameters {
            if rng.next(3) != 0 {
                continue;
            }
            let value = match *parameter {
                "status" => {
                    ["Opened", "Paid", "Cancelled", "Opened,Paid"][rng.next(4) as usize].to_owned()
                }
                "creditAccountId" => format!("{}_CPF", 1 + rng.next(5)),
                "value" => format!("{}.00", 100 + rng.next(5) * 100),
                "observation" => ["call", "FRIDAY", "promo", "x"][rng.next(4) as usize].to_owned(),
                _ => day(rng.next(150)).to_string().replace(':', "%3A"),
            };
            query.push(format!("{parameter}={value}"));
        }
        if rng.next(2) == 0 {
            query.push("op=or".into());
        }
        let from = 1 + rng.next(30);
        query.push(format!("from={from}&to={}", from + rng.next(40)));
        queries.push(query.join("&"));
    }

    for query in &queries {
        let filter =
            InvoiceFilter::from_query(&pairs(query)).unwrap_or_else(|e| panic!("{query}: {e}"));
        let (memory_page, memory_summary) = filter.search(&invoices);
        let (sql_page, sql_summary) = app.db.search_invoices(&filter).await.unwrap();
        let memory_ids: Vec<_> = memory_page.iter().map(|i| i.id.to_string()).collect();
        let sql_ids: Vec<_> = sql_page.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(sql_ids, memory_ids, "{query}: page");
        assert_eq!(sql_summary, memory_summary, "{query}: summary");
        for (stored, expected) in sql_page.iter().zip(memory_page) {
            assert_eq!(
                stored, expected,
                "{query}: the stored invoice reads back whole"
            );
        }
    }
}

#[tokio::test]
async fn account_filters_agree_in_memory_and_in_sql() {
    let app = test_app().await;
    let mut rng = Lcg(11);
    populate(&app, &mut rng).await;
    let config = StoreConfig::default();
    let actor: Actor = "test".parse().unwrap();
    let id: creditdesk_core::ids::AccountId = "3_CPF".parse().unwrap();
    app.db
        .with_book(&id, &Reads::close(), day(200), move |book| {
            let book = book.as_mut().unwrap();
            let ids: Vec<_> = book.invoices.iter().map(|i| i.id.clone()).collect();
            let ctx = Ctx {
                now: day(200),
                actor: &actor,
                config: &config,
            };
            for invoice in ids {
                common::pay_all(book, &invoice, &ctx).unwrap();
            }
            book.close(&ctx).unwrap();
            Ok::<_, StorageError>(())
        })
        .await
        .unwrap();
    let mut accounts = Vec::new();
    for n in 1..=4 {
        let id = format!("{n}_CPF").parse().unwrap();
        accounts.push(
            app.db
                .read_book(&id, &Reads::account(), day(200))
                .await
                .unwrap()
                .unwrap()
                .account,
        );
    }
    for query in [
        "",
        "status=Open",
        "status=Closed",
        "email=BUYER2@example.com",
        "email=buyer3@example.com&status=Open",
        "from=2&to=3",
        "from=4",
    ] {
        let filter = AccountFilter::from_query(&pairs(query)).unwrap();
        let matching: Vec<String> = accounts
            .iter()
            .filter(|a| filter.matches(a))
            .map(|a| a.id.to_string())
            .collect();
        let (page, count) = app
            .db
            .search_accounts(&filter, day(200), false)
            .await
            .unwrap();
        assert_eq!(count, matching.len() as u64, "{query}: count");
        let expected: Vec<String> = matching
            .into_iter()
            .skip(filter.page.offset() as usize)
            .take(filter.page.size() as usize)
            .collect();
        let got: Vec<String> = page.iter().map(|a| a.id.clone()).collect();
        assert_eq!(got, expected, "{query}");
    }
}

/// `invoice_totals` — what whole-store summaries read — always equals the invoices it counts:
/// after settlements, after a later command pays and cancels some, and when migration 0010
/// builds it from invoices already there.
#[tokio::test]
async fn invoice_totals_count_what_the_invoices_hold() {
    let app = test_app().await;
    let mut rng = Lcg(5);
    populate(&app, &mut rng).await;
    let id: creditdesk_core::ids::AccountId = "2_CPF".parse().unwrap();
    app.db
        .with_book(&id, &Reads::close(), day(100), move |book| {
            let book = book.as_mut().unwrap();
            let actor: Actor = "test".parse().unwrap();
            let config = StoreConfig::default();
            let ctx = Ctx {
                now: day(100),
                actor: &actor,
                config: &config,
            };
            let open: Vec<_> = book
                .invoices
                .iter()
                .filter(|i| i.status == InvoiceStatus::Opened)
                .map(|i| i.id.clone())
                .collect();
            assert!(open.len() >= 2, "open invoices to change: {}", open.len());
            for (n, invoice) in open.iter().enumerate() {
                if n % 2 == 0 {
                    common::pay_all(book, invoice, &ctx).unwrap();
                } else {
                    book.cancel_invoice(invoice, &ctx).unwrap();
                }
            }
            Ok::<_, StorageError>(())
        })
        .await
        .unwrap();
    let counted = "SELECT status, CAST(SUM(invoice_count) AS BIGINT), CAST(SUM(value_minor) AS BIGINT) \
                   FROM invoice_totals GROUP BY status HAVING SUM(invoice_count) <> 0 ORDER BY status";
    let actual = "SELECT status, COUNT(*), CAST(SUM(value_minor) AS BIGINT) FROM invoices \
                  GROUP BY status ORDER BY status";
    let rows = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let rows: Vec<(String, i64, i64)> = db.pool().fetch_all(sql, Vec::new()).await.unwrap();
            rows
        }
    };
    let invoices = rows(actual).await;
    assert_eq!(invoices.len(), 3, "every status present: {invoices:?}");
    assert_eq!(rows(counted).await, invoices);

    // The migration counts invoices written before it.
    for sql in [
        "DELETE FROM invoice_totals",
        "DELETE FROM _sqlx_migrations WHERE version = 10",
        "DROP TABLE invoice_totals",
    ] {
        app.db.pool().execute(sql, Vec::new()).await.unwrap();
    }
    let upgraded = creditdesk_server::db::Db::connect(
        &app.database_url,
        creditdesk_server::db::Synchronous::Full,
    )
    .await
    .unwrap();
    let (n,): (i64,) = upgraded
        .pool()
        .fetch_one(
            "SELECT COUNT(DISTINCT shard) FROM invoice_totals",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(n, 1, "counted in one shard");
    let again: Vec<(String, i64, i64)> = upgraded
        .pool()
        .fetch_all(counted, Vec::new())
        .await
        .unwrap();
    assert_eq!(again, invoices);
}
