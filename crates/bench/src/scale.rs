//! A store at scale: accounts, each with one settlement of many installments, written through the
//! server's own storage code (core's `Book` and `Db::with_book`, the path every API command takes),
//! then queried over HTTP.

use std::sync::Arc;
use std::time::Instant;

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount};
use creditdesk_core::ids::{AccountId, Actor, FriendlyCode, TransactionId};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{Money, Timestamp};
use creditdesk_server::db::books::Reads;
use creditdesk_server::db::Db;
use creditdesk_server::db::Synchronous;
use rand::{Rng, RngCore};
use serde_json::json;

use crate::http::Api;
use crate::load::Sample;

/// Installments per account's settlement: `accounts × INSTALLMENTS` invoices.
pub const INSTALLMENTS: u16 = 20;

/// What the loaded store holds, for queries to aim at.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub accounts: u32,
    pub invoices: u64,
    pub friendly_codes: Vec<String>,
    pub seconds: f64,
    /// The creation days span `[first_day, now]`.
    pub now: Timestamp,
}

pub fn scale_account(n: u32) -> String {
    format!("{:011}_CPF", 20_000_000_000u64 + u64::from(n))
}

/// Writes `accounts` accounts, each opened, held and settled into [`INSTALLMENTS`] invoices, on
/// days spread over the past year (so date filters have something to choose from).
pub async fn load(url: &str, accounts: u32, writers: u32) -> anyhow::Result<Loaded> {
    let db = Db::connect(url, Synchronous::Normal).await?;
    let now_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as i64;
    let now = Timestamp::from_unix_micros(now_us).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let codes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (db, codes) = (db.clone(), codes.clone());
        tasks.push(tokio::spawn(async move {
            let actor: Actor = "bench-loader"
                .parse()
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            for n in (writer..accounts).step_by(writers as usize) {
                let day = n % 365;
                let at = Timestamp::from_unix_micros(
                    now.unix_micros() - i64::from(day) * 86_400_000_000,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                let id: AccountId = scale_account(n)
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let (value, code_text, transaction) = {
                    let mut rng = rand::rng();
                    // 20.00 to 2,000.00, any cents: values differ, so value filters are selective.
                    let value =
                        Money::from_minor(rng.random_range(2_000..200_000)).expect("in range");
                    let mut bytes = [0u8; 16];
                    rng.fill_bytes(&mut bytes);
                    (
                        value,
                        format!("{:08x}", rng.next_u32()),
                        TransactionId::from_bytes(bytes),
                    )
                };
                let code: FriendlyCode = code_text.parse().expect("8 hex");
                let document = scale_account(n).trim_end_matches("_CPF").to_owned();
                let actor = actor.clone();
                db.with_book(&id, &Reads::account(), at, move |book| {
                    let config = StoreConfig::default();
                    let ctx = Ctx {
                        now: at,
                        actor: &actor,
                        config: &config,
                    };
                    let open = OpenAccount::from_json(&json!({
                        "document": document, "documentType": "CPF",
                        "email": format!("s{n}@example.com"), "creditLimit": "100000"
                    }))?;
                    let mut opened = Book::open(&open, &ctx);
                    let hold = CreateHold::from_json(
                        &json!({ "value": value, "settle": true, "installments": INSTALLMENTS }),
                        at,
                    )?;
                    opened.create_hold(&hold, transaction.clone(), &ctx)?;
                    opened.settle(&transaction, value, &code, &ctx)?;
                    *book = Some(opened);
                    Ok::<_, creditdesk_server::error::ApiError>(())
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                if n % 97 == 0 {
                    codes.lock().expect("codes").push(code_text);
                }
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    db.close().await;
    let friendly_codes = std::mem::take(&mut *codes.lock().expect("codes"));
    Ok(Loaded {
        accounts,
        invoices: u64::from(accounts) * u64::from(INSTALLMENTS),
        friendly_codes,
        seconds: started.elapsed().as_secs_f64(),
        now,
    })
}

/// A kind of query and how to make the `n`th one.
pub struct QueryKind {
    pub name: &'static str,
    pub path: Box<dyn Fn(u32) -> String + Send + Sync>,
}

/// The query types measured: filtered searches with their whole-set summary, and statements.
pub fn query_kinds(loaded: &Loaded) -> Vec<QueryKind> {
    let accounts = loaded.accounts;
    let codes = loaded.friendly_codes.clone();
    let now = loaded.now;
    // The date `back` days before the load.
    let day = move |back: u32| -> String {
        let at = Timestamp::from_unix_micros(now.unix_micros() - i64::from(back) * 86_400_000_000)
            .expect("in range");
        at.to_string()[..10].to_owned()
    };
    vec![
        QueryKind {
            name: "invoices of one account (creditAccountId)",
            path: Box::new(move |n| {
                format!(
                    "/api/creditcontrol/invoices?creditAccountId={}&from=1&to=20",
                    scale_account(n.wrapping_mul(7919) % accounts)
                )
            }),
        },
        QueryKind {
            name: "open invoices due in one week (status + due dates)",
            path: Box::new(move |n| {
                let back = n % 300;
                format!(
                    "/api/creditcontrol/invoices?status=Opened&dueDateFrom={}&dueDateTo={}&from=1&to=20",
                    day(back + 7),
                    day(back)
                )
            }),
        },
        QueryKind {
            name: "invoices created on one day (createdDate range)",
            path: Box::new(move |n| {
                let back = n % 365;
                format!(
                    "/api/creditcontrol/invoices?createdDateFrom={}&createdDateTo={}&from=1&to=20",
                    day(back),
                    day(back)
                )
            }),
        },
        QueryKind {
            name: "one friendlyId",
            path: Box::new(move |n| {
                let code = &codes[n as usize % codes.len().max(1)];
                format!("/api/creditcontrol/invoices?friendlyId={code}-1")
            }),
        },
        QueryKind {
            name: "account statement (all entries)",
            path: Box::new(move |n| {
                format!(
                    "/api/creditcontrol/accounts/{}/statements",
                    scale_account(n.wrapping_mul(104_729) % accounts)
                )
            }),
        },
        QueryKind {
            name: "every invoice, first page + whole-store summary",
            path: Box::new(|_| "/api/creditcontrol/invoices?from=1&to=20".to_owned()),
        },
    ]
}

/// Runs `count` queries of `kind` one after the other; their latencies.
pub async fn measure(api: &Api, kind: &QueryKind, count: u32) -> anyhow::Result<Sample> {
    let mut sample = Sample::default();
    let started = Instant::now();
    for n in 0..count {
        let path = (kind.path)(n);
        let begun = Instant::now();
        let (status, body) = api.call("GET", &path, None).await?;
        if status != 200 {
            anyhow::bail!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        sample.latencies_us.push(begun.elapsed().as_micros() as u64);
    }
    sample.ops = u64::from(count);
    sample.seconds = started.elapsed().as_secs_f64();
    Ok(sample)
}
