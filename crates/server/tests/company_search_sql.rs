//! The company-credit API's searches give the same answer translated to SQL by storage
//! (`db::company`) as core's `SearchCriteria::page` in memory, on this engine (SQLite, and
//! PostgreSQL when `CREDITDESK_TEST_POSTGRES_URL` is set): every field under every condition
//! with values drawn from the data and beside it, groups, sorts and pages — for the credit list
//! and for the history, whose figures SQL sums by window and whose types it writes from core's
//! table.

mod common;

use axum::http::Method;
use common::{test_app, Lcg, TestApp, ACCOUNTS};
use creditdesk_core::company::{self, CreditView, HistoryView, CREDIT_FIELDS, HISTORY_FIELDS};
use creditdesk_core::search_criteria::{Condition, Field, Kind, Record, SearchCriteria, Value};
use creditdesk_core::store_config::{Currency, StoreConfig};
use serde_json::{json, Value as Json};

const REST: &str = "/rest/V1/companyCredits";

async fn rest(app: &TestApp, method: Method, path: &str, body: Json) {
    let bearer = match &app.admin {
        common::Creds::Key(_, token) => format!("Bearer {token}"),
        common::Creds::None => unreachable!("the test app has an admin key"),
    };
    let (status, _, answer) = app
        .send_with(
            method,
            path,
            Some(&body.to_string()),
            &common::Creds::None,
            &[("authorization", bearer.as_str())],
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{path}: {answer}");
}

/// Comments and purchase orders with case, wildcards, a backslash and non-ASCII letters.
const COMMENTS: [&str; 6] = [
    "PO-77 Rush",
    "raised_for q4",
    "100% back\\slash",
    "ÉTÉ promo",
    "été promo",
    "Call back",
];

/// Six accounts through both APIs: limits set and changed, a currency of its own, exceed
/// limit, settlements, payments, balance operations — an hour apart.
async fn populate(app: &TestApp) {
    let mut rng = Lcg(15);
    for n in 1..=6u32 {
        let mut body = json!({"document": format!("9{n}"), "documentType": "CNPJ",
            "email": format!("c{n}@b2b.example"), "creditLimit": format!("{}", 300 * n)});
        if n % 3 == 0 {
            body["companyId"] = json!(format!("{}", 700 + n));
        }
        app.ok(Method::POST, ACCOUNTS, Some(body)).await;
        app.clock.advance_seconds(3600);
    }
    // Account 2 in its own currency, allowed past its limit; account 3's limit moved twice.
    rest(
        app,
        Method::PUT,
        &format!("{REST}/2"),
        json!({"creditLimit": {
        "currency_code": "USD", "exceed_limit": true, "credit_comment": COMMENTS[0]}}),
    )
    .await;
    for (limit, comment) in [("1200", COMMENTS[1]), ("850.50", COMMENTS[2])] {
        app.clock.advance_seconds(3600);
        rest(
            app,
            Method::PUT,
            &format!("{REST}/3"),
            json!({"creditLimit": {
            "currency_code": "BRL", "credit_limit": limit, "credit_comment": comment}}),
        )
        .await;
    }
    for n in [1u32, 2, 4, 5] {
        let account = format!("9{n}_CNPJ");
        let cents = 1000 + rng.next(20_000);
        let value = format!("{}.{:02}", cents / 100, cents % 100);
        let installments = 1 + (n as u16 % 3);
        let transaction = app.hold_and_settle(&account, &value, installments).await;
        app.clock.advance_seconds(3600);
        let invoice = format!("{ACCOUNTS}/{account}/invoices/{transaction}-01/payments");
        app.ok(Method::POST, &invoice, None).await;
        app.clock.advance_seconds(3600);
        let second = format!("{ACCOUNTS}/{account}/invoices/{transaction}-02");
        let transaction = format!("{ACCOUNTS}/{account}/transactions/{transaction}");
        match n {
            1 => {
                let (status, body) = app.call(Method::DELETE, &second, None).await;
                assert!(status.is_success(), "{status}: {body}");
            }
            4 => {
                let refund = json!({"value": "5.00"});
                app.ok(
                    Method::POST,
                    &format!("{transaction}/refunds"),
                    Some(refund),
                )
                .await;
            }
            5 => {
                // The whole value back: the unpaid installments are cancelled.
                let refund = json!({"value": value});
                app.ok(
                    Method::POST,
                    &format!("{transaction}/refunds"),
                    Some(refund),
                )
                .await;
            }
            _ => {}
        }
    }
    for (step, n) in [1u32, 3, 5, 2, 1, 6].into_iter().enumerate() {
        let currency = if n == 2 { "USD" } else { "BRL" };
        let operation = if step % 2 == 0 {
            "increaseBalance"
        } else {
            "decreaseBalance"
        };
        let comment = COMMENTS[step % COMMENTS.len()];
        let mut body = json!({"value": 10 + step as u32 * 7, "currency": currency,
            "operationType": if step % 2 == 0 { 4 } else { 2 }, "comment": comment});
        if step != 3 {
            body["options"] = json!({"purchase_order": COMMENTS[(step + 3) % COMMENTS.len()]});
        }
        rest(app, Method::POST, &format!("{REST}/{n}/{operation}"), body).await;
        app.clock.advance_seconds(1800);
    }
}

fn currency() -> Currency {
    StoreConfig::default().currency().clone()
}

/// Every credit, read whole and made views by core (the in-memory side).
async fn all_credits(app: &TestApp) -> Vec<CreditView> {
    let accounts = app.db.accounts_by_credit_id().await.unwrap();
    accounts
        .iter()
        .filter_map(|a| CreditView::of(a, &currency()))
        .collect()
}

/// Every history item, by core's running figures over each account's entries read whole.
async fn all_history(app: &TestApp) -> Vec<HistoryView> {
    let entries = app.db.numbered_entries(None).await.unwrap();
    let accounts = app.db.accounts_by_credit_id().await.unwrap();
    accounts
        .iter()
        .flat_map(|account| {
            let numbered = entries.get(&account.id).cloned().unwrap_or_default();
            company::account_history(account, &currency(), &numbered.entries, &numbered.ids)
        })
        .collect()
}

/// A cell as a filter value is written.
fn written(value: &Value) -> String {
    match value {
        Value::Integer(n) => n.to_string(),
        Value::Number(d) => d.to_string(),
        Value::Text(t) => t.clone(),
        Value::Boolean(b) => if *b { "1" } else { "0" }.to_owned(),
    }
}

/// Values to filter `field` by: some of the records' own (one in upper case), and values
/// beside them by the field's kind — fractions of a cent, beyond any amount, absent text.
fn candidates(field: Field, records: &[impl Record], rng: &mut Lcg) -> Vec<String> {
    let mut own: Vec<String> = records
        .iter()
        .filter_map(|r| r.cell(field.name))
        .map(|v| written(&v))
        .collect();
    own.sort();
    own.dedup();
    let mut out = Vec::new();
    for _ in 0..3 {
        if !own.is_empty() {
            out.push(own[rng.next(own.len() as u64) as usize].clone());
        }
    }
    if let Some(first) = out.first() {
        out.push(first.to_uppercase());
    }
    let beside: &[&str] = match field.kind {
        Kind::Integer => &["0", "-1", "3", "703", "99999999999"],
        Kind::Number => &[
            "0",
            "10.005",
            "-0.5",
            "1200",
            "-10.01",
            "99999999999999999999999",
            "-99999999999999999999999",
        ],
        Kind::Text => &["zzz", "BRL", "2026", "Call"],
        Kind::Boolean => &["1", "0", "true"],
    };
    out.extend(beside.iter().map(|s| (*s).to_owned()));
    out
}

/// `like` patterns from a value: itself, its start and end with `%`, a `_` for its second
/// character, wildcards and a backslash taken literally.
fn patterns(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = vec![
        value.to_owned(),
        "%".to_owned(),
        "%\\%".to_owned(),
        "%\\\\%".to_owned(),
    ];
    if chars.len() >= 2 {
        let start: String = chars[..2].iter().collect();
        let end: String = chars[chars.len() - 2..].iter().collect();
        let mut blank = chars.clone();
        blank[1] = '_';
        out.push(format!("{}%", start.to_uppercase()));
        out.push(format!("%{end}"));
        out.push(blank.into_iter().collect());
        out.push(format!("%{}_", chars[0]));
    }
    out
}

type Filter = (&'static str, &'static str, String);

/// The query pairs of groups of filters, sort orders and a page.
fn pairs(
    groups: &[Vec<Filter>],
    sorts: &[(&str, &str)],
    page: Option<(u32, u32)>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for (f, (field, condition, value)) in group.iter().enumerate() {
            let key =
                |part: &str| format!("searchCriteria[filter_groups][{g}][filters][{f}][{part}]");
            out.push((key("field"), (*field).to_owned()));
            out.push((key("condition_type"), (*condition).to_owned()));
            out.push((key("value"), value.clone()));
        }
    }
    for (s, (field, direction)) in sorts.iter().enumerate() {
        out.push((
            format!("searchCriteria[sortOrders][{s}][field]"),
            (*field).to_owned(),
        ));
        out.push((
            format!("searchCriteria[sortOrders][{s}][direction]"),
            (*direction).to_owned(),
        ));
    }
    if let Some((size, current)) = page {
        out.push(("searchCriteria[pageSize]".into(), size.to_string()));
        out.push(("searchCriteria[currentPage]".into(), current.to_string()));
    }
    out
}

