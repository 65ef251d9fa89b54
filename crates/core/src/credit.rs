//! Credits: what reduces an invoice's debt besides refunds — payments, the merchant's write-offs,
//! and the write-off of a shortfall within the store's tolerance — as ledger facts.
//!
//! A credit is never edited: it is posted once and may be reversed once (a reversal is recorded
//! on it and as its own entry). Each goes to one invoice (its `targets` on the wire).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, Actor, InvoiceId};
use crate::interest::ChargedInterest;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::ledger::EntryKind;
use crate::money::Money;
use crate::timestamp::Timestamp;

/// Most characters of a payer's reference (a bank transfer's text, say).
pub const REFERENCE_CHARS_MAX: u32 = 64;

/// The characters of a ULID (Crockford's base 32: no I, L, O or U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A credit's locator: a ULID (26 characters of Crockford's base 32, time first, so locators sort
/// by creation), written upper case. Made by the server from its clock and 80 random bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditLocator(String);

impl CreditLocator {
    /// The locator of a credit made at `unix_ms` with these random bits.
    pub fn new(unix_ms: u64, random: [u8; 10]) -> CreditLocator {
        let mut value: u128 = u128::from(unix_ms & ((1 << 48) - 1)) << 80;
        for (i, byte) in random.iter().enumerate() {
            value |= u128::from(*byte) << (8 * (9 - i));
        }
        let text = (0..26)
            .rev()
            .map(|i| char::from(CROCKFORD[((value >> (5 * i)) & 31) as usize]))
            .collect();
        CreditLocator(text)
    }

    /// The locator of a credit made at `now` (its millisecond) with these random bits.
    pub fn at(now: Timestamp, random: [u8; 10]) -> CreditLocator {
        CreditLocator::new(u64::try_from(now.unix_micros() / 1000).unwrap_or(0), random)
    }

    /// `count` ULIDs made at `now`, these random bits first, then the next ones — a monotonic
    /// run, so they sort in the order made. Random bits too near the top to count on are taken
    /// lower.
    pub fn successive(now: Timestamp, random: [u8; 10], count: u16) -> Vec<CreditLocator> {
        let mut wide = [0u8; 16];
        wide[6..].copy_from_slice(&random);
        let first = u128::from_be_bytes(wide).min((1 << 80) - u128::from(count.max(1)));
        (0..u128::from(count))
            .map(|i| {
                let mut bits = [0u8; 10];
                bits.copy_from_slice(&(first + i).to_be_bytes()[6..]);
                CreditLocator::at(now, bits)
            })
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CreditLocator {
    type Err = &'static str;

    /// 26 characters of Crockford's base 32 in either letter case, the first at most `7`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const MESSAGE: &str = "must be a ULID: 26 characters of 0-9 and A-Z without I, L, O, U";
        let upper = text.to_ascii_uppercase();
        let valid = upper.len() == 26
            && upper.bytes().all(|b| CROCKFORD.contains(&b))
            && upper.as_bytes()[0] <= b'7';
        if valid {
            Ok(CreditLocator(upper))
        } else {
            Err(MESSAGE)
        }
    }
}

impl fmt::Display for CreditLocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CreditLocator {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditLocator {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a credit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CreditKind {
    /// Money the buyer paid.
    Payment,
    /// What the merchant wrote off an open invoice, with a reason.
    WriteOff,
    /// What a payment left unpaid within the store's `shortfallTolerance`, written off with it.
    ShortfallWriteOff,
}

impl CreditKind {
    pub const ALL: [CreditKind; 3] = [
        CreditKind::Payment,
        CreditKind::WriteOff,
        CreditKind::ShortfallWriteOff,
    ];

    /// The name the API writes and storage keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditKind::Payment => "payment",
            CreditKind::WriteOff => "writeOff",
            CreditKind::ShortfallWriteOff => "shortfallWriteOff",
        }
    }

    pub fn from_name(name: &str) -> Option<CreditKind> {
        CreditKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the credit is money received (else a write-off).
    pub fn is_payment(self) -> bool {
        self == CreditKind::Payment
    }

    /// The entry that posts a credit of this kind.
    pub fn posted_entry(self) -> EntryKind {
        if self.is_payment() {
            EntryKind::InvoicePaid
        } else {
            EntryKind::WriteOff
        }
    }

    /// The entry that reverses a credit of this kind.
    pub fn reversed_entry(self) -> EntryKind {
        if self.is_payment() {
            EntryKind::PaymentReversed
        } else {
            EntryKind::WriteOffReversed
        }
    }
}

/// Whether a credit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CreditState {
    Posted,
    Reversed,
}

/// A credit's reversal: why, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reversal {
    pub reason: String,
    pub at: Timestamp,
    pub actor: Actor,
}

