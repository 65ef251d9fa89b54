//! Random command sequences against the engine; after every step the invariants must hold:
//! balance = sum of entries; a refused command changes nothing; a hold or settlement never takes
//! the available credit below zero (nor lowers it when it is already below, after a debit); a transaction leaves `Authorized` at most once and a
//! cancelled or expired one never changes again; each settlement's invoices add up to it; a
//! statement's previous + interval = current at any split.

#![cfg(not(target_arch = "wasm32"))]

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{
    Change, ChangeInvoice, CreateHold, CreditReason, OpenAccount, Pay, UpdateHold, UpsertAccount,
};
use creditdesk_core::company::{BalanceChange, BalanceOperation};
use creditdesk_core::credit::{CreditLocator, PaymentLocators};
use creditdesk_core::ids::{Actor, InvoiceId, TransactionId};
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::transaction::TransactionStatus;
use creditdesk_core::{Money, Rate, Timestamp};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

#[derive(Debug, Clone)]
enum Op {
    Hold {
        value: i64,
        settle: bool,
        installments: u16,
        days: u32,
    },
    /// Values in thousandths of the targeted transaction's value; `tx` picks among those made.
    Update {
        tx: u8,
        permille: i64,
        installments: u16,
    },
    CancelHold {
        tx: u8,
    },
    Settle {
        tx: u8,
        permille: i64,
    },
    Refund {
        tx: u8,
        permille: i64,
    },
    Pay {
        tx: u8,
        installment: u16,
    },
    /// A payment of `permille` thousandths of what is left (more than all of it is refused).
    PayPart {
        tx: u8,
        installment: u16,
        permille: i64,
    },
    WriteOff {
        tx: u8,
        installment: u16,
    },
    /// Reverse one of the credits made so far (`credit` picks it).
    Reverse {
        credit: u8,
    },
    CancelInvoice {
        tx: u8,
        installment: u16,
    },
    Reopen {
        tx: u8,
        installment: u16,
    },
    Postpone {
        tx: u8,
        installment: u16,
        days: u16,
    },
    Debit {
        id: u8,
        value: i64,
    },
    Limit {
        value: i64,
    },
    /// A company-credit balance operation: up or down by `value` cents, with `code` its type.
    Adjust {
        up: bool,
        value: i64,
        code: u8,
    },
    Tolerance {
        thousandths: i64,
    },
    Wait {
        days: u32,
    },
    Expire,
    Close,
    ReopenAccount,
}

fn op() -> impl Strategy<Value = Op> {
    let tx = 0u8..8;
    let cents = 1i64..60_000;
    prop_oneof![
        4 => (cents.clone(), any::<bool>(), 1u16..=4, 1u32..=40)
            .prop_map(|(value, settle, installments, days)| Op::Hold { value, settle, installments, days }),
        1 => (tx.clone(), 500i64..1200, 1u16..=4).prop_map(|(tx, permille, installments)| Op::Update { tx, permille, installments }),
        1 => tx.clone().prop_map(|tx| Op::CancelHold { tx }),
        4 => (tx.clone(), 300i64..1200).prop_map(|(tx, permille)| Op::Settle { tx, permille }),
        2 => (tx.clone(), 1i64..1100).prop_map(|(tx, permille)| Op::Refund { tx, permille }),
        3 => (tx.clone(), 1u16..=4).prop_map(|(tx, installment)| Op::Pay { tx, installment }),
        3 => (tx.clone(), 1u16..=4, 1i64..1100).prop_map(|(tx, installment, permille)| Op::PayPart { tx, installment, permille }),
        1 => (tx.clone(), 1u16..=4).prop_map(|(tx, installment)| Op::WriteOff { tx, installment }),
        2 => (0u8..16).prop_map(|credit| Op::Reverse { credit }),
        1 => (tx.clone(), 1u16..=4).prop_map(|(tx, installment)| Op::CancelInvoice { tx, installment }),
        1 => (tx.clone(), 1u16..=4).prop_map(|(tx, installment)| Op::Reopen { tx, installment }),
        1 => (tx.clone(), 1u16..=4, 1u16..=10).prop_map(|(tx, installment, days)| Op::Postpone { tx, installment, days }),
        1 => (0u8..4, cents.clone()).prop_map(|(id, value)| Op::Debit { id, value }),
        1 => (0i64..200_000).prop_map(|value| Op::Limit { value }),
        1 => (any::<bool>(), cents.clone(), 1u8..=6).prop_map(|(up, value, code)| Op::Adjust { up, value, code }),
        1 => (0i64..=300).prop_map(|thousandths| Op::Tolerance { thousandths }),
        2 => (0u32..15).prop_map(|days| Op::Wait { days }),
        // Long enough for invoices to fall overdue and accrue interest.
        1 => (25u32..60).prop_map(|days| Op::Wait { days }),
        1 => Just(Op::Expire),
        1 => Just(Op::Close),
        1 => Just(Op::ReopenAccount),
    ]
}

