//! The company-credit model over the book (core's `company`): credit and company ids as read
//! and as the store in memory numbers them, `exceed_limit` against the limit and tolerance, the
//! limit update's rules, the credit's view. Native and wasm.

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount};
use creditdesk_core::company::{
    credits_among, history_views, operation_types, update_credit, BalanceChange, BalanceOperation,
    CompanyId, CreditId, CreditLimitUpdate, CreditView, ExceedLimit, HistoryList, HistoryUpdate,
    HISTORY_FIELDS,
};
use creditdesk_core::ids::{Actor, TransactionId};
use creditdesk_core::ledger::EntryKind;
use creditdesk_core::memory::{history_entry, history_id, Ledger};
use creditdesk_core::ops;
use creditdesk_core::search_criteria::SearchCriteria;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{CreditError, Timestamp};
use serde_json::{json, Value};

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn at(days: u32) -> Timestamp {
    "2026-03-01T10:00:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .plus_days(days)
        .unwrap()
}

fn open(document: &str, limit: u32, company_id: Option<Value>) -> OpenAccount {
    let mut body = json!({"document": document, "documentType": "CNPJ",
        "email": format!("{document}@b2b.example"), "creditLimit": limit, "tolerance": "0.1"});
    if let Some(company) = company_id {
        body["companyId"] = company;
    }
    OpenAccount::from_json(&body).unwrap()
}

fn with_ctx<T>(config: &StoreConfig, days: u32, run: impl FnOnce(&Ctx) -> T) -> T {
    let actor: Actor = "test".parse().unwrap();
    run(&Ctx {
        now: at(days),
        actor: &actor,
        config,
    })
}

/// Opens the account in the ledger; its credit and company ids as stored, or the refusal.
fn open_in(ledger: &mut Ledger, command: &OpenAccount) -> Result<(u32, u32), CreditError> {
    let config = ledger.config().clone();
    let id = command.account_id();
    with_ctx(&config, 0, |ctx| {
        ledger.with_book(&id, |slot| ops::open(slot, command, ctx))
    })?;
    let terms = &ledger.book(&id).unwrap().account.company;
    Ok((
        terms.credit_id.unwrap().get(),
        terms.company_id.unwrap().get(),
    ))
}

/// A `companyId` as given → the id, or the refusal's message.
const COMPANY_IDS: &[(&str, Result<u32, &str>)] = &[
    ("1", Ok(1)),
    ("\"42\"", Ok(42)),
    ("\" 7 \"", Ok(7)),
    ("2147483647", Ok(2_147_483_647)),
    ("2147483648", Err("from 1 to 2147483647")),
    ("0", Err("from 1 to 2147483647")),
    ("-1", Err("from 1 to 2147483647")),
    ("1.5", Err("from 1 to 2147483647")),
    ("\"abc\"", Err("from 1 to 2147483647")),
    ("true", Err("from 1 to 2147483647")),
];

