//! Accounts as core's [`Book`]s: loaded with what the command's [`Reads`] name, changed by core,
//! written back as a diff — plain functions over an [`engine::Tx`](super::engine::Tx), the same
//! SQL on both engines.
//!
//! Every command on one account runs one at a time, across threads and server processes: its
//! lane's writer (`db::commit`) runs it in a write transaction — SQLite holds the file's write
//! lock (`BEGIN IMMEDIATE`), PostgreSQL locks the account row (`SELECT … FOR UPDATE`).

use std::collections::BTreeMap;

use creditdesk_core::account::{Account, Holder};
use creditdesk_core::book::Book;
use creditdesk_core::company::{CompanyId, CompanyTerms, CreditId, ExceedLimit, OperationType};
use creditdesk_core::credit::{Credit, CreditKind, CreditLocator, Reversal};
use creditdesk_core::ids::{AccountId, InvoiceId};
use creditdesk_core::interest::ChargedInterest;
use creditdesk_core::invoice::{Invoice, InvoiceStatus};
use creditdesk_core::ledger::{Entry, EntryKind};
use creditdesk_core::search::fold;
use creditdesk_core::transaction::Transaction;
use creditdesk_core::CreditError;
use creditdesk_core::{Money, Timestamp};
use sqlx::FromRow;

use super::engine::{Arg, Tx};
use super::outbox::OutboxRow;
use super::Db;
use super::StorageError;

pub use creditdesk_core::reads::{Read, Reads, TRANSACTIONS_LISTED_MAX};

#[derive(FromRow)]
pub(crate) struct AccountRow {
    id: String,
    document: String,
    document_type: String,
    email: Option<String>,
    description: Option<String>,
    credit_limit_minor: i64,
    tolerance: String,
    status: String,
    balance_minor: i64,
    created_at_us: i64,
    updated_at_us: i64,
    credit_id: i64,
    company_id: i64,
    currency_code: Option<String>,
    exceed_limit: bool,
    credit_comment: Option<String>,
}

/// The account row as a write locks it, with what its holds reserve — and, where the engine
/// allows it in the same statement ([`Tx::subquery_sees_the_lock`]), what of that its command
/// does not count ([`not_held_sql`]).
#[derive(FromRow)]
struct LockedAccount {
    #[sqlx(flatten)]
    account: AccountRow,
    reserved_minor: i64,
    #[sqlx(default)]
    not_held_minor: Option<i64>,
}

/// What of the account's reserved value (`$1`) a command at `$2` does not count as held
/// elsewhere: its holds past their time (few: the sweep expires them) and the one it names
/// (`$3`, loaded on its own). Two index range scans, not one `OR` (which PostgreSQL answers by
/// walking every reserved hold of the account).
fn not_held_sql() -> String {
    format!(
        "SELECT CAST(COALESCE(SUM(value_minor), 0) AS BIGINT) FROM (\
         SELECT value_minor FROM transactions WHERE account_id = $1 AND {} \
         UNION ALL \
         SELECT value_minor FROM transactions WHERE account_id = $1 AND id = $3 AND {}) AS n",
        super::expired_hold_sql("$2"),
        super::active_hold_sql(None, "$2"),
    )
}

/// In debug and test builds: the account's kept `reserved_minor` is the sum of its holds.
async fn check_reserved(tx: &mut Tx, id: &AccountId, kept: i64) -> Result<(), StorageError> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(value_minor), 0) AS BIGINT) FROM transactions \
         WHERE account_id = $1 AND {}",
        super::reserved_hold_sql(None)
    );
    let (summed,): (i64,) = tx.fetch_one(&sql, vec![id.as_str().into()]).await?;
    if summed == kept {
        return Ok(());
    }
    Err(StorageError::Broken {
        account: id.to_string(),
        when: "as loaded",
        why: format!("its holds reserve {summed} minor units, its row says {kept}"),
    })
}

/// An account with the sum of its active holds.
#[derive(FromRow)]
pub(crate) struct AccountWithHeld {
    #[sqlx(flatten)]
    pub(crate) account: AccountRow,
    pub(crate) held_minor: i64,
}

#[derive(FromRow)]
struct HolderRow {
    id: String,
    email: String,
    level: i16,
    created_at_us: i64,
}

#[derive(FromRow)]
struct TransactionRow {
    id: String,
    account_id: String,
    order_id: String,
    value_minor: i64,
    original_value_minor: i64,
    installments: i32,
    settle: bool,
    status: String,
    expires_at_us: i64,
    created_at_us: i64,
    updated_at_us: i64,
    settled_value_minor: i64,
    refunded_value_minor: i64,
    settled_at_us: Option<i64>,
}

#[derive(FromRow)]
pub(crate) struct InvoiceRow {
    id: String,
    friendly_id: String,
    account_id: String,
    transaction_id: String,
    order_id: String,
    installment: i32,
    number_of_installments: i32,
    value_minor: i64,
    credit_value_minor: i64,
    paid_minor: i64,
    written_off_minor: i64,
    interest_paid_minor: i64,
    interest_tax_paid_minor: i64,
    interest_through_us: Option<i64>,
    overdue_at_us: Option<i64>,
    status: String,
    created_at_us: i64,
    updated_at_us: i64,
    resolved_at_us: Option<i64>,
    original_due_date_us: i64,
    due_date_us: i64,
    postponements: i32,
    postponed_days: i32,
    observation: Option<String>,
    payment_link: Option<String>,
}

#[derive(FromRow)]
pub(super) struct EntryRow {
    account_id: String,
    kind: String,
    value_minor: i64,
    at_us: i64,
    actor: String,
    transaction_id: Option<String>,
    installment: Option<i32>,
    number_of_installments: Option<i32>,
    statement_id: Option<String>,
    reason: Option<String>,
    credit_locator: Option<String>,
    operation_type: Option<i32>,
    purchase_order: Option<String>,
}

