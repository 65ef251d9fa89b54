//! The Data screen: in browser mode, export everything kept in this browser as one file (core's
//! dump) or clear it; signed in to a server, import such a file, account by account, with
//! progress. A merchant can try Creditdesk in the browser, then move to a server.

use leptos::prelude::*;

use crate::api::{self, AdminError, ConfigImport, ImportReport};
use crate::backend::{browser, Backend};
use crate::components::layout::PageHeader;
use crate::components::notice::ErrorNotice;
use crate::dom;
use crate::session::use_session;

#[component]
pub fn DataPage() -> impl IntoView {
    let session = use_session();
    view! {
        <PageHeader title="Data" lead="Move a store between this browser and a Creditdesk server."/>
        {move || match session.backend() {
            Ok(Backend::Browser) => view! { <ExportPanel/> }.into_any(),
            Ok(backend) => view! { <ImportPanel backend/> }.into_any(),
            Err(_) => ().into_any(),
        }}
    }
}

/// Export and clear the data kept in this browser.
#[component]
fn ExportPanel() -> impl IntoView {
    let failure = RwSignal::new(None::<AdminError>);
    let summary = RwSignal::new(browser::load().map(|l| l.dump()));
    let export = move |_| {
        let name = format!(
            "creditdesk-export-{}.json",
            &dom::browser_now().to_string()[..10]
        );
        let saved =
            browser::export().and_then(|text| dom::download(&name, &text, "application/json"));
        failure.set(saved.err());
    };
    let clear = move |_| {
        if dom::confirm("Forget every account, invoice and setting kept in this browser? Export them first if you want to keep them.") {
            failure.set(browser::clear().err());
            summary.set(browser::load().map(|l| l.dump()));
        }
    };
    view! {
        <section class="card">
            <h2>"This browser's data"</h2>
            <p id="browser-data-summary">{move || match summary.get() {
                Ok(dump) => format!(
                    "{} accounts, {} invoices, kept in this browser only.",
                    dump.books.len(),
                    dump.books.iter().map(|b| b.invoices.len()).sum::<usize>()
                ),
                Err(e) => e.to_string(),
            }}</p>
            <p class="help">"The file holds the store configuration and every account's whole history. Sign in to a server and open Data there to import it."</p>
            <div class="actions">
                <button id="export-data" class="primary" on:click=export>"Export as a file"</button>
                <button id="clear-data" class="secondary" on:click=clear>"Clear this browser's data"</button>
            </div>
            {move || failure.get().map(|error| view! { <ErrorNotice error/> })}
        </section>
    }
}

/// Import a file exported in browser mode into the server.
#[component]
fn ImportPanel(
    /// The server signed in to.
    backend: Backend,
) -> impl IntoView {
    let file = NodeRef::<leptos::html::Input>::new();
    let replace_config = RwSignal::new(true);
    let progress = RwSignal::new(None::<(u32, u32)>);
    let run = Action::new_local(move |_: &()| {
        let backend = backend.clone();
        let chosen = dom::chosen_file(&file);
        let config = if replace_config.get_untracked() {
            ConfigImport::Replace
        } else {
            ConfigImport::Keep
        };
        async move {
            let (_, text) =
                dom::file_text(chosen, "choose the file exported from browser mode").await?;
            api::import(&backend, &text, config, |done, total| {
                progress.set(Some((done, total)))
            })
            .await
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        progress.set(None);
        run.dispatch(());
    };
    view! {
        <form class="card" on:submit=submit>
            <h2>"Import a file from browser mode"</h2>
            <div class="field" class:invalid=move || run.value().with(|v| matches!(v, Some(Err(AdminError::Invalid(_)))))>
                <label for="import-file">"File"</label>
                <input id="import-file" type="file" accept="application/json,.json" node_ref=file/>
                <p class="help">"Accounts the server has already are left as they are, so importing a file twice imports each account once."</p>
                <p class="error-text" role="alert">{move || run.value().get().and_then(|r| r.err()).and_then(|e| e.for_field("file"))}</p>
            </div>
            <div class="field toggle">
                <label class="switch">
                    <input id="import-config" type="checkbox" bind:checked=replace_config/>
                    <span class="track" aria-hidden="true"></span>
                    <span class="switch-label">"Also replace the store configuration with the file's"</span>
                </label>
            </div>
            <button id="import-data" type="submit" class="primary" disabled=move || run.pending().get()>"Import"</button>
            {move || progress.get().map(|(done, total)| view! {
                <p id="import-progress"><progress max=total value=done></progress>{format!(" {done} / {total} accounts")}</p>
            })}
            {move || run.value().get().map(|result| match result {
                Ok(report) => view! { <ImportResult report/> }.into_any(),
                Err(AdminError::Invalid(_)) => ().into_any(),
                Err(error) => view! { <ErrorNotice error/> }.into_any(),
            })}
        </form>
    }
}

/// What an import did.
#[component]
fn ImportResult(
    /// The import's report.
    report: ImportReport,
) -> impl IntoView {
    view! {
        <div id="import-result" class="notice notice-info" role="status">
            <p>{format!("{} imported, {} already on the server, {} refused.", report.imported.len(), report.existing.len(), report.failed.len())}</p>
            <ul>{report.failed.into_iter().map(|(id, why)| view! { <li>{format!("{id}: {why}")}</li> }).collect_view()}</ul>
        </div>
    }
}
