//! The invoice table of the account page and the invoices screen: overdue marked, and every
//! action on an open invoice (pay, cancel, postpone within the store's limits, edit observation
//! and payment link), each checked by core before it is sent.

use creditdesk_core::commands::{self, ChangeInvoice};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::InvoiceView;
use creditdesk_core::Timestamp;
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::json;

use crate::api::{self, InvoiceAction};
use crate::components::field::TextField;
use crate::components::panel::Panel;
use crate::dom::{browser_now, confirm};
use crate::format;
use crate::session::use_session;

/// What the postponement rule still allows for `invoice`, in words.
pub fn postponement_hint(config: &StoreConfig, invoice: &InvoiceView) -> String {
    match config.postponement_left(invoice.postponements, invoice.postponed_days) {
        None => "The store does not allow postponing.".to_owned(),
        Some(left) if left.times == 0 => "Postponed as often as the store allows.".to_owned(),
        Some(left) => format!(
            "Up to {} more days, {} more time{}.",
            left.days,
            left.times,
            if left.times == 1 { "" } else { "s" }
        ),
    }
}

/// Invoices with their actions.
#[component]
pub fn InvoiceTable(
    /// The invoices shown (one page).
    invoices: Vec<InvoiceView>,
    /// Show the account column (the invoices screen lists every account).
    #[prop(optional)]
    show_account: bool,
    /// The store configuration, for what postponement allows (hidden until loaded).
    #[prop(into)]
    config: Signal<Option<StoreConfig>>,
    /// Called with a confirmation once an action succeeded (the caller reloads).
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let failure = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<InvoiceView>);
    let act = Action::new_local(move |(invoice, action): &(InvoiceView, InvoiceAction)| {
        let (invoice, action, backend) = (invoice.clone(), action.clone(), session.require());
        async move {
            api::invoice_action(&backend?, &invoice.account_id, &invoice.id, &action)
                .await
                .map(|()| action)
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(action)) => {
            failure.set(None);
            editing.set(None);
            on_done.run(match action {
                InvoiceAction::Pay => "Invoice marked paid.".to_owned(),
                InvoiceAction::Cancel => "Invoice cancelled.".to_owned(),
                InvoiceAction::Postpone { days } => format!("Invoice postponed by {days} days."),
                InvoiceAction::Edit(_) => "Invoice updated.".to_owned(),
            });
        }
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });
    let now = browser_now();
    let empty = invoices.is_empty();
    let rows = invoices
        .into_iter()
        .map(|invoice| view! { <InvoiceRow invoice now show_account config act failure editing/> })
        .collect_view();
    view! {
        <table class="data invoices">
            <thead><tr>
                <th scope="col">"Invoice"</th>
                {show_account.then(|| view! { <th scope="col">"Account"</th> })}
                <th scope="col">"Status"</th><th scope="col" class="num">"Value"</th>
                <th scope="col">"Due"</th><th scope="col">"Installment"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty.then(|| view! { <p class="empty-row muted">"No invoices."</p> })}
        <p class="error-text" id="invoice-error" role="alert">{move || failure.get()}</p>
        {move || editing.get().map(|invoice| view! { <InvoiceEditor invoice act editing/> })}
    }
}

type Act = Action<(InvoiceView, InvoiceAction), Result<InvoiceAction, api::AdminError>>;

