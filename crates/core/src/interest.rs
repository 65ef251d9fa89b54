//! Overdue interest: simple daily interest on what is still owed on an invoice past its due date,
//! and the tax on that interest.
//!
//! Rules (also in `docs/credit-rules.md`):
//! - An open invoice accrues interest from its due date plus the store's `interestGraceDays`
//!   (or from where the interest already charged on it ends, whichever is later), for each
//!   **full** day (24 hours) since: `remaining × dailyInterestRate × days`, never compounded.
//! - Interest is rounded to the cent half away from zero; the tax is `taxRate` × that rounded
//!   interest, rounded the same way. Both are at most [`Money::MAX`].
//! - Accrued interest is not debt until it is charged: it does not move the balance or the
//!   available credit. A payment on an invoice that owes interest charges it first (two entries
//!   of origin `Interest`, the interest and its tax), and the rest pays the invoice; the charged
//!   days are not charged again ([`Invoice::interest_through`]).
//! - A cancellation or a write-off forgives the interest accrued (it was never charged).
//!   Postponing moves the due date, and so the start of the interest.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Money;
use crate::rate::Rate;
use crate::timestamp::Timestamp;

/// The store's interest policy (from its configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterestPolicy {
    /// Daily interest on what is owed (`0.001` = 0.1 % a day).
    pub daily_rate: Rate,
    /// Tax on the interest (`0.1` = 10 %).
    pub tax_rate: Rate,
    /// Days after the due date before interest starts.
    pub grace_days: u16,
}

impl InterestPolicy {
    /// No interest at all.
    pub const NONE: InterestPolicy = InterestPolicy {
        daily_rate: Rate::ZERO,
        tax_rate: Rate::ZERO,
        grace_days: 0,
    };
}

/// Interest an invoice owes at one moment (all zero when it owes none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accrued {
    /// Full days counted.
    pub days: u32,
    pub interest: Money,
    pub tax: Money,
    /// Where the counted days start, and end (`from` + `days` days); `None` with no days.
    pub period: Option<(Timestamp, Timestamp)>,
}

impl Accrued {
    /// Interest and tax together.
    pub fn total(&self) -> Money {
        Money::saturating_from_minor(self.interest.minor() + self.tax.minor())
    }

    /// What the buyer must pay to settle an invoice with `remaining` left: that, plus this
    /// interest and its tax (what [`crate::commands::Pay::amount_of`] allows at most).
    pub fn amount_due(&self, remaining: Money) -> Money {
        Money::saturating_from_minor(remaining.minor() + self.total().minor())
    }
}

/// Interest charged with a payment: how much, its tax, and the days it paid for (so a reversal
/// can give them back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargedInterest {
    pub interest: Money,
    pub tax: Money,
    /// The invoice's `interest_through` before this charge (`None`: nothing charged before).
    pub from: Option<Timestamp>,
    /// Where the days it paid for end (the invoice's `interest_through` after it).
    pub through: Timestamp,
}

impl ChargedInterest {
    /// Interest and tax together.
    pub fn total(&self) -> Money {
        Money::saturating_from_minor(self.interest.minor() + self.tax.minor())
    }
}

/// When interest on `invoice` starts counting under `policy`: the due date plus the grace days,
/// or where the interest already charged ends, whichever is later.
fn start(invoice: &Invoice, policy: &InterestPolicy) -> Timestamp {
    let graced = invoice
        .due_date
        .plus_days(u32::from(policy.grace_days))
        .unwrap_or(Timestamp::MAX);
    invoice.interest_through.map_or(graced, |t| t.max(graced))
}

/// `amount × fraction`, rounded to the cent half away from zero, at most [`Money::MAX`].
fn share(amount: Decimal, fraction: Decimal) -> Money {
    let exact = amount
        .checked_mul(fraction)
        .unwrap_or(Money::MAX.amount())
        .round_dp_with_strategy(Money::SCALE, RoundingStrategy::MidpointAwayFromZero);
    Money::try_from(exact.min(Money::MAX.amount())).unwrap_or(Money::MAX)
}

/// What `invoice` owes in interest at `now` under `policy`: nothing unless it is open, owes
/// something, and at least one full day has passed since interest starts.
pub fn accrued(invoice: &Invoice, policy: &InterestPolicy, now: Timestamp) -> Accrued {
    let remaining = invoice.remaining();
    if invoice.status != InvoiceStatus::Opened
        || !remaining.is_positive()
        || policy.daily_rate == Rate::ZERO
    {
        return Accrued::default();
    }
    let from = start(invoice, policy);
    let days = full_days(from, now);
    if days == 0 {
        return Accrued::default();
    }
    let through = from.plus_days(days).unwrap_or(Timestamp::MAX);
    let interest = share(
        remaining.amount(),
        policy.daily_rate.fraction() * Decimal::from(days),
    );
    let tax = share(interest.amount(), policy.tax_rate.fraction());
    Accrued {
        days,
        interest,
        tax,
        period: Some((from, through)),
    }
}

/// Full days `invoice` is late at `now` (0 when it is not open or not yet past its due date).
pub fn days_late(invoice: &Invoice, now: Timestamp) -> u32 {
    if invoice.status != InvoiceStatus::Opened {
        return 0;
    }
    full_days(invoice.due_date, now)
}

/// Full days (24 hours) from `from` to `now`; 0 when `now` is not later.
fn full_days(from: Timestamp, now: Timestamp) -> u32 {
    u32::try_from(from.days_until(now).max(0)).unwrap_or(u32::MAX)
}
