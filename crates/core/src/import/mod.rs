//! CSV imports: a file's rows read as it arrives ([`FileReader`]: header line, UTF-8 byte order
//! mark, CRLF or LF, empty lines, RFC 4180 quoting), and each row read into the command the JSON API's
//! own readers make of the same fields, so an import refuses exactly what the API refuses.
//!
//! Two kinds (also in `docs/csv.md`):
//! - **accounts**: `document, documentType, email, creditLimit, tolerance, description` (and
//!   `companyId`); each row creates the account or updates it, as `PUT /accounts/{id}` does.
//! - **invoices**: `accountId, id, status, observation, paymentLink` — the invoice export's own
//!   columns, so an export edited in a spreadsheet imports back; each row is what
//!   `PUT /accounts/{accountId}/invoices/{id}` does with the same body. A row may add
//!   `paymentValue` and `paymentReference`: a part payment, as `POST …/payments` makes it, made
//!   once per reference (see [`apply`]).
//!
//! Columns an import does not read are ignored and listed on the job. A cell is a string field;
//! an empty cell is an absent field. A cell the export guarded against spreadsheets (`'=x`)
//! reads as what it guarded (`=x`, see [`crate::export::text_cell`]). Applying a row twice
//! changes nothing the second time: an upsert of the same values, an invoice already in the
//! status asked.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::book::{Book, Ctx};
use crate::commands::{ChangeInvoice, OpenAccount, Pay, UpsertAccount};
use crate::credit::{CreditKind, PaymentLocators};
use crate::error::CreditError;
use crate::ids::{AccountId, InvoiceId};
use crate::invoice::InvoiceStatus;
use crate::reads::Reads;
use crate::validation::{FieldError, ValidationErrors};

mod file;
pub use file::{
    read_file, FileReader, FileSummary, ImportFile, ImportRecord, IMPORT_LINE_BYTES_MAX,
};

/// Largest import body, in bytes (50 MiB).
pub const IMPORT_BYTES_MAX: u32 = 52_428_800;
/// Most rows (lines after the header) in one import.
pub const IMPORT_ROWS_MAX: u32 = 200_000;
/// Most columns in an import's header.
pub const IMPORT_COLUMNS_MAX: u32 = 64;

/// What an import writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportKind {
    Accounts,
    Invoices,
}

impl ImportKind {
    pub const ALL: [ImportKind; 2] = [ImportKind::Accounts, ImportKind::Invoices];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Accounts => "accounts",
            ImportKind::Invoices => "invoices",
        }
    }

    /// The columns this kind reads; the first `required` of them must be in the header.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Accounts => ACCOUNT_IMPORT_COLUMNS,
            ImportKind::Invoices => &INVOICE_IMPORT_COLUMNS,
        }
    }

    /// How many of [`ImportKind::columns`] (the first ones) a header must have.
    fn required(self) -> usize {
        match self {
            ImportKind::Accounts => 4,
            ImportKind::Invoices => 3,
        }
    }

    /// A small file of this kind, for the docs and the admin's "sample" download.
    pub fn sample(self) -> &'static str {
        match self {
            ImportKind::Accounts => {
                "document,documentType,email,creditLimit,tolerance,description\r\n\
                 12345678900,CPF,ana+store@example.com,1500.00,0.1,Ana's shop\r\n\
                 98765432100,CPF,bruno_silva@example.com,800,,\r\n"
            }
            ImportKind::Invoices => {
                "accountId,id,status,observation,paymentValue,paymentReference\r\n\
                 12345678900_CPF,0123456789ABCDEF0123456789ABCDEF-01,Paid,paid by transfer,,\r\n\
                 12345678900_CPF,0123456789ABCDEF0123456789ABCDEF-02,Opened,,250.00,TED 0042\r\n"
            }
        }
    }
}

impl std::str::FromStr for ImportKind {
    type Err = String;

    fn from_str(text: &str) -> Result<ImportKind, String> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| format!("must be one of accounts, invoices (not {text:?})"))
    }
}

/// The account import's columns: the account body's fields (`document` to `creditLimit`
/// required).
pub const ACCOUNT_IMPORT_COLUMNS: &[&str] = crate::commands::ACCOUNT_FIELDS;

/// The invoice import's columns: `accountId`, `id` and `status` required.
pub const INVOICE_IMPORT_COLUMNS: [&str; 7] = [
    "accountId",
    "id",
    "status",
    "observation",
    "paymentLink",
    "paymentValue",
    "paymentReference",
];

