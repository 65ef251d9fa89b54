//! The one seam between the screens and where the data lives: a [`Backend`] answers the API's
//! requests either over HTTP from a Creditdesk server ([`http`]) or from core's engine running in
//! this page with the data kept in the browser ([`browser`]). Screens call [`crate::api`], which
//! calls [`Backend::send`]; they never know which one answers.

pub mod browser;
pub mod browser_csv;
pub mod http;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::AdminError;

/// An app key and its token, sent with every API call to a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub app_key: String,
    pub app_token: String,
}

/// Where the admin's requests go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// The Creditdesk server that serves this page, signed in with a key.
    Server(Credentials),
    /// Core's engine in this page; the data stays in this browser (`localStorage`).
    Browser,
}

/// The HTTP methods of the API the admin uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Backend {
    /// `method path` (path with its query) with an optional JSON body: the answer's JSON text
    /// (`null` for an empty 200), or the refusal as the API writes it. Text, not a `Value`:
    /// each answer is read once, straight into its type ([`crate::api::call`]).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<String, AdminError> {
        match self {
            Backend::Server(credentials) => http::send(credentials, method, path, body).await,
            Backend::Browser => browser::send(method, path, body),
        }
    }

    /// `method path` with an optional CSV body, for the CSV imports and exports: the answer's
    /// text (CSV, or the job's JSON).
    pub async fn send_csv(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, AdminError> {
        match self {
            Backend::Server(credentials) => http::send_csv(credentials, method, path, body).await,
            Backend::Browser => browser_csv::send(method, path, body),
        }
    }

    /// Who is signed in, in words for the shell.
    pub fn who(&self) -> String {
        match self {
            Backend::Server(credentials) => credentials.app_key.clone(),
            Backend::Browser => "this browser (no server)".to_owned(),
        }
    }
}
