//! Serving the built admin — its files, and `index.html` for every client-side route — and the
//! security headers of every reply.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;

/// The admin: its router, and the Content-Security-Policy its pages are served with.
pub struct AdminSite {
    pub router: Router,
    pub policy: Arc<Policies>,
}

/// The Content-Security-Policy of each kind of reply.
#[derive(Debug)]
pub struct Policies {
    /// The admin's pages: its own scripts, wasm, styles and API, nothing else.
    pub admin: HeaderValue,
    /// API replies (JSON) and everything else: nothing may load, nothing may frame them.
    pub api: HeaderValue,
}

/// What API replies allow: nothing.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The admin's files from `dir`, compressed when the browser accepts it. Other paths get
/// `index.html` when a browser navigates to them (the admin routes on the client) and the API's
/// JSON 404 otherwise, so a program probing a path never takes the page for an answer. Without a
/// build, navigations get a page that says how to make one.
pub fn admin_site(dir: &Path) -> AdminSite {
    let index = dir.join("index.html");
    let Ok(index_html) = std::fs::read_to_string(&index) else {
        tracing::warn!(dir = %dir.display(), "the admin is not built; serving a notice at /");
        return AdminSite {
            router: Router::new().fallback(not_built),
            policy: Arc::new(policies("")),
        };
    };
    let index_file = ServeFile::new(index);
    let pages = tower::service_fn(move |request: Request| {
        let index_file = index_file.clone();
        async move {
            if !is_navigation(&request) {
                return Ok::<_, Infallible>(not_found().into_response());
            }
            let Ok(page) = index_file.oneshot(request).await;
            Ok(page.map(Body::new))
        }
    });
    let files = ServeDir::new(dir)
        .precompressed_gzip()
        .precompressed_br()
        .call_fallback_on_method_not_allowed(true)
        .fallback(pages);
    AdminSite {
        router: Router::new().fallback_service(files),
        policy: Arc::new(policies(&index_html)),
    }
}

/// A browser navigating to a page: `GET` or `HEAD` that accepts HTML.
pub fn is_navigation(request: &Request) -> bool {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let accepts_html = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"));
    reads && accepts_html
}

fn not_found() -> ApiError {
    ApiError::NotFound(
        "no such path; the API is under /api/creditcontrol/ and /api/creditdesk/ \
         (see /api/openapi.json)"
            .to_owned(),
    )
}

fn policies(index_html: &str) -> Policies {
    Policies {
        admin: HeaderValue::from_str(&admin_policy(index_html)).expect("the policy is ASCII"),
        api: HeaderValue::from_static(API_POLICY),
    }
}

/// The admin's policy: scripts from this origin plus the inline ones of `index.html` (trunk's
/// loader), by hash; wasm compilation (`'wasm-unsafe-eval'`); styles, images, fonts and API
/// calls from this origin only; no framing, no plugins, no other base or form target.
pub fn admin_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(" 'sha256-{}'", base64_encode(&digest))
        })
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )
}

/// The text of each `<script>` element without a `src` in `html`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let open_end = start + rest[start..].find('>')?;
        let tag = &rest[start..open_end];
        let body_start = open_end + 1;
        let body_end = body_start + rest[body_start..].find("</script>")?;
        let body = &rest[body_start..body_end];
        rest = &rest[body_end..];
        if !tag.contains(" src=") {
            return Some(body);
        }
    })
}

/// Standard base64 with padding (RFC 4648), as CSP hashes are written.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Middleware: the security headers of every reply. All: `nosniff`, no referrer, no framing.
/// API replies (every router of [`crate::API_MOUNTS`], and `/healthz`) also `Cache-Control: no-store` — they carry account data, and key
/// creation a secret — and a policy that allows nothing; the admin's pages its own policy.
pub async fn security_headers(
    State(policies): State<Arc<Policies>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let under = |mount: &str| {
        path.strip_prefix(mount)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let api = crate::API_MOUNTS.into_iter().any(under) || path == "/healthz";
    let mut response = next.run(request).await;
    let headers: &mut HeaderMap = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let policy = if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        &policies.api
    } else {
        &policies.admin
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    response
}

async fn not_built(request: Request) -> Response {
    if !is_navigation(&request) {
        return not_found().into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>Creditdesk</title><h1>The admin is not built</h1>\
             <p>The API is running under <code>/api/creditcontrol/</code>. To build and serve the \
             admin too, run <code>cargo xtask run</code> (or point <code>--static-dir</code> at a \
             trunk build).</p>",
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expect) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expect);
        }
    }

    #[test]
    fn the_admin_policy_allows_exactly_its_inline_loader() {
        let html = "<html><head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/other.js\"></script></head><body></body></html>";
        let policy = admin_policy(html);
        // sha256 of "import init from '/a.js';", base64 (computed with Python's hashlib).
        let hash = "'sha256-aOee+rvEUMphqlepW7nBjXpcT6aM6jxNXbtEv0XP738='";
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {hash};")));
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
        assert!(!policy.contains("unsafe-inline"));
        assert!(admin_policy("<p>no scripts</p>").contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
