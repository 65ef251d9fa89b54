//! The server's API over HTTP (gloo-net): the key and token in the reference's headers, the
//! server's error body kept typed.

use gloo_net::http::{Request, RequestBuilder};
use serde_json::Value;

use super::{Credentials, Method};
use crate::api::AdminError;

pub async fn send(
    credentials: &Credentials,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<String, AdminError> {
    let request = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Delete => Request::delete(path),
    };
    let request = with_credentials(request, credentials);
    let network = |e: gloo_net::Error| AdminError::Network(e.to_string());
    let response = match body {
        Some(body) => request.json(body).map_err(network)?.send().await,
        None => request.send().await,
    }
    .map_err(network)?;
    let status = response.status();
    let text = response.text().await.map_err(network)?;
    if (200..300).contains(&status) {
        // An empty 200 (cancellations) reads as `null`.
        if text.trim().is_empty() {
            return Ok("null".to_owned());
        }
        return Ok(text);
    }
    match serde_json::from_str::<creditdesk_core::ErrorBody>(&text) {
        Ok(body) => Err(AdminError::Refused(body.error)),
        Err(_) => Err(AdminError::Unexpected { status, text }),
    }
}

fn with_credentials(request: RequestBuilder, credentials: &Credentials) -> RequestBuilder {
    request
        .header("X-VTEX-API-AppKey", &credentials.app_key)
        .header("X-VTEX-API-AppToken", &credentials.app_token)
        .header("Accept", "application/json")
}
