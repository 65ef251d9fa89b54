//! Webhook endpoints (our extension, under `/api/creditdesk/webhooks`): add one (its signing
//! secret is shown once), list, delete, read its deliveries and their tries, replay one. Managed
//! with the configuration resources.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use creditdesk_core::credit::CreditLocator;
use creditdesk_core::webhooks::NewWebhook;
use creditdesk_core::ValidationErrors;
use serde::Serialize;
use serde_json::{json, Value};

use crate::auth::{perm, Auth};
use crate::db::outbox::{Delivery, Endpoint};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::idempotency::SecretReply;
use crate::AppState;

/// Most deliveries listed per endpoint (newest first).
pub const DELIVERIES_LISTED_MAX: i64 = 100;

/// A new endpoint with its secret (this answer only).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedWebhook {
    #[serde(flatten)]
    endpoint: Endpoint,
    secret: String,
    /// Set for a plain `http://` URL: events travel unencrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<&'static str>,
}

/// Why a replayed creation has no secret.
pub const SECRET_WITHHELD: &str = "the secret was shown only in the first reply to this request; \
     if it was lost, delete this endpoint and add it again";

const PLAIN_HTTP: &str = "this URL is plain http: events and their signatures travel unencrypted; \
     use https outside a private network";

pub async fn create(
    _: Auth<perm::EditConfiguration>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let new = NewWebhook::from_json(&body)?;
    if let Err(refused) = state.destinations.check_url(&new.url).await {
        return Err(ValidationErrors::single("url", refused.to_string()).into());
    }
    let now = state.now();
    let id = format!("ep_{}", CreditLocator::at(now, rand::random()));
    let secret = crate::webhooks::new_secret();
    let endpoint = state
        .db
        .create_webhook(&id, &new.url, &new.events, &secret, now)
        .await?;
    let warning = new.is_plain_http().then_some(PLAIN_HTTP);
    let created = CreatedWebhook {
        endpoint,
        secret,
        warning,
    };
    Ok(SecretReply::new(&created, "secret", SECRET_WITHHELD)?.into_response())
}

pub async fn list(
    _: Auth<perm::ReadConfiguration>,
    State(state): State<AppState>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "data": state.db.webhooks().await? })))
}

pub async fn delete(
    _: Auth<perm::EditConfiguration>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if !state.db.delete_webhook(&id, state.now()).await? {
        return Err(ApiError::NotFound(format!(
            "there is no webhook endpoint {id}"
        )));
    }
    Ok(Json(json!({ "id": id, "deleted": true })))
}

pub async fn deliveries(
    _: Auth<perm::ReadConfiguration>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let found: Option<Vec<Delivery>> = state.db.deliveries(&id, DELIVERIES_LISTED_MAX).await?;
    let deliveries =
        found.ok_or_else(|| ApiError::NotFound(format!("there is no webhook endpoint {id}")))?;
    Ok(Json(json!({ "data": deliveries })))
}

pub async fn replay(
    _: Auth<perm::EditConfiguration>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if !state.db.replay_delivery(&id, state.now()).await? {
        return Err(ApiError::NotFound(format!(
            "there is no delivery {id} of a webhook endpoint"
        )));
    }
    Ok(Json(json!({ "id": id, "replayed": true })))
}
