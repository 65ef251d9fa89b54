//! A hold placed by the merchant (telesales): value, installments, and whether checkout will
//! settle it or it expires on a date.

use creditdesk_core::commands::{self, CreateHold};
use creditdesk_core::installments::INSTALLMENT_INTERVAL_DAYS;
use creditdesk_core::transaction::SETTLE_HOLD_DAYS;
use leptos::prelude::*;
use serde_json::json;

use super::hold_fields;
use crate::api::{account_path, Method};
use crate::components::field::{TextField, Toggle};
use crate::components::form::{use_form, FormSpec};
use crate::components::panel::Panel;
use crate::dom::browser_now;

#[component]
pub fn NewHold(
    /// The account.
    account: String,
    /// Called once the server accepted.
    on_done: Callback<String>,
    /// Closes the panel.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let installments = RwSignal::new("1".to_owned());
    let settle = RwSignal::new(true);
    let expires = RwSignal::new(String::new());
    let order = RwSignal::new(String::new());
    let body = move || {
        let mut body = hold_fields(&value.get(), &installments.get(), settle.get());
        let expires = expires.get();
        if !expires.trim().is_empty() {
            body["expirationDate"] = json!(format!("{}T23:59:59Z", expires.trim()));
        }
        let order = order.get();
        if !order.trim().is_empty() {
            body["orderId"] = json!(order.trim());
        }
        body
    };
    let form = use_form(
        FormSpec::new(
            Method::Post,
            account_path(&account, "/transactions"),
            body,
            |body| CreateHold::from_json(body, browser_now()).map(|_| ()),
            |_| "Hold created.".to_owned(),
        ),
        on_done,
    );
    let error = move |field: &'static str| form.error(field);
    view! {
        <Panel title="New hold".into() submit_id="new-hold-save" submit="Hold credit" on_submit=form.submit on_close general=form.general()>
            <div class="grid-2">
                <TextField id="new-hold-value".into() label="Value".into() value inputmode="decimal" error=error("value")
                    help="Taken from the available credit now."/>
                <TextField id="new-hold-installments".into() label="Installments".into() value=installments inputmode="numeric" error=error("installments")
                    help=format!("Invoices the settlement will create, {INSTALLMENT_INTERVAL_DAYS} days apart.")/>
                <TextField id="new-hold-expires".into() label="Expires on (YYYY-MM-DD)".into() value=expires error=error("expirationDate")
                    help=format!(
                        "Left empty: in {} day unless checkout settles it (then {SETTLE_HOLD_DAYS} days).",
                        commands::UNSETTLED_HOLD_DAYS_DEFAULT,
                    )/>
                <TextField id="new-hold-order".into() label="Order id".into() value=order error=error("orderId")
                    help="The store's order, shown on the invoices."/>
            </div>
            <Toggle id="new-hold-settle".into() label="Checkout will settle it".into() checked=settle
                help="A hold to be settled cannot be cancelled; one that is not expires on its date."/>
        </Panel>
    }
    .into_any()
}
