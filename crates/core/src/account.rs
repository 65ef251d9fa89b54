//! Credit accounts, their holders, and what they may spend.

use serde::{Deserialize, Serialize};

use crate::company::CompanyTerms;
use crate::ids::{AccountId, Document, DocumentType, Email, HolderId};
use crate::money::Money;
use crate::rate::Rate;
use crate::timestamp::Timestamp;

/// Most characters of an account's description.
pub const DESCRIPTION_CHARS_MAX: u32 = 500;
/// Most extra holders on one account.
pub const HOLDERS_MAX: u8 = 20;
/// The level of holders added to an account (the owner is level 1).
pub const HOLDER_LEVEL: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountStatus {
    Open,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Open => "Open",
            AccountStatus::Closed => "Closed",
        }
    }
}

impl std::str::FromStr for AccountStatus {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [AccountStatus::Open, AccountStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or("must be Open or Closed")
    }
}

/// A buyer's credit account.
///
/// `balance` is the running total of the account's balance entries (credits − debits; negative
/// means the buyer owes). It changes only together with the entry that explains it, and
/// [`crate::book::Book::check_invariants`] holds it to the sum of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    pub id: AccountId,
    pub document: Document,
    pub document_type: DocumentType,
    /// `None` for accounts opened automatically at checkout (no email was known).
    pub email: Option<Email>,
    pub description: Option<String>,
    pub credit_limit: Money,
    /// Extra credit above the limit, as a fraction of it, when the store enables tolerance.
    pub tolerance: Rate,
    pub status: AccountStatus,
    pub balance: Money,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Its numbers and terms in the company-credit API ([`crate::company`]).
    #[serde(default)]
    pub company: CompanyTerms,
}

/// Someone else allowed to buy on the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Holder {
    pub id: HolderId,
    pub email: Email,
    pub level: u8,
    pub created_at: Timestamp,
}

/// What an account may spend, at one instant. Amounts may be negative (an account over its
/// limit after the limit was lowered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balances {
    pub credit_limit: Money,
    pub balance: Money,
    /// Sum of the holds still active.
    pub pre_authorized_credit: Money,
    /// `credit_limit + balance − pre_authorized_credit`.
    pub available_balance: Money,
    /// `available_balance + credit_limit × tolerance` when the store enables tolerance, else
    /// `available_balance`: the ceiling for a new hold.
    pub available_credit: Money,
}

/// The extra credit tolerance gives: `limit × tolerance`, rounded down to the cent (the buyer
/// never gets a cent more than the rate allows).
pub fn tolerance_amount(credit_limit: Money, tolerance: Rate) -> Money {
    let extra = (credit_limit.amount() * tolerance.fraction())
        .round_dp_with_strategy(Money::SCALE, rust_decimal::RoundingStrategy::ToZero);
    Money::try_from(extra).expect("at most the limit itself")
}

impl Balances {
    pub fn compute(
        account: &Account,
        pre_authorized_credit: Money,
        tolerance_enabled: bool,
    ) -> Balances {
        Balances::of(
            account.credit_limit,
            account.tolerance,
            account.balance,
            pre_authorized_credit,
            tolerance_enabled,
        )
    }

    /// The balances of an account with this limit, tolerance, balance and holds.
    pub fn of(
        credit_limit: Money,
        tolerance: Rate,
        balance: Money,
        pre_authorized_credit: Money,
        tolerance_enabled: bool,
    ) -> Balances {
        let money = |minor: i64| Money::saturating_from_minor(minor);
        let available_balance =
            money(credit_limit.minor() + balance.minor() - pre_authorized_credit.minor());
        let available_credit = if tolerance_enabled {
            money(available_balance.minor() + tolerance_amount(credit_limit, tolerance).minor())
        } else {
            available_balance
        };
        Balances {
            credit_limit,
            balance,
            pre_authorized_credit,
            available_balance,
            available_credit,
        }
    }
}
