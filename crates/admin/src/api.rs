//! The API as async functions over a [`Backend`] (a server, or the engine in this page), and
//! the one error type of the admin.
//!
//! Every refusal has the body of `creditdesk_core::ErrorBody`; [`AdminError`] keeps it typed so a
//! form can put each field's message next to that field.

use creditdesk_core::dashboard::Dashboard;
use creditdesk_core::import::{ImportKind, ImportMode, ImportView};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{
    AccountList, AccountView, HolderList, InvoiceList, Me, StatementView, TransactionList,
};
use creditdesk_core::{ErrorCode, ErrorDetail, FieldError, ValidationErrors};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use crate::backend::{Backend, Method};

/// Why a request failed, in words a merchant can act on. Each kind of failure is its own
/// variant, so none is dressed up as another.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminError {
    /// The server could not be reached.
    Network(String),
    /// Nobody is signed in (any more): the sign-in screen comes next.
    SignedOut,
    /// Core refused what was typed, before anything was sent (each field's message).
    Invalid(ValidationErrors),
    /// The server, or the engine in this page, refused with the API's error body.
    Refused(ErrorDetail),
    /// This browser could not keep or read the data of "Use in this browser".
    Browser(String),
    /// The server answered something this admin does not understand.
    Unexpected { status: u16, text: String },
}

impl AdminError {
    /// Field-level messages of a refusal (empty otherwise).
    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            AdminError::Refused(detail) => detail.fields.clone(),
            AdminError::Invalid(errors) => errors.clone().into_vec(),
            _ => Vec::new(),
        }
    }

    /// The message for exactly this field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AdminError::Refused(detail) => detail
                .fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.message.clone()),
            AdminError::Invalid(errors) => errors.for_field(field).map(str::to_owned),
            _ => None,
        }
    }
}

/// A refusal as the API writes it.
impl From<creditdesk_core::ErrorBody> for AdminError {
    fn from(body: creditdesk_core::ErrorBody) -> Self {
        AdminError::Refused(body.error)
    }
}

impl From<ValidationErrors> for AdminError {
    fn from(errors: ValidationErrors) -> Self {
        AdminError::Invalid(errors)
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::Network(why) => {
                write!(
                    f,
                    "Cannot reach the Creditdesk server ({why}). Check that it is running."
                )
            }
            AdminError::SignedOut => f.write_str("You are signed out. Sign in again."),
            AdminError::Invalid(errors) => match errors.len() {
                1 => f.write_str("A field needs fixing before this can be sent."),
                n => write!(f, "{n} fields need fixing before this can be sent."),
            },
            AdminError::Refused(detail) => match detail.code {
                ErrorCode::Unauthorized => {
                    f.write_str("The app key or token is not valid. Sign in again.")
                }
                ErrorCode::Forbidden => write!(f, "Not allowed: {}", detail.message),
                ErrorCode::TooManyRequests => write!(f, "Too many attempts: {}", detail.message),
                ErrorCode::RequestTimeout => write!(
                    f,
                    "The request took too long to arrive; check the connection and send it again ({})",
                    detail.message
                ),
                _ if detail.reason.as_deref() == Some("account_exists") => f.write_str(
                    "An account with this document and type exists already; find it in the list.",
                ),
                _ => f.write_str(&upper_first(&detail.message)),
            },
            AdminError::Browser(why) => f.write_str(&upper_first(why)),
            AdminError::Unexpected { status, text } => {
                write!(
                    f,
                    "The server answered {status} unexpectedly: {}",
                    text.chars().take(200).collect::<String>()
                )
            }
        }
    }
}

impl std::error::Error for AdminError {}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub async fn me(backend: &Backend) -> Result<Me, AdminError> {
    get(backend, "/api/creditdesk/me").await
}

/// `GET /api/creditcontrol/accounts?{query}`.
pub async fn accounts(backend: &Backend, query: &str) -> Result<AccountList, AdminError> {
    get(backend, &format!("/api/creditcontrol/accounts?{query}")).await
}

/// `POST /api/creditcontrol/accounts` with a body core has validated.
pub async fn open_account(backend: &Backend, body: &Value) -> Result<AccountView, AdminError> {
    call(
        backend,
        Method::Post,
        "/api/creditcontrol/accounts",
        Some(body),
    )
    .await
}

pub async fn account(backend: &Backend, id: &str) -> Result<AccountView, AdminError> {
    get(backend, &account_path(id, "")).await
}

pub async fn account_invoices(backend: &Backend, id: &str) -> Result<InvoiceList, AdminError> {
    get(backend, &account_path(id, "/invoices?to=1000")).await
}

/// `GET …/statements?{query}` (`dateFrom`, `dateTo`).
pub async fn statement(
    backend: &Backend,
    id: &str,
    query: &str,
) -> Result<StatementView, AdminError> {
    get(backend, &account_path(id, &format!("/statements?{query}"))).await
}

/// `GET /api/creditdesk/dashboard`.
pub async fn dashboard(backend: &Backend) -> Result<Dashboard, AdminError> {
    get(backend, "/api/creditdesk/dashboard").await
}

/// `GET /api/creditcontrol/invoices?{query}`: every invoice of the store matching the query.
pub async fn search_invoices(backend: &Backend, query: &str) -> Result<InvoiceList, AdminError> {
    get(backend, &format!("/api/creditcontrol/invoices?{query}")).await
}

