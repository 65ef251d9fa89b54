//! The HTTP API: the Customer Credit API under `/api/creditcontrol/`, and Creditdesk's own
//! extensions under `/api/creditdesk/`.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;

use crate::error::ApiError;
use crate::extract::BODY_SIZE_MAX;
use crate::AppState;

pub mod accounts;
pub mod context;
pub mod invoices;
pub mod keys;
pub mod me;
pub mod statements;
pub mod store_config;
pub mod transactions;

/// Routes under `/api`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/creditcontrol/storeconfig",
            get(store_config::get).put(store_config::put),
        )
        .route("/creditcontrol/invoices", get(invoices::search))
        .route(
            "/creditcontrol/accounts",
            get(accounts::search).post(accounts::open),
        )
        .route(
            "/creditcontrol/accounts/{id}",
            get(accounts::get)
                .put(accounts::upsert)
                .delete(accounts::close),
        )
        .route(
            "/creditcontrol/accounts/{id}/creditlimit",
            put(accounts::credit_limit),
        )
        .route(
            "/creditcontrol/accounts/{id}/tolerance",
            put(accounts::tolerance),
        )
        .route(
            "/creditcontrol/accounts/{id}/holders",
            post(accounts::add_holder),
        )
        .route(
            "/creditcontrol/accounts/{id}/holders/{holder}",
            axum::routing::delete(accounts::remove_holder),
        )
        .route(
            "/creditcontrol/accounts/{id}/statements",
            get(statements::get),
        )
        .route(
            "/creditcontrol/accounts/{id}/statements/{statement}",
            put(statements::debit),
        )
        .route(
            "/creditcontrol/accounts/{id}/transactions",
            post(transactions::create),
        )
        .route(
            "/creditcontrol/accounts/{id}/transactions/{transaction}",
            put(transactions::update).delete(transactions::cancel),
        )
        .route(
            "/creditcontrol/accounts/{id}/transactions/{transaction}/settlement",
            put(transactions::settle),
        )
        .route(
            "/creditcontrol/accounts/{id}/transactions/{transaction}/refunds",
            post(transactions::refund),
        )
        .route(
            "/creditcontrol/accounts/{id}/invoices",
            get(invoices::of_account),
        )
        .route(
            "/creditcontrol/accounts/{id}/invoices/{invoice}",
            get(invoices::get)
                .put(invoices::change)
                .delete(invoices::cancel),
        )
        .route(
            "/creditcontrol/accounts/{id}/invoices/{invoice}/payments",
            post(invoices::pay),
        )
        .route(
            "/creditcontrol/accounts/{id}/invoices/{invoice}/postponement",
            put(invoices::postpone),
        )
        .route("/creditdesk/me", get(me::get))
        .route("/creditdesk/keys", get(keys::list).post(keys::create))
        .route(
            "/creditdesk/keys/{key}",
            axum::routing::delete(keys::revoke),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::idempotency::middleware,
        ))
        .layer(DefaultBodyLimit::max(BODY_SIZE_MAX as usize))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such API route; see the Customer Credit API reference".to_owned())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
