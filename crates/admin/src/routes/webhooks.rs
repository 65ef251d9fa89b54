//! The Webhooks screen: endpoints that hear the store's events (added with core's
//! `NewWebhook` reader as it is typed; the signing secret shown once), their deliveries with
//! status and answer codes, replay, delete.

use creditdesk_core::webhooks::{EventType, NewWebhook};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{self, AdminError, Method};
use crate::components::field::TextField;
use crate::components::form::{refusal_text, use_command, use_form, Command, FormSpec};
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::components::notice::Toast;
use crate::dom::confirm;
use crate::format;
use crate::session::use_session;

const WEBHOOKS: &str = "/api/creditdesk/webhooks";

/// An endpoint as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    id: String,
    url: String,
    events: Vec<String>,
    created_at: creditdesk_core::Timestamp,
    #[serde(default)]
    disabled_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Listed<T> {
    data: Vec<T>,
}

/// One delivery as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    id: String,
    event_type: String,
    status: creditdesk_core::webhooks::DeliveryStatus,
    attempts: u32,
    #[serde(default)]
    next_attempt_at: Option<creditdesk_core::Timestamp>,
    #[serde(default)]
    last_status_code: Option<u16>,
    #[serde(default)]
    last_error: Option<String>,
    created_at: creditdesk_core::Timestamp,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = use_session();
    let data = Load::new(move || {
        let backend = session.backend();
        async move {
            let listed: Listed<Endpoint> = api::get(&backend?, WEBHOOKS).await?;
            Ok::<_, AdminError>(listed.data)
        }
    });
    let toast = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<Value>);
    let shown = RwSignal::new(None::<String>);
    let reload = Callback::new(move |message: String| {
        toast.set(Some(message));
        data.refetch();
    });
    view! {
        <Toast message=toast/>
        <PageHeader title="Webhooks" lead="Endpoints that hear the store's events (invoices, holds, credits, limits), signed the Standard Webhooks way and retried for about three days."/>
        {move || created.get().map(|endpoint| view! { <NewSecret endpoint/> })}
        {loading("Loading webhooks…", move || data.get().map(|r| r.map(|endpoints| view! {
            <div class="two-columns">
                <EndpointList endpoints shown on_done=reload/>
                <NewEndpointForm created on_done=reload/>
            </div>
        }.into_any())))}
        {move || shown.get().map(|id| view! { <Deliveries id on_done=reload/> })}
    }
}

/// The secret of the endpoint just added, shown this once.
#[component]
fn NewSecret(
    /// The endpoint as the server answered (with `secret`).
    endpoint: Value,
) -> impl IntoView {
    let secret = endpoint["secret"].as_str().unwrap_or_default().to_owned();
    let warning = endpoint["warning"].as_str().map(str::to_owned);
    view! {
        <section class="card notice-ok" role="status" id="new-webhook-secret">
            <h2>"Endpoint added — copy its signing secret now"</h2>
            <p class="help">"Your receiver checks each webhook-signature with it; it is shown only this once."</p>
            <code id="webhook-secret">{secret}</code>
            {warning.map(|w| view! { <p class="notice notice-error">{w}</p> })}
        </section>
    }
}

