//! Extra people who may buy on the account: listed, added by email (core checks it as typed),
//! removed after a confirmation.

use creditdesk_core::commands;
use creditdesk_core::wire::HolderList;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{refusal_text, use_command, use_form, Command, FormSpec};
use crate::dom::confirm;
use crate::format;

#[component]
pub fn Holders(
    /// The account.
    account: String,
    /// Its holders.
    list: HolderList,
    /// Called once a change succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let path = account_path(&account, "/holders");
    let email = RwSignal::new(String::new());
    let form = use_form(
        FormSpec::new(
            Method::Post,
            path.clone(),
            move || json!({ "claims": { "email": email.get().trim() } }),
            |body| commands::holder_email_from_json(body).map(|_| ()),
            |_| "Holder added.".to_owned(),
        ),
        on_done,
    );
    let (remove, refusal) = use_command(on_done);
    let rows = list
        .data
        .into_iter()
        .map(|h| {
            let (path, who) = (format!("{path}/{}", h.id), h.claims.email.clone());
            let click = move |_| {
                if confirm(&format!("Remove {who} from this account?")) {
                    remove.dispatch(Command { method: Method::Delete, path: path.clone(), body: None, done: "Holder removed.".into() });
                }
            };
            view! {
                <li>
                    <span>{h.claims.email.clone()}</span>
                    <span class="muted">{format!("since {}", format::date(h.created_at))}</span>
                    <button type="button" class="link small remove-holder" on:click=click>"Remove"</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Holders"</h2>
            <ul class="holders">{rows}</ul>
            <form class="inline-form" on:submit=form.on_submit()>
                <TextField id="holder-email".into() label="Add a holder (email)".into() value=email error=form.error("claims.email")/>
                <button type="submit" id="holder-add" class="secondary">"Add"</button>
            </form>
            <p class="error-text" role="alert">{move || form.general().get().or_else(|| refusal_text(refusal).get())}</p>
        </section>
    }
    .into_any()
}
