//! The one error body of the whole API, shared by the server (which writes it) and the admin
//! (which reads it). It carries a machine code, a sentence for people and, for validation, the
//! fields at fault. Status codes are the server's business, not this crate's.
//!
//! ```json
//! { "error": { "code": "validation_failed",
//!              "message": "1 field is invalid",
//!              "fields": [ { "field": "taxRate", "message": "must be between 0 and 1" } ] } }
//! ```

use serde::{Deserialize, Serialize};

use crate::error::CreditError;
use crate::validation::{FieldError, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Which credit rule refused (`insufficient_credit`, `invoice_status`, …), for programs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// What went wrong, for programs. Clients must accept codes they do not know (`Other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or not JSON of the expected shape.
    MalformedJson,
    /// The body or query is well formed but some fields break a rule (see `fields`).
    ValidationFailed,
    /// No credentials, or credentials that match no active key.
    Unauthorized,
    /// The key is valid but lacks the resource this endpoint needs.
    Forbidden,
    /// No such route or object (or it belongs to another account).
    NotFound,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// The request conflicts with the current state.
    Conflict,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The body did not arrive in time.
    RequestTimeout,
    /// Too many attempts (failed sign-ins) from this client: wait `Retry-After` seconds.
    TooManyRequests,
    /// The server failed; the request may be retried.
    Internal,
    /// A code this build does not know.
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// Every code the server writes (all but `Other`), in the order declared: the OpenAPI
    /// document's enum is this list.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::MalformedJson,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RequestTimeout,
        ErrorCode::TooManyRequests,
        ErrorCode::Internal,
    ];

    /// Its place in [`ErrorCode::ALL`] (`None` for `Other`). Exhaustive: a new code does not
    /// compile until it has a place.
    pub const fn position(self) -> Option<usize> {
        match self {
            ErrorCode::MalformedJson => Some(0),
            ErrorCode::ValidationFailed => Some(1),
            ErrorCode::Unauthorized => Some(2),
            ErrorCode::Forbidden => Some(3),
            ErrorCode::NotFound => Some(4),
            ErrorCode::MethodNotAllowed => Some(5),
            ErrorCode::Conflict => Some(6),
            ErrorCode::PayloadTooLarge => Some(7),
            ErrorCode::RequestTimeout => Some(8),
            ErrorCode::TooManyRequests => Some(9),
            ErrorCode::Internal => Some(10),
            ErrorCode::Other => None,
        }
    }
}

impl ErrorBody {
    /// Most characters of the message: whatever a request sent that it echoes (a path's id) is
    /// cut, so an error reply stays a few KB.
    pub const MESSAGE_CHARS_MAX: u32 = ValidationErrors::MESSAGE_CHARS_MAX;

    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: crate::text::shorten(&message.into(), Self::MESSAGE_CHARS_MAX),
                reason: None,
                fields: Vec::new(),
            },
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.error.reason = Some(reason.to_owned());
        self
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.error.fields = fields;
        self
    }
}

impl From<&ValidationErrors> for ErrorBody {
    /// `validation_failed`, every field at fault listed.
    fn from(errors: &ValidationErrors) -> Self {
        let message = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            count => format!("{count} fields are invalid"),
        };
        ErrorBody::new(ErrorCode::ValidationFailed, message).with_fields(errors.clone().into_vec())
    }
}

impl From<CreditError> for ErrorBody {
    fn from(error: CreditError) -> Self {
        ErrorBody::from(&error)
    }
}

impl From<&CreditError> for ErrorBody {
    /// The rule that refused: its code, its sentence and its `reason`; invalid input as
    /// [`From<&ValidationErrors>`] writes it.
    fn from(error: &CreditError) -> Self {
        match error {
            CreditError::Invalid(errors) => ErrorBody::from(errors),
            _ => ErrorBody::new(error.code(), error.to_string()).with_reason(error.reason()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_listed_once_in_its_place() {
        for (at, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(code.position(), Some(at), "{code:?}");
        }
        assert_eq!(ErrorCode::Other.position(), None);
    }
}
