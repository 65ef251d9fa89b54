//! Every movement of a date window (kept in the URL), with the balances around them. The window
//! is read by core's own reader before it is asked for.

use crate::router::{use_navigate, use_query};
use creditdesk_core::wire::StatementView;
use leptos::prelude::*;

use crate::components::loading::Load;

use crate::api;
use crate::components::field::TextField;
use crate::format;
use crate::session::use_session;

#[component]
pub fn Statement(
    /// The account.
    account: String,
    /// Bumped when the account changed, to reload.
    version: RwSignal<u32>,
) -> impl IntoView {
    let session = use_session();
    let query = use_query();
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
        Load::new(move || {
            let (account, backend, (from, to)) = (account.clone(), session.backend(), window.get());
            version.track();
            async move {
                let query = window_query(&[("dateFrom".into(), from), ("dateTo".into(), to)]);
                api::statement(&backend?, &account, &query).await
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
    let checked = Memo::new(move |_| creditdesk_core::ledger::window_from_query(&pairs()).err());
    let error = move |field: &'static str| {
        Signal::derive(move || {
            checked.with(|c| {
                c.as_ref()
                    .and_then(|e| e.for_field(field))
                    .map(str::to_owned)
            })
        })
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if checked.with_untracked(Option::is_none) {
            let query = window_query(&pairs());
            let separator = if query.is_empty() { "" } else { "?" };
            navigate(&format!(
                "/accounts/{}{separator}{query}",
                api::encode(&account)
            ));
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
    .into_any()
}

/// `dateFrom=…&dateTo=…` of the window's non-empty bounds.
fn window_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", api::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
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
                        <td>{e.origin.as_str()}</td>
                        <td>{e.kind.as_str()}</td>
                        <td class="num" class:negative=e.value.is_negative() data-value=e.value.to_string()>{format::money(e.value)}</td>
                        <td>{e.doneby.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
