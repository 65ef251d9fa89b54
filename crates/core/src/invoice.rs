//! Invoices: one per installment of a settled transaction.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, FriendlyId, InvoiceId, TransactionId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// Most characters of an invoice's observation.
pub const OBSERVATION_CHARS_MAX: u32 = 1000;
/// Most characters of a payment link.
pub const PAYMENT_LINK_CHARS_MAX: u32 = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum InvoiceStatus {
    Opened,
    Paid,
    Cancelled,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 3] = [
        InvoiceStatus::Opened,
        InvoiceStatus::Paid,
        InvoiceStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Opened => "Opened",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Cancelled => "Cancelled",
        }
    }
}

impl InvoiceStatus {
    /// How an invoice comes to this status, for messages: "paid", "cancelled", "reopened".
    pub fn becoming(self) -> &'static str {
        match self {
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Cancelled => "cancelled",
            InvoiceStatus::Opened => "reopened",
        }
    }
}

impl std::str::FromStr for InvoiceStatus {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "opened" | "open" => Ok(InvoiceStatus::Opened),
            "paid" => Ok(InvoiceStatus::Paid),
            "cancelled" | "canceled" => Ok(InvoiceStatus::Cancelled),
            _ => Err("must be Opened, Paid or Cancelled"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Invoice {
    pub id: InvoiceId,
    pub friendly_id: FriendlyId,
    pub account_id: AccountId,
    pub transaction_id: TransactionId,
    pub order_id: String,
    pub installment: u16,
    pub number_of_installments: u16,
    /// What the buyer owes (or paid) on this invoice.
    pub value: Money,
    /// What refunds took off this invoice (`value + credit_value` is its share of the
    /// settlement).
    pub credit_value: Money,
    /// What posted payments paid on it (see [`crate::credit`]).
    #[serde(default)]
    pub paid_value: Money,
    /// What posted write-offs (the merchant's, and shortfalls) took off it.
    #[serde(default)]
    pub written_off_value: Money,
    /// Overdue interest and its tax that posted payments charged (and paid) on it; not part of
    /// `value` (see [`crate::interest`]).
    #[serde(default)]
    pub interest_paid_value: Money,
    #[serde(default)]
    pub interest_tax_paid_value: Money,
    /// Interest has been charged for every day before this instant (`None`: never charged).
    #[serde(default)]
    pub interest_through: Option<Timestamp>,
    /// When the store's sweep first saw it late (`invoice.overdue` was told then); cleared when a
    /// postponement makes it current again.
    #[serde(default)]
    pub overdue_at: Option<Timestamp>,
    pub status: InvoiceStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub original_due_date: Timestamp,
    pub due_date: Timestamp,
    /// Times postponed, and days postponed in total.
    pub postponements: u16,
    pub postponed_days: u16,
    pub observation: Option<String>,
    pub payment_link: Option<String>,
}

impl Invoice {
    /// What is still owed on it: `value − paid − written off` while open, nothing once paid or
    /// cancelled. So `value + creditValue` (its share of the settlement) = paid + written off +
    /// creditValue + remaining for every open or paid invoice.
    pub fn remaining(&self) -> Money {
        match self.status {
            InvoiceStatus::Opened => Money::saturating_from_minor(self.open_minor()),
            InvoiceStatus::Paid | InvoiceStatus::Cancelled => Money::ZERO,
        }
    }

    /// `value − paid − written off`, whatever the status (for a cancelled invoice: what the
    /// cancellation took off).
    fn open_minor(&self) -> i64 {
        self.value.minor() - self.paid_value.minor() - self.written_off_value.minor()
    }

    /// What the invoice counts for in searches' summaries and the store's totals: an open
    /// invoice what is still owed, a paid one its value, a cancelled one what was cancelled.
    pub fn summary_value(&self) -> Money {
        match self.status {
            InvoiceStatus::Opened | InvoiceStatus::Cancelled => {
                Money::saturating_from_minor(self.open_minor())
            }
            InvoiceStatus::Paid => self.value,
        }
    }

    /// Adds `minor` (negative: takes it back) to what credits of `kind` took off: the paid value
    /// for payments, the written-off value for write-offs.
    pub fn credit(&mut self, kind: crate::credit::CreditKind, minor: i64) {
        let slot = if kind.is_payment() {
            &mut self.paid_value
        } else {
            &mut self.written_off_value
        };
        *slot = Money::saturating_from_minor(slot.minor() + minor);
    }

    /// Open, past its due date at `now`, and not yet marked overdue (what the overdue sweep
    /// marks).
    pub fn is_newly_overdue(&self, now: Timestamp) -> bool {
        is_overdue(self.status, self.due_date, now) && self.overdue_at.is_none()
    }

    /// Whether credits (payments, write-offs) went to it.
    pub fn has_credits(&self) -> bool {
        self.paid_value != Money::ZERO || self.written_off_value != Money::ZERO
    }
}

/// An invoice with this status and due date is overdue at `now`: open, and due before now.
pub fn is_overdue(status: InvoiceStatus, due_date: Timestamp, now: Timestamp) -> bool {
    status == InvoiceStatus::Opened && due_date < now
}

/// The open invoice due first among `invoices` (earliest due date, then smallest id): the most
/// late one.
pub fn due_first<'a>(invoices: impl IntoIterator<Item = &'a Invoice>) -> Option<&'a Invoice> {
    invoices
        .into_iter()
        .filter(|i| i.status == InvoiceStatus::Opened)
        .min_by(|a, b| (a.due_date, &a.id).cmp(&(b.due_date, &b.id)))
}
