//! CSV imports (core's `import`; the job worked on by `crate::imports`):
//! `POST /creditdesk/imports/accounts` and `…/invoices` (the file as the body, `text/csv`;
//! `?dryRun=true` previews, `?fileName=` names it in the history) read and check the file as it
//! arrives, keep it in parts, and answer the job (202) before its rows are handled; `GET /creditdesk/imports` is the history,
//! newest first; `GET /creditdesk/imports/{id}` a job with its first errors, and
//! `…/{id}/errors.csv` every error.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use creditdesk_core::credit::CreditLocator;
use creditdesk_core::import::{
    self, FileReader, FileSummary, ImportKind, ImportMode, ImportOptions, ImportView,
    IMPORT_BYTES_MAX,
};
use futures::stream::{self, StreamExt};
use rand::Rng;
use serde_json::{json, Value};

use super::context::QueryPairs;
use super::exports::{csv_response, header_line, EXPORT_BATCH_ROWS};
use crate::auth::{perm, Auth, Principal};
use crate::db::imports::{NewImport, PART_BYTES};
use crate::error::ApiError;
use crate::extract::BodyPieces;
use crate::AppState;

/// `POST /creditdesk/imports/accounts`: accounts created or updated, one per row.
pub async fn accounts(
    Auth(principal, _): Auth<perm::CreateCheckingAccounts>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
    body: Body,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    accept(&state, &principal, ImportKind::Accounts, &query, body).await
}

/// `POST /creditdesk/imports/invoices`: invoices changed (status, observation, payment link),
/// one per row.
pub async fn invoices(
    Auth(principal, _): Auth<perm::CreateInvoices>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
    body: Body,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    accept(&state, &principal, ImportKind::Invoices, &query, body).await
}

/// CSV files received at once by one server. Each holds at most one stored part of its file
/// (`db::imports::PART_BYTES`) and the line being read, and writes a part per mebibyte, so a
/// third is answered 429 with `Retry-After` while two are arriving, to leave the writer to
/// checkouts. Only a key allowed to import gets this far: nothing is read before.
pub const UPLOADS_AT_ONCE: usize = 2;
/// What a client waits before sending a file again when no place was free.
pub const UPLOAD_RETRY_SECONDS: u32 = 5;

/// The file read and checked by core as it arrives (UTF-8, CSV, its header, its size), kept in
/// parts, then written as a job. A file refused midway leaves none of its parts.
async fn accept(
    state: &AppState,
    principal: &Principal,
    kind: ImportKind,
    query: &[(String, String)],
    body: Body,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let options = ImportOptions::from_query(kind, query)?;
    let Ok(_place) = state.uploads.clone().try_acquire_owned() else {
        return Err(ApiError::TooManyRequests {
            retry_after_seconds: UPLOAD_RETRY_SECONDS,
            why: "two CSV files are being received already",
        });
    };
    let now = state.now();
    let id = format!("imp_{}", CreditLocator::at(now, rand::rng().random()));
    let file = match receive(state, &id, kind, body).await {
        Ok(file) => file,
        Err(refused) => {
            if let Err(error) = state.db.drop_import_parts(&id).await {
                tracing::warn!(import = %id, %error, "a refused file's parts are left to the sweep");
            }
            return Err(refused);
        }
    };
    let job = NewImport {
        id: id.clone(),
        kind,
        dry_run: options.mode == ImportMode::Preview,
        file_name: options.file_name,
        created_by: principal.app_key.clone(),
        created_at: now,
        rows_total: file.rows_total,
        ignored_columns: file.ignored_columns,
    };
    state.db.create_import(&job).await?;
    crate::imports::start(state);
    let view = state.db.import(&id).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("import {id} was written and is not found"))
    })?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// The body of job `id` read piece by piece: each piece fed to core's reader as it comes and
/// added to the part being filled, written when full. What the file holds, once it ended.
async fn receive(
    state: &AppState,
    id: &str,
    kind: ImportKind,
    body: Body,
) -> Result<FileSummary, ApiError> {
    let mut pieces = BodyPieces::new(body, IMPORT_BYTES_MAX);
    let mut reader = FileReader::new(kind);
    let mut rows = Vec::new();
    let mut part = Vec::with_capacity(PART_BYTES);
    let mut seq: u16 = 0;
    while let Some(mut piece) = pieces.next().await? {
        reader.feed(&piece, &mut rows)?;
        rows.clear();
        while !piece.is_empty() {
            let taken = piece.split_to((PART_BYTES - part.len()).min(piece.len()));
            part.extend_from_slice(&taken);
            if part.len() == PART_BYTES {
                let full = std::mem::replace(&mut part, Vec::with_capacity(PART_BYTES));
                state.db.put_import_part(id, seq, full, state.now()).await?;
                seq += 1; // at most IMPORT_BYTES_MAX / PART_BYTES = 50 parts
            }
        }
    }
    let file = reader.finish(&mut rows)?;
    if !part.is_empty() {
        state.db.put_import_part(id, seq, part, state.now()).await?;
    }
    Ok(file)
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("there is no import {id}"))
}

/// `GET /creditdesk/imports/{id}`.
pub async fn get(
    _: Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ImportView>, ApiError> {
    let view = state.db.import(&id).await?.ok_or_else(|| not_found(&id))?;
    Ok(Json(view))
}

/// `GET /creditdesk/imports?from&to`: the history, newest first (errors left out: each job's
/// own answer has them).
pub async fn list(
    _: Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    let page = import::history_page(&query)?;
    let (data, total) = state.db.imports(page.offset(), page.size()).await?;
    Ok(Json(json!({
        "data": data,
        "range": { "from": page.from(), "to": page.to(), "total": total },
    })))
}

/// `GET /creditdesk/imports/{id}/errors.csv`: every error of the job, by line (streamed).
pub async fn errors(
    _: Auth<perm::ReadCheckingAccounts>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if state.db.import(&id).await?.is_none() {
        return Err(not_found(&id));
    }
    let db = state.db.clone();
    let file_name = format!("{id}-errors.csv");
    // Where the last batch ended (`None` inside: at the start; `None`: done).
    let batches = stream::unfold(Some(None::<(u32, u32)>), move |after| {
        let (db, id) = (db.clone(), id.clone());
        async move {
            let after = after?;
            let errors = match db.import_errors(&id, after, EXPORT_BATCH_ROWS).await {
                Ok(errors) => errors,
                Err(error) => return Some((Err(error), None)),
            };
            let next = match errors.last() {
                Some((at, _)) if errors.len() == EXPORT_BATCH_ROWS as usize => Some(Some(*at)),
                _ => None,
            };
            let mut text = Vec::new();
            for (_, error) in &errors {
                text.extend(creditdesk_core::export::line(&import::error_cells(error)));
            }
            Some((Ok(Bytes::from(text)), next))
        }
    });
    let header = header_line(&import::ERROR_COLUMNS);
    let lines = stream::once(async move { Ok(header) }).chain(batches);
    Ok(csv_response(&file_name, lines))
}