/// One filter on each field under each condition, with its candidate values.
fn single_filters(fields: &[Field], records: &[impl Record], rng: &mut Lcg) -> Vec<Filter> {
    let mut out = Vec::new();
    for field in fields {
        let values = candidates(*field, records, rng);
        for condition in Condition::ALL {
            let name = condition.as_str();
            let given: Vec<String> = match condition {
                Condition::Like | Condition::Nlike => {
                    values.iter().take(2).flat_map(|v| patterns(v)).collect()
                }
                Condition::In | Condition::Nin => {
                    vec![
                        values[..values.len().min(3)].join(","),
                        values[values.len() - 2..].join(","),
                    ]
                }
                Condition::Null | Condition::Notnull => vec![String::new()],
                _ => values.clone(),
            };
            out.extend(given.into_iter().map(|v| (field.name, name, v)));
        }
    }
    out
}

/// Many searches of `fields` over `records`: each single filter, random groups with sorts and
/// pages, every field sorted both ways page by page. `check` compares one search.
async fn searches<R: Record>(
    fields: &[Field],
    records: &[R],
    seed: u64,
    mut check: impl AsyncFnMut(Vec<(String, String)>, SearchCriteria),
) -> u32 {
    let mut rng = Lcg(seed);
    let singles = single_filters(fields, records, &mut rng);
    let mut queries: Vec<Vec<(String, String)>> = singles
        .iter()
        .map(|f| pairs(&[vec![f.clone()]], &[], None))
        .collect();
    let directions = ["ASC", "DESC", ""];
    for _ in 0..300 {
        let mut groups: Vec<Vec<Filter>> = Vec::new();
        for _ in 0..rng.next(3) {
            let filters = 1 + rng.next(3);
            let group = (0..filters)
                .map(|_| singles[rng.next(singles.len() as u64) as usize].clone())
                .collect();
            groups.push(group);
        }
        let sorts: Vec<(&str, &str)> = (0..rng.next(3))
            .map(|_| {
                let field = fields[rng.next(fields.len() as u64) as usize].name;
                (field, directions[rng.next(3) as usize])
            })
            .collect();
        let page = (rng.next(2) == 0).then(|| (1 + rng.next(4) as u32, 1 + rng.next(4) as u32));
        queries.push(pairs(&groups, &sorts, page));
    }
    for field in fields {
        for direction in ["ASC", "DESC"] {
            for current in 1..=4 {
                queries.push(pairs(&[], &[(field.name, direction)], Some((7, current))));
            }
        }
    }
    let mut compared = 0;
    for query in queries {
        // What core refuses to read (a text where a number goes) is not a search.
        if let Ok(criteria) = SearchCriteria::read(&query, fields) {
            check(query, criteria).await;
            compared += 1;
        }
    }
    compared
}