/// An entry with its number in storage (the company-credit history's id).
#[derive(FromRow)]
struct NumberedEntryRow {
    seq: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
}

/// One account's entries in book order, each with its number in storage.
#[derive(Debug, Clone, Default)]
pub struct NumberedEntries {
    pub ids: Vec<i64>,
    pub entries: Vec<Entry>,
}

#[derive(FromRow)]
pub(crate) struct CreditRow {
    locator: String,
    account_id: String,
    invoice_id: String,
    kind: String,
    amount_minor: i64,
    reference: Option<String>,
    reason: Option<String>,
    parent_locator: Option<String>,
    created_at_us: i64,
    actor: String,
    reversal_reason: Option<String>,
    reversed_at_us: Option<i64>,
    reversed_by: Option<String>,
    interest_minor: Option<i64>,
    interest_tax_minor: Option<i64>,
    interest_from_us: Option<i64>,
    interest_through_us: Option<i64>,
}

pub(crate) const CREDIT_COLUMNS: &str = "locator, account_id, invoice_id, kind, amount_minor, \
     reference, reason, parent_locator, created_at_us, actor, reversal_reason, reversed_at_us, \
     reversed_by, interest_minor, interest_tax_minor, interest_from_us, interest_through_us";

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, document, document_type, email, description, credit_limit_minor, tolerance, \
     status, balance_minor, created_at_us, updated_at_us, credit_id, company_id, currency_code, \
     exceed_limit, credit_comment";
const TRANSACTION_COLUMNS: &str = "id, account_id, order_id, value_minor, original_value_minor, installments, settle, \
     status, expires_at_us, created_at_us, updated_at_us, settled_value_minor, refunded_value_minor, settled_at_us";
pub(crate) const INVOICE_COLUMNS: &str = "id, friendly_id, account_id, transaction_id, order_id, installment, \
     number_of_installments, value_minor, credit_value_minor, paid_minor, written_off_minor, interest_paid_minor, \
     interest_tax_paid_minor, interest_through_us, overdue_at_us, status, created_at_us, updated_at_us, resolved_at_us, \
     original_due_date_us, due_date_us, postponements, postponed_days, observation, payment_link";
pub(super) const ENTRY_COLUMNS: &str =
    "account_id, kind, value_minor, at_us, actor, transaction_id, installment, \
     number_of_installments, statement_id, reason, credit_locator, operation_type, purchase_order";

fn money(minor: i64) -> Result<Money, StorageError> {
    Money::from_minor(minor).map_err(|e| StorageError::corrupt(format!("amount {minor}: {e}")))
}

pub(super) fn time(us: i64) -> Result<Timestamp, StorageError> {
    Timestamp::from_unix_micros(us).map_err(|e| StorageError::corrupt(format!("time {us}: {e}")))
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, StorageError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| StorageError::corrupt(format!("{what} {text:?}: {e}")))
}

/// An account's number in the company-credit API, either kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByNumber {
    Credit(CreditId),
    Company(CompanyId),
}

/// A credit or company id as stored.
fn number<T: TryFrom<u32>>(n: i64, what: &str) -> Result<T, StorageError> {
    u32::try_from(n)
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| StorageError::corrupt(format!("{what} {n} out of range")))
}

fn small(n: i32) -> Result<u16, StorageError> {
    u16::try_from(n).map_err(|_| StorageError::corrupt(format!("count {n} out of range")))
}

impl AccountRow {
    pub(crate) fn into_account(self) -> Result<Account, StorageError> {
        Ok(Account {
            id: parse(&self.id, "account id")?,
            document: parse(&self.document, "document")?,
            document_type: parse(&self.document_type, "document type")?,
            email: self
                .email
                .as_deref()
                .map(|e| parse(e, "email"))
                .transpose()?,
            description: self.description,
            credit_limit: money(self.credit_limit_minor)?,
            tolerance: parse(&self.tolerance, "tolerance")?,
            status: parse(&self.status, "account status")?,
            balance: money(self.balance_minor)?,
            created_at: time(self.created_at_us)?,
            updated_at: time(self.updated_at_us)?,
            company: CompanyTerms {
                credit_id: Some(number(self.credit_id, "credit id")?),
                company_id: Some(number(self.company_id, "company id")?),
                currency: self
                    .currency_code
                    .as_deref()
                    .map(|c| parse(c, "currency code"))
                    .transpose()?,
                exceed_limit: ExceedLimit::from_flag(self.exceed_limit),
                comment: self.credit_comment,
            },
        })
    }
}

impl TransactionRow {
    fn into_transaction(self) -> Result<Transaction, StorageError> {
        Ok(Transaction {
            id: parse(&self.id, "transaction id")?,
            account_id: parse(&self.account_id, "account id")?,
            order_id: self.order_id,
            value: money(self.value_minor)?,
            original_value: money(self.original_value_minor)?,
            installments: small(self.installments)?,
            settle: self.settle,
            status: parse(&self.status, "transaction status")?,
            expires_at: time(self.expires_at_us)?,
            created_at: time(self.created_at_us)?,
            updated_at: time(self.updated_at_us)?,
            settled_value: money(self.settled_value_minor)?,
            refunded_value: money(self.refunded_value_minor)?,
            settled_at: self.settled_at_us.map(time).transpose()?,
        })
    }
}

