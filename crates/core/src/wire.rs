//! The JSON the API writes, as the reference spec names it. Shared by the server (which writes
//! it) and the admin (which reads it). Amounts are JSON numbers with their exact digits; dates are
//! ISO 8601 UTC with 7 fractional digits.

use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountStatus, Balances, Holder};
use crate::company::{CompanyId, CreditId};
use crate::interest::InterestPolicy;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::ledger::{Entry, Origin, Statement};
use crate::money::Money;
use crate::rate::Rate;
use crate::search::{CreditCondition, CreditDetail, CreditFilter, InvoiceSummary};
use crate::timestamp::Timestamp;
use crate::transaction::{Transaction, TransactionStatus};

/// An account with its balances (`GET /accounts/{id}` and friends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub balance: Money,
    pub document: String,
    pub status: AccountStatus,
    pub document_type: String,
    pub credit_limit: Money,
    pub updated_at: Timestamp,
    pub created_at: Timestamp,
    pub description: String,
    pub available_credit: Money,
    pub pre_authorized_credit: Money,
    /// `""` for accounts opened automatically without an email.
    pub email: String,
    pub tolerance: Rate,
    pub available_balance: Money,
    /// Extension: the account's number in the company-credit API (absent only before the
    /// account is first stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_id: Option<CreditId>,
    /// Extension: its company's id in that API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<CompanyId>,
}

impl AccountView {
    /// What the buyer uses of the limit: holds plus debt (`pre-authorized − balance`), as the
    /// dashboard's usage bands count it.
    pub fn used(&self) -> Money {
        Money::saturating_from_minor(self.pre_authorized_credit.minor() - self.balance.minor())
    }

    pub fn new(account: &Account, balances: &Balances) -> AccountView {
        AccountView {
            id: account.id.to_string(),
            balance: balances.balance,
            document: account.document.to_string(),
            status: account.status,
            document_type: account.document_type.as_str().to_owned(),
            credit_limit: account.credit_limit,
            updated_at: account.updated_at,
            created_at: account.created_at,
            description: account.description.clone().unwrap_or_default(),
            available_credit: balances.available_credit,
            pre_authorized_credit: balances.pre_authorized_credit,
            email: account
                .email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            tolerance: account.tolerance,
            available_balance: balances.available_balance,
            credit_id: account.company.credit_id,
            company_id: account.company.company_id,
        }
    }
}

/// A page of accounts and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    pub data: Vec<AccountView>,
    pub summary: AccountSummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub count: u64,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceView {
    pub id: String,
    pub friendly_id: String,
    pub status: InvoiceStatus,
    pub value: Money,
    pub account_id: String,
    pub credit_value: Money,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_link: Option<String>,
    pub original_due_date: Timestamp,
    pub due_date: Timestamp,
    pub installment: u16,
    pub order_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation: Option<String>,
    pub transaction_id: String,
    pub number_of_installments: u16,
    pub credit_account_id: String,
    /// Extension: times postponed and days postponed in total.
    pub postponements: u16,
    pub postponed_days: u16,
    /// Extension: what posted payments paid, what write-offs took off, and what is still owed
    /// (`value = paidValue + writtenOffValue + remainingValue` while open or paid).
    pub paid_value: Money,
    pub written_off_value: Money,
    pub remaining_value: Money,
    /// Extension: overdue interest and its tax owed at the moment of the answer (not part of
    /// `value`; see `docs/credit-rules.md`), and what the buyer must pay today:
    /// `amountDue = remainingValue + interest + interestTax`.
    pub interest: Money,
    pub interest_tax: Money,
    pub amount_due: Money,
    /// Extension: interest and tax already charged and paid with its payments.
    pub interest_paid_value: Money,
}

impl InvoiceView {
    /// The invoice as a command under `ctx` shows it: at `ctx.now`, under the store's interest
    /// policy.
    pub fn of(invoice: &Invoice, ctx: &crate::book::Ctx) -> InvoiceView {
        InvoiceView::new(invoice, &ctx.config.interest_policy(), ctx.now)
    }