fn config() -> impl Strategy<Value = StoreConfig> {
    let interest = (
        0i64..=200,
        0i64..=50,
        0u16..=3,
        proptest::option::of(0u16..=20),
    );
    (
        0i64..=30,
        any::<bool>(),
        0u16..=3,
        0u16..=20,
        0i64..=100,
        interest,
    )
        .prop_map(
            |(growth, tolerance, limit, days, shortfall, (rate, tax, grace, block))| {
                StoreConfig::default()
                    .apply_update(&json!({
                        "dailyInterestRate": Decimal::new(rate, 4).to_string(),
                        "taxRate": Decimal::new(tax, 2).to_string(),
                        "interestGraceDays": grace,
                        "overdueBlockDays": block,
                        "maxPreAuthorizationGrowthRate": Decimal::new(growth, 2).to_string(),
                        "toleranceEnabled": tolerance,
                        "postponementEnabled": true,
                        "invoicePostponementLimit": limit,
                        "maxPostponementDays": days,
                        "shortfallTolerance": cents(shortfall).to_string(),
                    }))
                    .unwrap()
            },
        )
}

fn cents(value: i64) -> Money {
    Money::from_minor(value).unwrap()
}

/// `permille` thousandths of `base`, at least one cent.
fn part(base: Money, permille: i64) -> Money {
    cents((base.minor() * permille / 1000).max(1))
}

/// Fresh locators for the book's next credits.
fn locators(book: &Book) -> PaymentLocators {
    let n = book.credits.len() as u64 + 1;
    PaymentLocators {
        payment: CreditLocator::new(n, [0; 10]),
        shortfall: CreditLocator::new(n, [1; 10]),
    }
}

/// What the book's posted credits add up to, in minor units.
/// What the posted credits took off invoices (a payment's interest is charged and paid at once,
/// so it does not move the balance).
fn posted_credits(book: &Book) -> i64 {
    book.credits
        .iter()
        .filter(|c| c.is_posted())
        .map(|c| c.principal().minor())
        .sum()
}

/// The interest and tax the posted payments charged.
fn posted_interest(book: &Book) -> i64 {
    book.credits
        .iter()
        .filter(|c| c.is_posted())
        .filter_map(|c| c.interest.map(|i| i.total().minor()))
        .sum()
}