impl InvoiceRow {
    pub(crate) fn into_invoice(self) -> Result<Invoice, StorageError> {
        Ok(Invoice {
            id: parse(&self.id, "invoice id")?,
            friendly_id: parse(&self.friendly_id, "friendly id")?,
            account_id: parse(&self.account_id, "account id")?,
            transaction_id: parse(&self.transaction_id, "transaction id")?,
            order_id: self.order_id,
            installment: small(self.installment)?,
            number_of_installments: small(self.number_of_installments)?,
            value: money(self.value_minor)?,
            credit_value: money(self.credit_value_minor)?,
            paid_value: money(self.paid_minor)?,
            written_off_value: money(self.written_off_minor)?,
            interest_paid_value: money(self.interest_paid_minor)?,
            interest_tax_paid_value: money(self.interest_tax_paid_minor)?,
            interest_through: self.interest_through_us.map(time).transpose()?,
            overdue_at: self.overdue_at_us.map(time).transpose()?,
            status: parse(&self.status, "invoice status")?,
            created_at: time(self.created_at_us)?,
            updated_at: time(self.updated_at_us)?,
            resolved_at: self.resolved_at_us.map(time).transpose()?,
            original_due_date: time(self.original_due_date_us)?,
            due_date: time(self.due_date_us)?,
            postponements: small(self.postponements)?,
            postponed_days: small(self.postponed_days)?,
            observation: self.observation,
            payment_link: self.payment_link,
        })
    }
}

impl HolderRow {
    fn into_holder(self) -> Result<Holder, StorageError> {
        Ok(Holder {
            id: parse(&self.id, "holder id")?,
            email: parse(&self.email, "email")?,
            level: u8::try_from(self.level)
                .map_err(|_| StorageError::corrupt(format!("holder level {}", self.level)))?,
            created_at: time(self.created_at_us)?,
        })
    }
}

impl EntryRow {
    pub(super) fn into_entry(self) -> Result<Entry, StorageError> {
        Ok(Entry {
            account_id: parse(&self.account_id, "account id")?,
            kind: EntryKind::from_name(&self.kind)
                .ok_or_else(|| StorageError::corrupt(format!("entry kind {:?}", self.kind)))?,
            value: money(self.value_minor)?,
            at: time(self.at_us)?,
            actor: parse(&self.actor, "actor")?,
            transaction_id: self
                .transaction_id
                .as_deref()
                .map(|t| parse(t, "transaction id"))
                .transpose()?,
            installment: self.installment.map(small).transpose()?,
            number_of_installments: self.number_of_installments.map(small).transpose()?,
            statement_id: self
                .statement_id
                .as_deref()
                .map(|s| parse(s, "statement id"))
                .transpose()?,
            reason: self.reason,
            operation: self
                .operation_type
                .map(|code| {
                    u8::try_from(code)
                        .ok()
                        .and_then(OperationType::from_code)
                        .ok_or_else(|| StorageError::corrupt(format!("operation type {code}")))
                })
                .transpose()?,
            purchase_order: self.purchase_order,
            credit: self
                .credit_locator
                .as_deref()
                .map(|c| parse(c, "credit locator"))
                .transpose()?,
        })
    }
}

impl CreditRow {
    pub(crate) fn into_credit(self) -> Result<Credit, StorageError> {
        let reversal = match (self.reversal_reason, self.reversed_at_us, self.reversed_by) {
            (Some(reason), Some(at), Some(actor)) => Some(Reversal {
                reason,
                at: time(at)?,
                actor: parse(&actor, "actor")?,
            }),
            (None, None, None) => None,
            _ => {
                return Err(StorageError::corrupt(format!(
                    "credit {} half reversed",
                    self.locator
                )))
            }
        };
        let interest = match (
            self.interest_minor,
            self.interest_tax_minor,
            self.interest_through_us,
        ) {
            (Some(interest), Some(tax), Some(through)) => Some(ChargedInterest {
                interest: money(interest)?,
                tax: money(tax)?,
                from: self.interest_from_us.map(time).transpose()?,
                through: time(through)?,
            }),
            (None, None, None) if self.interest_from_us.is_none() => None,
            _ => {
                return Err(StorageError::corrupt(format!(
                    "credit {} has part of its interest",
                    self.locator
                )))
            }
        };
        Ok(Credit {
            interest,
            locator: parse(&self.locator, "credit locator")?,
            kind: CreditKind::from_name(&self.kind)
                .ok_or_else(|| StorageError::corrupt(format!("credit kind {:?}", self.kind)))?,
            account_id: parse(&self.account_id, "account id")?,
            invoice_id: parse(&self.invoice_id, "invoice id")?,
            amount: money(self.amount_minor)?,
            reference: self.reference,
            reason: self.reason,
            parent: self
                .parent_locator
                .as_deref()
                .map(|p| parse(p, "credit locator"))
                .transpose()?,
            created_at: time(self.created_at_us)?,
            actor: parse(&self.actor, "actor")?,
            reversal,
        })
    }
}

