//! Core's engine in process: commands per second on an in-memory `Book` (no storage, no HTTP):
//! the ceiling of the rules themselves.

use std::time::{Duration, Instant};

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount};
use creditdesk_core::ids::{Actor, FriendlyCode, InvoiceId, TransactionId};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{Money, Timestamp};
use serde_json::json;

/// Books are replaced after this many operations, so they stay the size a command loads.
const OPS_PER_BOOK: u32 = 64;

fn fresh(ctx: &Ctx) -> Book {
    let open = OpenAccount::from_json(&json!({
        "document": "1", "documentType": "CPF", "email": "e@example.com", "creditLimit": "1000000000"
    }))
    .expect("valid");
    Book::open(&open, ctx)
}

/// `(operation, per second)` for: a hold; hold + settle into 3 invoices + pay one; reading a
/// hold command from JSON.
pub fn measure(seconds: f64) -> Vec<(&'static str, f64)> {
    let config = StoreConfig::default();
    let actor: Actor = "bench".parse().expect("actor");
    let now = Timestamp::from_unix_micros(1_800_000_000_000_000).expect("time");
    let ctx = Ctx {
        now,
        actor: &actor,
        config: &config,
    };
    let hold = CreateHold::from_json(
        &json!({"value": "10.00", "settle": true, "installments": 3}),
        now,
    )
    .expect("valid");
    let code: FriendlyCode = "abcdefgh".parse().expect("code");
    let value: Money = "10.00".parse().expect("money");
    let run = |op: &dyn Fn(&mut Book, u32)| {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut count = 0u64;
        while Instant::now() < deadline {
            let mut book = fresh(&ctx);
            for n in 0..OPS_PER_BOOK {
                op(&mut book, n);
            }
            count += u64::from(OPS_PER_BOOK);
        }
        count as f64 / started.elapsed().as_secs_f64()
    };
    let id = |n: u32| {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&n.to_le_bytes());
        TransactionId::from_bytes(bytes)
    };
    vec![
        (
            "create a hold",
            run(&|book, n| {
                book.create_hold(&hold, id(n), &ctx).expect("hold");
            }),
        ),
        (
            "hold + settle into 3 invoices + pay one",
            run(&|book, n| {
                let t = id(n);
                book.create_hold(&hold, t.clone(), &ctx).expect("hold");
                book.settle(&t, value, &code, &ctx).expect("settle");
                let n = u64::from(n);
                let locators = creditdesk_core::credit::PaymentLocators {
                    payment: creditdesk_core::credit::CreditLocator::new(n, [0; 10]),
                    shortfall: creditdesk_core::credit::CreditLocator::new(n, [1; 10]),
                };
                let pay = creditdesk_core::commands::Pay::all();
                book.pay(&InvoiceId::new(&t, 1), &pay, &locators, &ctx)
                    .expect("pay");
            }),
        ),
        (
            "read a hold command from JSON",
            run(&|_, _| {
                let body = json!({"value": "10.00", "settle": true, "installments": 3});
                std::hint::black_box(CreateHold::from_json(&body, now).expect("valid"));
            }),
        ),
    ]
}