/// One credit on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credit {
    pub locator: CreditLocator,
    pub kind: CreditKind,
    pub account_id: AccountId,
    pub invoice_id: InvoiceId,
    /// Always above zero.
    pub amount: Money,
    /// The payer's reference (payments).
    pub reference: Option<String>,
    /// Why it was written off (write-offs).
    pub reason: Option<String>,
    /// A shortfall write-off: the payment whose shortfall it closed.
    pub parent: Option<CreditLocator>,
    pub created_at: Timestamp,
    pub actor: Actor,
    pub reversal: Option<Reversal>,
    /// A payment of an overdue invoice: the interest and tax it charged first (part of
    /// `amount`; the rest paid the invoice).
    #[serde(default)]
    pub interest: Option<ChargedInterest>,
}

impl Credit {
    pub fn state(&self) -> CreditState {
        if self.reversal.is_some() {
            CreditState::Reversed
        } else {
            CreditState::Posted
        }
    }

    pub fn is_posted(&self) -> bool {
        self.reversal.is_none()
    }

    /// What it took off its invoice's debt: the amount, less the interest and tax it charged.
    pub fn principal(&self) -> Money {
        let charged = self.interest.map_or(0, |i| i.total().minor());
        Money::saturating_from_minor(self.amount.minor() - charged)
    }
}

/// The locators a payment may need: its own, and its shortfall write-off's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLocators {
    pub payment: CreditLocator,
    pub shortfall: CreditLocator,
}

impl PaymentLocators {
    /// Both made at `now`: the payment's with these random bits, the shortfall's with the next
    /// ones (a monotonic ULID), so a shortfall write-off always sorts right after its payment.
    /// Random bits all ones have no next: they are taken one lower for the payment.
    pub fn at(now: Timestamp, random: [u8; 10]) -> PaymentLocators {
        let mut both = CreditLocator::successive(now, random, 2).into_iter();
        let (Some(payment), Some(shortfall)) = (both.next(), both.next()) else {
            unreachable!("two locators were asked for");
        };
        PaymentLocators { payment, shortfall }
    }
}

/// Who recorded the payments of invoices paid before credits existed.
pub const LEGACY_ACTOR: &str = "creditdesk-upgrade";

/// Gives an invoice paid before credits existed (stored `Paid` with no paid value) its payment
/// credit: all of its value, at the time it was resolved, under a locator made from the
/// invoice's ids — the same whoever upgrades it (a dump read, or storage at start), so doing it
/// twice makes one credit. The invoice is changed to carry it; `None` (nothing changed) when it
/// needs no upgrade.
pub fn upgrade_legacy(invoice: &mut Invoice) -> Option<Credit> {
    let legacy = invoice.status == InvoiceStatus::Paid
        && !invoice.has_credits()
        && invoice.value.is_positive();
    if !legacy {
        return None;
    }
    let at = invoice.resolved_at.unwrap_or(invoice.updated_at);
    let key = format!("{}\u{0}{}", invoice.account_id, invoice.id);
    let (a, b) = (
        fnv1a(&key, 0xcbf2_9ce4_8422_2325),
        fnv1a(&key, 0x8422_2325_cbf2_9ce4),
    );
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a.to_be_bytes());
    random[8..].copy_from_slice(&b.to_be_bytes()[..2]);
    let credit = Credit {
        locator: CreditLocator::at(at, random),
        kind: CreditKind::Payment,
        account_id: invoice.account_id.clone(),
        invoice_id: invoice.id.clone(),
        amount: invoice.value,
        reference: None,
        reason: None,
        parent: None,
        created_at: at,
        actor: LEGACY_ACTOR.parse().expect("a valid actor"),
        reversal: None,
        interest: None,
    };
    invoice.credit(credit.kind, credit.amount.minor());
    Some(credit)
}

fn fnv1a(text: &str, seed: u64) -> u64 {
    text.bytes().fold(seed, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
