//! Invoices: search, read, change, cancel, pay, postpone.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use creditdesk_core::commands::{self, ChangeInvoice, CreditReason, Pay};
use creditdesk_core::ids::{AccountId, InvoiceId};
use creditdesk_core::reminders::ReminderList;
use creditdesk_core::search::InvoiceFilter;
use creditdesk_core::wire::{InvoiceList, InvoiceView};
use creditdesk_core::CreditError;
use serde_json::Value;

use super::context::{
    account_id, invoice_id, new_credit_locator, new_payment_locators, on_account, read_account,
    Env, QueryPairs,
};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::{JsonBody, MaybeJsonBody};
use crate::{time_zone, AppState};

async fn list(
    state: &AppState,
    env: &Env,
    filter: &InvoiceFilter,
) -> Result<Json<InvoiceList>, ApiError> {
    let (invoices, summary) = state.db.search_invoices(filter).await?;
    Ok(Json(InvoiceList {
        data: invoices.iter().map(|i| env.invoice_view(i)).collect(),
        summary: summary.into(),
    }))
}

/// `GET /invoices` with every filter of `core::search`.
pub async fn search(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<InvoiceList>, ApiError> {
    let filter = InvoiceFilter::from_query(&query)?;
    let env = Env::load(&state, &principal).await?;
    list(&state, &env, &filter).await
}

/// `GET /accounts/{id}/invoices`: the account's invoices (the same filters may narrow them).
pub async fn of_account(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<InvoiceList>, ApiError> {
    let id = account_id(&id)?;
    let mut filter = InvoiceFilter::from_query(&query)?;
    let (_, env) = read_account(&state, &principal, &id, &Reads::account()).await?;
    filter.account = Some(id);
    list(&state, &env, &filter).await
}

fn ids(id: &str, invoice: &str) -> Result<(AccountId, InvoiceId), ApiError> {
    Ok((account_id(id)?, invoice_id(invoice)?))
}

/// `GET /accounts/{id}/invoices/{invoiceId}`.
pub async fn get(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
) -> Result<Json<InvoiceView>, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let (book, env) = read_account(&state, &principal, &id, &Reads::invoice(&invoice)).await?;
    let found = book
        .invoices
        .iter()
        .find(|i| i.id == invoice)
        .ok_or(CreditError::InvoiceNotFound(invoice))?;
    Ok(Json(env.invoice_view(found)))
}

/// `GET /api/creditdesk/accounts/{id}/invoices/{invoiceId}/reminders`: those decided (as
/// storage kept them), then those scheduled (core's `reminders::upcoming` now).
pub async fn reminders(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
) -> Result<Json<ReminderList>, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let env = Env::load(&state, &principal).await?;
    let Some((found, through, decided)) = state.db.reminders_of(&id, &invoice).await? else {
        // Which is missing: the account, or only its invoice.
        read_account(&state, &principal, &id, &Reads::account()).await?;
        return Err(CreditError::InvoiceNotFound(invoice).into());
    };
    let zone = time_zone::store_zone(env.config.time_zone());
    let settings = env.config.notifications_settings();
    let upcoming = creditdesk_core::reminders::upcoming(&found, settings, &zone, through);
    Ok(Json(ReminderList::new(
        env.config.time_zone().as_str(),
        state.emailing(),
        decided,
        upcoming,
    )))
}

/// `PUT /accounts/{id}/invoices/{invoiceId}`: `{status, observation?, paymentLink?}`.
pub async fn change(
    Auth(principal, _): Auth<perm::CreateInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<StatusCode, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let change = ChangeInvoice::from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::invoice_credits(&invoice),
        move |book, env| {
            let locators = new_payment_locators(env.now);
            book.change_invoice(&invoice, &change, &locators, &env.ctx())?;
            Ok(StatusCode::OK)
        },
    )
    .await
}

/// `DELETE /accounts/{id}/invoices/{invoiceId}`: cancel an open invoice.
pub async fn cancel(
    Auth(principal, _): Auth<perm::CreateInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::invoice(&invoice),
        move |book, env| {
            book.cancel_invoice(&invoice, &env.ctx())?;
            Ok(StatusCode::OK)
        },
    )
    .await
}

/// `POST /accounts/{id}/invoices/{invoiceId}/payments`: no body pays all that is left (the
/// reference's call); `{"value", "reference"?}` pays part (core's `Book::pay`).
pub async fn pay(
    Auth(principal, _): Auth<perm::PayInvoice>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
    MaybeJsonBody(body): MaybeJsonBody,
) -> Result<Json<InvoiceView>, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let payment = Pay::from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::invoice(&invoice),
        move |book, env| {
            let locators = new_payment_locators(env.now);
            let paid = book.pay(&invoice, &payment, &locators, &env.ctx())?;
            Ok(Json(env.invoice_view(paid)))
        },
    )
    .await
}

/// `POST /api/creditdesk/accounts/{id}/invoices/{invoiceId}/write-off`: `{"reason"}` writes
/// off all that is left (core's `Book::write_off`); answers the invoice.
pub async fn write_off(
    Auth(principal, _): Auth<perm::PayInvoice>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<InvoiceView>, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let reason = CreditReason::from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::invoice(&invoice),
        move |book, env| {
            let locator = new_credit_locator(env.now);
            let written = book.write_off(&invoice, &reason, &locator, &env.ctx())?;
            Ok(Json(env.invoice_view(written)))
        },
    )
    .await
}

/// `PUT /accounts/{id}/invoices/{invoiceId}/postponement`: `{dueDays}`.
pub async fn postpone(
    Auth(principal, _): Auth<perm::CreateInvoices>,
    State(state): State<AppState>,
    Path((id, invoice)): Path<(String, String)>,
    JsonBody(body): JsonBody<Value>,
) -> Result<StatusCode, ApiError> {
    let (id, invoice) = ids(&id, &invoice)?;
    let days = commands::due_days_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::invoice(&invoice),
        move |book, env| {
            book.postpone_invoice(&invoice, days, &env.ctx())?;
            Ok(StatusCode::OK)
        },
    )
    .await
}
