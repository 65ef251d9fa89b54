//! Exact decimals at the JSON edge.
//!
//! Amounts and rates arrive as JSON numbers (`150.5`) or numeric strings (`"150.5"`). Both are
//! read from their text, never through `f64` (the workspace enables serde_json's
//! `arbitrary_precision`, so a number keeps the digits the client sent). Written back, a decimal
//! is a JSON number with exactly its digits.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serializer;
use serde_json::Value;

/// Why a JSON value is not a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Neither a JSON number nor a string holding one.
    NotANumber,
    /// Well formed, but beyond the 28 significant digits a decimal holds.
    TooLarge,
}

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecimalError::NotANumber => "must be a number",
            DecimalError::TooLarge => "is too large",
        })
    }
}

/// Parses a JSON number or numeric string exactly.
///
/// Strings must be plain decimals (`-12.34`, `7`); numbers may also use an exponent (`1e2`), as
/// JSON allows.
pub fn from_json(value: &Value) -> Result<Decimal, DecimalError> {
    match value {
        Value::Number(number) => parse_text(&number.to_string(), true),
        Value::String(text) => parse_text(text, false),
        _ => Err(DecimalError::NotANumber),
    }
}

/// Parses decimal text exactly: an optional `-`, digits, and an optional `.` with digits.
/// With `allow_exponent`, a JSON exponent (`e`/`E`, optional sign, digits) may follow.
pub fn parse_text(text: &str, allow_exponent: bool) -> Result<Decimal, DecimalError> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) if allow_exponent => (&text[..at], Some(&text[at + 1..])),
        Some(_) => return Err(DecimalError::NotANumber),
        None => (text, None),
    };
    let unsigned = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(DecimalError::NotANumber);
    }
    match exponent {
        None => Decimal::from_str_exact(mantissa).map_err(|_| DecimalError::TooLarge),
        Some(exponent) => {
            let unsigned = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
            if !digits(unsigned) {
                return Err(DecimalError::NotANumber);
            }
            Decimal::from_scientific(text).map_err(|_| DecimalError::TooLarge)
        }
    }
}

/// Writes a decimal as a JSON number with exactly its digits.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let number =
        serde_json::Number::from_str(&value.to_string()).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&number, serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str, expect: Result<&str, DecimalError>) {
        let value: Value = serde_json::from_str(json).unwrap();
        let got = from_json(&value).map(|d| d.to_string());
        assert_eq!(got.as_deref().map_err(|e| *e), expect, "input {json}");
    }

    #[test]
    fn parses_exactly() {
        check("150.5", Ok("150.5"));
        check("\"150.50\"", Ok("150.50"));
        check("0.30000000000000001", Ok("0.30000000000000001"));
        check("1e2", Ok("100"));
        check("-2.5E-1", Ok("-0.25"));
        check("\"1e2\"", Err(DecimalError::NotANumber));
        check("\" 1\"", Err(DecimalError::NotANumber));
        check("\"1.\"", Err(DecimalError::NotANumber));
        check("\".5\"", Err(DecimalError::NotANumber));
        check("\"\"", Err(DecimalError::NotANumber));
        check("true", Err(DecimalError::NotANumber));
        check("null", Err(DecimalError::NotANumber));
        check(
            "123456789012345678901234567890",
            Err(DecimalError::TooLarge),
        );
    }
}
