//! Request extractors whose rejections are [`ApiError`]s, so malformed input gets the same JSON
//! error body as everything else.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};

use crate::error::ApiError;
use crate::serve::BodyError;

/// Largest request body accepted by the API, in bytes (a CSV import's excepted).
pub const BODY_SIZE_MAX: u32 = 64 * 1024;

/// Where CSV imports are sent (under `/api`): their bodies may be as large as core's
/// `IMPORT_BYTES_MAX`.
pub const IMPORT_PATHS: &str = "/creditdesk/imports/";

/// The largest body a request to `path` (under `/api`, or with it) may carry, in bytes.
pub fn body_bytes_max(path: &str) -> u32 {
    if path
        .strip_prefix("/api")
        .unwrap_or(path)
        .starts_with(IMPORT_PATHS)
    {
        creditdesk_core::import::IMPORT_BYTES_MAX
    } else {
        BODY_SIZE_MAX
    }
}

/// A JSON body. The content type is not checked (clients that forget it still work); syntax
/// errors are 400 `malformed_json`, well-formed JSON of the wrong shape is 422 with its path, and
/// an object that names a key twice is 422 naming that key (JSON parsers disagree on which copy
/// wins, so a proxy and Creditdesk could read two different requests: neither is picked).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = buffer(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::MalformedJson(
                "the body is empty; send a JSON object".to_owned(),
            ));
        }
        parse(&bytes).map(JsonBody)
    }
}

/// A JSON body that may be left out: no body (or only whitespace) is `null`. For the calls the
/// reference makes without a body that Creditdesk extends with one (a partial payment).
pub struct MaybeJsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for MaybeJsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = buffer(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(MaybeJsonBody(serde_json::Value::Null));
        }
        parse(&bytes).map(MaybeJsonBody)
    }
}

async fn buffer<S: Send + Sync>(request: Request, _: &S) -> Result<Bytes, ApiError> {
    read_whole(request.into_body(), BODY_SIZE_MAX).await
}

/// The one way a request body is read whole: at most `limit_bytes` (and the bound the server
/// put on every body, [`crate::serve::bound_body`]); too large is 413, too slow 408, a client
/// gone mid-body 400. Read only after the request's credentials were checked.
pub async fn read_whole(body: axum::body::Body, limit_bytes: u32) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit_bytes as usize)
        .await
        .map_err(|error| body_error(&error, limit_bytes))
}

/// A body read piece by piece as it arrives, for files: only the piece in hand is held. The
/// same bounds and answers as [`read_whole`]; read only after the credentials were checked.
pub struct BodyPieces {
    body: axum::body::Body,
    read_bytes: u64,
    limit_bytes: u32,
}

impl BodyPieces {
    pub fn new(body: axum::body::Body, limit_bytes: u32) -> BodyPieces {
        BodyPieces {
            body,
            read_bytes: 0,
            limit_bytes,
        }
    }

    /// The next piece (`None`: the body ended).
    pub async fn next(&mut self) -> Result<Option<Bytes>, ApiError> {
        use http_body_util::BodyExt;
        while let Some(frame) = self.body.frame().await {
            let frame = frame.map_err(|error| body_error(&error, self.limit_bytes))?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers: nothing of the body
            };
            self.read_bytes += data.len() as u64;
            if self.read_bytes > u64::from(self.limit_bytes) {
                return Err(ApiError::PayloadTooLarge {
                    limit_bytes: self.limit_bytes,
                });
            }
            return Ok(Some(data));
        }
        Ok(None)
    }
}

/// Why a body could not be read, as the client is answered.
fn body_error(error: &axum::Error, limit_bytes: u32) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(bound) = error.downcast_ref::<BodyError>() {
            return match *bound {
                BodyError::TooLarge { limit_bytes } => ApiError::PayloadTooLarge { limit_bytes },
                BodyError::TooSlow { limit_seconds } => ApiError::RequestTimeout { limit_seconds },
            };
        }
        if error.is::<http_body_util::LengthLimitError>() {
            return ApiError::PayloadTooLarge { limit_bytes };
        }
        cause = error.source();
    }
    ApiError::MalformedJson(format!("the body could not be read whole ({error})"))
}

/// The body as JSON: a key named twice, a value of the wrong type (naming its path) and
/// malformed JSON are each their own error.
fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    if let Some(key) = duplicate_key(bytes) {
        return Err(ApiError::Validation(
            creditdesk_core::ValidationErrors::single(
                key,
                "appears more than once in its object; send each key once",
            ),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
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
    Ok(value)
}

/// The path of the first key an object of `bytes` names twice (`value`, `items[2].id`); `None`
/// when there is none, or when `bytes` is not JSON (the real parse reports that).
fn duplicate_key(bytes: &[u8]) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = UniqueKeys {
        path: String::new(),
    }
    .deserialize(&mut deserializer)
    .err()?;
    (error.classify() == serde_json::error::Category::Data).then(|| strip_position(&error))
}

/// Walks a JSON value and fails, with the key's path as the message, at the first object that
/// names a key twice. Numbers (which `arbitrary_precision` hands over as a one-key object) and
/// other scalars pass.
struct UniqueKeys {
    /// Path of the value being walked, `""` at the top.
    path: String,
}

impl UniqueKeys {
    fn child(&self, segment: &str) -> UniqueKeys {
        let path = match (self.path.is_empty(), segment.starts_with('[')) {
            (true, _) | (false, true) => format!("{}{segment}", self.path),
            (false, false) => format!("{}.{segment}", self.path),
        };
        UniqueKeys { path }
    }
}

impl<'de> DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if !seen.insert(key) {
                return Err(A::Error::custom(child.path));
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u32;
        while seq
            .next_element_seed(self.child(&format!("[{index}]")))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::duplicate_key;

    #[test]
    fn finds_the_first_key_named_twice() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{"value": 1, "value": 1000}"#, Some("value")),
            (r#"{"a": {"b": 1, "b": 2}}"#, Some("a.b")),
            (r#"{"a": [{"x": 1}, {"y": 1, "y": 2}]}"#, Some("a[1].y")),
            (r#"[{"k": 1, "k": 1}]"#, Some("[0].k")),
            (r#"{"value": 1.5e300, "other": "value"}"#, None),
            (r#"{"a": {"x": 1}, "b": {"x": 1}}"#, None),
            (r#"{"\u0076alue": 1, "value": 2}"#, Some("value")),
            (r#"{"value": 1, "#, None),
            ("[]", None),
            ("12", None),
        ];
        for (body, expect) in cases {
            assert_eq!(duplicate_key(body.as_bytes()).as_deref(), *expect, "{body}");
        }
    }
}
