//! API keys (our extension, under `/api/creditdesk/keys`): create with resources (the token is
//! shown once), list, revoke. Only keys with `Main Access` manage keys.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use creditdesk_core::keys::NewKey;
use serde::Serialize;
use serde_json::Value;

use crate::auth::{self, perm, Auth, Resource};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::idempotency::SecretReply;
use crate::AppState;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub app_key: String,
    pub label: String,
    pub resources: Vec<Resource>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: KeyView,
    /// Shown only in this answer; stored as a hash.
    pub app_token: String,
}

fn time(us: i64) -> String {
    creditdesk_core::Timestamp::from_unix_micros(us)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn resources_of(text: &str) -> Vec<Resource> {
    text.split(',').filter_map(Resource::from_name).collect()
}

/// Creates a key. Its token is in this reply only: the reply is marked `Cache-Control: no-store`,
/// and a retry under the same `Idempotency-Key` gets the key without its token, saying so
/// (`appTokenWithheld`).
pub async fn create(
    _: Auth<perm::MainAccess>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let NewKey { label, resources } = NewKey::from_json(&body)?;
    let (app_key, app_token) = auth::generate_credentials();
    let now = state.now_us();
    auth::store_key(&state.db, &app_key, &app_token, &resources, &label, now).await?;
    let key = KeyView {
        app_key,
        label,
        resources,
        created_at: time(now),
        revoked_at: None,
    };
    let created = CreatedKey { key, app_token };
    Ok(SecretReply::new(&created, "appToken", TOKEN_WITHHELD)?.into_response())
}

/// Why a replayed key creation has no token.
pub const TOKEN_WITHHELD: &str = "the token was shown only in the first reply to this request and \
     is stored only as a hash; if it was lost, revoke this key and create another";

pub async fn list(
    _: Auth<perm::MainAccess>,
    State(state): State<AppState>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let keys = state.db.list_keys().await?;
    Ok(Json(
        keys.into_iter()
            .map(|(key, revoked)| KeyView {
                resources: resources_of(&key.resources),
                app_key: key.app_key,
                label: key.label,
                created_at: time(key.created_at_us),
                revoked_at: revoked.map(time),
            })
            .collect(),
    ))
}

/// Revokes a key. A key cannot revoke itself (that would lock its holder out mid-session).
pub async fn revoke(
    Auth(principal, _): Auth<perm::MainAccess>,
    State(state): State<AppState>,
    Path(app_key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if app_key == principal.app_key {
        return Err(ApiError::Conflict(
            "a key cannot revoke itself; sign in with another key to revoke this one".into(),
        ));
    }
    if !state.db.revoke_key(&app_key, state.now_us()).await? {
        return Err(ApiError::NotFound(format!(
            "there is no active key {app_key}"
        )));
    }
    Ok(Json(
        serde_json::json!({ "appKey": app_key, "revoked": true }),
    ))
}
