//! Pre-authorizations: create, update, cancel, settle, refund.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use creditdesk_core::book::Book;
use creditdesk_core::commands::{self, CreateHold, UpdateHold};
use creditdesk_core::ids::AccountId;
use creditdesk_core::wire::{DryRunView, HoldView};
use creditdesk_core::{CreditError, Money, ValidationErrors};
use serde_json::{json, Value};

use super::context::{
    account_id, new_friendly_code, new_transaction_id, on_account, transaction_id, Env, QueryPairs,
};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// The hold `command` on the account `id`, opened first when it does not exist and the store
/// allows it.
fn hold(
    book: &mut Option<Book>,
    id: &AccountId,
    command: &CreateHold,
    env: &Env,
) -> Result<HoldView, ApiError> {
    let book = match book {
        Some(book) => book,
        None => book.insert(Book::open_automatically(id, &env.ctx())?),
    };
    let hold = book.create_hold(command, new_transaction_id(), &env.ctx())?;
    Ok(HoldView::new(hold, env.now))
}

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
    let dry_run = dry_run(&query)?;
    let env = Env::load(&state, &principal).await?;
    let command = CreateHold::from_json(&body, env.now)?;
    if !dry_run {
        let now = env.now;
        let account = id.clone();
        let view = state
            .db
            .with_book(&id, &Reads::account(), now, move |book| {
                hold(book, &account, &command, &env)
            })
            .await?;
        return Ok(Json(view).into_response());
    }
    let mut book = state.db.read_book(&id, &Reads::account(), env.now).await?;
    let available = |book: &Option<Book>| {
        book.as_ref()
            .map(|b| b.balances(&env.ctx()).available_credit)
    };
    let before = available(&book);
    let view = match hold(&mut book, &id, &command, &env) {
        Ok(_) => DryRunView {
            accepted: true,
            available_credit: before.unwrap_or(env.config.default_credit_value()),
            available_credit_after: available(&book),
            reason: None,
            message: None,
        },
        Err(ApiError::Credit(error)) if !matches!(error, CreditError::AccountNotFound(_)) => {
            DryRunView {
                accepted: false,
                available_credit: before.unwrap_or(Money::ZERO),
                available_credit_after: None,
                reason: Some(error.reason().to_owned()),
                message: Some(error.to_string()),
            }
        }
        Err(error) => return Err(error),
    };
    Ok(Json(view).into_response())
}

/// `dryRun=true|false`, the only query parameter of `POST …/transactions`.
fn dry_run(query: &[(String, String)]) -> Result<bool, ApiError> {
    let mut dry_run = false;
    for (key, value) in query {
        match (key.as_str(), value.as_str()) {
            ("dryRun", "true") => dry_run = true,
            ("dryRun", "false") => dry_run = false,
            ("dryRun", _) => {
                return Err(ValidationErrors::single("dryRun", "must be true or false").into())
            }
            _ => {
                return Err(ValidationErrors::single(
                    key.as_str(),
                    "unknown parameter; the parameter is dryRun",
                )
                .into())
            }
        }
    }
    Ok(dry_run)
}

/// `PUT /accounts/{id}/transactions/{transactionId}`: `{value, settle?, installments?}` changes
/// the hold; with an id the account has no transaction of, the same body creates the hold with
/// that id (the earlier reference's "Create a Pre Authorization (using id)").
pub async fn update(
    Auth(principal, _): Auth<perm::CreateStatements>,
    State(state): State<AppState>,
    Path((id, transaction)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    on_account(
        &state,
        &principal,
        &id,
        Reads::hold(&transaction),
        move |book, env| {
            let command = UpdateHold::from_json(&body, env.now)?;
            let hold = book.put_hold(&transaction, &command, &env.ctx())?;
            Ok(Json(
                json!({ "id": hold.id, "value": hold.value, "installments": hold.installments }),
            ))
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
) -> Result<Json<Value>, ApiError> {
    let (id, transaction) = (account_id(&id)?, transaction_id(&transaction)?);
    let value = commands::positive_value_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::settlement(&transaction),
        move |book, env| {
            book.settle(&transaction, value, &new_friendly_code(), &env.ctx())?;
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
    on_account(
        &state,
        &principal,
        &id,
        Reads::settlement(&transaction),
        move |book, env| {
            book.refund(&transaction, value, &env.ctx())?;
            Ok(Json(json!({ "value": value })))
        },
    )
    .await
}
