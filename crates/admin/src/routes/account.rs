//! One account: its balances explained, its invoices and its statement.

use creditdesk_core::commands::{self, Change};
use creditdesk_core::wire::{AccountView, InvoiceList, StatementView};
use creditdesk_core::Money;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde_json::json;

use crate::api::{self, AdminError, InvoiceAction};
use crate::components::field::TextField;
use crate::components::notice::Toast;
use crate::session::use_session;

/// Everything the page shows, loaded together.
#[derive(Debug, Clone)]
struct AccountData {
    account: AccountView,
    invoices: InvoiceList,
    statement: StatementView,
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let data = LocalResource::new(move || {
        let (id, credentials) = (id.get(), session.credentials());
        async move {
            let credentials =
                credentials.ok_or_else(|| AdminError::Network("not signed in".into()))?;
            let account = api::account(&credentials, &id).await?;
            let invoices = api::account_invoices(&credentials, &id).await?;
            let statement = api::statement(&credentials, &id).await?;
            Ok::<_, AdminError>(AccountData {
                account,
                invoices,
                statement,
            })
        }
    });
    let toast = RwSignal::new(None::<String>);
    let reload = Callback::new(move |message: String| {
        toast.set(Some(message));
        data.refetch();
    });
    view! {
        <Toast message=toast/>
        <Suspense fallback=|| view! { <div class="card loading">"Loading the account…"</div> }>
            <ErrorBoundary fallback=|errors| view! {
                <div class="notice notice-error" role="alert">
                    {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join(" ")}
                </div>
            }>
                {move || data.get().map(|r| r.map(|d| view! {
                    <div class="page-header">
                        <h1>{d.account.id.clone()}</h1>
                        <p class="lead">{format!("{} · {}", d.account.email, d.account.status)}</p>
                    </div>
                    <Balances account=d.account.clone()/>
                    <div class="grid-2">
                        <ChangeForm account=d.account.id.clone() what="creditlimit" label="Credit limit"
                            current=d.account.credit_limit.to_string() on_done=reload/>
                        <ChangeForm account=d.account.id.clone() what="tolerance" label="Tolerance"
                            current=d.account.tolerance.to_string() on_done=reload/>
                    </div>
                    <Invoices account=d.account.id.clone() list=d.invoices.clone() on_done=reload/>
                    <Statement statement=d.statement.clone()/>
                }))}
            </ErrorBoundary>
        </Suspense>
    }
}

/// The share of the credit ceiling in use (0 to 100), for the bar.
pub fn used_percent(account: &AccountView) -> u32 {
    let ceiling = account.credit_limit.minor() + account.available_credit.minor()
        - account.available_balance.minor();
    if ceiling <= 0 {
        return if account.available_credit.is_positive() {
            0
        } else {
            100
        };
    }
    let used = ceiling - account.available_credit.minor();
    u32::try_from((used * 100 / ceiling).clamp(0, 100)).unwrap_or(100)
}

/// Limit, tolerance, held, balance and available, each explained, with a bar of how much of the
/// credit is used.
#[component]
fn Balances(
    /// The account with its balances.
    account: AccountView,
) -> impl IntoView {
    let used = used_percent(&account);
    let money = |m: Money| m.to_string();
    view! {
        <section class="card">
            <h2>"Credit"</h2>
            <div class="usage" role="img" aria-label=format!("{used}% of the credit is used")>
                <div class="usage-bar" style=format!("width: {used}%")></div>
            </div>
            <p class="muted">{format!("{used}% of the credit is used")}</p>
            <dl class="balances">
                <div><dt>"Credit limit"</dt><dd>{money(account.credit_limit)}</dd><p class="help">"What the store lends this buyer."</p></div>
                <div><dt>"Tolerance"</dt><dd>{account.tolerance.to_string()}</dd><p class="help">"Extra above the limit, when the store allows it."</p></div>
                <div><dt>"Held"</dt><dd>{money(account.pre_authorized_credit)}</dd><p class="help">"Pre-authorized at checkout, not yet settled."</p></div>
                <div><dt>"Balance"</dt><dd class:negative=account.balance.is_negative()>{money(account.balance)}</dd><p class="help">"Credits minus debits: negative is what the buyer owes."</p></div>
                <div><dt>"Available"</dt><dd>{money(account.available_credit)}</dd><p class="help">"What a new purchase may use now."</p></div>
            </dl>
        </section>
    }
}

/// Changing the credit limit or the tolerance, with a reason; checked by core as it is typed.
#[component]
fn ChangeForm(
    /// The account changed.
    account: String,
    /// `creditlimit` or `tolerance`.
    what: &'static str,
    /// The visible name of the value.
    label: &'static str,
    /// The value now.
    current: String,
    /// Called with a confirmation once the server accepted the change.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let value = RwSignal::new(current);
    let reason = RwSignal::new(String::new());
    let body = move || {
        let reason = reason.get();
        let reason = if reason.trim().is_empty() {
            None
        } else {
            Some(reason)
        };
        json!({ "value": value.get(), "reason": reason })
    };
    let checked = Memo::new(move |_| {
        let body = body();
        let result = if what == "tolerance" {
            Change::tolerance_from_json(&body).map(|_| ())
        } else {
            Change::credit_limit_from_json(&body).map(|_| ())
        };
        result
            .err()
            .and_then(|e| e.iter().next().map(|f| f.message.clone()))
    });
    let server = RwSignal::new(None::<String>);
    let save = Action::new_local(move |body: &serde_json::Value| {
        let (body, credentials, account) = (body.clone(), session.credentials(), account.clone());
        async move {
            let credentials =
                credentials.ok_or_else(|| AdminError::Network("not signed in".into()))?;
            api::change_account(&credentials, &account, what, &body).await
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => on_done.run(format!("{label} changed.")),
        Some(Err(e)) => server.set(Some(e.to_string())),
        None => {}
    });
    let id = format!("change-{what}");
    let error = Signal::derive(move || checked.get().or_else(|| server.get()));
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            server.set(None);
            if checked.get_untracked().is_none() {
                save.dispatch(body());
            }
        }>
            <h2>{format!("Change the {}", label.to_lowercase())}</h2>
            <TextField id=id.clone() label=label.into() value=value error=error inputmode="decimal"/>
            <TextField id=format!("{id}-reason") label="Reason (kept in the statement)".into() value=reason error=Signal::derive(|| None::<String>)/>
            <button id=format!("{id}-save") type="submit" class="secondary" disabled=move || save.pending().get()>"Save"</button>
        </form>
    }
}