/// A payment row's columns and the fields of the payment body (`Pay`) they are read as.
const PAYMENT_COLUMNS: [(&str, &str); 2] =
    [("paymentValue", "value"), ("paymentReference", "reference")];

/// A row's error: its line, the column at fault (empty when it is not one column's) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u32,
    pub field: String,
    pub message: String,
}

impl RowError {
    fn new(line: u32, error: FieldError) -> RowError {
        RowError {
            line,
            field: error.field,
            message: error.message,
        }
    }
}

/// An account import's row: the account it writes and the upsert it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: AccountId,
    pub upsert: UpsertAccount,
}

/// An invoice import's row: the invoice and the change (as `PUT` the invoice), or a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub account: AccountId,
    pub invoice: InvoiceId,
    pub change: ChangeInvoice,
    /// `paymentValue` and `paymentReference` (both given): a payment of that value under that
    /// reference. Its row's `status` is `Opened`, the export's own for an open invoice: the
    /// payment, not the cell, makes the invoice `Paid` when it pays all that is left.
    pub payment: Option<Pay>,
}

/// A row read as its kind's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRow {
    Account(AccountRow),
    Invoice(InvoiceRow),
}

impl ImportRow {
    /// The account the row writes.
    pub fn account(&self) -> &AccountId {
        match self {
            ImportRow::Account(row) => &row.id,
            ImportRow::Invoice(row) => &row.account,
        }
    }

    /// What [`apply`] reads of the account: what the API's upsert or invoice change reads.
    pub fn reads(&self) -> Reads {
        match self {
            ImportRow::Account(_) => Reads::account(),
            ImportRow::Invoice(row) => Reads::invoice_credits(&row.invoice),
        }
    }
}

/// `record` read as a row of `kind` by the API's own readers (`POST /accounts` then
/// `PUT /accounts/{id}`; `PUT` an invoice); every bad field as a [`RowError`] of its line.
pub fn read_row(kind: ImportKind, record: &ImportRecord) -> Result<ImportRow, Vec<RowError>> {
    let body = Value::Object(record.fields.clone());
    let row = match kind {
        ImportKind::Accounts => OpenAccount::from_json(&body).and_then(|open| {
            let id = open.account_id();
            let upsert = UpsertAccount::from_json(&body, &id)?;
            Ok(ImportRow::Account(AccountRow { id, upsert }))
        }),
        ImportKind::Invoices => read_invoice_row(&body),
    };
    row.map_err(|errors| row_errors(record.line, errors))
}

fn read_invoice_row(body: &Value) -> Result<ImportRow, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut id_of = |field: &str| match body.get(field).and_then(Value::as_str) {
        None => {
            errors.push(field, "is required");
            None
        }
        Some(text) => Some(text.to_owned()),
    };
    let (account, invoice) = (id_of("accountId"), id_of("id"));
    let account = account.and_then(|text| match text.parse::<AccountId>() {
        Ok(id) => Some(id),
        Err(why) => {
            errors.push("accountId", why.to_string());
            None
        }
    });
    let invoice = invoice.and_then(|text| match text.parse::<InvoiceId>() {
        Ok(id) => Some(id),
        Err(why) => {
            errors.push("id", why.to_string());
            None
        }
    });
    let mut change_body = body.clone();
    if let Some(fields) = change_body.as_object_mut() {
        fields.retain(|name, _| ChangeInvoice::FIELDS.contains(&name.as_str()));
    }
    let change = match ChangeInvoice::from_json(&change_body) {
        Ok(change) => Some(change),
        Err(more) => {
            push_as_columns(&mut errors, more);
            None
        }
    };
    let payment = read_payment(body, change.as_ref(), &mut errors);
    match (account, invoice, change, payment) {
        // Every error above left its part `None`.
        (Some(account), Some(invoice), Some(change), Some(payment)) => {
            Ok(ImportRow::Invoice(InvoiceRow {
                account,
                invoice,
                change,
                payment,
            }))
        }
        _ => Err(errors),
    }
}

