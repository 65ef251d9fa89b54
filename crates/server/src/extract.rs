//! Request extractors whose rejections are [`ApiError`]s, so malformed input gets the same JSON
//! error body as everything else.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest request body accepted by the API, in bytes.
pub const BODY_SIZE_MAX: u32 = 64 * 1024;

/// A JSON body. The content type is not checked (clients that forget it still work); syntax
/// errors are 400 `malformed_json`, well-formed JSON of the wrong shape is 422 with its path.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge {
                        limit_bytes: BODY_SIZE_MAX,
                    },
                    other => ApiError::MalformedJson(other.body_text()),
                })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::MalformedJson(
                "the body is empty; send a JSON object".to_owned(),
            ));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let field = if path == "." { "body".to_owned() } else { path };
                    ApiError::Validation(creditdesk_core::ValidationErrors::single(
                        field,
                        strip_position(&inner),
                    ))
                }
                _ => ApiError::MalformedJson(inner.to_string()),
            }
        })?;
        deserializer
            .end()
            .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
        Ok(JsonBody(value))
    }
}

/// serde_json's data errors end with " at line L column C"; the field path says more.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
