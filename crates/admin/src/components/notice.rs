//! Messages: error banners and success toasts.

use leptos::prelude::*;

use crate::api::AdminError;

/// A banner for an error that belongs to no single field.
#[component]
pub fn ErrorNotice(
    /// The error to explain.
    error: AdminError,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <strong>"Something went wrong. "</strong>
            {error.to_string()}
        </div>
    }
}

/// A short confirmation that disappears by itself after a few seconds.
#[component]
pub fn Toast(
    /// The message shown; `None` hides the toast.
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    Effect::new(move |_| {
        if message.with(Option::is_some) {
            set_timeout(move || message.set(None), std::time::Duration::from_secs(4));
        }
    });
    view! {
        <div class="toast-region" aria-live="polite">
            {move || message.get().map(|text| view! { <div class="toast" role="status">{text}</div> })}
        </div>
    }
}

/// The fallback of a screen's `ErrorBoundary`: what failed to load, in words.
pub fn load_errors(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join(" ")}
        </div>
    }
}
