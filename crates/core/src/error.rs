//! Why a credit rule refused a command: one enum for the whole engine. It names the rule and
//! carries the amounts involved; [`CreditError::code`] says what kind of
//! refusal it is, and the server maps that code to an HTTP status.

use crate::credit::CreditLocator;
use crate::ids::{AccountId, HolderId, InvoiceId, TransactionId};
use crate::invoice::InvoiceStatus;
use crate::money::Money;
use crate::transaction::TransactionStatus;
use crate::validation::ValidationErrors;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditError {
    /// Input that breaks a rule of its own (fields named).
    Invalid(ValidationErrors),
    /// No such account.
    AccountNotFound(AccountId),
    /// No such transaction on this account.
    TransactionNotFound(TransactionId),
    /// No such invoice on this account.
    InvoiceNotFound(InvoiceId),
    /// No such holder on this account.
    HolderNotFound(HolderId),
    /// Opening an account that exists.
    AccountExists(AccountId),
    /// A company id another account has (one account per company).
    CompanyIdTaken(crate::company::CompanyId),
    /// Changing an account's currency while it owes or holds credit.
    CurrencyInUse {
        currency: crate::store_config::Currency,
        asked: crate::store_config::Currency,
    },
    /// An amount in another currency than the account's.
    CurrencyMismatch {
        currency: crate::store_config::Currency,
        asked: crate::store_config::Currency,
    },
    /// A credit id another account has (an imported book's).
    CreditIdTaken(crate::company::CreditId),
    /// The account is closed: no new holds or settlements.
    AccountClosed(AccountId),
    /// Closing an account that still owes or holds credit.
    AccountInUse {
        open_invoices: Money,
        pre_authorized: Money,
        balance: Money,
    },
    /// More than the credit available.
    InsufficientCredit { requested: Money, available: Money },
    /// A hold may grow by the store's growth rate at most.
    GrowthExceeded { requested: Money, max: Money },
    /// The transaction is not an active hold (settled, cancelled or expired).
    NotAuthorized { status: TransactionStatus },
    /// Holds created with `settle = true` cannot be cancelled.
    NotCancellable,
    /// The transaction has not been settled.
    NotSettled { status: TransactionStatus },
    /// A new settlement value below what is already paid or cancelled.
    SettlementBelowResolved { requested: Money, min: Money },
    /// Raising a settlement whose invoices are all resolved.
    NoOpenInvoices,
    /// More refunds than the settlement.
    RefundExceeded { requested: Money, refundable: Money },
    /// The invoice's status does not allow this.
    InvoiceStatus {
        status: InvoiceStatus,
        action: &'static str,
    },
    /// The store does not allow postponing.
    PostponementDisabled,
    /// This invoice used all its postponements.
    PostponementLimit { limit: u16 },
    /// More days than the store allows in total.
    PostponementDays { requested: u16, remaining: u16 },
    /// The email is a holder of the account already.
    HolderExists,
    /// The account has as many holders as allowed.
    HoldersFull { max: u8 },
    /// A statement id used before with another value.
    StatementIdReused { value: Money },
    /// A total would leave the supported range.
    OutOfRange,
    /// No such credit (on this account, or at all).
    CreditNotFound(CreditLocator),
    /// A credit is reversed once.
    CreditReversed { at: crate::Timestamp },
    /// A later payment of the same invoice charged interest (or this one did): that one is
    /// reversed first.
    ReverseLaterFirst(CreditLocator),
    /// The account has an invoice more days late than the store's `overdueBlockDays` allows.
    OverdueInvoices {
        invoice: InvoiceId,
        days_late: u32,
        block_days: u16,
    },
    /// The store keeps `myCreditsEnabled` off: buyers get no links.
    MyCreditsDisabled,
}

impl CreditError {
    /// The rule's name for programs, in snake case (`insufficient_credit`).
    pub fn reason(&self) -> &'static str {
        use CreditError::*;
        match self {
            Invalid(_) => "invalid",
            AccountNotFound(_) => "account_not_found",
            TransactionNotFound(_) => "transaction_not_found",
            InvoiceNotFound(_) => "invoice_not_found",
            HolderNotFound(_) => "holder_not_found",
            AccountExists(_) => "account_exists",
            CompanyIdTaken(_) => "company_id_taken",
            CreditIdTaken(_) => "credit_id_taken",
            CurrencyInUse { .. } => "currency_in_use",
            CurrencyMismatch { .. } => "currency_mismatch",
            AccountClosed(_) => "account_closed",
            AccountInUse { .. } => "account_in_use",
            InsufficientCredit { .. } => "insufficient_credit",
            GrowthExceeded { .. } => "growth_exceeded",
            NotAuthorized { .. } => "not_authorized",
            NotCancellable => "not_cancellable",
            NotSettled { .. } => "not_settled",
            SettlementBelowResolved { .. } => "settlement_below_resolved",
            NoOpenInvoices => "no_open_invoices",
            RefundExceeded { .. } => "refund_exceeded",
            InvoiceStatus { .. } => "invoice_status",
            PostponementDisabled => "postponement_disabled",
            PostponementLimit { .. } => "postponement_limit",
            PostponementDays { .. } => "postponement_days",
            HolderExists => "holder_exists",
            HoldersFull { .. } => "holders_full",
            StatementIdReused { .. } => "statement_id_reused",
            OutOfRange => "out_of_range",
            CreditNotFound(_) => "credit_not_found",
            CreditReversed { .. } => "credit_reversed",
            ReverseLaterFirst(_) => "reverse_later_first",
            OverdueInvoices { .. } => "overdue_invoices",
            MyCreditsDisabled => "my_credits_disabled",
        }
    }

    /// What kind of refusal this is, for programs (the server maps the code to a status).
    pub fn code(&self) -> crate::ErrorCode {
        use CreditError::*;
        match self {
            Invalid(_) | OutOfRange => crate::ErrorCode::ValidationFailed,
            AccountNotFound(_)
            | TransactionNotFound(_)
            | InvoiceNotFound(_)
            | HolderNotFound(_)
            | CreditNotFound(_) => crate::ErrorCode::NotFound,
            _ => crate::ErrorCode::Conflict,
        }
    }

    /// A single invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> CreditError {
        CreditError::Invalid(ValidationErrors::single(field, message))
    }
}

