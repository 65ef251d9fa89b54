//! Pre-authorizations: create, update, cancel, settle, refund.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use creditdesk_core::book::Book;
use creditdesk_core::commands::{self, CreateHold, UpdateHold};
use creditdesk_core::wire::HoldView;
use serde_json::{json, Value};

use super::context::{
    account_id, existing, new_friendly_code, new_transaction_id, transaction_id, Env,
};
use crate::auth::{perm, Auth};
use crate::db::books::Load;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// `POST /accounts/{id}/transactions`: hold credit. An unknown account is opened when the store
/// allows it (`automaticCheckingAccountCreationEnabled`).
pub async fn create(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<HoldView>, ApiError> {
    let id = account_id(&id)?;
    let env = Env::load(&state, &principal).await?;
    let command = CreateHold::from_json(&body, env.now)?;
    state
        .db
        .with_book(&id, &Load::default(), env.now, |book| {
            let book = match book {
                Some(book) => book,
                None => book.insert(Book::open_automatically(&id, &env.ctx())?),
            };
            let hold = book.create_hold(&command, new_transaction_id(), &env.ctx())?;
            Ok(Json(HoldView::new(hold, env.now)))
        })
        .await
}

fn load_transaction(id: &creditdesk_core::ids::TransactionId, invoices: bool) -> Load {
    Load {
        transaction: Some(id.clone()),
        transaction_invoices: invoices,
        ..Load::default()
    }
}

/// `PUT /accounts/{id}/transactions/{transactionId}`: `{value, settle, installments}`.
pub async fn update(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let command = UpdateHold::from_json(&body)?;
    let env = Env::load(&state, &principal).await?;
    state
        .db
        .with_book(&id, &load_transaction(&transaction, false), env.now, |book| {
            let hold = existing(book, &id)?.update_hold(&transaction, &command, &env.ctx())?;
            Ok(Json(json!({ "id": hold.id, "value": hold.value, "installments": hold.installments })))
        })
        .await
}

/// `DELETE /accounts/{id}/transactions/{transactionId}`: release a `settle = false` hold.
pub async fn cancel(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let env = Env::load(&state, &principal).await?;
    state
        .db
        .with_book(
            &id,
            &load_transaction(&transaction, false),
            env.now,
            |book| {
                existing(book, &id)?.cancel_hold(&transaction, &env.ctx())?;
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
) -> Result<Json<Value>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let value = commands::positive_value_from_json(&body)?;
    let env = Env::load(&state, &principal).await?;
    state
        .db
        .with_book(
            &id,
            &load_transaction(&transaction, true),
            env.now,
            |book| {
                existing(book, &id)?.settle(
                    &transaction,
                    value,
                    &new_friendly_code(),
                    &env.ctx(),
                )?;
                Ok(Json(json!({ "value": value, "id": transaction })))
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
) -> Result<Json<Value>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let value = commands::positive_value_from_json(&body)?;
    let env = Env::load(&state, &principal).await?;
    state
        .db
        .with_book(
            &id,
            &load_transaction(&transaction, true),
            env.now,
            |book| {
                existing(book, &id)?.refund(&transaction, value, &env.ctx())?;
                Ok(Json(json!({ "value": value })))
            },
        )
        .await
}
