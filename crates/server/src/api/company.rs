//! The company-credit REST API (`docs/company-credit-api.md`) at `/rest/{storeCode}/V1/…` and
//! `/rest/V1/…`, over the same accounts and ledger as the Customer Credit API: core's
//! `company` reads its bodies and makes its views, core's `search_criteria` its searches.
//!
//! That platform's conventions, kept here at its edge: `Authorization: Bearer <app token>`
//! (the key's resources apply as with the reference's headers), errors as `{"message",
//! "parameters"}` ([`CompanyError`], its one mapping to HTTP), the store code `default` or
//! `all`, paths with or without a trailing slash ([`normalize`]).

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put, MethodRouter};
use axum::{Json, Router};
use creditdesk_core::company::{
    self, BalanceChange, BalanceOperation, CompanyId, CreditId, CreditLimitUpdate, CreditView,
    SearchResults,
};
use creditdesk_core::search_criteria::SearchCriteria;
use creditdesk_core::text::shorten;
use creditdesk_core::{CreditError, ErrorBody};
use serde_json::{json, Value};

use super::context::{Env, QueryPairs};
use crate::auth::{perm, Permission, Principal};
use crate::db::books::{ByNumber, Reads};
use crate::db::StorageError;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

/// The store codes a path may name (a single-store install answers both alike).
pub const STORE_CODES: [&str; 2] = ["default", "all"];

/// One route of this API: method, path under `/rest` (as [`normalize`] writes it), the
/// resource a key needs.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub resource: crate::auth::Resource,
}

/// Every route with its handler: [`router`] registers them and [`routes`] lists them (the auth
/// matrix test walks the list).
fn table() -> Vec<(Route, MethodRouter<AppState>)> {
    let route = |method, path, resource| Route {
        method,
        path,
        resource,
    };
    let read = perm::ReadCheckingAccounts::RESOURCE;
    let edit = perm::EditCredits::RESOURCE;
    vec![
        (route("GET", "/{store}/V1/companyCredits", read), get(list)),
        (
            route("GET", "/{store}/V1/companyCredits/history", read),
            get(history),
        ),
        (
            route(
                "PUT",
                "/{store}/V1/companyCredits/history/{historyId}",
                edit,
            ),
            put(edit_history),
        ),
        (
            route("GET", "/{store}/V1/companyCredits/{creditId}", read),
            get(credit),
        ),
        (
            route("PUT", "/{store}/V1/companyCredits/{creditId}", edit),
            put(update),
        ),
        (
            route(
                "GET",
                "/{store}/V1/companyCredits/company/{companyId}",
                read,
            ),
            get(of_company),
        ),
        (
            route(
                "POST",
                "/{store}/V1/companyCredits/{creditId}/increaseBalance",
                edit,
            ),
            post(increase),
        ),
        (
            route(
                "POST",
                "/{store}/V1/companyCredits/{creditId}/decreaseBalance",
                edit,
            ),
            post(decrease),
        ),
    ]
}

/// The API's routes.
pub fn routes() -> Vec<Route> {
    table().into_iter().map(|(route, _)| route).collect()
}

/// The API's router, for paths as [`normalize`] writes them.
pub fn router() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (route, handler)| {
            router.route(route.path, handler)
        })
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A path under `/rest` as the router reads it: the store code put in when left out
/// (`/V1/…` is `/default/V1/…`), a trailing slash dropped.
pub fn normalize(path: &str) -> String {
    let path = match path.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => path,
    };
    if path.starts_with("/V1/") || path == "/V1" {
        format!("/default{path}")
    } else {
        path.to_owned()
    }
}

// ----- errors ----------------------------------------------------------------------------------

/// Most parameters a refusal lists.
const PARAMETERS_MAX: usize = 8;

/// A refusal of this API: its status and that platform's body.
#[derive(Debug)]
pub struct CompanyError {
    status: StatusCode,
    message: String,
    parameters: Vec<String>,
}

