//! The server's one error type and its one mapping to HTTP.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use creditdesk_core::{CreditError, ErrorBody, ErrorCode, ValidationErrors};

use crate::db::StorageError;
use crate::resource::Resource;

/// Everything a request can fail with. Each variant has one status code and one JSON body
/// ([`ErrorBody`], the same for the whole API).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON (400).
    #[error("{0}")]
    MalformedJson(String),
    /// Fields break a rule (422); every field at fault is listed.
    #[error("{0}")]
    Validation(ValidationErrors),
    /// No or wrong credentials (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The key lacks the resource (403).
    #[error("this key lacks the resource {0:?}")]
    Forbidden(Resource),
    /// No such route or object (404).
    #[error("{0}")]
    NotFound(String),
    /// Wrong method on an existing route (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// The body exceeds the limit (413).
    #[error("the body exceeds {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: u32 },
    /// The body did not arrive in time (408).
    #[error("the body did not arrive within {limit_seconds} s")]
    RequestTimeout { limit_seconds: u32 },
    /// This client must wait before trying again (429, with `Retry-After`).
    #[error("{why}; retry after {retry_after_seconds} s")]
    TooManyRequests {
        retry_after_seconds: u32,
        why: &'static str,
    },
    /// A credit rule refused (404 for unknown objects, 422 for invalid input, else 409).
    #[error("{0}")]
    Credit(CreditError),
    /// Storage failed (500); logged, never detailed to the client.
    #[error(transparent)]
    Storage(StorageError),
    /// A fault of the server (500); logged, never detailed to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Credit(error) => match error.code() {
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            },
            ApiError::Storage(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::MalformedJson(detail) => ErrorBody::new(
                ErrorCode::MalformedJson,
                format!("the body is not valid JSON: {detail}"),
            ),
            ApiError::Validation(errors) => ErrorBody::from(errors),
            ApiError::Unauthorized(why) => ErrorBody::new(ErrorCode::Unauthorized, *why),
            ApiError::Forbidden(resource) => ErrorBody::new(
                ErrorCode::Forbidden,
                format!(
                    "this app key lacks the resource \"{}\" (or \"{}\") needed here",
                    resource.name(),
                    Resource::MainAccess.name()
                ),
            ),
            ApiError::NotFound(what) => ErrorBody::new(ErrorCode::NotFound, what.clone()),
            ApiError::MethodNotAllowed => ErrorBody::new(
                ErrorCode::MethodNotAllowed,
                "this method is not allowed on this path",
            ),
            ApiError::Conflict(why) => ErrorBody::new(ErrorCode::Conflict, why.clone()),
            ApiError::PayloadTooLarge { limit_bytes } => ErrorBody::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than the {limit_bytes} bytes accepted"),
            ),
            ApiError::RequestTimeout { limit_seconds } => ErrorBody::new(
                ErrorCode::RequestTimeout,
                format!(
                    "the request's body did not arrive within {limit_seconds} s; send it whole, \
                     without pauses"
                ),
            ),
            ApiError::TooManyRequests {
                retry_after_seconds,
                why,
            } => ErrorBody::new(
                ErrorCode::TooManyRequests,
                format!("{why}; try again in {retry_after_seconds} s (see Retry-After)"),
            ),
            ApiError::Credit(error) => ErrorBody::from(error),
            ApiError::Storage(_) | ApiError::Internal(_) => ErrorBody::new(
                ErrorCode::Internal,
                "the server failed to handle this request; it was logged, and retrying may help",
            ),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<CreditError> for ApiError {
    fn from(error: CreditError) -> Self {
        ApiError::Credit(error)
    }
}

impl From<StorageError> for ApiError {
    /// A refusal found at the write is the credit rule's answer; anything else is a fault.
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Refused(credit) => ApiError::Credit(credit),
            StorageError::Limit(why) => ApiError::Conflict(why),
            other => ApiError::Storage(other),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Storage(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Storage(error) => tracing::error!(error = %error, "storage failed"),
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed")
            }
            _ => {}
        }
        let mut response = (self.status_code(), Json(self.body())).into_response();
        if matches!(
            self,
            ApiError::PayloadTooLarge { .. } | ApiError::RequestTimeout { .. }
        ) {
            // The rest of the body is not read: the connection cannot carry another request.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        if let ApiError::TooManyRequests {
            retry_after_seconds,
            ..
        } = self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_seconds),
            );
        }
        response
    }
}
