//! CSV imports and exports in this browser, as a server's do: a file checked whole by core's
//! `import::read_file`, each row read by the API's readers and applied by core's `import::apply`
//! to the store kept here (a preview tries each row on a copy of its account); exports are
//! core's `export` cells of the views this engine answers with, every page of the search.
//!
//! The page has no background worker: a job runs whole when it is sent and answers
//! `Completed`. Its history — the last [`HISTORY_JOBS_MAX`] jobs, each with its first
//! [`ERRORS_KEPT_MAX`] errors (localStorage is small; a server keeps them all) — is kept
//! beside the store.

use creditdesk_core::book::Ctx;
use creditdesk_core::credit::{CreditLocator, PaymentLocators};
use creditdesk_core::export;
use creditdesk_core::ids::{AccountId, Actor, PathId};
use creditdesk_core::import::{
    self, ImportKind, ImportMode, ImportOptions, ImportStatus, ImportView, RowError,
    ERRORS_LISTED_MAX, IMPORT_BYTES_MAX,
};
use creditdesk_core::memory::Ledger;
use creditdesk_core::search::{AccountFilter, InvoiceFilter, Page, PAGE_SIZE_MAX};
use creditdesk_core::wire::StatementView;
use creditdesk_core::{ErrorBody, ErrorCode, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::browser::{self, invalid, no_route, not_found, parse_id, random_bits, to_json, Answer};
use super::Method;
use crate::api::AdminError;
use crate::dom;

/// Where the import history is kept in `localStorage`.
pub const HISTORY_KEY: &str = "creditdesk.browser-imports";
/// Most jobs the history keeps (the oldest go first).
pub const HISTORY_JOBS_MAX: usize = 20;
/// Most errors kept of one job (its error file holds these).
pub const ERRORS_KEPT_MAX: usize = 1000;

/// A job of the history: its view (the first errors) and the errors kept for its error file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeptImport {
    view: ImportView,
    errors: Vec<RowError>,
}

/// Answers one CSV request (an export, an import, an import's error file) from this browser.
pub fn send(method: Method, path: &str, body: Option<&str>) -> Result<String, AdminError> {
    let (segments, query) = browser::request_parts(path);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let now = dom::browser_now();
    match (method, segments.as_slice()) {
        (Method::Get, ["creditdesk", "exports", "invoices.csv"]) => {
            Ok(invoices(&browser::load()?, &query, now)?)
        }
        (Method::Get, ["creditdesk", "exports", "accounts.csv"]) => {
            Ok(accounts(&browser::load()?, &query, now)?)
        }
        (Method::Get, ["creditdesk", "accounts", id, "statements.csv"]) => {
            Ok(statement(&browser::load()?, id, &query)?)
        }
        (Method::Get, ["creditdesk", "imports", id, "errors.csv"]) => {
            let job = kept(id)?.ok_or_else(|| missing(id))?;
            let mut text = export::line(&import::ERROR_COLUMNS);
            for error in &job.errors {
                text.extend(export::line(&import::error_cells(error)));
            }
            Ok(utf8(text))
        }
        (Method::Post, ["creditdesk", "imports", kind]) => {
            let kind: ImportKind = kind.parse().map_err(|_| no_route())?;
            run(kind, &query, body.unwrap_or_default(), now)
        }
        _ => Err(no_route().into()),
    }
}

/// `GET /creditdesk/imports?from&to`: the history, newest first (each job's errors left out).
pub fn history(query: &[(String, String)]) -> Answer {
    let page = import::history_page(query).map_err(invalid)?;
    let jobs = load_history().map_err(unreadable)?;
    let data: Vec<ImportView> = jobs
        .iter()
        .skip(page.offset() as usize)
        .take(page.size() as usize)
        .map(|job| ImportView {
            errors: Vec::new(),
            ..job.view.clone()
        })
        .collect();
    to_json(json!({
        "data": data,
        "range": { "from": page.from(), "to": page.to(), "total": jobs.len() as u64 },
    }))
}

/// `GET /creditdesk/imports/{id}`.
pub fn job(id: &str) -> Answer {
    let job = kept(id).map_err(unreadable)?.ok_or_else(|| missing(id))?;
    to_json(job.view)
}

/// Forgets the import history (with the store: "Clear this browser's data").
pub fn clear_history() -> Result<(), AdminError> {
    dom::local_storage_set(HISTORY_KEY, "[]")
}

/// The history that cannot be read, as a JSON route's refusal.
fn unreadable(error: AdminError) -> ErrorBody {
    ErrorBody::new(ErrorCode::Internal, error.to_string())
}

fn missing(id: &str) -> ErrorBody {
    not_found(format!("there is no import {id}"))
}

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("the csv writer writes the UTF-8 it is given")
}

/// An export's text: the header of `columns`, then the lines `page_lines` gives of each page of
/// [`PAGE_SIZE_MAX`] items, from the first until one is not full.
fn every_page(columns: &[&str], mut page_lines: impl FnMut(Page) -> Vec<Vec<String>>) -> String {
    let mut text = export::line(columns);
    for at in 0u32.. {
        let from = at * PAGE_SIZE_MAX + 1;
        let page = Page::new(from, from + PAGE_SIZE_MAX - 1).expect("a whole page");
        let lines = page_lines(page);
        for cells in &lines {
            text.extend(export::line(cells));
        }
        if lines.len() < PAGE_SIZE_MAX as usize {
            break;
        }
    }
    utf8(text)
}