impl CompanyError {
    fn new(status: StatusCode, message: &str, parameters: &[&str]) -> CompanyError {
        CompanyError {
            status,
            message: message.to_owned(),
            parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn no_entity(field: &str, value: &str) -> CompanyError {
        CompanyError::new(
            StatusCode::NOT_FOUND,
            "No such entity with %1 = %2",
            &[field, value],
        )
    }

    pub fn status_code(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for CompanyError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(message = %self.message, "company-credit API failed");
        }
        // What a parameter echoes (an id of the path, a field's value) is cut, so a reply stays
        // a few KB.
        let cut = |p: &String| shorten(p, ErrorBody::MESSAGE_CHARS_MAX);
        let parameters: Vec<String> = self
            .parameters
            .iter()
            .take(PARAMETERS_MAX)
            .map(cut)
            .collect();
        let body = json!({ "message": self.message, "parameters": parameters });
        (self.status, Json(body)).into_response()
    }
}

impl From<company::Refusal> for CompanyError {
    fn from(refusal: company::Refusal) -> CompanyError {
        CompanyError {
            status: StatusCode::BAD_REQUEST,
            message: refusal.message.to_owned(),
            parameters: refusal.parameters,
        }
    }
}

impl From<ApiError> for CompanyError {
    /// The Customer Credit API's refusal in this API's shape: the same status, except that
    /// invalid input is that platform's 400; the message with each field at fault.
    fn from(error: ApiError) -> CompanyError {
        let status = match error.status_code() {
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            status => status,
        };
        let body = error.body();
        let mut text = body.error.message;
        for field in &body.error.fields {
            text = format!("{text}; {}: {}", field.field, field.message);
        }
        CompanyError {
            status,
            message: "%1".to_owned(),
            parameters: vec![text],
        }
    }
}

impl From<CreditError> for CompanyError {
    fn from(error: CreditError) -> CompanyError {
        CompanyError::from(ApiError::from(error))
    }
}

impl From<StorageError> for CompanyError {
    fn from(error: StorageError) -> CompanyError {
        CompanyError::from(ApiError::from(error))
    }
}

async fn not_found() -> CompanyError {
    CompanyError::new(
        StatusCode::NOT_FOUND,
        "Request does not match any route.",
        &[],
    )
}

async fn method_not_allowed() -> CompanyError {
    CompanyError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request does not match any route.",
        &[],
    )
}

// ----- extractors ------------------------------------------------------------------------------

/// A key holding `P`'s resource, by bearer token or the reference's headers; refusals in this
/// API's shape.
pub struct Bearer<P>(pub Principal, PhantomData<P>);

impl<P: Permission> FromRequestParts<AppState> for Bearer<P> {
    type Rejection = CompanyError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = crate::auth::authenticate(parts, state)
            .await
            .map_err(|error| match error {
                ApiError::Unauthorized(_) => CompanyError::new(
                    StatusCode::UNAUTHORIZED,
                    "The consumer isn't authorized to access %1. Send an API key's app token as Authorization: Bearer <token>.",
                    &[P::RESOURCE.name()],
                ),
                other => CompanyError::from(other),
            })?;
        if !principal.may(P::RESOURCE) {
            return Err(CompanyError::new(
                StatusCode::FORBIDDEN,
                "The consumer isn't authorized to access %1.",
                &[P::RESOURCE.name()],
            ));
        }
        Ok(Bearer(principal, PhantomData))
    }
}

/// The store code of the path: `default` or `all`.
fn store(code: &str) -> Result<(), CompanyError> {
    if STORE_CODES.contains(&code) {
        Ok(())
    } else {
        Err(CompanyError::new(
            StatusCode::NOT_FOUND,
            "The store that was requested wasn't found. Verify the store code %1 and try again; this store answers default and all.",
            &[code],
        ))
    }
}

