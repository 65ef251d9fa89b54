//! The account's transactions and everything done to them: a table whose buttons core's rules
//! decide (`TransactionView::cancellable`, `refundableValue`), and one in-place panel per task.

mod change;
mod new;
mod refund;
mod settle;

use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::transaction::TransactionStatus;
use creditdesk_core::wire::{TransactionList, TransactionView};
use leptos::prelude::*;
use serde_json::{json, Value};

use crate::api::{account_path, Method};
use crate::components::form::{refusal_text, use_command, Command};
use crate::dom::confirm;
use crate::format;

pub use new::NewHold;
pub use settle::SettleHold;

/// What is open in the hold panel.
#[derive(Debug, Clone, PartialEq)]
enum HoldPanel {
    New,
    Settle(TransactionView),
    Change(TransactionView),
    Refund(TransactionView),
}

#[component]
pub fn Holds(
    /// The account.
    account: String,
    /// Its transactions, newest first.
    list: TransactionList,
    /// The store configuration (growth rate of holds).
    config: StoreConfig,
    /// Called with a confirmation once a command succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let panel = RwSignal::new(None::<HoldPanel>);
    let done = Callback::new(move |message: String| {
        panel.set(None);
        on_done.run(message);
    });
    let (cancel, refusal) = use_command(done);
    let rows = list
        .data
        .into_iter()
        .map(|t| {
            let path = account_path(&account, &format!("/transactions/{}", t.id));
            view! { <HoldRow hold=t panel cancel=move || {
                if confirm("Cancel this hold? Its credit is released.") {
                    cancel.dispatch(Command { method: Method::Delete, path: path.clone(), body: None, done: "Hold cancelled.".into() });
                }
            }/> }
        })
        .collect_view();
    let growth = config.max_pre_authorization_growth_rate();
    let close = move || panel.set(None);
    view! {
        <section class="card table-card">
            <div class="section-header">
                <h2>"Holds"</h2>
                <button type="button" id="new-hold" class="secondary small" on:click=move |_| panel.set(Some(HoldPanel::New))>"New hold (telesales)"</button>
            </div>
            <table class="data">
                <thead><tr>
                    <th scope="col">"Id"</th><th scope="col">"Order"</th><th scope="col">"Status"</th><th scope="col" class="num">"Value"</th>
                    <th scope="col">"Installments"</th><th scope="col">"Expires"</th><th scope="col" class="num">"Settled"</th>
                    <th scope="col" class="num">"Refunded"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="error-text" role="alert">{move || refusal_text(refusal).get()}</p>
            {move || panel.get().map(|p| match p {
                HoldPanel::New => view! { <NewHold account=account.clone() on_done=done on_close=close/> }.into_any(),
                HoldPanel::Settle(t) => view! { <SettleHold account=account.clone() hold=t on_done=done on_close=close/> }.into_any(),
                HoldPanel::Change(t) => view! { <change::ChangeHold account=account.clone() hold=t growth on_done=done on_close=close/> }.into_any(),
                HoldPanel::Refund(t) => view! { <refund::RefundHold account=account.clone() hold=t on_done=done on_close=close/> }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// One transaction and the buttons for what may be done to it now.
#[component]
fn HoldRow(
    /// The transaction, as the server saw it.
    hold: TransactionView,
    /// The panel to open.
    panel: RwSignal<Option<HoldPanel>>,
    /// Cancels the hold (after asking).
    cancel: impl Fn() + 'static,
) -> impl IntoView {
    let authorized = hold.status == TransactionStatus::Authorized;
    let settled = hold.status == TransactionStatus::Settled;
    let open = move |p: fn(TransactionView) -> HoldPanel, t: &TransactionView| {
        let t = t.clone();
        move |_| panel.set(Some(p(t.clone())))
    };
    view! {
        <tr id=format!("hold-{}", hold.order_id)>
            <td><code title=hold.id.clone()>{hold.id[..8].to_owned()}</code></td>
            <td>{hold.order_id.clone()}</td>
            <td><span class=format!("badge badge-{}", hold.status.as_str().to_lowercase())>{hold.status.as_str()}</span></td>
            <td class="num">{format::money(hold.value)}</td>
            <td>{hold.installments}</td>
            <td>{authorized.then(|| format::date(hold.expiration_date))}</td>
            <td class="num">{settled.then(|| format::money(hold.settled_value))}</td>
            <td class="num">{hold.refunded_value.is_positive().then(|| format::money(hold.refunded_value))}</td>
            <td class="actions">
                {authorized.then(|| view! {
                    <button type="button" class="secondary small settle" on:click=open(HoldPanel::Settle, &hold)>"Settle…"</button>
                    <button type="button" class="secondary small change" on:click=open(HoldPanel::Change, &hold)>"Change…"</button>
                })}
                {hold.cancellable.then(|| view! {
                    <button type="button" class="secondary small cancel-hold" on:click=move |_| cancel()>"Cancel"</button>
                })}
                {settled.then(|| view! {
                    <button type="button" class="secondary small resettle" on:click=open(HoldPanel::Settle, &hold)>"Change settlement…"</button>
                })}
                {hold.refundable_value.is_positive().then(|| view! {
                    <button type="button" class="secondary small refund" on:click=open(HoldPanel::Refund, &hold)>"Refund…"</button>
                })}
            </td>
        </tr>
    }
    .into_any()
}

/// The body fields a hold form shares: the value as typed, installments as a number when it is
/// one (else as typed, for core to name the mistake), and `settle`.
fn hold_fields(value: &str, installments: &str, settle: bool) -> Value {
    let installments = installments.trim();
    json!({
        "value": value.trim(),
        "installments": installments.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(installments)),
        "settle": settle,
    })
}
