//! A manual debit: the balance goes down by the amount, recorded in the statement. The statement
//! id is made when the form opens, so sending the same form twice debits once.

use creditdesk_core::commands;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};
use crate::dom::browser_now;

#[component]
pub fn DebitForm(
    /// The account.
    account: String,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let statement = format!("admin-{}", browser_now().unix_micros());
    let form = use_form(
        FormSpec::new(
            Method::Put,
            account_path(&account, &format!("/statements/{statement}")),
            move || json!({ "value": value.get().trim() }),
            |body| commands::debit_from_json(body).map(|_| ()),
            |_| "Debit recorded.".to_owned(),
        ),
        on_done,
    );
    view! {
        <form class="card" on:submit=form.on_submit()>
            <h2>"Debit the balance"</h2>
            <TextField id="debit-value".into() label="Amount (negative, e.g. -25.00)".into() value inputmode="decimal"
                error=form.error("value") help="A fee or an adjustment; shown in the statement."/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id="debit-save" type="submit" class="secondary">"Debit"</button>
        </form>
    }
    .into_any()
}
