//! One account: its balances explained, its invoices and its statement.

use creditdesk_core::wire::{AccountView, InvoiceList, StatementView};
use creditdesk_core::Money;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{self, AdminError};
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
    view! {
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
                    <Invoices list=d.invoices.clone()/>
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

/// The account's invoices.
#[component]
fn Invoices(
    /// The invoices and their summary.
    list: InvoiceList,
) -> impl IntoView {
    let summary = list.summary;
    view! {
        <section class="card table-card">
            <h2>"Invoices"</h2>
            <p class="muted">{format!("{} invoices · open {} · paid {} · cancelled {}", summary.count, summary.total, summary.total_paid, summary.total_cancelled)}</p>
            <table class="data">
                <thead><tr>
                    <th scope="col">"Invoice"</th><th scope="col">"Status"</th><th scope="col" class="num">"Value"</th>
                    <th scope="col">"Due"</th><th scope="col">"Installment"</th>
                </tr></thead>
                <tbody>
                    {list.data.into_iter().map(|i| view! {
                        <tr>
                            <td><code>{i.friendly_id.clone()}</code></td>
                            <td><span class=format!("badge badge-{}", i.status.to_lowercase())>{i.status.clone()}</span></td>
                            <td class="num">{i.value.to_string()}</td>
                            <td>{i.due_date.to_string()[..10].to_owned()}</td>
                            <td>{format!("{} of {}", i.installment, i.number_of_installments)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
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