/// Loads the account `id` with what `reads` name; `lock` is the engine's
/// [`super::Pool::lock_clause`] in a write transaction, empty in a snapshot.
pub(super) async fn load(
    tx: &mut Tx,
    id: &AccountId,
    reads: &Reads,
    now: Timestamp,
    lock: &str,
) -> Result<Option<Book>, StorageError> {
    let account = || vec![Arg::from(id.as_str())];
    let named = reads.transaction().map(|t| t.as_str()).unwrap_or_default();
    let not_held_args = || vec![id.as_str().into(), now.unix_micros().into(), named.into()];
    // The active holds are not loaded (an account hot at checkout has thousands) but summed
    // into `held_elsewhere`: what the account's holds reserve, kept on its row, less what its
    // command does not count — in the locking statement where the engine allows it.
    let summed = !reads.has(&Read::RecentTransactions) && tx.subquery_sees_the_lock();
    let (sql, args) = if summed {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, reserved_minor, ({}) AS not_held_minor FROM accounts \
             WHERE id = $1{lock}",
            not_held_sql()
        );
        (sql, not_held_args())
    } else {
        let sql =
            format!("SELECT {ACCOUNT_COLUMNS}, reserved_minor FROM accounts WHERE id = $1{lock}");
        (sql, account())
    };
    let Some(row) = tx.fetch_optional::<LockedAccount>(&sql, args).await? else {
        return Ok(None);
    };
    let mut book = Book::new(row.account.into_account()?);
    if reads.has(&Read::RecentTransactions) {
        let sql = format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE account_id = $1 \
             ORDER BY created_at_us DESC, id DESC LIMIT {TRANSACTIONS_LISTED_MAX}"
        );
        add_transactions(&mut book, tx.fetch_all(&sql, account()).await?)?;
    } else {
        let not_held = match row.not_held_minor {
            Some(not_held) => not_held,
            // Read after the lock is held (see `Tx::subquery_sees_the_lock`).
            None => {
                tx.fetch_one::<(i64,)>(&not_held_sql(), not_held_args())
                    .await?
                    .0
            }
        };
        book.held_elsewhere = Money::saturating_from_minor(row.reserved_minor - not_held);
        if cfg!(debug_assertions) {
            check_reserved(tx, id, row.reserved_minor).await?;
        }
    }
    for read in reads.iter() {
        match read {
            Read::ExpiredHolds => {
                let sql = format!(
                    "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE account_id = $1 AND {}",
                    super::expired_hold_sql("$2")
                );
                let args = vec![id.as_str().into(), now.unix_micros().into()];
                add_transactions(&mut book, tx.fetch_all(&sql, args).await?)?;
            }
            Read::Transaction(transaction) => {
                let sql = format!(
                    "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE id = $1 AND account_id = $2"
                );
                let args = vec![transaction.as_str().into(), id.as_str().into()];
                add_transactions(&mut book, tx.fetch_all(&sql, args).await?)?;
            }
            Read::TransactionInvoices(transaction) => {
                let sql = format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices WHERE transaction_id = $1 \
                     AND account_id = $2 ORDER BY installment"
                );
                let args = vec![transaction.as_str().into(), id.as_str().into()];
                add_invoices(&mut book, tx.fetch_all(&sql, args).await?)?;
            }
            Read::Invoice(invoice) => {
                let sql = format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1 AND account_id = $2"
                );
                let args = vec![invoice.as_str().into(), id.as_str().into()];
                add_invoices(&mut book, tx.fetch_all(&sql, args).await?)?;
            }
            Read::InvoiceCredits(invoice) => {
                let sql = format!(
                    "SELECT {CREDIT_COLUMNS} FROM credits WHERE account_id = $1 AND invoice_id = $2 \
                     ORDER BY locator"
                );
                let args = vec![id.as_str().into(), invoice.as_str().into()];
                let rows: Vec<CreditRow> = tx.fetch_all(&sql, args).await?;
                for row in rows {
                    book.credits.push(row.into_credit()?);
                }
            }
            Read::OpenInvoices => {
                let sql = format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices WHERE account_id = $1 AND status = 'Opened'"
                );
                add_invoices(&mut book, tx.fetch_all(&sql, account()).await?)?;
            }
            Read::OldestOpenInvoice => {
                let sql = format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices WHERE account_id = $1 AND status = 'Opened' \
                     ORDER BY due_date_us, {} LIMIT 1",
                    tx.in_byte_order("id")
                );
                add_invoices(&mut book, tx.fetch_all(&sql, account()).await?)?;
            }
            Read::NewlyOverdue => {
                let sql = format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices WHERE account_id = $1 AND status = 'Opened' \
                     AND overdue_at_us IS NULL AND due_date_us < $2"
                );
                let args = vec![id.as_str().into(), now.unix_micros().into()];
                add_invoices(&mut book, tx.fetch_all(&sql, args).await?)?;
            }
            Read::Holders => {
                let sql =
                    "SELECT id, email, level, created_at_us FROM holders WHERE account_id = $1 \
                           ORDER BY created_at_us, id";
                let rows: Vec<HolderRow> = tx.fetch_all(sql, account()).await?;
                book.holders = rows
                    .into_iter()
                    .map(HolderRow::into_holder)
                    .collect::<Result<_, StorageError>>()?;
            }
            Read::Entries => {
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM entries WHERE account_id = $1 ORDER BY at_us, seq"
                );
                let rows: Vec<EntryRow> = tx.fetch_all(&sql, account()).await?;
                book.entries = rows
                    .into_iter()
                    .map(EntryRow::into_entry)
                    .collect::<Result<_, StorageError>>()?;
            }
            Read::StatementEntry(statement_id) if !reads.has(&Read::Entries) => {
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM entries WHERE account_id = $1 AND statement_id = $2"
                );
                let args = vec![id.as_str().into(), statement_id.as_str().into()];
                let rows: Vec<EntryRow> = tx.fetch_all(&sql, args).await?;
                for row in rows {
                    book.entries.push(row.into_entry()?);
                }
            }
            Read::StatementEntry(_) | Read::RecentTransactions => {}
        }
    }
    Ok(Some(book))
}

/// `$13`: what the written holds change in the account's `reserved_minor`.
const INSERT_ACCOUNT: &str = "INSERT INTO accounts (id, document, document_type, email, \
     email_folded, description, credit_limit_minor, tolerance, status, balance_minor, \
     created_at_us, updated_at_us, credit_id, company_id, currency_code, exceed_limit, \
     credit_comment, reserved_minor) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
const UPDATE_ACCOUNT: &str = "UPDATE accounts SET document = $2, document_type = $3, email = $4, \
     email_folded = $5, description = $6, credit_limit_minor = $7, tolerance = $8, status = $9, \
     balance_minor = $10, created_at_us = $11, updated_at_us = $12, credit_id = $13, \
     company_id = $14, currency_code = $15, exceed_limit = $16, credit_comment = $17, \
     reserved_minor = reserved_minor + $18 WHERE id = $1";
