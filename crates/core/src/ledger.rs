//! Entries: every movement of an account, and statements over a date window.

use serde::{Deserialize, Serialize};

use crate::credit::CreditLocator;
use crate::ids::{AccountId, Actor, StatementId, TransactionId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// Where an entry comes from, as the API's statements name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// A settlement (or its change), or an invoice cancelled.
    Invoice,
    /// A payment (or a payment reversed).
    Payment,
    /// Credit limit and tolerance changes, refunds credited, write-offs (and their reversals).
    Credit,
    /// Manual debits ("decrease balance"), and the company-credit API's balance operations.
    Statement,
    /// Extension: overdue interest and its tax, charged with a payment (and their reversals).
    Interest,
}

impl Origin {
    /// Its name as the statements write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Invoice => "Invoice",
            Origin::Payment => "Payment",
            Origin::Credit => "Credit",
            Origin::Statement => "Statement",
            Origin::Interest => "Interest",
        }
    }
}

/// What exactly happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    Settlement,
    SettlementChanged,
    /// A payment (all that was left, or part of it).
    InvoicePaid,
    PaymentReversed,
    InvoiceCancelled,
    Refund,
    CreditLimitChanged,
    ToleranceChanged,
    ManualDebit,
    /// The company-credit API's `increaseBalance`: a credit to the balance, paying no invoice.
    ManualCredit,
    /// A write-off: the merchant's, or a payment's shortfall within the tolerance.
    WriteOff,
    WriteOffReversed,
    /// Overdue interest a payment charged (a debit), and the tax on it.
    Interest,
    InterestTax,
    /// A reversed payment's interest and tax given back.
    InterestReversed,
    InterestTaxReversed,
}

impl EntryKind {
    pub const ALL: [EntryKind; 16] = [
        EntryKind::Settlement,
        EntryKind::SettlementChanged,
        EntryKind::InvoicePaid,
        EntryKind::PaymentReversed,
        EntryKind::InvoiceCancelled,
        EntryKind::Refund,
        EntryKind::CreditLimitChanged,
        EntryKind::ToleranceChanged,
        EntryKind::ManualDebit,
        EntryKind::ManualCredit,
        EntryKind::WriteOff,
        EntryKind::WriteOffReversed,
        EntryKind::Interest,
        EntryKind::InterestTax,
        EntryKind::InterestReversed,
        EntryKind::InterestTaxReversed,
    ];

    /// The stored name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Settlement => "Settlement",
            EntryKind::SettlementChanged => "SettlementChanged",
            EntryKind::InvoicePaid => "InvoicePaid",
            EntryKind::PaymentReversed => "PaymentReversed",
            EntryKind::InvoiceCancelled => "InvoiceCancelled",
            EntryKind::Refund => "Refund",
            EntryKind::CreditLimitChanged => "CreditLimitChanged",
            EntryKind::ToleranceChanged => "ToleranceChanged",
            EntryKind::ManualDebit => "ManualDebit",
            EntryKind::ManualCredit => "ManualCredit",
            EntryKind::WriteOff => "WriteOff",
            EntryKind::WriteOffReversed => "WriteOffReversed",
            EntryKind::Interest => "Interest",
            EntryKind::InterestTax => "InterestTax",
            EntryKind::InterestReversed => "InterestReversed",
            EntryKind::InterestTaxReversed => "InterestTaxReversed",
        }
    }

    pub fn from_name(name: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn origin(self) -> Origin {
        match self {
            EntryKind::Settlement | EntryKind::SettlementChanged | EntryKind::InvoiceCancelled => {
                Origin::Invoice
            }
            EntryKind::InvoicePaid | EntryKind::PaymentReversed => Origin::Payment,
            EntryKind::Refund
            | EntryKind::CreditLimitChanged
            | EntryKind::ToleranceChanged
            | EntryKind::WriteOff
            | EntryKind::WriteOffReversed => Origin::Credit,
            EntryKind::ManualDebit | EntryKind::ManualCredit => Origin::Statement,
            EntryKind::Interest
            | EntryKind::InterestTax
            | EntryKind::InterestReversed
            | EntryKind::InterestTaxReversed => Origin::Interest,
        }
    }

    /// Whether the entry moves the balance (limit and tolerance changes do not).
    pub fn counts_in_balance(self) -> bool {
        !matches!(
            self,
            EntryKind::CreditLimitChanged | EntryKind::ToleranceChanged
        )
    }
}