/// Every invoice the search selects (its page aside), in its order.
fn invoices(ledger: &Ledger, query: &[(String, String)], now: Timestamp) -> Answer {
    let filter = InvoiceFilter::from_query(query).map_err(invalid)?;
    Ok(every_page(&export::INVOICE_COLUMNS, |page| {
        let filter = InvoiceFilter {
            page,
            ..filter.clone()
        };
        let list = ledger.invoices(&filter, now);
        list.data.iter().map(export::invoice_cells).collect()
    }))
}

/// Every account the search selects (its page aside), oldest first.
fn accounts(ledger: &Ledger, query: &[(String, String)], now: Timestamp) -> Answer {
    let filter = AccountFilter::from_query(query).map_err(invalid)?;
    Ok(every_page(&export::ACCOUNT_COLUMNS, |page| {
        let filter = AccountFilter {
            page,
            ..filter.clone()
        };
        let list = ledger.accounts(&filter, now);
        list.data.iter().map(export::account_cells).collect()
    }))
}

/// An account's statement in its window, each entry with the balance after it.
fn statement(ledger: &Ledger, id: &str, query: &[(String, String)]) -> Answer {
    let (from, to) = creditdesk_core::ledger::window_from_query(query).map_err(invalid)?;
    let id: AccountId = parse_id(id, PathId::Account)?;
    let book = ledger.book(&id).map_err(|e| ErrorBody::from(&e))?;
    let view = StatementView::from(&book.statement(from, to));
    let mut text = export::line(&export::STATEMENT_COLUMNS);
    for cells in export::statement_cells(&view) {
        text.extend(export::line(&cells));
    }
    Ok(utf8(text))
}

/// `POST /creditdesk/imports/{kind}?dryRun&fileName`: the file checked whole, every row
/// handled, the job kept in the history and answered.
fn run(
    kind: ImportKind,
    query: &[(String, String)],
    text: &str,
    now: Timestamp,
) -> Result<String, AdminError> {
    let options = ImportOptions::from_query(kind, query).map_err(invalid)?;
    if text.len() > IMPORT_BYTES_MAX as usize {
        return Err(ErrorBody::new(
            ErrorCode::PayloadTooLarge,
            format!("the file is larger than {IMPORT_BYTES_MAX} bytes: split it into several"),
        )
        .into());
    }
    let file = import::read_file(kind, text).map_err(invalid)?;
    let mut ledger = browser::load()?;
    let actor: Actor = browser::ACTOR.parse().expect("a valid actor");
    let config = ledger.config().clone();
    let ctx = Ctx {
        now,
        actor: &actor,
        config: &config,
    };
    let (mut errors, mut rows_failed) = (Vec::new(), 0u32);
    for record in &file.records {
        let row_errors = match import::read_row(kind, record) {
            Err(errors) => errors,
            Ok(row) => {
                let locators = PaymentLocators::at(now, random_bits());
                let id = row.account().clone();
                let tried = match options.mode {
                    ImportMode::Apply => {
                        ledger.with_book(&id, |slot| import::apply(slot, &row, &locators, &ctx))
                    }
                    ImportMode::Preview => {
                        let mut slot = ledger.book(&id).ok().cloned();
                        import::apply(&mut slot, &row, &locators, &ctx)
                    }
                };
                tried
                    .err()
                    .map(|refusal| import::refusal(record.line, refusal))
                    .unwrap_or_default()
            }
        };
        if !row_errors.is_empty() {
            rows_failed += 1;
            errors.extend(row_errors);
        }
    }
    if options.mode == ImportMode::Apply {
        browser::save(ledger)?;
    }
    let rows_total = file.rows_total();
    let view = ImportView {
        id: format!("imp_{}", CreditLocator::at(now, random_bits())),
        kind,
        status: ImportStatus::of_progress(rows_total, rows_total),
        dry_run: options.mode == ImportMode::Preview,
        file_name: options.file_name,
        created_by: browser::ACTOR.to_owned(),
        created_at: now,
        finished_at: Some(now),
        rows_total,
        rows_done: rows_total,
        rows_failed,
        ignored_columns: file.ignored_columns,
        errors: errors
            .iter()
            .take(ERRORS_LISTED_MAX as usize)
            .cloned()
            .collect(),
    };
    errors.truncate(ERRORS_KEPT_MAX);
    let mut jobs = load_history()?;
    jobs.insert(
        0,
        KeptImport {
            view: view.clone(),
            errors,
        },
    );
    jobs.truncate(HISTORY_JOBS_MAX);
    let kept = serde_json::to_string(&jobs)
        .map_err(|e| AdminError::Browser(format!("the import history cannot be written: {e}")))?;
    dom::local_storage_set(HISTORY_KEY, &kept)?;
    Ok(to_json(view)?)
}

/// The history, newest first (empty when nothing was kept yet).
fn load_history() -> Result<Vec<KeptImport>, AdminError> {
    match dom::local_storage_get(HISTORY_KEY)? {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            AdminError::Browser(format!(
                "the import history kept in this browser cannot be read ({e}); clear this \
                 browser's data from the Data screen"
            ))
        }),
    }
}

fn kept(id: &str) -> Result<Option<KeptImport>, AdminError> {
    Ok(load_history()?.into_iter().find(|job| job.view.id == id))
}