const INSERT_HOLDER: &str =
    "INSERT INTO holders (id, account_id, email, level, created_at_us) VALUES ($1, $2, $3, $4, $5)";
const DELETE_HOLDER: &str = "DELETE FROM holders WHERE id = $1 AND account_id = $2";
const UPSERT_TRANSACTION: &str =
    "INSERT INTO transactions (id, account_id, order_id, value_minor, \
     original_value_minor, installments, settle, status, expires_at_us, created_at_us, \
     updated_at_us, settled_value_minor, refunded_value_minor, settled_at_us) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (account_id, id) DO UPDATE SET value_minor = excluded.value_minor, \
     installments = excluded.installments, settle = excluded.settle, status = excluded.status, \
     expires_at_us = excluded.expires_at_us, updated_at_us = excluded.updated_at_us, \
     settled_value_minor = excluded.settled_value_minor, \
     refunded_value_minor = excluded.refunded_value_minor, settled_at_us = excluded.settled_at_us";
const UPSERT_INVOICE: &str = "INSERT INTO invoices (id, friendly_id, account_id, transaction_id, \
     order_id, installment, number_of_installments, value_minor, credit_value_minor, paid_minor, \
     written_off_minor, status, created_at_us, updated_at_us, resolved_at_us, original_due_date_us, \
     due_date_us, postponements, postponed_days, observation, observation_folded, payment_link, \
     interest_paid_minor, interest_tax_paid_minor, interest_through_us, overdue_at_us) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
     $21, $22, $23, $24, $25, $26) \
     ON CONFLICT (account_id, id) DO UPDATE SET value_minor = excluded.value_minor, \
     credit_value_minor = excluded.credit_value_minor, paid_minor = excluded.paid_minor, \
     written_off_minor = excluded.written_off_minor, status = excluded.status, \
     interest_paid_minor = excluded.interest_paid_minor, \
     interest_tax_paid_minor = excluded.interest_tax_paid_minor, \
     interest_through_us = excluded.interest_through_us, overdue_at_us = excluded.overdue_at_us, \
     updated_at_us = excluded.updated_at_us, resolved_at_us = excluded.resolved_at_us, \
     due_date_us = excluded.due_date_us, postponements = excluded.postponements, \
     postponed_days = excluded.postponed_days, observation = excluded.observation, \
     observation_folded = excluded.observation_folded, payment_link = excluded.payment_link, \
     next_reminder_us = 0";

const ADD_INVOICE_TOTALS: &str = "INSERT INTO invoice_totals (shard, status, invoice_count, \
     value_minor) VALUES ($1, $2, $3, $4) ON CONFLICT (shard, status) DO UPDATE SET \
     invoice_count = invoice_totals.invoice_count + excluded.invoice_count, \
     value_minor = invoice_totals.value_minor + excluded.value_minor";

/// How many rows per status `invoice_totals` spreads its counts over.
pub const INVOICE_TOTALS_SHARDS: u32 = 16;

/// The `invoice_totals` shard an account's invoices are counted in (FNV-1a of its id): any
/// shard would be right — a total is the sum over all — this one spreads concurrent writers.
pub fn shard_of(account: &AccountId) -> i16 {
    let hash = account
        .as_str()
        .bytes()
        .fold(0x811c_9dc5_u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        });
    i16::try_from(hash % INVOICE_TOTALS_SHARDS).expect("fewer than 2^15 shards")
}

/// What a write changes in `invoice_totals`: count and value per status.
#[derive(Debug, Default)]
struct InvoiceTotals([(i64, i64); InvoiceStatus::ALL.len()]);

impl InvoiceTotals {
    fn add(&mut self, status: InvoiceStatus, count: i64, value_minor: i64) {
        let index = InvoiceStatus::ALL.iter().position(|s| *s == status);
        let slot = &mut self.0[index.expect("every status is in ALL")];
        slot.0 += count;
        slot.1 += value_minor;
    }

    fn changed(&self) -> impl Iterator<Item = (InvoiceStatus, i64, i64)> + '_ {
        InvoiceStatus::ALL
            .into_iter()
            .zip(self.0)
            .filter(|(_, delta)| *delta != (0, 0))
            .map(|(status, (count, value))| (status, count, value))
    }
}

fn account_args(a: &Account) -> Vec<Arg> {
    vec![
        a.id.as_str().into(),
        a.document.as_str().into(),
        a.document_type.as_str().into(),
        a.email.as_ref().map(|e| e.to_string()).into(),
        a.email.as_ref().map(|e| fold(e.as_str())).into(),
        a.description.as_deref().into(),
        a.credit_limit.minor().into(),
        a.tolerance.to_string().into(),
        a.status.as_str().into(),
        a.balance.minor().into(),
        a.created_at.unix_micros().into(),
        a.updated_at.unix_micros().into(),
        a.company.credit_id.map(|n| i64::from(n.get())).into(),
        a.company.company_id.map(|n| i64::from(n.get())).into(),
        a.company.currency.as_ref().map(|c| c.as_str()).into(),
        a.company.exceed_limit.allowed().into(),
        a.company.comment.as_deref().into(),
    ]
}

fn transaction_args(t: &Transaction) -> Vec<Arg> {
    vec![
        t.id.as_str().into(),
        t.account_id.as_str().into(),
        t.order_id.as_str().into(),
        t.value.minor().into(),
        t.original_value.minor().into(),
        i32::from(t.installments).into(),
        t.settle.into(),
        t.status.as_str().into(),
        t.expires_at.unix_micros().into(),
        t.created_at.unix_micros().into(),
        t.updated_at.unix_micros().into(),
        t.settled_value.minor().into(),
        t.refunded_value.minor().into(),
        t.settled_at.map(Timestamp::unix_micros).into(),
    ]
}

