//! The Imports screen: a CSV file of accounts (or of invoice changes and part payments — an
//! edited invoice export) sent to the backend, previewed or applied; the job's progress as a bar
//! while a server works through the rows (this browser's engine runs a job whole), its errors
//! by line (downloadable), the history. Sample files come from core (`ImportKind::sample`).

use creditdesk_core::import::{ImportKind, ImportMode, ImportStatus, ImportView};
use leptos::prelude::*;

use crate::api::{self, AdminError};
use crate::backend::Backend;
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::components::notice::ErrorNotice;
use crate::dom;
use crate::format;
use crate::session::use_session;

/// How often a running job's progress is read again, in milliseconds.
const POLL_MS: i32 = 300;

#[component]
pub fn ImportsPage() -> impl IntoView {
    let session = use_session();
    let history = Load::new(move || {
        let backend = session.backend();
        async move { api::imports(&backend?).await }
    });
    let job = RwSignal::new(None::<ImportView>);
    let on_done = Callback::new(move |()| history.refetch());
    view! {
        <PageHeader title="Imports" lead="Accounts — or invoice status changes, from an edited invoice export — from a CSV file. Preview it first: every row is checked as it would be applied, and nothing is written."/>
        {move || session.backend().ok().map(|backend| view! {
            <div class="two-columns">
                <ImportForm backend job on_done/>
                <SampleFiles/>
            </div>
        })}
        {move || job.get().map(|job| view! { <JobPanel job/> })}
        {loading("Loading the import history…", move || history.get().map(|r| r.map(|list| view! { <History jobs=list.data/> }.into_any())))}
    }
}

/// Chooses a file and a kind; previews or applies it, then follows the job until it is done.
#[component]
fn ImportForm(
    /// Where the file goes (a server, or this browser's engine).
    backend: Backend,
    /// The job being followed (set when the backend accepts the file, then as it progresses).
    job: RwSignal<Option<ImportView>>,
    /// Called once a job completed.
    on_done: Callback<()>,
) -> impl IntoView {
    let file = NodeRef::<leptos::html::Input>::new();
    let kind = RwSignal::new(ImportKind::Accounts);
    let run = Action::new_local(move |mode: &ImportMode| {
        let (backend, mode) = (backend.clone(), *mode);
        let chosen = dom::chosen_file(&file);
        let kind = kind.get_untracked();
        async move {
            let (name, text) = dom::file_text(chosen, "choose a CSV file").await?;
            let mut view = api::start_import(&backend, kind, mode, &name, &text).await?;
            job.set(Some(view.clone()));
            while view.status != ImportStatus::Completed {
                dom::sleep(POLL_MS).await;
                view = api::import_job(&backend, &view.id).await?;
                job.set(Some(view.clone()));
            }
            on_done.run(());
            Ok::<_, AdminError>(())
        }
    });
    let send = move |mode: ImportMode| {
        job.set(None);
        run.dispatch(mode);
    };
    let error = move || run.value().get().and_then(|r| r.err());
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(ImportMode::Apply) }>
            <h2>"Import a CSV file"</h2>
            <div class="field">
                <label for="csv-import-kind">"What the file holds"</label>
                <select id="csv-import-kind" on:change=move |ev| {
                    let chosen = if event_target_value(&ev) == "invoices" { ImportKind::Invoices } else { ImportKind::Accounts };
                    kind.set(chosen);
                }>
                    <option value="accounts" selected=true>"Accounts (created or updated)"</option>
                    <option value="invoices">"Invoices (status, observation, payment link)"</option>
                </select>
            </div>
            <div class="field" class:invalid=move || error().is_some_and(|e| e.for_field("file").is_some())>
                <label for="csv-import-file">"File"</label>
                <input id="csv-import-file" type="file" accept="text/csv,.csv" node_ref=file/>
                <p class="help">"UTF-8, a header line, at most 50 MB and 200,000 rows. Applying a file twice changes nothing the second time."</p>
                <p class="error-text" role="alert">{move || error().and_then(|e| e.for_field("file"))}</p>
            </div>
            <div class="actions">
                <button id="csv-import-preview" type="button" class="secondary" disabled=move || run.pending().get() on:click=move |_| send(ImportMode::Preview)>"Preview"</button>
                <button id="csv-import-apply" type="submit" class="primary" disabled=move || run.pending().get()>"Import"</button>
            </div>
            {move || error().filter(|e| e.for_field("file").is_none()).map(|error| view! { <ErrorNotice error/> })}
        </form>
    }
}

