//! CSV exports: the columns of each export and the cells of each line, from the same views
//! the JSON API answers with — so a line says what the API says of the same thing.
//!
//! Rules (also in `docs/csv.md`):
//! - UTF-8, one header line, lines ended by CRLF (RFC 4180), quoting by the `csv` crate.
//! - Money as exact decimal text with two decimals (`-10.50`); times in ISO 8601 UTC, as the
//!   API writes them; an absent value is an empty cell.
//! - Text someone typed (order ids, emails, descriptions, observations, links, reasons) that
//!   begins with `=`, `+`, `-`, `@`, `'`, a tab or a carriage return gets a leading `'`
//!   ([`text_cell`]), so that no spreadsheet runs it as a formula. Our own figures (money,
//!   counts, ids, times) are never changed: a negative amount stays a number.
//! - A statement's lines carry the balance after each entry: the first starts from the
//!   window's previous balance and the last is its current balance (asserted).

use crate::wire::{AccountView, EntryView, InvoiceView, StatementView};

/// The invoice export's columns (`GET /api/creditdesk/exports/invoices.csv`).
pub const INVOICE_COLUMNS: [&str; 24] = [
    "id",
    "friendlyId",
    "accountId",
    "transactionId",
    "orderId",
    "installment",
    "numberOfInstallments",
    "status",
    "value",
    "paidValue",
    "writtenOffValue",
    "remainingValue",
    "interest",
    "interestTax",
    "amountDue",
    "createdAt",
    "originalDueDate",
    "dueDate",
    "resolvedAt",
    "updatedAt",
    "postponements",
    "postponedDays",
    "observation",
    "paymentLink",
];

/// The account export's columns (`GET /api/creditdesk/exports/accounts.csv`).
pub const ACCOUNT_COLUMNS: [&str; 15] = [
    "id",
    "document",
    "documentType",
    "email",
    "description",
    "status",
    "creditLimit",
    "tolerance",
    "balance",
    "preAuthorizedCredit",
    "availableCredit",
    "creditId",
    "companyId",
    "createdAt",
    "updatedAt",
];

/// The statement export's columns (`GET /api/creditdesk/accounts/{id}/statements.csv`).
pub const STATEMENT_COLUMNS: [&str; 12] = [
    "date",
    "kind",
    "origin",
    "value",
    "countsInBalance",
    "balanceAfter",
    "doneBy",
    "transactionId",
    "installment",
    "numberOfInstallments",
    "statementId",
    "reason",
];

/// Characters that make a spreadsheet read a cell as a formula when they begin it: the formula
/// signs and their fullwidth forms, `|` and `;` (DDE and separator tricks), and the white space
/// a spreadsheet may trim before it looks (space, no-break space, tab, carriage return).
const FORMULA_STARTS: [char; 14] = [
    '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '|', ';', ' ', '\u{A0}',
    '\t', '\r',
];

/// `text` as a cell no spreadsheet reads as a formula: a leading `'` when it begins with one
/// of [`FORMULA_STARTS`] — or with `'` itself, so that [`read_text_cell`] gives back any text
/// exactly; otherwise as it is.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) || text.starts_with('\'') {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A cell as [`text_cell`] wrote it read back: the leading `'` dropped when a formula start or
/// another `'` follows it (an import of an edited export gets the text the export guarded).
pub fn read_text_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

fn optional_text(text: Option<&str>) -> String {
    text.map(text_cell).unwrap_or_default()
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One line of the invoice export.
pub fn invoice_cells(invoice: &InvoiceView) -> Vec<String> {
    vec![
        invoice.id.clone(),
        invoice.friendly_id.clone(),
        invoice.account_id.clone(),
        invoice.transaction_id.clone(),
        text_cell(&invoice.order_id),
        invoice.installment.to_string(),
        invoice.number_of_installments.to_string(),
        invoice.status.as_str().to_owned(),
        invoice.value.to_string(),
        invoice.paid_value.to_string(),
        invoice.written_off_value.to_string(),
        invoice.remaining_value.to_string(),
        invoice.interest.to_string(),
        invoice.interest_tax.to_string(),
        invoice.amount_due.to_string(),
        invoice.created_at.to_string(),
        invoice.original_due_date.to_string(),
        invoice.due_date.to_string(),
        optional(invoice.resolved_at),
        invoice.updated_at.to_string(),
        invoice.postponements.to_string(),
        invoice.postponed_days.to_string(),
        optional_text(invoice.observation.as_deref()),
        optional_text(invoice.payment_link.as_deref()),
    ]
}

/// One line of the account export.
pub fn account_cells(account: &AccountView) -> Vec<String> {
    vec![
        account.id.clone(),
        text_cell(&account.document),
        account.document_type.clone(),
        text_cell(&account.email),
        text_cell(&account.description),
        account.status.as_str().to_owned(),
        account.credit_limit.to_string(),
        account.tolerance.to_string(),
        account.balance.to_string(),
        account.pre_authorized_credit.to_string(),
        account.available_credit.to_string(),
        optional(account.credit_id.map(|c| c.get())),
        optional(account.company_id.map(|c| c.get())),
        account.created_at.to_string(),
        account.updated_at.to_string(),
    ]
}

fn entry_cells(entry: &EntryView, balance_after_minor: i64) -> Vec<String> {
    let metadata = &entry.metadata;
    vec![
        entry.date.to_string(),
        entry.kind.as_str().to_owned(),
        entry.origin.as_str().to_owned(),
        entry.value.to_string(),
        entry.counts_in_balance.to_string(),
        crate::money::Money::saturating_from_minor(balance_after_minor).to_string(),
        text_cell(&entry.doneby),
        optional(metadata.transaction_id.as_deref()),
        optional(metadata.installment),
        optional(metadata.number_of_installments),
        optional(metadata.statement_id.as_deref()),
        optional_text(metadata.reason.as_deref()),
    ]
}

/// The lines of a statement's export, each entry with the balance after it.
pub fn statement_cells(statement: &StatementView) -> Vec<Vec<String>> {
    let mut balance_minor = statement.previous_balance.minor();
    let lines = statement
        .statements
        .iter()
        .map(|entry| {
            if entry.counts_in_balance {
                balance_minor = balance_minor.saturating_add(entry.value.minor());
            }
            entry_cells(entry, balance_minor)
        })
        .collect();
    assert_eq!(
        balance_minor,
        statement.current_balance.minor(),
        "a statement's entries lead from its previous balance to its current one"
    );
    lines
}

/// `cells` as one CSV line (quoted where needed, ended by CRLF).
pub fn line<S: AsRef<str>>(cells: &[S]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(AsRef::as_ref))
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}