/// `GET /api/creditdesk/accounts/{id}/transactions` (extension).
pub async fn transactions(backend: &Backend, id: &str) -> Result<TransactionList, AdminError> {
    get(
        backend,
        &format!("/api/creditdesk/accounts/{}/transactions", encode(id)),
    )
    .await
}

/// `GET /api/creditdesk/accounts/{id}/holders` (extension).
pub async fn holders(backend: &Backend, id: &str) -> Result<HolderList, AdminError> {
    get(
        backend,
        &format!("/api/creditdesk/accounts/{}/holders", encode(id)),
    )
    .await
}

/// The API path of an account (`/api/creditcontrol/accounts/{id}`) followed by `rest`.
pub fn account_path(id: &str, rest: &str) -> String {
    format!("/api/creditcontrol/accounts/{}{rest}", encode(id))
}

/// `method path` with an optional body, its answer read as `T`.
pub async fn call<T: DeserializeOwned>(
    backend: &Backend,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<T, AdminError> {
    let answer = backend.send(method, path, body).await?;
    read(&answer)
}

/// An answer's JSON text read as `T`.
pub fn read<T: DeserializeOwned>(answer: &str) -> Result<T, AdminError> {
    serde_json::from_str(answer).map_err(|e| AdminError::Unexpected {
        status: 200,
        text: format!("{e}: {}", answer.chars().take(200).collect::<String>()),
    })
}

/// `GET path`, its answer read as `T`.
pub async fn get<T: DeserializeOwned>(backend: &Backend, path: &str) -> Result<T, AdminError> {
    call(backend, Method::Get, path, None).await
}

/// Percent-encodes a query or path value (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub async fn store_config(backend: &Backend) -> Result<StoreConfig, AdminError> {
    get(backend, "/api/creditcontrol/storeconfig").await
}

pub async fn save_store_config(
    backend: &Backend,
    config: &StoreConfig,
) -> Result<StoreConfig, AdminError> {
    let body = serde_json::to_value(config).map_err(|e| AdminError::Unexpected {
        status: 0,
        text: e.to_string(),
    })?;
    call(
        backend,
        Method::Put,
        "/api/creditcontrol/storeconfig",
        Some(&body),
    )
    .await
}

/// Whether an import also replaces the server's store configuration with the file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigImport {
    Replace,
    Keep,
}

/// What an import did, account by account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub imported: Vec<String>,
    /// Accounts the server has already (left as they are).
    pub existing: Vec<String>,
    /// Accounts the server refused, and why.
    pub failed: Vec<(String, String)>,
}

/// Sends a dump (the file "Export" saves in browser mode) to `backend`: core checks the whole
/// file first, then the store configuration (when asked) and each account's book go by
/// `POST /api/creditdesk/books`, one request each; `progress(done, total)` after each.
pub async fn import(
    backend: &Backend,
    text: &str,
    config: ConfigImport,
    progress: impl Fn(u32, u32),
) -> Result<ImportReport, AdminError> {
    let bad = |why: String| AdminError::Invalid(ValidationErrors::single("file", why));
    let mut dump: creditdesk_core::memory::Dump =
        serde_json::from_str(text).map_err(|e| bad(format!("is not a Creditdesk export: {e}")))?;
    dump.accept().map_err(bad)?;
    if config == ConfigImport::Replace {
        save_store_config(backend, &dump.store_config).await?;
    }
    let total = dump.books.len() as u32;
    let mut report = ImportReport::default();
    for (done, book) in dump.books.iter().enumerate() {
        let id = book.account.id.to_string();
        // Written as text and read back, not `to_value`: the book's one writer in the bundle.
        let body = serde_json::to_string(book)
            .and_then(|text| serde_json::from_str::<Value>(&text))
            .map_err(|e| bad(e.to_string()))?;
        match backend
            .send(Method::Post, "/api/creditdesk/books", Some(&body))
            .await
        {
            Ok(_) => report.imported.push(id),
            Err(AdminError::Refused(detail))
                if detail.reason.as_deref() == Some("account_exists") =>
            {
                report.existing.push(id)
            }
            Err(AdminError::Refused(detail)) => report.failed.push((id, detail.message)),
            Err(other) => return Err(other),
        }
        progress(done as u32 + 1, total);
    }
    Ok(report)
}

/// `GET path` of a CSV export (the answer's text), to be saved as a file.
pub async fn csv(backend: &Backend, path: &str) -> Result<String, AdminError> {
    backend.send_csv(Method::Get, path, None).await
}

/// Sends `file` as a CSV import of `kind` (a preview for [`ImportMode::Preview`]): the job.
pub async fn start_import(
    backend: &Backend,
    kind: ImportKind,
    mode: ImportMode,
    file_name: &str,
    file: &str,
) -> Result<ImportView, AdminError> {
    let dry_run = match mode {
        ImportMode::Preview => "true",
        ImportMode::Apply => "false",
    };
    let path = format!(
        "/api/creditdesk/imports/{}?dryRun={dry_run}&fileName={}",
        kind.as_str(),
        encode(file_name)
    );
    read(&backend.send_csv(Method::Post, &path, Some(file)).await?)
}

/// An import job as it stands.
pub async fn import_job(backend: &Backend, id: &str) -> Result<ImportView, AdminError> {
    get(backend, &format!("/api/creditdesk/imports/{}", encode(id))).await
}

/// The import history, newest first.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ImportList {
    pub data: Vec<ImportView>,
}

pub async fn imports(backend: &Backend) -> Result<ImportList, AdminError> {
    get(backend, "/api/creditdesk/imports?from=1&to=20").await
}