fn invoice_args(i: &Invoice) -> Vec<Arg> {
    vec![
        i.id.as_str().into(),
        i.friendly_id.as_str().into(),
        i.account_id.as_str().into(),
        i.transaction_id.as_str().into(),
        i.order_id.as_str().into(),
        i32::from(i.installment).into(),
        i32::from(i.number_of_installments).into(),
        i.value.minor().into(),
        i.credit_value.minor().into(),
        i.paid_value.minor().into(),
        i.written_off_value.minor().into(),
        i.status.as_str().into(),
        i.created_at.unix_micros().into(),
        i.updated_at.unix_micros().into(),
        i.resolved_at.map(Timestamp::unix_micros).into(),
        i.original_due_date.unix_micros().into(),
        i.due_date.unix_micros().into(),
        i32::from(i.postponements).into(),
        i32::from(i.postponed_days).into(),
        i.observation.as_deref().into(),
        i.observation.as_deref().map(fold).into(),
        i.payment_link.as_deref().into(),
        i.interest_paid_value.minor().into(),
        i.interest_tax_paid_value.minor().into(),
        i.interest_through.map(Timestamp::unix_micros).into(),
        i.overdue_at.map(Timestamp::unix_micros).into(),
    ]
}

fn entry_args(e: &Entry) -> Vec<Arg> {
    vec![
        e.account_id.as_str().into(),
        e.kind.as_str().into(),
        e.value.minor().into(),
        e.at.unix_micros().into(),
        e.actor.as_str().into(),
        e.transaction_id.as_ref().map(|t| t.to_string()).into(),
        e.installment.map(i32::from).into(),
        e.number_of_installments.map(i32::from).into(),
        e.statement_id.as_ref().map(|s| s.to_string()).into(),
        e.reason.as_deref().into(),
        e.credit.as_ref().map(|c| c.to_string()).into(),
        e.operation.map(|o| i32::from(o.code())).into(),
        e.purchase_order.as_deref().into(),
    ]
}

/// A credit's row, in [`CREDIT_COLUMNS`] order ([`credit_args`]).
const INSERT_CREDIT: &str = "INSERT INTO credits (locator, account_id, invoice_id, kind, \
     amount_minor, reference, reason, parent_locator, created_at_us, actor, reversal_reason, \
     reversed_at_us, reversed_by, interest_minor, interest_tax_minor, interest_from_us, \
     interest_through_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, $17)";

/// A credit that exists (the same locator) is updated with its reversal — the one change a
/// credit gets.
fn upsert_credit_sql() -> String {
    format!(
        "{INSERT_CREDIT} ON CONFLICT (locator) DO UPDATE SET \
         reversal_reason = excluded.reversal_reason, reversed_at_us = excluded.reversed_at_us, \
         reversed_by = excluded.reversed_by"
    )
}

fn credit_args(c: &Credit) -> Vec<Arg> {
    let reversal = c.reversal.as_ref();
    vec![
        c.locator.as_str().into(),
        c.account_id.as_str().into(),
        c.invoice_id.as_str().into(),
        c.kind.as_str().into(),
        c.amount.minor().into(),
        c.reference.as_deref().into(),
        c.reason.as_deref().into(),
        c.parent.as_ref().map(|p| p.to_string()).into(),
        c.created_at.unix_micros().into(),
        c.actor.as_str().into(),
        reversal.map(|r| r.reason.as_str()).into(),
        reversal.map(|r| r.at.unix_micros()).into(),
        reversal.map(|r| r.actor.as_str()).into(),
        c.interest.map(|i| i.interest.minor()).into(),
        c.interest.map(|i| i.tax.minor()).into(),
        c.interest
            .and_then(|i| i.from)
            .map(Timestamp::unix_micros)
            .into(),
        c.interest.map(|i| i.through.unix_micros()).into(),
    ]
}

/// A new account with its credit id (and company id, when the store gave none): the next
/// number ([`Tx::next_credit_id`]) that no account holds already, as its credit id (one
/// imported with its book) or its company id.
async fn with_numbers(tx: &mut Tx, account: &Account) -> Result<Account, StorageError> {
    let taken = "SELECT credit_id FROM accounts WHERE credit_id = $1 OR company_id = $2";
    let next_sql = tx.next_credit_id();
    let mut last = 0;
    loop {
        let (next,): (i64,) = tx.fetch_one(next_sql, vec![]).await?;
        let next = next.max(last + 1);
        let held: Option<(i64,)> = tx
            .fetch_optional(taken, vec![next.into(), next.into()])
            .await?;
        if held.is_none() {
            let mut account = account.clone();
            account.company.number(number(next, "credit id")?);
            return Ok(account);
        }
        last = next;
    }
}