/// A row's payment (`Some(None)`: the row has none), read by the payment body's reader with the
/// columns' names; both columns or neither, and a payment row's status `Opened`.
fn read_payment(
    body: &Value,
    change: Option<&ChangeInvoice>,
    errors: &mut ValidationErrors,
) -> Option<Option<Pay>> {
    let cell = |column: &str| body.get(column).cloned();
    let [(value_column, value_field), (reference_column, reference_field)] = PAYMENT_COLUMNS;
    let (value, reference) = match (cell(value_column), cell(reference_column)) {
        (None, None) => return Some(None),
        (Some(_), None) => {
            errors.push(
                reference_column,
                "is required with paymentValue: it names the payment, so that applying the \
                 file again does not pay twice",
            );
            return None;
        }
        (None, Some(_)) => {
            errors.push(value_column, "is required with paymentReference");
            return None;
        }
        (Some(value), Some(reference)) => (value, reference),
    };
    let mut fine = true;
    if change.is_some_and(|c| c.status != InvoiceStatus::Opened) {
        errors.push(
            "status",
            "must be Opened (as exported) on a row with a paymentValue: the payment makes the \
             invoice Paid when it pays all that is left",
        );
        fine = false;
    }
    let pay_body = serde_json::json!({ value_field: value, reference_field: reference });
    match Pay::from_json(&pay_body) {
        Ok(pay) => fine.then_some(Some(pay)),
        Err(more) => {
            push_as_columns(errors, more);
            None
        }
    }
}

/// Adds `more` (a body reader's errors) to `errors` under the row's column names: a payment
/// body's field as its column (`value` → `paymentValue`), the others as they are.
fn push_as_columns(errors: &mut ValidationErrors, more: ValidationErrors) {
    for error in more.into_vec() {
        let column = PAYMENT_COLUMNS
            .iter()
            .find(|(_, field)| *field == error.field)
            .map_or(error.field.as_str(), |(column, _)| column);
        errors.push(column, error.message);
    }
}

/// `errors` as the errors of line `line`.
pub fn row_errors(line: u32, errors: ValidationErrors) -> Vec<RowError> {
    errors
        .into_vec()
        .into_iter()
        .map(|e| RowError::new(line, e))
        .collect()
}

/// The column a refusal of the book is about, for a row's error.
fn refused_column(error: &CreditError) -> &'static str {
    match error {
        CreditError::AccountNotFound(_) => "accountId",
        CreditError::InvoiceNotFound(_) => "id",
        CreditError::InvoiceStatus { .. } => "status",
        _ => "",
    }
}

/// A refusal of the book as the errors of line `line`.
pub fn refusal(line: u32, error: CreditError) -> Vec<RowError> {
    match error {
        CreditError::Invalid(errors) => row_errors(line, errors),
        other => vec![RowError {
            line,
            field: refused_column(&other).to_owned(),
            message: other.to_string(),
        }],
    }
}

/// Applies `row` to its account's slot (`None`: no such account) as the API would: an account
/// row upserts (creating the account when it is not there), an invoice row changes the invoice.
/// A payment row pays (as `POST …/payments` with its value and reference) unless the invoice
/// already has a payment under its reference — posted or reversed: a row is applied once,
/// whether its job resumes after a stop or the same file is applied again — then sets the
/// observation and payment link; its status (`Opened`) reopens nothing.
pub fn apply(
    slot: &mut Option<Book>,
    row: &ImportRow,
    locators: &PaymentLocators,
    ctx: &Ctx,
) -> Result<(), CreditError> {
    match row {
        ImportRow::Account(row) => {
            crate::ops::upsert(slot, &row.id, &row.upsert, ctx);
            Ok(())
        }
        ImportRow::Invoice(row) => {
            let book = slot
                .as_mut()
                .ok_or_else(|| CreditError::AccountNotFound(row.account.clone()))?;
            let Some(payment) = &row.payment else {
                return book
                    .change_invoice(&row.invoice, &row.change, locators, ctx)
                    .map(|_| ());
            };
            if !has_payment(book, &row.invoice, payment.reference.as_deref()) {
                book.pay(&row.invoice, payment, locators, ctx)
                    .map_err(payment_refusal)?;
            }
            // The invoice is there: paid just now, or paid before under this reference.
            let status = book
                .invoices
                .iter()
                .find(|invoice| invoice.id == row.invoice)
                .map_or(InvoiceStatus::Opened, |invoice| invoice.status);
            let change = ChangeInvoice {
                status,
                ..row.change.clone()
            };
            book.change_invoice(&row.invoice, &change, locators, ctx)
                .map(|_| ())
        }
    }
}

/// Whether `invoice` has a payment (posted or reversed) under `reference`.
fn has_payment(book: &Book, invoice: &InvoiceId, reference: Option<&str>) -> bool {
    book.credits.iter().any(|credit| {
        credit.invoice_id == *invoice
            && credit.kind == CreditKind::Payment
            && credit.reference.as_deref() == reference
    })
}

