//! One account: balances explained, limit and tolerance, holds (create, change, cancel, settle
//! with a preview of the invoices, refund), invoices, holders, statement, close and reopen.

use creditdesk_core::commands::{self, Change, CreateHold, UpdateHold, UpsertAccount};
use creditdesk_core::ids::AccountId;
use creditdesk_core::installments;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{
    AccountView, HolderList, InvoiceList, StatementView, TransactionList, TransactionView,
};
use creditdesk_core::{Money, ValidationErrors};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use serde_json::{json, Value};

use crate::api::{self, account_path, AdminError, Method};
use crate::components::command::{
    field_error, general_error, use_checked_form, use_command, Command,
};
use crate::components::field::{TextField, Toggle};
use crate::components::invoice_table::InvoiceTable;
use crate::components::notice::{load_errors, Toast};
use crate::components::panel::Panel;
use crate::dom::{browser_now, confirm};
use crate::format;
use crate::session::use_session;

/// Everything the page shows but the statement, loaded together.
#[derive(Debug, Clone)]
struct AccountData {
    account: AccountView,
    invoices: InvoiceList,
    transactions: TransactionList,
    holders: HolderList,
    config: StoreConfig,
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let data = LocalResource::new(move || {
        let (id, backend) = (id.get(), session.backend());
        async move {
            let backend = backend?;
            Ok::<_, AdminError>(AccountData {
                account: api::account(&backend, &id).await?,
                invoices: api::account_invoices(&backend, &id).await?,
                transactions: api::transactions(&backend, &id).await?,
                holders: api::holders(&backend, &id).await?,
                config: api::store_config(&backend).await?,
            })
        }
    });
    let toast = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u32);
    let reload = Callback::new(move |message: String| {
        toast.set(Some(message));
        version.update(|v| *v += 1);
        data.refetch();
    });
    view! {
        <Toast message=toast/>
        <Suspense fallback=|| view! { <div class="card loading">"Loading the account…"</div> }>
            <ErrorBoundary fallback=load_errors>
                {move || data.get().map(|r| r.map(|d| {
                    let id = d.account.id.clone();
                    let config = d.config.clone();
                    view! {
                        <div class="page-header with-actions">
                            <div>
                                <h1>{id.clone()}</h1>
                                <p class="lead">{format!("{} · {}", d.account.email, d.account.status)}</p>
                            </div>
                            <CloseOrReopen account=d.account.clone() on_done=reload/>
                        </div>
                        <Balances account=d.account.clone()/>
                        <div class="grid-2">
                            <ChangeForm account=id.clone() what="creditlimit" label="Credit limit"
                                current=d.account.credit_limit.to_string() on_done=reload/>
                            <ChangeForm account=id.clone() what="tolerance" label="Tolerance"
                                current=d.account.tolerance.to_string() on_done=reload/>
                        </div>
                        <div class="grid-2">
                            <DetailsForm account=d.account.clone() on_done=reload/>
                            <DebitForm account=id.clone() on_done=reload/>
                        </div>
                        <Holds account=id.clone() list=d.transactions.clone() config=config.clone() on_done=reload/>
                        <section class="card table-card">
                            <h2>"Invoices"</h2>
                            <p class="muted" id="account-invoice-summary">{format!("{} invoices · open {} · paid {} · cancelled {}",
                                d.invoices.summary.count, format::money(d.invoices.summary.total),
                                format::money(d.invoices.summary.total_paid), format::money(d.invoices.summary.total_cancelled))}</p>
                            <InvoiceTable invoices=d.invoices.data.clone() config=Some(config) on_done=reload/>
                        </section>
                        <Holders account=id.clone() list=d.holders.clone() on_done=reload/>
                        <Statement account=id version/>
                    }
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
    let money = format::money;
    let tolerance = format!(
        "{} %",
        account.tolerance.fraction() * rust_decimal::Decimal::ONE_HUNDRED
    );
    view! {
        <section class="card">
            <h2>"Credit"</h2>
            <div class="usage" role="img" aria-label=format!("{used}% of the credit is used")>
                <div class="usage-bar" style:width=format!("{used}%")></div>
            </div>
            <p class="muted">{format!("{used}% of the credit is used")}</p>
            <dl class="balances">
                <div><dt>"Credit limit"</dt><dd id="balance-limit">{money(account.credit_limit)}</dd><p class="help">"What the store lends this buyer."</p></div>
                <div><dt>"Tolerance"</dt><dd>{tolerance}</dd><p class="help">"Extra above the limit, when the store allows it."</p></div>
                <div><dt>"Held"</dt><dd id="balance-held">{money(account.pre_authorized_credit)}</dd><p class="help">"Pre-authorized at checkout, not yet settled."</p></div>
                <div><dt>"Balance"</dt><dd id="balance-balance" class:negative=account.balance.is_negative()>{money(account.balance)}</dd><p class="help">"Credits minus debits: negative is what the buyer owes."</p></div>
                <div><dt>"Available"</dt><dd id="balance-available">{money(account.available_credit)}</dd><p class="help">"What a new purchase may use now."</p></div>
            </dl>
        </section>
    }
}

/// Closing (refused with the reason while debt, holds or open invoices remain) or reopening.
#[component]
fn CloseOrReopen(
    /// The account.
    account: AccountView,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let (run, refusal) = use_command(on_done);
    let path = account_path(&account.id, "");
    let open = account.status == "Open";
    let click = move |_| {
        if open {
            if confirm("Close this account? It cannot buy on credit until it is reopened.") {
                run.dispatch(Command {
                    method: Method::Delete,
                    path: path.clone(),
                    body: None,
                    done: "Account closed.".into(),
                });
            }
            return;
        }
        let body = json!({ "document": account.document, "documentType": account.document_type, "email": account.email });
        let checked = account
            .id
            .parse::<AccountId>()
            .map_err(|_| ValidationErrors::single("id", "is not an account id"))
            .and_then(|id| UpsertAccount::from_json(&body, &id));
        match checked {
            Ok(_) => {
                run.dispatch(Command {
                    method: Method::Put,
                    path: path.clone(),
                    body: Some(body),
                    done: "Account reopened.".into(),
                });
            }
            Err(errors) => refusal.set(Some(AdminError::Invalid(errors))),
        }
    };
    view! {
        <div class="header-actions">
            <button type="button" id="account-close-or-reopen" class="secondary" on:click=click>
                {if open { "Close account" } else { "Reopen account" }}
            </button>
            <p class="error-text" id="account-status-error" role="alert">{move || refusal.get().map(|e| e.to_string())}</p>
        </div>
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
    let value = RwSignal::new(current);
    let reason = RwSignal::new(String::new());
    let body = move || {
        let reason = reason.get();
        let reason = (!reason.trim().is_empty()).then_some(reason);
        json!({ "value": value.get(), "reason": reason })
    };
    let checked = move || {
        let body = body();
        let result = if what == "tolerance" {
            Change::tolerance_from_json(&body).map(|_| ())
        } else {
            Change::credit_limit_from_json(&body).map(|_| ())
        };
        result
            .err()
            .and_then(|e| e.iter().next().map(|f| f.message.clone()))
    };
    let (run, refusal) = use_command(on_done);
    let path = account_path(&account, &format!("/{what}"));
    let id = format!("change-{what}");
    let error = field_error(checked, refusal, "value");
    let general = general_error(refusal);
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if checked().is_none() {
                run.dispatch(Command { method: Method::Put, path: path.clone(), body: Some(body()), done: format!("{label} changed.") });
            }
        }>
            <h2>{format!("Change the {}", label.to_lowercase())}</h2>
            <TextField id=id.clone() label=label.into() value=value error=error inputmode="decimal"/>
            <TextField id=format!("{id}-reason") label="Reason (kept in the statement)".into() value=reason error=Signal::derive(|| None::<String>)/>
            <p class="error-text" role="alert">{general}</p>
            <button id=format!("{id}-save") type="submit" class="secondary" disabled=move || run.pending().get()>"Save"</button>
        </form>
    }
}

/// The buyer's email and the account's description (`PUT /accounts/{id}`, which also reopens a
/// closed account).
#[component]
fn DetailsForm(
    /// The account.
    account: AccountView,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let email = RwSignal::new(account.email.clone());
    let description = RwSignal::new(account.description.clone());
    let (document, document_type, id) = (account.document, account.document_type, account.id);
    let body = move || {
        json!({ "document": document, "documentType": document_type,
                "email": email.get().trim(), "description": description.get() })
    };
    let parsed_id = id.parse::<AccountId>().ok();
    let form = use_checked_form(
        on_done,
        Method::Put,
        account_path(&id, ""),
        || "Details saved.".to_owned(),
        body,
        move |body| match &parsed_id {
            Some(id) => UpsertAccount::from_json(body, id).map(|_| ()),
            None => Err(ValidationErrors::single("id", "is not an account id")),
        },
    );
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); form.submit.run(()); }>
            <h2>"Details"</h2>
            <TextField id="details-email".into() label="Email".into() value=email error=form.error("email")
                help="Where the store reaches the buyer."/>
            <TextField id="details-description".into() label="Description".into() value=description error=form.error("description")/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id="details-save" type="submit" class="secondary">"Save"</button>
        </form>
    }
}