/// Writes what differs between `before` and `after` — but its events, which it answers: the
/// caller writes them with its batch's (`outbox::insert_events`).
pub(super) async fn write(
    tx: &mut Tx,
    before: Option<&Book>,
    after: &Book,
    now: Timestamp,
) -> Result<Vec<OutboxRow>, StorageError> {
    let events = super::outbox::book_events(before, after, now);
    let numbered;
    let a = match before {
        None if after.account.company.credit_id.is_none() => {
            numbered = with_numbers(tx, &after.account).await?;
            &numbered
        }
        _ => &after.account,
    };
    let old_transactions = before
        .map(|b| b.transactions.as_slice())
        .unwrap_or_default();
    let changed: Vec<&Transaction> = after
        .transactions
        .iter()
        .filter(|t| !old_transactions.contains(t))
        .collect();
    let reserved_minor: i64 = changed
        .iter()
        .map(|t| {
            let old = old_transactions.iter().find(|old| old.id == t.id);
            t.reserved().minor() - old.map_or(0, |old| old.reserved().minor())
        })
        .sum();
    if before.is_none_or(|b| b.account != *a) || reserved_minor != 0 {
        let sql = if before.is_none() {
            INSERT_ACCOUNT
        } else {
            UPDATE_ACCOUNT
        };
        let mut args = account_args(a);
        args.push(reserved_minor.into());
        match tx.execute(sql, args).await {
            Err(sqlx::Error::Database(e))
                if e.is_unique_violation() && e.message().contains("company_id") =>
            {
                let company = a.company.company_id.expect("stored accounts have one");
                return Err(StorageError::Refused(CreditError::CompanyIdTaken(company)));
            }
            Err(sqlx::Error::Database(e))
                if e.is_unique_violation() && e.message().contains("credit_id") =>
            {
                let credit = a.company.credit_id.expect("stored accounts have one");
                return Err(StorageError::Refused(CreditError::CreditIdTaken(credit)));
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StorageError::Refused(CreditError::AccountExists(
                    a.id.clone(),
                )));
            }
            other => other?,
        };
    }
    let old_holders = before.map(|b| b.holders.as_slice()).unwrap_or_default();
    for holder in after.holders.iter().filter(|h| !old_holders.contains(h)) {
        let args = vec![
            holder.id.as_str().into(),
            a.id.as_str().into(),
            holder.email.as_str().into(),
            i16::from(holder.level).into(),
            holder.created_at.unix_micros().into(),
        ];
        tx.execute(INSERT_HOLDER, args).await?;
    }
    for holder in old_holders
        .iter()
        .filter(|h| !after.holders.iter().any(|n| n.id == h.id))
    {
        let args = vec![holder.id.as_str().into(), a.id.as_str().into()];
        tx.execute(DELETE_HOLDER, args).await?;
    }
    for t in changed {
        tx.execute(UPSERT_TRANSACTION, transaction_args(t)).await?;
    }
    let old_invoices = before.map(|b| b.invoices.as_slice()).unwrap_or_default();
    let mut totals = InvoiceTotals::default();
    for i in after.invoices.iter().filter(|i| !old_invoices.contains(i)) {
        tx.execute(UPSERT_INVOICE, invoice_args(i)).await?;
        if let Some(old) = old_invoices.iter().find(|old| old.id == i.id) {
            totals.add(old.status, -1, -old.summary_value().minor());
        }
        totals.add(i.status, 1, i.summary_value().minor());
    }
    for (status, count, value_minor) in totals.changed() {
        let args = vec![
            shard_of(&a.id).into(),
            status.as_str().into(),
            count.into(),
            value_minor.into(),
        ];
        tx.execute(ADD_INVOICE_TOTALS, args).await?;
    }
    let sql = format!(
        "INSERT INTO entries ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13)"
    );
    let old_entries = before.map_or(0, |b| b.entries.len());
    for e in &after.entries[old_entries..] {
        tx.execute(&sql, entry_args(e)).await?;
    }
    let old_credits = before.map(|b| b.credits.as_slice()).unwrap_or_default();
    for c in after.credits.iter().filter(|c| !old_credits.contains(c)) {
        tx.execute(&upsert_credit_sql(), credit_args(c)).await?;
    }
    Ok(events)
}

fn add_transactions(book: &mut Book, rows: Vec<TransactionRow>) -> Result<(), StorageError> {
    for row in rows {
        let transaction = row.into_transaction()?;
        if !book.transactions.iter().any(|t| t.id == transaction.id) {
            book.transactions.push(transaction);
        }
    }
    Ok(())
}

fn add_invoices(book: &mut Book, rows: Vec<InvoiceRow>) -> Result<(), StorageError> {
    for row in rows {
        let invoice = row.into_invoice()?;
        if !book.invoices.iter().any(|i| i.id == invoice.id) {
            book.invoices.push(invoice);
        }
    }
    Ok(())
}

/// Core's invariants of a book loaded for `reads` (`Book::check_loaded`), in debug and test
/// builds: a book that breaks one is neither used nor written.
pub(super) fn check(
    id: &AccountId,
    book: Option<&Book>,
    reads: &Reads,
    when: &'static str,
) -> Result<(), StorageError> {
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    match book.map(|b| b.check_loaded(reads)) {
        Some(Err(why)) => Err(StorageError::Broken {
            account: id.to_string(),
            when,
            why,
        }),
        Some(Ok(())) | None => Ok(()),
    }
}

impl Db {
    /// Runs `command` on the account `id` (`None` when it does not exist; the command may create
    /// it by setting `Some`) under the account's lock, with what `reads` name loaded (core's
    /// [`Reads`] for the command), and stores what it changed — in the next group commit of the
    /// account's lane (`db::commit`); answered once that commit is durable. A refusal (the
    /// command's own error `E`) writes nothing; storage's failures become `E` too.
    pub async fn with_book<T, E, F>(
        &self,
        id: &AccountId,
        reads: &Reads,
        now: Timestamp,
        command: F,
    ) -> Result<T, E>
    where
        F: FnOnce(&mut Option<Book>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        super::commit::submit(&self.writes, &self.lanes, id, reads, now, command).await
    }

