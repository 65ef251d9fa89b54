//! Payments and credits: paying part or all of an invoice (core checks the amount against what is
//! left as it is typed), and a list of credits — an invoice's, or an account's — each posted one
//! reversible once, with a reason and a confirmation.

use creditdesk_core::commands::{CreditReason, Pay};
use creditdesk_core::credit::{CreditKind, CreditState};
use creditdesk_core::wire::{CreditList, CreditView, InvoiceView};
use leptos::prelude::*;
use serde_json::json;

use crate::api::{self, Method};
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};
use crate::components::loading::{loading, Load};
use crate::components::panel::Panel;
use crate::dom::confirm;
use crate::format;
use crate::session::use_session;

/// The API path of an invoice's Creditdesk extension `rest` (`/credits`, `/write-off`).
pub fn invoice_extension_path(invoice: &InvoiceView, rest: &str) -> String {
    format!(
        "/api/creditdesk/accounts/{}/invoices/{}{rest}",
        api::encode(&invoice.account_id),
        api::encode(&invoice.id)
    )
}

/// "Pay": how much (all that is left unless changed) and the payer's reference.
#[component]
pub fn PayPanel(
    /// The open invoice paid.
    invoice: InvoiceView,
    /// Closes the panel.
    on_close: Callback<()>,
    /// Called with a confirmation once the payment is recorded.
    on_done: Callback<String>,
) -> impl IntoView {
    let remaining = invoice.remaining_value;
    let interest = invoice.interest_owed();
    let due = invoice.amount_due;
    let amount = RwSignal::new(due.to_string());
    let reference = RwSignal::new(String::new());
    let form = use_form(
        FormSpec::new(
            Method::Post,
            api::account_path(
                &invoice.account_id,
                &format!("/invoices/{}/payments", api::encode(&invoice.id)),
            ),
            move || {
                let mut body = json!({ "value": amount.get().trim() });
                let reference = reference.get();
                if !reference.trim().is_empty() {
                    body["reference"] = json!(reference.trim());
                }
                body
            },
            move |body| {
                Pay::from_json(body)?
                    .amount_of(remaining, interest)
                    .map(|_| ())
            },
            move |body| {
                let paid = Pay::from_json(body)
                    .ok()
                    .and_then(|p| p.amount_of(remaining, interest).ok())
                    .unwrap_or(due);
                if paid == due {
                    "Invoice paid.".to_owned()
                } else {
                    format!("Payment of {} recorded.", format::money(paid))
                }
            },
        ),
        on_done,
    );
    view! {
        <Panel title=format!("Pay invoice {}", invoice.friendly_id) submit_id="invoice-pay-save" submit="Record payment"
            on_submit=form.submit on_close general=form.general()>
            <TextField id="invoice-pay-amount".into() label="Amount".into() inputmode="decimal"
                help=pay_help(&invoice)
                value=amount error=form.error("value")/>
            <TextField id="invoice-pay-reference".into() label="Payer's reference (optional)".into()
                help="A bank transfer's text, say; at most 64 characters." value=reference error=form.error("reference")/>
        </Panel>
    }
    .into_any()
}

/// What the amount field says: what is left, and the overdue interest paid first.
fn pay_help(invoice: &InvoiceView) -> String {
    let rest =
        "less leaves the rest open (a rest within the store's shortfall tolerance is written off)";
    let interest = invoice.interest_owed();
    if interest.is_positive() {
        format!(
            "{} is due: {} left and {} of overdue interest with its tax, which a payment pays first; {rest}.",
            format::money(invoice.amount_due),
            format::money(invoice.remaining_value),
            format::money(interest)
        )
    } else {
        format!(
            "{} is left to pay; {rest}.",
            format::money(invoice.remaining_value)
        )
    }
}

/// An invoice's credits, loaded when the panel opens.
#[component]
pub fn InvoiceCredits(
    /// The invoice.
    invoice: InvoiceView,
    /// Closes the list.
    on_close: Callback<()>,
    /// Called with a confirmation once a credit was reversed.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let path = invoice_extension_path(&invoice, "/credits");
    let list = Load::new(move || {
        let (path, backend) = (path.clone(), session.backend());
        async move { api::get::<CreditList>(&backend?, &path).await }
    });
    view! {
        <section class="panel credits-panel" aria-label="Credits">
            <h3>{format!("Credits of invoice {}", invoice.friendly_id)}</h3>
            {loading("Loading the credits…", move || {
                list.get().map(|r| r.map(|l| view! { <CreditTable items=l.items on_done/> }.into_any()))
            })}
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </section>
    }
    .into_any()
}

