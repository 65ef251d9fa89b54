//! Changing a hold's value, installments or whether checkout settles it.

use creditdesk_core::commands::UpdateHold;
use creditdesk_core::wire::TransactionView;
use creditdesk_core::Rate;
use leptos::prelude::*;

use super::hold_fields;
use crate::api::{account_path, Method};
use crate::components::field::{TextField, Toggle};
use crate::components::form::{use_form, FormSpec};
use crate::components::panel::Panel;
use crate::dom::browser_now;
use crate::format;

#[component]
pub fn ChangeHold(
    /// The account.
    account: String,
    /// The hold changed.
    hold: TransactionView,
    /// The store's growth rate (how far above its first value a hold may grow).
    growth: Rate,
    /// Called once the server accepted.
    on_done: Callback<String>,
    /// Closes the panel.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(hold.value.to_string());
    let installments = RwSignal::new(hold.installments.to_string());
    let settle = RwSignal::new(hold.settle);
    let form = use_form(
        FormSpec::new(
            Method::Put,
            account_path(&account, &format!("/transactions/{}", hold.id)),
            move || hold_fields(&value.get(), &installments.get(), settle.get()),
            |body| UpdateHold::from_json(body, browser_now()).map(|_| ()),
            |_| "Hold changed.".to_owned(),
        ),
        on_done,
    );
    let error = move |field: &'static str| form.error(field);
    let help = format!(
        "At most {} % above the first value, {}.",
        format::percent(growth),
        format::money(hold.original_value)
    );
    view! {
        <Panel title=format!("Change order {}", hold.order_id) submit_id="change-hold-save" submit="Save"
            on_submit=form.submit on_close general=form.general()>
            <div class="grid-2">
                <TextField id="change-hold-value".into() label="Value".into() value inputmode="decimal" error=error("value") help/>
                <TextField id="change-hold-installments".into() label="Installments".into() value=installments inputmode="numeric" error=error("installments")/>
            </div>
            <Toggle id="change-hold-settle".into() label="Checkout will settle it".into() checked=settle/>
        </Panel>
    }
    .into_any()
}
