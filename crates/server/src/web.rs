//! Serving the built admin: its files, and `index.html` for every client-side route.

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// The admin's files from `dir`, compressed when the browser accepts it. Unknown paths get
/// `index.html` (the admin routes on the client). Without a build, a page that says how to make one.
pub fn admin_router(dir: &Path) -> Router {
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %dir.display(), "the admin is not built; serving a notice at /");
        return Router::new().fallback(not_built);
    }
    let files = ServeDir::new(dir)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(ServeFile::new(index));
    Router::new().fallback_service(files)
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>Creditdesk</title><h1>The admin is not built</h1>\
             <p>The API is running under <code>/api/creditcontrol/</code>. To build and serve the \
             admin too, run <code>cargo xtask run</code> (or point <code>--static-dir</code> at a \
             trunk build).</p>",
        ),
    )
}
