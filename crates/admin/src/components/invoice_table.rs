//! The invoice table of the account page and the invoices screen: overdue marked, what was paid
//! and what is left, and every action on an open invoice (pay all or part, cancel, postpone
//! within the store's limits, edit observation and payment link), each body checked by core
//! before it is sent; any invoice with payments or credits lists them, and every invoice its
//! reminders.

use crate::router::A;
use creditdesk_core::commands::{self, ChangeInvoice};
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::InvoiceView;
use creditdesk_core::Timestamp;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{self, account_path, Method};
use crate::components::credits::{InvoiceCredits, PayPanel};
use crate::components::field::TextField;
use crate::components::form::{refusal_text, use_command, use_form, Command, FormSpec};
use crate::components::panel::Panel;
use crate::components::reminders::InvoiceReminders;
use crate::dom::{browser_now, confirm};
use crate::format;

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
    let open_panel = RwSignal::new(None::<(InvoicePanel, InvoiceView)>);
    let done = Callback::new(move |message: String| {
        open_panel.set(None);
        on_done.run(message);
    });
    let close = Callback::new(move |()| open_panel.set(None));
    let now = browser_now();
    let empty = invoices.is_empty();
    let rows = invoices
        .into_iter()
        .map(|invoice| view! { <InvoiceRow invoice now show_account config open_panel on_done=done/> })
        .collect_view();
    view! {
        <table class="data invoices">
            <thead><tr>
                <th scope="col">"Invoice"</th>
                {show_account.then(|| view! { <th scope="col">"Account"</th> })}
                <th scope="col">"Status"</th><th scope="col" class="num">"Value"</th>
                <th scope="col" class="num">"Paid"</th><th scope="col" class="num" title="What is left, plus overdue interest and its tax">"Due now"</th>
                <th scope="col">"Due"</th><th scope="col">"Installment"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty.then(|| view! { <p class="empty-row muted">"No invoices."</p> })}
        {move || open_panel.get().map(|(panel, invoice)| match panel {
            InvoicePanel::Edit => view! { <InvoiceEditor invoice on_close=close on_done=done/> }.into_any(),
            InvoicePanel::Pay => view! { <PayPanel invoice on_close=close on_done=done/> }.into_any(),
            InvoicePanel::Credits => view! { <InvoiceCredits invoice on_close=close on_done=done/> }.into_any(),
            InvoicePanel::Reminders => view! { <InvoiceReminders invoice on_close=close/> }.into_any(),
        })}
    }
    .into_any()
}

/// The panel opened under the table for one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvoicePanel {
    Edit,
    Pay,
    Credits,
    Reminders,
}

/// The API path of an invoice, followed by `rest`.
fn invoice_path(invoice: &InvoiceView, rest: &str) -> String {
    account_path(
        &invoice.account_id,
        &format!("/invoices/{}{rest}", api::encode(&invoice.id)),
    )
}

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
    /// The panel open under the table, and for which invoice.
    open_panel: RwSignal<Option<(InvoicePanel, InvoiceView)>>,
    /// Called with a confirmation once an action succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let open = invoice.status == InvoiceStatus::Opened;
    let credited = invoice.paid_value.is_positive() || invoice.written_off_value.is_positive();
    let overdue = invoice.is_overdue(now);
    let interest = Some(invoice.interest_owed()).filter(|i| i.is_positive());
    let row_id = if show_account {
        format!("invoice-{}", invoice.id)
    } else {
        format!("invoice-{}", invoice.installment)
    };
    let status = invoice.status.as_str();
    let status_class = format!("badge badge-{}", status.to_lowercase());
    let account_href = format!("/accounts/{}", api::encode(&invoice.account_id));
    let actions =
        open.then(|| view! { <InvoiceActions invoice=invoice.clone() config open_panel on_done/> });
    let credits = credited.then(|| {
        let invoice = invoice.clone();
        view! { <button type="button" class="link small credits" on:click=move |_| open_panel.set(Some((InvoicePanel::Credits, invoice.clone())))>"Credits"</button> }
    });
    let reminders = {
        let invoice = invoice.clone();
        view! { <button type="button" class="link small reminders" on:click=move |_| open_panel.set(Some((InvoicePanel::Reminders, invoice.clone())))>"Reminders"</button> }
    };
    view! {
        <tr id=row_id class:overdue=overdue>
            <td><code>{invoice.friendly_id.clone()}</code>
                {invoice.observation.clone().map(|o| view! { <span class="observation muted">{o}</span> })}</td>
            {show_account.then(|| view! { <td><A href=account_href>{invoice.account_id.clone()}</A></td> })}
            <td><span class=status_class>{status}</span>
                {overdue.then(|| view! { <span class="badge badge-overdue">"Overdue"</span> })}</td>
            <td class="num" data-value=invoice.value.to_string()>{format::money(invoice.value)}</td>
            <td class="num" data-paid=invoice.paid_value.to_string()>{format::money(invoice.paid_value)}</td>
            <td class="num" data-remaining=invoice.remaining_value.to_string() data-amount-due=invoice.amount_due.to_string()>
                {format::money(invoice.amount_due)}
                {interest.map(|i| view! { <span class="interest muted">{format!("incl. {} interest", format::money(i))}</span> })}</td>
            <td data-due=invoice.due_date.to_string()>{format::date(invoice.due_date)}</td>
            <td>{format!("{} of {}", invoice.installment, invoice.number_of_installments)}</td>
            <td class="actions">{actions}{credits}{reminders}</td>
        </tr>
    }
    .into_any()
}