/// SQL's page and count are core's: the ids first (a short message), then every field.
fn same<T: PartialEq + std::fmt::Debug>(
    query: Vec<(String, String)>,
    got: (Vec<T>, u64),
    want: (Vec<T>, u64),
    id: impl Fn(&T) -> i64,
) {
    let ids = |page: &(Vec<T>, u64)| (page.0.iter().map(&id).collect::<Vec<_>>(), page.1);
    let query: Vec<String> = query.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(ids(&got), ids(&want), "ids, total of {}", query.join("&"));
    assert_eq!(got, want, "items of {}", query.join("&"));
}

#[tokio::test]
async fn credit_searches_in_sql_answer_as_core_does_in_memory() {
    let app = test_app().await;
    populate(&app).await;
    let credits = all_credits(&app).await;
    assert_eq!(credits.len(), 6);
    let compared = searches(CREDIT_FIELDS, &credits, 7, async |query, criteria| {
        let (accounts, total) = app
            .db
            .search_company_credits(&criteria, &currency())
            .await
            .unwrap();
        let got: Vec<CreditView> = accounts
            .iter()
            .filter_map(|a| CreditView::of(a, &currency()))
            .collect();
        same(query, (got, total), criteria.page(credits.clone()), |c| {
            c.id.get().into()
        });
    })
    .await;
    assert!(compared > 1000, "{compared} searches");
}