/// One invoice and its actions.
#[component]
fn InvoiceRow(
    /// The invoice.
    invoice: InvoiceView,
    /// Now, to mark it overdue.
    now: Timestamp,
    /// Whether the account column is shown.
    show_account: bool,
    /// The store configuration (postponement limits).
    config: Signal<Option<StoreConfig>>,
    /// Runs an action on an invoice.
    act: Act,
    /// Where a refusal checked in the browser is shown.
    failure: RwSignal<Option<String>>,
    /// The invoice whose observation and payment link are being edited.
    editing: RwSignal<Option<InvoiceView>>,
) -> impl IntoView {
    let open = invoice.status == "Opened";
    let overdue = invoice.is_overdue(now);
    let days = RwSignal::new("5".to_owned());
    let hint = {
        let invoice = invoice.clone();
        move || {
            config
                .get()
                .map(|c| postponement_hint(&c, &invoice))
                .unwrap_or_default()
        }
    };
    let row_id = if show_account {
        format!("invoice-{}", invoice.id)
    } else {
        format!("invoice-{}", invoice.installment)
    };
    let status_class = format!("badge badge-{}", invoice.status.to_lowercase());
    let account_href = format!("/accounts/{}", api::encode(&invoice.account_id));
    let actions = open.then(|| {
        let (pay, cancel, postpone, edit) = (
            invoice.clone(),
            invoice.clone(),
            invoice.clone(),
            invoice.clone(),
        );
        view! {
            <button type="button" class="secondary small pay"
                on:click=move |_| { act.dispatch((pay.clone(), InvoiceAction::Pay)); }>"Pay"</button>
            <button type="button" class="secondary small cancel"
                on:click=move |_| {
                    if confirm("Cancel this invoice? Its debt is removed; this cannot be undone.") {
                        act.dispatch((cancel.clone(), InvoiceAction::Cancel));
                    }
                }>"Cancel"</button>
            <span class="postpone-group" title=hint.clone()>
                <input class="days" aria-label="Days to postpone" inputmode="numeric" bind:value=days/>
                <button type="button" class="secondary small postpone"
                    on:click=move |_| {
                        // The server's own rule for dueDays, from core.
                        match commands::due_days_from_json(&json!({ "dueDays": days.get_untracked().trim() })) {
                            Ok(d) => { act.dispatch((postpone.clone(), InvoiceAction::Postpone { days: d })); }
                            Err(errors) => failure.set(errors.iter().next().map(|e| format!("Days to postpone {}.", e.message))),
                        }
                    }>"Postpone"</button>
            </span>
            <button type="button" class="link small edit" on:click=move |_| editing.set(Some(edit.clone()))>"Edit"</button>
            <p class="help postpone-hint">{hint}</p>
        }
    });
    view! {
        <tr id=row_id class:overdue=overdue>
            <td><code>{invoice.friendly_id.clone()}</code>
                {invoice.observation.clone().map(|o| view! { <span class="observation muted">{o}</span> })}</td>
            {show_account.then(|| view! { <td><A href=account_href>{invoice.account_id.clone()}</A></td> })}
            <td><span class=status_class>{invoice.status.clone()}</span>
                {overdue.then(|| view! { <span class="badge badge-overdue">"Overdue"</span> })}</td>
            <td class="num" data-value=invoice.value.to_string()>{format::money(invoice.value)}</td>
            <td data-due=invoice.due_date.to_string()>{format::date(invoice.due_date)}</td>
            <td>{format!("{} of {}", invoice.installment, invoice.number_of_installments)}</td>
            <td class="actions">{actions}</td>
        </tr>
    }
}

/// Observation and payment link of one open invoice, checked by core's `ChangeInvoice`.
#[component]
fn InvoiceEditor(
    /// The invoice edited.
    invoice: InvoiceView,
    /// Runs the change.
    act: Act,
    /// Cleared to close the editor.
    editing: RwSignal<Option<InvoiceView>>,
) -> impl IntoView {
    let friendly_id = invoice.friendly_id.clone();
    let observation = RwSignal::new(invoice.observation.clone().unwrap_or_default());
    let link = RwSignal::new(invoice.payment_link.clone().unwrap_or_default());
    let body = move || {
        let mut body = json!({ "status": "Opened", "observation": observation.get() });
        let link = link.get();
        if !link.trim().is_empty() {
            body["paymentLink"] = json!(link.trim());
        }
        body
    };
    let error_of = move |field: &'static str| {
        Signal::derive(move || {
            ChangeInvoice::from_json(&body()).err().and_then(|e| {
                e.iter()
                    .find(|f| f.field == field)
                    .map(|f| f.message.clone())
            })
        })
    };
    let submit = Callback::new(move |()| {
        let body = body();
        if ChangeInvoice::from_json(&body).is_ok() {
            act.dispatch((invoice.clone(), InvoiceAction::Edit(body)));
        }
    });
    view! {
        <Panel title=format!("Edit invoice {}", friendly_id) submit_id="invoice-edit-save" submit="Save"
            on_submit=submit on_close=Callback::new(move |()| editing.set(None)) general=Signal::derive(|| None::<String>)>
            <TextField id="invoice-observation".into() label="Observation".into()
                help="A note kept on the invoice; searchable on the invoices screen." value=observation error=error_of("observation")/>
            <TextField id="invoice-payment-link".into() label="Payment link".into()
                help="Where the buyer pays (https://…); leave empty to keep it." value=link error=error_of("paymentLink")/>
        </Panel>
    }
}