fn apply(book: &mut Book, op: &Op, ctx: &Ctx, next_tx: &mut u8) -> bool {
    let made = (*next_tx).max(1);
    let tx = |n: u8| TransactionId::from_bytes([n % made; 16]);
    let value_of = |book: &Book, n: u8| {
        book.transactions
            .iter()
            .find(|t| t.id == tx(n))
            .map(|t| (t.value, t.settled_value))
    };
    let invoice = |n: u8, i: u16| InvoiceId::new(&tx(n), i);
    match *op {
        Op::Hold {
            value,
            settle,
            installments,
            days,
        } => {
            let mut body = json!({ "value": cents(value).to_string(), "settle": settle, "installments": installments });
            if !settle {
                body["expirationDate"] = json!(ctx.now.plus_days(days).unwrap().to_string());
            }
            let command = CreateHold::from_json(&body, ctx.now).unwrap();
            let ok = book
                .create_hold(&command, TransactionId::from_bytes([*next_tx; 16]), ctx)
                .is_ok();
            if ok {
                *next_tx += 1;
            }
            ok
        }
        Op::Update {
            tx: n,
            permille,
            installments,
        } => {
            let Some((value, _)) = value_of(book, n) else {
                return false;
            };
            let body = serde_json::json!({
                "value": part(value, permille), "settle": true, "installments": installments,
            });
            let Ok(command) = UpdateHold::from_json(&body, ctx.now) else {
                return false;
            };
            book.update_hold(&tx(n), &command, ctx).is_ok()
        }
        Op::CancelHold { tx: n } => book.cancel_hold(&tx(n), ctx).is_ok(),
        Op::Settle { tx: n, permille } => {
            let Some((value, _)) = value_of(book, n) else {
                return false;
            };
            book.settle(
                &tx(n),
                part(value, permille),
                &"Code1234".parse().unwrap(),
                ctx,
            )
            .is_ok()
        }
        Op::Refund { tx: n, permille } => {
            let Some((_, settled)) = value_of(book, n) else {
                return false;
            };
            book.refund(&tx(n), part(settled, permille), ctx).is_ok()
        }
        Op::Pay { tx: n, installment } => book
            .pay(&invoice(n, installment), &Pay::all(), &locators(book), ctx)
            .is_ok(),
        Op::PayPart {
            tx: n,
            installment,
            permille,
        } => {
            let id = invoice(n, installment);
            let Some(left) = book
                .invoices
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.remaining())
            else {
                return false;
            };
            let payment = Pay {
                value: Some(part(left, permille)),
                reference: None,
            };
            book.pay(&id, &payment, &locators(book), ctx).is_ok()
        }
        Op::WriteOff { tx: n, installment } => {
            let reason = CreditReason {
                reason: "proptest".into(),
            };
            let locator = locators(book).payment;
            book.write_off(&invoice(n, installment), &reason, &locator, ctx)
                .is_ok()
        }
        Op::Reverse { credit } => {
            let Some(locator) = (!book.credits.is_empty()).then(|| {
                book.credits[usize::from(credit) % book.credits.len()]
                    .locator
                    .clone()
            }) else {
                return false;
            };
            let reason = CreditReason {
                reason: "proptest".into(),
            };
            book.reverse_credit(&locator, &reason, ctx).is_ok()
        }
        Op::CancelInvoice { tx: n, installment } => {
            book.cancel_invoice(&invoice(n, installment), ctx).is_ok()
        }
        Op::Reopen { tx: n, installment } => {
            let change = ChangeInvoice {
                status: InvoiceStatus::Opened,
                observation: None,
                payment_link: None,
            };
            book.change_invoice(&invoice(n, installment), &change, &locators(book), ctx)
                .is_ok()
        }
        Op::Postpone {
            tx: n,
            installment,
            days,
        } => book
            .postpone_invoice(&invoice(n, installment), days, ctx)
            .is_ok(),
        Op::Debit { id, value } => book
            .debit(&format!("d{id}").parse().unwrap(), cents(-value), ctx)
            .is_ok(),
        Op::Adjust { up, value, code } => {
            let (change, path) = if up {
                (BalanceChange::Increase, "increase")
            } else {
                (BalanceChange::Decrease, "decrease")
            };
            let body = json!({"value": cents(value), "currency": "BRL", "operationType": code});
            // A type the direction does not allow is refused by the reader, as the API would.
            match BalanceOperation::read(change, 1, &body) {
                Ok(operation) => book.adjust_balance(&operation, ctx).is_ok(),
                Err(refusal) => {
                    assert!(
                        !change.operation_types().iter().any(|t| t.code() == code),
                        "{path} {code}: {refusal}"
                    );
                    false
                }
            }
        }
        Op::Limit { value } => {
            book.change_credit_limit(
                &Change {
                    value: cents(value),
                    reason: None,
                },
                ctx,
            );
            true
        }
        Op::Tolerance { thousandths } => {
            let value = Rate::try_from(Decimal::new(thousandths, 3)).unwrap();
            book.change_tolerance(
                &Change {
                    value,
                    reason: None,
                },
                ctx,
            );
            true
        }
        Op::Wait { .. } | Op::Expire => true,
        Op::Close => book.close(ctx).is_ok(),
        Op::ReopenAccount => {
            let update = UpsertAccount {
                email: "a@b.co".parse().unwrap(),
                credit_limit: None,
                tolerance: None,
                description: None,
                company_id: None,
            };
            book.update(&update, ctx);
            true
        }
    }
}

