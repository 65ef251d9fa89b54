//! The company-credit API's operation types of the ledger's entries (core's `company`), as a
//! table: every entry kind, the first limit Allocated and the later ones Updated, a settlement
//! change by its sign. Native and wasm.

use creditdesk_core::company::{operation_types, OperationType};
use creditdesk_core::ledger::{Entry, EntryKind};

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn entry(kind: EntryKind, value: &str) -> Entry {
    Entry {
        account_id: "1_CPF".parse().unwrap(),
        kind,
        value: value.parse().unwrap(),
        at: "2024-03-01T00:00:00Z".parse().unwrap(),
        actor: "admin".parse().unwrap(),
        transaction_id: None,
        installment: None,
        number_of_installments: None,
        statement_id: None,
        reason: None,
        credit: None,
        operation: None,
        purchase_order: None,
    }
}

/// (entry kind, value) in book order → the operation type's code.
const HISTORY: &[(EntryKind, &str, u8)] = &[
    (EntryKind::CreditLimitChanged, "1000", 1),
    (EntryKind::Settlement, "-100", 3),
    (EntryKind::CreditLimitChanged, "500", 2),
    (EntryKind::CreditLimitChanged, "-200", 2),
    (EntryKind::ToleranceChanged, "0.1", 2),
    (EntryKind::SettlementChanged, "-10", 3),
    (EntryKind::SettlementChanged, "5", 5),
    (EntryKind::SettlementChanged, "0", 3),
    (EntryKind::Refund, "20", 5),
    (EntryKind::InvoicePaid, "30", 4),
    (EntryKind::PaymentReversed, "-30", 6),
    (EntryKind::InvoiceCancelled, "40", 6),
    (EntryKind::ManualDebit, "-7", 3),
    (EntryKind::ManualCredit, "7", 4),
    (EntryKind::WriteOff, "0.05", 2),
    (EntryKind::WriteOffReversed, "-0.05", 6),
    (EntryKind::Interest, "-1", 2),
    (EntryKind::InterestTax, "-0.1", 2),
    (EntryKind::InterestReversed, "1", 6),
    (EntryKind::InterestTaxReversed, "0.1", 6),
];

/// A history line's figures: (type, amount, balance, limit, available).
type Figures = (u8, &'static str, &'static str, &'static str, &'static str);

/// (entry kind, value) in book order → the figures after it.
const LINES: &[(EntryKind, &str, Figures)] = &[
    (
        EntryKind::CreditLimitChanged,
        "1000",
        (1, "1000.00", "0.00", "1000.00", "1000.00"),
    ),
    (
        EntryKind::Settlement,
        "-100",
        (3, "-100.00", "-100.00", "1000.00", "900.00"),
    ),
    (
        EntryKind::ToleranceChanged,
        "100",
        (2, "100.00", "-100.00", "1000.00", "900.00"),
    ),
    (
        EntryKind::InvoicePaid,
        "40",
        (4, "40.00", "-60.00", "1000.00", "940.00"),
    ),
    (
        EntryKind::CreditLimitChanged,
        "-500",
        (2, "-500.00", "-60.00", "500.00", "440.00"),
    ),
    (
        EntryKind::Refund,
        "10",
        (5, "10.00", "-50.00", "500.00", "450.00"),
    ),
    (
        EntryKind::PaymentReversed,
        "-40",
        (6, "-40.00", "-90.00", "500.00", "410.00"),
    ),
    (
        EntryKind::Interest,
        "-1.5",
        (2, "-1.50", "-91.50", "500.00", "408.50"),
    ),
    (
        EntryKind::ManualDebit,
        "-500",
        (3, "-500.00", "-591.50", "500.00", "-91.50"),
    ),
];

