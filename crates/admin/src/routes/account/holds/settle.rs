//! Settling a hold, with the invoices core will create (`installments::plan`, the engine's own
//! plan) shown before anything is sent; or changing the value of a settlement.

use creditdesk_core::installments;
use creditdesk_core::transaction::TransactionStatus;
use creditdesk_core::wire::TransactionView;
use creditdesk_core::{commands, Money};
use leptos::prelude::*;
use serde_json::json;

use crate::api::{account_path, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};
use crate::components::panel::Panel;
use crate::dom::browser_now;
use crate::format;

#[component]
pub fn SettleHold(
    /// The account.
    account: String,
    /// The hold settled.
    hold: TransactionView,
    /// Called once the server accepted.
    on_done: Callback<String>,
    /// Closes the panel.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    // A settled transaction gets a new value: its open invoices change, nothing is created.
    let change = hold.status == TransactionStatus::Settled;
    let start = if change {
        hold.settled_value
    } else {
        hold.value
    };
    let value = RwSignal::new(start.to_string());
    let count = hold.installments;
    let body = move || json!({ "value": value.get().trim() });
    let preview = move || {
        let value = commands::positive_value_from_json(&body()).map_err(|e| e.to_string())?;
        installments::plan(value, count, browser_now()).map_err(|e| e.to_string())
    };
    let form = use_form(
        FormSpec::new(
            Method::Put,
            account_path(&account, &format!("/transactions/{}/settlement", hold.id)),
            body,
            |body| commands::positive_value_from_json(body).map(|_| ()),
            move |_| {
                if change {
                    "Settlement changed.".to_owned()
                } else {
                    format!("Settled into {count} invoices.")
                }
            },
        ),
        on_done,
    );
    let help = if change {
        "Lower: taken off the open invoices, last first. Higher: spread over the open invoices, within the growth rate."
    } else {
        "Up to the held value plus the store's growth rate."
    };
    view! {
        <Panel title=format!("{} order {}", if change { "Change the settlement of" } else { "Settle" }, hold.order_id)
            submit_id="settle-save" submit=if change { "Change" } else { "Settle" }
            on_submit=form.submit on_close general=form.general()>
            <TextField id="settle-value".into() label="Value".into() value inputmode="decimal" error=form.error("value") help/>
            {(!change).then(|| view! { <h4>"Invoices this creates"</h4> })}
            {move || if change { ().into_any() } else { match preview() {
                Ok(planned) => {
                    let total = planned.iter().fold(Money::ZERO, |sum, p| sum.checked_add(p.value).unwrap_or(sum));
                    view! {
                        <table class="data preview" id="settle-preview">
                            <thead><tr><th scope="col">"Installment"</th><th scope="col" class="num">"Value"</th><th scope="col">"Due"</th></tr></thead>
                            <tbody>
                                {planned.into_iter().map(|p| view! {
                                    <tr><td>{format!("{} of {count}", p.installment)}</td>
                                        <td class="num" data-value=p.value.to_string()>{format::money(p.value)}</td>
                                        <td data-due=p.due_date.to_string()>{format::date(p.due_date)}</td></tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot><tr><th scope="row">"Total"</th><td class="num" id="settle-preview-total">{format::money(total)}</td><td></td></tr></tfoot>
                        </table>
                    }.into_any()
                }
                Err(why) => view! { <p class="muted">{format!("No preview: {why}")}</p> }.into_any(),
            } }}
        </Panel>
    }
    .into_any()
}
