//! Credits (core's `credit`): an invoice's credits, and a credit's reversal.

use axum::extract::{Path, State};
use axum::Json;
use creditdesk_core::commands::CreditReason;
use creditdesk_core::credit::CreditLocator;
use creditdesk_core::ids::PathId;
use creditdesk_core::wire::{CreditList, CreditView};
use creditdesk_core::CreditError;
use serde_json::Value;

use super::context::{account_id, invoice_id, on_account, read_account};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// A path's credit locator; one that cannot exist is not found.
fn locator(text: &str) -> Result<CreditLocator, ApiError> {
    PathId::Credit.read(text).map_err(ApiError::NotFound)
}

/// `GET /api/creditdesk/accounts/{id}/invoices/{invoiceId}/credits`: every credit of the
/// invoice, posted and reversed, oldest first (a few per invoice: one page).
pub async fn of_invoice(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
) -> Result<Json<CreditList>, ApiError> {
    let (id, invoice) = (account_id(&id)?, invoice_id(&invoice)?);
    let (book, env) =
        read_account(&state, &principal, &id, &Reads::invoice_credits(&invoice)).await?;
    Ok(Json(CreditList::of_invoice(
        &book,
        &invoice,
        env.config.currency(),
    )?))
}

/// `POST /api/creditdesk/credits/{locator}/reversal`: `{"reason"}` reverses a posted credit
/// (core's `Book::reverse_credit`); answers the credit as reversed.
pub async fn reverse(
    Auth(principal, _): Auth<perm::PayInvoice>,
    State(state): State<AppState>,
    Path(text): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<CreditView>, ApiError> {
    let locator = locator(&text)?;
    let reason = CreditReason::from_json(&body)?;
    let (account, invoice) = state
        .db
        .credit_owner(&locator)
        .await?
        .ok_or_else(|| CreditError::CreditNotFound(locator.clone()))?;
    on_account(
        &state,
        &principal,
        &account,
        Reads::invoice_credits(&invoice),
        move |book, env| {
            let credit = book.reverse_credit(&locator, &reason, &env.ctx())?;
            Ok(Json(CreditView::of(credit, env.config.currency())))
        },
    )
    .await
}
