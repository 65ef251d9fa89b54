//! Exact decimals at the JSON edge.
//!
//! Amounts and rates arrive as JSON numbers (`150.5`) or numeric strings (`"150.5"`). Both are
//! read from their text, never through `f64` (the workspace enables serde_json's
//! `arbitrary_precision`, so a number keeps the digits the client sent). Written back, a decimal
//! is a JSON number with exactly its digits.
//!
//! The reader is exact in every notation: `1.5`, `15e-1` and `0.15E1` are the same value, and a
//! value that needs more digits than a decimal holds (28 significant, 28 after the point) is
//! refused as [`DecimalError::TooManyDigits`], never rounded — `1.999999999999999999999999999999e0`
//! is not 2. Trailing zeros carry no digits (`1.000…0` of any length is 1).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serializer;
use serde_json::Value;

/// Why a JSON value is not a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Neither a JSON number nor a string holding one.
    NotANumber,
    /// Well formed, but 10^28 or more in absolute value.
    TooLarge,
    /// Well formed and not too large, but with more significant or fractional digits than the
    /// [`DIGITS_MAX`] a decimal holds (`1e-999999`, 31 significant digits).
    TooManyDigits,
}

/// Most significant digits, and most digits after the point, of a decimal.
pub const DIGITS_MAX: u32 = 28;

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecimalError::NotANumber => f.write_str("must be a number"),
            DecimalError::TooLarge => f.write_str("is too large"),
            DecimalError::TooManyDigits => {
                write!(
                    f,
                    "has more than {DIGITS_MAX} digits; digits are never rounded"
                )
            }
        }
    }
}

/// Which spellings a text may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// An optional `-`, digits, an optional `.` with digits (`-12.34`, `7`): numeric strings.
    Plain,
    /// [`Notation::Plain`] with an optional exponent (`1e2`, `2.5E-1`), as JSON numbers allow.
    Scientific,
}

/// Parses a JSON number or numeric string exactly.
///
/// Strings must be plain decimals (`-12.34`, `7`); numbers may also use an exponent (`1e2`), as
/// JSON allows.
pub fn from_json(value: &Value) -> Result<Decimal, DecimalError> {
    match value {
        Value::Number(number) => parse_text(&number.to_string(), Notation::Scientific),
        Value::String(text) => parse_text(text, Notation::Plain),
        _ => Err(DecimalError::NotANumber),
    }
}

/// An exponent beyond this magnitude is read as this magnitude: any value it gives is already
/// too large or has too many digits, and the arithmetic stays far inside `i64`.
const EXPONENT_CLAMP: i64 = 1_000_000_000;

/// Parses decimal text exactly in the given notation.
pub fn parse_text(text: &str, notation: Notation) -> Result<Decimal, DecimalError> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) if notation == Notation::Scientific => (&text[..at], Some(&text[at + 1..])),
        Some(_) => return Err(DecimalError::NotANumber),
        None => (text, None),
    };
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (unsigned.contains('.') && !digits(fraction)) {
        return Err(DecimalError::NotANumber);
    }
    let exponent = match exponent {
        None => 0,
        Some(text) => read_exponent(text)?,
    };
    // The value is `significant × 10^power`, `significant` without leading or trailing zeros.
    let all_digits = format!("{whole}{fraction}");
    let significant = all_digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    if trimmed.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let power = exponent - fraction.len() as i64 + (significant.len() - trimmed.len()) as i64;
    let count = trimmed.len() as i64;
    if count + power > i64::from(DIGITS_MAX) {
        return Err(DecimalError::TooLarge);
    }
    if count > i64::from(DIGITS_MAX) || -power > i64::from(DIGITS_MAX) {
        return Err(DecimalError::TooManyDigits);
    }
    // At most 28 digits: the mantissa fits an i128 and a decimal's 96 bits.
    let mut units: i128 = trimmed.parse().expect("at most 28 ASCII digits");
    for _ in 0..power.max(0) {
        units *= 10;
    }
    if negative {
        units = -units;
    }
    let scale = u32::try_from((-power).max(0)).expect("at most 28");
    Ok(Decimal::from_i128_with_scale(units, scale))
}

