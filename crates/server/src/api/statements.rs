//! Statements: read an account's entries over a date window; manual debits.

use axum::extract::{Path, State};
use axum::Json;
use creditdesk_core::commands;
use creditdesk_core::ids::StatementId;
use creditdesk_core::wire::{DebitView, StatementView};
use creditdesk_core::ValidationErrors;
use serde_json::Value;

use super::context::{account_id, on_account, read_account, QueryPairs};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// `GET /accounts/{id}/statements?dateFrom&dateTo`.
pub async fn get(
    Auth(principal, _): Auth<perm::ReadStatements>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<StatementView>, ApiError> {
    let (from, to) = creditdesk_core::ledger::window_from_query(&query)?;
    let load = Reads::statement();
    let (book, _) = read_account(&state, &principal, &account_id(&id)?, &load).await?;
    Ok(Json(StatementView::from(&book.statement(from, to))))
}

/// `PUT /accounts/{id}/statements/{statementId}`: a manual debit `{value}` (< 0), idempotent by
/// statement id. Answers `{value}` as a string, as the spec.
pub async fn debit(
    Auth(principal, _): Auth<perm::EditCredits>,
    State(state): State<AppState>,
    Path((id, statement)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<DebitView>, ApiError> {
    let id = account_id(&id)?;
    let statement: StatementId = statement
        .parse()
        .map_err(|e: &str| ApiError::Validation(ValidationErrors::single("statementId", e)))?;
    let value = commands::debit_from_json(&body)?;
    let load = Reads::debit(&statement);
    on_account(&state, &principal, &id, load, move |book, env| {
        let value = book.debit(&statement, value, &env.ctx())?;
        Ok(Json(DebitView::from(value)))
    })
    .await
}
