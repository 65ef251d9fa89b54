//! The Keys screen: role-limited API keys for people and integrations. The token of a new key is
//! shown once, with a copy button; keys are listed (never their tokens) and revoked.

use creditdesk_core::keys::NewKey;
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::api::{self, AdminError, Method};
use crate::components::field::TextField;
use crate::components::form::{refusal_text, use_command, use_form, Command, FormSpec};
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::components::notice::Toast;
use crate::dom::confirm;
use crate::format;
use crate::session::use_session;

/// A key as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub app_key: String,
    pub label: String,
    pub resources: Vec<String>,
    pub created_at: creditdesk_core::Timestamp,
    #[serde(default)]
    pub revoked_at: Option<creditdesk_core::Timestamp>,
}

/// The resources a key may hold, as the API names them (what a Main Access key may do is all
/// of them, so `/me` of the signed-in key lists them).
async fn resource_names(backend: &api::Backend) -> Result<Vec<String>, AdminError> {
    let me = api::me(backend).await?;
    Ok(me.resources.iter().map(|r| r.name().to_owned()).collect())
}

#[component]
pub fn KeysPage() -> impl IntoView {
    let session = use_session();
    let data = Load::new(move || {
        let backend = session.backend();
        async move {
            let backend = backend?;
            let keys: Vec<KeyView> = api::get(&backend, "/api/creditdesk/keys").await?;
            Ok::<_, AdminError>((keys, resource_names(&backend).await?))
        }
    });
    let toast = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<serde_json::Value>);
    let reload = Callback::new(move |message: String| {
        toast.set(Some(message));
        data.refetch();
    });
    view! {
        <Toast message=toast/>
        <PageHeader title="API keys" lead="A key per person or integration, holding only the resources it needs. Needs a Main Access key."/>
        {move || created.get().map(|key| view! { <NewToken key/> })}
        {loading("Loading keys…", move || data.get().map(|r| r.map(|(keys, names)| view! {
            <div class="two-columns">
                <KeyList keys on_done=reload/>
                <NewKeyForm names created on_done=reload/>
            </div>
        }.into_any())))}
    }
}

/// The token of the key just created, shown this once, with a copy button.
#[component]
fn NewToken(
    /// The created key as the server answered (with `appToken`).
    key: serde_json::Value,
) -> impl IntoView {
    let app_key = key["appKey"].as_str().unwrap_or_default().to_owned();
    let token = key["appToken"].as_str().unwrap_or_default().to_owned();
    let copied = RwSignal::new(false);
    let copy = {
        let token = token.clone();
        move |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&token);
                copied.set(true);
            }
        }
    };
    view! {
        <section class="card notice-ok" role="status" id="new-token">
            <h2>"Key created — copy its token now"</h2>
            <p class="help">"The token is shown only this once; Creditdesk keeps only its hash."</p>
            <dl class="balances">
                <div><dt>"App key"</dt><dd><code id="new-app-key">{app_key}</code></dd></div>
                <div><dt>"App token"</dt><dd><code id="new-app-token">{token}</code></dd></div>
            </dl>
            <button type="button" class="secondary" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy token" }}</button>
        </section>
    }
}

/// Every key, with revoke.
#[component]
fn KeyList(
    /// The keys.
    keys: Vec<KeyView>,
    /// Called once a key was revoked.
    on_done: Callback<String>,
) -> impl IntoView {
    let (run, refusal) = use_command(on_done);
    view! {
        <section class="card table-card">
            <table class="data">
                <thead><tr><th scope="col">"Label"</th><th scope="col">"App key"</th><th scope="col">"Resources"</th><th scope="col">"Created"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {keys.into_iter().map(|k| {
                        let path = format!("/api/creditdesk/keys/{}", api::encode(&k.app_key));
                        let label = k.label.clone();
                        view! {
                            <tr class:muted=k.revoked_at.is_some() data-key=k.app_key.clone()>
                                <td>{k.label.clone()}</td>
                                <td><code>{k.app_key.clone()}</code></td>
                                <td>{k.resources.join(", ")}</td>
                                <td>{format::date(k.created_at)}</td>
                                <td>{match k.revoked_at {
                                    Some(at) => view! { <span class="badge">{format!("Revoked {}", format::date(at))}</span> }.into_any(),
                                    None => view! {
                                        <button type="button" class="secondary small revoke" on:click=move |_| {
                                            if confirm(&format!("Revoke the key {label}? Anything using it stops working.")) {
                                                run.dispatch(Command { method: Method::Delete, path: path.clone(), body: None, done: "Key revoked.".into() });
                                            }
                                        }>"Revoke"</button>
                                    }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="error-text" role="alert">{move || refusal_text(refusal).get()}</p>
        </section>
    }
}

/// A new key: a label and the resources it holds, checked by core's `NewKey` reader as it is
/// typed.
#[component]
fn NewKeyForm(
    /// Every resource name.
    names: Vec<String>,
    /// Where the created key (with its token) goes.
    created: RwSignal<Option<serde_json::Value>>,
    /// Called once the key exists.
    on_done: Callback<String>,
) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let chosen: Vec<(String, RwSignal<bool>)> = names
        .into_iter()
        .map(|name| (name, RwSignal::new(false)))
        .collect();
    let body = {
        let chosen = chosen.clone();
        move || {
            let resources: Vec<&String> = chosen
                .iter()
                .filter(|(_, on)| on.get())
                .map(|(n, _)| n)
                .collect();
            json!({ "label": label.get().trim(), "resources": resources })
        }
    };
    let form = use_form(
        FormSpec::new(
            Method::Post,
            "/api/creditdesk/keys".to_owned(),
            body,
            |body| NewKey::from_json(body).map(|_| ()),
            |_| "Key created.".to_owned(),
        )
        .then(Callback::new(move |key| created.set(Some(key)))),
        on_done,
    );
    view! {
        <form class="card" on:submit=form.on_submit()>
            <h2>"New key"</h2>
            <TextField id="key-label".into() label="Label".into() value=label error=form.error("label") help="Who or what uses it, e.g. \"Finance team\"."/>
            <fieldset class="statuses">
                <legend>"Resources"</legend>
                {chosen.into_iter().map(|(name, on)| view! {
                    <label class="check"><input type="checkbox" data-resource=name.clone() bind:checked=on/>{name.clone()}</label>
                }).collect_view()}
                <p class="error-text" role="alert">{move || form.error("resources").get()}</p>
            </fieldset>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button type="submit" id="key-create" disabled=move || form.pending().get()>"Create key"</button>
        </form>
    }
    .into_any()
}
