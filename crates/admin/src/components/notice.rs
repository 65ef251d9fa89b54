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
    // Each message hides 4 s after it was shown: a timer left by an earlier message does not
    // hide a later one (each message gets a number; a timer hides only its own).
    let shown = StoredValue::new(0u64);
    Effect::new(move |_| {
        if message.with(Option::is_some) {
            shown.update_value(|n| *n += 1);
            let mine = shown.get_value();
            let hide = move || {
                if shown.get_value() == mine {
                    message.set(None);
                }
            };
            set_timeout(hide, std::time::Duration::from_secs(4));
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
