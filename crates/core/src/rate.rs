//! Rates: fractions such as interest, tax, tolerance and growth (`0.1` = 10 %).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decimal;

/// A fraction between 0 and 1 inclusive (`0.1` = 10 %), with at most [`Rate::SCALE_MAX`]
/// fractional digits. Never rounded: more digits are refused.
///
/// ```
/// use creditdesk_core::Rate;
/// assert_eq!("0.15".parse::<Rate>().unwrap().fraction().to_string(), "0.15");
/// assert!("1.5".parse::<Rate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(Decimal);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateError {
    NotANumber,
    OutOfRange,
    TooManyDecimals,
}

impl std::fmt::Display for RateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RateError::NotANumber => f.write_str("must be a fraction such as 0.1 (= 10%)"),
            RateError::OutOfRange => f.write_str("must be between 0 and 1 (0.1 = 10%)"),
            RateError::TooManyDecimals => {
                write!(f, "must have at most {} decimal places", Rate::SCALE_MAX)
            }
        }
    }
}

impl std::error::Error for RateError {}

impl From<decimal::DecimalError> for RateError {
    /// A number too large is out of range; one with more digits than a decimal holds has more
    /// decimal places than allowed (in range, over 28 digits means many decimals).
    fn from(error: decimal::DecimalError) -> Self {
        match error {
            decimal::DecimalError::NotANumber => RateError::NotANumber,
            decimal::DecimalError::TooLarge => RateError::OutOfRange,
            decimal::DecimalError::TooManyDigits => RateError::TooManyDecimals,
        }
    }
}

impl Rate {
    /// Most fractional digits a rate may have (0.000001 = one ten-thousandth of a percent).
    pub const SCALE_MAX: u32 = 6;
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    pub const ONE: Rate = Rate(Decimal::ONE);

    /// The fraction itself (`0.1` for 10 %).
    pub fn fraction(self) -> Decimal {
        self.0
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Rate, RateError> {
        let fraction = decimal::from_json(value).map_err(RateError::from)?;
        Rate::try_from(fraction)
    }
}

impl TryFrom<Decimal> for Rate {
    type Error = RateError;

    fn try_from(fraction: Decimal) -> Result<Self, Self::Error> {
        let fraction = fraction.normalize();
        if fraction < Decimal::ZERO || fraction > Decimal::ONE {
            return Err(RateError::OutOfRange);
        }
        if fraction.scale() > Self::SCALE_MAX {
            return Err(RateError::TooManyDecimals);
        }
        Ok(Rate(fraction))
    }
}

impl FromStr for Rate {
    type Err = RateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fraction =
            decimal::parse_text(text, decimal::Notation::Plain).map_err(RateError::from)?;
        Rate::try_from(fraction)
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        decimal::serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Rate::from_json(&value).map_err(serde::de::Error::custom)
    }
}
