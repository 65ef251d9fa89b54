//! Unknown top-level fields of request bodies. Integrations post whole objects back (an account
//! with its `id`, `status` and `balance`); by default such fields are ignored, and listed in the
//! `Creditdesk-Ignored-Fields` reply header so an integrator can see them. A store that prefers
//! strictness starts the server with `--unknown-fields refuse`: they are then refused (422, one
//! error per field). Which fields each body has is core's list ([`super::request_fields`]).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use creditdesk_core::fields;
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::BODY_SIZE_MAX;
use crate::AppState;

/// The reply header naming the ignored fields.
pub const HEADER: &str = "creditdesk-ignored-fields";
/// Most fields named in the header (then how many more).
pub const LISTED_MAX: usize = 20;
/// Longest field name shown in the header, in characters.
pub const NAME_CHARS_MAX: usize = 64;

/// What to do with fields a body's reader does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum UnknownFields {
    /// Ignore them, and list them in `Creditdesk-Ignored-Fields`.
    #[default]
    Ignore,
    /// Refuse the request (422), naming them.
    Refuse,
}

/// Route middleware: finds the body's unknown fields, then ignores and lists them, or refuses.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(known) = known_fields(&request) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match crate::extract::read_whole(body, BODY_SIZE_MAX).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused.into_response(),
    };
    let unknown: Vec<String> = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => {
            if state.unknown_fields == UnknownFields::Refuse {
                if let Err(errors) = fields::refuse_unknown(&value, known) {
                    return ApiError::Validation(errors).into_response();
                }
            }
            fields::unknown_fields(&value, known)
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
        // Not JSON: the handler's reader says so.
        Err(_) => Vec::new(),
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    report(&mut response, &unknown);
    response
}

/// Names the `ignored` fields in the reply's [`HEADER`] (nothing when there are none).
pub fn report(response: &mut Response, ignored: &[String]) {
    if ignored.is_empty() {
        return;
    }
    tracing::debug!(fields = ?ignored, "ignored unknown fields");
    if let Ok(value) = HeaderValue::from_str(&header_value(ignored)) {
        response.headers_mut().insert(HEADER, value);
    }
}

/// The fields the matched route's body has, when it has a body.
fn known_fields(request: &Request) -> Option<&'static [&'static str]> {
    super::matched_route(request)?
        .request
        .filter(|schema| *schema != super::CSV)
        .map(super::request_fields)
}

/// `id, status, balance`: each name percent-encoded where it is not a plain token, cut at
/// [`NAME_CHARS_MAX`], at most [`LISTED_MAX`] of them and then how many more.
pub fn header_value(unknown: &[String]) -> String {
    let mut names: Vec<String> = unknown
        .iter()
        .take(LISTED_MAX)
        .map(|name| {
            let short: String = name.chars().take(NAME_CHARS_MAX).collect();
            form_urlencoded::byte_serialize(short.as_bytes()).collect()
        })
        .collect();
    if unknown.len() > LISTED_MAX {
        names.push(format!("(and {} more)", unknown.len() - LISTED_MAX));
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::header_value;

    #[test]
    fn the_header_is_bounded_and_plain() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(header_value(&names(&["id", "status"])), "id, status");
        assert_eq!(
            header_value(&names(&["a b", "é", "x\ny"])),
            "a+b, %C3%A9, x%0Ay"
        );
        let many: Vec<String> = (0..100).map(|i| format!("f{i}")).collect();
        let value = header_value(&many);
        assert!(value.ends_with("f19, (and 80 more)"), "{value}");
        let long = vec!["k".repeat(10_000)];
        assert_eq!(header_value(&long).len(), 64);
    }
}
