//! The account in the company-credit API: its credit and company ids, its currency and whether
//! it may exceed its limit (that API's limit update), balance operations (increase or decrease,
//! with an operation type, purchase order and comment), and the typed history — filtered by
//! operation type — where a Reimbursed entry's purchase order and comment can be edited. Every
//! body is checked by core's reader of that API as it is typed.

use creditdesk_core::company::{
    BalanceChange, BalanceOperation, CreditId, CreditLimitUpdate, CreditView, HistoryList,
    HistoryUpdate, HistoryView, OperationType, Refusal,
};
use creditdesk_core::ValidationErrors;
use leptos::prelude::*;

use crate::components::loading::Load;
use serde_json::json;

use crate::api::{self, Method};
use crate::components::field::{TextField, Toggle};
use crate::components::form::{use_form, FormSpec};
use crate::format;
use crate::session::use_session;

/// Where this API's calls go (the store code left out, as its clients do).
fn path(rest: &str) -> String {
    format!("/rest/V1/companyCredits/{rest}")
}

/// A field whose messages show under another one (the form's one field).
fn no_message() -> Signal<Option<String>> {
    Signal::derive(|| None)
}

/// A refusal of core's reader as the message of the form's one field `field`.
fn as_field(field: &'static str) -> impl Fn(Refusal) -> ValidationErrors + Copy {
    move |refusal| ValidationErrors::single(field, refusal.to_string())
}