/// The account's invoices, with pay, cancel and postpone.
#[component]
fn Invoices(
    /// The account they belong to.
    account: String,
    /// The invoices and their summary.
    list: InvoiceList,
    /// Called with a confirmation once an action succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let failure = RwSignal::new(None::<String>);
    let act = Action::new_local(move |(invoice, action): &(String, InvoiceAction)| {
        let (invoice, action, credentials, account) = (
            invoice.clone(),
            action.clone(),
            session.credentials(),
            account.clone(),
        );
        async move {
            let credentials =
                credentials.ok_or_else(|| AdminError::Network("not signed in".into()))?;
            api::invoice_action(&credentials, &account, &invoice, &action)
                .await
                .map(|()| action)
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(action)) => {
            failure.set(None);
            on_done.run(match action {
                InvoiceAction::Pay => "Invoice marked paid.".to_owned(),
                InvoiceAction::Cancel => "Invoice cancelled.".to_owned(),
                InvoiceAction::Postpone { days } => format!("Invoice postponed by {days} days."),
            });
        }
        Some(Err(e)) => failure.set(Some(e.to_string())),
        None => {}
    });
    let confirm = |question: &str| {
        web_sys::window()
            .and_then(|w| w.confirm_with_message(question).ok())
            .unwrap_or(false)
    };
    let summary = list.summary;
    view! {
        <section class="card table-card">
            <h2>"Invoices"</h2>
            <p class="muted">{format!("{} invoices · open {} · paid {} · cancelled {}", summary.count, summary.total, summary.total_paid, summary.total_cancelled)}</p>
            <table class="data">
                <thead><tr>
                    <th scope="col">"Invoice"</th><th scope="col">"Status"</th><th scope="col" class="num">"Value"</th>
                    <th scope="col">"Due"</th><th scope="col">"Installment"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {list.data.into_iter().map(|i| {
                        let open = i.status == "Opened";
                        let days = RwSignal::new("5".to_owned());
                        let (pay_id, cancel_id, postpone_id) = (i.id.clone(), i.id.clone(), i.id.clone());
                        let row_id = format!("invoice-{}", i.installment);
                        view! {
                            <tr id=row_id>
                                <td><code>{i.friendly_id.clone()}</code></td>
                                <td><span class=format!("badge badge-{}", i.status.to_lowercase())>{i.status.clone()}</span></td>
                                <td class="num">{i.value.to_string()}</td>
                                <td>{i.due_date.to_string()[..10].to_owned()}</td>
                                <td>{format!("{} of {}", i.installment, i.number_of_installments)}</td>
                                <td class="actions">
                                    {open.then(|| view! {
                                        <button type="button" class="secondary small pay"
                                            on:click=move |_| { act.dispatch((pay_id.clone(), InvoiceAction::Pay)); }>"Pay"</button>
                                        <button type="button" class="secondary small cancel"
                                            on:click=move |_| {
                                                if confirm("Cancel this invoice? Its debt is removed; this cannot be undone.") {
                                                    act.dispatch((cancel_id.clone(), InvoiceAction::Cancel));
                                                }
                                            }>"Cancel"</button>
                                        <input class="days" aria-label="Days to postpone" inputmode="numeric" bind:value=days/>
                                        <button type="button" class="secondary small postpone"
                                            on:click=move |_| {
                                                // The server's own rule for dueDays, from core.
                                                match commands::due_days_from_json(&json!({ "dueDays": days.get_untracked().trim() })) {
                                                    Ok(d) => { act.dispatch((postpone_id.clone(), InvoiceAction::Postpone { days: d })); }
                                                    Err(errors) => failure.set(errors.iter().next().map(|e| format!("Days to postpone {}.", e.message))),
                                                }
                                            }>"Postpone"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="error-text" id="invoice-error" role="alert">{move || failure.get()}</p>
        </section>
    }
}

/// Every movement, with the balances around them.
#[component]
fn Statement(
    /// The statement.
    statement: StatementView,
) -> impl IntoView {
    view! {
        <section class="card table-card">
            <h2>"Statement"</h2>
            <p class="muted">{format!(
                "Previous {} + movements {} = current {}",
                statement.previous_balance, statement.interval_balance, statement.current_balance
            )}</p>
            <table class="data">
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Origin"</th><th scope="col">"What"</th>
                    <th scope="col" class="num">"Value"</th><th scope="col">"By"</th>
                </tr></thead>
                <tbody>
                    {statement.statements.into_iter().map(|e| view! {
                        <tr class:muted=!e.counts_in_balance>
                            <td>{e.date.to_string()[..10].to_owned()}</td>
                            <td>{format!("{:?}", e.origin)}</td>
                            <td>{format!("{:?}", e.kind)}</td>
                            <td class="num" class:negative=e.value.is_negative()>{e.value.to_string()}</td>
                            <td>{e.doneby.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