/// A manual debit: the balance goes down by the amount, recorded in the statement. The statement
/// id is made when the form opens, so sending the same form twice debits once.
#[component]
fn DebitForm(
    /// The account.
    account: String,
    /// Called once the server accepted.
    on_done: Callback<String>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let statement = format!("admin-{}", browser_now().unix_micros());
    let body = move || json!({ "value": value.get().trim() });
    let form = use_checked_form(
        on_done,
        Method::Put,
        account_path(&account, &format!("/statements/{statement}")),
        || "Debit recorded.".to_owned(),
        body,
        |body| commands::debit_from_json(body).map(|_| ()),
    );
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); form.submit.run(()); }>
            <h2>"Debit the balance"</h2>
            <TextField id="debit-value".into() label="Amount (negative, e.g. -25.00)".into() value inputmode="decimal"
                error=form.error("value") help="A fee or an adjustment; shown in the statement."/>
            <p class="error-text" role="alert">{move || form.general().get()}</p>
            <button id="debit-save" type="submit" class="secondary">"Debit"</button>
        </form>
    }
}

/// What is open in the hold panel.
#[derive(Debug, Clone, PartialEq)]
enum HoldPanel {
    New,
    Settle(TransactionView),
    Change(TransactionView),
    Refund(TransactionView),
}

