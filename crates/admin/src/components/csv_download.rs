//! A "Download CSV" button: the export at a path (with the list's own query) from the backend —
//! the server with the signed-in key, or this browser's engine — saved as a file.

use leptos::prelude::*;

use crate::api;
use crate::components::notice::ErrorNotice;
use crate::dom;
use crate::session::use_session;

#[component]
pub fn CsvDownload(
    /// The element id (tests and labels find it by).
    id: &'static str,
    /// The export's path with its query, as the list shows it now.
    path: Signal<String>,
    /// The saved file's name.
    file_name: &'static str,
) -> impl IntoView {
    let session = use_session();
    let download = Action::new_local(move |path: &String| {
        let (backend, path) = (session.backend(), path.clone());
        async move {
            let text = api::csv(&backend?, &path).await?;
            dom::download(file_name, &text, "text/csv")
        }
    });
    view! {
        <span class="csv-download">
            <button id=id type="button" class="secondary small" disabled=move || download.pending().get()
                on:click=move |_| { download.dispatch(path.get_untracked()); }>
                {move || if download.pending().get() { "Preparing CSV…" } else { "Download CSV" }}
            </button>
            {move || download.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNotice error/> })}
        </span>
    }
}