case_test! {
    fn history_lines_carry_the_figures_after_each_entry() {
        let entries: Vec<Entry> = LINES.iter().map(|(k, v, _)| entry(*k, v)).collect();
        let got: Vec<(u8, String, String, String, String)> = creditdesk_core::company::history_lines(&entries)
            .iter()
            .map(|l| (l.operation.code(), l.amount.to_string(), l.balance.to_string(), l.credit_limit.to_string(), l.available_limit.to_string()))
            .collect();
        let want: Vec<(u8, String, String, String, String)> = LINES
            .iter()
            .map(|(_, _, (t, a, b, l, av))| (*t, a.to_string(), b.to_string(), l.to_string(), av.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(creditdesk_core::company::history_lines(&[]).is_empty());
    }

    fn every_entry_has_its_operation_type() {
        let entries: Vec<Entry> = HISTORY.iter().map(|(k, v, _)| entry(*k, v)).collect();
        let got: Vec<u8> = operation_types(&entries).iter().map(|t| t.code()).collect();
        let want: Vec<u8> = HISTORY.iter().map(|(_, _, code)| *code).collect();
        assert_eq!(got, want);
        // Every kind is in the table.
        for kind in EntryKind::ALL {
            assert!(HISTORY.iter().any(|(k, _, _)| *k == kind), "{kind:?}");
        }
        // The first limit change of a history is the allocation, wherever it falls.
        let later = [entry(EntryKind::Settlement, "-1"), entry(EntryKind::CreditLimitChanged, "10"), entry(EntryKind::CreditLimitChanged, "20")];
        let codes: Vec<u8> = operation_types(&later).iter().map(|t| t.code()).collect();
        assert_eq!(codes, [3, 1, 2]);
        assert!(operation_types(&[]).is_empty());
        // A balance operation's entry has the type it was given.
        let mut given = entry(EntryKind::ManualCredit, "5");
        given.operation = Some(OperationType::Refunded);
        assert_eq!(operation_types(&[given]), [OperationType::Refunded]);
    }

    fn operation_types_read_back_by_code() {
        for (n, kind) in OperationType::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(kind.code()), n + 1);
            assert_eq!(OperationType::from_code(kind.code()), Some(kind));
        }
        assert_eq!(OperationType::from_code(0), None);
        assert_eq!(OperationType::from_code(7), None);
        let names: Vec<&str> = OperationType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["Allocated", "Updated", "Purchased", "Reimbursed", "Refunded", "Reverted"]);
    }
}

use creditdesk_core::company::{BalanceChange, BalanceOperation, CreditLimitUpdate, HistoryUpdate};
use serde_json::{json, Value};

fn or_dash(text: &Option<String>) -> &str {
    text.as_deref().unwrap_or("-")
}

fn describe_balance(op: &BalanceOperation) -> String {
    format!(
        "{:?} {} {} {} comment={} po={} order={}",
        op.change,
        op.value,
        op.currency.as_str(),
        op.operation.name(),
        or_dash(&op.comment),
        or_dash(&op.purchase_order),
        or_dash(&op.order_increment)
    )
}

