//! Pre-authorizations ("transactions" in the API): holds on an account's credit that are settled
//! into invoices, cancelled, or expire.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, TransactionId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// Days a hold created with `settle = true` stays active without an explicit expiration date.
pub const SETTLE_HOLD_DAYS: u32 = 30;
/// Latest expiration a hold may be given, in days from its creation.
pub const HOLD_DAYS_MAX: u32 = 365;
/// Most characters of an order id.
pub const ORDER_ID_CHARS_MAX: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransactionStatus {
    /// Holding credit (until `expires_at`).
    Authorized,
    /// Turned into invoices.
    Settled,
    Cancelled,
    /// Its time passed unsettled (set by the sweep; a hold past `expires_at` counts as expired
    /// whether or not the sweep has run).
    Expired,
}

impl std::str::FromStr for TransactionStatus {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use TransactionStatus::*;
        [Authorized, Settled, Cancelled, Expired]
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or("must be Authorized, Settled, Cancelled or Expired")
    }
}

impl TransactionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionStatus::Authorized => "Authorized",
            TransactionStatus::Settled => "Settled",
            TransactionStatus::Cancelled => "Cancelled",
            TransactionStatus::Expired => "Expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transaction {
    pub id: TransactionId,
    pub account_id: AccountId,
    pub order_id: String,
    /// The value held now (changed by updates).
    pub value: Money,
    /// The value first held: updates may grow it by the store's growth rate at most.
    pub original_value: Money,
    pub installments: u16,
    /// Created with `settle = true` (checkout will settle it; it cannot be cancelled).
    pub settle: bool,
    pub status: TransactionStatus,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Value of the settlement (0 until settled).
    pub settled_value: Money,
    /// Refunds so far (never more than `settled_value`).
    pub refunded_value: Money,
    pub settled_at: Option<Timestamp>,
}

impl Transaction {
    /// Whether the hold still holds credit at `now`.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.status == TransactionStatus::Authorized && now < self.expires_at
    }

    /// The credit this transaction holds at `now`: what it [reserves](Transaction::reserved)
    /// until its time runs out.
    pub fn held(&self, now: Timestamp) -> Money {
        if now < self.expires_at {
            self.reserved()
        } else {
            Money::ZERO
        }
    }

    /// What may still be refunded of its settlement (nothing before it is settled).
    pub fn refundable(&self) -> Money {
        Money::saturating_from_minor(self.settled_value.minor() - self.refunded_value.minor())
    }

    /// Whether the hold may be cancelled at `now`: one created for checkout to settle never
    /// may, and only an active hold may.
    pub fn cancellable(&self, now: Timestamp) -> Result<(), crate::CreditError> {
        if self.settle {
            return Err(crate::CreditError::NotCancellable);
        }
        match self.status_at(now) {
            TransactionStatus::Authorized => Ok(()),
            status => Err(crate::CreditError::NotAuthorized { status }),
        }
    }

    /// The credit this transaction reserves while its time lasts: its value while `Authorized`,
    /// nothing once settled, cancelled or expired. Storage keeps the sum per account (so a hot
    /// account's holds are not summed on every command) and subtracts those past their time.
    pub fn reserved(&self) -> Money {
        if self.status == TransactionStatus::Authorized {
            self.value
        } else {
            Money::ZERO
        }
    }

    /// The status as seen at `now` (an authorized hold past its time is expired).
    pub fn status_at(&self, now: Timestamp) -> TransactionStatus {
        if self.status == TransactionStatus::Authorized && now >= self.expires_at {
            TransactionStatus::Expired
        } else {
            self.status
        }
    }
}
