//! `Idempotency-Key` on any POST, PUT or DELETE of the API: the first reply is kept 24 hours, a
//! retry with the same key and the same request gets it again without a second effect, and the
//! same key with another request is refused (422). No secret is ever kept: a reply that carries
//! one is a [`SecretReply`], kept only as its stand-in that says the secret is withheld.
//!
//! A key is reserved before the request runs, so two copies sent at once cannot both run: the
//! second is answered 409 while the first is in flight. A request that never finished (the
//! process died) keeps its reservation: it is never run again under that key, because its effect
//! may have been committed — the answer says to check the state and use a new key.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use creditdesk_core::ValidationErrors;
use sha2::{Digest, Sha256};

use crate::db::{StorageError, StoredReply};
use crate::error::ApiError;
use crate::extract::body_bytes_max;
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// How long a reply is kept, in microseconds (24 hours).
pub const KEEP_US: i64 = 24 * 3600 * 1_000_000;
/// Longest key accepted.
pub const KEY_CHARS_MAX: usize = 255;

/// What a retry under the same `Idempotency-Key` gets instead of a reply that carried a secret.
/// Only [`SecretReply`] makes one.
#[derive(Debug, Clone)]
pub struct ReplayBody(String);

/// A reply that carries a secret — a new key's token, a webhook endpoint's signing secret, a
/// buyer's one-time sign-in link. It is the one way such a reply is made: sent once, it is kept
/// for a replay only as its stand-in, the same JSON without the secret and with
/// `<field>Withheld` saying why. (A reply of a route that carries a secret without one is kept
/// as a bare stand-in: see [`crate::api::RouteDoc::carries_secret`].)
#[derive(Debug)]
pub struct SecretReply {
    shown: serde_json::Value,
    stand_in: serde_json::Value,
}

impl SecretReply {
    /// `reply` (a JSON object) whose field `secret` is the secret; `why` says in the stand-in
    /// why it is withheld and what to do instead.
    pub fn new(
        reply: &impl serde::Serialize,
        secret: &'static str,
        why: &'static str,
    ) -> Result<SecretReply, ApiError> {
        let shown = serde_json::to_value(reply).map_err(|e| ApiError::Internal(e.into()))?;
        let mut stand_in = shown.clone();
        let fields = stand_in
            .as_object_mut()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a secret reply is an object")))?;
        if fields.remove(secret).is_none() {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "the reply has no field {secret} to withhold"
            )));
        }
        fields.insert(format!("{secret}Withheld"), why.into());
        Ok(SecretReply { shown, stand_in })
    }
}

impl IntoResponse for SecretReply {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self.shown).into_response();
        let stand_in = ReplayBody(self.stand_in.to_string());
        response.extensions_mut().insert(stand_in);
        response
    }
}

/// What a replay of a secret-bearing route gets when its handler made no stand-in.
const WITHHELD: &str =
    r#"{"withheld":"this reply carried a secret and is not kept; check the state it changed"}"#;

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match handle(state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn handle(state: AppState, request: Request, next: Next) -> Result<Response, Response> {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE
    );
    let Some(key) = request.headers().get(HEADER).cloned().filter(|_| writes) else {
        return Ok(next.run(request).await);
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty()
                && k.len() <= KEY_CHARS_MAX
                && k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            k.to_owned()
        }
        _ => {
            let message = format!("must be 1 to {KEY_CHARS_MAX} visible ASCII characters");
            return Err(
                ApiError::Validation(ValidationErrors::single("Idempotency-Key", message))
                    .into_response(),
            );
        }
    };
    let carries_secret = crate::api::matched_route(&request).is_some_and(|r| r.carries_secret());
    // Keys are scoped by app key; without valid credentials the request just runs (into a 401).
    let (mut parts, body) = request.into_parts();
    let Ok(principal) = crate::auth::authenticate(&mut parts, &state).await else {
        return Ok(next.run(Request::from_parts(parts, body)).await);
    };
    let limit_bytes = body_bytes_max(parts.uri.path());
    let bytes = crate::extract::read_whole(body, limit_bytes)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_sha256 = hex::encode(hasher.finalize());
    let now = state.now_us();
    let fail = |e: StorageError| ApiError::from(e).into_response();

    match state
        .db
        .idempotent_reply(&principal.app_key, &key, now - KEEP_US)
        .await
        .map_err(fail)?
    {
        StoredReply::Reply {
            request_sha256: stored,
            status,
            body,
        } => {
            if stored != request_sha256 {
                let message = "was used with a different request; use a new key for a new request";
                return Err(ApiError::Validation(ValidationErrors::single(
                    "Idempotency-Key",
                    message,
                ))
                .into_response());
            }
            return Ok(replay(status, body));
        }
        StoredReply::InFlight => return Err(in_flight()),
        StoredReply::Absent => {}
    }
    if !state
        .db
        .reserve_idempotency_key(
            &principal.app_key,
            &key,
            &request_sha256,
            now,
            now - KEEP_US,
        )
        .await
        .map_err(fail)?
    {
        return Err(in_flight());
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    // Replies that depend on more than the request (credentials, throttling, server faults) are
    // not kept: the reservation is dropped so the retry runs.
    let keep = !(status.is_server_error()
        || matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
        ));
    // A reply that carries a secret is kept as its stand-in, never with the secret (a refusal
    // of such a route carries none, and is kept as it is).
    let secret = carries_secret && status.is_success();
    let text = match (parts.extensions.remove::<ReplayBody>(), secret) {
        (Some(ReplayBody(stand_in)), _) => stand_in,
        (None, true) => WITHHELD.to_owned(),
        (None, false) => String::from_utf8_lossy(&body).into_owned(),
    };
    let stored = if keep {
        state
            .db
            .complete_idempotency_key(&principal.app_key, &key, status.as_u16(), &text)
            .await
    } else {
        state
            .db
            .release_idempotency_key(&principal.app_key, &key)
            .await
    };
    if let Err(error) = stored {
        tracing::error!(
            error = format!("{error:#}"),
            "could not record the reply of an idempotent request"
        );
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = if body.is_empty() {
        status.into_response()
    } else {
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

fn in_flight() -> Response {
    ApiError::Conflict(
        "a request with this Idempotency-Key is running, or never finished; if it never finished, \
         check the state it would have changed and retry with a new key"
            .into(),
    )
    .into_response()
}