/// A credit or company id of the path (`field` names it): one that cannot be is not found.
fn path_id<K: company::Numbers>(
    text: &str,
    field: &str,
) -> Result<company::Number<K>, CompanyError> {
    text.parse()
        .map_err(|_| CompanyError::no_entity(field, text))
}

fn credit_id(text: &str) -> Result<CreditId, CompanyError> {
    path_id(text, "creditId")
}

/// The body as JSON, read by the API's one reader ([`crate::extract::JsonBody`]: a key named
/// twice refused, bounded in size and time) after the key was checked; refusals in this API's
/// shape. Core's readers say what is wrong with its fields.
pub struct CompanyJson(pub Value);

impl FromRequest<AppState> for CompanyJson {
    type Rejection = CompanyError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, CompanyError> {
        let JsonBody(value) = JsonBody::<Value>::from_request(request, state).await?;
        Ok(CompanyJson(value))
    }
}

// ----- handlers --------------------------------------------------------------------------------

/// The credit of the account holding `number`, as this API shows it.
async fn credit_of(
    state: &AppState,
    principal: &Principal,
    number: ByNumber,
) -> Result<Json<CreditView>, CompanyError> {
    let missing = || match number {
        ByNumber::Credit(id) => CompanyError::no_entity("creditId", &id.to_string()),
        ByNumber::Company(id) => CompanyError::no_entity("companyId", &id.to_string()),
    };
    let id = state
        .db
        .account_numbered(number)
        .await?
        .ok_or_else(missing)?;
    let (book, env) =
        super::context::read_account(state, principal, &id, &Reads::account()).await?;
    let view = CreditView::of(&book.account, env.config.currency()).ok_or_else(missing)?;
    Ok(Json(view))
}

/// `GET /V1/companyCredits/{creditId}` (its `reload` parameter changes nothing: every read
/// is fresh).
async fn credit(
    Bearer(principal, _): Bearer<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
) -> Result<Json<CreditView>, CompanyError> {
    store(&code)?;
    credit_of(&state, &principal, ByNumber::Credit(credit_id(&id)?)).await
}

/// `GET /V1/companyCredits/company/{companyId}`.
async fn of_company(
    Bearer(principal, _): Bearer<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
) -> Result<Json<CreditView>, CompanyError> {
    store(&code)?;
    let company: CompanyId = path_id(&id, "companyId")?;
    credit_of(&state, &principal, ByNumber::Company(company)).await
}

