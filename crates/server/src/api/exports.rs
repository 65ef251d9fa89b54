//! CSV exports, streamed: every invoice a search selects, the accounts a search selects, an
//! account's statement. Lines are core's `export` cells of the views the JSON API answers
//! with. The invoices are read a batch at a time after the last one sent (constant memory,
//! whatever their number); the answer starts at once and ends when the last batch is sent.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use creditdesk_core::export;
use creditdesk_core::ids::InvoiceId;
use creditdesk_core::search::{AccountFilter, InvoiceFilter, Page};
use creditdesk_core::wire::StatementView;
use futures::stream::{self, Stream, StreamExt};

use super::context::{account_id, read_account, Env, QueryPairs};
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::db::search::invoice_cursor;
use crate::db::{Db, StorageError};
use crate::error::ApiError;
use crate::AppState;

/// Rows read from storage at a time.
pub const EXPORT_BATCH_ROWS: u32 = 1000;

/// A CSV download of `lines` (the header first) named `file_name`.
pub(super) fn csv_response(
    file_name: &str,
    lines: impl Stream<Item = Result<Bytes, StorageError>> + Send + 'static,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        // Fused: hyper may poll a body once more after its end, which an unfused `unfold`
        // answers with a panic (the connection dropped mid-answer).
        Body::from_stream(lines.fuse()),
    )
        .into_response()
}

pub(super) fn header_line(columns: &[&str]) -> Bytes {
    Bytes::from(export::line(columns))
}

/// Where an invoice export stands.
enum Cursor {
    Start,
    After((i64, InvoiceId)),
    Done,
}

/// `GET /creditdesk/exports/invoices.csv` with the invoice search's parameters: every invoice
/// it selects (its page aside), in its order.
pub async fn invoices(
    Auth(principal, _): Auth<perm::ReadInvoices>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Response, ApiError> {
    let filter = InvoiceFilter::from_query(&query)?;
    let env = std::sync::Arc::new(Env::load(&state, &principal).await?);
    let db = state.db.clone();
    let batches = stream::unfold(Cursor::Start, move |cursor| {
        let (db, filter, env) = (db.clone(), filter.clone(), env.clone());
        async move {
            let after = match cursor {
                Cursor::Done => return None,
                Cursor::Start => None,
                Cursor::After(after) => Some(after),
            };
            let batch = match db
                .invoices_after(&filter, after.as_ref(), EXPORT_BATCH_ROWS)
                .await
            {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::error!(%error, "an invoice export stopped: its answer is cut");
                    return Some((Err(error), Cursor::Done));
                }
            };
            let next = match batch.last() {
                Some(last) if batch.len() == EXPORT_BATCH_ROWS as usize => {
                    Cursor::After(invoice_cursor(last))
                }
                _ => Cursor::Done,
            };
            let mut text = Vec::new();
            for invoice in &batch {
                text.extend(export::line(&export::invoice_cells(
                    &env.invoice_view(invoice),
                )));
            }
            Some((Ok(Bytes::from(text)), next))
        }
    })
    .filter(|chunk| std::future::ready(!matches!(chunk, Ok(bytes) if bytes.is_empty())));
    let lines = stream::once(async { Ok(header_line(&export::INVOICE_COLUMNS)) }).chain(batches);
    Ok(csv_response("invoices.csv", lines))
}

/// The page of accounts `filter` selects at `page` (1-based batches of [`EXPORT_BATCH_ROWS`]).
async fn account_batch(
    db: &Db,
    filter: &AccountFilter,
    batch: u32,
    env: &Env,
) -> Result<Vec<creditdesk_core::wire::AccountView>, StorageError> {
    let from = batch * EXPORT_BATCH_ROWS + 1;
    let page = Page::new(from, from + EXPORT_BATCH_ROWS - 1).expect("a batch is a page");
    let filter = AccountFilter {
        page,
        ..filter.clone()
    };
    let (accounts, _) = db
        .search_accounts(&filter, env.now, env.config.tolerance_enabled())
        .await?;
    Ok(accounts)
}

/// `GET /creditdesk/exports/accounts.csv` with the account search's parameters: every account
/// it selects (its page aside), oldest first.
pub async fn accounts(
    Auth(principal, _): Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Response, ApiError> {
    let filter = AccountFilter::from_query(&query)?;
    let env = std::sync::Arc::new(Env::load(&state, &principal).await?);
    let db = state.db.clone();
    let batches = stream::unfold(Some(0u32), move |batch| {
        let (db, filter, env) = (db.clone(), filter.clone(), env.clone());
        async move {
            let batch = batch?;
            let accounts = match account_batch(&db, &filter, batch, &env).await {
                Ok(accounts) => accounts,
                Err(error) => {
                    tracing::error!(%error, "an account export stopped: its answer is cut");
                    return Some((Err(error), None));
                }
            };
            let next = (accounts.len() == EXPORT_BATCH_ROWS as usize).then_some(batch + 1);
            let mut text = Vec::new();
            for account in &accounts {
                text.extend(export::line(&export::account_cells(account)));
            }
            Some((Ok(Bytes::from(text)), next))
        }
    });
    let lines = stream::once(async { Ok(header_line(&export::ACCOUNT_COLUMNS)) }).chain(batches);
    Ok(csv_response("accounts.csv", lines))
}

/// `GET /creditdesk/accounts/{id}/statements.csv?dateFrom&dateTo`: the statement's entries
/// with the balance after each.
pub async fn statement(
    Auth(principal, _): Auth<perm::ReadStatements>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Result<Response, ApiError> {
    let (from, to) = creditdesk_core::ledger::window_from_query(&query)?;
    let id = account_id(&id)?;
    let (book, _) = read_account(&state, &principal, &id, &Reads::statement()).await?;
    let view = StatementView::from(&book.statement(from, to));
    let mut text = export::line(&export::STATEMENT_COLUMNS);
    for cells in export::statement_cells(&view) {
        text.extend(export::line(&cells));
    }
    let body = stream::once(async move { Ok(Bytes::from(text)) });
    Ok(csv_response(&format!("statement-{id}.csv"), body))
}
