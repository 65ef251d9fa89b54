//! Splitting a settled value into installments, and their due dates.

use crate::money::Money;
use crate::timestamp::Timestamp;

/// Most installments one transaction may have.
pub const INSTALLMENTS_MAX: u16 = 48;
/// Days between a settlement and its first due date, and between due dates.
pub const INSTALLMENT_INTERVAL_DAYS: u32 = 30;

/// Splits `total` into `count` installments of equal cents, the remainder on the first, so the
/// parts add up to `total` exactly. `None` when `count` is 0 or above [`INSTALLMENTS_MAX`], when
/// `total` is negative, or when it has fewer cents than installments (no installment may be 0).
///
/// ```
/// use creditdesk_core::{installments::split, Money};
/// let parts = split("100.00".parse().unwrap(), 3).unwrap();
/// assert_eq!(parts.iter().map(|m| m.to_string()).collect::<Vec<_>>(), ["33.34", "33.33", "33.33"]);
/// ```
pub fn split(total: Money, count: u16) -> Option<Vec<Money>> {
    if count == 0
        || count > INSTALLMENTS_MAX
        || total.is_negative()
        || total.minor() < i64::from(count)
    {
        return None;
    }
    Some(spread(total, count))
}

/// Spreads `extra` over `count` parts: equal cents, the remainder on the first part.
pub fn spread(extra: Money, count: u16) -> Vec<Money> {
    if count == 0 {
        return Vec::new();
    }
    let count_minor = i64::from(count);
    let base = extra.minor() / count_minor;
    let first = extra.minor() - base * (count_minor - 1);
    let money = |minor| Money::from_minor(minor).expect("a part of an amount in range");
    (0..count)
        .map(|i| money(if i == 0 { first } else { base }))
        .collect()
}

/// Due date of installment `n` (1-based): `n × 30` days after `settled_at`.
pub fn due_date(settled_at: Timestamp, installment: u16) -> Option<Timestamp> {
    settled_at.plus_days(u32::from(installment) * INSTALLMENT_INTERVAL_DAYS)
}

/// One invoice a settlement creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// 1-based.
    pub installment: u16,
    pub value: Money,
    pub due_date: Timestamp,
}

/// The invoices settling `value` in `count` installments at `settled_at` creates: [`split`]
/// values, [`due_date`]s. The settlement itself uses it, and the admin shows it as a preview.
///
/// ```
/// use creditdesk_core::installments::plan;
/// let at = "2026-01-01T00:00:00Z".parse().unwrap();
/// let invoices = plan("10.00".parse().unwrap(), 3, at).unwrap();
/// assert_eq!(invoices[0].value.to_string(), "3.34");
/// assert_eq!(invoices[2].due_date.to_string(), "2026-04-01T00:00:00.0000000Z");
/// ```
pub fn plan(
    value: Money,
    count: u16,
    settled_at: Timestamp,
) -> Result<Vec<Planned>, crate::CreditError> {
    let parts = split(value, count).ok_or_else(|| {
        crate::CreditError::field(
            "value",
            format!("must be at least 0.01 for each of the {count} installments"),
        )
    })?;
    (1..=count)
        .zip(parts)
        .map(|(installment, value)| {
            let due_date =
                due_date(settled_at, installment).ok_or(crate::CreditError::OutOfRange)?;
            Ok(Planned {
                installment,
                value,
                due_date,
            })
        })
        .collect()
}