/// `GET /V1/companyCredits/`: the credits the search criteria select, `{items,
/// search_criteria, total_count}`.
async fn list(
    Bearer(principal, _): Bearer<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(code): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<SearchResults<CreditView>>, CompanyError> {
    store(&code)?;
    let criteria = SearchCriteria::read(&query, company::CREDIT_FIELDS)?;
    let env = Env::load(&state, &principal).await?;
    let store_currency = env.config.currency();
    let (accounts, total_count) = state
        .db
        .search_company_credits(&criteria, store_currency)
        .await?;
    let items = accounts
        .iter()
        .filter_map(|account| CreditView::of(account, store_currency))
        .collect();
    Ok(Json(SearchResults {
        items,
        search_criteria: criteria.echo(),
        total_count,
    }))
}

/// `PUT /V1/companyCredits/{id}` with `{"creditLimit": {…}}`: the saved credit; the read-only
/// and unknown fields it ignored named in the `Creditdesk-Ignored-Fields` header.
async fn update(
    Bearer(principal, _): Bearer<perm::EditCredits>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    CompanyJson(body): CompanyJson,
) -> Result<Response, CompanyError> {
    store(&code)?;
    let credit = credit_id(&id)?;
    let update = CreditLimitUpdate::read(i64::from(credit.get()), &body)?;
    let account = state
        .db
        .account_numbered(ByNumber::Credit(credit))
        .await?
        .ok_or_else(|| CompanyError::no_entity("creditId", &id))?;
    let ignored = update.ignored.clone();
    let view = super::context::on_account(
        &state,
        &principal,
        &account,
        Reads::account(),
        move |book, env| {
            company::update_credit(book, &update, &env.ctx())?;
            CreditView::of(&book.account, env.config.currency()).ok_or_else(|| {
                ApiError::from(CreditError::AccountNotFound(book.account.id.clone()))
            })
        },
    )
    .await?;
    let mut response = Json(view).into_response();
    super::unknown_fields::report(&mut response, &ignored);
    Ok(response)
}

/// `POST /V1/companyCredits/{creditId}/increaseBalance`: `true` once the balance moved.
async fn increase(
    Bearer(principal, _): Bearer<perm::EditCredits>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    CompanyJson(body): CompanyJson,
) -> Result<Json<bool>, CompanyError> {
    store(&code)?;
    balance_operation(&state, &principal, BalanceChange::Increase, &id, &body).await
}

/// `POST /V1/companyCredits/{creditId}/decreaseBalance`: `true` once the balance moved.
async fn decrease(
    Bearer(principal, _): Bearer<perm::EditCredits>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    CompanyJson(body): CompanyJson,
) -> Result<Json<bool>, CompanyError> {
    store(&code)?;
    balance_operation(&state, &principal, BalanceChange::Decrease, &id, &body).await
}

async fn balance_operation(
    state: &AppState,
    principal: &Principal,
    change: BalanceChange,
    id: &str,
    body: &Value,
) -> Result<Json<bool>, CompanyError> {
    let credit = credit_id(id)?;
    let operation = BalanceOperation::read(change, i64::from(credit.get()), body)?;
    let account = state
        .db
        .account_numbered(ByNumber::Credit(credit))
        .await?
        .ok_or_else(|| CompanyError::no_entity("creditId", id))?;
    super::context::on_account(
        state,
        principal,
        &account,
        Reads::account(),
        move |book, env| Ok(book.adjust_balance(&operation, &env.ctx())?),
    )
    .await?;
    Ok(Json(true))
}

/// `GET /V1/companyCredits/history`: every ledger entry of the selected credits as a history
/// item, `{items, search_criteria, total_count}`; unsorted, oldest first (by id, the order the
/// entries were written). Searched in storage; a `company_credit_id` filter (`eq` or `in`)
/// narrows what it reads.
async fn history(
    Bearer(principal, _): Bearer<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(code): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<SearchResults<company::HistoryView>>, CompanyError> {
    store(&code)?;
    let criteria = SearchCriteria::read(&query, company::HISTORY_FIELDS)?;
    let env = Env::load(&state, &principal).await?;
    let (items, total_count) = state
        .db
        .search_company_history(&criteria, env.config.currency())
        .await?;
    Ok(Json(SearchResults {
        items,
        search_criteria: criteria.echo(),
        total_count,
    }))
}

/// `PUT /V1/companyCredits/history/{historyId}` with `{purchaseOrder?, comment?}`: `true` once
/// the Reimbursed entry carries them. The entry's money is untouched; the comment is also its
/// reason in the Customer Credit statement.
async fn edit_history(
    _: Bearer<perm::EditCredits>,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    CompanyJson(body): CompanyJson,
) -> Result<Json<bool>, CompanyError> {
    store(&code)?;
    let missing = || CompanyError::no_entity("historyId", &id);
    let seq: i64 = id.parse().ok().filter(|n| *n > 0).ok_or_else(missing)?;
    let update = company::HistoryUpdate::read(seq, &body)?;
    let (_, credit) = state.db.entry_owner(seq).await?.ok_or_else(missing)?;
    let mut numbered = state
        .db
        .numbered_entries(Some(&[credit]))
        .await?
        .into_values()
        .next()
        .ok_or_else(missing)?;
    let index = numbered
        .ids
        .iter()
        .position(|n| *n == seq)
        .ok_or_else(missing)?;
    update.apply(&mut numbered.entries, index)?;
    state
        .db
        .set_entry_note(seq, &numbered.entries[index])
        .await?;
    Ok(Json(true))
}
