//! The HTTP API: the Customer Credit API under `/api/creditcontrol/`, and Creditdesk's own
//! extensions under `/api/creditdesk/`.

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::extract::BODY_SIZE_MAX;
use crate::AppState;

pub mod me;
pub mod store_config;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/creditcontrol/storeconfig",
            get(store_config::get).put(store_config::put),
        )
        .route("/creditdesk/me", get(me::get))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_SIZE_MAX as usize))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such API route; see the Customer Credit API reference".to_owned())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
