//! Money: an exact amount of the store currency with two fractional digits.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decimal;

/// An amount in the store currency, exact to the cent.
///
/// Invariants: at most [`Money::SCALE`] fractional digits (more are refused, never rounded:
/// `1.005` is an error, `1.50` and `1.500` are the same amount). An amount a client sends is at
/// most [`Money::MAX`] in absolute value; sums (balances, totals) may reach
/// [`Money::TOTAL_MAX_MINOR`]. Stored as integer minor units ([`Money::minor`]).
///
/// ```
/// use creditdesk_core::Money;
/// let price: Money = "19.90".parse().unwrap();
/// assert_eq!(price.minor(), 1990);
/// assert!("19.999".parse::<Money>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

/// Zero with its two decimals ([`Money::ZERO`]), so that it reads `0.00` like every amount.
impl Default for Money {
    fn default() -> Money {
        Money::ZERO
    }
}

/// Why a value is not an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    NotANumber,
    TooManyDecimals,
    OutOfRange,
    Negative,
}

impl std::fmt::Display for MoneyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoneyError::NotANumber => f.write_str("must be an amount such as 150 or 150.25"),
            MoneyError::TooManyDecimals => f.write_str("must have at most 2 decimal places"),
            MoneyError::OutOfRange => {
                write!(f, "must be at most {} in absolute value", Money::MAX)
            }
            MoneyError::Negative => f.write_str("must not be negative"),
        }
    }
}

impl std::error::Error for MoneyError {}

impl From<decimal::DecimalError> for MoneyError {
    /// A number too large is out of range; one with more digits than a decimal holds has more
    /// decimal places than allowed (in range, over 28 digits means many decimals).
    fn from(error: decimal::DecimalError) -> Self {
        match error {
            decimal::DecimalError::NotANumber => MoneyError::NotANumber,
            decimal::DecimalError::TooLarge => MoneyError::OutOfRange,
            decimal::DecimalError::TooManyDigits => MoneyError::TooManyDecimals,
        }
    }
}

impl Money {
    /// Fractional digits of every amount.
    pub const SCALE: u32 = 2;
    /// The largest amount a client may send: 1,000,000,000.00.
    pub const MAX: Money = Money(Decimal::from_parts(1_215_752_192, 23, 0, false, 2));
    pub const MAX_MINOR: i64 = 100_000_000_000;
    /// The largest sum in minor units (10^15 in major units: a million amounts of [`Money::MAX`]);
    /// far inside `i64`.
    pub const TOTAL_MAX_MINOR: i64 = 100_000_000_000_000_000;
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, 2));

    /// From integer minor units (cents), up to [`Money::TOTAL_MAX_MINOR`].
    pub fn from_minor(minor: i64) -> Result<Money, MoneyError> {
        if minor.unsigned_abs() > Self::TOTAL_MAX_MINOR as u64 {
            return Err(MoneyError::OutOfRange);
        }
        Ok(Money(Decimal::new(minor, Self::SCALE)))
    }

    /// From minor units, clamped to ±[`Money::TOTAL_MAX_MINOR`] (for derived figures only).
    pub fn saturating_from_minor(minor: i64) -> Money {
        Money(Decimal::new(
            minor.clamp(-Self::TOTAL_MAX_MINOR, Self::TOTAL_MAX_MINOR),
            Self::SCALE,
        ))
    }

    /// Integer minor units (cents), the storage form.
    pub fn minor(self) -> i64 {
        // The invariant keeps the mantissa within ±TOTAL_MAX_MINOR at scale 2.
        self.0.mantissa() as i64
    }

    /// The exact amount.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// `self + other`, `None` beyond [`Money::TOTAL_MAX_MINOR`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::from_minor(self.minor().checked_add(other.minor())?).ok()
    }

    pub fn negated(self) -> Money {
        Money::from_minor(-self.minor()).expect("the range is symmetric")
    }

    pub fn is_positive(self) -> bool {
        self.minor() > 0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// From a JSON number or numeric string, exactly.
    pub fn from_json(value: &serde_json::Value) -> Result<Money, MoneyError> {
        let amount = decimal::from_json(value).map_err(MoneyError::from)?;
        Money::try_from(amount)
    }

    /// Like [`Money::from_json`], refusing amounts below zero.
    pub fn non_negative_from_json(value: &serde_json::Value) -> Result<Money, MoneyError> {
        let money = Money::from_json(value)?;
        if money.is_negative() {
            return Err(MoneyError::Negative);
        }
        Ok(money)
    }
}

impl TryFrom<Decimal> for Money {
    type Error = MoneyError;

    fn try_from(amount: Decimal) -> Result<Self, Self::Error> {
        let mut amount = amount.normalize();
        if amount.scale() > Self::SCALE {
            return Err(MoneyError::TooManyDecimals);
        }
        if amount.abs() > Self::MAX.0 {
            return Err(MoneyError::OutOfRange);
        }
        amount.rescale(Self::SCALE);
        if amount.is_zero() {
            return Ok(Money::ZERO);
        }
        Ok(Money(amount))
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let amount =
            decimal::parse_text(text, decimal::Notation::Plain).map_err(MoneyError::from)?;
        Money::try_from(amount)
    }
}

impl std::fmt::Display for Money {
    /// Plain decimal with two digits: `1234.50`, `-3.00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        decimal::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Money::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_constants_agree() {
        assert_eq!(Money::MAX.minor(), Money::MAX_MINOR);
        assert_eq!(Money::MAX.to_string(), "1000000000.00");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }
}
