//! The company-credit API's model over the same book (its history's operation types, for now).
//!
//! Rules (also in `docs/company-credit-api.md`):
//! - Every ledger entry, whichever API made it, has one operation type of that platform:
//!   1 Allocated, 2 Updated, 3 Purchased, 4 Reimbursed, 5 Refunded, 6 Reverted — by
//!   [`operation_types`], one table for every entry kind:
//!
//! | entry | operation type |
//! |---|---|
//! | the account's first `CreditLimitChanged` | 1 Allocated |
//! | a later `CreditLimitChanged`, `ToleranceChanged` | 2 Updated |
//! | `WriteOff` (the merchant's, or a shortfall's) | 2 Updated |
//! | `Interest`, `InterestTax` (charged with a payment) | 2 Updated |
//! | `Settlement`, `ManualDebit` | 3 Purchased |
//! | `SettlementChanged` that raises what is owed | 3 Purchased |
//! | `InvoicePaid` (a payment) | 4 Reimbursed |
//! | `Refund` | 5 Refunded |
//! | `SettlementChanged` that lowers what is owed | 5 Refunded |
//! | `InvoiceCancelled`, `PaymentReversed`, `WriteOffReversed`, `InterestReversed`, `InterestTaxReversed` | 6 Reverted |
//!
//! - **Decision**: write-offs and interest are the seller's adjustments of the balance (2
//!   Updated), not purchases or reimbursements: the buyer neither bought nor paid anything.

use crate::ledger::{Entry, EntryKind};

/// What an operation on a company's credit was, as that platform numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationType {
    Allocated,
    Updated,
    Purchased,
    Reimbursed,
    Refunded,
    Reverted,
}

impl OperationType {
    pub const ALL: [OperationType; 6] = [
        OperationType::Allocated,
        OperationType::Updated,
        OperationType::Purchased,
        OperationType::Reimbursed,
        OperationType::Refunded,
        OperationType::Reverted,
    ];

    /// Its number on the wire (`1` Allocated … `6` Reverted).
    pub fn code(self) -> u8 {
        match self {
            OperationType::Allocated => 1,
            OperationType::Updated => 2,
            OperationType::Purchased => 3,
            OperationType::Reimbursed => 4,
            OperationType::Refunded => 5,
            OperationType::Reverted => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<OperationType> {
        OperationType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Its name, as that platform's admin writes it.
    pub fn name(self) -> &'static str {
        match self {
            OperationType::Allocated => "Allocated",
            OperationType::Updated => "Updated",
            OperationType::Purchased => "Purchased",
            OperationType::Reimbursed => "Reimbursed",
            OperationType::Refunded => "Refunded",
            OperationType::Reverted => "Reverted",
        }
    }
}

/// The operation type of each of an account's `entries` (in the book's order): the table of
/// the module's rules.
pub fn operation_types(entries: &[Entry]) -> Vec<OperationType> {
    let mut limit_seen = false;
    entries
        .iter()
        .map(|entry| match entry.kind {
            EntryKind::CreditLimitChanged if !limit_seen => {
                limit_seen = true;
                OperationType::Allocated
            }
            EntryKind::CreditLimitChanged
            | EntryKind::ToleranceChanged
            | EntryKind::WriteOff
            | EntryKind::Interest
            | EntryKind::InterestTax => OperationType::Updated,
            EntryKind::Settlement | EntryKind::ManualDebit => OperationType::Purchased,
            EntryKind::SettlementChanged if entry.value.is_positive() => OperationType::Refunded,
            EntryKind::SettlementChanged => OperationType::Purchased,
            EntryKind::InvoicePaid => OperationType::Reimbursed,
            EntryKind::Refund => OperationType::Refunded,
            EntryKind::InvoiceCancelled
            | EntryKind::PaymentReversed
            | EntryKind::WriteOffReversed
            | EntryKind::InterestReversed
            | EntryKind::InterestTaxReversed => OperationType::Reverted,
        })
        .collect()
}