/// (change, body) for the credit 7 → what is read, or the refusal's text.
fn balance_cases() -> Vec<(BalanceChange, Value, Result<&'static str, &'static str>)> {
    use BalanceChange::{Decrease, Increase};
    vec![
        (
            Increase,
            json!({"value": 100, "currency": "USD", "operationType": 4, "comment": " paid ", "options": {"purchase_order": "PO-1", "order_increment": "000001", "currency_display": "USD", "currency_base": "USD"}}),
            Ok("Increase 100.00 USD Reimbursed comment=paid po=PO-1 order=000001"),
        ),
        (Decrease, json!({"value": 10.5, "currency": "usd", "operationType": 3}), Ok("Decrease 10.50 USD Purchased comment=- po=- order=-")),
        (
            Decrease,
            json!({"value": "25", "currency": " EUR ", "operationType": "2", "comment": "", "options": {}, "creditId": 7, "foo": 1}),
            Ok("Decrease 25.00 EUR Updated comment=- po=- order=-"),
        ),
        (
            Increase,
            json!({"value": 1, "currency": "USD", "operationType": 1, "comment": 5, "options": {"purchase_order": 12345, "order_increment": null}, "creditId": "7"}),
            Ok("Increase 1.00 USD Allocated comment=5 po=12345 order=-"),
        ),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 6, "options": null}), Ok("Increase 1.00 USD Reverted comment=- po=- order=-")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 5}), Ok("Increase 1.00 USD Refunded comment=- po=- order=-")),
        (Decrease, json!({"value": 1, "currency": "USD", "operationType": 4}), Ok("Decrease 1.00 USD Reimbursed comment=- po=- order=-")),
        (Increase, json!([]), Err("The request body must be a JSON object.")),
        (Increase, json!({"currency": "USD", "operationType": 4}), Err("\"value\" is required. Enter and try again.")),
        (Increase, json!({"value": null, "currency": "USD", "operationType": 4}), Err("\"value\" is required. Enter and try again.")),
        (Increase, json!({"value": "abc", "currency": "USD", "operationType": 4}), Err("value must be an amount such as 150 or 150.25.")),
        (Increase, json!({"value": 0, "currency": "USD", "operationType": 4}), Err("value must be more than 0; it is 0.00.")),
        (Increase, json!({"value": -5, "currency": "USD", "operationType": 4}), Err("value must be more than 0; it is -5.00.")),
        (Increase, json!({"value": 1.234, "currency": "USD", "operationType": 4}), Err("value must have at most 2 decimal places.")),
        (Increase, json!({"value": 1, "operationType": 4}), Err("\"currency\" is required. Enter and try again.")),
        (Increase, json!({"value": 1, "currency": "US", "operationType": 4}), Err("currency \"US\" is not a currency code; write three letters, such as USD.")),
        (Increase, json!({"value": 1, "currency": 840, "operationType": 4}), Err("currency \"840\" is not a currency code")),
        (Increase, json!({"value": 1, "currency": "USD"}), Err("\"operationType\" is required. Enter and try again.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 7}), Err("operationType 7 is not an operation type: 1 Allocated, 2 Updated, 3 Purchased, 4 Reimbursed, 5 Refunded or 6 Reverted.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 0}), Err("operationType 0 is not an operation type")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 260}), Err("operationType 260 is not an operation type")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": "x"}), Err("operationType \"x\" is not an operation type")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 3}), Err("operationType 3 (Purchased) cannot increase the balance; use 1 Allocated, 2 Updated, 4 Reimbursed, 5 Refunded, 6 Reverted.")),
        (Decrease, json!({"value": 1, "currency": "USD", "operationType": 1}), Err("operationType 1 (Allocated) cannot decrease the balance; use 2 Updated, 3 Purchased, 4 Reimbursed.")),
        (Decrease, json!({"value": 1, "currency": "USD", "operationType": 5}), Err("operationType 5 (Refunded) cannot decrease")),
        (Decrease, json!({"value": 1, "currency": "USD", "operationType": 6}), Err("operationType 6 (Reverted) cannot decrease")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "comment": true}), Err("comment must be text.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "comment": "c".repeat(256)}), Err("comment is longer than 255 characters.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "options": "x"}), Err("options must be an object.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "options": {"purchase_order": "p".repeat(65)}}), Err("purchase_order is longer than 64 characters.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "creditId": 8}), Err("creditId 8 in the body is not 7, the one of the path.")),
        (Increase, json!({"value": 1, "currency": "USD", "operationType": 4, "creditId": "x"}), Err("creditId \"x\" in the body is not 7")),
    ]
}

fn describe_limit(update: &CreditLimitUpdate) -> String {
    format!(
        "limit={} {} exceed={} comment={} company={} ignored={:?}",
        update
            .credit_limit
            .map_or("-".to_owned(), |m| m.to_string()),
        update.currency.as_str(),
        update
            .exceed_limit
            .map_or("-".to_owned(), |b| b.to_string()),
        or_dash(&update.comment),
        update.company_id.map_or("-".to_owned(), |c| c.to_string()),
        update.ignored
    )
}

/// A body for the credit 2 → what is read, or the refusal's text.
fn limit_cases() -> Vec<(Value, Result<&'static str, &'static str>)> {
    vec![
        (json!({"creditLimit": {"credit_limit": 1000, "currency_code": "USD"}}), Ok("limit=1000.00 USD exceed=- comment=- company=- ignored=[]")),
        (
            json!({"creditLimit": {"id": 2, "company_id": "2", "credit_limit": "1500.5", "balance": -10, "currency_code": "eur", "exceed_limit": 1, "available_limit": 1490, "credit_comment": "raise", "extension_attributes": {}}}),
            Ok("limit=1500.50 EUR exceed=true comment=raise company=2 ignored=[\"available_limit\", \"balance\", \"extension_attributes\"]"),
        ),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": "false", "credit_limit": null, "company_id": null}}), Ok("limit=- USD exceed=false comment=- company=- ignored=[]")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": true, "credit_limit": 0}}), Ok("limit=0.00 USD exceed=true comment=- company=- ignored=[]")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": 0, "company_id": 9}}), Ok("limit=- USD exceed=false comment=- company=9 ignored=[]")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": "TRUE"}}), Ok("limit=- USD exceed=true comment=- company=- ignored=[]")),
        (json!({}), Err("\"creditLimit\" is required. Enter and try again.")),
        (json!("x"), Err("The request body must be a JSON object.")),
        (json!({"creditLimit": 5}), Err("creditLimit must be an object.")),
        (json!({"creditLimit": {"credit_limit": 1000}}), Err("\"currency_code\" is required. Enter and try again.")),
        (json!({"creditLimit": {"credit_limit": -1, "currency_code": "USD"}}), Err("credit_limit must not be negative.")),
        (json!({"creditLimit": {"credit_limit": "x", "currency_code": "USD"}}), Err("credit_limit must be an amount")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": "maybe"}}), Err("exceed_limit \"maybe\" is not true or false.")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": 2}}), Err("exceed_limit 2 is not true or false.")),
        (json!({"creditLimit": {"currency_code": "USD", "exceed_limit": []}}), Err("exceed_limit [] is not true or false.")),
        (json!({"creditLimit": {"currency_code": "USD", "company_id": "abc"}}), Err("company_id \"abc\" is not a whole number.")),
        (json!({"creditLimit": {"currency_code": "USD", "company_id": 1.5}}), Err("company_id 1.5 is not a whole number.")),
        (json!({"creditLimit": {"id": 3, "currency_code": "USD"}}), Err("id 3 in the body is not 2, the one of the path.")),
        (json!({"creditLimit": {"currency_code": "USD", "credit_comment": {}}}), Err("credit_comment must be text.")),
        (json!({"creditLimit": {"currency_code": "USDX"}}), Err("currency_code \"USDX\" is not a currency code")),
    ]
}

