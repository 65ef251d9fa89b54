//! The store in memory (`memory::Ledger`, the admin's browser mode) and the API operations both
//! the server and the admin run (`ops`), the key vocabulary (`keys`) and the error body of a
//! refusal. Small cases, natively and in headless Chromium.

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount, UpsertAccount};
use creditdesk_core::ids::{AccountId, Actor, FriendlyCode, TransactionId};
use creditdesk_core::keys::{NewKey, Resource};
use creditdesk_core::memory::{check_book, Dump, Ledger, DUMP_ACCOUNTS_MAX, DUMP_FORMAT};
use creditdesk_core::ops::{self, HoldMode};
use creditdesk_core::search::{AccountFilter, InvoiceFilter};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::TransactionList;
use creditdesk_core::{CreditError, ErrorBody, ErrorCode, Money, Timestamp, ValidationErrors};
use serde_json::{json, Value};

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A new key's label and resources, or the field refused.
type KeyCase = Result<(&'static str, &'static [Resource]), &'static str>;

const T0: &str = "2026-03-01T10:00:00Z";

fn at(days: u32) -> Timestamp {
    T0.parse::<Timestamp>().unwrap().plus_days(days).unwrap()
}

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

fn tolerant() -> StoreConfig {
    StoreConfig::default()
        .apply_update(&json!({"toleranceEnabled": true, "defaultCreditValue": 250,
            "automaticCheckingAccountCreationEnabled": true}))
        .unwrap()
}

fn open_command(document: &str, limit: u32) -> OpenAccount {
    OpenAccount::from_json(&json!({"document": document, "documentType": "CPF",
        "email": format!("b{document}@example.com"), "creditLimit": limit, "tolerance": "0.1"}))
    .unwrap()
}

fn tx(n: u8) -> TransactionId {
    TransactionId::from_bytes([n; 16])
}

fn id(text: &str) -> AccountId {
    text.parse().unwrap()
}

/// Three accounts opened on days 0, 1, 2 (ids out of creation order), with a settled hold in
/// two installments on `300_CPF`, one of them paid; an unsettled hold on `100_CPF` that expires
/// on day 3; a settle-by-checkout hold on `200_CPF`.
fn store(config: &StoreConfig) -> Ledger {
    let actor: Actor = "test".parse().unwrap();
    let mut ledger = Ledger::new();
    ledger.set_config(config.clone());
    for (day, document, limit) in [(0, "300", 1000), (1, "100", 500), (2, "200", 800)] {
        let ctx = Ctx {
            now: at(day),
            actor: &actor,
            config,
        };
        let command = open_command(document, limit);
        ledger
            .with_book(&command.account_id(), |slot| {
                ops::open(slot, &command, &ctx)
            })
            .unwrap();
    }
    let ctx = |day| Ctx {
        now: at(day),
        actor: &actor,
        config,
    };
    let hold = |value: u32, settle: bool, day| {
        CreateHold::from_json(
            &json!({"value": value, "settle": settle, "installments": 2}),
            at(day),
        )
        .unwrap()
    };
    let (c2, c3) = (ctx(2), ctx(3));
    ledger
        .with_book(&id("300_CPF"), |slot| {
            ops::hold(slot, &id("300_CPF"), &hold(100, true, 2), tx(1), &c2)?;
            let book = slot.as_mut().unwrap();
            let code: FriendlyCode = "Memory01".parse().unwrap();
            book.settle(&tx(1), money("100"), &code, &c2)?;
            let first = book.invoices[0].id.clone();
            let locators = creditdesk_core::credit::PaymentLocators {
                payment: creditdesk_core::credit::CreditLocator::new(1, [0; 10]),
                shortfall: creditdesk_core::credit::CreditLocator::new(1, [1; 10]),
            };
            let pay = creditdesk_core::commands::Pay::all();
            book.pay(&first, &pay, &locators, &c3).map(|_| ())
        })
        .unwrap();
    ledger
        .with_book(&id("100_CPF"), |slot| {
            ops::hold(slot, &id("100_CPF"), &hold(40, false, 2), tx(2), &c2).map(|_| ())
        })
        .unwrap();
    ledger
        .with_book(&id("200_CPF"), |slot| {
            ops::hold(slot, &id("200_CPF"), &hold(70, true, 2), tx(3), &c2).map(|_| ())
        })
        .unwrap();
    ledger
}

