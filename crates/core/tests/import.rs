//! CSV imports (core's `import`; a file read whole or in pieces: `import_file.rs`): each
//! row read by the API's own readers (every bad field named), a row applied twice changing
//! nothing the second time. Native and wasm.

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{CreateHold, OpenAccount};
use creditdesk_core::credit::PaymentLocators;
use creditdesk_core::ids::{Actor, InvoiceId, TransactionId};
use creditdesk_core::import::{
    apply, error_cells, read_file, read_row, refusal, ImportKind, ImportRow, ImportStatus, RowError,
};
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{CreditError, Timestamp};
use serde_json::json;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const HEADER: &str = "document,documentType,email,creditLimit,tolerance,description\r\n";

/// (an account row after [`HEADER`]) → the fields refused (none: read).
const ACCOUNT_ROWS: &[(&str, &[&str])] = &[
    (
        "12345678900,CPF,ana@example.com,1500.00,0.1,Ana's shop",
        &[],
    ),
    ("1,CPF,Ana.Silva+store_2@Example.COM,1,,", &[]),
    ("1,CPF,josé.müller@exämple.com,1,,", &[]),
    ("1,CPF,user_name@example.com,0,1,", &[]),
    ("1,CPF,not-an-email,1,,", &["email"]),
    ("1,CPF,a@b.co,12.345,,", &["creditLimit"]),
    ("1,CPF,a@b.co,-1,,", &["creditLimit"]),
    ("1,CPF,a@b.co,ten,,", &["creditLimit"]),
    ("1,CPF,a@b.co,1e3,,", &["creditLimit"]),
    ("1,CPF,a@b.co,1,1.5,", &["tolerance"]),
    ("1,CPF,a@b.co,1,x,", &["tolerance"]),
    ("1,Pass port,a@b.co,1,,", &["documentType"]),
    ("1_2,CPF,a@b.co,1,,", &["document"]),
    (",CPF,a@b.co,1,,", &["document"]),
    ("1,CPF,,,,", &["email", "creditLimit"]),
    ("1,CPF,a@b.co,1,,bad\u{7}bell", &["description"]),
];

/// (an invoice row after `accountId,id,status,observation,paymentLink`) → the fields refused.
const INVOICE_ROWS: &[(&str, &[&str])] = &[
    ("1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,,", &[]),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Cancelled,by phone,https://pay.example/x",
        &[],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Done,,",
        &["status"],
    ),
    (
        ",0123456789ABCDEF0123456789ABCDEF-01,Paid,,",
        &["accountId"],
    ),
    (
        "1 CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,,",
        &["accountId"],
    ),
    ("1_CPF,,Paid,,", &["id"]),
    ("1_CPF,nope,Paid,,", &["id"]),
    ("1_CPF,0123456789ABCDEF0123456789ABCDEF-01,,,", &["status"]),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,,ftp://x",
        &["paymentLink"],
    ),
];

