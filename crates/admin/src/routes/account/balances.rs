//! The account's credit, each figure explained, with a bar of the share of the limit in use
//! (core's `UsageBand::percent`, the same count as the dashboard's usage bands).

use creditdesk_core::dashboard::UsageBand;
use creditdesk_core::wire::AccountView;
use leptos::prelude::*;

use crate::format;

/// Limit, tolerance, held, balance and available, each explained.
#[component]
pub fn Balances(
    /// The account with its balances.
    account: AccountView,
) -> impl IntoView {
    let used = UsageBand::percent(account.credit_limit, account.used());
    let bar = used.min(100);
    let money = format::money;
    let tolerance = format!("{} %", format::percent(account.tolerance));
    view! {
        <section class="card">
            <h2>"Credit"</h2>
            <div class="usage" role="img" aria-label=format!("{used}% of the limit is used")>
                <div class="usage-bar" style:width=format!("{bar}%")></div>
            </div>
            <p class="muted" id="balance-used">{format!("{used}% of the limit is used (holds and debt)")}</p>
            <dl class="balances">
                <div><dt>"Credit limit"</dt><dd id="balance-limit">{money(account.credit_limit)}</dd><p class="help">"What the store lends this buyer."</p></div>
                <div><dt>"Tolerance"</dt><dd>{tolerance}</dd><p class="help">"Extra above the limit, when the store allows it."</p></div>
                <div><dt>"Held"</dt><dd id="balance-held">{money(account.pre_authorized_credit)}</dd><p class="help">"Pre-authorized at checkout, not yet settled."</p></div>
                <div><dt>"Balance"</dt><dd id="balance-balance" class:negative=account.balance.is_negative()>{money(account.balance)}</dd><p class="help">"Credits minus debits: negative is what the buyer owes."</p></div>
                <div><dt>"Available"</dt><dd id="balance-available">{money(account.available_credit)}</dd><p class="help">"What a new purchase may use now."</p></div>
            </dl>
        </section>
    }
    .into_any()
}