/// A payment's refusal with the fields of its body named as the row's columns.
fn payment_refusal(error: CreditError) -> CreditError {
    match error {
        CreditError::Invalid(errors) => {
            let mut renamed = ValidationErrors::new();
            push_as_columns(&mut renamed, errors);
            CreditError::Invalid(renamed)
        }
        other => other,
    }
}

/// Where an import job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportStatus {
    /// Accepted, no row handled yet.
    Queued,
    /// Rows being handled (`rowsDone` of `rowsTotal`).
    Running,
    /// Every row handled: the good ones written (or, for a preview, checked).
    Completed,
}

impl ImportStatus {
    pub const ALL: [ImportStatus; 3] = [
        ImportStatus::Queued,
        ImportStatus::Running,
        ImportStatus::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Queued => "Queued",
            ImportStatus::Running => "Running",
            ImportStatus::Completed => "Completed",
        }
    }

    /// Where a job stands with `done` of `total` rows handled.
    pub fn of_progress(done: u32, total: u32) -> ImportStatus {
        match done {
            _ if done >= total => ImportStatus::Completed,
            0 => ImportStatus::Queued,
            _ => ImportStatus::Running,
        }
    }
}

impl std::str::FromStr for ImportStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<ImportStatus, String> {
        ImportStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("must be one of Queued, Running, Completed (not {text:?})"))
    }
}

/// What an import's errors are downloaded as (`GET /imports/{id}/errors.csv`).
pub const ERROR_COLUMNS: [&str; 3] = ["line", "field", "message"];

/// One line of an import's error file.
pub fn error_cells(error: &RowError) -> Vec<String> {
    vec![
        error.line.to_string(),
        error.field.clone(),
        crate::export::text_cell(&error.message),
    ]
}

/// Most errors an import's view lists (all are in its error file).
pub const ERRORS_LISTED_MAX: u32 = 100;

/// An import job as the API shows it (`POST /imports/…`, `GET /imports/{id}`, the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    pub id: String,
    pub kind: ImportKind,
    pub status: ImportStatus,
    /// A preview: every row checked against the books as they are, nothing written.
    pub dry_run: bool,
    pub file_name: String,
    /// The key that sent the file.
    pub created_by: String,
    pub created_at: crate::Timestamp,
    pub finished_at: Option<crate::Timestamp>,
    pub rows_total: u32,
    pub rows_done: u32,
    pub rows_failed: u32,
    /// Header columns the import does not read (ignored).
    pub ignored_columns: Vec<String>,
    /// The first [`ERRORS_LISTED_MAX`] errors, by line.
    pub errors: Vec<RowError>,
}

/// Whether an import writes its rows or only previews them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Apply,
    /// `dryRun=true`: each row tried on its account as it is, nothing written.
    Preview,
}

/// Most characters of an import's file name.
pub const FILE_NAME_CHARS_MAX: u32 = 255;

/// What a `POST /imports/{kind}` asks beside its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// As the history shows it (`fileName`; `{kind}.csv` when not given).
    pub file_name: String,
}

impl ImportOptions {
    /// `dryRun=true|false` and `fileName` (the last given counts; other parameters ignored).
    pub fn from_query(
        kind: ImportKind,
        params: &[(String, String)],
    ) -> Result<ImportOptions, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut options = ImportOptions {
            mode: ImportMode::Apply,
            file_name: format!("{}.csv", kind.as_str()),
        };
        for (key, value) in params {
            match (key.as_str(), value.as_str()) {
                ("dryRun", "true") => options.mode = ImportMode::Preview,
                ("dryRun", "false" | "") => options.mode = ImportMode::Apply,
                ("dryRun", _) => errors.push("dryRun", "must be true or false"),
                ("fileName", "") => {}
                ("fileName", name) => {
                    let rule = crate::text::TextRule::new(
                        crate::text::TextKind::Line,
                        FILE_NAME_CHARS_MAX,
                    );
                    match crate::text::check(name, rule) {
                        Ok(()) => options.file_name = name.to_owned(),
                        Err(why) => errors.push("fileName", why.to_string()),
                    }
                }
                _ => {}
            }
        }
        errors.into_result(options)
    }
}

/// The page of the import history a query asks (`from`, `to`: 1-based, as the searches read
/// them).
pub fn history_page(params: &[(String, String)]) -> Result<crate::search::Page, ValidationErrors> {
    let value = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut errors = ValidationErrors::new();
    let page = crate::search::Page::read(value("from"), value("to"), &mut errors);
    errors.into_result(page)
}
