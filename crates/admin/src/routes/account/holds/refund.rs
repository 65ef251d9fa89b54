//! Refunding part or all of a settlement: off the open invoices (last first), the rest credited.
//! What may be refunded is core's (`refundableValue`).

use creditdesk_core::commands;
use creditdesk_core::wire::TransactionView;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};
use crate::components::panel::Panel;
use crate::format;

#[component]
pub fn RefundHold(
    /// The account.
    account: String,
    /// The settled transaction.
    hold: TransactionView,
    /// Called once the server accepted.
    on_done: Callback<String>,
    /// Closes the panel.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let refundable = hold.refundable_value;
    let value = RwSignal::new(refundable.to_string());
    let form = use_form(
        FormSpec::new(
            Method::Post,
            account_path(&account, &format!("/transactions/{}/refunds", hold.id)),
            move || json!({ "value": value.get().trim() }),
            |body| commands::positive_value_from_json(body).map(|_| ()),
            |body| {
                let refunded = commands::positive_value_from_json(body).map(format::money);
                format!("Refunded {}.", refunded.unwrap_or_default())
            },
        ),
        on_done,
    );
    view! {
        <Panel title=format!("Refund order {}", hold.order_id) submit_id="refund-save" submit="Refund"
            on_submit=form.submit on_close general=form.general()>
            <TextField id="refund-value".into() label="Value".into() value inputmode="decimal" error=form.error("value")
                help=format!("Up to {}. Taken off the open invoices, last installment first; the rest is credited.", format::money(refundable))/>
        </Panel>
    }
    .into_any()
}