proptest! {
    // 300 cases in every test run; `cargo xtask torture` sets PROPTEST_CASES for many more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_over_any_sequence(config in config(), ops in proptest::collection::vec(op(), 1..60), split in 0usize..60) {
        let actor: Actor = "proptest".parse().unwrap();
        let mut now: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let open = OpenAccount::from_json(&json!({
            "document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": "1000", "tolerance": "0.1"
        })).unwrap();
        let mut book = Book::open(&open, &Ctx { now, actor: &actor, config: &config });
        let mut next_tx = 0u8;
        let mut split_at = None;
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Wait { days } => now = now.plus_days(*days).unwrap(),
                Op::Expire => { book.expire_holds(now); }
                _ => {}
            }
            if i == split {
                split_at = Some(now);
            }
            let ctx = Ctx { now, actor: &actor, config: &config };
            let before = book.clone();
            let available_before = book.balances(&ctx).available_credit;
            let ok = apply(&mut book, op, &ctx, &mut next_tx);
            if !ok {
                prop_assert_eq!(&book, &before, "a refused {:?} changed the book", op);
            }
            prop_assert!(book.check_invariants().is_ok(), "after {:?}: {:?}", op, book.check_invariants());
            if matches!(op, Op::Pay { .. } | Op::PayPart { .. } | Op::WriteOff { .. } | Op::Reverse { .. } | Op::Reopen { .. }) {
                // The balance moves by exactly what the posted credits moved.
                prop_assert_eq!(
                    book.account.balance.minor() - before.account.balance.minor(),
                    posted_credits(&book) - posted_credits(&before),
                    "after {:?}", op
                );
            }
            // The company-credit history ends where the account stands.
            let lines = creditdesk_core::company::history_lines(&book.entries);
            let last = lines.last().expect("the opening's limit is an entry");
            prop_assert_eq!(last.balance, book.account.balance, "after {:?}", op);
            prop_assert_eq!(last.credit_limit, book.account.credit_limit, "after {:?}", op);
            prop_assert_eq!(
                last.available_limit.minor(),
                book.account.credit_limit.minor() + book.account.balance.minor(),
                "after {:?}", op
            );
            // The interest entries are exactly what the posted payments charged.
            let interest_entries: i64 = book.entries.iter()
                .filter(|e| e.origin() == creditdesk_core::ledger::Origin::Interest)
                .map(|e| e.balance_effect())
                .sum();
            prop_assert_eq!(interest_entries, -posted_interest(&book), "after {:?}", op);
            for invoice in &book.invoices {
                // Every invoice's share = paid + written off + refunded credit + remaining.
                let of = |kind_is_payment: bool| -> i64 {
                    book.credits.iter()
                        .filter(|c| c.invoice_id == invoice.id && c.is_posted() && c.kind.is_payment() == kind_is_payment)
                        .map(|c| c.principal().minor()).sum()
                };
                let cancelled = if invoice.status == InvoiceStatus::Cancelled { invoice.summary_value().minor() } else { 0 };
                prop_assert_eq!(
                    invoice.value.minor() + invoice.credit_value.minor(),
                    of(true) + of(false) + invoice.credit_value.minor() + invoice.remaining().minor() + cancelled,
                    "{}", invoice.id
                );
            }
            if ok && matches!(op, Op::Hold { .. } | Op::Update { .. } | Op::Settle { .. }) {
                // Spending never goes below zero; lowering or repeating never reduces what is left
                // (manual debits and lower limits may have taken it below zero already).
                let available = book.balances(&ctx).available_credit;
                prop_assert!(
                    !available.is_negative() || available >= available_before,
                    "{:?} left {} available (was {})", op, available, available_before
                );
            }
            for (old, new) in before.transactions.iter().zip(&book.transactions) {
                let (was, is) = (old.status, new.status);
                if was != TransactionStatus::Authorized {
                    prop_assert!(is != TransactionStatus::Authorized, "{} went back to Authorized", new.id);
                }
                if matches!(was, TransactionStatus::Cancelled | TransactionStatus::Expired) {
                    prop_assert_eq!(old, new, "a resolved hold changed");
                }
            }
        }
        // A split after the last step: everything is "previous".
        let split_at = split_at.unwrap_or_else(|| now.plus_days(1).unwrap());
        let statement = book.statement(Some(split_at), None);
        let whole = book.statement(None, None);
        prop_assert_eq!(
            statement.previous_balance.minor() + statement.interval_balance.minor(),
            statement.current_balance.minor()
        );
        prop_assert_eq!(statement.current_balance, book.account.balance);
        prop_assert_eq!(whole.current_balance, book.account.balance);
        let early = book.statement(None, Some(split_at));
        prop_assert_eq!(early.current_balance, statement.previous_balance);
    }
}
