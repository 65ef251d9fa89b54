//! The server's API as async functions, and the one error type of the admin.
//!
//! Every error the server sends has the body of `creditdesk_core::ErrorBody`; [`AdminError`]
//! keeps it typed so a form can put each field's message next to that field.

use creditdesk_core::dashboard::Dashboard;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{
    AccountList, AccountView, HolderList, InvoiceList, StatementView, TransactionList,
};
use creditdesk_core::{ErrorCode, ErrorDetail, FieldError};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::session::Credentials;

/// Why a call to the server failed, in words a merchant can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminError {
    /// The server could not be reached.
    Network(String),
    /// The server refused, with its error body.
    Api { status: u16, detail: ErrorDetail },
    /// The server answered something this admin does not understand.
    Unexpected { status: u16, text: String },
}

impl AdminError {
    /// Field-level messages from a validation refusal (empty otherwise).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AdminError::Api { detail, .. } => &detail.fields,
            _ => &[],
        }
    }

    /// The server's message for exactly this field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        self.fields()
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.clone())
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            AdminError::Api { detail, .. } => Some(detail.code),
            _ => None,
        }
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
            AdminError::Api { detail, .. } => match detail.code {
                ErrorCode::Unauthorized => {
                    f.write_str("The app key or token is not valid. Sign in again.")
                }
                ErrorCode::Forbidden => write!(f, "Not allowed: {}", detail.message),
                _ if detail.reason.as_deref() == Some("account_exists") => f.write_str(
                    "An account with this document and type exists already; find it in the list.",
                ),
                _ => f.write_str(&upper_first(&detail.message)),
            },
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

/// `GET /api/creditdesk/me`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub app_key: String,
    pub resources: Vec<String>,
}

pub async fn me(credentials: &Credentials) -> Result<Me, AdminError> {
    send(
        with_credentials(Request::get("/api/creditdesk/me"), credentials),
        None::<&()>,
    )
    .await
}

/// `GET /api/creditcontrol/accounts?{query}`.
pub async fn accounts(credentials: &Credentials, query: &str) -> Result<AccountList, AdminError> {
    get(credentials, &format!("/api/creditcontrol/accounts?{query}")).await
}

/// `POST /api/creditcontrol/accounts` with a body core has validated.
pub async fn open_account(
    credentials: &Credentials,
    body: &serde_json::Value,
) -> Result<AccountView, AdminError> {
    send(
        with_credentials(Request::post("/api/creditcontrol/accounts"), credentials),
        Some(body),
    )
    .await
}

pub async fn account(credentials: &Credentials, id: &str) -> Result<AccountView, AdminError> {
    get(
        credentials,
        &format!("/api/creditcontrol/accounts/{}", encode(id)),
    )
    .await
}

pub async fn account_invoices(
    credentials: &Credentials,
    id: &str,
) -> Result<InvoiceList, AdminError> {
    get(
        credentials,
        &format!(
            "/api/creditcontrol/accounts/{}/invoices?to=1000",
            encode(id)
        ),
    )
    .await
}

/// `GET …/statements?{query}` (`dateFrom`, `dateTo`).
pub async fn statement(
    credentials: &Credentials,
    id: &str,
    query: &str,
) -> Result<StatementView, AdminError> {
    get(
        credentials,
        &format!(
            "/api/creditcontrol/accounts/{}/statements?{query}",
            encode(id)
        ),
    )
    .await
}

/// What can be done to an invoice from the admin.
#[derive(Debug, Clone, PartialEq)]
pub enum InvoiceAction {
    Pay,
    Cancel,
    Postpone {
        days: u16,
    },
    /// `PUT` of the invoice with this body (status, observation, payment link), checked by
    /// core's `ChangeInvoice` before it is sent.
    Edit(serde_json::Value),
}

/// Runs an invoice action (the answer's body is not needed: the page reloads).
pub async fn invoice_action(
    credentials: &Credentials,
    id: &str,
    invoice: &str,
    action: &InvoiceAction,
) -> Result<(), AdminError> {
    let path = account_path(id, &format!("/invoices/{}", encode(invoice)));
    let (method, path, body) = match action {
        InvoiceAction::Pay => (Method::Post, format!("{path}/payments"), None),
        InvoiceAction::Cancel => (Method::Delete, path, None),
        InvoiceAction::Postpone { days } => (
            Method::Put,
            format!("{path}/postponement"),
            Some(serde_json::json!({ "dueDays": days })),
        ),
        InvoiceAction::Edit(body) => (Method::Put, path, Some(body.clone())),
    };
    command(credentials, method, &path, body.as_ref())
        .await
        .map(|_| ())
}

