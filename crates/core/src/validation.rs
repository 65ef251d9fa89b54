//! Validation errors that name the field at fault.

use serde::{Deserialize, Serialize};

/// One refused field: its JSON path (`taxRate`, `notificationsSettings.daysPrior[1].timeOfDay`)
/// and why, in words a merchant can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The field errors found in one input, in the order the fields were read.
///
/// Bounded, so that an error reply never grows with what a client sends: at most
/// [`ValidationErrors::LISTED_MAX`] errors are kept (the rest are counted), field paths are cut
/// at [`ValidationErrors::FIELD_CHARS_MAX`] characters and messages at
/// [`ValidationErrors::MESSAGE_CHARS_MAX`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    listed: Vec<FieldError>,
    /// Errors found beyond the listed ones.
    unlisted: u32,
}

impl ValidationErrors {
    /// Most errors listed one by one.
    pub const LISTED_MAX: u32 = 20;
    /// Longest field path shown, in characters (longer ones end in `…`).
    pub const FIELD_CHARS_MAX: u32 = 120;
    /// Longest message shown, in characters (longer ones end in `…`).
    pub const MESSAGE_CHARS_MAX: u32 = 400;

    pub fn new() -> Self {
        Self::default()
    }

    /// A single error, for inputs with one field.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.push(field, message);
        errors
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        if self.listed.len() >= Self::LISTED_MAX as usize {
            self.unlisted = self.unlisted.saturating_add(1);
            return;
        }
        self.listed.push(FieldError {
            field: crate::text::shorten(&field.into(), Self::FIELD_CHARS_MAX),
            message: crate::text::shorten(&message.into(), Self::MESSAGE_CHARS_MAX),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// How many errors were found, listed or not.
    pub fn len(&self) -> usize {
        self.listed.len() + self.unlisted as usize
    }

    /// The listed errors.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.listed.iter()
    }

    /// The first message for exactly this field path.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.listed
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(value)` when no error was pushed.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// The listed errors, and a last one on `body` counting the others when there are more.
    pub fn into_vec(self) -> Vec<FieldError> {
        let mut errors = self.listed;
        if self.unlisted > 0 {
            errors.push(FieldError {
                field: "body".to_owned(),
                message: format!("and {} more errors, not listed", self.unlisted),
            });
        }
        errors
    }
}

impl From<Vec<FieldError>> for ValidationErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        let mut bounded = Self::new();
        for error in errors {
            bounded.push(error.field, error.message);
        }
        bounded
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.listed.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        if self.unlisted > 0 {
            write!(f, "; and {} more", self.unlisted)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_bounded_whatever_the_input() {
        let mut errors = ValidationErrors::new();
        for i in 0..5000 {
            errors.push(
                format!("field{i}{}", "x".repeat(10_000)),
                "m".repeat(10_000),
            );
        }
        assert_eq!(errors.len(), 5000);
        let listed = errors.clone().into_vec();
        assert_eq!(listed.len(), ValidationErrors::LISTED_MAX as usize + 1);
        assert!(listed.iter().all(|e| e.field.chars().count() <= 120));
        assert!(listed.iter().all(|e| e.message.chars().count() <= 400));
        assert!(listed[0].field.starts_with("field0x") && listed[0].field.ends_with('…'));
        let last = listed.last().unwrap();
        assert_eq!(
            (last.field.as_str(), last.message.as_str()),
            ("body", "and 4980 more errors, not listed")
        );
        assert!(errors.to_string().ends_with("; and 4980 more"));
    }
}
