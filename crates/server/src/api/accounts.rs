//! Accounts: search, open, read, close, upsert, credit limit, tolerance, holders.

use axum::extract::{Path, State};
use axum::Json;
use creditdesk_core::book::Book;
use creditdesk_core::commands::{self, Change, OpenAccount, UpsertAccount};
use creditdesk_core::ops;
use creditdesk_core::search::AccountFilter;
use creditdesk_core::wire::{
    AccountList, AccountSummary, AccountView, HolderList, HolderView, RemovedView, TransactionList,
};
use serde_json::Value;

use super::context::{
    account_id, holder_id, new_holder_id, on_account, read_account, Env, QueryPairs,
};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

fn view(book: &Book, env: &Env) -> Json<AccountView> {
    Json(ops::account_view(book, &env.ctx()))
}

/// `GET /accounts?from&to&status&email`.
pub async fn search(
    Auth(principal, _): Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<AccountList>, ApiError> {
    let filter = AccountFilter::from_query(&query)?;
    let env = Env::load(&state, &principal).await?;
    let (data, count) = state
        .db
        .search_accounts(&filter, env.now, env.config.tolerance_enabled())
        .await?;
    Ok(Json(AccountList {
        data,
        summary: AccountSummary { count },
    }))
}

/// `POST /accounts`.
pub async fn open(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<AccountView>, ApiError> {
    let command = OpenAccount::from_json(&body)?;
    let env = Env::load(&state, &principal).await?;
    let id = command.account_id();
    let view = state
        .db
        .with_book(&id, &Reads::account(), env.now, move |book| {
            Ok::<_, ApiError>(ops::open(book, &command, &env.ctx())?)
        })
        .await?;
    numbered(&state, &id, view).await
}

/// A new account's answer with the numbers storage gave it as it wrote the account.
async fn numbered(
    state: &AppState,
    id: &creditdesk_core::ids::AccountId,
    mut view: AccountView,
) -> Result<Json<AccountView>, ApiError> {
    if view.credit_id.is_none() {
        let (credit, company) = state.db.company_numbers(id).await?;
        view.credit_id = Some(credit);
        view.company_id = Some(company);
    }
    Ok(Json(view))
}

/// `GET /accounts/{id}`.
pub async fn get(
    Auth(principal, _): Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    let (book, env) =
        read_account(&state, &principal, &account_id(&id)?, &Reads::account()).await?;
    Ok(view(&book, &env))
}

/// `DELETE /accounts/{id}`: close (refused while it owes or holds credit). The body the spec
/// shows (document, documentType, email) is not needed and not read.
pub async fn close(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    let id = account_id(&id)?;
    let load = Reads::close();
    on_account(&state, &principal, &id, load, move |book, env| {
        book.close(&env.ctx())?;
        Ok(view(book, env))
    })
    .await
}

/// `PUT /accounts/{id}`: create or update (and reopen).
pub async fn upsert(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<AccountView>, ApiError> {
    let id = account_id(&id)?;
    let command = UpsertAccount::from_json(&body, &id)?;
    let env = Env::load(&state, &principal).await?;
    let view = state
        .db
        .with_book(&id.clone(), &Reads::account(), env.now, {
            let id = id.clone();
            move |book| Ok::<_, ApiError>(ops::upsert(book, &id, &command, &env.ctx()))
        })
        .await?;
    numbered(&state, &id, view).await
}

/// `PUT /accounts/{id}/creditlimit`: `{value, reason?}`.
pub async fn credit_limit(
    Auth(principal, _): Auth<perm::EditCredits>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<AccountView>, ApiError> {
    let id = account_id(&id)?;
    let change = Change::credit_limit_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::account(),
        move |book, env| {
            book.change_credit_limit(&change, &env.ctx());
            Ok(view(book, env))
        },
    )
    .await
}

/// `PUT /accounts/{id}/tolerance`: `{value, reason?}`.
pub async fn tolerance(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<AccountView>, ApiError> {
    let id = account_id(&id)?;
    let change = Change::tolerance_from_json(&body)?;
    on_account(
        &state,
        &principal,
        &id,
        Reads::account(),
        move |book, env| {
            book.change_tolerance(&change, &env.ctx());
            Ok(view(book, env))
        },
    )
    .await
}

/// `POST /accounts/{id}/holders`: `{claims: {email}}`.
pub async fn add_holder(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<HolderView>, ApiError> {
    let id = account_id(&id)?;
    let email = commands::holder_email_from_json(&body)?;
    let load = Reads::holders();
    on_account(&state, &principal, &id, load, move |book, env| {
        let holder = book.add_holder(&email, new_holder_id(), &env.ctx())?;
        Ok(Json(HolderView::from(holder)))
    })
    .await
}

/// `DELETE /accounts/{id}/holders/{holderId}`.
pub async fn remove_holder(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    Path((id, holder)): Path<(String, String)>,
) -> Result<Json<RemovedView>, ApiError> {
    let id = account_id(&id)?;
    let holder = holder_id(&holder)?;
    let load = Reads::holders();
    on_account(&state, &principal, &id, load, move |book, env| {
        book.remove_holder(&holder, &env.ctx())?;
        Ok(Json(RemovedView {
            id: holder.to_string(),
        }))
    })
    .await
}

/// Extension `GET /api/creditdesk/accounts/{id}/transactions`: every transaction of the account
/// with its status now, newest first (at most `TRANSACTIONS_LISTED_MAX`).
pub async fn transactions(
    Auth(principal, _): Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<TransactionList>, ApiError> {
    let load = Reads::transaction_list();
    let (book, env) = read_account(&state, &principal, &account_id(&id)?, &load).await?;
    Ok(Json(TransactionList::of(&book.transactions, env.now)))
}

/// Extension `GET /api/creditdesk/accounts/{id}/holders`: the account's holders, oldest first.
pub async fn holders(
    Auth(principal, _): Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<HolderList>, ApiError> {
    let load = Reads::holders();
    let (book, _) = read_account(&state, &principal, &account_id(&id)?, &load).await?;
    let data = book.holders.iter().map(HolderView::from).collect();
    Ok(Json(HolderList { data }))
}