/// `+12`, `-3`, `7`: a JSON exponent, clamped to ±[`EXPONENT_CLAMP`].
fn read_exponent(text: &str) -> Result<i64, DecimalError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::NotANumber);
    }
    let significant = digits.trim_start_matches('0');
    let magnitude = match significant.len() {
        0 => 0,
        1..=18 => significant.parse::<i64>().expect("at most 18 digits"),
        _ => EXPONENT_CLAMP,
    }
    .min(EXPONENT_CLAMP);
    Ok(if negative { -magnitude } else { magnitude })
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
        check("\"150.50\"", Ok("150.5"));
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

    #[test]
    fn never_rounds_in_any_notation() {
        // 31 significant digits, with and without an exponent: refused, not held as 2 or 100.
        check(
            "1.999999999999999999999999999999e0",
            Err(DecimalError::TooManyDigits),
        );
        check(
            "1.999999999999999999999999999999",
            Err(DecimalError::TooManyDigits),
        );
        check(
            "\"1.999999999999999999999999999999\"",
            Err(DecimalError::TooManyDigits),
        );
        check(
            "100.00000000000000000000000000001e0",
            Err(DecimalError::TooManyDigits),
        );
        check("1e-999999", Err(DecimalError::TooManyDigits));
        check("1e-29", Err(DecimalError::TooManyDigits));
        check("1e-28", Ok("0.0000000000000000000000000001"));
        check("1e999999", Err(DecimalError::TooLarge));
        check("1e99999999999999999999999", Err(DecimalError::TooLarge));
        check(
            "1e-99999999999999999999999",
            Err(DecimalError::TooManyDigits),
        );
        check("1e27", Ok("1000000000000000000000000000"));
        check("1e28", Err(DecimalError::TooLarge));
        // Exact values written at length are exact: zeros carry no digits.
        check("1.0000000000000000000000000000000000000", Ok("1"));
        check("0.000000000000000000000000000000e5", Ok("0"));
        check("0e999999999999", Ok("0"));
        check("-0.0", Ok("0"));
        check("15e-1", Ok("1.5"));
        check("0.15E+1", Ok("1.5"));
        check("-1234.5e-2", Ok("-12.345"));
        check("2e0", Ok("2"));
        check("2e-0", Ok("2"));
        check("2e+00000000000000000000000001", Ok("20"));
        check("\"1.5e0\"", Err(DecimalError::NotANumber));
        // Exactly 28 significant digits is the most; 29 are refused even when a decimal's
        // 96 bits could hold them.
        check(
            "1.234567890123456789012345678",
            Ok("1.234567890123456789012345678"),
        );
        check(
            "12345678901234567890.123456789",
            Err(DecimalError::TooManyDigits),
        );
    }

    #[test]
    fn errors_say_why() {
        assert_eq!(DecimalError::NotANumber.to_string(), "must be a number");
        assert_eq!(DecimalError::TooLarge.to_string(), "is too large");
        assert_eq!(
            DecimalError::TooManyDigits.to_string(),
            "has more than 28 digits; digits are never rounded"
        );
    }

    #[test]
    fn plain_text_takes_no_exponent() {
        assert_eq!(
            parse_text("1e2", Notation::Plain),
            Err(DecimalError::NotANumber)
        );
        assert_eq!(
            parse_text("1e2", Notation::Scientific).map(|d| d.to_string()),
            Ok("100".to_owned())
        );
        for bad in [
            "1e", "1E", "1e+", "1e-", "1ee2", "1e2.5", "e2", "-", "--1", "1.2.3",
        ] {
            assert_eq!(
                parse_text(bad, Notation::Scientific),
                Err(DecimalError::NotANumber),
                "{bad}"
            );
        }
    }
}