case_test! {
    fn balance_operations_are_read() {
        for (change, body, want) in balance_cases() {
            let got = BalanceOperation::read(change, 7, &body).map(|op| describe_balance(&op)).map_err(|e| e.to_string());
            match (&got, want) {
                (Ok(read), Ok(want)) => assert_eq!(read, want, "{body}"),
                (Err(text), Err(want)) => assert!(text.starts_with(want), "{body}: {text}"),
                _ => panic!("{change:?} {body}: {got:?}, want {want:?}"),
            }
        }
    }

    fn credit_limit_updates_are_read() {
        for (body, want) in limit_cases() {
            let got = CreditLimitUpdate::read(2, &body).map(|u| describe_limit(&u)).map_err(|e| e.to_string());
            match (&got, want) {
                (Ok(read), Ok(want)) => assert_eq!(read, want, "{body}"),
                (Err(text), Err(want)) => assert!(text.starts_with(want), "{body}: {text}"),
                _ => panic!("{body}: {got:?}, want {want:?}"),
            }
        }
        // The refusal names the missing field, as a parameter too.
        let error = CreditLimitUpdate::read(2, &json!({"creditLimit": {}})).unwrap_err();
        assert_eq!(error.parameters, ["currency_code"]);
        assert_eq!(error.message, "\"%1\" is required. Enter and try again.");
    }

    fn history_updates_are_read() {
        let read = |id: i64, body: Value| HistoryUpdate::read(id, &body).map_err(|e| e.to_string());
        assert_eq!(
            read(6, json!({"purchaseOrder": "PO-9", "comment": "fixed", "historyId": 6})),
            Ok(HistoryUpdate { purchase_order: Some("PO-9".into()), comment: Some("fixed".into()) })
        );
        assert_eq!(read(6, json!({"purchaseOrder": "", "historyId": "6"})), Ok(HistoryUpdate { purchase_order: None, comment: None }));
        assert_eq!(read(6, json!({})), Ok(HistoryUpdate { purchase_order: None, comment: None }));
        assert_eq!(read(6, json!({"historyId": 5})), Err("historyId 5 in the body is not 6, the one of the path.".to_owned()));
        assert_eq!(read(6, json!([])), Err("The request body must be a JSON object.".to_owned()));
        assert_eq!(read(6, json!({"purchaseOrder": "p".repeat(65)})), Err("purchaseOrder is longer than 64 characters.".to_owned()));
        assert_eq!(read(6, json!({"comment": "c".repeat(255)})).map(|u| u.comment.map(|c| c.len())), Ok(Some(255)));
    }

    fn the_searchable_fields_are_the_items_fields() {
        use creditdesk_core::company::{CREDIT_FIELDS, HISTORY_FIELDS};
        let names = |fields: &[creditdesk_core::search_criteria::Field]| fields.iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(CREDIT_FIELDS), ["id", "company_id", "credit_limit", "balance", "currency_code", "exceed_limit", "available_limit", "credit_comment"]);
        assert_eq!(HISTORY_FIELDS.len(), 16);
        assert!(names(HISTORY_FIELDS).contains(&"purchase_order"));
    }
}