impl From<ValidationErrors> for CreditError {
    fn from(errors: ValidationErrors) -> Self {
        CreditError::Invalid(errors)
    }
}

impl std::fmt::Display for CreditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use CreditError::*;
        match self {
            Invalid(errors) => write!(f, "invalid input: {errors}"),
            AccountNotFound(id) => write!(f, "there is no account {id}"),
            TransactionNotFound(id) => write!(f, "there is no transaction {id} on this account"),
            InvoiceNotFound(id) => write!(f, "there is no invoice {id} on this account"),
            HolderNotFound(id) => write!(f, "there is no holder {id} on this account"),
            AccountExists(id) => write!(f, "the account {id} exists already; update it with PUT instead"),
            CompanyIdTaken(id) => write!(f, "companyId {id} belongs to another account; give each account its own company id"),
            CreditIdTaken(id) => write!(f, "credit id {id} belongs to another account of this store"),
            CurrencyMismatch { currency, asked } => write!(
                f,
                "the credit is in {}, not {}: amounts are never converted; send the amount in {}",
                currency.as_str(),
                asked.as_str(),
                currency.as_str()
            ),
            CurrencyInUse { currency, asked } => write!(
                f,
                "the credit is in {} and owes or holds credit in it: it cannot change to {} (amounts are never converted); settle it to zero first",
                currency.as_str(),
                asked.as_str()
            ),
            AccountClosed(id) => write!(f, "the account {id} is closed; reopen it by updating it first"),
            AccountInUse { open_invoices, pre_authorized, balance } => write!(
                f,
                "the account cannot close while it owes or holds credit: open invoices {open_invoices}, \
                 pre-authorized {pre_authorized}, balance {balance}"
            ),
            InsufficientCredit { requested, available } => {
                write!(f, "not enough credit: {requested} requested, {available} available")
            }
            GrowthExceeded { requested, max } => write!(
                f,
                "{requested} is more than this pre-authorization may grow to ({max}, by the store's growth rate)"
            ),
            NotAuthorized { status } => {
                write!(f, "the transaction is not an active pre-authorization (it is {})", status.as_str())
            }
            NotCancellable => f.write_str(
                "pre-authorizations created with settle = true cannot be cancelled; settle them or let them expire",
            ),
            NotSettled { status } => write!(f, "the transaction is not settled (it is {})", status.as_str()),
            SettlementBelowResolved { requested, min } => write!(
                f,
                "the settlement cannot go below {min}, the value of its paid and cancelled invoices ({requested} requested)"
            ),
            NoOpenInvoices => f.write_str("every invoice of this settlement is paid or cancelled; nothing can be added to it"),
            RefundExceeded { requested, refundable } => {
                write!(f, "{requested} is more than can be refunded ({refundable})")
            }
            InvoiceStatus { status, action } => write!(f, "a {} invoice cannot be {action}", status.as_str().to_lowercase()),
            PostponementDisabled => f.write_str(
                "the store does not allow postponing invoices (postponementEnabled and invoicePostponementLimit)",
            ),
            PostponementLimit { limit } => write!(f, "this invoice was postponed {limit} times, the most the store allows"),
            PostponementDays { requested, remaining } => write!(
                f,
                "{requested} days is more than the {remaining} days of postponement this invoice has left"
            ),
            HolderExists => f.write_str("this email is a holder of the account already"),
            HoldersFull { max } => write!(f, "an account has at most {max} holders"),
            StatementIdReused { value } => write!(f, "this statement id was used already, with the value {value}"),
            OutOfRange => f.write_str("the result would exceed the largest supported amount"),
            CreditNotFound(locator) => write!(f, "there is no credit {locator}"),
            CreditReversed { at } => write!(f, "this credit was reversed already, at {at}"),
            ReverseLaterFirst(later) => write!(
                f,
                "a later payment of this invoice ({later}) and this one are tied by the interest \
                 charged; reverse {later} first"
            ),
            OverdueInvoices { invoice, days_late, block_days } => write!(
                f,
                "the account has an overdue invoice: {invoice} is {days_late} days late, and the \
                 store stops new purchases beyond {block_days} days; pay or postpone it first"
            ),
            MyCreditsDisabled => f.write_str(
                "My Credits is off for this store: turn on myCreditsEnabled in the store \
                 configuration to give buyers links",
            ),
        }
    }
}

impl std::error::Error for CreditError {}