case_test! {
    fn company_ids_are_positive_whole_numbers_as_numbers_or_text() {
        for (given, want) in COMPANY_IDS {
            let value: Value = serde_json::from_str(given).unwrap();
            let got = CompanyId::from_json(&value).map(CompanyId::get);
            match (got, want) {
                (Ok(n), Ok(w)) => assert_eq!(n, *w, "{given}"),
                (Err(message), Err(part)) => assert!(message.contains(part), "{given}: {message}"),
                (got, want) => panic!("{given}: got {got:?}, want {want:?}"),
            }
        }
    }

    fn the_store_in_memory_numbers_accounts_as_storage_does() {
        let mut ledger = Ledger::new();
        assert_eq!(open_in(&mut ledger, &open("1", 10, None)), Ok((1, 1)));
        assert_eq!(open_in(&mut ledger, &open("2", 10, Some(json!(3)))), Ok((2, 3)));
        // 3 is a company's id: the next account is 4.
        assert_eq!(open_in(&mut ledger, &open("4", 10, None)), Ok((4, 4)));
        // A company id held by another account is refused, and nothing is kept.
        let taken = open("5", 10, Some(json!("4")));
        assert_eq!(
            open_in(&mut ledger, &taken),
            Err(CreditError::CompanyIdTaken(CompanyId::try_from(4).unwrap()))
        );
        assert!(ledger.book(&taken.account_id()).is_err());
        assert_eq!(open_in(&mut ledger, &open("6", 10, None)), Ok((5, 5)));
    }

    fn a_dump_from_before_the_numbers_gets_them_in_opening_order() {
        let mut ledger = Ledger::new();
        let config = ledger.config().clone();
        for (day, document) in [(2, "10"), (0, "30"), (1, "20")] {
            let command = open(document, 10, None);
            with_ctx(&config, day, |ctx| {
                ledger.with_book(&command.account_id(), |slot| ops::open(slot, &command, ctx))
            })
            .unwrap();
        }
        let mut dump = ledger.dump();
        for book in &mut dump.books {
            book.account.company = Default::default();
        }
        let text = serde_json::to_string(&dump).unwrap();
        assert!(!text.contains("creditId"), "an older dump carries no numbers");
        let read = Ledger::from_dump(serde_json::from_str(&text).unwrap()).unwrap();
        let numbers: Vec<(String, u32)> = ["30_CNPJ", "20_CNPJ", "10_CNPJ"]
            .iter()
            .map(|id| {
                let book = read.book(&id.parse().unwrap()).unwrap();
                (id.to_string(), book.account.company.credit_id.unwrap().get())
            })
            .collect();
        assert_eq!(
            numbers,
            [("30_CNPJ".into(), 1), ("20_CNPJ".into(), 2), ("10_CNPJ".into(), 3)]
        );
        // A dump holding one credit id twice is refused.
        let mut twice = read.dump();
        twice.books[1].account.company.credit_id = twice.books[0].account.company.credit_id;
        assert!(Ledger::from_dump(twice).is_err());
    }

    fn exceed_limit_waives_the_limit_and_the_tolerance_alike() {
        let config = StoreConfig::default()
            .apply_update(&json!({"toleranceEnabled": true}))
            .unwrap();
        // Limit 100, tolerance 10%: at most 110 without exceed_limit.
        let cases = [
            (ExceedLimit::Refused, "110", true),
            (ExceedLimit::Refused, "110.01", false),
            (ExceedLimit::Allowed, "110.01", true),
            (ExceedLimit::Allowed, "5000", true),
        ];
        for (exceed, value, accepted) in cases {
            with_ctx(&config, 0, |ctx| {
                let mut book = Book::open(&open("1", 100, None), ctx);
                book.account.company.exceed_limit = exceed;
                let hold = CreateHold::from_json(&json!({"value": value}), ctx.now).unwrap();
                let got = book.create_hold(&hold, TransactionId::from_bytes([1; 16]), ctx);
                assert_eq!(got.is_ok(), accepted, "{exceed:?} {value}: {got:?}");
            });
        }
    }

    fn the_limit_update_checks_everything_before_changing_anything() {
        let config = StoreConfig::default();
        with_ctx(&config, 0, |ctx| {
            let mut book = Book::open(&open("1", 100, None), ctx);
            book.account.company.number(1.try_into().unwrap());
            let read = |body: Value| CreditLimitUpdate::read(1, &json!({"creditLimit": body})).unwrap();

            // Nothing owed or held: the currency may change; the comment is the change's reason.
            let update = read(json!({"credit_limit": 300, "currency_code": "usd",
                "exceed_limit": "true", "credit_comment": "raised"}));
            update_credit(&mut book, &update, ctx).unwrap();
            let view = CreditView::of(&book.account, config.currency()).unwrap();
            assert_eq!(
                serde_json::to_string(&view).unwrap(),
                "{\"id\":1,\"company_id\":1,\"credit_limit\":300.00,\"balance\":0.00,\
                 \"currency_code\":\"USD\",\"exceed_limit\":true,\"available_limit\":300.00,\
                 \"credit_comment\":\"raised\"}"
            );
            let last = book.entries.last().unwrap();
            assert_eq!((last.value.to_string().as_str(), last.reason.as_deref()), ("200.00", Some("raised")));

            // Owing, the currency stays; another company's id is refused; neither writes.
            let hold = CreateHold::from_json(&json!({"value": 50, "settle": true}), ctx.now).unwrap();
            book.create_hold(&hold, TransactionId::from_bytes([2; 16]), ctx).unwrap();
            let before = book.clone();
            let to_eur = read(json!({"credit_limit": 1, "currency_code": "EUR"}));
            assert!(matches!(
                update_credit(&mut book, &to_eur, ctx),
                Err(CreditError::CurrencyInUse { .. })
            ));
            let other = read(json!({"credit_limit": 1, "currency_code": "USD", "company_id": 2}));
            let refused = update_credit(&mut book, &other, ctx).unwrap_err();
            assert_eq!(refused.reason(), "invalid", "{refused}");
            assert_eq!(book, before);
        });
    }

    fn balance_operations_move_the_balance_with_the_type_they_were_given() {
        let config = StoreConfig::default();
        with_ctx(&config, 0, |ctx| {
            let mut book = Book::open(&open("1", 100, None), ctx);
            let read = |change, body: Value| BalanceOperation::read(change, 1, &body).unwrap();
            // (change, body) → the entry's kind, value, operation type; the balance after.
            let cases = [
                (BalanceChange::Decrease, json!({"value": 40, "currency": "BRL", "operationType": 3,
                    "options": {"purchase_order": "PO-9"}}), (EntryKind::ManualDebit, "-40.00", 3, Some("PO-9")), "-40.00"),
                (BalanceChange::Increase, json!({"value": "25.5", "currency": "brl", "operationType": 4,
                    "comment": "wire"}), (EntryKind::ManualCredit, "25.50", 4, None), "-14.50"),
                (BalanceChange::Increase, json!({"value": 1, "currency": "BRL", "operationType": 6}), (EntryKind::ManualCredit, "1.00", 6, None), "-13.50"),
                (BalanceChange::Decrease, json!({"value": 500, "currency": "BRL", "operationType": 2}), (EntryKind::ManualDebit, "-500.00", 2, None), "-513.50"),
            ];
            for (change, body, (kind, value, code, purchase_order), balance) in cases {
                book.adjust_balance(&read(change, body.clone()), ctx).unwrap();
                let entry = book.entries.last().unwrap();
                let types = operation_types(&book.entries);
                assert_eq!(
                    (entry.kind, entry.value.to_string().as_str(), types.last().unwrap().code(), entry.purchase_order.as_deref()),
                    (kind, value, code, purchase_order),
                    "{body}"
                );
                assert_eq!(book.account.balance.to_string(), balance, "{body}");
            }
            assert_eq!(book.entries.last().unwrap().reason, None);
            assert_eq!(book.entries[book.entries.len() - 3].reason.as_deref(), Some("wire"));
            book.check_invariants().unwrap();
            // Another currency than the account's is refused, and nothing moves.
            let before = book.clone();
            let usd = read(BalanceChange::Increase, json!({"value": 1, "currency": "USD", "operationType": 4}));
            assert!(matches!(book.adjust_balance(&usd, ctx), Err(CreditError::CurrencyMismatch { .. })));
            assert_eq!(book, before);
            // Once the account is in USD, USD is its currency.
            book.account.company.currency = Some("USD".parse().unwrap());
            book.adjust_balance(&usd, ctx).unwrap();
        });
    }

    fn the_history_shows_each_entry_with_the_figures_after_it_and_edits_only_reimbursements() {
        let config = StoreConfig::default();
        with_ctx(&config, 0, |ctx| {
            let no_tolerance = OpenAccount::from_json(&json!({"document": "1", "documentType": "CNPJ",
                "email": "1@b2b.example", "creditLimit": 100})).unwrap();
            let mut book = Book::open(&no_tolerance, ctx);
            let up = BalanceOperation::read(BalanceChange::Increase, 1,
                &json!({"value": 30, "currency": "BRL", "operationType": 4, "comment": "wire"})).unwrap();
            let down = BalanceOperation::read(BalanceChange::Decrease, 1,
                &json!({"value": 50, "currency": "BRL", "operationType": 3})).unwrap();
            book.adjust_balance(&down, ctx).unwrap();
            book.adjust_balance(&up, ctx).unwrap();
            let credit = 7.try_into().unwrap();
            let views = history_views(credit, &"BRL".parse().unwrap(), &book.entries, &[11, 12, 13]);
            let got: Vec<String> = views.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
            assert_eq!(got, [
                "{\"id\":11,\"company_credit_id\":7,\"user_id\":0,\"user_type\":1,\"currency_credit\":\"BRL\",\"currency_operation\":\"BRL\",\"rate\":1,\"rate_credit\":1,\"amount\":100.00,\"balance\":0.00,\"credit_limit\":100.00,\"available_limit\":100.00,\"type\":1,\"datetime\":\"2026-03-01 10:00:00\"}",
                "{\"id\":12,\"company_credit_id\":7,\"user_id\":0,\"user_type\":1,\"currency_credit\":\"BRL\",\"currency_operation\":\"BRL\",\"rate\":1,\"rate_credit\":1,\"amount\":-50.00,\"balance\":-50.00,\"credit_limit\":100.00,\"available_limit\":50.00,\"type\":3,\"datetime\":\"2026-03-01 10:00:00\"}",
                "{\"id\":13,\"company_credit_id\":7,\"user_id\":0,\"user_type\":1,\"currency_credit\":\"BRL\",\"currency_operation\":\"BRL\",\"rate\":1,\"rate_credit\":1,\"amount\":30.00,\"balance\":-20.00,\"credit_limit\":100.00,\"available_limit\":80.00,\"type\":4,\"datetime\":\"2026-03-01 10:00:00\",\"comment\":\"wire\"}",
            ]);
            // Only the Reimbursed entry takes a purchase order; what is left out is kept.
            let edit = HistoryUpdate::read(13, &json!({"purchaseOrder": "PO-1", "comment": ""})).unwrap();
            let mut entries = book.entries.clone();
            edit.apply(&mut entries, 2).unwrap();
            assert_eq!((entries[2].purchase_order.as_deref(), entries[2].reason.as_deref()), (Some("PO-1"), Some("wire")));
            for index in [0, 1] {
                let refused = edit.apply(&mut entries, index).unwrap_err();
                assert!(refused.to_string().contains("Only a Reimbursed"), "{refused}");
            }
            assert_eq!(entries[..2], book.entries[..2]);
        });
    }

    fn the_store_in_memory_answers_the_history_with_its_own_ids() {
        let mut ledger = Ledger::new();
        assert_eq!(open_in(&mut ledger, &open("1", 100, None)), Ok((1, 1)));
        assert_eq!(open_in(&mut ledger, &open("2", 50, Some(json!(9)))), Ok((2, 9)));
        let config = ledger.config().clone();
        let second = open("2", 50, None).account_id();
        let up = BalanceOperation::read(BalanceChange::Increase, 2,
            &json!({"value": 5, "currency": "BRL", "operationType": 4})).unwrap();
        with_ctx(&config, 1, |ctx| {
            ledger.with_book(&second, |slot| slot.as_mut().unwrap().adjust_balance(&up, ctx))
        })
        .unwrap();
        let credit = |n: u32| CreditId::try_from(n).unwrap();
        assert_eq!(ledger.credit_book(credit(2)).map(|b| b.account.id.clone()), Some(second.clone()));
        assert!(ledger.credit_book(credit(3)).is_none());

        // Every entry (limit and tolerance of both, the increase): ids by credit, then place.
        let all = ledger.history(&SearchCriteria::read(&[], HISTORY_FIELDS).unwrap());
        let ids: Vec<i64> = all.items.iter().map(|h| h.id).collect();
        assert_eq!(ids, [1_000_000_001, 1_000_000_002, 2_000_000_001, 2_000_000_002, 2_000_000_003]);
        assert_eq!(all.total_count, 5);
        for (id, (c, index)) in [(1_000_000_001, (1, 0)), (2_000_000_003, (2, 2))] {
            assert_eq!(history_entry(id), Some((credit(c), index)));
            assert_eq!(history_id(credit(c), index), id);
        }
        for bad in [0, 5, 1_000_000_000, -1_000_000_001] {
            assert_eq!(history_entry(bad), None, "{bad}");
        }
        // Narrowed to the second credit's Reimbursed rows, echoed back.
        let pairs: Vec<(String, String)> = [
            ("searchCriteria[filter_groups][0][filters][0][field]", "company_credit_id"),
            ("searchCriteria[filter_groups][0][filters][0][value]", "2"),
            ("searchCriteria[filter_groups][1][filters][0][field]", "type"),
            ("searchCriteria[filter_groups][1][filters][0][value]", "4"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec();
        let criteria = SearchCriteria::read(&pairs, HISTORY_FIELDS).unwrap();
        let page = ledger.history(&criteria);
        assert_eq!((page.items.len(), page.total_count), (1, 1));
        let row = &page.items[0];
        assert_eq!((row.id, row.operation, row.balance.to_string()), (2_000_000_003, 4, "5.00".to_owned()));
        assert_eq!(page.search_criteria, criteria.echo());
        let text = serde_json::to_string(&page).unwrap();
        let read: HistoryList = serde_json::from_str(&text).unwrap();
        assert_eq!((read.items, read.total_count), (page.items.clone(), 1));
    }

    fn path_ids_and_the_credits_a_history_search_is_narrowed_to() {
        for (text, want) in [("7", Some(7)), ("2147483647", Some(2_147_483_647)), ("0", None),
            ("2147483648", None), ("abc", None), ("-1", None), ("", None)] {
            assert_eq!(text.parse::<CreditId>().ok().map(CreditId::get), want, "{text:?}");
        }
        let err = "x".parse::<CompanyId>().unwrap_err();
        assert!(err.contains("a company id"), "{err}");
        let f = "searchCriteria[filter_groups]";
        let cases: [(&str, Option<Vec<u32>>); 4] = [
            ("", None),
            ("[0][filters][0][field]=company_credit_id&[0][filters][0][value]=3", Some(vec![3])),
            ("[0][filters][0][field]=company_credit_id&[0][filters][0][value]=3,0,5&[0][filters][0][condition_type]=in", Some(vec![3, 5])),
            ("[0][filters][0][field]=company_credit_id&[0][filters][0][value]=3&[0][filters][0][condition_type]=gt", None),
        ];
        for (query, want) in cases {
            let pairs: Vec<(String, String)> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (format!("{f}{k}"), v.to_owned())
                })
                .collect();
            let criteria = SearchCriteria::read(&pairs, HISTORY_FIELDS).unwrap();
            let got = credits_among(&criteria).map(|c| c.iter().map(|c| c.get()).collect::<Vec<_>>());
            assert_eq!(got, want, "{query}");
        }
    }
}
