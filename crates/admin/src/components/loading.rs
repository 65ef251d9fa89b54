//! One way a screen waits for what it loads: a placeholder saying what is loading, then the view,
//! or why it could not be loaded (the typed [`AdminError`], in words). Built once for every screen:
//! the view comes erased, so the waiting and error machinery is not made again per screen.

use leptos::prelude::*;

use crate::api::AdminError;
use crate::components::notice::load_errors;

/// The loaded view, or the failure; `None` while loading. Reading the screen's resource inside
/// it is what the wait follows.
type Content = Box<dyn Fn() -> Option<Result<AnyView, AdminError>> + Send + Sync>;

/// `label` ("Loading accounts…") until `content` has an answer, then its view or its error.
pub fn loading(
    label: &'static str,
    content: impl Fn() -> Option<Result<AnyView, AdminError>> + Send + Sync + 'static,
) -> AnyView {
    wait(label, Box::new(content))
}

fn wait(label: &'static str, content: Content) -> AnyView {
    view! {
        <Suspense fallback=move || view! { <div class="card loading">{label}</div> }>
            <ErrorBoundary fallback=load_errors>{move || content()}</ErrorBoundary>
        </Suspense>
    }
    .into_any()
}
