//! Reading a JSON object field by field, collecting every error with its path.
//!
//! Commands are read from `serde_json::Value` rather than derived `Deserialize`, so a body with
//! three bad fields gets three messages, each naming its field.

use std::str::FromStr;

use serde_json::{Map, Value};

use crate::decimal;
use crate::money::Money;
use crate::rate::Rate;
use crate::text::{self, TextRule};
use crate::validation::ValidationErrors;

pub struct Fields<'a> {
    object: Option<&'a Map<String, Value>>,
    /// The fields the reader declared: the only ones it may read.
    known: &'a [&'a str],
    errors: ValidationErrors,
}

impl<'a> Fields<'a> {
    /// Starts reading `body`, which must be an object. Keys other than `known` are not read:
    /// unknown top-level fields are ignored (see [`unknown_fields`]; the server lists them in a
    /// reply header, or refuses them when the store asks for strictness).
    pub fn new(body: &'a Value, known: &'a [&'a str]) -> Fields<'a> {
        let mut errors = ValidationErrors::new();
        let object = body.as_object();
        if object.is_none() {
            errors.push("body", "must be a JSON object");
        }
        Fields {
            object,
            known,
            errors,
        }
    }

    /// The field's value; `null` and the empty string `""` count as absent (clients send them
    /// for "none").
    fn value(&self, key: &str) -> Option<&'a Value> {
        debug_assert!(
            self.known.contains(&key),
            "{key} is read but not among the fields declared"
        );
        self.object
            .and_then(|o| o.get(key))
            .filter(|v| !is_absent(v))
    }

    /// A field that must be present (and not null).
    pub fn required<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match self.value(key) {
            None => {
                if self.object.is_some() {
                    self.errors.push(key, "is required");
                }
                None
            }
            Some(value) => self.parsed(key, parse(value)),
        }
    }

    /// A field that may be left out (or null).
    pub fn optional<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.value(key)?;
        self.parsed(key, parse(value))
    }

    fn parsed<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.errors.push(key, message))
            .ok()
    }

    /// Records an error found by a rule across fields.
    pub fn push(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(key, message);
    }

    /// The value built from the fields, or every error found.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(build().expect("every field was read without error"))
    }
}

/// Whether a field's value means "not given": `null` or `""`.
pub fn is_absent(value: &Value) -> bool {
    value.is_null() || value.as_str() == Some("")
}

/// The top-level keys of `body` that are not `known`, in the body's order.
pub fn unknown_fields<'a>(body: &'a Value, known: &[&str]) -> Vec<&'a str> {
    body.as_object()
        .map(|object| {
            object
                .keys()
                .map(String::as_str)
                .filter(|k| !known.contains(k))
                .collect()
        })
        .unwrap_or_default()
}

/// Refuses the unknown top-level fields of `body`, for stores that ask for strictness: one error
/// per field, the known fields named once (on the first).
pub fn refuse_unknown(body: &Value, known: &[&str]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for (i, key) in unknown_fields(body, known).into_iter().enumerate() {
        if i == 0 {
            errors.push(
                key,
                format!("unknown field; the fields are {}", known.join(", ")),
            );
        } else {
            errors.push(key, "unknown field");
        }
    }
    errors.into_result(())
}

/// Parsers for [`Fields`].
pub mod parse {
    use super::*;

    pub fn money(value: &Value) -> Result<Money, String> {
        Money::from_json(value).map_err(|e| e.to_string())
    }

    /// An amount above zero.
    pub fn positive_money(value: &Value) -> Result<Money, String> {
        let money = money(value)?;
        if money.is_positive() {
            Ok(money)
        } else {
            Err("must be more than 0".into())
        }
    }

    pub fn non_negative_money(value: &Value) -> Result<Money, String> {
        Money::non_negative_from_json(value).map_err(|e| e.to_string())
    }

    pub fn rate(value: &Value) -> Result<Rate, String> {
        Rate::from_json(value).map_err(|e| e.to_string())
    }

    pub fn flag(value: &Value) -> Result<bool, String> {
        value
            .as_bool()
            .ok_or_else(|| "must be true or false".to_owned())
    }

    /// A whole number from `min` to `max` (a JSON number or numeric string; `2.0` counts as 2).
    pub fn whole(value: &Value, min: u16, max: u16) -> Result<u16, String> {
        use rust_decimal::prelude::ToPrimitive;
        let message = || format!("must be a whole number from {min} to {max}");
        let number = decimal::from_json(value)
            .map_err(|_| message())?
            .normalize();
        if number.scale() > 0 {
            return Err(message());
        }
        number
            .to_u16()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(message)
    }

    /// A string read by `FromStr`.
    pub fn from_str<T: FromStr>(value: &Value) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        value
            .as_str()
            .ok_or_else(|| "must be a string".to_owned())?
            .parse()
            .map_err(|e: T::Err| e.to_string())
    }

    /// Text that `rule` allows.
    pub fn text(value: &Value, rule: TextRule) -> Result<String, String> {
        let text = value.as_str().ok_or("must be a string")?;
        text::check(text, rule).map_err(|e| e.to_string())?;
        Ok(text.to_owned())
    }
}