    /// The invoice as the API shows it at `now`, its interest by `policy`.
    pub fn new(invoice: &Invoice, policy: &InterestPolicy, now: Timestamp) -> InvoiceView {
        let owed = crate::interest::accrued(invoice, policy, now);
        let charged = invoice.interest_paid_value.minor() + invoice.interest_tax_paid_value.minor();
        InvoiceView {
            id: invoice.id.to_string(),
            friendly_id: invoice.friendly_id.to_string(),
            status: invoice.status,
            value: invoice.value,
            account_id: invoice.account_id.to_string(),
            credit_value: invoice.credit_value,
            created_at: invoice.created_at,
            resolved_at: invoice.resolved_at,
            updated_at: invoice.updated_at,
            payment_link: invoice.payment_link.clone(),
            original_due_date: invoice.original_due_date,
            due_date: invoice.due_date,
            installment: invoice.installment,
            order_id: invoice.order_id.clone(),
            observation: invoice.observation.clone(),
            transaction_id: invoice.transaction_id.to_string(),
            number_of_installments: invoice.number_of_installments,
            credit_account_id: invoice.account_id.to_string(),
            postponements: invoice.postponements,
            postponed_days: invoice.postponed_days,
            paid_value: invoice.paid_value,
            written_off_value: invoice.written_off_value,
            remaining_value: invoice.remaining(),
            interest: owed.interest,
            interest_tax: owed.tax,
            amount_due: owed.amount_due(invoice.remaining()),
            interest_paid_value: Money::saturating_from_minor(charged),
        }
    }

    /// Interest and its tax owed at the moment of the view (what a payment pays first).
    pub fn interest_owed(&self) -> Money {
        Money::saturating_from_minor(self.interest.minor() + self.interest_tax.minor())
    }

    /// Open and past its due date at `now` (the rule of [`crate::invoice::is_overdue`]).
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        crate::invoice::is_overdue(self.status, self.due_date, now)
    }
}

/// A page of invoices and the summary of every match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceList {
    pub data: Vec<InvoiceView>,
    pub summary: InvoiceSummaryView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSummaryView {
    pub total: Money,
    pub count: u64,
    pub total_paid: Money,
    pub total_cancelled: Money,
}

impl From<InvoiceSummary> for InvoiceSummaryView {
    fn from(s: InvoiceSummary) -> Self {
        InvoiceSummaryView {
            total: s.total,
            count: s.count,
            total_paid: s.total_paid,
            total_cancelled: s.total_cancelled,
        }
    }
}

/// A pre-authorization as created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldView {
    pub id: String,
    pub value: Money,
    pub expiration_date: Timestamp,
    pub installments: u16,
    /// Extension: its status at the moment of the answer.
    pub status: TransactionStatus,
}

impl HoldView {
    pub fn new(transaction: &Transaction, now: Timestamp) -> HoldView {
        HoldView {
            id: transaction.id.to_string(),
            value: transaction.value,
            expiration_date: transaction.expires_at,
            installments: transaction.installments,
            status: transaction.status_at(now),
        }
    }
}

/// Extension: a transaction with its whole story (`GET /api/creditdesk/accounts/{id}/transactions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionView {
    pub id: String,
    pub order_id: String,
    /// The value held now.
    pub value: Money,
    pub original_value: Money,
    pub installments: u16,
    /// Created to be settled by checkout (cannot be cancelled).
    pub settle: bool,
    /// Its status at the moment of the answer (a hold past its time is `Expired`).
    pub status: TransactionStatus,
    pub expiration_date: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub settled_value: Money,
    pub refunded_value: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<Timestamp>,
    /// Whether it may be cancelled now ([`Transaction::cancellable`]).
    pub cancellable: bool,
    /// What may still be refunded ([`Transaction::refundable`]).
    pub refundable_value: Money,
}

impl TransactionView {
    pub fn new(transaction: &Transaction, now: Timestamp) -> TransactionView {
        TransactionView {
            id: transaction.id.to_string(),
            order_id: transaction.order_id.clone(),
            value: transaction.value,
            original_value: transaction.original_value,
            installments: transaction.installments,
            settle: transaction.settle,
            status: transaction.status_at(now),
            expiration_date: transaction.expires_at,
            created_at: transaction.created_at,
            updated_at: transaction.updated_at,
            settled_value: transaction.settled_value,
            refunded_value: transaction.refunded_value,
            settled_at: transaction.settled_at,
            cancellable: transaction.cancellable(now).is_ok(),
            refundable_value: transaction.refundable(),
        }
    }
}

/// Extension: an account's transactions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionList {
    pub data: Vec<TransactionView>,
}

impl TransactionList {
    /// The newest [`crate::reads::TRANSACTIONS_LISTED_MAX`] of `transactions` (creation time,
    /// then id, both descending, as storage reads them), with their status at `now`.
    pub fn of(transactions: &[Transaction], now: Timestamp) -> TransactionList {
        let mut newest: Vec<&Transaction> = transactions.iter().collect();
        crate::order::sort_by(&mut newest, |a, b| {
            (b.created_at, &b.id).cmp(&(a.created_at, &a.id))
        });
        let data = newest
            .into_iter()
            .take(crate::reads::TRANSACTIONS_LISTED_MAX as usize)
            .map(|t| TransactionView::new(t, now))
            .collect();
        TransactionList { data }
    }
}

