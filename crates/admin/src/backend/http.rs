//! The server's API over HTTP (gloo-net): the key and token in the reference's headers, the
//! server's error body kept typed.

use gloo_net::http::{Request, RequestBuilder};
use serde_json::Value;

use super::{Credentials, Method};
use crate::api::AdminError;

fn request(credentials: &Credentials, method: Method, path: &str) -> RequestBuilder {
    let request = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Delete => Request::delete(path),
    };
    with_credentials(request, credentials)
}

fn network(e: gloo_net::Error) -> AdminError {
    AdminError::Network(e.to_string())
}

pub async fn send(
    credentials: &Credentials,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<String, AdminError> {
    let request = request(credentials, method, path).header("Accept", "application/json");
    let response = match body {
        Some(body) => request.json(body).map_err(network)?.send().await,
        None => request.send().await,
    }
    .map_err(network)?;
    answer(response).await
}

/// [`send`] with a CSV body (an import), or none (an export): the answer's text, CSV or JSON.
pub async fn send_csv(
    credentials: &Credentials,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Result<String, AdminError> {
    let request = request(credentials, method, path).header("Accept", "text/csv, application/json");
    let response = match body {
        Some(body) => {
            let request = request.header("Content-Type", "text/csv; charset=utf-8");
            request.body(body.to_owned()).map_err(network)?.send().await
        }
        None => request.send().await,
    }
    .map_err(network)?;
    answer(response).await
}

/// A response's text on success; its refusal typed otherwise.
async fn answer(response: gloo_net::http::Response) -> Result<String, AdminError> {
    let status = response.status();
    let text = response.text().await.map_err(network)?;
    if (200..300).contains(&status) {
        // An empty 200 (cancellations) reads as `null`.
        if text.trim().is_empty() {
            return Ok("null".to_owned());
        }
        return Ok(text);
    }
    if let Ok(body) = serde_json::from_str::<creditdesk_core::ErrorBody>(&text) {
        return Err(body.into());
    }
    match platform_refusal(status, &text) {
        Some(body) => Err(body.into()),
        None => Err(AdminError::Unexpected { status, text }),
    }
}

/// A refusal of the company-credit API (`{"message": "… %1 …", "parameters": […]}`) as the
/// API's error body, its parameters put in the message.
fn platform_refusal(status: u16, text: &str) -> Option<creditdesk_core::ErrorBody> {
    use creditdesk_core::ErrorCode;
    let value: Value = serde_json::from_str(text).ok()?;
    let mut message = value.get("message")?.as_str()?.to_owned();
    let empty = Vec::new();
    let parameters = value
        .get("parameters")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    for (n, parameter) in parameters.iter().enumerate().rev() {
        let parameter = parameter
            .as_str()
            .map_or_else(|| parameter.to_string(), str::to_owned);
        message = message.replace(&format!("%{}", n + 1), &parameter);
    }
    let code = match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        _ => ErrorCode::ValidationFailed,
    };
    Some(creditdesk_core::ErrorBody::new(code, message))
}

fn with_credentials(request: RequestBuilder, credentials: &Credentials) -> RequestBuilder {
    request
        .header("X-VTEX-API-AppKey", &credentials.app_key)
        .header("X-VTEX-API-AppToken", &credentials.app_token)
}