fn query(text: &str) -> Vec<(String, String)> {
    common::pairs(text)
}

/// Account query → (ids of the page, count of all matches, available credit of each).
const ACCOUNT_QUERIES: &[(&str, &[&str], u64, &[&str])] = &[
    (
        "",
        &["300_CPF", "100_CPF", "200_CPF"],
        3,
        &["1050.00", "550.00", "810.00"],
    ),
    (
        "from=2&to=3",
        &["100_CPF", "200_CPF"],
        3,
        &["550.00", "810.00"],
    ),
    ("to=1", &["300_CPF"], 3, &["1050.00"]),
    ("document=200", &["200_CPF"], 1, &["810.00"]),
    ("status=Closed", &[], 0, &[]),
];

case_test! {
    fn a_credit_is_found_on_its_account() {
        let ledger = store(&tolerant());
        let paid = creditdesk_core::credit::CreditLocator::new(1, [0; 10]);
        assert_eq!(ledger.credit_owner(&paid), Some(id("300_CPF")));
        let unknown = creditdesk_core::credit::CreditLocator::new(1, [9; 10]);
        assert_eq!(ledger.credit_owner(&unknown), None);
    }

    fn the_stores_credits_and_invoices_are_found_across_accounts() {
        use creditdesk_core::search::{CreditFilter, CreditScope};
        let ledger = store(&tolerant());
        let paid = creditdesk_core::credit::CreditLocator::new(1, [0; 10]);
        let all = ledger.credits(&CreditFilter::from_query(&query("extended=true"), &CreditScope::Store).unwrap());
        assert_eq!((all.items.len(), all.list_completed), (1, true));
        assert_eq!(all.items[0].locator, paid.as_str());
        assert_eq!(all.items[0].created_by.as_deref(), Some("test"));
        let none = ledger.credits(&CreditFilter::from_query(&query("accountLocator=100_CPF"), &CreditScope::Store).unwrap());
        assert!(none.items.is_empty());
        // The one credit is a payment: no shortfall credit has its locator.
        let shortfall = ledger.credits(&CreditFilter::shortfall(paid.clone()));
        assert!(shortfall.items.is_empty());
        let invoice = ledger.book(&id("300_CPF")).unwrap().invoices[0].id.clone();
        assert!(ledger.has_invoice(&invoice));
        let elsewhere = creditdesk_core::ids::InvoiceId::new(&tx(9), 1);
        assert!(!ledger.has_invoice(&elsewhere));
    }

    fn a_browser_store_keeps_its_tenant_in_its_dump() {
        use creditdesk_core::ids::TenantLocator;
        let mut ledger = store(&tolerant());
        assert_eq!(ledger.tenant(), None);
        assert_eq!(ledger.dump().tenant_locator, None, "a server's dump names no tenant");
        let tenant = TenantLocator::from_random([7; 16]);
        ledger.set_tenant(tenant.clone());
        let text = serde_json::to_string(&ledger.dump()).unwrap();
        let read = Ledger::from_dump(serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(read.tenant(), Some(&tenant));
    }

    fn accounts_are_listed_oldest_first_with_their_balances_now() {
        let ledger = store(&tolerant());
        // Day 4: the unsettled hold of 100_CPF has expired; 200_CPF still holds 70.
        for (text, ids, count, available) in ACCOUNT_QUERIES {
            let filter = AccountFilter::from_query(&query(text)).unwrap();
            let list = ledger.accounts(&filter, at(4));
            let got: Vec<&str> = list.data.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(got, *ids, "{text}");
            assert_eq!(list.summary.count, *count, "{text}");
            let got: Vec<String> = list.data.iter().map(|a| a.available_credit.to_string()).collect();
            assert_eq!(got, *available, "{text}: limit + 10 % − debt − holds");
        }
        // What each uses of its limit: holds plus debt (300: owes 50; 100: its hold expired;
        // 200: holds 70).
        let list = ledger.accounts(&AccountFilter::default(), at(4));
        let used: Vec<String> = list.data.iter().map(|a| a.used().to_string()).collect();
        assert_eq!(used, ["50.00", "0.00", "70.00"]);
        // On day 2 the unsettled hold still holds; without tolerance there is no 10 % more.
        let mut strict = ledger.clone();
        strict.set_config(StoreConfig::default());
        let list = strict.accounts(&AccountFilter::default(), at(2));
        let got: Vec<String> = list.data.iter().map(|a| a.available_credit.to_string()).collect();
        assert_eq!(got, ["950.00", "460.00", "730.00"]);
    }

    fn invoices_and_their_summary_come_from_core_search() {
        let ledger = store(&tolerant());
        let list = ledger.invoices(&InvoiceFilter::default(), at(2));
        assert_eq!(list.data.len(), 2);
        assert_eq!(list.summary.count, 2);
        assert_eq!(list.summary.total.to_string(), "50.00");
        assert_eq!(list.summary.total_paid.to_string(), "50.00");
        let mut filter = InvoiceFilter::from_query(&query("status=Opened")).unwrap();
        assert_eq!(ledger.invoices(&filter, at(2)).data.len(), 1);
        filter.account = Some(id("100_CPF"));
        assert_eq!(ledger.invoices(&filter, at(2)).summary.count, 0);
    }

    fn the_dashboard_folds_every_account_and_open_invoice() {
        let ledger = store(&tolerant());
        // Day 4: one open invoice of 50, due 30 days after day 2; 70 held (the 40 expired).
        let dashboard = ledger.dashboard(at(4));
        assert_eq!(dashboard.accounts, 3);
        assert_eq!(dashboard.open_accounts, 3);
        assert_eq!(dashboard.held.to_string(), "70.00");
        assert_eq!(dashboard.credit_extended.to_string(), "2300.00");
        assert_eq!(dashboard.outstanding.to_string(), "50.00");
        assert_eq!(dashboard.overdue.to_string(), "0.00");
        assert_eq!(dashboard.due_soon.count, 0);
        // Day 58: it falls due within the week (on day 62); day 70: 8 days overdue.
        let soon = ledger.dashboard(at(58));
        assert_eq!((soon.due_soon.count, soon.due_soon.total.to_string()), (1, "50.00".to_owned()));
        assert_eq!(soon.due_soon.invoices.len(), 1);
        let late = ledger.dashboard(at(70));
        assert_eq!(late.overdue.to_string(), "50.00");
        assert_eq!(late.aging[1].count, 1, "1–30 days");
        assert_eq!(late.due_soon.count, 0);
    }

    fn due_soon_lists_the_earliest_first_and_at_most_its_limit() {
        let config = tolerant();
        let actor: Actor = "test".parse().unwrap();
        let mut ledger = Ledger::new();
        let command = open_command("5", 100_000);
        let ctx = |day| Ctx { now: at(day), actor: &actor, config: &config };
        let c0 = ctx(0);
        ledger.with_book(&command.account_id(), |slot| ops::open(slot, &command, &c0)).unwrap();
        // 25 settlements an hour apart on day 0, each one invoice due 30 days later.
        for n in 0..25u8 {
            let now = Timestamp::from_unix_micros(at(0).unix_micros() + i64::from(n) * 3_600_000_000).unwrap();
            let c = Ctx { now, ..ctx(0) };
            let hold = CreateHold::from_json(&json!({"value": 10 + u32::from(n), "settle": true}), c.now).unwrap();
            ledger
                .with_book(&command.account_id(), |slot| {
                    ops::hold(slot, &command.account_id(), &hold, tx(n + 10), &c)?;
                    let code: FriendlyCode = format!("Soon{n:04}").parse().unwrap();
                    slot.as_mut().unwrap().settle(&tx(n + 10), hold.value, &code, &c).map(|_| ())
                })
                .unwrap();
        }
        let dashboard = ledger.dashboard(at(29));
        assert_eq!(dashboard.due_soon.count, 25, "all counted");
        assert_eq!(dashboard.due_soon.invoices.len(), 20, "the first 20 listed");
        let dues: Vec<Timestamp> = dashboard.due_soon.invoices.iter().map(|i| i.due_date).collect();
        assert!(dues.windows(2).all(|w| w[0] < w[1]), "earliest first: {dues:?}");
        assert_eq!(dues[0], at(30));
        let values: i64 = (10..35).map(|v| v * 100).sum();
        assert_eq!(dashboard.due_soon.total.minor(), values);
        // A week before: none yet; on day 30 two hours in, those due before are overdue.
        assert_eq!(ledger.dashboard(at(22)).due_soon.count, 0);
        let later = Timestamp::from_unix_micros(at(30).unix_micros() + 2 * 3_600_000_000).unwrap();
        let later = ledger.dashboard(later);
        assert_eq!((later.due_soon.count, later.aging[1].count), (23, 2));
    }

    fn a_refused_command_changes_nothing_and_a_created_account_is_kept() {
        let config = tolerant();
        let actor: Actor = "test".parse().unwrap();
        let ctx = Ctx { now: at(5), actor: &actor, config: &config };
        let mut ledger = store(&config);
        let before = ledger.clone();
        // The hold passes, then the settlement is refused: the hold is not kept either.
        let refused = ledger.with_book(&id("100_CPF"), |slot| {
            let hold = CreateHold::from_json(&json!({"value": 10, "settle": true}), ctx.now).unwrap();
            ops::hold(slot, &id("100_CPF"), &hold, tx(9), &ctx)?;
            slot.as_mut().unwrap().settle(&tx(9), money("11"), &"Refused1".parse().unwrap(), &ctx).map(|_| ())
        });
        assert!(refused.is_err());
        assert_eq!(ledger, before);
        // Nothing created for an account that stays absent.
        let untouched: Result<(), CreditError> = ledger.with_book(&id("7_CPF"), |_| Ok(()));
        assert!(untouched.is_ok());
        assert!(ledger.book(&id("7_CPF")).is_err());
        assert_eq!(ledger, before);
        // A hold for an unknown buyer opens the account (the store allows it).
        let hold = CreateHold::from_json(&json!({"value": 10}), ctx.now).unwrap();
        ledger.with_book(&id("7_CPF"), |slot| ops::hold(slot, &id("7_CPF"), &hold, tx(8), &ctx)).unwrap();
        assert_eq!(ledger.book(&id("7_CPF")).unwrap().account.credit_limit.to_string(), "250.00");
    }

    fn a_dump_carries_the_whole_store_and_reads_back_the_same() {
        let ledger = store(&tolerant());
        let dump = ledger.dump();
        assert_eq!(dump.format, DUMP_FORMAT);
        let text = serde_json::to_string(&dump).unwrap();
        let read: Dump = serde_json::from_str(&text).unwrap();
        assert_eq!(read, dump);
        assert_eq!(Ledger::from_dump(read).unwrap(), ledger);
        assert_eq!(ledger.config(), &tolerant());
        assert!(ledger.config().tolerance_enabled());
    }

    fn a_dump_is_refused_unless_every_book_is_whole_and_its_own() {
        let ledger = store(&tolerant());
        let good = ledger.dump();
        let refused = |change: &dyn Fn(&mut Dump), expect: &str| {
            let mut dump = good.clone();
            change(&mut dump);
            let why = dump.check().unwrap_err();
            assert!(why.contains(expect), "{why:?} should say {expect:?}");
            assert!(Ledger::from_dump(dump).is_err());
        };
        refused(&|d| d.format = "creditdesk-dump/0".into(), "this build reads");
        refused(&|d| d.books.push(d.books[0].clone()), "listed twice");
        refused(&|d| d.books[0].account.balance = money("-1"), "account 100_CPF: balance");
        refused(&|d| {
            let invoice = d.books[2].invoices[0].clone();
            d.books[1].invoices.push(invoice);
        }, "another account");
        refused(&|d| {
            let entry = d.books[2].entries[0].clone();
            d.books[1].entries.push(entry);
        }, "another account");
        refused(&|d| {
            let transaction = d.books[2].transactions[0].clone();
            d.books[1].transactions.push(transaction);
        }, "another account");
        refused(&|d| {
            let book = d.books[0].clone();
            d.books = vec![book; DUMP_ACCOUNTS_MAX as usize + 1];
        }, "more than 10000 accounts");
        // As many as allowed pass the count (these then fail as repeated).
        refused(&|d| {
            let book = d.books[0].clone();
            d.books = vec![book; DUMP_ACCOUNTS_MAX as usize];
        }, "listed twice");
        // Free text read whole is held to the API readers' rules (issue 30): no script link
        // for the buyer's Pay button, no line break into a reminder email.
        refused(&|d| d.books[2].invoices[0].payment_link = Some("javascript:alert(1)".into()),
            "paymentLink must be an http:// or https:// URL");
        refused(&|d| d.books[2].invoices[0].order_id = "o-1\r\nBcc: x@evil.example".into(),
            "orderId must not contain control characters");
        refused(&|d| d.books[2].transactions[0].order_id = "o\u{202e}1".into(),
            "orderId must not contain invisible characters");
        refused(&|d| d.books[2].invoices[0].observation = Some("a\u{0}b".into()),
            "observation must not contain control characters");
        refused(&|d| d.books[0].account.description = Some("d".repeat(501)),
            "description must have at most 500 characters");
        let mut full = good.books[0].clone();
        let holder = creditdesk_core::account::Holder {
            id: creditdesk_core::ids::HolderId::from_bytes([1; 16]),
            email: "h@example.com".parse().unwrap(),
            level: 1,
            created_at: at(0),
        };
        full.holders = vec![holder; 20];
        assert!(check_book(&full).is_ok(), "20 holders is the most");
        full.holders.push(full.holders[0].clone());
        assert!(check_book(&full).unwrap_err().contains("more than 20 holders"));
        // Unknown fields in a record are refused, not ignored.
        let mut value = serde_json::to_value(&good.books[0]).unwrap();
        value["account"]["nickname"] = json!("x");
        assert!(serde_json::from_value::<Book>(value).is_err());
    }

    fn the_dry_run_says_what_a_hold_would_do_and_changes_nothing() {
        let config = tolerant();
        let actor: Actor = "test".parse().unwrap();
        let ctx = Ctx { now: at(4), actor: &actor, config: &config };
        let ledger = store(&config);
        let hold = |value: u32| CreateHold::from_json(&json!({"value": value}), ctx.now).unwrap();
        let existing = || ledger.book(&id("200_CPF")).ok().cloned();
        // (slot, value) → (accepted, available now, after, reason)
        let accepted = ops::dry_run(existing(), &id("200_CPF"), &hold(10), tx(5), &ctx).unwrap();
        assert_eq!((accepted.accepted, accepted.available_credit.to_string()), (true, "810.00".to_owned()));
        assert_eq!(accepted.available_credit_after.map(|m| m.to_string()), Some("800.00".to_owned()));
        assert_eq!((accepted.reason, accepted.message), (None, None));
        let refused = ops::dry_run(existing(), &id("200_CPF"), &hold(811), tx(5), &ctx).unwrap();
        assert!(!refused.accepted);
        assert_eq!(refused.available_credit.to_string(), "810.00");
        assert_eq!(refused.available_credit_after, None);
        assert_eq!(refused.reason.as_deref(), Some("insufficient_credit"));
        assert!(refused.message.unwrap().contains("811"));
        // An unknown buyer: what opening the account would give.
        let new = ops::dry_run(None, &id("9_CPF"), &hold(10), tx(5), &ctx).unwrap();
        assert_eq!(new.available_credit.to_string(), "250.00");
        assert_eq!(new.available_credit_after.map(|m| m.to_string()), Some("240.00".to_owned()));
        let too_much = ops::dry_run(None, &id("9_CPF"), &hold(251), tx(5), &ctx).unwrap();
        assert_eq!((too_much.accepted, too_much.available_credit), (false, Money::ZERO));
        // A store that opens no account at checkout: not found, as the hold would be.
        let closed = StoreConfig::default();
        let ctx = Ctx { config: &closed, ..ctx };
        assert_eq!(
            ops::dry_run(None, &id("9_CPF"), &hold(10), tx(5), &ctx),
            Err(CreditError::AccountNotFound(id("9_CPF")))
        );
        assert_eq!(ledger, store(&config), "nothing changed");
    }

    fn opening_twice_is_refused_and_an_upsert_creates_or_updates() {
        let config = tolerant();
        let actor: Actor = "test".parse().unwrap();
        let ctx = Ctx { now: at(4), actor: &actor, config: &config };
        let mut slot: Option<Book> = None;
        let command = open_command("42", 100);
        assert_eq!(ops::open(&mut slot, &command, &ctx).unwrap().credit_limit.to_string(), "100.00");
        assert_eq!(ops::open(&mut slot, &command, &ctx), Err(CreditError::AccountExists(id("42_CPF"))));
        let upsert = UpsertAccount::from_json(&json!({"email": "new@example.com", "creditLimit": 300}), &id("42_CPF")).unwrap();
        let view = ops::upsert(&mut slot, &id("42_CPF"), &upsert, &ctx);
        assert_eq!((view.email.as_str(), view.credit_limit.to_string()), ("new@example.com", "300.00".to_owned()));
        let mut none: Option<Book> = None;
        let created = ops::upsert(&mut none, &id("43_CPF"), &upsert, &ctx);
        assert_eq!((created.id.as_str(), created.available_credit.to_string()), ("43_CPF", "300.00".to_owned()));
        assert!(none.is_some());
        // The same values again, later (an unchanged account imported again): nothing changes,
        // `updatedAt` included; one value changed moves it.
        let later = Ctx { now: at(9), ..ctx };
        let before = slot.clone();
        let again = ops::upsert(&mut slot, &id("42_CPF"), &upsert, &later);
        assert_eq!(slot, before, "an unchanged upsert changes nothing");
        assert_eq!(again.updated_at, at(4));
        let other = UpsertAccount::from_json(&json!({"email": "new@example.com", "description": "d"}), &id("42_CPF")).unwrap();
        assert_eq!(ops::upsert(&mut slot, &id("42_CPF"), &other, &later).updated_at, at(9));
    }

    fn hold_mode_reads_only_dry_run() {
        let cases: &[(&str, Result<HoldMode, &str>)] = &[
            ("", Ok(HoldMode::Hold)),
            ("dryRun=true", Ok(HoldMode::DryRun)),
            ("dryRun=false", Ok(HoldMode::Hold)),
            ("dryRun=true&dryRun=false", Ok(HoldMode::Hold)),
            ("dryRun=yes", Err("dryRun: must be true or false")),
            ("dry=true", Err("dry: unknown parameter; the parameter is dryRun")),
        ];
        for (text, expect) in cases {
            let got = HoldMode::from_query(&query(text));
            match expect {
                Ok(mode) => assert_eq!(got, Ok(*mode), "{text}"),
                Err(refusal) => {
                    let errors = got.unwrap_err();
                    let error = errors.iter().next().unwrap();
                    assert_eq!(format!("{}: {}", error.field, error.message), *refusal, "{text}")
                }
            }
        }
    }

    fn a_new_key_names_a_label_and_known_resources() {
        let cases: &[(Value, KeyCase)] = &[
            (json!({"label": "Finance", "resources": ["Read Invoices"]}), Ok(("Finance", &[Resource::ReadInvoices]))),
            (json!({"label": "Two", "resources": ["Pay Invoice", "Main Access", "Pay Invoice"]}), Ok(("Two", &[Resource::PayInvoice, Resource::MainAccess]))),
            (json!({"label": "  ", "resources": ["Pay Invoice"]}), Err("label")),
            (json!({"label": "x", "resources": []}), Err("resources")),
            (json!({"label": "x", "resources": ["Read everything"]}), Err("resources")),
            (json!({"label": "x", "resources": "Main Access"}), Err("resources")),
            (json!({"resources": ["Main Access"]}), Err("label")),
        ];
        for (body, expect) in cases {
            match (NewKey::from_json(body), expect) {
                (Ok(key), Ok((label, resources))) => {
                    assert_eq!((key.label.as_str(), key.resources.as_slice()), (*label, *resources), "{body}")
                }
                (Err(errors), Err(field)) => assert!(errors.for_field(field).is_some(), "{body}: {errors}"),
                (got, _) => panic!("{body}: {got:?}"),
            }
        }
        for resource in Resource::ALL {
            assert_eq!(Resource::from_name(resource.name()), Some(resource));
            assert_eq!(serde_json::to_value(resource).unwrap(), json!(resource.name()));
        }
        assert_eq!(Resource::from_name("main access"), None);
    }

    fn a_refusal_has_its_code_reason_and_fields() {
        let invalid = CreditError::Invalid(ValidationErrors::single("value", "must be positive"));
        let cases: &[(CreditError, ErrorCode, Option<&str>, usize)] = &[
            (invalid, ErrorCode::ValidationFailed, None, 1),
            (CreditError::OutOfRange, ErrorCode::ValidationFailed, Some("out_of_range"), 0),
            (CreditError::AccountNotFound(id("1_CPF")), ErrorCode::NotFound, Some("account_not_found"), 0),
            (CreditError::TransactionNotFound(tx(1)), ErrorCode::NotFound, Some("transaction_not_found"), 0),
            (CreditError::HolderNotFound(creditdesk_core::ids::HolderId::from_bytes([1; 16])), ErrorCode::NotFound, Some("holder_not_found"), 0),
            (CreditError::NotCancellable, ErrorCode::Conflict, Some("not_cancellable"), 0),
            (CreditError::AccountExists(id("1_CPF")), ErrorCode::Conflict, Some("account_exists"), 0),
        ];
        for (error, code, reason, fields) in cases {
            assert_eq!(error.code(), *code, "{error:?}");
            let body = ErrorBody::from(error);
            assert_eq!(body.error.code, *code, "{error:?}");
            assert_eq!(body.error.reason.as_deref(), *reason, "{error:?}");
            assert_eq!(body.error.fields.len(), *fields, "{error:?}");
        }
        let two = ValidationErrors::from(vec![
            creditdesk_core::FieldError { field: "a".into(), message: "x".into() },
            creditdesk_core::FieldError { field: "b".into(), message: "y".into() },
        ]);
        assert_eq!(ErrorBody::from(&two).error.message, "2 fields are invalid");
        let one = ValidationErrors::single("a", "x");
        assert_eq!(ErrorBody::from(&one).error.message, "1 field is invalid");
        let refusal = ErrorBody::from(&CreditError::NotCancellable);
        assert_eq!(refusal.error.message, CreditError::NotCancellable.to_string());
    }

    fn transactions_are_listed_newest_first_at_most_a_thousand() {
        let ledger = store(&tolerant());
        let book = ledger.book(&id("300_CPF")).unwrap();
        let mut many = Vec::new();
        for n in 0..1001u32 {
            let mut t = book.transactions[0].clone();
            t.id = TransactionId::from_bytes([(n % 200) as u8, (n / 200) as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
            t.created_at = at(n % 7);
            many.push(t);
        }
        let list = TransactionList::of(&many, at(8));
        assert_eq!(list.data.len(), 1000);
        let keys: Vec<(Timestamp, String)> = list.data.iter().map(|t| (t.created_at, t.id.clone())).collect();
        assert!(keys.windows(2).all(|w| w[0] > w[1]), "newest first, then the higher id");
        assert_eq!(list.data[0].created_at, at(6));
        let expired = TransactionList::of(&ledger.book(&id("100_CPF")).unwrap().transactions, at(4));
        assert_eq!(expired.data[0].status, creditdesk_core::transaction::TransactionStatus::Expired);
        assert!(!expired.data[0].cancellable, "an expired hold cannot be cancelled");
    }

    fn path_ids_that_cannot_exist_are_not_found_in_the_apis_words() {
        use creditdesk_core::ids::{HolderId, InvoiceId, PathId};
        assert_eq!(PathId::Account.read::<AccountId>("1_CPF"), Ok(id("1_CPF")));
        assert_eq!(PathId::Account.read::<AccountId>("x y").unwrap_err(), "there is no account x y");
        let cases = [
            (PathId::Transaction.read::<TransactionId>("a\u{7}b").err(), "there is no transaction a\u{7}b on this account"),
            (PathId::Invoice.read::<InvoiceId>("a\u{7}b").err(), "there is no invoice a\u{7}b on this account"),
            (PathId::Holder.read::<HolderId>("a\u{7}b").err(), "there is no holder a\u{7}b on this account"),
        ];
        for (got, expect) in cases {
            assert_eq!(got.as_deref(), Some(expect));
        }
        assert!(PathId::Transaction.read::<TransactionId>(&tx(1).to_string()).is_ok());
    }

    fn command_answers_have_the_apis_shape() {
        use creditdesk_core::wire::{DebitView, HoldUpdated, RemovedView, SettlementView, ValueView};
        let ledger = store(&tolerant());
        let hold = &ledger.book(&id("300_CPF")).unwrap().transactions[0];
        assert_eq!(
            serde_json::to_string(&HoldUpdated::from(hold)).unwrap(),
            format!(r#"{{"id":"{}","value":100.00,"installments":2}}"#, tx(1))
        );
        assert_eq!(serde_json::to_value(DebitView::from(money("-5"))).unwrap(), json!({"value": "-5.00"}));
        let settled = SettlementView { value: money("10"), id: "t".into() };
        assert_eq!(serde_json::to_string(&settled).unwrap(), r#"{"value":10.00,"id":"t"}"#);
        assert_eq!(serde_json::to_string(&ValueView { value: money("1") }).unwrap(), r#"{"value":1.00}"#);
        assert_eq!(serde_json::to_string(&RemovedView { id: "h".into() }).unwrap(), r#"{"id":"h"}"#);
    }
}