/// `GET /api/creditdesk/dashboard`.
pub async fn dashboard(credentials: &Credentials) -> Result<Dashboard, AdminError> {
    get(credentials, "/api/creditdesk/dashboard").await
}

/// `GET /api/creditcontrol/invoices?{query}`: every invoice of the store matching the query.
pub async fn search_invoices(
    credentials: &Credentials,
    query: &str,
) -> Result<InvoiceList, AdminError> {
    get(credentials, &format!("/api/creditcontrol/invoices?{query}")).await
}

/// `GET /api/creditdesk/accounts/{id}/transactions` (extension).
pub async fn transactions(
    credentials: &Credentials,
    id: &str,
) -> Result<TransactionList, AdminError> {
    get(
        credentials,
        &format!("/api/creditdesk/accounts/{}/transactions", encode(id)),
    )
    .await
}

/// `GET /api/creditdesk/accounts/{id}/holders` (extension).
pub async fn holders(credentials: &Credentials, id: &str) -> Result<HolderList, AdminError> {
    get(
        credentials,
        &format!("/api/creditdesk/accounts/{}/holders", encode(id)),
    )
    .await
}

/// The HTTP methods the admin's commands use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Delete,
}

/// Any command of the API: `method` on `path` with an optional JSON body (checked by core before
/// it is sent). The answer's JSON, or `null` for an empty 200.
pub async fn command(
    credentials: &Credentials,
    method: Method,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<serde_json::Value, AdminError> {
    let request = match method {
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Delete => Request::delete(path),
    };
    send(with_credentials(request, credentials), body).await
}

/// The API path of an account (`/api/creditcontrol/accounts/{id}`) followed by `rest`.
pub fn account_path(id: &str, rest: &str) -> String {
    format!("/api/creditcontrol/accounts/{}{rest}", encode(id))
}

/// `GET path`, its answer read as `T`.
pub async fn get<T: DeserializeOwned>(
    credentials: &Credentials,
    path: &str,
) -> Result<T, AdminError> {
    send(
        with_credentials(Request::get(path), credentials),
        None::<&()>,
    )
    .await
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

pub async fn store_config(credentials: &Credentials) -> Result<StoreConfig, AdminError> {
    send(
        with_credentials(Request::get("/api/creditcontrol/storeconfig"), credentials),
        None::<&()>,
    )
    .await
}

pub async fn save_store_config(
    credentials: &Credentials,
    config: &StoreConfig,
) -> Result<StoreConfig, AdminError> {
    send(
        with_credentials(Request::put("/api/creditcontrol/storeconfig"), credentials),
        Some(config),
    )
    .await
}

fn with_credentials(request: RequestBuilder, credentials: &Credentials) -> RequestBuilder {
    request
        .header("X-VTEX-API-AppKey", &credentials.app_key)
        .header("X-VTEX-API-AppToken", &credentials.app_token)
        .header("Accept", "application/json")
}

async fn send<T: DeserializeOwned, B: Serialize>(
    request: RequestBuilder,
    body: Option<&B>,
) -> Result<T, AdminError> {
    let response = match body {
        Some(body) => {
            request
                .json(body)
                .map_err(|e| AdminError::Network(e.to_string()))?
                .send()
                .await
        }
        None => request.send().await,
    }
    .map_err(|e| AdminError::Network(e.to_string()))?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, AdminError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| AdminError::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        // An empty 200 (cancellations) reads as `null`.
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        return serde_json::from_str(text).map_err(|e| AdminError::Unexpected {
            status,
            text: e.to_string(),
        });
    }
    match serde_json::from_str::<creditdesk_core::ErrorBody>(&text) {
        Ok(body) => Err(AdminError::Api {
            status,
            detail: body.error,
        }),
        Err(_) => Err(AdminError::Unexpected { status, text }),
    }
}
