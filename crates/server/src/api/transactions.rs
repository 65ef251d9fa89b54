//! Pre-authorizations: create, update, cancel, settle, refund.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use creditdesk_core::commands::{self, CreateHold, UpdateHold};
use creditdesk_core::ops::{self, HoldMode};
use creditdesk_core::wire::{HoldUpdated, SettlementView, ValueView};
use serde_json::Value;

use super::context::{
    account_id, new_friendly_code, new_transaction_id, on_account, transaction_id, Env, QueryPairs,
};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// `POST /accounts/{id}/transactions`: hold credit. An unknown account is opened when the store
/// allows it (`automaticCheckingAccountCreationEnabled`). With `?dryRun=true` nothing is
/// written: the answer says whether the hold would be accepted and what would remain.
pub async fn create(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(query): QueryPairs,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let id = account_id(&id)?;
    let mode = HoldMode::from_query(&query)?;
    let env = Env::load(&state, &principal).await?;
    let command = CreateHold::from_json(&body, env.now)?;
    let new_id = new_transaction_id();
    if mode == HoldMode::DryRun {
        let reads = Reads::new_hold(&env.config);
        let book = state.db.read_book(&id, &reads, env.now).await?;
        let view = ops::dry_run(book, &id, &command, new_id, &env.ctx())?;
        return Ok(Json(view).into_response());
    }
    let account = id.clone();
    let reads = Reads::new_hold(&env.config);
    let view = state
        .db
        .with_book(&id, &reads, env.now, move |book| {
            Ok::<_, ApiError>(ops::hold(book, &account, &command, new_id, &env.ctx())?)
        })
        .await?;
    Ok(Json(view).into_response())
}

/// `PUT /accounts/{id}/transactions/{transactionId}`: `{value, settle?, installments?}` changes
/// the hold; with an id the account has no transaction of, the same body creates the hold with
/// that id (the earlier reference's "Create a Pre Authorization (using id)").
pub async fn update(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<HoldUpdated>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    on_account(
        &state,
        &principal,
        &id,
        Reads::hold(&transaction),
        move |book, env| {
            let command = UpdateHold::from_json(&body, env.now)?;
            let hold = book.put_hold(&transaction, &command, &env.ctx())?;
            Ok(Json(HoldUpdated::from(hold)))
        },
    )
    .await
}

/// `DELETE /accounts/{id}/transactions/{transactionId}`: release a `settle = false` hold.
pub async fn cancel(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    on_account(
        &state,
        &principal,
        &id,
        Reads::hold(&transaction),
        move |book, env| {
            book.cancel_hold(&transaction, &env.ctx())?;
            Ok(StatusCode::OK)
        },
    )
    .await
}

/// `PUT /accounts/{id}/transactions/{transactionId}/settlement`: `{value}`.
pub async fn settle(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<SettlementView>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let value = commands::positive_value_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::settlement(&transaction),
        move |book, env| {
            book.settle(&transaction, value, &new_friendly_code(), &env.ctx())?;
            Ok(Json(SettlementView {
                value,
                id: transaction.to_string(),
            }))
        },
    )
    .await
}

/// `POST /accounts/{id}/transactions/{transactionId}/refunds`: `{value}`.
pub async fn refund(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<ValueView>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let value = commands::positive_value_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::settlement(&transaction),
        move |book, env| {
            book.refund(&transaction, value, &env.ctx())?;
            Ok(Json(ValueView { value }))
        },
    )
    .await
}
