//! The billing-credits API (`../shared/reference/billing-credits-api.md`): credit lists under
//! `/billing/{tenantLocator}/…`, read with core's `CreditFilter`, and the store's identity that
//! names the tenant.

use axum::extract::{Path, State};
use axum::Json;
use creditdesk_core::credit::CreditLocator;
use creditdesk_core::ids::{InvoiceId, PathId, TenantLocator};
use creditdesk_core::search::{CreditDetail, CreditFilter, CreditScope};
use creditdesk_core::wire::{CreditList, CreditView, StoreView};
use creditdesk_core::CreditError;

use super::context::QueryPairs;
use crate::auth::{perm, Auth, Authenticated};
use crate::error::ApiError;
use crate::AppState;

/// `GET /api/creditdesk/store`: the store's tenant locator and currency (any valid key).
pub async fn store(
    _: Authenticated,
    State(state): State<AppState>,
) -> Result<Json<StoreView>, ApiError> {
    let (config, _) = state.db.store_config().await?;
    Ok(Json(StoreView {
        tenant_locator: state.db.tenant().clone(),
        currency: config.currency().as_str().to_owned(),
        email_configured: state.mailer.is_some(),
    }))
}

/// The path's tenant, when it is this store's; any other (or none that can exist) is not found.
fn this_tenant(state: &AppState, text: &str) -> Result<(), ApiError> {
    match text.parse::<TenantLocator>() {
        Ok(tenant) if tenant == *state.db.tenant() => Ok(()),
        _ => Err(ApiError::NotFound(PathId::Tenant.not_found(text))),
    }
}

/// One page of the credits `filter` selects, as storage answers it.
async fn page(state: &AppState, filter: &CreditFilter) -> Result<Json<CreditList>, ApiError> {
    let (credits, completed) = state.db.search_credits(filter).await?;
    let (config, _) = state.db.store_config().await?;
    Ok(Json(CreditList::of_page(
        &credits,
        completed,
        filter.detail,
        config.currency(),
    )))
}

/// `GET /billing/{tenantLocator}/credits/list`: every credit of the store, or of one account
/// (`accountLocator`), oldest first, `offset`/`count` paged.
pub async fn credits(
    _: Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<CreditList>, ApiError> {
    list(&state, &tenant, &query, &CreditScope::Store).await
}

/// `GET /billing/{tenantLocator}/shortfallCredits/list`: the shortfall write-offs.
pub async fn shortfalls(
    _: Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<CreditList>, ApiError> {
    list(&state, &tenant, &query, &CreditScope::Shortfalls).await
}

/// A store-wide list of `scope` on this store's tenant.
async fn list(
    state: &AppState,
    tenant: &str,
    query: &[(String, String)],
    scope: &CreditScope,
) -> Result<Json<CreditList>, ApiError> {
    this_tenant(state, tenant)?;
    page(state, &CreditFilter::from_query(query, scope)?).await
}

/// `GET /billing/{tenantLocator}/shortfallCredits/{locator}`: one shortfall write-off; a credit
/// of another type is not a shortfall credit (404).
pub async fn shortfall(
    _: Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path((tenant, locator)): Path<(String, String)>,
) -> Result<Json<CreditView>, ApiError> {
    this_tenant(&state, &tenant)?;
    let locator: CreditLocator = PathId::Credit.read(&locator).map_err(ApiError::NotFound)?;
    let filter = CreditFilter::shortfall(locator.clone());
    let (credits, _) = state.db.search_credits(&filter).await?;
    let credit = credits
        .first()
        .ok_or(CreditError::CreditNotFound(locator))?;
    let (config, _) = state.db.store_config().await?;
    Ok(Json(CreditView::with_detail(
        credit,
        config.currency(),
        CreditDetail::Extended,
    )))
}

/// `GET /billing/{tenantLocator}/invoices/{locator}/credits/list`: an invoice's credits (posted
/// ones unless `includeReversed=true`); an invoice no account has is not found.
pub async fn of_invoice(
    _: Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    Path((tenant, text)): Path<(String, String)>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<CreditList>, ApiError> {
    this_tenant(&state, &tenant)?;
    let not_found = || ApiError::NotFound(PathId::StoreInvoice.not_found(&text));
    let invoice: InvoiceId = text.parse().map_err(|_| not_found())?;
    let filter = CreditFilter::from_query(&query, &CreditScope::Invoice(invoice.clone()))?;
    if !state.db.invoice_exists(&invoice).await? {
        return Err(not_found());
    }
    page(&state, &filter).await
}
