//! `GET` and `PUT /api/creditcontrol/storeconfig`.

use axum::extract::State;
use axum::Json;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::ValidationErrors;
use serde_json::Value;

use crate::auth::{perm, Auth};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::{time_zone, AppState};

/// Concurrent partial updates retry their read-modify-write this many times before a 409.
const UPDATE_ATTEMPTS_MAX: u32 = 8;

pub async fn get(
    _: Auth<perm::ReadConfiguration>,
    State(state): State<AppState>,
) -> Result<Json<StoreConfig>, ApiError> {
    let (config, _) = state.db.store_config().await?;
    Ok(Json(config))
}

/// Applies a full or partial configuration (see `core::store_config`) and answers with the whole
/// new configuration. Nothing is written unless every field is valid.
pub async fn put(
    Auth(principal, _): Auth<perm::EditConfiguration>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<StoreConfig>, ApiError> {
    for _ in 0..UPDATE_ATTEMPTS_MAX {
        let (current, version) = state.db.store_config().await?;
        let next = current.apply_update(&body)?;
        if time_zone::zone_of(next.time_zone()).is_none() {
            let mut errors = ValidationErrors::new();
            errors.push("timeZone", time_zone::UNKNOWN_ZONE);
            return Err(errors.into());
        }
        if state
            .db
            .replace_store_config(&current, &next, version, state.now_us(), &principal.app_key)
            .await?
        {
            tracing::info!(app_key = %principal.app_key, "store configuration updated");
            return Ok(Json(next));
        }
    }
    Err(ApiError::Conflict(
        "the store configuration kept changing under this update; send it again".to_owned(),
    ))
}
