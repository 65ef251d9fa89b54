//! The credit engine's rules as scenarios: each row is a step and what it must give. Runs
//! natively and in headless Chromium from this one file.

mod common;
use common::pairs;

use creditdesk_core::book::{Book, Ctx, Settled, BALANCE_MAX_MINOR};
use creditdesk_core::commands::{
    self, Change, ChangeInvoice, CreateHold, CreditReason, OpenAccount, Pay, UpdateHold,
};
use creditdesk_core::credit::{CreditLocator, PaymentLocators};
use creditdesk_core::ids::{
    AccountId, Actor, Email, FriendlyCode, HolderId, InvoiceId, StatementId, TransactionId,
};
use creditdesk_core::interest::InterestPolicy;
use creditdesk_core::reads::{Read, Reads};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::webhooks::{book_events, EventType};
use creditdesk_core::{CreditError, Money, Timestamp};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// One step of a scenario. Transactions are named by a small number; invoices by transaction and
/// installment.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Replace the store configuration (an update on the defaults).
    Config(&'static str),
    Hold(u8, &'static str),
    Update(u8, &'static str),
    CancelHold(u8),
    Settle(u8, &'static str),
    Refund(u8, &'static str),
    Pay(u8, u16),
    CancelInvoice(u8, u16),
    ChangeInvoice(u8, u16, &'static str),
    Postpone(u8, u16, u16),
    Debit(&'static str, &'static str),
    /// A credit limit change: its body `{value, reason?}`.
    Limit(&'static str),
    /// A tolerance change: its body `{value, reason?}`.
    Tolerance(&'static str),
    Close,
    Reopen,
    AddHolder(u8, &'static str),
    RemoveHolder(u8),
    /// Let days pass.
    Wait(u32),
    /// Run the expiry sweep; these holds must be the ones it expires.
    Expire(&'static [u8]),
    /// Run the overdue sweep; these invoices (transaction, installment) must be the ones it
    /// marks.
    Overdue(&'static [(u8, u16)]),
    /// `PUT` a hold by id: update it, or create it when the account has none by that id.
    Put(u8, &'static str),
    /// A payment with a body (`{"value": …, "reference": …}`).
    PayPart(u8, u16, &'static str),
    /// The merchant writes off what is left, with a reason.
    WriteOff(u8, u16, &'static str),
    /// Reverse the credit made at this step (1-based) — its payment or write-off — with a reason.
    Reverse(u16, &'static str),
    /// Reverse the shortfall write-off made at this step.
    ReverseShortfall(u16, &'static str),
}

/// What a step must give: `Ok`, or an error whose `Debug` starts with this (the variant name).
type Expect = Result<(), &'static str>;

/// What the account must show at the end: (balance, available credit, pre-authorized).
type Totals = (&'static str, &'static str, &'static str);

struct Scenario {
    name: &'static str,
    /// Credit limit and tolerance of the account opened first.
    limit: &'static str,
    tolerance: &'static str,
    steps: &'static [(Step, Expect)],
    totals: Totals,
    /// The whole book at the end, one line per thing in it ([`book_lines`]): the account, then
    /// holders, holds, invoices and entries in the order the book keeps them.
    book: &'static [&'static str],
}

use Step::*;

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "a hold takes available credit; more than available is refused",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 400, "settle": true, "installments": 1}"#), Ok(())),
            (Hold(2, r#"{"value": 600.01, "settle": true, "installments": 1}"#), Err("InsufficientCredit")),
            (Hold(2, r#"{"value": 600, "settle": true, "installments": 1}"#), Ok(())),
            (Hold(3, r#"{"value": 0.01, "settle": true, "installments": 1}"#), Err("InsufficientCredit")),
        ],
        totals: ("0.00", "0.00", "1000.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Authorized value 400.00 (first 400.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "hold t2 Authorized value 600.00 (first 600.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "tolerance counts only when the store enables it",
        limit: "1000", tolerance: "0.1",
        steps: &[
            (Hold(1, r#"{"value": 1000.01, "settle": true, "installments": 1}"#), Err("InsufficientCredit")),
            (Config(r#"{"toleranceEnabled": true}"#), Ok(())),
            (Hold(1, r#"{"value": 1100.01, "settle": true, "installments": 1}"#), Err("InsufficientCredit")),
            (Hold(1, r#"{"value": 1100, "settle": true, "installments": 1}"#), Ok(())),
        ],
        totals: ("0.00", "0.00", "1100.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0.1 balance 0.00",
            "hold t1 Authorized value 1100.00 (first 1100.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "entry CreditLimitChanged 1000.00",
            "entry ToleranceChanged 100.00",
        ],
    },
    Scenario {
        name: "holds expire: settle=true after 30 days, settle=false at their date",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 300, "settle": true, "installments": 1}"#), Ok(())),
            (Hold(2, r#"{"value": 200, "settle": false, "installments": 1, "expirationDate": "2024-01-03T00:00:00Z"}"#), Ok(())),
            (Wait(1), Ok(())),
            (Expire(&[]), Ok(())),
            (Wait(1), Ok(())),
            (CancelHold(2), Err("NotAuthorized { status: Expired }")),
            (Expire(&[2]), Ok(())),
            (Expire(&[]), Ok(())),
            (Wait(28), Ok(())),
            (Settle(1, "300"), Err("NotAuthorized { status: Expired }")),
            (Expire(&[1]), Ok(())),
        ],
        totals: ("0.00", "1000.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Expired value 300.00 (first 300.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "hold t2 Expired value 200.00 (first 200.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-03",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "settle=false: the expiration defaults to a day, a past one is refused",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 10, "settle": false, "installments": 1}"#), Ok(())),
            (Hold(1, r#"{"value": 10, "settle": false, "installments": 1, "expirationDate": "2023-12-31"}"#), Err("Invalid")),
            (Hold(1, r#"{"value": 0, "settle": true, "installments": 1}"#), Err("Invalid")),
            (Hold(1, r#"{"value": 10, "settle": true, "installments": 49}"#), Err("Invalid")),
            (Hold(1, r#"{"value": 10.001, "settle": true, "installments": 1}"#), Err("Invalid")),
        ],
        totals: ("0.00", "990.00", "10.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-02",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "updates grow a hold up to the growth rate and the credit available to it",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"maxPreAuthorizationGrowthRate": 0.1}"#), Ok(())),
            (Hold(1, r#"{"value": 100, "settle": true, "installments": 2}"#), Ok(())),
            (Update(1, r#"{"value": 110.01, "settle": true, "installments": 2}"#), Err("GrowthExceeded")),
            (Update(1, r#"{"value": 110, "settle": true, "installments": 3}"#), Ok(())),
            (Hold(2, r#"{"value": 890, "settle": true, "installments": 1}"#), Ok(())),
            (Update(1, r#"{"value": 105, "settle": true, "installments": 3}"#), Ok(())),
        ],
        totals: ("0.00", "5.00", "995.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Authorized value 105.00 (first 100.00) settled 0.00 refunded 0.00 n3 settle true expires 2024-01-31",
            "hold t2 Authorized value 890.00 (first 890.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "only settle=false holds cancel, and only once",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 100, "settle": true, "installments": 1}"#), Ok(())),
            (CancelHold(1), Err("NotCancellable")),
            (Hold(2, r#"{"value": 100, "settle": false, "installments": 1, "expirationDate": "2024-02-01T00:00:00Z"}"#), Ok(())),
            (CancelHold(2), Ok(())),
            (CancelHold(2), Err("NotAuthorized { status: Cancelled }")),
            (Settle(2, "100"), Err("NotAuthorized { status: Cancelled }")),
        ],
        totals: ("0.00", "900.00", "100.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Authorized value 100.00 (first 100.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "hold t2 Cancelled value 100.00 (first 100.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-02-01",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "settling turns the hold into debt, within growth and credit",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"maxPreAuthorizationGrowthRate": 0.05}"#), Ok(())),
            (Hold(1, r#"{"value": 100, "settle": true, "installments": 3}"#), Ok(())),
            (Settle(1, "105.01"), Err("GrowthExceeded")),
            (Settle(1, "0.02"), Err("Invalid")),
            (Settle(1, "105"), Ok(())),
            (Settle(1, "105"), Ok(())),
            (CancelHold(1), Err("NotCancellable")),
        ],
        totals: ("-105.00", "895.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -105.00",
            "hold t1 Settled value 100.00 (first 100.00) settled 105.00 refunded 0.00 n3 settle true expires 2024-01-31",
            "invoice t1-1/3 Opened 35.00 credit 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved -",
            "invoice t1-2/3 Opened 35.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
            "invoice t1-3/3 Opened 35.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved -",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -105.00 t1 n3",
        ],
    },
    Scenario {
        name: "changing a settlement: lower off open invoices, raise onto them, never below paid",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"maxPreAuthorizationGrowthRate": 0.1}"#), Ok(())),
            (Hold(1, r#"{"value": 300, "settle": true, "installments": 3}"#), Ok(())),
            (Settle(1, "300"), Ok(())),
            (Pay(1, 1), Ok(())),
            (Settle(1, "150"), Ok(())),
            (Settle(1, "99.99"), Err("SettlementBelowResolved")),
            (Settle(1, "330"), Ok(())),
            (Settle(1, "330.01"), Err("GrowthExceeded")),
        ],
        totals: ("-230.00", "770.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -230.00",
            "hold t1 Settled value 300.00 (first 300.00) settled 330.00 refunded 0.00 n3 settle true expires 2024-01-31",
            "invoice t1-1/3 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/3 Opened 230.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
            "invoice t1-3/3 Cancelled 0.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved 2024-01-01",
            "credit c4 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -300.00 t1 n3",
            "entry InvoicePaid 100.00 c4 t1 1/3",
            "entry SettlementChanged 150.00 t1 n3",
            "entry SettlementChanged -180.00 t1 n3",
        ],
    },
    Scenario {
        name: "invoices: pay once, cancel only open ones, reopen a paid one by change",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 200, "settle": true, "installments": 2}"#), Ok(())),
            (Settle(1, "200"), Ok(())),
            (Pay(1, 1), Ok(())),
            (Pay(1, 1), Err("InvoiceStatus { status: Paid")),
            (CancelInvoice(1, 1), Err("InvoiceStatus { status: Paid")),
            (CancelInvoice(1, 2), Ok(())),
            (CancelInvoice(1, 2), Err("InvoiceStatus { status: Cancelled")),
            (ChangeInvoice(1, 2, r#"{"status": "Paid"}"#), Err("InvoiceStatus { status: Cancelled")),
            (ChangeInvoice(1, 1, r#"{"status": "Opened", "observation": "payment bounced"}"#), Ok(())),
            (ChangeInvoice(1, 1, r#"{"status": "Paid", "paymentLink": "https://pay.example.com/1"}"#), Ok(())),
            (ChangeInvoice(1, 1, r#"{"status": "Paid", "paymentLink": "ftp://x"}"#), Err("Invalid")),
        ],
        totals: ("0.00", "1000.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 200.00 (first 200.00) settled 200.00 refunded 0.00 n2 settle true expires 2024-01-31",
            "invoice t1-1/2 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/2 Cancelled 100.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-01-01",
            "credit c3 Payment 100.00 t1-1 Reversed reversed (invoice reopened)",
            "credit c10 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -200.00 t1 n2",
            "entry InvoicePaid 100.00 c3 t1 1/2",
            "entry InvoiceCancelled 100.00 t1 2/2",
            "entry PaymentReversed -100.00 c3 t1 1/2 (invoice reopened)",
            "entry InvoicePaid 100.00 c10 t1 1/2",
        ],
    },
    Scenario {
        name: "postponement within the store's limits",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 100, "settle": true, "installments": 1}"#), Ok(())),
            (Settle(1, "100"), Ok(())),
            (Postpone(1, 1, 5), Err("PostponementDisabled")),
            (Config(r#"{"postponementEnabled": true, "invoicePostponementLimit": 2, "maxPostponementDays": 10}"#), Ok(())),
            (Postpone(1, 1, 11), Err("PostponementDays")),
            (Postpone(1, 1, 6), Ok(())),
            (Postpone(1, 1, 5), Err("PostponementDays")),
            (Postpone(1, 1, 4), Ok(())),
            (Postpone(1, 1, 1), Err("PostponementLimit")),
            (Pay(1, 1), Ok(())),
            (Postpone(1, 1, 1), Err("InvoiceStatus { status: Paid")),
        ],
        totals: ("0.00", "1000.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 100.00 (first 100.00) settled 100.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "invoice t1-1/1 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-02-10 (first 2024-01-31, 2 times, 10 days) resolved 2024-01-01",
            "credit c10 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -100.00 t1 n1",
            "entry InvoicePaid 100.00 c10 t1 1/1",
        ],
    },
    Scenario {
        name: "refunds: open invoices first (last first), the rest credited, never beyond the settlement",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 300, "settle": true, "installments": 3}"#), Ok(())),
            (Settle(1, "300"), Ok(())),
            (Pay(1, 1), Ok(())),
            (Refund(1, "150"), Ok(())),
            (Refund(1, "150.01"), Err("RefundExceeded")),
            (Refund(1, "150"), Ok(())),
            (Refund(1, "0.01"), Err("RefundExceeded")),
            (Refund(2, "1"), Err("TransactionNotFound")),
        ],
        totals: ("100.00", "1100.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 100.00",
            "hold t1 Settled value 300.00 (first 300.00) settled 300.00 refunded 300.00 n3 settle true expires 2024-01-31",
            "invoice t1-1/3 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/3 Cancelled 0.00 credit 100.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-3/3 Cancelled 0.00 credit 100.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved 2024-01-01",
            "credit c3 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -300.00 t1 n3",
            "entry InvoicePaid 100.00 c3 t1 1/3",
            "entry Refund 150.00 t1 n3",
            "entry Refund 150.00 t1 n3",
        ],
    },
    Scenario {
        name: "manual debits are idempotent by statement id",
        limit: "1000", tolerance: "0",
        steps: &[
            (Debit("fee-1", "-25.50"), Ok(())),
            (Debit("fee-1", "-25.50"), Ok(())),
            (Debit("fee-1", "-30"), Err("StatementIdReused")),
            (Debit("fee-2", "10"), Err("Invalid")),
            (Debit("fee-2", "-4.50"), Ok(())),
        ],
        totals: ("-30.00", "970.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -30.00",
            "entry CreditLimitChanged 1000.00",
            "entry ManualDebit -25.50 statement fee-1",
            "entry ManualDebit -4.50 statement fee-2",
        ],
    },
    Scenario {
        name: "closing waits for debts and holds; a closed account takes no new holds",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 100, "settle": false, "installments": 1, "expirationDate": "2024-01-10T00:00:00Z"}"#), Ok(())),
            (Close, Err("AccountInUse { open_invoices: Money(0.00), pre_authorized: Money(100.00), balance: Money(0.00) }")),
            (Settle(1, "100"), Ok(())),
            (Close, Err("AccountInUse { open_invoices: Money(100.00), pre_authorized: Money(0.00), balance: Money(-100.00) }")),
            (Pay(1, 1), Ok(())),
            (Close, Ok(())),
            (Hold(2, r#"{"value": 1, "settle": true, "installments": 1}"#), Err("AccountClosed")),
            (Reopen, Ok(())),
            (Hold(2, r#"{"value": 1, "settle": true, "installments": 1}"#), Ok(())),
        ],
        totals: ("0.00", "999.00", "1.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 100.00 (first 100.00) settled 100.00 refunded 0.00 n1 settle false expires 2024-01-10",
            "hold t2 Authorized value 1.00 (first 1.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "invoice t1-1/1 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "credit c5 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -100.00 t1 n1",
            "entry InvoicePaid 100.00 c5 t1 1/1",
        ],
    },
    Scenario {
        name: "limit and tolerance changes move the ceiling, not the balance",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"toleranceEnabled": true}"#), Ok(())),
            (Limit(r#"{"value": 500, "reason": "new policy"}"#), Ok(())),
            (Tolerance(r#"{"value": 0.2, "reason": "trusted buyer"}"#), Ok(())),
            (Tolerance(r#"{"value": 1.5}"#), Err("Invalid")),
            (Limit(r#"{"value": -1}"#), Err("Invalid")),
            (Hold(1, r#"{"value": 600, "settle": true, "installments": 1}"#), Ok(())),
            (Limit(r#"{"value": 100}"#), Ok(())),
            (Hold(2, r#"{"value": 0.01, "settle": true, "installments": 1}"#), Err("InsufficientCredit")),
            (Tolerance(r#"{"value": 0.25}"#), Ok(())),
        ],
        totals: ("0.00", "-475.00", "600.00"),
        book: &[
            "account Open limit 100.00 tolerance 0.25 balance 0.00",
            "hold t1 Authorized value 600.00 (first 600.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "entry CreditLimitChanged 1000.00",
            "entry CreditLimitChanged -500.00 (new policy)",
            "entry ToleranceChanged 100.00 (trusted buyer)",
            "entry CreditLimitChanged -400.00",
            "entry ToleranceChanged 5.00",
        ],
    },
    Scenario {
        name: "PUT by id creates the hold once, then updates it (unset fields keep theirs)",
        limit: "1000", tolerance: "0",
        steps: &[
            (Put(1, r#"{"value": 100, "settle": false, "installments": 2, "expirationDate": "2024-01-05"}"#), Ok(())),
            (Put(1, r#"{"value": 90}"#), Ok(())),
            (Put(2, r#"{"value": 910.01}"#), Err("InsufficientCredit")),
            (Put(2, r#"{"value": 910}"#), Ok(())),
            (Put(1, r#"{"value": 90.01}"#), Err("InsufficientCredit")),
        ],
        totals: ("0.00", "0.00", "1000.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Authorized value 90.00 (first 100.00) settled 0.00 refunded 0.00 n2 settle false expires 2024-01-05",
            "hold t2 Authorized value 910.00 (first 910.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-02",
            "entry CreditLimitChanged 1000.00",
        ],
    },
    Scenario {
        name: "a hold that takes all the credit settles; lowering to what is paid cancels the rest",
        limit: "300", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 300, "settle": true, "installments": 3}"#), Ok(())),
            (Settle(1, "300"), Ok(())),
            (Pay(1, 1), Ok(())),
            (Settle(1, "100"), Ok(())),
            (Settle(1, "100.01"), Err("NoOpenInvoices")),
            (Refund(1, "100"), Ok(())),
        ],
        totals: ("100.00", "400.00", "0.00"),
        book: &[
            "account Open limit 300.00 tolerance 0 balance 100.00",
            "hold t1 Settled value 300.00 (first 300.00) settled 100.00 refunded 100.00 n3 settle true expires 2024-01-31",
            "invoice t1-1/3 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/3 Cancelled 0.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-3/3 Cancelled 0.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved 2024-01-01",
            "credit c3 Payment 100.00 t1-1 Posted",
            "entry CreditLimitChanged 300.00",
            "entry Settlement -300.00 t1 n3",
            "entry InvoicePaid 100.00 c3 t1 1/3",
            "entry SettlementChanged 200.00 t1 n3",
            "entry Refund 100.00 t1 n3",
        ],
    },
    Scenario {
        name: "partial payments: the invoice stays open until nothing is left; more than is left is refused",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 200, "settle": true, "installments": 2}"#), Ok(())),
            (Settle(1, "200"), Ok(())),
            (PayPart(1, 1, r#"{"value": 30, "reference": "TED 0001"}"#), Ok(())),
            (PayPart(1, 1, r#"{"value": 70.01}"#), Err("Invalid")),
            (PayPart(1, 1, r#"{"value": 0}"#), Err("Invalid")),
            (PayPart(1, 1, r#"{"value": 70}"#), Ok(())),
            (PayPart(1, 1, r#"{"value": 1}"#), Err("InvoiceStatus")),
            (PayPart(1, 2, r#"{}"#), Ok(())),
        ],
        totals: ("0.00", "1000.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 200.00 (first 200.00) settled 200.00 refunded 0.00 n2 settle true expires 2024-01-31",
            "invoice t1-1/2 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/2 Paid 100.00 credit 0.00 paid 100.00 off 0.00 left 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-01-01",
            "credit c3 Payment 30.00 t1-1 Posted (TED 0001)",
            "credit c6 Payment 70.00 t1-1 Posted",
            "credit c8 Payment 100.00 t1-2 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -200.00 t1 n2",
            "entry InvoicePaid 30.00 c3 t1 1/2",
            "entry InvoicePaid 70.00 c6 t1 1/2",
            "entry InvoicePaid 100.00 c8 t1 2/2",
        ],
    },
    Scenario {
        name: "a shortfall within the tolerance is written off; one past it stays owed",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"shortfallTolerance": 0.05}"#), Ok(())),
            (Hold(1, r#"{"value": 200, "settle": true, "installments": 2}"#), Ok(())),
            (Settle(1, "200"), Ok(())),
            (PayPart(1, 1, r#"{"value": 99.95}"#), Ok(())),
            (PayPart(1, 2, r#"{"value": 99.94}"#), Ok(())),
        ],
        totals: ("-0.06", "999.94", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -0.06",
            "hold t1 Settled value 200.00 (first 200.00) settled 200.00 refunded 0.00 n2 settle true expires 2024-01-31",
            "invoice t1-1/2 Paid 100.00 credit 0.00 paid 99.95 off 0.05 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
            "invoice t1-2/2 Opened 100.00 credit 0.00 paid 99.94 off 0.00 left 0.06 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
            "credit c4 Payment 99.95 t1-1 Posted",
            "credit s4 ShortfallWriteOff 0.05 t1-1 Posted of c4",
            "credit c5 Payment 99.94 t1-2 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -200.00 t1 n2",
            "entry InvoicePaid 99.95 c4 t1 1/2",
            "entry WriteOff 0.05 s4 t1 1/2",
            "entry InvoicePaid 99.94 c5 t1 2/2",
        ],
    },
    Scenario {
        name: "reversals: a payment (with its shortfall), a write-off, once each; the invoice reopens",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"shortfallTolerance": 0.05}"#), Ok(())),
            (Hold(1, r#"{"value": 200, "settle": true, "installments": 2}"#), Ok(())),
            (Settle(1, "200"), Ok(())),
            (PayPart(1, 1, r#"{"value": 99.98}"#), Ok(())),
            (Reverse(4, "the transfer bounced"), Ok(())),
            (Reverse(4, "again"), Err("CreditReversed")),
            (ReverseShortfall(4, "again"), Err("CreditReversed")),
            (WriteOff(1, 1, "agreed with the buyer"), Ok(())),
            (WriteOff(1, 1, "twice"), Err("InvoiceStatus")),
            (Reverse(8, "written off by mistake"), Ok(())),
            (Reverse(99, "no such credit"), Err("CreditNotFound")),
            (PayPart(1, 2, r#"{"value": 40}"#), Ok(())),
            (CancelInvoice(1, 2), Ok(())),
            (Reverse(12, "too late: the invoice is cancelled"), Err("InvoiceStatus")),
        ],
        totals: ("-100.00", "900.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -100.00",
            "hold t1 Settled value 200.00 (first 200.00) settled 200.00 refunded 0.00 n2 settle true expires 2024-01-31",
            "invoice t1-1/2 Opened 100.00 credit 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved -",
            "invoice t1-2/2 Cancelled 100.00 credit 0.00 paid 40.00 off 0.00 left 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-01-01",
            "credit c4 Payment 99.98 t1-1 Reversed reversed (the transfer bounced)",
            "credit s4 ShortfallWriteOff 0.02 t1-1 Reversed of c4 reversed (the transfer bounced)",
            "credit c8 WriteOff 100.00 t1-1 Reversed (agreed with the buyer) reversed (written off by mistake)",
            "credit c12 Payment 40.00 t1-2 Posted",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -200.00 t1 n2",
            "entry InvoicePaid 99.98 c4 t1 1/2",
            "entry WriteOff 0.02 s4 t1 1/2",
            "entry PaymentReversed -99.98 c4 t1 1/2 (the transfer bounced)",
            "entry WriteOffReversed -0.02 s4 t1 1/2 (the transfer bounced)",
            "entry WriteOff 100.00 c8 t1 1/2 (agreed with the buyer)",
            "entry WriteOffReversed -100.00 c8 t1 1/2 (written off by mistake)",
            "entry InvoicePaid 40.00 c12 t1 2/2",
            "entry InvoiceCancelled 60.00 t1 2/2",
        ],
    },
    Scenario {
        name: "overdue interest: a payment charges it first, as its own entries; days are charged once",
        limit: "2000", tolerance: "0",
        steps: &[
            (Config(r#"{"dailyInterestRate": 0.001, "taxRate": 0.1}"#), Ok(())),
            (Hold(1, r#"{"value": 1000, "settle": true, "installments": 1}"#), Ok(())),
            (Settle(1, "1000"), Ok(())),
            (Wait(30), Ok(())),
            (PayPart(1, 1, r#"{"value": 1}"#), Ok(())),
            (Wait(10), Ok(())),
            (PayPart(1, 1, r#"{"value": 10.98}"#), Err("Invalid")),
            (PayPart(1, 1, r#"{"value": 1010.00}"#), Err("Invalid")),
            (PayPart(1, 1, r#"{"value": 510.99}"#), Ok(())),
            (PayPart(1, 1, r#"{"value": 1}"#), Ok(())),
            (Reverse(9, "tied to the later payment"), Err("ReverseLaterFirst")),
            (Reverse(10, "the same-day payment bounced"), Ok(())),
            (Wait(1), Ok(())),
            (Pay(1, 1), Ok(())),
            (Reverse(9, "the earlier one first"), Err("ReverseLaterFirst")),
            (Reverse(14, "bounced"), Ok(())),
            (Reverse(9, "bounced too"), Ok(())),
            (CancelInvoice(1, 1), Ok(())),
        ],
        totals: ("0.00", "2000.00", "0.00"),
        book: &[
            "account Open limit 2000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 1000.00 (first 1000.00) settled 1000.00 refunded 0.00 n1 settle true expires 2024-01-31",
            "invoice t1-1/1 Cancelled 1000.00 credit 0.00 paid 1.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-02-11",
            "credit c5 Payment 1.00 t1-1 Posted",
            "credit c9 Payment 510.99 t1-1 Reversed with interest 9.99 tax 1.00 for -..2024-02-10 reversed (bounced too)",
            "credit c10 Payment 1.00 t1-1 Reversed reversed (the same-day payment bounced)",
            "credit c14 Payment 499.55 t1-1 Reversed with interest 0.50 tax 0.05 for 2024-02-10..2024-02-11 reversed (bounced)",
            "entry CreditLimitChanged 2000.00",
            "entry Settlement -1000.00 t1 n1",
            "entry InvoicePaid 1.00 c5 t1 1/1",
            "entry Interest -9.99 c9 t1 1/1",
            "entry InterestTax -1.00 c9 t1 1/1",
            "entry InvoicePaid 510.99 c9 t1 1/1",
            "entry InvoicePaid 1.00 c10 t1 1/1",
            "entry PaymentReversed -1.00 c10 t1 1/1 (the same-day payment bounced)",
            "entry Interest -0.50 c14 t1 1/1",
            "entry InterestTax -0.05 c14 t1 1/1",
            "entry InvoicePaid 499.55 c14 t1 1/1",
            "entry PaymentReversed -499.55 c14 t1 1/1 (bounced)",
            "entry InterestReversed 0.50 c14 t1 1/1",
            "entry InterestTaxReversed 0.05 c14 t1 1/1",
            "entry PaymentReversed -510.99 c9 t1 1/1 (bounced too)",
            "entry InterestReversed 9.99 c9 t1 1/1",
            "entry InterestTaxReversed 1.00 c9 t1 1/1",
            "entry InvoiceCancelled 999.00 t1 1/1",
        ],
    },
    Scenario {
        name: "interest: grace days, postponement, tax rounded half up; a write-off forgives it; overdue invoices stop new holds",
        limit: "1000", tolerance: "0",
        steps: &[
            (Config(r#"{"dailyInterestRate": 0.01, "taxRate": 0.5, "interestGraceDays": 2, "postponementEnabled": true, "invoicePostponementLimit": 1, "maxPostponementDays": 10, "overdueBlockDays": 3, "shortfallTolerance": 0.05}"#), Ok(())),
            (Hold(1, r#"{"value": 200, "settle": true, "installments": 2}"#), Ok(())),
            (Settle(1, "200"), Ok(())),
            (Wait(32), Ok(())),
            (Overdue(&[(1, 1)]), Ok(())),
            (Overdue(&[]), Ok(())),
            (PayPart(1, 1, r#"{"value": 67}"#), Ok(())),
            (Hold(2, r#"{"value": 10, "settle": true, "installments": 1}"#), Ok(())),
            (Wait(1), Ok(())),
            (Hold(5, r#"{"value": 1, "settle": false, "installments": 1}"#), Ok(())),
            (Wait(1), Ok(())),
            (Hold(3, r#"{"value": 10, "settle": true, "installments": 1}"#), Err("OverdueInvoices")),
            (Postpone(1, 1, 5), Ok(())),
            (Hold(3, r#"{"value": 10, "settle": true, "installments": 1}"#), Ok(())),
            (Wait(4), Ok(())),
            (Overdue(&[(1, 1)]), Ok(())),
            (PayPart(1, 1, r#"{"value": 33.45}"#), Ok(())),
            (Wait(29), Ok(())),
            (Overdue(&[(1, 2)]), Ok(())),
            (Hold(4, r#"{"value": 10, "settle": true, "installments": 1}"#), Err("OverdueInvoices")),
            (WriteOff(1, 2, "forgiven"), Ok(())),
            (Hold(4, r#"{"value": 10, "settle": true, "installments": 1}"#), Ok(())),
        ],
        totals: ("0.00", "990.00", "10.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "hold t1 Settled value 200.00 (first 200.00) settled 200.00 refunded 0.00 n2 settle true expires 2024-01-31",
            "hold t2 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-03-03",
            "hold t5 Authorized value 1.00 (first 1.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-02-04",
            "hold t3 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-03-05",
            "hold t4 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-04-07",
            "invoice t1-1/2 Paid 100.00 credit 0.00 paid 99.95 off 0.05 left 0.00 interest 0.33 tax 0.17 through 2024-02-08 due 2024-02-05 (first 2024-01-31, 1 times, 5 days) resolved 2024-02-08",
            "invoice t1-2/2 Paid 100.00 credit 0.00 paid 0.00 off 100.00 left 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved 2024-03-08",
            "credit c7 Payment 67.00 t1-1 Posted",
            "credit c17 Payment 33.45 t1-1 Posted with interest 0.33 tax 0.17 for -..2024-02-08",
            "credit s17 ShortfallWriteOff 0.05 t1-1 Posted of c17",
            "credit c21 WriteOff 100.00 t1-2 Posted (forgiven)",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -200.00 t1 n2",
            "entry InvoicePaid 67.00 c7 t1 1/2",
            "entry Interest -0.33 c17 t1 1/2",
            "entry InterestTax -0.17 c17 t1 1/2",
            "entry InvoicePaid 33.45 c17 t1 1/2",
            "entry WriteOff 0.05 s17 t1 1/2",
            "entry WriteOff 100.00 c21 t1 2/2 (forgiven)",
        ],
    },
    Scenario {
        name: "a refund takes only what is owed; an invoice paid in part and refunded the rest is paid",
        limit: "1000", tolerance: "0",
        steps: &[
            (Hold(1, r#"{"value": 100, "settle": true, "installments": 1}"#), Ok(())),
            (Settle(1, "100"), Ok(())),
            (PayPart(1, 1, r#"{"value": 30}"#), Ok(())),
            (Settle(1, "29.99"), Err("SettlementBelowResolved")),
            (Refund(1, "70"), Ok(())),
            (ChangeInvoice(1, 1, r#"{"status": "Opened"}"#), Ok(())),
        ],
        totals: ("-30.00", "970.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance -30.00",
            "hold t1 Settled value 100.00 (first 100.00) settled 100.00 refunded 70.00 n1 settle true expires 2024-01-31",
            "invoice t1-1/1 Opened 30.00 credit 70.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved -",
            "credit c3 Payment 30.00 t1-1 Reversed reversed (invoice reopened)",
            "entry CreditLimitChanged 1000.00",
            "entry Settlement -100.00 t1 n1",
            "entry InvoicePaid 30.00 c3 t1 1/1",
            "entry Refund 70.00 t1 n1",
            "entry PaymentReversed -30.00 c3 t1 1/1 (invoice reopened)",
        ],
    },
    Scenario {
        name: "holders: unique emails, removed by id",
        limit: "1000", tolerance: "0",
        steps: &[
            (AddHolder(1, "ana@example.com"), Ok(())),
            (AddHolder(2, "ANA@example.com"), Err("HolderExists")),
            (AddHolder(2, "bob@example.com"), Ok(())),
            (RemoveHolder(1), Ok(())),
            (RemoveHolder(1), Err("HolderNotFound")),
        ],
        totals: ("0.00", "1000.00", "0.00"),
        book: &[
            "account Open limit 1000.00 tolerance 0 balance 0.00",
            "holder 02020202020202020202020202020202 bob@example.com level 2",
            "entry CreditLimitChanged 1000.00",
        ],
    },
];

const START: &str = "2024-01-01T00:00:00Z";

struct Run {
    book: Book,
    config: StoreConfig,
    now: Timestamp,
    actor: Actor,
    /// The step being run (1-based): credits made at step k are `c{k}` and `s{k}`.
    seq: u16,
}

/// The credit (payment or write-off) made at step `k`, or its shortfall write-off.
fn credit(k: u16) -> CreditLocator {
    CreditLocator::new(u64::from(k), [0; 10])
}
fn shortfall(k: u16) -> CreditLocator {
    CreditLocator::new(u64::from(k), [1; 10])
}
fn locators(k: u16) -> PaymentLocators {
    PaymentLocators {
        payment: credit(k),
        shortfall: shortfall(k),
    }
}

fn tx(n: u8) -> TransactionId {
    TransactionId::from_bytes([n; 16])
}

fn body(text: &str) -> Value {
    serde_json::from_str(text).expect("case bodies are JSON")
}

impl Run {
    fn step(&mut self, step: Step) -> Result<(), CreditError> {
        let (config, actor) = (self.config.clone(), self.actor.clone());
        let ctx = Ctx {
            now: self.now,
            actor: &actor,
            config: &config,
        };
        let book = &mut self.book;
        let invoice = |t: u8, n: u16| InvoiceId::new(&tx(t), n);
        match step {
            Config(update) => self.config = StoreConfig::default().apply_update(&body(update))?,
            Hold(t, json) => {
                book.create_hold(&CreateHold::from_json(&body(json), self.now)?, tx(t), &ctx)?;
            }
            Update(t, json) => {
                book.update_hold(&tx(t), &UpdateHold::from_json(&body(json), self.now)?, &ctx)?;
            }
            CancelHold(t) => book.cancel_hold(&tx(t), &ctx)?,
            Settle(t, value) => {
                let code: FriendlyCode = "AbCd1234".parse().unwrap();
                let before = book
                    .transactions
                    .iter()
                    .find(|x| x.id == tx(t))
                    .map(|x| x.settled_value);
                let result = book.settle(&tx(t), value.parse().unwrap(), &code, &ctx)?;
                if before == Some(value.parse().unwrap()) {
                    assert_eq!(result, Settled::Unchanged);
                }
            }
            Refund(t, value) => book.refund(&tx(t), value.parse().unwrap(), &ctx)?,
            Pay(t, n) => {
                book.pay(&invoice(t, n), &Pay::all(), &locators(self.seq), &ctx)?;
            }
            PayPart(t, n, json) => {
                let pay = Pay::from_json(&body(json))?;
                book.pay(&invoice(t, n), &pay, &locators(self.seq), &ctx)?;
            }
            WriteOff(t, n, reason) => {
                let reason = CreditReason::from_json(&json!({ "reason": reason }))?;
                book.write_off(&invoice(t, n), &reason, &credit(self.seq), &ctx)?;
            }
            Reverse(k, reason) => {
                let reason = CreditReason::from_json(&json!({ "reason": reason }))?;
                book.reverse_credit(&credit(k), &reason, &ctx)?;
            }
            ReverseShortfall(k, reason) => {
                let reason = CreditReason::from_json(&json!({ "reason": reason }))?;
                book.reverse_credit(&shortfall(k), &reason, &ctx)?;
            }
            CancelInvoice(t, n) => {
                book.cancel_invoice(&invoice(t, n), &ctx)?;
            }
            ChangeInvoice(t, n, json) => {
                book.change_invoice(
                    &invoice(t, n),
                    &ChangeInvoice::from_json(&body(json))?,
                    &locators(self.seq),
                    &ctx,
                )?;
            }
            Postpone(t, n, days) => {
                let before = book
                    .invoices
                    .iter()
                    .find(|i| i.id == invoice(t, n))
                    .unwrap()
                    .due_date;
                let after = book.postpone_invoice(&invoice(t, n), days, &ctx)?;
                assert_eq!(after.due_date, before.plus_days(u32::from(days)).unwrap());
                assert_ne!(after.original_due_date, after.due_date);
            }
            Debit(id, value) => {
                let id: StatementId = id.parse().unwrap();
                let value = commands::debit_from_json(&json!({ "value": value }))?;
                book.debit(&id, value, &ctx)?;
            }
            Limit(json) => {
                book.change_credit_limit(&Change::credit_limit_from_json(&body(json))?, &ctx)
            }
            Tolerance(json) => {
                book.change_tolerance(&Change::tolerance_from_json(&body(json))?, &ctx)
            }
            Close => book.close(&ctx)?,
            Reopen => {
                let update = commands::UpsertAccount::from_json(
                    &json!({"document": "11111111111", "documentType": "CPF", "email": "buyer@example.com"}),
                    &book.account.id.clone(),
                )?;
                book.update(&update, &ctx);
            }
            AddHolder(n, email) => {
                let email: Email = email.parse().unwrap();
                book.add_holder(&email, HolderId::from_bytes([n; 16]), &ctx)?;
            }
            RemoveHolder(n) => book.remove_holder(&HolderId::from_bytes([n; 16]), &ctx)?,
            Wait(days) => self.now = self.now.plus_days(days).unwrap(),
            Overdue(want) => {
                let marked = book.mark_overdue(self.now);
                let want: Vec<InvoiceId> = want
                    .iter()
                    .map(|&(t, n)| InvoiceId::new(&tx(t), n))
                    .collect();
                assert_eq!(marked, want, "the invoices the sweep marked overdue");
            }
            Expire(want) => {
                let expired = book.expire_holds(self.now);
                let want: Vec<TransactionId> = want.iter().map(|&n| tx(n)).collect();
                assert_eq!(expired, want, "the holds the sweep expired");
            }
            Put(t, json) => {
                book.put_hold(&tx(t), &UpdateHold::from_json(&body(json), self.now)?, &ctx)?;
            }
        }
        Ok(())
    }
}

/// What a step reads ([`Reads`], as the server loads it); `None` for steps that are no command.
fn reads_of(step: Step, config: &StoreConfig) -> Option<Reads> {
    let invoice = |t: u8, n: u16| InvoiceId::new(&tx(t), n);
    Some(match step {
        Config(_) | Wait(_) => return None,
        Hold(..) => Reads::new_hold(config),
        Limit(_) | Tolerance(_) | Reopen => Reads::account(),
        Update(t, _) | CancelHold(t) | Put(t, _) => Reads::hold(&tx(t)),
        Settle(t, _) | Refund(t, _) => Reads::settlement(&tx(t)),
        Pay(t, n)
        | PayPart(t, n, _)
        | WriteOff(t, n, _)
        | CancelInvoice(t, n)
        | Postpone(t, n, _) => Reads::invoice(&invoice(t, n)),
        ChangeInvoice(t, n, _) => Reads::invoice_credits(&invoice(t, n)),
        // A reversal names no invoice: the server finds the credit's first (Reads::invoice_credits
        // of it), as `a_reversal_reads_its_invoice_and_credits` checks.
        Reverse(..) | ReverseShortfall(..) => return None,
        Debit(id, _) => Reads::debit(&id.parse().unwrap()),
        Close => Reads::close(),
        AddHolder(..) | RemoveHolder(_) => Reads::holders(),
        Expire(_) => Reads::expiry(),
        Overdue(_) => Reads::overdue(),
    })
}

/// The step on the loaded book (`partial_before` → `partial`) changed what it did on the whole
/// book (`before` → `full`): the same account, the same new entries, each thing it holds as in
/// the whole book, and everything the whole book's step changed is among what it holds.
fn same_changes(context: &str, before: &Book, full: &Book, partial_before: &Book, partial: &Book) {
    assert_eq!(partial.account, full.account, "{context}: the account");
    let new_entries = |from: &Book, to: &Book| to.entries[from.entries.len()..].to_vec();
    assert_eq!(
        new_entries(partial_before, partial),
        new_entries(before, full),
        "{context}: the new entries"
    );
    fn check<T: PartialEq + std::fmt::Debug, K: PartialEq>(
        context: &str,
        what: &str,
        key: impl Fn(&T) -> K,
        before: &[T],
        full: &[T],
        partial: &[T],
    ) {
        let find = |list: &[T], item: &T| {
            list.iter()
                .find(|x| key(x) == key(item))
                .map(|x| format!("{x:?}"))
        };
        for item in partial {
            assert_eq!(
                find(full, item),
                Some(format!("{item:?}")),
                "{context}: a loaded {what} differs from the whole book's"
            );
        }
        for item in full {
            if find(before, item) != Some(format!("{item:?}")) {
                assert!(
                    find(partial, item).is_some(),
                    "{context}: the step changed a {what} its reads do not load: {item:?}"
                );
            }
        }
    }
    check(
        context,
        "transaction",
        |t: &creditdesk_core::transaction::Transaction| t.id.clone(),
        &before.transactions,
        &full.transactions,
        &partial.transactions,
    );
    check(
        context,
        "invoice",
        |i: &creditdesk_core::invoice::Invoice| i.id.clone(),
        &before.invoices,
        &full.invoices,
        &partial.invoices,
    );
    check(
        context,
        "holder",
        |h: &creditdesk_core::account::Holder| h.id.clone(),
        &before.holders,
        &full.holders,
        &partial.holders,
    );
    check(
        context,
        "credit",
        |c: &creditdesk_core::credit::Credit| c.locator.clone(),
        &before.credits,
        &full.credits,
        &partial.credits,
    );
    let gone = |from: &Book, to: &Book| {
        let mut ids: Vec<_> = from
            .holders
            .iter()
            .filter(|h| !to.holders.contains(h))
            .map(|h| h.id.clone())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        gone(partial_before, partial),
        gone(before, full),
        "{context}: the holders removed"
    );
}

fn run(scenario: &Scenario) {
    let config = StoreConfig::default();
    let actor: Actor = "tests".parse().unwrap();
    let now: Timestamp = START.parse().unwrap();
    let open = OpenAccount::from_json(&json!({
        "document": "11111111111", "documentType": "CPF", "email": "buyer@example.com",
        "creditLimit": scenario.limit, "tolerance": scenario.tolerance,
    }))
    .unwrap();
    let book = Book::open(
        &open,
        &Ctx {
            now,
            actor: &actor,
            config: &config,
        },
    );
    let mut run = Run {
        book,
        config,
        now,
        actor,
        seq: 0,
    };
    for (i, (step, expect)) in scenario.steps.iter().enumerate() {
        run.seq = u16::try_from(i + 1).unwrap();
        let before = run.book.clone();
        let (config, now) = (run.config.clone(), run.now);
        let result = run.step(*step);
        let context = format!("{}: step {} {step:?}", scenario.name, i + 1);
        if let Some(reads) = reads_of(*step, &config) {
            // The same step on the book as storage loads it for the step's reads.
            let mut partial = Run {
                book: before.loaded(&reads, now),
                config,
                now,
                actor: run.actor.clone(),
                seq: run.seq,
            };
            let partial_before = partial.book.clone();
            let partial_result = partial.step(*step);
            assert_eq!(
                format!("{partial_result:?}"),
                format!("{result:?}"),
                "{context}: the answer on the book loaded for {reads:?}"
            );
            same_changes(&context, &before, &run.book, &partial_before, &partial.book);
            // The events storage writes from the loaded book are the whole book's.
            assert_eq!(
                book_events(Some(&partial_before), &partial.book),
                book_events(Some(&before), &run.book),
                "{context}: the events of the loaded book"
            );
        }
        match (result, expect) {
            (Ok(()), Ok(())) => {}
            (Err(error), Err(want)) => {
                let got = format!("{error:?}");
                assert!(got.starts_with(want), "{context}: got {got}, want {want}…");
                assert_eq!(
                    run.book, before,
                    "{context}: a refused step changed the book"
                );
            }
            (got, want) => panic!("{context}: got {got:?}, want {want:?}"),
        }
        run.book
            .check_invariants()
            .unwrap_or_else(|e| panic!("{context}: {e}"));
    }
    let ctx = Ctx {
        now: run.now,
        actor: &run.actor,
        config: &run.config,
    };
    let balances = run.book.balances(&ctx);
    let got = (
        balances.balance.to_string(),
        balances.available_credit.to_string(),
        balances.pre_authorized_credit.to_string(),
    );
    let (balance, available, held) = scenario.totals;
    assert_eq!(
        got,
        (balance.to_owned(), available.to_owned(), held.to_owned()),
        "{}: (balance, available, held)",
        scenario.name
    );
    let statement = run.book.statement(None, None);
    assert_eq!(
        statement.current_balance, run.book.account.balance,
        "{}",
        scenario.name
    );
    assert_eq!(
        book_lines(&run.book),
        scenario.book,
        "{}: the book at the end",
        scenario.name
    );
}

/// The book as lines: the account, then each holder, hold, invoice and entry. Transactions are
/// named `tN` as in the steps; dates are days (`2024-01-31`).
fn book_lines(book: &Book) -> Vec<String> {
    let name = |id: &TransactionId| {
        (0..=u8::MAX)
            .find(|&n| tx(n) == *id)
            .map_or_else(|| id.to_string(), |n| format!("t{n}"))
    };
    let day = |at: Timestamp| at.to_string()[..10].to_owned();
    let a = &book.account;
    let mut lines = vec![format!(
        "account {:?} limit {} tolerance {} balance {}",
        a.status, a.credit_limit, a.tolerance, a.balance
    )];
    for h in &book.holders {
        lines.push(format!("holder {} {} level {}", h.id, h.email, h.level));
    }
    for t in &book.transactions {
        lines.push(format!(
            "hold {} {:?} value {} (first {}) settled {} refunded {} n{} settle {} expires {}",
            name(&t.id),
            t.status,
            t.value,
            t.original_value,
            t.settled_value,
            t.refunded_value,
            t.installments,
            t.settle,
            day(t.expires_at),
        ));
    }
    for i in &book.invoices {
        let credits = if i.has_credits() {
            format!(
                " paid {} off {} left {}",
                i.paid_value,
                i.written_off_value,
                i.remaining()
            )
        } else {
            String::new()
        };
        let interest = match i.interest_through {
            Some(through) => format!(
                " interest {} tax {} through {}",
                i.interest_paid_value,
                i.interest_tax_paid_value,
                day(through)
            ),
            None if i.interest_paid_value.is_positive() => {
                format!(" interest {} with no end", i.interest_paid_value)
            }
            None => String::new(),
        };
        lines.push(format!(
            "invoice {}-{}/{} {:?} {} credit {}{credits}{interest} due {} (first {}, {} times, {} days) resolved {}",
            name(&i.transaction_id),
            i.installment,
            i.number_of_installments,
            i.status,
            i.value,
            i.credit_value,
            day(i.due_date),
            day(i.original_due_date),
            i.postponements,
            i.postponed_days,
            i.resolved_at.map_or_else(|| "-".to_owned(), day),
        ));
    }
    let credit_name = |l: &CreditLocator| {
        (1..=u16::MAX)
            .find_map(|k| {
                (credit(k) == *l)
                    .then(|| format!("c{k}"))
                    .or_else(|| (shortfall(k) == *l).then(|| format!("s{k}")))
            })
            .unwrap_or_else(|| l.to_string())
    };
    for c in &book.credits {
        let mut line = format!(
            "credit {} {:?} {} {}-{} {:?}",
            credit_name(&c.locator),
            c.kind,
            c.amount,
            name(&c.invoice_id.transaction_id()),
            c.invoice_id.installment(),
            c.state()
        );
        if let Some(parent) = &c.parent {
            line += &format!(" of {}", credit_name(parent));
        }
        if let Some(charged) = &c.interest {
            let from = charged.from.map_or_else(|| "-".to_owned(), day);
            line += &format!(
                " with interest {} tax {} for {from}..{}",
                charged.interest,
                charged.tax,
                day(charged.through)
            );
        }
        for text in [&c.reference, &c.reason].into_iter().flatten() {
            line += &format!(" ({text})");
        }
        if let Some(reversal) = &c.reversal {
            line += &format!(" reversed ({})", reversal.reason);
        }
        lines.push(line);
    }
    for e in &book.entries {
        let mut line = format!("entry {:?} {}", e.kind, e.value);
        if let Some(c) = &e.credit {
            line += &format!(" {}", credit_name(c));
        }
        if let Some(t) = &e.transaction_id {
            line += &format!(" {}", name(t));
        }
        match (e.installment, e.number_of_installments) {
            (Some(i), Some(n)) => line += &format!(" {i}/{n}"),
            (None, Some(n)) => line += &format!(" n{n}"),
            (Some(i), None) => line += &format!(" {i}/?"),
            (None, None) => {}
        }
        if let Some(id) = &e.statement_id {
            line += &format!(" statement {id}");
        }
        if let Some(reason) = &e.reason {
            line += &format!(" ({reason})");
        }
        lines.push(line);
    }
    lines
}

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

/// Account `1_CPF` opened with a limit of 1000.
fn opened(ctx: &Ctx) -> Book {
    let open = OpenAccount::from_json(
        &json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000}),
    )
    .unwrap();
    Book::open(&open, ctx)
}

/// The event types of each step of a small story, in order.
fn event_story() -> Vec<(&'static str, Vec<creditdesk_core::webhooks::Event>)> {
    let config = StoreConfig::default();
    let actor: Actor = "tests".parse().unwrap();
    let now: Timestamp = START.parse().unwrap();
    let ctx = Ctx {
        now,
        actor: &actor,
        config: &config,
    };
    let opened = opened(&ctx);
    let mut story = vec![("open", book_events(None, &opened))];
    let mut book = opened;
    let mut step = |name: &'static str, book: &mut Book, f: &dyn Fn(&mut Book)| {
        let before = book.clone();
        f(book);
        story.push((name, book_events(Some(&before), book)));
    };
    step("hold", &mut book, &|b| {
        let hold = CreateHold::from_json(
            &json!({"value": 200, "settle": true, "installments": 2}),
            now,
        )
        .unwrap();
        b.create_hold(&hold, tx(1), &ctx).unwrap();
    });
    step("settle", &mut book, &|b| {
        b.settle(&tx(1), money("200"), &"AbCd1234".parse().unwrap(), &ctx)
            .unwrap();
    });
    step("pay", &mut book, &|b| {
        b.pay(&InvoiceId::new(&tx(1), 1), &Pay::all(), &locators(1), &ctx)
            .unwrap();
    });
    step("reverse", &mut book, &|b| {
        let reason = CreditReason::from_json(&json!({"reason": "bounced"})).unwrap();
        b.reverse_credit(&credit(1), &reason, &ctx).unwrap();
    });
    step("cancel", &mut book, &|b| {
        b.cancel_invoice(&InvoiceId::new(&tx(1), 2), &ctx).unwrap();
    });
    step("late", &mut book, &|b| {
        b.mark_overdue(now.plus_days(31).unwrap());
    });
    step("still late", &mut book, &|b| {
        b.mark_overdue(now.plus_days(32).unwrap());
    });
    step("limit", &mut book, &|b| {
        b.change_credit_limit(
            &Change::credit_limit_from_json(&json!({"value": 1500})).unwrap(),
            &ctx,
        );
    });
    step("hold that expires", &mut book, &|b| {
        let hold = CreateHold::from_json(
            &json!({"value": 5, "settle": false, "installments": 1}),
            now,
        )
        .unwrap();
        b.create_hold(&hold, tx(2), &ctx).unwrap();
    });
    step("expire", &mut book, &|b| {
        b.expire_holds(now.plus_days(2).unwrap());
    });
    step("nothing", &mut book, &|_| {});
    story
}

case_test! {
    fn commands_tell_their_events() {
        use EventType::*;
        let story = event_story();
        let expected: &[(&str, &[EventType])] = &[
            ("open", &[AccountCreditLimitChanged]),
            ("hold", &[HoldCreated]),
            ("settle", &[HoldSettled, InvoiceCreated, InvoiceCreated]),
            ("pay", &[InvoicePaid, CreditPosted]),
            ("reverse", &[InvoiceReopened, CreditReversed]),
            ("cancel", &[InvoiceCancelled]),
            ("late", &[InvoiceOverdue]),
            ("still late", &[]),
            ("limit", &[AccountCreditLimitChanged]),
            ("hold that expires", &[HoldCreated]),
            ("expire", &[HoldExpired]),
            ("nothing", &[]),
        ];
        let kinds: Vec<(&str, Vec<EventType>)> =
            story.iter().map(|(n, e)| (*n, e.iter().map(|e| e.kind).collect())).collect();
        let got: Vec<(&str, &[EventType])> = kinds.iter().map(|(n, k)| (*n, k.as_slice())).collect();
        assert_eq!(got, expected);
        // Each event says what it is about.
        let data = |step: &str, i: usize| story.iter().find(|(n, _)| *n == step).unwrap().1[i].data.clone();
        assert_eq!(data("hold", 0)["transactionId"], tx(1).to_string());
        assert_eq!(data("hold", 0)["value"].to_string(), "200.00");
        assert_eq!(data("settle", 0)["status"], "Settled");
        assert_eq!(data("settle", 1)["invoiceId"], InvoiceId::new(&tx(1), 1).to_string());
        assert_eq!(data("settle", 2)["remainingValue"].to_string(), "100.00");
        assert_eq!(data("pay", 0)["status"], "Paid");
        assert_eq!(data("pay", 1)["creditType"], "payment");
        assert_eq!(data("limit", 0)["previousCreditLimit"].to_string(), "1000.00");
        assert!(story.iter().flat_map(|(_, e)| e).all(|e| e.account_id.to_string() == "1_CPF"));
        for kind in EventType::ALL {
            assert_eq!(EventType::from_name(kind.as_str()), Some(kind));
        }
    }

    fn scenarios() {
        for scenario in SCENARIOS {
            run(scenario);
        }
    }

    fn settlement_invoices_have_exact_values_and_due_dates() {
        let scenario = Scenario { name: "settle", limit: "1000", tolerance: "0", steps: &[], totals: ("0.00", "1000.00", "0.00"), book: &["account Open limit 1000.00 tolerance 0 balance 0.00", "entry CreditLimitChanged 1000.00"] };
        run(&scenario);
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let now: Timestamp = "2024-03-03T06:52:53.1314379Z".parse().unwrap();
        let ctx = Ctx { now, actor: &actor, config: &config };
        let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "Other", "email": "a@b.co", "creditLimit": 1000})).unwrap();
        let mut book = Book::open(&open, &ctx);
        let hold = CreateHold::from_json(&json!({"value": "100.01", "settle": true, "installments": 4}), now).unwrap();
        book.create_hold(&hold, tx(9), &ctx).unwrap();
        book.settle(&tx(9), money("100.01"), &"IBjuAsrJ".parse().unwrap(), &ctx).unwrap();
        let rows: Vec<(String, String, String, String)> = book.invoices.iter().map(|i| {
            (i.id.to_string(), i.friendly_id.to_string(), i.value.to_string(), i.due_date.to_string())
        }).collect();
        let id = tx(9).to_string();
        assert_eq!(rows, vec![
            (format!("{id}-01"), "IBjuAsrJ-1".into(), "25.01".into(), "2024-04-02T06:52:53.1314370Z".into()),
            (format!("{id}-02"), "IBjuAsrJ-2".into(), "25.00".into(), "2024-05-02T06:52:53.1314370Z".into()),
            (format!("{id}-03"), "IBjuAsrJ-3".into(), "25.00".into(), "2024-06-01T06:52:53.1314370Z".into()),
            (format!("{id}-04"), "IBjuAsrJ-4".into(), "25.00".into(), "2024-07-01T06:52:53.1314370Z".into()),
        ]);
        assert!(book.invoices.iter().all(|i| i.original_due_date == i.due_date));
    }

    fn accounts_open_at_checkout_only_when_the_store_allows() {
        let actor: Actor = "tests".parse().unwrap();
        let now: Timestamp = START.parse().unwrap();
        let id: AccountId = "12345678909_CPF".parse().unwrap();
        let closed = StoreConfig::default().apply_update(&json!({"automaticCheckingAccountCreationEnabled": false})).unwrap();
        let refused = Book::open_automatically(&id, &Ctx { now, actor: &actor, config: &closed });
        assert_eq!(refused, Err(CreditError::AccountNotFound(id.clone())));
        let open = StoreConfig::default().apply_update(&json!({"automaticCheckingAccountCreationEnabled": true, "defaultCreditValue": 250})).unwrap();
        let book = Book::open_automatically(&id, &Ctx { now, actor: &actor, config: &open }).unwrap();
        assert_eq!(book_lines(&book), [
            "account Open limit 250.00 tolerance 0 balance 0.00",
            "entry CreditLimitChanged 250.00 (opened automatically at checkout)",
        ]);
        let a = &book.account;
        assert_eq!((a.id.clone(), a.document.as_str(), a.document_type.as_str(), a.email.clone()), (id, "12345678909", "CPF", None));
    }

    fn holds_summed_by_storage_count_against_the_credit() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let now: Timestamp = START.parse().unwrap();
        let ctx = Ctx { now, actor: &actor, config: &config };
        let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000})).unwrap();
        let mut book = Book::open(&open, &ctx);
        book.held_elsewhere = money("300");
        let hold = |value: &str| CreateHold::from_json(&json!({"value": value}), now).unwrap();
        book.create_hold(&hold("100"), tx(1), &ctx).unwrap();
        assert_eq!(book.pre_authorized(now), money("400"));
        assert_eq!(book.balances(&ctx).available_credit, money("600"));
        let refused = book.create_hold(&hold("600.01"), tx(2), &ctx).map(|_| ());
        assert_eq!(refused, Err(CreditError::InsufficientCredit { requested: money("600.01"), available: money("600") }));
    }

    fn the_balance_stays_within_its_bound() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let now: Timestamp = START.parse().unwrap();
        let ctx = Ctx { now, actor: &actor, config: &config };
        let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 0})).unwrap();
        let mut book = Book::open(&open, &ctx);
        // As if a long history had brought it a unit and a cent short of the bound.
        book.account.balance = Money::saturating_from_minor(-(BALANCE_MAX_MINOR - 101));
        assert_eq!(book.debit(&"a".parse().unwrap(), money("-1"), &ctx), Ok(money("-1")));
        assert_eq!(book.debit(&"b".parse().unwrap(), money("-0.01"), &ctx), Ok(money("-0.01")));
        assert_eq!(book.account.balance.minor(), -BALANCE_MAX_MINOR);
        assert_eq!(book.debit(&"c".parse().unwrap(), money("-0.01"), &ctx), Err(CreditError::OutOfRange));
    }

    fn a_reversal_stays_within_the_balance_bound() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let now: Timestamp = START.parse().unwrap();
        let ctx = Ctx { now, actor: &actor, config: &config };
        let mut book = settled_book();
        let paid = book.credits[0].locator.clone();
        // As if a long history had brought the balance 0.50 short of the bound.
        let shift = -(BALANCE_MAX_MINOR - 50) - book.account.balance.minor();
        book.account.balance = Money::saturating_from_minor(book.account.balance.minor() + shift);
        let reason = CreditReason { reason: "bounced".into() };
        let before = book.clone();
        assert_eq!(book.reverse_credit(&paid, &reason, &ctx).map(|_| ()), Err(CreditError::OutOfRange));
        assert_eq!(book, before);
    }

    fn invoices_paid_before_credits_get_one_payment_credit() {
        let mut book = settled_book();
        let paid = book.invoices.iter().position(|i| i.status == creditdesk_core::invoice::InvoiceStatus::Paid).unwrap();
        // As an older dump or database holds it: paid, with no credit.
        book.credits.clear();
        book.invoices[paid].paid_value = Money::ZERO;
        assert!(book.check_invariants().is_err());
        let mut again = book.clone();
        assert_eq!(book.upgrade_legacy_payments(), 1);
        assert_eq!(book.invoices[paid].paid_value, book.invoices[paid].value);
        assert_eq!(book.check_invariants(), Ok(()));
        assert_eq!(book.upgrade_legacy_payments(), 0, "once is enough");
        // The same locator whoever upgrades it.
        again.upgrade_legacy_payments();
        assert_eq!(again.credits, book.credits);
        assert_eq!(book.credits[0].actor.as_str(), creditdesk_core::credit::LEGACY_ACTOR);
    }

    fn an_invoices_credit_list_is_its_credits_oldest_first() {
        use creditdesk_core::wire::CreditList;
        let currency: creditdesk_core::store_config::Currency = "usd".parse().unwrap();
        let mut book = settled_book();
        let (paid, open) = (InvoiceId::new(&tx(1), 1), InvoiceId::new(&tx(1), 2));
        // Another credit of the same invoice, stored before the first, and one of another invoice.
        let mut older = book.credits[0].clone();
        older.locator = credit(1);
        let mut elsewhere = book.credits[0].clone();
        elsewhere.locator = credit(2);
        elsewhere.invoice_id = open.clone();
        book.credits.push(older);
        book.credits.push(elsewhere);
        let list = CreditList::of_invoice(&book, &paid, &currency).unwrap();
        let locators: Vec<&str> = list.items.iter().map(|c| c.locator.as_str()).collect();
        assert_eq!(locators, [credit(1).as_str(), credit(90).as_str()]);
        assert!(list.list_completed);
        assert_eq!(list.items[0].currency, "USD");
        let none = InvoiceId::new(&tx(9), 1);
        assert_eq!(CreditList::of_invoice(&book, &none, &currency), Err(CreditError::InvoiceNotFound(none)));
    }

    fn each_credit_condition_holds_of_its_own_field_only() {
        use creditdesk_core::credit::{CreditKind, CreditState, Reversal};
        use creditdesk_core::search::CreditCondition as C;
        let book = settled_book();
        let posted = book.credits[0].clone();
        assert_eq!((posted.kind, posted.state()), (CreditKind::Payment, CreditState::Posted));
        let other = creditdesk_core::credit::Credit {
            locator: credit(77),
            account_id: "2_CPF".parse().unwrap(),
            invoice_id: InvoiceId::new(&tx(9), 1),
            kind: CreditKind::WriteOff,
            reversal: Some(Reversal {
                reason: "test".into(),
                at: posted.created_at,
                actor: posted.actor.clone(),
            }),
            ..posted.clone()
        };
        for condition in [
            C::Locator(posted.locator.clone()),
            C::Account(posted.account_id.clone()),
            C::Invoice(posted.invoice_id.clone()),
            C::Kind(CreditKind::Payment),
            C::State(CreditState::Posted),
        ] {
            assert!(condition.matches(&posted) && !condition.matches(&other), "{condition:?}");
        }
        assert!(C::State(CreditState::Reversed).matches(&other));
    }

    fn a_credit_page_is_complete_exactly_when_it_reaches_the_end() {
        use creditdesk_core::search::{CreditCondition, CreditFilter};
        use creditdesk_core::wire::{CreditList, CreditView};
        let currency: creditdesk_core::store_config::Currency = "BRL".parse().unwrap();
        let book = settled_book();
        // Five credits, stored newest first; pages read oldest first.
        let credits: Vec<_> = (1..=5u16)
            .rev()
            .map(|k| {
                let mut c = book.credits[0].clone();
                c.locator = credit(k);
                c
            })
            .collect();
        let page = |query: &str| {
            let (items, completed) = page_filter(query).select(credits.iter());
            let ks: Vec<String> = items.iter().map(|c| c.locator.to_string()).collect();
            (ks, completed)
        };
        let ks = |range: std::ops::RangeInclusive<u16>| -> Vec<String> {
            range.map(|k| credit(k).to_string()).collect()
        };
        assert_eq!(page("count=2"), (ks(1..=2), false));
        assert_eq!(page("offset=2&count=2"), (ks(3..=4), false));
        assert_eq!(page("offset=3&count=2"), (ks(4..=5), true));
        assert_eq!(page("offset=4&count=2"), (ks(5..=5), true));
        assert_eq!(page("offset=5&count=2"), (Vec::<String>::new(), true));
        assert_eq!(page("offset=0&count=5"), (ks(1..=5), true));
        assert_eq!(page("offset=0&count=4"), (ks(1..=4), false));
        // Conditions all hold: another account's credits are not listed.
        let other: creditdesk_core::ids::AccountId = "2_CPF".parse().unwrap();
        let filter = CreditFilter::of(vec![CreditCondition::Account(other)]);
        assert_eq!(filter.select(credits.iter()), (vec![], true));
        // Brief leaves out Creditdesk's additions; extended writes them.
        let brief = serde_json::to_value(CreditList::select(&page_filter("count=1"), credits.iter(), &currency)).unwrap();
        let item = &brief["items"][0];
        assert_eq!((item.get("targets"), item.get("createdBy"), item.get("reference")), (None, None, None), "{brief}");
        let full = CreditView::of(&credits[4], &currency);
        assert_eq!(full.created_by.as_deref(), Some("tests"));
        assert_eq!(full.targets.len(), 1);
        assert_eq!(full.targets[0].amount, credits[4].amount);
    }

    fn an_imported_book_is_upgraded_then_checked() {
        use creditdesk_core::memory::accept_book;
        let mut book = settled_book();
        book.credits.clear();
        let paid = book.invoices.iter().position(|i| i.has_credits()).unwrap();
        book.invoices[paid].paid_value = Money::ZERO;
        assert_eq!(accept_book(&mut book), Ok(()));
        assert_eq!(book.credits.len(), 1);
        book.account.balance = money("1");
        assert!(accept_book(&mut book).is_err(), "a broken book is still refused");
    }

    fn invoice_views_tell_when_they_are_overdue() {
        use creditdesk_core::wire::InvoiceView;
        let book = settled_book();
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let view = |i: usize| InvoiceView::new(&book.invoices[i], &InterestPolicy::NONE, at(START));
        let (paid, open) = (view(0), view(1));
        for (view, now, overdue) in [
            (&open, "2024-03-01T00:00:00Z", false),
            (&open, "2024-03-01T00:00:00.000001Z", true),
            (&paid, "2030-01-01T00:00:00Z", false),
        ] {
            assert_eq!(view.is_overdue(at(now)), overdue, "{} {} due {} at {now}", view.id, view.status.as_str(), view.due_date);
        }
    }

    fn each_command_loads_what_its_reads_name() {
        let (mut book, now) = loaded_fixture();
        // A book that was itself loaded keeps what storage summed.
        book.held_elsewhere = money("5");
        assert_eq!(book.loaded(&Reads::account(), now).held_elsewhere, money("25"));
        assert_eq!(book.loaded(&Reads::hold(&tx(3)), now).held_elsewhere, money("5"));
        book.held_elsewhere = Money::ZERO;
        for (reads, held, lines) in loaded_cases() {
            let loaded = book.loaded(&reads, now);
            assert_eq!((loaded.held_elsewhere.to_string().as_str(), book_lines(&loaded)), (held, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>()), "{reads:?}");
        }
    }

    fn the_invariant_check_finds_each_kind_of_corruption() {
        for (what, corrupt, want) in CORRUPTIONS {
            let mut book = settled_book();
            assert_eq!(book.check_invariants(), Ok(()), "before: {what}");
            corrupt(&mut book);
            let got = book.check_invariants().expect_err(what);
            assert!(got.contains(want), "{what}: got {got:?}, want …{want}…");
        }
    }

    fn a_loaded_book_is_checked_for_what_was_read() {
        // Each corruption, seen through a command's reads: found when what it breaks was read.
        for (what, corrupt, want) in CORRUPTIONS {
            // A credit's corruption is seen where the invoice's credits are read.
            let of_credit = ["is malformed", "but its posted credits say", "but its posted payments say"].contains(want);
            let mut cases = vec![
                (Reads::settlement(&tx(1)), *what != "the balance off by a cent" && !of_credit),
                (Reads::statement(), *what == "the balance off by a cent"),
                (Reads::hold(&tx(1)), *what == "more refunded than settled"),
            ];
            if of_credit {
                cases.push((Reads::invoice_credits(&InvoiceId::new(&tx(1), 1)), true));
            }
            for (reads, found) in cases {
                let mut book = settled_book();
                corrupt(&mut book);
                let loaded = book.loaded(&reads, START.parse().unwrap());
                // What a corruption put into the whole book reaches the loaded one as it is.
                let got = loaded.check_loaded(&reads);
                match (got, found) {
                    (Err(got), true) => assert!(got.contains(want), "{what} through {reads:?}: got {got:?}"),
                    (Ok(()), false) => {}
                    (got, found) => panic!("{what} through {reads:?}: got {got:?}, want found = {found}"),
                }
            }
        }
        let book = settled_book();
        assert_eq!(book.loaded(&Reads::settlement(&tx(1)), START.parse().unwrap()).check_loaded(&Reads::settlement(&tx(1))), Ok(()));
    }

    fn statements_split_at_the_window() {
        let config = StoreConfig::default();
        let actor: Actor = "tests".parse().unwrap();
        let day = |d: u32| "2024-01-01".parse::<Timestamp>().unwrap().plus_days(d).unwrap();
        let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000})).unwrap();
        let mut book = Book::open(&open, &Ctx { now: day(0), actor: &actor, config: &config });
        for (d, id, value) in [(1, "a", "-10"), (5, "b", "-20"), (9, "c", "-40")] {
            let ctx = Ctx { now: day(d), actor: &actor, config: &config };
            book.debit(&id.parse().unwrap(), money(value), &ctx).unwrap();
        }
        let s = book.statement(Some(day(2)), Some(day(9)));
        assert_eq!((s.previous_balance, s.interval_balance, s.current_balance), (money("-10"), money("-20"), money("-30")));
        assert_eq!(s.entries.len(), 1);
        let all = book.statement(None, None);
        assert_eq!(all.current_balance, money("-70"));
        assert_eq!(all.entries.len(), 4, "the opening limit entry is listed too");
    }
}

/// 300 in 3 installments, the first paid, 150 refunded (the third invoice cancelled, 50 off the
/// second).
fn page_filter(query: &str) -> creditdesk_core::search::CreditFilter {
    use creditdesk_core::search::{CreditFilter, CreditScope};
    CreditFilter::from_query(&pairs(query), &CreditScope::Store).unwrap()
}

fn settled_book() -> Book {
    let config = StoreConfig::default();
    let actor: Actor = "tests".parse().unwrap();
    let now: Timestamp = START.parse().unwrap();
    let ctx = Ctx {
        now,
        actor: &actor,
        config: &config,
    };
    let mut book = opened(&ctx);
    let hold = CreateHold::from_json(
        &json!({"value": 300, "settle": true, "installments": 3}),
        now,
    );
    book.create_hold(&hold.unwrap(), tx(1), &ctx).unwrap();
    book.settle(&tx(1), money("300"), &"AbCd1234".parse().unwrap(), &ctx)
        .unwrap();
    book.pay(&InvoiceId::new(&tx(1), 1), &Pay::all(), &locators(90), &ctx)
        .unwrap();
    book.refund(&tx(1), money("150"), &ctx).unwrap();
    book
}

/// An account with a bit of everything, at [`START`] + 2 days: two holders (added a day apart),
/// t1 settled in 3 (the first paid), t2 unsettled and past its day, t3 active, t4 cancelled,
/// t5 settled whole in 1 and the debit `fee-1`.
fn loaded_fixture() -> (Book, Timestamp) {
    let config = StoreConfig::default();
    let actor: Actor = "tests".parse().unwrap();
    let day = |d: u32| START.parse::<Timestamp>().unwrap().plus_days(d).unwrap();
    let open = OpenAccount::from_json(
        &json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 1000}),
    )
    .unwrap();
    let mut book = Book::open(
        &open,
        &Ctx {
            now: day(0),
            actor: &actor,
            config: &config,
        },
    );
    let code: FriendlyCode = "AbCd1234".parse().unwrap();
    for (d, step) in [
        (0u32, 0u8),
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
    ] {
        let now = day(d);
        let ctx = Ctx {
            now,
            actor: &actor,
            config: &config,
        };
        let hold = |body: Value| CreateHold::from_json(&body, now).unwrap();
        match step {
            0 => drop(
                book.add_holder(
                    &"z@b.co".parse().unwrap(),
                    HolderId::from_bytes([9; 16]),
                    &ctx,
                )
                .unwrap(),
            ),
            1 => drop(
                book.create_hold(
                    &hold(json!({"value": 90, "settle": true, "installments": 3})),
                    tx(1),
                    &ctx,
                )
                .unwrap(),
            ),
            2 => drop(book.settle(&tx(1), money("90"), &code, &ctx).unwrap()),
            3 => drop(
                book.pay(&InvoiceId::new(&tx(1), 1), &Pay::all(), &locators(90), &ctx)
                    .unwrap(),
            ),
            4 => drop(
                book.add_holder(
                    &"a@b.co".parse().unwrap(),
                    HolderId::from_bytes([1; 16]),
                    &ctx,
                )
                .unwrap(),
            ),
            5 => {
                book.create_hold(&hold(json!({"value": 10})), tx(2), &ctx)
                    .unwrap();
                book.create_hold(&hold(json!({"value": 20, "settle": true})), tx(3), &ctx)
                    .unwrap();
                book.create_hold(&hold(json!({"value": 5})), tx(4), &ctx)
                    .unwrap();
                book.cancel_hold(&tx(4), &ctx).unwrap();
            }
            6 => {
                book.create_hold(&hold(json!({"value": 7, "settle": true})), tx(5), &ctx)
                    .unwrap();
                book.settle(&tx(5), money("7"), &code, &ctx).unwrap();
            }
            _ => drop(
                book.debit(&"fee-1".parse().unwrap(), money("-3"), &ctx)
                    .unwrap(),
            ),
        }
    }
    (book, day(2).plus_days(1).unwrap())
}

/// Each command's reads of [`loaded_fixture`] → the loaded book ([`book_lines`]) and
/// `held_elsewhere`.
fn loaded_cases() -> Vec<(Reads, &'static str, &'static [&'static str])> {
    let statement: StatementId = "fee-1".parse().unwrap();
    vec![
        (
            Reads::account(),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
            ],
        ),
        (
            Reads::close(),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "invoice t1-2/3 Opened 30.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
                "invoice t1-3/3 Opened 30.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved -",
                "invoice t5-1/1 Opened 7.00 credit 0.00 due 2024-02-01 (first 2024-02-01, 0 times, 0 days) resolved -",
            ],
        ),
        (
            Reads::holders(),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "holder 09090909090909090909090909090909 z@b.co level 2",
                "holder 01010101010101010101010101010101 a@b.co level 2",
            ],
        ),
        (
            Reads::hold(&tx(3)),
            "0.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "hold t3 Authorized value 20.00 (first 20.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-02-01",
            ],
        ),
        (
            Reads::hold(&tx(9)),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
            ],
        ),
        (
            Reads::settlement(&tx(1)),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "hold t1 Settled value 90.00 (first 90.00) settled 90.00 refunded 0.00 n3 settle true expires 2024-01-31",
                "invoice t1-1/3 Paid 30.00 credit 0.00 paid 30.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
                "invoice t1-2/3 Opened 30.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
                "invoice t1-3/3 Opened 30.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved -",
            ],
        ),
        (
            Reads::invoice(&InvoiceId::new(&tx(1), 2)),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "invoice t1-2/3 Opened 30.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
            ],
        ),
        (
            Reads::invoice_credits(&InvoiceId::new(&tx(1), 1)),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "invoice t1-1/3 Paid 30.00 credit 0.00 paid 30.00 off 0.00 left 0.00 due 2024-01-31 (first 2024-01-31, 0 times, 0 days) resolved 2024-01-01",
                "credit c90 Payment 30.00 t1-1 Posted",
            ],
        ),
        (
            Reads::invoice_credits(&InvoiceId::new(&tx(1), 2)),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "invoice t1-2/3 Opened 30.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
            ],
        ),
        (
            Reads::debit(&statement),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "entry ManualDebit -3.00 statement fee-1",
            ],
        ),
        (
            Reads::debit(&"fee-2".parse().unwrap()),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
            ],
        ),
        (
            Reads::statement(),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "entry CreditLimitChanged 1000.00",
                "entry Settlement -90.00 t1 n3",
                "entry InvoicePaid 30.00 c90 t1 1/3",
                "entry Settlement -7.00 t5 n1",
                "entry ManualDebit -3.00 statement fee-1",
            ],
        ),
        (
            Reads::expiry(),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "hold t2 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-03",
            ],
        ),
        (
            Reads::transaction_list(),
            "0.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "hold t5 Settled value 7.00 (first 7.00) settled 7.00 refunded 0.00 n1 settle true expires 2024-02-01",
                "hold t4 Cancelled value 5.00 (first 5.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-03",
                "hold t3 Authorized value 20.00 (first 20.00) settled 0.00 refunded 0.00 n1 settle true expires 2024-02-01",
                "hold t2 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-03",
                "hold t1 Settled value 90.00 (first 90.00) settled 90.00 refunded 0.00 n3 settle true expires 2024-01-31",
            ],
        ),
        // Read twice, loaded once.
        (
            Reads::of(&[Read::StatementEntry(statement.clone()), Read::Entries]),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "entry CreditLimitChanged 1000.00",
                "entry Settlement -90.00 t1 n3",
                "entry InvoicePaid 30.00 c90 t1 1/3",
                "entry Settlement -7.00 t5 n1",
                "entry ManualDebit -3.00 statement fee-1",
            ],
        ),
        (
            Reads::of(&[Read::ExpiredHolds, Read::Transaction(tx(2)), Read::OpenInvoices, Read::Invoice(InvoiceId::new(&tx(5), 1))]),
            "20.00",
            &[
                "account Open limit 1000.00 tolerance 0 balance -70.00",
                "hold t2 Authorized value 10.00 (first 10.00) settled 0.00 refunded 0.00 n1 settle false expires 2024-01-03",
                "invoice t1-2/3 Opened 30.00 credit 0.00 due 2024-03-01 (first 2024-03-01, 0 times, 0 days) resolved -",
                "invoice t1-3/3 Opened 30.00 credit 0.00 due 2024-03-31 (first 2024-03-31, 0 times, 0 days) resolved -",
                "invoice t5-1/1 Opened 7.00 credit 0.00 due 2024-02-01 (first 2024-02-01, 0 times, 0 days) resolved -",
            ],
        ),
    ]
}

/// A corruption of [`settled_book`] and what `check_invariants` must say of it.
type Corruption = (&'static str, fn(&mut Book), &'static str);

const CORRUPTIONS: &[Corruption] = &[
    (
        "the balance off by a cent",
        |b| b.account.balance = Money::saturating_from_minor(b.account.balance.minor() - 1),
        "entries sum to",
    ),
    (
        "an invoice a cent higher",
        |b| b.invoices[1].value = money("50.01"),
        "invoices add up to 300.01",
    ),
    (
        "more refunded than settled",
        |b| b.transactions[0].refunded_value = money("300.01"),
        "refunds beyond",
    ),
    (
        "more credited than refunded",
        |b| b.transactions[0].refunded_value = money("149.99"),
        "refunds beyond",
    ),
    (
        "an invoice too many",
        |b| {
            let mut extra = b.invoices[2].clone();
            extra.installment = 4;
            extra.id = InvoiceId::new(&tx(1), 4);
            extra.credit_value = Money::ZERO;
            b.invoices.push(extra)
        },
        "4 invoices for 3 installments",
    ),
    (
        "a negative invoice",
        |b| {
            b.invoices[1].value = money("-0.01");
            b.invoices[0].value = money("150.01")
        },
        "has a negative value",
    ),
    (
        "interest on a write-off",
        |b| {
            b.invoices[0].written_off_value = b.invoices[0].paid_value;
            b.invoices[0].paid_value = Money::ZERO;
            b.credits[0].kind = creditdesk_core::credit::CreditKind::WriteOff;
            b.credits[0].interest = Some(charged("0", "0", None, 5));
        },
        "is malformed",
    ),
    (
        "negative interest balanced by its tax",
        |b| {
            b.credits[0].interest = Some(charged("-1", "1", None, 5));
            b.invoices[0].interest_paid_value = money("-1");
            b.invoices[0].interest_tax_paid_value = money("1");
        },
        "is malformed",
    ),
    (
        "negative tax balanced by the interest",
        |b| {
            b.credits[0].interest = Some(charged("1", "-1", None, 5));
            b.invoices[0].interest_paid_value = money("1");
            b.invoices[0].interest_tax_paid_value = money("-1");
        },
        "is malformed",
    ),
    (
        "a payment's amount off its invoice's paid value",
        |b| b.credits[0].amount = money("99.99"),
        "but its posted credits say",
    ),
    (
        "interest paid with no payment charging it",
        |b| b.invoices[0].interest_paid_value = money("0.01"),
        "but its posted payments say",
    ),
    (
        "interest charged for no days",
        |b| b.credits[0].interest = Some(charged("0", "0", Some(5), 5)),
        "is malformed",
    ),
];

/// Interest a payment charged: amounts, and `from`/`through` as days after [`START`].
fn charged(
    interest: &str,
    tax: &str,
    from: Option<u32>,
    through: u32,
) -> creditdesk_core::interest::ChargedInterest {
    let day = |d: u32| START.parse::<Timestamp>().unwrap().plus_days(d).unwrap();
    creditdesk_core::interest::ChargedInterest {
        interest: money(interest),
        tax: money(tax),
        from: from.map(day),
        through: day(through),
    }
}

/// Three settlements on different days (2, 1 and 3 installments), some paid, cancelled or
/// annotated; returns the book.
fn searchable_book() -> Book {
    let config = StoreConfig::default();
    let actor: Actor = "tests".parse().unwrap();
    let day = |d: u32| {
        "2024-01-01"
            .parse::<Timestamp>()
            .unwrap()
            .plus_days(d)
            .unwrap()
    };
    let open = OpenAccount::from_json(
        &json!({"document": "1", "documentType": "CPF", "email": "a@b.co", "creditLimit": 10000}),
    )
    .unwrap();
    let mut book = Book::open(
        &open,
        &Ctx {
            now: day(0),
            actor: &actor,
            config: &config,
        },
    );
    for (n, d, value, installments) in [
        (1u8, 0u32, "100", 2u16),
        (2, 10, "50.50", 1),
        (3, 20, "90", 3),
    ] {
        let ctx = Ctx {
            now: day(d),
            actor: &actor,
            config: &config,
        };
        let hold = CreateHold::from_json(
            &json!({"value": value, "settle": true, "installments": installments}),
            ctx.now,
        )
        .unwrap();
        book.create_hold(&hold, tx(n), &ctx).unwrap();
        book.settle(
            &tx(n),
            money(value),
            &format!("Code000{n}").parse().unwrap(),
            &ctx,
        )
        .unwrap();
    }
    let ctx = Ctx {
        now: day(25),
        actor: &actor,
        config: &config,
    };
    book.pay(&InvoiceId::new(&tx(1), 1), &Pay::all(), &locators(90), &ctx)
        .unwrap();
    book.cancel_invoice(&InvoiceId::new(&tx(3), 3), &ctx)
        .unwrap();
    let note = ChangeInvoice {
        status: InvoiceStatus::Opened,
        observation: Some("Black Friday ORDER".into()),
        payment_link: None,
    };
    book.change_invoice(&InvoiceId::new(&tx(2), 1), &note, &locators(91), &ctx)
        .unwrap();
    book
}

use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::search::{AccountFilter, InvoiceCondition, InvoiceFilter};

/// Query → the invoices found (as `transaction-installment`, in order) and the summary
/// (total open, count, paid, cancelled); or the parameters refused.
type SearchExpect = Result<
    (
        &'static [&'static str],
        (&'static str, u64, &'static str, &'static str),
    ),
    &'static [&'static str],
>;

const SEARCHES: &[(&str, SearchExpect)] = &[
    (
        "",
        Ok((
            &["1-1", "1-2", "2-1", "3-1", "3-2", "3-3"],
            ("160.50", 6, "50.00", "30.00"),
        )),
    ),
    (
        "from=2&to=3",
        Ok((&["1-2", "2-1"], ("160.50", 6, "50.00", "30.00"))),
    ),
    (
        "status=Opened",
        Ok((&["1-2", "2-1", "3-1", "3-2"], ("160.50", 4, "0.00", "0.00"))),
    ),
    (
        "status=paid,cancelled",
        Ok((&["1-1", "3-3"], ("0.00", 2, "50.00", "30.00"))),
    ),
    (
        "createdDateFrom=2024-01-11&createdDateTo=2024-01-21",
        Ok((
            &["2-1", "3-1", "3-2", "3-3"],
            ("110.50", 4, "0.00", "30.00"),
        )),
    ),
    (
        "createdDateTo=2024-01-11",
        Ok((&["1-1", "1-2", "2-1"], ("100.50", 3, "50.00", "0.00"))),
    ),
    (
        "createdDateTo=2024-01-11T00:00:00Z",
        Ok((&["1-1", "1-2", "2-1"], ("100.50", 3, "50.00", "0.00"))),
    ),
    (
        "createdDateTo=2024-01-10T23:59:59Z",
        Ok((&["1-1", "1-2"], ("50.00", 2, "50.00", "0.00"))),
    ),
    (
        "dueDateFrom=2024-03-01&dueDateTo=2024-03-31",
        Ok((&["1-2", "3-2"], ("80.00", 2, "0.00", "0.00"))),
    ),
    (
        "value=30",
        Ok((&["3-1", "3-2", "3-3"], ("60.00", 3, "0.00", "30.00"))),
    ),
    (
        "value=30&status=Cancelled",
        Ok((&["3-3"], ("0.00", 1, "0.00", "30.00"))),
    ),
    (
        "value=30&status=Cancelled&op=or",
        Ok((&["3-1", "3-2", "3-3"], ("60.00", 3, "0.00", "30.00"))),
    ),
    (
        "friendlyId=Code0003-2",
        Ok((&["3-2"], ("30.00", 1, "0.00", "0.00"))),
    ),
    (
        "observation=black%20friday",
        Ok((&["2-1"], ("50.50", 1, "0.00", "0.00"))),
    ),
    (
        "creditAccountId=1_CPF&status=Paid",
        Ok((&["1-1"], ("0.00", 1, "50.00", "0.00"))),
    ),
    (
        "creditAccountId=2_CPF",
        Ok((&[], ("0.00", 0, "0.00", "0.00"))),
    ),
    (
        "op=or",
        Ok((
            &["1-1", "1-2", "2-1", "3-1", "3-2", "3-3"],
            ("160.50", 6, "50.00", "30.00"),
        )),
    ),
    ("from=6", Ok((&["3-3"], ("160.50", 6, "50.00", "30.00")))),
    (
        "from=2&to=2",
        Ok((&["1-2"], ("160.50", 6, "50.00", "30.00"))),
    ),
    (
        "from=2&to=5",
        Ok((
            &["1-2", "2-1", "3-1", "3-2"],
            ("160.50", 6, "50.00", "30.00"),
        )),
    ),
    (
        "from=1&to=1000",
        Ok((
            &["1-1", "1-2", "2-1", "3-1", "3-2", "3-3"],
            ("160.50", 6, "50.00", "30.00"),
        )),
    ),
    (
        "op=AND&value=30&status=Opened",
        Ok((&["3-1", "3-2"], ("60.00", 2, "0.00", "0.00"))),
    ),
    ("from=0", Err(&["from"])),
    ("from=5&to=4", Err(&["to"])),
    ("from=1&to=1001", Err(&["to"])),
    ("status=Late", Err(&["status"])),
    ("value=1.001", Err(&["value"])),
    (
        "createdDateFrom=yesterday&dueDateTo=2024-13-01",
        Err(&["createdDateFrom", "dueDateTo"]),
    ),
    ("op=xor&status=Paid&status=Opened", Err(&["op", "status"])),
    ("sort=asc", Err(&["sort"])),
];

case_test! {
    fn invoice_search_cases() {
        let book = searchable_book();
        let name = |id: &InvoiceId| {
            let n = (1..=3u8).find(|n| id.transaction_id() == tx(*n)).unwrap();
            format!("{n}-{}", id.installment())
        };
        for (query, expect) in SEARCHES {
            match (InvoiceFilter::from_query(&pairs(query)), expect) {
                (Ok(filter), Ok((ids, (total, count, paid, cancelled)))) => {
                    let (page, summary) = filter.search(&book.invoices);
                    let found: Vec<String> = page.iter().map(|i| name(&i.id)).collect();
                    assert_eq!(found, *ids, "{query}");
                    let got = (summary.total.to_string(), summary.count, summary.total_paid.to_string(), summary.total_cancelled.to_string());
                    assert_eq!(got, (total.to_string(), *count, paid.to_string(), cancelled.to_string()), "{query}: summary");
                }
                (Err(errors), Err(fields)) => {
                    let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                    assert_eq!(got, *fields, "{query}: {errors}");
                }
                (got, want) => panic!("{query}: got {got:?}, want {want:?}"),
            }
        }
    }

    fn pages_and_parsed_filters() {
        for (query, want) in [("", (1, 20, 0, 20)), ("from=3&to=7", (3, 7, 2, 5)), ("from=41", (41, 60, 40, 20)), ("to=5", (1, 5, 0, 5))] {
            let page = InvoiceFilter::from_query(&pairs(query)).unwrap().page;
            assert_eq!((page.from(), page.to(), page.offset(), page.size()), want, "{query}");
        }
        let filter = InvoiceFilter::from_query(&pairs("status=paid,Paid,%20opened")).unwrap();
        assert_eq!(filter.conditions, [InvoiceCondition::StatusIn(vec![InvoiceStatus::Paid, InvoiceStatus::Opened])]);
    }

    fn what_a_hold_reserves_and_holds() {
        use creditdesk_core::transaction::{Transaction, TransactionStatus::*};
        let at = |us: i64| Timestamp::from_unix_micros(1_700_000_000_000_000 + us).unwrap();
        let money = |minor| creditdesk_core::Money::from_minor(minor).unwrap();
        // (status, now relative to the expiry in µs, reserved, held)
        let cases = [
            (Authorized, -1, 500, 500),
            (Authorized, 0, 500, 0),
            (Authorized, 1, 500, 0),
            (Settled, -1, 0, 0),
            (Cancelled, -1, 0, 0),
            (Expired, -1, 0, 0),
        ];
        for (status, now, reserved, held) in cases {
            let hold = Transaction {
                id: TransactionId::from_bytes([1; 16]),
                account_id: "1_CPF".parse().unwrap(),
                order_id: "o".into(),
                value: money(500),
                original_value: money(500),
                installments: 1,
                settle: true,
                status,
                expires_at: at(0),
                created_at: at(-100),
                updated_at: at(-100),
                settled_value: money(0),
                refunded_value: money(0),
                settled_at: None,
            };
            let got = (hold.reserved().minor(), hold.held(at(now)).minor(), hold.is_active(at(now)));
            assert_eq!(got, (reserved, held, held > 0), "{status:?} at {now}");
        }
    }

    fn filters_that_select_by_status_alone() {
        use creditdesk_core::ids::AccountId;
        use creditdesk_core::search::{InvoiceSummary, Op};
        use InvoiceStatus::{Cancelled, Opened, Paid};
        let status = |list: &[InvoiceStatus]| InvoiceCondition::StatusIn(list.to_vec());
        let of = |conditions: Vec<InvoiceCondition>, op: Op| InvoiceFilter { conditions, op, ..InvoiceFilter::default() };
        let cases: Vec<(InvoiceFilter, Option<Vec<InvoiceStatus>>)> = vec![
            (of(vec![], Op::And), Some(vec![Opened, Paid, Cancelled])),
            (of(vec![], Op::Or), Some(vec![Opened, Paid, Cancelled])),
            (of(vec![status(&[Paid])], Op::And), Some(vec![Paid])),
            (of(vec![status(&[Cancelled, Opened])], Op::Or), Some(vec![Opened, Cancelled])),
            (of(vec![status(&[Paid, Opened]), status(&[Opened, Cancelled])], Op::And), Some(vec![Opened])),
            (of(vec![status(&[Paid]), status(&[Cancelled])], Op::And), Some(vec![])),
            (of(vec![status(&[Paid]), status(&[Cancelled])], Op::Or), Some(vec![Paid, Cancelled])),
            (of(vec![status(&[Paid]), InvoiceCondition::Value("1.00".parse().unwrap())], Op::And), None),
            (of(vec![InvoiceCondition::Account("1_CPF".parse().unwrap())], Op::And), None),
            (InvoiceFilter { account: Some("1_CPF".parse::<AccountId>().unwrap()), ..InvoiceFilter::default() }, None),
        ];
        let book = searchable_book();
        let mut invoices = book.invoices.clone();
        for status in InvoiceStatus::ALL {
            invoices.push(creditdesk_core::invoice::Invoice { status, ..book.invoices[0].clone() });
        }
        for (filter, expect) in cases {
            let got = filter.statuses_only();
            assert_eq!(got, expect, "{filter:?}");
            // What it says agrees with `matches`, invoice by invoice.
            if let Some(statuses) = got {
                for invoice in &invoices {
                    assert_eq!(filter.matches(invoice), statuses.contains(&invoice.status), "{filter:?} {invoice:?}");
                }
            }
        }
        // A summary added up per status is the summary of the invoices.
        let mut added = InvoiceSummary::default();
        for status in InvoiceStatus::ALL {
            let of_status: Vec<_> = invoices.iter().filter(|i| i.status == status).collect();
            let value = of_status.iter().map(|i| i.summary_value().minor()).sum::<i64>();
            added.add(status, of_status.len() as u64, creditdesk_core::Money::from_minor(value).unwrap());
        }
        let whole = InvoiceSummary::of(invoices.iter());
        assert_eq!(added, whole);
        assert_eq!(InvoiceSummary::of([].iter()).total_paid.to_string(), "0.00", "zero reads as an amount");
        assert!(whole.count > 0 && whole.total_paid.minor() > 0 && whole.total_cancelled.minor() > 0 && whole.total.minor() > 0, "{whole:?}");
    }

    fn bounds_and_the_account_scope() {
        use creditdesk_core::ids::AccountId;
        let book = searchable_book();
        let invoice = &book.invoices[0];
        for (condition, found) in [
            (InvoiceCondition::CreatedFrom(invoice.created_at), true),
            (InvoiceCondition::CreatedBefore(invoice.created_at), false),
            (InvoiceCondition::DueFrom(invoice.due_date), true),
            (InvoiceCondition::DueBefore(invoice.due_date), false),
        ] {
            assert_eq!(condition.matches(invoice), found, "{condition:?}");
        }
        for (account, count) in [("1_CPF", 6), ("2_CPF", 0)] {
            let filter = InvoiceFilter { account: Some(account.parse::<AccountId>().unwrap()), ..InvoiceFilter::default() };
            assert_eq!(filter.search(&book.invoices).1.count, count, "{account}");
        }
    }

    fn account_search_cases() {
        let book = searchable_book();
        let cases: &[(&str, Result<bool, &str>)] = &[
            ("", Ok(true)),
            ("status=Open", Ok(true)),
            ("status=closed", Ok(false)),
            ("email=A@B.CO", Ok(true)),
            ("email=other@b.co", Ok(false)),
            ("email=nope", Err("email")),
            ("status=Paid", Err("status")),
            ("from=3&to=2", Err("to")),
            ("document=1", Ok(true)),
            ("document=11", Ok(false)),
            ("document=1_CPF", Err("document")),
            ("op=or", Ok(true)),
            ("op=OR&status=closed&email=a@b.co", Ok(true)),
            ("op=and&status=closed&email=a@b.co", Ok(false)),
            ("op=either", Err("op")),
        ];
        for (query, expect) in cases {
            match (AccountFilter::from_query(&pairs(query)), expect) {
                (Ok(filter), Ok(found)) => assert_eq!(filter.matches(&book.account), *found, "{query}"),
                (Err(errors), Err(field)) => assert_eq!(errors.iter().next().unwrap().field, *field, "{query}"),
                (got, want) => panic!("{query}: got {got:?}, want {want:?}"),
            }
        }
    }
}

/// `Ok((from, to))` as instants, or `Err(parameters refused)`.
type WindowExpect = Result<(Option<&'static str>, Option<&'static str>), &'static [&'static str]>;

case_test! {
    fn statement_windows_include_their_upper_bound() {
        use creditdesk_core::ledger::window_from_query;
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let cases: &[(&str, WindowExpect)] = &[
            ("", Ok((None, None))),
            ("dateFrom=2024-01-03", Ok((Some("2024-01-03T00:00:00Z"), None))),
            ("dateTo=2024-01-10", Ok((None, Some("2024-01-11T00:00:00Z")))),
            ("dateTo=2024-01-10T12:00:00Z", Ok((None, Some("2024-01-10T12:00:00.000001Z")))),
            ("dateFrom=2024-01-03T10:00:00-03:00&dateTo=2024-01-04", Ok((Some("2024-01-03T13:00:00Z"), Some("2024-01-05T00:00:00Z")))),
            ("dateFrom=yesterday", Err(&["dateFrom"])),
            ("dateTo=2024-01-01&dateTo=2024-01-02", Err(&["dateTo"])),
            ("from=1", Err(&["from"])),
        ];
        for (query, expect) in cases {
            match (window_from_query(&pairs(query)), expect) {
                (Ok((from, to)), Ok((want_from, want_to))) => {
                    assert_eq!(from, want_from.map(at), "{query}");
                    assert_eq!(to, want_to.map(at), "{query}");
                }
                (Err(errors), Err(fields)) => {
                    let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                    assert_eq!(got, *fields, "{query}");
                }
                (got, want) => panic!("{query}: got {got:?}, want {want:?}"),
            }
        }
    }
}
