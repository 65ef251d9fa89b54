//! One account: its balances explained, limit and tolerance, details, a manual debit, holds
//! (create, change, cancel, settle with a preview of the invoices, refund), invoices, payments
//! and credits, the company credit (its terms, balance operations and typed history), holders,
//! the statement, close and reopen. One file per panel.

mod balances;
mod change;
mod company;
mod debit;
mod details;
mod holders;
mod holds;
mod statement;
mod status;

use crate::router::{use_page, Page};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::{AccountView, HolderList, InvoiceList, TransactionList};
use leptos::prelude::*;

use crate::api::{self, AdminError};
use crate::components::credits::AccountCredits;
use crate::components::invoice_table::InvoiceTable;
use crate::components::loading::{loading, Load};
use crate::components::notice::Toast;
use crate::format;
use crate::session::use_session;

pub use balances::Balances;
pub use holds::{NewHold, SettleHold};

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
    let page = use_page();
    let id = Memo::new(move |_| match page.get() {
        Page::Account(id) => id,
        _ => String::new(),
    });
    let data = Load::new(move || {
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
        {loading("Loading the account…", move || {
            data.get().map(|r| r.map(|d| view! { <AccountPanels d version reload/> }.into_any()))
        })}
    }
}

/// The panels of a loaded account, top to bottom.
#[component]
fn AccountPanels(
    /// What was loaded.
    d: AccountData,
    /// Bumped on every change (the statement reloads).
    version: RwSignal<u32>,
    /// Called with a confirmation after every change: shows it and reloads.
    reload: Callback<String>,
) -> impl IntoView {
    let id = d.account.id.clone();
    let summary = &d.invoices.summary;
    let invoice_summary = format!(
        "{} invoices · open {} · paid {} · cancelled {}",
        summary.count,
        format::money(summary.total),
        format::money(summary.total_paid),
        format::money(summary.total_cancelled)
    );
    view! {
        <div class="page-header with-actions">
            <div>
                <h1>{id.clone()}</h1>
                <p class="lead">{format!("{} · {}", d.account.email, d.account.status.as_str())}</p>
            </div>
            <status::CloseOrReopen account=d.account.clone() on_done=reload/>
        </div>
        <balances::Balances account=d.account.clone()/>
        <div class="grid-2">
            <change::ChangeForm account=id.clone() what=change::Changed::CreditLimit
                current=d.account.credit_limit.to_string() on_done=reload/>
            <change::ChangeForm account=id.clone() what=change::Changed::Tolerance
                current=d.account.tolerance.to_string() on_done=reload/>
        </div>
        <div class="grid-2">
            <details::DetailsForm account=d.account.clone() on_done=reload/>
            <debit::DebitForm account=id.clone() on_done=reload/>
        </div>
        <holds::Holds account=id.clone() list=d.transactions config=d.config.clone() on_done=reload/>
        <section class="card table-card">
            <h2>"Invoices"</h2>
            <p class="muted" id="account-invoice-summary">{invoice_summary}</p>
            <InvoiceTable invoices=d.invoices.data config=Some(d.config) on_done=reload/>
        </section>
        <AccountCredits account=id.clone() version on_done=reload/>
        <company::CompanyCredit credit=d.account.credit_id version on_done=reload/>
        <holders::Holders account=id.clone() list=d.holders on_done=reload/>
        <statement::Statement account=id version/>
    }
    .into_any()
}