/// (a payment row after [`PAYMENT_HEADER`]) → the fields refused (none: read).
const PAYMENT_ROWS: &[(&str, &[&str])] = &[
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,40.00,TED 991",
        &[],
    ),
    ("1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,,", &[]),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,40,",
        &["paymentReference"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,,TED 1",
        &["paymentValue"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,0,TED 1",
        &["paymentValue"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,4.001,TED 1",
        &["paymentValue"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,forty,TED 1",
        &["paymentValue"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,40,TED 1",
        &["status"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Cancelled,40,TED 1",
        &["status"],
    ),
    (
        "1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,40,bad\u{7}reference",
        &["paymentReference"],
    ),
    ("1_CPF,nope,Done,-1,", &["id", "status", "paymentReference"]),
];

const PAYMENT_HEADER: &str = "accountId,id,status,paymentValue,paymentReference\r\n";

fn refused(kind: ImportKind, header: &str, row: &str) -> Vec<String> {
    let file = read_file(kind, &format!("{header}{row}\r\n")).unwrap();
    match read_row(kind, &file.records[0]) {
        Ok(_) => vec![],
        Err(errors) => {
            assert!(
                errors.iter().all(|e| e.line == 2 && !e.message.is_empty()),
                "{errors:?}"
            );
            errors.into_iter().map(|e| e.field).collect()
        }
    }
}

fn now() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn locators(k: u8) -> PaymentLocators {
    PaymentLocators::at(now(), [k; 10])
}

fn tx() -> TransactionId {
    TransactionId::from_bytes([7; 16])
}

/// An account `1_CPF` with one invoice of 100 (settled whole in one).
fn book_with_invoice(ctx: &Ctx) -> Book {
    let open = OpenAccount::from_json(&json!({"document": "1", "documentType": "CPF",
        "email": "a@b.co", "creditLimit": 1000}))
    .unwrap();
    let mut book = Book::open(&open, ctx);
    let hold = CreateHold::from_json(&json!({"value": 100, "settle": true}), ctx.now).unwrap();
    book.create_hold(&hold, tx(), ctx).unwrap();
    book.settle(
        &tx(),
        "100".parse().unwrap(),
        &"AbCd1234".parse().unwrap(),
        ctx,
    )
    .unwrap();
    book
}

fn row(kind: ImportKind, text: &str) -> ImportRow {
    let file = read_file(kind, text).unwrap();
    read_row(kind, &file.records[0]).unwrap()
}

case_test! {
    fn account_rows_are_read_by_the_api_readers() {
        for (line, want) in ACCOUNT_ROWS {
            assert_eq!(refused(ImportKind::Accounts, HEADER, line), *want, "{line}");
        }
        let ImportRow::Account(read) = row(ImportKind::Accounts, &format!("{HEADER}1,CPF,a@b.co,10.5,,\n")) else {
            panic!("an account row")
        };
        assert_eq!(read.id.to_string(), "1_CPF");
        let row = ImportRow::Account(read.clone());
        assert_eq!((row.account(), row.reads()), (&read.id, creditdesk_core::reads::Reads::account()));
        assert_eq!(read.upsert.credit_limit, Some("10.50".parse().unwrap()));
        assert_eq!((read.upsert.tolerance, read.upsert.description), (None, None));
    }

    fn invoice_rows_are_read_by_the_api_readers() {
        let header = "accountId,id,status,observation,paymentLink\r\n";
        for (line, want) in INVOICE_ROWS {
            assert_eq!(refused(ImportKind::Invoices, header, line), *want, "{line}");
        }
    }

    fn payment_rows_are_read_by_the_payment_reader_with_the_columns_names() {
        for (line, want) in PAYMENT_ROWS {
            assert_eq!(refused(ImportKind::Invoices, PAYMENT_HEADER, line), *want, "{line}");
        }
        let ImportRow::Invoice(read) = row(
            ImportKind::Invoices,
            &format!("{PAYMENT_HEADER}1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Opened,40.5,TED 9\n"),
        ) else {
            panic!("an invoice row")
        };
        let payment = read.payment.unwrap();
        assert_eq!((payment.value, payment.reference.as_deref()), (Some("40.50".parse().unwrap()), Some("TED 9")));
        let ImportRow::Invoice(plain) = row(ImportKind::Invoices, &format!("{PAYMENT_HEADER}1_CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,,\n")) else {
            panic!("an invoice row")
        };
        assert_eq!(plain.payment, None);
    }

    fn a_payment_row_pays_once_per_reference_and_reopens_nothing() {
        let config = StoreConfig::default();
        let actor: Actor = "import".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        let invoice = InvoiceId::new(&tx(), 1);
        let pay = |value: &str, reference: &str, observation: &str| {
            row(
                ImportKind::Invoices,
                &format!("accountId,id,status,observation,paymentValue,paymentReference\n1_CPF,{invoice},Opened,{observation},{value},{reference}\n"),
            )
        };
        let paid = |book: &Book| book.invoices[0].paid_value.to_string();
        let mut slot = Some(book_with_invoice(&ctx));
        let balance = slot.as_ref().unwrap().account.balance;
        apply(&mut slot, &pay("40", "TED 1", "first"), &locators(1), &ctx).unwrap();
        let once = slot.clone().unwrap();
        assert_eq!((paid(&once), once.invoices[0].status), ("40.00".to_owned(), InvoiceStatus::Opened));
        assert_eq!(once.invoices[0].observation.as_deref(), Some("first"));
        assert_eq!(once.account.balance.minor(), balance.minor() + 4000);
        // The same row again (a resumed job, the file applied twice): nothing paid again; the
        // observation still set.
        apply(&mut slot, &pay("40", "TED 1", "again"), &locators(2), &ctx).unwrap();
        let twice = slot.clone().unwrap();
        assert_eq!((twice.credits.len(), twice.entries.len()), (once.credits.len(), once.entries.len()));
        assert_eq!(twice.invoices[0].observation.as_deref(), Some("again"));
        // Too much: the row's column named, nothing paid.
        let error = apply(&mut slot, &pay("60.01", "TED 2", ""), &locators(3), &ctx).unwrap_err();
        let errors = refusal(5, error);
        assert_eq!((errors[0].field.as_str(), errors[0].message.contains("60.00")), ("paymentValue", true), "{errors:?}");
        assert_eq!(slot.as_ref().unwrap().credits.len(), once.credits.len());
        // All that is left: Paid. Again: still Paid (the row's Opened reopens nothing).
        apply(&mut slot, &pay("60", "TED 2", ""), &locators(4), &ctx).unwrap();
        assert_eq!(slot.as_ref().unwrap().invoices[0].status, InvoiceStatus::Paid);
        let settled = slot.clone().unwrap();
        apply(&mut slot, &pay("60", "TED 2", ""), &locators(5), &ctx).unwrap();
        apply(&mut slot, &pay("40", "TED 1", ""), &locators(6), &ctx).unwrap();
        let after = slot.clone().unwrap();
        assert_eq!((after.invoices[0].status, after.credits.len()), (InvoiceStatus::Paid, settled.credits.len()));
        // A new reference on a paid invoice: refused on its status.
        let error = apply(&mut slot, &pay("1", "TED 3", ""), &locators(7), &ctx).unwrap_err();
        assert_eq!(refusal(5, error)[0].field, "status");
        // A reversed payment still names its row: re-applying does not pay it again.
        let mut slot = Some(book_with_invoice(&ctx));
        apply(&mut slot, &pay("40", "TED 1", ""), &locators(1), &ctx).unwrap();
        let reason = creditdesk_core::commands::CreditReason::from_json(&json!({"reason": "bounced"})).unwrap();
        let book = slot.as_mut().unwrap();
        book.reverse_credit(&locators(1).payment, &reason, &ctx).unwrap();
        let reversed = book.clone();
        apply(&mut slot, &pay("40", "TED 1", ""), &locators(2), &ctx).unwrap();
        assert_eq!(slot.unwrap().credits.len(), reversed.credits.len());
        // Another account's invoice row is not found.
        let error = apply(&mut None, &pay("40", "TED 1", ""), &locators(1), &ctx).unwrap_err();
        assert_eq!(refusal(5, error)[0].field, "accountId");
    }

    fn a_row_applied_twice_changes_nothing_the_second_time() {
        let config = StoreConfig::default();
        let actor: Actor = "import".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        // Accounts: created, then the same values again.
        let account = row(ImportKind::Accounts, &format!("{HEADER}1,CPF,a@b.co,500,0.1,shop\n"));
        let mut slot = None;
        apply(&mut slot, &account, &locators(1), &ctx).unwrap();
        let once = slot.clone().unwrap();
        assert_eq!(once.account.credit_limit, "500".parse().unwrap());
        apply(&mut slot, &account, &locators(2), &ctx).unwrap();
        assert_eq!(slot.as_ref().unwrap().entries.len(), once.entries.len());
        // Invoices: paid, then paid again.
        let mut slot = Some(book_with_invoice(&ctx));
        let invoice = InvoiceId::new(&tx(), 1);
        let paid = row(ImportKind::Invoices, &format!("accountId,id,status\n1_CPF,{invoice},Paid\n"));
        assert_eq!(paid.account().to_string(), "1_CPF");
        assert_eq!(paid.reads(), creditdesk_core::reads::Reads::invoice_credits(&invoice));
        apply(&mut slot, &paid, &locators(3), &ctx).unwrap();
        let once = slot.clone().unwrap();
        assert_eq!(once.invoices[0].status, InvoiceStatus::Paid);
        apply(&mut slot, &paid, &locators(4), &ctx).unwrap();
        let twice = slot.unwrap();
        assert_eq!((twice.entries.len(), twice.credits.len()), (once.entries.len(), once.credits.len()));
        assert_eq!(twice.account.balance, once.account.balance);
    }

    fn refusals_of_the_book_name_the_column() {
        let config = StoreConfig::default();
        let actor: Actor = "import".parse().unwrap();
        let ctx = Ctx { now: now(), actor: &actor, config: &config };
        let invoice = InvoiceId::new(&tx(), 1);
        let cancel = row(ImportKind::Invoices, &format!("accountId,id,status\n1_CPF,{invoice},Cancelled\n"));
        let error = apply(&mut None, &cancel, &locators(1), &ctx).unwrap_err();
        assert_eq!(refusal(7, error)[0].field, "accountId");
        let mut slot = Some(book_with_invoice(&ctx));
        let other = InvoiceId::new(&tx(), 2);
        let missing = row(ImportKind::Invoices, &format!("accountId,id,status\n1_CPF,{other},Paid\n"));
        let error = apply(&mut slot, &missing, &locators(1), &ctx).unwrap_err();
        assert_eq!(refusal(7, error)[0].field, "id");
        apply(&mut slot, &cancel, &locators(1), &ctx).unwrap();
        let paid = row(ImportKind::Invoices, &format!("accountId,id,status\n1_CPF,{invoice},Paid\n"));
        let error = apply(&mut slot, &paid, &locators(2), &ctx).unwrap_err();
        let errors = refusal(7, error);
        assert_eq!((errors[0].line, errors[0].field.as_str()), (7, "status"));
        assert!(errors[0].message.contains("cancelled"), "{}", errors[0].message);
        let invalid = CreditError::field("email", "is not an email");
        assert_eq!(
            refusal(3, invalid),
            vec![RowError { line: 3, field: "email".into(), message: "is not an email".into() }]
        );
        assert_eq!(refusal(3, CreditError::PostponementDisabled)[0].field, "");
    }

    fn statuses_kinds_and_error_lines() {
        for (done, total, want) in [
            (0, 0, ImportStatus::Completed),
            (0, 5, ImportStatus::Queued),
            (1, 5, ImportStatus::Running),
            (4, 5, ImportStatus::Running),
            (5, 5, ImportStatus::Completed),
        ] {
            assert_eq!(ImportStatus::of_progress(done, total), want, "{done}/{total}");
        }
        for status in ImportStatus::ALL {
            assert_eq!(status.as_str().parse::<ImportStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("Done".parse::<ImportStatus>().is_err());
        for kind in ImportKind::ALL {
            assert_eq!(kind.as_str().parse::<ImportKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            let sample = read_file(kind, kind.sample()).unwrap();
            assert!(!sample.records.is_empty());
            for record in &sample.records {
                read_row(kind, record).unwrap();
            }
        }
        assert!("statements".parse::<ImportKind>().is_err());
        let error = RowError { line: 4, field: "email".into(), message: "=bad".into() };
        assert_eq!(error_cells(&error), ["4", "email", "'=bad"]);
    }

    fn guarded_cells_read_back_as_the_text_they_guarded() {
        use creditdesk_core::export::{read_text_cell, text_cell};
        for text in ["=cmd", "+1", "-2", "@x", "'quoted", "'=x", "''=x", "\t1", "plain", "",
                     " =1", "\u{a0}x", "＝1", "|x", ";x"] {
            assert_eq!(read_text_cell(&text_cell(text)), text, "{text:?}");
        }
        assert_eq!(read_text_cell("'plain"), "'plain");
    }

    fn import_options_and_the_history_page_are_read_from_the_query() {
        use creditdesk_core::import::{history_page, ImportMode, ImportOptions};
        let read = |query: &str| ImportOptions::from_query(ImportKind::Invoices, &common::pairs(query));
        let options = read("").unwrap();
        assert_eq!((options.mode, options.file_name.as_str()), (ImportMode::Apply, "invoices.csv"));
        let options = read("dryRun=true&fileName=May%20invoices.csv&other=1").unwrap();
        assert_eq!((options.mode, options.file_name.as_str()), (ImportMode::Preview, "May invoices.csv"));
        assert_eq!(read("dryRun=true&dryRun=false").unwrap().mode, ImportMode::Apply);
        assert_eq!(read("dryRun=true&dryRun=").unwrap().mode, ImportMode::Apply);
        assert_eq!(read("fileName=").unwrap().file_name, "invoices.csv");
        let fields = |query: &str| -> Vec<String> {
            read(query).unwrap_err().iter().map(|e| e.field.clone()).collect()
        };
        assert_eq!(fields("dryRun=yes"), ["dryRun"]);
        assert_eq!(fields(&format!("fileName={}", "x".repeat(256))), ["fileName"]);
        assert_eq!(read(&format!("fileName={}", "x".repeat(255))).unwrap().file_name.len(), 255);
        let page = history_page(&common::pairs("from=11&to=20")).unwrap();
        assert_eq!((page.offset(), page.size()), (10, 10));
        let page = history_page(&common::pairs("from=1&to=5&to=2")).unwrap();
        assert_eq!(page.size(), 2);
        assert_eq!(history_page(&[]).unwrap().offset(), 0);
        let errors = history_page(&common::pairs("from=0")).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().field, "from");
    }
}