/// The account's transactions and everything done to them.
#[component]
fn Holds(
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
    let (run, refusal) = use_command(done);
    let cancel_path = {
        let account = account.clone();
        move |id: &str| account_path(&account, &format!("/transactions/{id}"))
    };
    let rows = list
        .data
        .into_iter()
        .map(|t| {
            let authorized = t.status == "Authorized";
            let settled = t.status == "Settled";
            let (settle, change, refund, cancel) = (t.clone(), t.clone(), t.clone(), t.id.clone());
            let resettle = t.clone();
            let cancel_path = cancel_path.clone();
            let can_cancel = authorized && !t.settle;
            view! {
                <tr id=format!("hold-{}", t.order_id)>
                    <td><code title=t.id.clone()>{t.id[..8].to_owned()}</code></td>
                    <td>{t.order_id.clone()}</td>
                    <td><span class=format!("badge badge-{}", t.status.to_lowercase())>{t.status.clone()}</span></td>
                    <td class="num">{format::money(t.value)}</td>
                    <td>{t.installments}</td>
                    <td>{if authorized { format::date(t.expiration_date) } else { String::new() }}</td>
                    <td class="num">{settled.then(|| format::money(t.settled_value))}</td>
                    <td class="num">{t.refunded_value.is_positive().then(|| format::money(t.refunded_value))}</td>
                    <td class="actions">
                        {authorized.then(|| view! {
                            <button type="button" class="secondary small settle" on:click=move |_| panel.set(Some(HoldPanel::Settle(settle.clone())))>"Settle…"</button>
                            <button type="button" class="secondary small change" on:click=move |_| panel.set(Some(HoldPanel::Change(change.clone())))>"Change…"</button>
                        })}
                        {can_cancel.then(|| view! {
                            <button type="button" class="secondary small cancel-hold" on:click=move |_| {
                                if confirm("Cancel this hold? Its credit is released.") {
                                    run.dispatch(Command { method: Method::Delete, path: cancel_path(&cancel), body: None, done: "Hold cancelled.".into() });
                                }
                            }>"Cancel"</button>
                        })}
                        {settled.then(|| view! {
                            <button type="button" class="secondary small resettle" on:click=move |_| panel.set(Some(HoldPanel::Settle(resettle.clone())))>"Change settlement…"</button>
                            <button type="button" class="secondary small refund" on:click=move |_| panel.set(Some(HoldPanel::Refund(refund.clone())))>"Refund…"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let growth = config.max_pre_authorization_growth_rate();
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
            <p class="error-text" role="alert">{move || refusal.get().map(|e| e.to_string())}</p>
            {move || panel.get().map(|p| match p {
                HoldPanel::New => view! { <NewHold account=account.clone() on_done=done on_close=move || panel.set(None)/> }.into_any(),
                HoldPanel::Settle(t) => view! { <SettleHold account=account.clone() hold=t on_done=done on_close=move || panel.set(None)/> }.into_any(),
                HoldPanel::Change(t) => view! { <ChangeHold account=account.clone() hold=t growth on_done=done on_close=move || panel.set(None)/> }.into_any(),
                HoldPanel::Refund(t) => view! { <RefundHold account=account.clone() hold=t on_done=done on_close=move || panel.set(None)/> }.into_any(),
            })}
        </section>
    }
}

/// The first message of core's check for each field of a form.
fn first_error(result: Result<(), ValidationErrors>, field: &str) -> Option<String> {
    result.err().and_then(|e| {
        e.iter()
            .find(|f| f.field == field)
            .map(|f| f.message.clone())
    })
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

/// A hold placed by the merchant (telesales): value, installments, and whether checkout will
/// settle it or it expires on a date.
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
    let form = use_checked_form(
        on_done,
        Method::Post,
        account_path(&account, "/transactions"),
        || "Hold created.".to_owned(),
        body,
        |body| CreateHold::from_json(body, browser_now()).map(|_| ()),
    );
    let error = move |field: &'static str| form.error(field);
    view! {
        <Panel title="New hold".into() submit_id="new-hold-save" submit="Hold credit" on_submit=form.submit on_close general=form.general()>
            <div class="grid-2">
                <TextField id="new-hold-value".into() label="Value".into() value inputmode="decimal" error=error("value")
                    help="Taken from the available credit now."/>
                <TextField id="new-hold-installments".into() label="Installments".into() value=installments inputmode="numeric" error=error("installments")
                    help="Invoices the settlement will create, 30 days apart."/>
                <TextField id="new-hold-expires".into() label="Expires on (YYYY-MM-DD)".into() value=expires error=error("expirationDate")
                    help=format!(
                        "Left empty: in {} day unless checkout settles it (then {} days).",
                        commands::UNSETTLED_HOLD_DAYS_DEFAULT,
                        creditdesk_core::transaction::SETTLE_HOLD_DAYS
                    )/>
                <TextField id="new-hold-order".into() label="Order id".into() value=order error=error("orderId")
                    help="The store's order, shown on the invoices."/>
            </div>
            <Toggle id="new-hold-settle".into() label="Checkout will settle it".into() checked=settle
                help="A hold to be settled cannot be cancelled; one that is not expires on its date."/>
        </Panel>
    }
}

/// Settling a hold, with the invoices core will create shown before anything is sent.
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
    let change = hold.status == "Settled";
    let value = RwSignal::new(
        if change {
            hold.settled_value
        } else {
            hold.value
        }
        .to_string(),
    );
    let count = hold.installments;
    let body = move || json!({ "value": value.get().trim() });
    let preview = move || {
        let value = commands::positive_value_from_json(&body()).map_err(|e| e.to_string())?;
        installments::plan(value, count, browser_now()).map_err(|e| e.to_string())
    };
    let form = use_checked_form(
        on_done,
        Method::Put,
        account_path(&account, &format!("/transactions/{}/settlement", hold.id)),
        move || {
            if change {
                "Settlement changed.".to_owned()
            } else {
                format!("Settled into {count} invoices.")
            }
        },
        body,
        |body| commands::positive_value_from_json(body).map(|_| ()),
    );
    let error = form.error("value");
    view! {
        <Panel title=format!("{} order {}", if change { "Change the settlement of" } else { "Settle" }, hold.order_id)
            submit_id="settle-save" submit=if change { "Change" } else { "Settle" }
            on_submit=form.submit on_close general=form.general()>
            <TextField id="settle-value".into() label="Value".into() value inputmode="decimal" error
                help=if change {
                    "Lower: taken off the open invoices, last first. Higher: spread over the open invoices, within the growth rate."
                } else {
                    "Up to the held value plus the store's growth rate."
                }/>
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
}

/// Changing a hold's value, installments or whether checkout settles it.
#[component]
fn ChangeHold(
    /// The account.
    account: String,
    /// The hold changed.
    hold: TransactionView,
    /// The store's growth rate (how far above its first value a hold may grow).
    growth: creditdesk_core::Rate,
    /// Called once the server accepted.
    on_done: Callback<String>,
    /// Closes the panel.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let value = RwSignal::new(hold.value.to_string());
    let installments = RwSignal::new(hold.installments.to_string());
    let settle = RwSignal::new(hold.settle);
    let body = move || hold_fields(&value.get(), &installments.get(), settle.get());
    let form = use_checked_form(
        on_done,
        Method::Put,
        account_path(&account, &format!("/transactions/{}", hold.id)),
        || "Hold changed.".to_owned(),
        body,
        |body| UpdateHold::from_json(body, browser_now()).map(|_| ()),
    );
    let error = move |field: &'static str| form.error(field);
    let help = format!(
        "At most {} % above the first value, {}.",
        growth.fraction() * rust_decimal::Decimal::ONE_HUNDRED,
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
}

/// Refunding part or all of a settlement: off the open invoices (last first), the rest credited.
#[component]
fn RefundHold(
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
    let refundable =
        Money::saturating_from_minor(hold.settled_value.minor() - hold.refunded_value.minor());
    let value = RwSignal::new(refundable.to_string());
    let body = move || json!({ "value": value.get().trim() });
    let form = use_checked_form(
        on_done,
        Method::Post,
        account_path(&account, &format!("/transactions/{}/refunds", hold.id)),
        move || {
            let refunded = commands::positive_value_from_json(&body()).map(format::money);
            format!("Refunded {}.", refunded.unwrap_or_default())
        },
        body,
        |body| commands::positive_value_from_json(body).map(|_| ()),
    );
    let error = form.error("value");
    view! {
        <Panel title=format!("Refund order {}", hold.order_id) submit_id="refund-save" submit="Refund"
            on_submit=form.submit on_close general=form.general()>
            <TextField id="refund-value".into() label="Value".into() value inputmode="decimal" error
                help=format!("Up to {}. Taken off the open invoices, last installment first; the rest is credited.", format::money(refundable))/>
        </Panel>
    }
}

/// Extra people who may buy on the account.
#[component]
fn Holders(
    /// The account.
    account: String,
    /// Its holders.
    list: HolderList,
    /// Called once a change succeeded.
    on_done: Callback<String>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let body = move || json!({ "claims": { "email": email.get().trim() } });
    let checked = move || {
        first_error(
            commands::holder_email_from_json(&body()).map(|_| ()),
            "claims.email",
        )
    };
    let (run, refusal) = use_command(on_done);
    let path = account_path(&account, "/holders");
    let rows = list
        .data
        .into_iter()
        .map(|h| {
            let remove = format!("{path}/{}", h.id);
            let who = h.claims.email.clone();
            view! {
                <li>
                    <span>{h.claims.email.clone()}</span>
                    <span class="muted">{format!("since {}", format::date(h.created_at))}</span>
                    <button type="button" class="link small remove-holder" on:click=move |_| {
                        if confirm(&format!("Remove {who} from this account?")) {
                            run.dispatch(Command { method: Method::Delete, path: remove.clone(), body: None, done: "Holder removed.".into() });
                        }
                    }>"Remove"</button>
                </li>
            }
        })
        .collect_view();
    let error = field_error(checked, refusal, "claims.email");
    let general = general_error(refusal);
    view! {
        <section class="card">
            <h2>"Holders"</h2>
            <ul class="holders">{rows}</ul>
            <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if checked().is_none() {
                    run.dispatch(Command { method: Method::Post, path: path.clone(), body: Some(body()), done: "Holder added.".into() });
                }
            }>
                <TextField id="holder-email".into() label="Add a holder (email)".into() value=email error/>
                <button type="submit" id="holder-add" class="secondary">"Add"</button>
            </form>
            <p class="error-text" role="alert">{general}</p>
        </section>
    }
}

/// Every movement of a date window (in the URL), with the balances around them.
#[component]
fn Statement(
    /// The account.
    account: String,
    /// Bumped when the account changed, to reload.
    version: RwSignal<u32>,
) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let window = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("dateFrom").unwrap_or_default(),
                q.get("dateTo").unwrap_or_default(),
            )
        })
    });
    let statement = {
        let account = account.clone();
        LocalResource::new(move || {
            let (account, backend, (from, to)) = (account.clone(), session.backend(), window.get());
            version.track();
            async move {
                let backend = backend?;
                let mut query = Vec::new();
                if !from.is_empty() {
                    query.push(format!("dateFrom={}", api::encode(&from)));
                }
                if !to.is_empty() {
                    query.push(format!("dateTo={}", api::encode(&to)));
                }
                api::statement(&backend, &account, &query.join("&")).await
            }
        })
    };
    let from = RwSignal::new(window.get_untracked().0);
    let to = RwSignal::new(window.get_untracked().1);
    let pairs = move || {
        [("dateFrom", from.get()), ("dateTo", to.get())]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect::<Vec<_>>()
    };
    let checked = move || creditdesk_core::ledger::window_from_query(&pairs()).map(|_| ());
    let error = move |field: &'static str| Signal::derive(move || first_error(checked(), field));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if checked().is_ok() {
            let query: Vec<String> = pairs()
                .into_iter()
                .map(|(k, v)| format!("{k}={}", api::encode(&v)))
                .collect();
            let url = format!(
                "/accounts/{}{}{}",
                api::encode(&account),
                if query.is_empty() { "" } else { "?" },
                query.join("&")
            );
            navigate(&url, NavigateOptions::default());
        }
    };
    view! {
        <section class="card table-card">
            <h2>"Statement"</h2>
            <form class="filters statement-window" on:submit=apply>
                <TextField id="statement-from".into() label="From (YYYY-MM-DD)".into() value=from error=error("dateFrom")/>
                <TextField id="statement-to".into() label="To (YYYY-MM-DD)".into() value=to error=error("dateTo")/>
                <button type="submit" class="secondary">"Show"</button>
            </form>
            <Suspense fallback=|| view! { <p class="muted">"Loading the statement…"</p> }>
                {move || statement.get().map(|r| match r {
                    Ok(s) => view! { <StatementTable statement=s/> }.into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The statement's balances and entries.
#[component]
fn StatementTable(
    /// The statement.
    statement: StatementView,
) -> impl IntoView {
    view! {
        <p class="muted" id="statement-balances">{format!(
            "Previous {} + movements {} = current {}",
            format::money(statement.previous_balance), format::money(statement.interval_balance), format::money(statement.current_balance)
        )}</p>
        <table class="data statement">
            <thead><tr>
                <th scope="col">"Date"</th><th scope="col">"Origin"</th><th scope="col">"What"</th>
                <th scope="col" class="num">"Value"</th><th scope="col">"By"</th>
            </tr></thead>
            <tbody>
                {statement.statements.into_iter().map(|e| view! {
                    <tr class:muted=!e.counts_in_balance>
                        <td>{format::date(e.date)}</td>
                        <td>{format!("{:?}", e.origin)}</td>
                        <td>{format!("{:?}", e.kind)}</td>
                        <td class="num" class:negative=e.value.is_negative() data-value=e.value.to_string()>{format::money(e.value)}</td>
                        <td>{e.doneby.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