/// Pay (how much, in a panel), cancel (after asking), postpone by a number of days (core's
/// `dueDays` reader), edit.
#[component]
fn InvoiceActions(
    /// The open invoice.
    invoice: InvoiceView,
    /// The store configuration (postponement limits).
    config: Signal<Option<StoreConfig>>,
    /// Opened on "Pay" and "Edit".
    open_panel: RwSignal<Option<(InvoicePanel, InvoiceView)>>,
    /// Called with a confirmation once an action succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let (run, refusal) = use_command(on_done);
    let days = RwSignal::new("5".to_owned());
    let postpone = use_form(
        FormSpec::new(
            Method::Put,
            invoice_path(&invoice, "/postponement"),
            move || json!({ "dueDays": days.get().trim() }),
            |body| commands::due_days_from_json(body).map(|_| ()),
            |body| {
                let days = commands::due_days_from_json(body).unwrap_or_default();
                format!("Invoice postponed by {days} days.")
            },
        ),
        on_done,
    );
    let hint = {
        let invoice = invoice.clone();
        move || {
            config
                .get()
                .map(|c| postponement_hint(&c, &invoice))
                .unwrap_or_default()
        }
    };
    let cancel = invoice_path(&invoice, "");
    let pay = {
        let invoice = invoice.clone();
        move |_| open_panel.set(Some((InvoicePanel::Pay, invoice.clone())))
    };
    let cancel = move |_| {
        if confirm("Cancel this invoice? Its debt is removed; this cannot be undone.") {
            run.dispatch(Command {
                method: Method::Delete,
                path: cancel.clone(),
                body: None,
                done: "Invoice cancelled.".into(),
            });
        }
    };
    let error = Signal::derive(move || {
        refusal_text(refusal)
            .get()
            .or_else(|| {
                postpone
                    .error("dueDays")
                    .get()
                    .map(|e| format!("Days to postpone {e}."))
            })
            .or_else(|| postpone.general().get())
    });
    view! {
        <button type="button" class="secondary small pay" on:click=pay>"Pay"</button>
        <button type="button" class="secondary small cancel" on:click=cancel>"Cancel"</button>
        <form class="postpone-group" title=hint.clone() on:submit=postpone.on_submit()>
            <input class="days" aria-label="Days to postpone" inputmode="numeric" bind:value=days/>
            <button type="submit" class="secondary small postpone">"Postpone"</button>
        </form>
        <button type="button" class="link small edit" on:click=move |_| open_panel.set(Some((InvoicePanel::Edit, invoice.clone())))>"Edit"</button>
        <p class="help postpone-hint">{hint}</p>
        <p class="error-text invoice-error" role="alert">{move || error.get()}</p>
    }
    .into_any()
}

/// Observation and payment link of one open invoice, checked by core's `ChangeInvoice`.
#[component]
fn InvoiceEditor(
    /// The invoice edited.
    invoice: InvoiceView,
    /// Closes the editor.
    on_close: Callback<()>,
    /// Called with a confirmation once the change succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let observation = RwSignal::new(invoice.observation.clone().unwrap_or_default());
    let link = RwSignal::new(invoice.payment_link.clone().unwrap_or_default());
    let form = use_form(
        FormSpec::new(
            Method::Put,
            invoice_path(&invoice, ""),
            move || {
                let mut body = json!({ "status": InvoiceStatus::Opened.as_str(), "observation": observation.get() });
                let link = link.get();
                if !link.trim().is_empty() {
                    body["paymentLink"] = json!(link.trim());
                }
                body
            },
            |body| ChangeInvoice::from_json(body).map(|_| ()),
            |_| "Invoice updated.".to_owned(),
        ),
        on_done,
    );
    view! {
        <Panel title=format!("Edit invoice {}", invoice.friendly_id) submit_id="invoice-edit-save" submit="Save"
            on_submit=form.submit on_close general=form.general()>
            <TextField id="invoice-observation".into() label="Observation".into()
                help="A note kept on the invoice; searchable on the invoices screen." value=observation error=form.error("observation")/>
            <TextField id="invoice-payment-link".into() label="Payment link".into()
                help="Where the buyer pays (https://…); leave empty to keep it." value=link error=form.error("paymentLink")/>
        </Panel>
    }
    .into_any()
}