/// The panel: nothing for an account the company-credit API does not number yet.
#[component]
pub fn CompanyCredit(
    /// The account's credit id (`None`: not numbered).
    credit: Option<CreditId>,
    /// Bumped when the account changed, to reload.
    version: RwSignal<u32>,
    /// Called with a confirmation after every change.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let Some(credit) = credit else {
        return ().into_any();
    };
    let view = Load::new(move || {
        let backend = session.backend();
        version.track();
        async move { api::get::<CreditView>(&backend?, &path(&credit.to_string())).await }
    });
    view! {
        <section class="card" id="company-credit">
            <h2>"Company credit"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading the company credit…"</p> }>
                {move || view.get().map(|r| match r {
                    Ok(c) => {
                        let currency = c.currency_code.as_str().to_owned();
                        view! {
                            <Terms credit=c on_done/>
                            <div class="grid-2">
                                <BalanceForm credit currency=currency.clone() change=BalanceChange::Increase on_done/>
                                <BalanceForm credit currency change=BalanceChange::Decrease on_done/>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
            <History credit version on_done/>
        </section>
    }
    .into_any()
}

/// The credit's numbers, and its currency and exceed-limit switch saved together.
#[component]
fn Terms(
    /// The credit as that API shows it.
    credit: CreditView,
    /// Called once saved.
    on_done: Callback<String>,
) -> impl IntoView {
    let currency = RwSignal::new(credit.currency_code.as_str().to_owned());
    let exceed = RwSignal::new(credit.exceed_limit);
    let id = credit.id;
    let form = use_form(
        FormSpec::new(
            Method::Put,
            path(&id.to_string()),
            move || json!({"creditLimit": {"currency_code": currency.get().trim(), "exceed_limit": exceed.get()}}),
            move |body| {
                CreditLimitUpdate::read(id.get().into(), body)
                    .map(|_| ())
                    .map_err(as_field("currency_code"))
            },
            |_| "Company credit saved.".to_owned(),
        ),
        on_done,
    );
    view! {
        <p class="muted" id="company-credit-numbers">{format!(
            "Credit {} · company {} · balance {} · available {}",
            credit.id, credit.company_id, format::money(credit.balance), format::money(credit.available_limit)
        )}</p>
        <form class="filters" on:submit=form.on_submit()>
            <TextField id="company-currency".into() label="Currency (ISO 4217)".into() value=currency
                error=form.error("currency_code") help="Changes only while nothing is owed or held; amounts are never converted."/>
            <Toggle id="company-exceed".into() label="May exceed its limit".into() checked=exceed
                help="Pre-authorizations are not checked against the limit or the tolerance."/>
            <button id="company-terms-save" type="submit" class="secondary">"Save"</button>
        </form>
        <p class="error-text" role="alert">{move || form.general().get()}</p>
    }
    .into_any()
}

/// An `increaseBalance` or `decreaseBalance`, with the operation types it allows.
#[component]
fn BalanceForm(
    /// The credit.
    credit: CreditId,
    /// The credit's currency, the operation's.
    currency: String,
    /// Which way.
    change: BalanceChange,
    /// Called once the balance moved.
    on_done: Callback<String>,
) -> impl IntoView {
    let (name, title, field) = match change {
        BalanceChange::Increase => ("increaseBalance", "Increase the balance", "increase"),
        BalanceChange::Decrease => ("decreaseBalance", "Decrease the balance", "decrease"),
    };
    let types = change.operation_types();
    let value = RwSignal::new(String::new());
    let operation = RwSignal::new(types[types.len() - 1].code().to_string());
    let purchase_order = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    // The operation is in the credit's own currency.
    let body = move || {
        json!({"value": value.get().trim(), "currency": currency, "operationType": operation.get(),
            "comment": comment.get().trim(), "options": {"purchase_order": purchase_order.get().trim()}})
    };
    let form = use_form(
        FormSpec::new(
            Method::Post,
            path(&format!("{credit}/{name}")),
            body,
            move |body| {
                BalanceOperation::read(change, credit.get().into(), body)
                    .map(|_| ())
                    .map_err(as_field(field))
            },
            move |_| format!("{title}: done."),
        ),
        on_done,
    );
    view! {
        <form class="card inset" on:submit=form.on_submit()>
            <h3>{title}</h3>
            <TextField id=format!("{field}-value") label="Amount".into() value inputmode="decimal"
                error=form.error(field)/>
            <div class="field">
                <label for=format!("{field}-type")>"Operation type"</label>
                <select id=format!("{field}-type") prop:value=move || operation.get()
                    on:change=move |ev| operation.set(event_target_value(&ev))>
                    {types.iter().map(|t| view! { <option value=t.code().to_string()>{format!("{} {}", t.code(), t.name())}</option> }).collect_view()}
                </select>
            </div>
            <TextField id=format!("{field}-po") label="Purchase order (optional)".into() value=purchase_order error=no_message()/>
            <TextField id=format!("{field}-comment") label="Comment (optional)".into() value=comment error=no_message()/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id=format!("{field}-save") type="submit" class="secondary">{title}</button>
        </form>
    }
    .into_any()
}

/// The credit's history, newest last, filtered by operation type.
#[component]
fn History(
    /// The credit.
    credit: CreditId,
    /// Bumped when the account changed, to reload.
    version: RwSignal<u32>,
    /// Called after an edit.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let kind = RwSignal::new(String::new());
    let history = Load::new(move || {
        let (backend, kind) = (session.backend(), kind.get());
        version.track();
        async move {
            let f = "searchCriteria[filter_groups]";
            let mut query = format!(
                "{f}[0][filters][0][field]=company_credit_id&{f}[0][filters][0][value]={credit}"
            );
            if !kind.is_empty() {
                query.push_str(&format!(
                    "&{f}[1][filters][0][field]=type&{f}[1][filters][0][value]={kind}"
                ));
            }
            api::get::<HistoryList>(
                &backend?,
                &path(&format!(
                    "history?{}",
                    query.replace('[', "%5B").replace(']', "%5D")
                )),
            )
            .await
        }
    });
    view! {
        <div class="filters">
            <div class="field">
                <label for="history-type">"Credit history: operation type"</label>
                <select id="history-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="">"All"</option>
                    {OperationType::ALL.iter().map(|t| view! { <option value=t.code().to_string()>{format!("{} {}", t.code(), t.name())}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading the history…"</p> }>
            {move || history.get().map(|r| match r {
                Ok(list) => view! {
                    <table class="data" id="company-history">
                        <thead><tr>
                            <th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col" class="num">"Amount"</th>
                            <th scope="col" class="num">"Balance"</th><th scope="col" class="num">"Available"</th>
                            <th scope="col">"Purchase order"</th><th scope="col">"Comment"</th><th scope="col"></th>
                        </tr></thead>
                        <tbody>
                            {list.items.into_iter().map(|row| view! { <HistoryRow row on_done/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
                Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

/// One history row; a Reimbursed one can take a purchase order and a comment.
#[component]
fn HistoryRow(
    /// The entry.
    row: HistoryView,
    /// Called after an edit.
    on_done: Callback<String>,
) -> impl IntoView {
    let name = OperationType::from_code(row.operation).map_or("?", OperationType::name);
    let editing = RwSignal::new(false);
    let editable = row.operation == OperationType::Reimbursed.code();
    let purchase_order = RwSignal::new(row.purchase_order.clone().unwrap_or_default());
    let comment = RwSignal::new(row.comment.clone().unwrap_or_default());
    let id = row.id;
    let form = use_form(
        FormSpec::new(
            Method::Put,
            path(&format!("history/{id}")),
            move || json!({"purchaseOrder": purchase_order.get().trim(), "comment": comment.get().trim()}),
            move |body| {
                HistoryUpdate::read(id, body)
                    .map(|_| ())
                    .map_err(as_field("history"))
            },
            |_| "History entry saved.".to_owned(),
        ),
        on_done,
    );
    view! {
        <tr data-type=row.operation.to_string()>
            <td>{row.datetime.clone()}</td>
            <td>{format!("{} {name}", row.operation)}</td>
            <td class="num">{format::money(row.amount)}</td>
            <td class="num">{format::money(row.balance)}</td>
            <td class="num">{format::money(row.available_limit)}</td>
            <td>{row.purchase_order.clone()}</td>
            <td>{row.comment.clone()}</td>
            <td>{editable.then(|| view! {
                <button type="button" class="link" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
            })}</td>
        </tr>
        {move || editing.get().then(|| view! {
            <tr><td colspan="8">
                <form class="filters" on:submit=form.on_submit()>
                    <TextField id=format!("history-{id}-po") label="Purchase order".into() value=purchase_order error=form.error("history")/>
                    <TextField id=format!("history-{id}-comment") label="Comment".into() value=comment error=no_message()/>
                    <button id=format!("history-{id}-save") type="submit" class="secondary">"Save"</button>
                </form>
            </td></tr>
        })}
    }
    .into_any()
}
