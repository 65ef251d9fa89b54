//! `GET /api/creditdesk/dashboard` (extension): store-wide totals, credit usage, aging of open
//! invoices and what falls due soon. A view of receivables, so it needs the invoice-reading
//! resource.

use axum::extract::State;
use axum::Json;
use creditdesk_core::dashboard::Dashboard;

use super::context::Env;
use crate::auth::{perm, Auth};
use crate::error::ApiError;
use crate::AppState;

pub async fn get(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
) -> Result<Json<Dashboard>, ApiError> {
    let env = Env::load(&state, &principal).await?;
    let dashboard = state.db.dashboard(env.now, &env.config).await?;
    Ok(Json(dashboard))
}