/// An account's credits (the billing-credits list of its account, every field), newest last.
#[component]
pub fn AccountCredits(
    /// The account.
    account: String,
    /// Bumped on every change: the list reloads.
    version: RwSignal<u32>,
    /// Called with a confirmation once a credit was reversed.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let list = Load::new(move || {
        let (_, account, backend) = (version.get(), account.clone(), session.backend());
        async move {
            let backend = backend?;
            let store: creditdesk_core::wire::StoreView =
                api::get(&backend, "/api/creditdesk/store").await?;
            let path = format!(
                "/billing/{}/credits/list?accountLocator={}&extended=true&count={}",
                store.tenant_locator,
                api::encode(&account),
                creditdesk_core::search::CREDIT_COUNT_MAX
            );
            api::get::<CreditList>(&backend, &format!("/api{path}")).await
        }
    });
    view! {
        <section class="card table-card" id="account-credits">
            <h2>"Payments and credits"</h2>
            {loading("Loading the credits…", move || {
                list.get().map(|r| r.map(|l| {
                    let more = (!l.list_completed).then(|| view! {
                        <p class="muted">"Only the oldest credits are shown; the billing-credits API pages through all of them."</p>
                    });
                    view! { <CreditTable items=l.items on_done/>{more} }.into_any()
                }))
            })}
        </section>
    }
    .into_any()
}

/// What a credit is, in words.
fn kind_label(kind: CreditKind) -> &'static str {
    match kind {
        CreditKind::Payment => "Payment",
        CreditKind::WriteOff => "Write-off",
        CreditKind::ShortfallWriteOff => "Shortfall write-off",
    }
}

/// Credits with their state and, for posted ones, "Reverse".
#[component]
fn CreditTable(
    /// The credits shown.
    items: Vec<CreditView>,
    /// Called with a confirmation once a credit was reversed.
    on_done: Callback<String>,
) -> impl IntoView {
    let reversing = RwSignal::new(None::<CreditView>);
    let done = Callback::new(move |message: String| {
        reversing.set(None);
        on_done.run(message);
    });
    let empty = items.is_empty();
    let rows = items
        .into_iter()
        .map(|credit| {
            let posted = credit.credit_state == CreditState::Posted;
            let note = credit
                .reversal_reason
                .clone()
                .map(|r| format!("Reversed: {r}"))
                .or_else(|| credit.reason.clone())
                .or_else(|| credit.reference.clone())
                .unwrap_or_default();
            let state = if posted { "Posted" } else { "Reversed" };
            let row_id = format!("credit-{}", credit.locator);
            let target = credit
                .targets
                .first()
                .map(|t| t.invoice_locator.clone())
                .unwrap_or_default();
            let reverse = posted.then(|| {
                let credit = credit.clone();
                view! { <button type="button" class="link small reverse" on:click=move |_| reversing.set(Some(credit.clone()))>"Reverse"</button> }
            });
            view! {
                <tr id=row_id class:reversed=!posted>
                    <td>{kind_label(credit.credit_type)}</td>
                    <td class="num" data-amount=credit.amount.to_string()>{format::money(credit.amount)}</td>
                    <td><span class=format!("badge badge-{}", state.to_lowercase())>{state}</span></td>
                    <td>{format::date(credit.created_at)}</td>
                    <td><code>{target}</code></td>
                    <td class="muted">{note}</td>
                    <td class="actions">{reverse}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data credits">
            <thead><tr>
                <th scope="col">"Credit"</th><th scope="col" class="num">"Amount"</th><th scope="col">"State"</th>
                <th scope="col">"Date"</th><th scope="col">"Invoice"</th><th scope="col">"Note"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty.then(|| view! { <p class="empty-row muted">"No payments or credits yet."</p> })}
        {move || reversing.get().map(|credit| view! {
            <ReversePanel credit on_close=Callback::new(move |()| reversing.set(None)) on_done=done/>
        })}
    }
    .into_any()
}

/// "Reverse": the reason (required), then a confirmation; the credit's amount is owed again.
#[component]
fn ReversePanel(
    /// The posted credit reversed.
    credit: CreditView,
    /// Closes the panel.
    on_close: Callback<()>,
    /// Called with a confirmation once it is reversed.
    on_done: Callback<String>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let what = format!(
        "{} of {}",
        kind_label(credit.credit_type),
        format::money(credit.amount)
    );
    let form = use_form(
        FormSpec::new(
            Method::Post,
            format!(
                "/api/creditdesk/credits/{}/reversal",
                api::encode(&credit.locator)
            ),
            move || json!({ "reason": reason.get() }),
            |body| CreditReason::from_json(body).map(|_| ()),
            |_| "Credit reversed.".to_owned(),
        ),
        on_done,
    );
    let question = format!("Reverse this {what}? Its amount is owed again; this cannot be undone.");
    let submit = Callback::new(move |()| {
        // Core's refusal shows without asking; a reason it accepts is confirmed first.
        if form.invalid_count() > 0 || confirm(&question) {
            form.submit.run(());
        }
    });
    view! {
        <Panel title=format!("Reverse {what}") submit_id="credit-reverse-save" submit="Reverse"
            on_submit=submit on_close general=form.general()>
            <TextField id="credit-reverse-reason".into() label="Reason".into()
                help="Why: a bounced transfer, a write-off made by mistake." value=reason error=form.error("reason")/>
        </Panel>
    }
    .into_any()
}