/// Every endpoint, with its deliveries and delete.
#[component]
fn EndpointList(
    /// The endpoints.
    endpoints: Vec<Endpoint>,
    /// The endpoint whose deliveries are shown.
    shown: RwSignal<Option<String>>,
    /// Called once an endpoint was deleted.
    on_done: Callback<String>,
) -> impl IntoView {
    let (run, refusal) = use_command(on_done);
    let empty = endpoints.is_empty();
    view! {
        <section class="card table-card">
            <table class="data webhooks">
                <thead><tr><th scope="col">"URL"</th><th scope="col">"Events"</th><th scope="col">"Added"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {endpoints.into_iter().map(|e| {
                        let path = format!("{WEBHOOKS}/{}", api::encode(&e.id));
                        let id = e.id.clone();
                        let url = e.url.clone();
                        view! {
                            <tr data-webhook=e.id.clone() class:muted=e.disabled_reason.is_some()>
                                <td><code>{e.url.clone()}</code>
                                    {e.disabled_reason.clone().map(|r| view! { <span class="badge badge-cancelled">{format!("Disabled: {r}")}</span> })}</td>
                                <td>{e.events.join(", ")}</td>
                                <td>{format::date(e.created_at)}</td>
                                <td class="actions">
                                    <button type="button" class="secondary small deliveries" on:click=move |_| shown.set(Some(id.clone()))>"Deliveries"</button>
                                    <button type="button" class="secondary small delete" on:click=move |_| {
                                        if confirm(&format!("Delete the endpoint {url}? Its pending deliveries are not sent.")) {
                                            run.dispatch(Command { method: Method::Delete, path: path.clone(), body: None, done: "Endpoint deleted.".into() });
                                        }
                                    }>"Delete"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="empty-row muted">"No endpoints yet."</p> })}
            <p class="error-text" role="alert">{move || refusal_text(refusal).get()}</p>
        </section>
    }
}

/// A new endpoint: its URL and the events it hears, checked by core's `NewWebhook` as typed.
#[component]
fn NewEndpointForm(
    /// Where the created endpoint (with its secret) goes.
    created: RwSignal<Option<Value>>,
    /// Called once the endpoint exists.
    on_done: Callback<String>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let all = RwSignal::new(true);
    let chosen: Vec<(EventType, RwSignal<bool>)> = EventType::ALL
        .into_iter()
        .map(|kind| (kind, RwSignal::new(false)))
        .collect();
    let body = {
        let chosen = chosen.clone();
        move || {
            let events: Vec<&str> = if all.get() {
                vec!["*"]
            } else {
                chosen
                    .iter()
                    .filter(|(_, on)| on.get())
                    .map(|(kind, _)| kind.as_str())
                    .collect()
            };
            json!({ "url": url.get().trim(), "events": events })
        }
    };
    let plain_http = Signal::derive(move || creditdesk_core::webhooks::is_plain_http(&url.get()));
    let form = use_form(
        FormSpec::new(
            Method::Post,
            WEBHOOKS.to_owned(),
            body,
            |body| NewWebhook::from_json(body).map(|_| ()),
            |_| "Endpoint added.".to_owned(),
        )
        .then(Callback::new(move |endpoint| created.set(Some(endpoint)))),
        on_done,
    );
    view! {
        <form class="card" on:submit=form.on_submit()>
            <h2>"New endpoint"</h2>
            <TextField id="webhook-url".into() label="URL".into() value=url error=form.error("url")
                help="Where the store's events are POSTed: https://…"/>
            {move || plain_http.get().then(|| view! {
                <p class="notice notice-error" id="webhook-plain-http">"Plain http: events and their signatures travel unencrypted. Use https outside a private network."</p>
            })}
            <fieldset class="statuses">
                <legend>"Events"</legend>
                <label class="check"><input type="checkbox" id="webhook-all-events" bind:checked=all/>"All events"</label>
                {chosen.into_iter().map(|(kind, on)| view! {
                    <label class="check"><input type="checkbox" data-event=kind.as_str() bind:checked=on disabled=move || all.get()/>{kind.as_str()}</label>
                }).collect_view()}
                <p class="error-text" role="alert">{move || form.error("events").get()}</p>
            </fieldset>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button type="submit" id="webhook-create" disabled=move || form.pending().get()>"Add endpoint"</button>
        </form>
    }
    .into_any()
}

/// One endpoint's deliveries, newest first, with replay.
#[component]
fn Deliveries(
    /// The endpoint.
    id: String,
    /// Called once a delivery was queued again.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let path = format!("{WEBHOOKS}/{}/deliveries", api::encode(&id));
    let data = Load::new(move || {
        let backend = session.backend();
        let path = path.clone();
        async move {
            let listed: Listed<Delivery> = api::get(&backend?, &path).await?;
            Ok::<_, AdminError>(listed.data)
        }
    });
    let done = Callback::new(move |message: String| {
        data.refetch();
        on_done.run(message);
    });
    let (run, refusal) = use_command(done);
    view! {
        <section class="card table-card" id="webhook-deliveries">
            <h2>"Deliveries"</h2>
            {loading("Loading deliveries…", move || data.get().map(|r| r.map(|deliveries| view! {
                <table class="data">
                    <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col" class="num">"Tries"</th>
                        <th scope="col">"Last answer"</th><th scope="col">"Next try"</th><th scope="col">"Created"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {deliveries.into_iter().map(|d| {
                            let replay = format!("{WEBHOOKS}/deliveries/{}/replay", api::encode(&d.id));
                            let status = d.status.as_str();
                            let answer = match (d.last_status_code, d.last_error.clone()) {
                                (Some(code), _) => code.to_string(),
                                (None, Some(error)) => error,
                                (None, None) => "—".to_owned(),
                            };
                            view! {
                                <tr data-delivery=d.id.clone()>
                                    <td><code>{d.event_type.clone()}</code></td>
                                    <td><span class=format!("badge badge-{status}")>{status}</span></td>
                                    <td class="num">{d.attempts}</td>
                                    <td>{answer}</td>
                                    <td>{d.next_attempt_at.map(format::date).unwrap_or_default()}</td>
                                    <td>{format::date(d.created_at)}</td>
                                    <td><button type="button" class="secondary small replay" on:click=move |_| {
                                        run.dispatch(Command { method: Method::Post, path: replay.clone(), body: None, done: "Delivery queued again.".into() });
                                    }>"Replay"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any())))}
            <p class="error-text" role="alert">{move || refusal_text(refusal).get()}</p>
        </section>
    }
}