/// One movement. `value` is signed: positive credits the buyer (payments, refunds, cancelled
/// debt), negative debits them (settlements, manual debits). For limit and tolerance changes it
/// is the change of the credit ceiling, and does not count in the balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    pub account_id: AccountId,
    pub kind: EntryKind,
    pub value: Money,
    pub at: Timestamp,
    pub actor: Actor,
    pub transaction_id: Option<TransactionId>,
    pub installment: Option<u16>,
    pub number_of_installments: Option<u16>,
    pub statement_id: Option<StatementId>,
    pub reason: Option<String>,
    /// The credit the entry posts or reverses.
    #[serde(default)]
    pub credit: Option<CreditLocator>,
    /// The operation type the company-credit API gave it (a balance operation's); `None`: the
    /// one its kind has ([`crate::company::operation_types`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<crate::company::OperationType>,
    /// A purchase order number the company-credit API gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order: Option<String>,
}

impl Entry {
    pub fn origin(&self) -> Origin {
        self.kind.origin()
    }

    /// The entry's effect on the balance.
    pub fn balance_effect(&self) -> i64 {
        if self.kind.counts_in_balance() {
            self.value.minor()
        } else {
            0
        }
    }
}

/// An account's entries within `[from, to)` and the balances around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub entries: Vec<Entry>,
    /// Balance before `from`.
    pub previous_balance: Money,
    /// Sum of the window's balance entries.
    pub interval_balance: Money,
    /// Balance at the end of the window: `previous + interval`.
    pub current_balance: Money,
}

/// The statement window from query parameters: `dateFrom` and `dateTo`, both included (a date
/// `YYYY-MM-DD` as `dateTo` covers its whole day), either may be left out. Returns `[from, to)`.
pub fn window_from_query(
    params: &[(String, String)],
) -> Result<(Option<Timestamp>, Option<Timestamp>), crate::validation::ValidationErrors> {
    let mut errors = crate::validation::ValidationErrors::new();
    let (mut from, mut to) = (None, None);
    for (key, value) in params {
        let (slot, parsed) = match key.as_str() {
            "dateFrom" => (&mut from, value.parse::<Timestamp>()),
            "dateTo" => (&mut to, Timestamp::parse_upper_bound(value)),
            _ => {
                errors.push(
                    key.as_str(),
                    "unknown parameter; the parameters are dateFrom, dateTo",
                );
                continue;
            }
        };
        match parsed {
            Ok(at) if slot.is_none() => *slot = Some(at),
            Ok(_) => errors.push(key.as_str(), "is given twice"),
            Err(e) => errors.push(key.as_str(), e.to_string()),
        }
    }
    errors.into_result((from, to))
}

/// The statement of `entries` (all of an account's, any order) for `[from, to)`; open ends when
/// `None`. Entries are listed oldest first.
pub fn statement(entries: &[Entry], from: Option<Timestamp>, to: Option<Timestamp>) -> Statement {
    let before = |e: &&Entry| from.is_some_and(|from| e.at < from);
    let within = |e: &&Entry| from.is_none_or(|from| e.at >= from) && to.is_none_or(|to| e.at < to);
    let sum = |it: &mut dyn Iterator<Item = &Entry>| it.map(Entry::balance_effect).sum::<i64>();
    let previous = sum(&mut entries.iter().filter(before));
    let mut window: Vec<Entry> = entries.iter().filter(within).cloned().collect();
    crate::order::sort_by_key(&mut window, |e| e.at);
    let interval = sum(&mut window.iter());
    let money = Money::saturating_from_minor;
    Statement {
        entries: window,
        previous_balance: money(previous),
        interval_balance: money(interval),
        current_balance: money(previous + interval),
    }
}