/// Extension: an account's holders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderList {
    pub data: Vec<HolderView>,
}

/// An account holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HolderView {
    pub level: u8,
    pub claims: Claims,
    pub id: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub email: String,
}

impl From<&Holder> for HolderView {
    fn from(holder: &Holder) -> Self {
        HolderView {
            level: holder.level,
            claims: Claims {
                email: holder.email.to_string(),
            },
            id: holder.id.to_string(),
            created_at: holder.created_at,
        }
    }
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementView {
    pub statements: Vec<EntryView>,
    pub current_balance: Money,
    pub interval_balance: Money,
    pub previous_balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub value: Money,
    pub date: Timestamp,
    pub doneby: String,
    pub origin: Origin,
    pub metadata: EntryMetadata,
    /// Extension: what exactly happened (`Settlement`, `InvoicePaid`, `Refund`, …).
    pub kind: crate::ledger::EntryKind,
    /// Extension: whether the entry moves the balance (limit and tolerance changes do not).
    #[serde(rename = "countsInBalance")]
    pub counts_in_balance: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntryMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_installments: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installment: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Extension: the credit the entry posts or reverses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_locator: Option<String>,
}

impl From<&Entry> for EntryView {
    fn from(entry: &Entry) -> Self {
        EntryView {
            value: entry.value,
            date: entry.at,
            doneby: entry.actor.to_string(),
            origin: entry.origin(),
            metadata: EntryMetadata {
                transaction_id: entry.transaction_id.as_ref().map(ToString::to_string),
                number_of_installments: entry.number_of_installments,
                installment: entry.installment,
                statement_id: entry.statement_id.as_ref().map(ToString::to_string),
                reason: entry.reason.clone(),
                credit_locator: entry.credit.as_ref().map(ToString::to_string),
            },
            kind: entry.kind,
            counts_in_balance: entry.kind.counts_in_balance(),
        }
    }
}

impl From<&Statement> for StatementView {
    fn from(statement: &Statement) -> Self {
        StatementView {
            statements: statement.entries.iter().map(EntryView::from).collect(),
            current_balance: statement.current_balance,
            interval_balance: statement.interval_balance,
            previous_balance: statement.previous_balance,
        }
    }
}

/// The answer to a dry-run pre-authorization (extension): whether it would be accepted and what
/// would remain available; nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunView {
    pub accepted: bool,
    /// Available credit now.
    pub available_credit: Money,
    /// Available credit after the hold (when accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_credit_after: Option<Money>,
    /// Why it would be refused (as the error `reason`), and in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `PUT …/transactions/{id}`: the hold as changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldUpdated {
    pub id: String,
    pub value: Money,
    pub installments: u16,
}

impl From<&Transaction> for HoldUpdated {
    fn from(hold: &Transaction) -> HoldUpdated {
        HoldUpdated {
            id: hold.id.to_string(),
            value: hold.value,
            installments: hold.installments,
        }
    }
}

/// `PUT …/settlement`: the value settled, and the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementView {
    pub value: Money,
    pub id: String,
}

/// `POST …/refunds`: the value refunded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueView {
    pub value: Money,
}

/// `PUT …/statements/{statementId}`: the debit, as text (the reference writes it so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebitView {
    pub value: String,
}

impl From<Money> for DebitView {
    fn from(value: Money) -> DebitView {
        DebitView {
            value: value.to_string(),
        }
    }
}

/// `DELETE …/holders/{holderId}`: the holder removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedView {
    pub id: String,
}

/// `GET /api/creditdesk/me`: the calling key and every resource it may use (all of them for
/// `Main Access`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub app_key: String,
    pub resources: Vec<crate::keys::Resource>,
}

