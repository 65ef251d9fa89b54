//! CSV exports (core's `export`): formula-looking text neutralised, quoting, the columns of
//! each line, a statement's running balance. Native and wasm.

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{Change, OpenAccount};
use creditdesk_core::export::{
    account_cells, invoice_cells, line, statement_cells, text_cell, ACCOUNT_COLUMNS,
    INVOICE_COLUMNS, STATEMENT_COLUMNS,
};
use creditdesk_core::ids::Actor;
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{InvoiceView, StatementView};
use creditdesk_core::{ops, Timestamp};
use serde_json::json;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// (text) → its cell.
const TEXT_CELLS: &[(&str, &str)] = &[
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("a=b", "a=b"),
    ("", ""),
    ("'quoted", "''quoted"),
    ("Été +", "Été +"),
    (" =1", "' =1"),
    ("\u{a0}=1", "'\u{a0}=1"),
    ("＝1+2", "'＝1+2"),
    ("|cmd", "'|cmd"),
    (";=1", "';=1"),
    ("a|b;c", "a|b;c"),
];

/// (cells) → the line.
const LINES: &[(&[&str], &str)] = &[
    (&["a", "b"], "a,b\r\n"),
    (&["a,b", "c"], "\"a,b\",c\r\n"),
    (&["say \"hi\""], "\"say \"\"hi\"\"\"\r\n"),
    (&["two\nlines", ""], "\"two\nlines\",\r\n"),
    (&["", "x"], ",x\r\n"),
    (&["ünï", "😀"], "ünï,😀\r\n"),
];

fn now() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

case_test! {
    fn origins_are_named_as_the_statements_write_them() {
        use creditdesk_core::ledger::Origin;
        for origin in [Origin::Invoice, Origin::Payment, Origin::Credit, Origin::Statement, Origin::Interest] {
            assert_eq!(serde_json::to_value(origin).unwrap(), origin.as_str(), "{origin:?}");
        }
    }

    fn formula_looking_text_is_neutralised() {
        for (text, want) in TEXT_CELLS {
            assert_eq!(text_cell(text), *want, "{text:?}");
        }
    }

    fn lines_are_quoted_where_needed_and_end_in_crlf() {
        for (cells, want) in LINES {
            assert_eq!(String::from_utf8(line(cells)).unwrap(), *want, "{cells:?}");
        }
        assert_eq!(String::from_utf8(line(&INVOICE_COLUMNS)).unwrap().matches(',').count(), 23);
    }

    fn an_invoice_line_is_its_view_with_typed_text_neutralised() {
        let mut invoice = common::invoice("100.50", "40.25", InvoiceStatus::Opened, now());
        invoice.order_id = "=HYPERLINK(\"x\")".to_owned();
        invoice.observation = Some("-call back".to_owned());
        let view = InvoiceView::new(&invoice, &StoreConfig::default().interest_policy(), now());
        let cells = invoice_cells(&view);
        assert_eq!(cells.len(), INVOICE_COLUMNS.len());
        let cell = |name: &str| cells[INVOICE_COLUMNS.iter().position(|c| *c == name).unwrap()].clone();
        assert_eq!(cell("id"), view.id);
        assert_eq!(cell("orderId"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("status"), "Opened");
        assert_eq!(
            (cell("value"), cell("paidValue"), cell("remainingValue")),
            ("100.50".to_owned(), "40.25".to_owned(), "60.25".to_owned())
        );
        assert_eq!(cell("dueDate"), now().to_string());
        assert_eq!((cell("resolvedAt"), cell("paymentLink")), (String::new(), String::new()));
        assert_eq!(cell("observation"), "'-call back");
    }

    fn an_account_line_and_a_statement_with_its_running_balance() {
        let config = StoreConfig::default();
        let actor: Actor = "test".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF",
            "email": "+buyer@example.com", "creditLimit": 500, "description": "@vip"})).unwrap();
        let mut book = Book::open(&open, &ctx);
        book.debit(&"s0".parse().unwrap(), "-10.50".parse().unwrap(), &ctx).unwrap();
        let day = now().plus_days(1).unwrap();
        let ctx = Ctx { now: day, ..ctx };
        book.debit(&"s1".parse().unwrap(), "-0.25".parse().unwrap(), &ctx).unwrap();
        book.change_credit_limit(&Change { value: "800".parse().unwrap(), reason: Some("=raised".into()) }, &ctx);
        let account = account_cells(&ops::account_view(&book, &ctx));
        assert_eq!(account.len(), ACCOUNT_COLUMNS.len());
        assert_eq!(
            (account[3].as_str(), account[4].as_str(), account[6].as_str(), account[8].as_str()),
            ("'+buyer@example.com", "'@vip", "800.00", "-10.75")
        );
        let lines = statement_cells(&StatementView::from(&book.statement(None, None)));
        let column = |name: &str| STATEMENT_COLUMNS.iter().position(|c| *c == name).unwrap();
        let after: Vec<&str> = lines.iter().map(|l| l[column("balanceAfter")].as_str()).collect();
        // The opening limit, two debits, the limit change: limits move no balance.
        assert_eq!(after, ["0.00", "-10.50", "-10.75", "-10.75"]);
        assert!(lines.iter().all(|l| l.len() == STATEMENT_COLUMNS.len()));
        assert_eq!(lines[1][column("value")], "-10.50");
        assert_eq!(lines[3][column("reason")], "'=raised");
        assert_eq!(lines[3][column("countsInBalance")], "false");
        assert_eq!(
            (lines[1][column("origin")].as_str(), lines[1][column("statementId")].as_str()),
            ("Statement", "s0")
        );
        assert_eq!(lines[3][column("origin")], "Credit");
        // A window's lines start from its previous balance.
        let later = statement_cells(&StatementView::from(&book.statement(Some(day), None)));
        let after: Vec<&str> = later.iter().map(|l| l[column("balanceAfter")].as_str()).collect();
        assert_eq!(after, ["-10.75", "-10.75"]);
    }
}