    /// Every account of the store, by credit id (the company-credit API's list, evaluated by
    /// core's `SearchCriteria` over them).
    pub async fn accounts_by_credit_id(&self) -> Result<Vec<Account>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY credit_id");
        let rows: Vec<AccountRow> = self.pool.fetch_all(&sql, Vec::new()).await?;
        rows.into_iter().map(AccountRow::into_account).collect()
    }

    /// The entries of the accounts with these credit ids (`None`: of every account), by
    /// account in book order.
    pub async fn numbered_entries(
        &self,
        credits: Option<&[CreditId]>,
    ) -> Result<BTreeMap<AccountId, NumberedEntries>, StorageError> {
        let (filter, args): (String, Vec<Arg>) = match credits {
            None => (String::new(), Vec::new()),
            Some(credits) => {
                let marks: Vec<String> = (1..=credits.len()).map(|n| format!("${n}")).collect();
                let args = credits.iter().map(|c| i64::from(c.get()).into()).collect();
                let accounts = format!(
                    "SELECT id FROM accounts WHERE credit_id IN ({})",
                    marks.join(", ")
                );
                (format!(" WHERE account_id IN ({accounts})"), args)
            }
        };
        if credits.is_some_and(<[CreditId]>::is_empty) {
            return Ok(BTreeMap::new());
        }
        let sql = format!(
            "SELECT seq, {ENTRY_COLUMNS} FROM entries{filter} ORDER BY account_id, at_us, seq"
        );
        let rows: Vec<NumberedEntryRow> = self.pool.fetch_all(&sql, args).await?;
        let mut out: BTreeMap<AccountId, NumberedEntries> = BTreeMap::new();
        for row in rows {
            let entry = row.entry.into_entry()?;
            let numbered = out.entry(entry.account_id.clone()).or_default();
            numbered.ids.push(row.seq);
            numbered.entries.push(entry);
        }
        Ok(out)
    }

    /// The account and credit id of the entry numbered `seq`, if there is one.
    pub async fn entry_owner(
        &self,
        seq: i64,
    ) -> Result<Option<(AccountId, CreditId)>, StorageError> {
        let sql = "SELECT a.id, a.credit_id FROM entries e JOIN accounts a ON a.id = e.account_id \
                   WHERE e.seq = $1";
        let row: Option<(String, i64)> = self.pool.fetch_optional(sql, vec![seq.into()]).await?;
        row.map(|(id, credit)| Ok((parse(&id, "account id")?, number(credit, "credit id")?)))
            .transpose()
    }

    /// Writes an entry's purchase order and comment (its reason) — the one change an entry
    /// gets, through the company-credit history's update.
    pub async fn set_entry_note(&self, seq: i64, entry: &Entry) -> Result<(), StorageError> {
        let sql = "UPDATE entries SET purchase_order = $1, reason = $2 WHERE seq = $3";
        let args = vec![
            entry.purchase_order.as_deref().into(),
            entry.reason.as_deref().into(),
            seq.into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }

    /// The account holding a credit id or company id, if any.
    pub async fn account_numbered(
        &self,
        number: ByNumber,
    ) -> Result<Option<AccountId>, StorageError> {
        let (sql, n) = match number {
            ByNumber::Credit(id) => ("SELECT id FROM accounts WHERE credit_id = $1", id.get()),
            ByNumber::Company(id) => ("SELECT id FROM accounts WHERE company_id = $1", id.get()),
        };
        let row: Option<(String,)> = self
            .pool
            .fetch_optional(sql, vec![i64::from(n).into()])
            .await?;
        row.map(|(id,)| parse(&id, "account id")).transpose()
    }

    /// The company-credit numbers storage gave the account `id`.
    pub async fn company_numbers(
        &self,
        id: &AccountId,
    ) -> Result<(CreditId, CompanyId), StorageError> {
        let sql = "SELECT credit_id, company_id FROM accounts WHERE id = $1";
        let row: Option<(i64, i64)> = self
            .pool
            .fetch_optional(sql, vec![id.as_str().into()])
            .await?;
        let (credit, company) =
            row.ok_or_else(|| StorageError::Refused(CreditError::AccountNotFound(id.clone())))?;
        Ok((number(credit, "credit id")?, number(company, "company id")?))
    }

    /// The account and invoice of the credit `locator`, if there is one.
    pub async fn credit_owner(
        &self,
        locator: &CreditLocator,
    ) -> Result<Option<(AccountId, InvoiceId)>, StorageError> {
        let sql = "SELECT account_id, invoice_id FROM credits WHERE locator = $1";
        let args = vec![locator.as_str().into()];
        let row: Option<(String, String)> = self.pool.fetch_optional(sql, args).await?;
        row.map(|(account, invoice)| {
            Ok((
                parse(&account, "account id")?,
                parse(&invoice, "invoice id")?,
            ))
        })
        .transpose()
    }

    /// Gives each invoice paid before credits existed (migration 0012) its payment credit —
    /// core's `credit::upgrade_legacy`, the same locator whichever server computes it — in one
    /// transaction; nothing to do once done. Several servers starting at once on one PostgreSQL
    /// write the same rows (a credit that exists is left alone).
    pub(super) async fn upgrade_legacy_payments(&self) -> Result<usize, StorageError> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE status = 'Paid' AND paid_minor = 0 \
             AND written_off_minor = 0"
        );
        let rows: Vec<InvoiceRow> = self.pool.fetch_all(&sql, vec![]).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin_write().await?;
        let mut count = 0;
        for row in rows {
            let mut invoice = row.into_invoice()?;
            let Some(credit) = creditdesk_core::credit::upgrade_legacy(&mut invoice) else {
                continue;
            };
            let insert = format!("{INSERT_CREDIT} ON CONFLICT (locator) DO NOTHING");
            tx.execute(&insert, credit_args(&credit)).await?;
            tx.execute(UPSERT_INVOICE, invoice_args(&invoice)).await?;
            count += 1;
        }
        tx.commit().await?;
        Ok(count)
    }

    /// The account `id` with what `reads` name, read without a lock (one consistent snapshot).
    pub async fn read_book(
        &self,
        id: &AccountId,
        reads: &Reads,
        now: Timestamp,
    ) -> Result<Option<Book>, StorageError> {
        let mut tx = self.pool.begin_snapshot().await?;
        load(&mut tx, id, reads, now, "").await
    }
}