/// A credit as the billing-credits API writes it (`CreditResponse`, and for a shortfall
/// write-off `ShortfallCreditResponse`'s fields too), plus what Creditdesk adds (written only in
/// [`CreditDetail::Extended`], and always for shortfall write-offs, whose response requires
/// `targets`, `createdBy` and `parentCreditLocator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditView {
    pub locator: String,
    pub account_locator: String,
    pub currency: String,
    pub credit_state: crate::credit::CreditState,
    pub amount: Money,
    pub credit_type: crate::credit::CreditKind,
    pub created_at: Timestamp,
    pub realized_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversed_at: Option<Timestamp>,
    /// The invoices it went to (one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<CreditTarget>,
    /// Who posted it (an app key or a person's email; not a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A shortfall write-off: the payment it came with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_credit_locator: Option<String>,
    /// A shortfall write-off's state as `ShortfallCreditResponse` names it
    /// (`distributed`, `reversed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall_credit_state: Option<String>,
    /// Extension: the payer's reference (payments), the merchant's reason (write-offs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where a credit went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditTarget {
    pub invoice_locator: String,
    pub amount: Money,
}

impl CreditView {
    /// Every field of `credit`.
    pub fn of(credit: &crate::credit::Credit, currency: &crate::store_config::Currency) -> Self {
        CreditView::with_detail(credit, currency, CreditDetail::Extended)
    }

    /// The fields `detail` asks for (a shortfall write-off's required ones always).
    pub fn with_detail(
        credit: &crate::credit::Credit,
        currency: &crate::store_config::Currency,
        detail: CreditDetail,
    ) -> Self {
        use crate::credit::{CreditKind, CreditState};
        let shortfall = credit.kind == CreditKind::ShortfallWriteOff;
        let extended = detail == CreditDetail::Extended;
        let shortfall_credit_state = shortfall.then(|| {
            match credit.state() {
                CreditState::Posted => "distributed",
                CreditState::Reversed => "reversed",
            }
            .to_owned()
        });
        let targets = if extended || shortfall {
            vec![CreditTarget {
                invoice_locator: credit.invoice_id.to_string(),
                amount: credit.amount,
            }]
        } else {
            Vec::new()
        };
        CreditView {
            locator: credit.locator.to_string(),
            account_locator: credit.account_id.to_string(),
            currency: currency.as_str().to_owned(),
            credit_state: credit.state(),
            amount: credit.amount,
            credit_type: credit.kind,
            created_at: credit.created_at,
            realized_at: credit.created_at,
            reversal_reason: credit.reversal.as_ref().map(|r| r.reason.clone()),
            reversed_at: credit.reversal.as_ref().map(|r| r.at),
            targets,
            created_by: (extended || shortfall).then(|| credit.actor.to_string()),
            parent_credit_locator: credit.parent.as_ref().map(ToString::to_string),
            shortfall_credit_state,
            reference: credit.reference.clone().filter(|_| extended),
            reason: credit.reason.clone().filter(|_| extended),
        }
    }
}

/// A page of credits (`CreditListResponse`): `listCompleted` when the page reached the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditList {
    pub list_completed: bool,
    pub items: Vec<CreditView>,
}

impl CreditList {
    /// The page `filter` selects of `credits` (see [`CreditFilter::select`]).
    pub fn select<'a>(
        filter: &CreditFilter,
        credits: impl Iterator<Item = &'a crate::credit::Credit>,
        currency: &crate::store_config::Currency,
    ) -> CreditList {
        let (page, list_completed) = filter.select(credits);
        CreditList::of_page(&page, list_completed, filter.detail, currency)
    }

    /// A page already selected (storage's answer to a [`CreditFilter`]).
    pub fn of_page<C: std::borrow::Borrow<crate::credit::Credit>>(
        page: &[C],
        list_completed: bool,
        detail: CreditDetail,
        currency: &crate::store_config::Currency,
    ) -> CreditList {
        CreditList {
            list_completed,
            items: page
                .iter()
                .map(|c| CreditView::with_detail(c.borrow(), currency, detail))
                .collect(),
        }
    }

    /// Every credit of the invoice `id` in `book` (loaded with its credits), oldest first.
    pub fn of_invoice(
        book: &crate::book::Book,
        id: &crate::ids::InvoiceId,
        currency: &crate::store_config::Currency,
    ) -> Result<CreditList, crate::CreditError> {
        if !book.invoices.iter().any(|i| i.id == *id) {
            return Err(crate::CreditError::InvoiceNotFound(id.clone()));
        }
        let filter = CreditFilter::of(vec![CreditCondition::Invoice(id.clone())]);
        Ok(CreditList::select(&filter, book.credits.iter(), currency))
    }
}

/// `GET /api/creditdesk/store`: the store's identity (its tenant locator, for the billing-credits
/// API's paths), its currency, and whether its server sends reminder emails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreView {
    pub tenant_locator: crate::ids::TenantLocator,
    pub currency: String,
    /// Whether the server has SMTP configured (reminders go by email too).
    #[serde(default)]
    pub email_configured: bool,
}