/// The sample files, as core writes them.
#[component]
fn SampleFiles() -> impl IntoView {
    let failure = RwSignal::new(None::<AdminError>);
    let save = move |kind: ImportKind| {
        let name = format!("sample-{}.csv", kind.as_str());
        failure.set(dom::download(&name, kind.sample(), "text/csv").err());
    };
    view! {
        <section class="card">
            <h2>"Sample files"</h2>
            <p class="help">"Accounts: document, documentType, email, creditLimit (and tolerance, description). Invoices: the invoice export's accountId, id and status (and observation, paymentLink; paymentValue with paymentReference to record a part payment, once per reference) — export a list from Invoices, change the status column or add the payment columns, import it back."</p>
            <div class="actions">
                <button id="sample-accounts" type="button" class="secondary small" on:click=move |_| save(ImportKind::Accounts)>"Accounts sample"</button>
                <button id="sample-invoices" type="button" class="secondary small" on:click=move |_| save(ImportKind::Invoices)>"Invoices sample"</button>
            </div>
            {move || failure.get().map(|error| view! { <ErrorNotice error/> })}
        </section>
    }
}

/// The job followed: progress, counts, its first errors, and all of them as a file.
#[component]
fn JobPanel(
    /// The job as last read.
    job: ImportView,
) -> impl IntoView {
    let session = use_session();
    let (id, file_name) = (job.id.clone(), job.file_name.clone());
    let download = Action::new_local(move |_: &()| {
        let (backend, id) = (session.backend(), id.clone());
        async move {
            let path = format!("/api/creditdesk/imports/{}/errors.csv", api::encode(&id));
            let text = api::csv(&backend?, &path).await?;
            dom::download(&format!("{id}-errors.csv"), &text, "text/csv")
        }
    });
    let what = if job.dry_run {
        "Preview of"
    } else {
        "Import of"
    };
    let state = match job.status {
        ImportStatus::Queued => "waiting to start",
        ImportStatus::Running => "running",
        ImportStatus::Completed if job.dry_run => "checked: nothing was written",
        ImportStatus::Completed => "done",
    };
    view! {
        <section class="card" id="import-job" data-status=job.status.as_str()>
            <h2>{format!("{what} {file_name} — {state}")}</h2>
            <p id="import-job-progress">
                <progress max=job.rows_total.max(1) value=job.rows_done></progress>
                {format!(" {} / {} rows, {} refused", job.rows_done, job.rows_total, job.rows_failed)}
            </p>
            {(!job.ignored_columns.is_empty()).then(|| view! {
                <p class="help">{format!("Columns not read: {}.", job.ignored_columns.join(", "))}</p>
            })}
            {(!job.errors.is_empty()).then(|| view! {
                <table class="data import-errors">
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Why"</th></tr></thead>
                    <tbody>{job.errors.iter().map(|e| view! {
                        <tr><td>{e.line}</td><td>{e.field.clone()}</td><td>{e.message.clone()}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            {(job.rows_failed > 0).then(|| view! {
                <button id="import-errors-download" type="button" class="secondary small" on:click=move |_| { download.dispatch(()); }>"Download every error (CSV)"</button>
            })}
            {move || download.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNotice error/> })}
        </section>
    }
}

/// The import history, newest first.
#[component]
fn History(
    /// The jobs.
    jobs: Vec<ImportView>,
) -> impl IntoView {
    let empty = jobs.is_empty();
    view! {
        <section class="card table-card">
            <h2>"History"</h2>
            <table class="data imports" id="import-history">
                <thead><tr><th scope="col">"When"</th><th scope="col">"File"</th><th scope="col">"Kind"</th><th scope="col">"By"</th><th scope="col">"Rows"</th><th scope="col">"Refused"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>{jobs.into_iter().map(|job| view! {
                    <tr data-import=job.id.clone()>
                        <td>{format::date(job.created_at)}</td>
                        <td>{job.file_name.clone()}{job.dry_run.then_some(" (preview)")}</td>
                        <td>{job.kind.as_str()}</td>
                        <td><code>{job.created_by.clone()}</code></td>
                        <td>{format!("{} / {}", job.rows_done, job.rows_total)}</td>
                        <td>{job.rows_failed}</td>
                        <td>{job.status.as_str()}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            {empty.then(|| view! { <p class="muted">"No import yet."</p> })}
        </section>
    }
}