#[tokio::test]
async fn history_searches_in_sql_answer_as_core_does_in_memory() {
    let app = test_app().await;
    populate(&app).await;
    let history = all_history(&app).await;
    // Every operation type is in the data, and the types run as core's table gives them.
    let types: std::collections::BTreeSet<u8> = history.iter().map(|h| h.operation).collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    let compared = searches(HISTORY_FIELDS, &history, 11, async |query, criteria| {
        let (got, total) = app
            .db
            .search_company_history(&criteria, &currency())
            .await
            .unwrap();
        same(query, (got, total), criteria.page(history.clone()), |h| {
            h.id
        });
    })
    .await;
    assert!(compared > 2000, "{compared} searches");
}

/// The largest search core reads — 20 groups of 20 filters, 1000 values, 20 sort orders —
/// runs on this engine (within its bounds on parameters and expression depth).
#[tokio::test]
async fn the_largest_search_core_reads_runs() {
    let app = test_app().await;
    populate(&app).await;
    let hundred: Vec<String> = (1..=100).map(|n| n.to_string()).collect();
    let query = |id: &'static str, other: &'static str| {
        let groups: Vec<Vec<Filter>> = (0..20)
            .map(|g| {
                (0..20)
                    .map(|f| match (g, f) {
                        (0, 0..10) => (id, "in", hundred.join(",")),
                        _ => (
                            other,
                            if f % 2 == 0 { "notnull" } else { "null" },
                            String::new(),
                        ),
                    })
                    .collect()
            })
            .collect();
        let sorts: Vec<(&str, &str)> = (0..20).map(|s| (id, ["ASC", "DESC"][s % 2])).collect();
        pairs(&groups, &sorts, Some((1000, 1)))
    };
    let credits = query("id", "credit_comment");
    let criteria = SearchCriteria::read(&credits, CREDIT_FIELDS).unwrap();
    let (accounts, total) = app
        .db
        .search_company_credits(&criteria, &currency())
        .await
        .unwrap();
    assert_eq!((accounts.len(), total), (6, 6));
    let history = query("company_credit_id", "purchase_order");
    let criteria = SearchCriteria::read(&history, HISTORY_FIELDS).unwrap();
    let (items, total) = app
        .db
        .search_company_history(&criteria, &currency())
        .await
        .unwrap();
    assert_eq!(total, all_history(&app).await.len() as u64);
    assert_eq!(items.len() as u64, total);
}
