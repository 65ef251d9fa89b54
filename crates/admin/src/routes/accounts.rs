//! The Accounts screen: search (in the URL), pages, and opening an account.

use crate::router::A;
use crate::router::{use_navigate, use_query};
use creditdesk_core::account::AccountStatus;
use creditdesk_core::commands::OpenAccount;
use creditdesk_core::wire::AccountList;
use leptos::prelude::*;
use serde_json::json;

use crate::api::{self, encode, Method};
use crate::components::csv_download::CsvDownload;
use crate::components::field::TextField;
use crate::components::form::{use_form, FormSpec};
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::session::use_session;

/// What the list shows, as it lives in the URL (`/accounts?email=…&status=Open&page=2`), so a
/// search can be shared and the back button works.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountQuery {
    pub email: String,
    /// Any status when `None`.
    pub status: Option<AccountStatus>,
    /// 1-based.
    pub page: u32,
}

impl AccountQuery {
    pub const PAGE_SIZE: u32 = 20;

    /// From URL parameters (missing or bad ones fall back to the defaults).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> AccountQuery {
        let status = get("status").and_then(|s| s.parse().ok());
        let page = get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        AccountQuery {
            email: get("email").unwrap_or_default(),
            status,
            page,
        }
    }

    /// The admin URL showing this query.
    pub fn to_url(&self) -> String {
        let mut parts = Vec::new();
        if !self.email.is_empty() {
            parts.push(format!("email={}", encode(&self.email)));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={}", status.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/accounts".to_owned()
        } else {
            format!("/accounts?{}", parts.join("&"))
        }
    }

    /// The API query of this page.
    pub fn api_query(&self) -> String {
        let from = (self.page - 1) * Self::PAGE_SIZE + 1;
        let mut query = format!("from={from}&to={}", from + Self::PAGE_SIZE - 1);
        if !self.email.is_empty() {
            query.push_str(&format!("&email={}", encode(&self.email)));
        }
        if let Some(status) = self.status {
            query.push_str(&format!("&status={}", status.as_str()));
        }
        query
    }

    fn with_page(&self, page: u32) -> AccountQuery {
        AccountQuery {
            page,
            ..self.clone()
        }
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let session = use_session();
    let params = use_query();
    let query = Memo::new(move |_| params.with(|p| AccountQuery::from_params(|k| p.get(k))));
    let accounts = Load::new(move || {
        let (query, backend) = (query.get(), session.backend());
        async move {
            let backend = backend?;
            api::accounts(&backend, &query.api_query()).await
        }
    });
    view! {
        <PageHeader title="Accounts" lead="Buyers who may pay on account: their limits, balances and what they can still spend."/>
        <div class="two-columns">
            <div>
                <AccountSearch query/>
                <CsvDownload id="accounts-csv" file_name="accounts.csv"
                    path=Signal::derive(move || format!("/api/creditdesk/exports/accounts.csv?{}", query.get().api_query()))/>
                {loading("Loading accounts…", move || {
                    accounts.get().map(|r| r.map(|list| view! { <AccountsTable list query=query.get_untracked()/> }.into_any()))
                })}
            </div>
            <OpenAccountForm/>
        </div>
    }
}

/// Email and status filters; searching puts them in the URL.
#[component]
fn AccountSearch(
    /// The query shown now.
    query: Memo<AccountQuery>,
) -> impl IntoView {
    let navigate = use_navigate();
    let email = RwSignal::new(query.get_untracked().email);
    let status = RwSignal::new(query.get_untracked().status);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let next = AccountQuery {
            email: email.get_untracked().trim().to_owned(),
            status: status.get_untracked(),
            page: 1,
        };
        navigate(&next.to_url());
    };
    view! {
        <form class="card filters" role="search" on:submit=submit>
            <div class="field">
                <label for="search-email">"Email"</label>
                <input id="search-email" type="search" placeholder="buyer@example.com" bind:value=email/>
            </div>
            <div class="field">
                <label for="search-status">"Status"</label>
                <select id="search-status" prop:value=move || status.get().map(AccountStatus::as_str).unwrap_or_default()
                    on:change=move |ev| status.set(event_target_value(&ev).parse().ok())>
                    <option value="">"Any"</option>
                    {[AccountStatus::Open, AccountStatus::Closed].map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> })}
                </select>
            </div>
            <button type="submit" class="secondary">"Search"</button>
        </form>
    }
}

/// One page of accounts, with links to the previous and next pages.
#[component]
fn AccountsTable(
    /// The page loaded.
    list: AccountList,
    /// The query it answers (for the page links).
    query: AccountQuery,
) -> impl IntoView {
    let total = list.summary.count;
    let pages = total.div_ceil(u64::from(AccountQuery::PAGE_SIZE)).max(1);
    let previous = (query.page > 1).then(|| query.with_page(query.page - 1).to_url());
    let next = (u64::from(query.page) < pages).then(|| query.with_page(query.page + 1).to_url());
    if list.data.is_empty() {
        return view! {
            <div class="card empty">
                <p class="empty-title">"No accounts found"</p>
                <p class="muted">"Open one with the form, or change the search."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="card table-card">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Limit"</th>
                        <th scope="col" class="num">"Balance"</th>
                        <th scope="col" class="num">"Available"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.data.into_iter().map(|a| view! {
                        <tr>
                            <td><A href=format!("/accounts/{}", encode(&a.id))>{a.id.clone()}</A></td>
                            <td>{a.email.clone()}</td>
                            <td><span class=format!("badge badge-{}", a.status.as_str().to_lowercase())>{a.status.as_str()}</span></td>
                            <td class="num">{crate::format::money(a.credit_limit)}</td>
                            <td class="num" class:negative=a.balance.is_negative()>{crate::format::money(a.balance)}</td>
                            <td class="num">{crate::format::money(a.available_credit)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <nav class="pager" aria-label="Pages">
                {previous.map(|href| view! { <A href=href>"← Previous"</A> })}
                <span class="muted" id="accounts-count">{format!("Page {} of {pages} · {total} accounts", query.page)}</span>
                {next.map(|href| view! { <A href=href>"Next →"</A> })}
            </nav>
        </div>
    }
    .into_any()
}

/// Opening an account: every field checked by core as it is typed (the server's own rules);
/// once open, its page.
#[component]
pub fn OpenAccountForm() -> impl IntoView {
    let navigate = use_navigate();
    let document = RwSignal::new(String::new());
    let document_type = RwSignal::new("CPF".to_owned());
    let email = RwSignal::new(String::new());
    let credit_limit = RwSignal::new(String::new());
    let tolerance = RwSignal::new("0".to_owned());
    let body = move || {
        json!({
            "document": document.get(), "documentType": document_type.get(), "email": email.get(),
            "creditLimit": credit_limit.get(), "tolerance": tolerance.get(),
        })
    };
    let go = Callback::new(move |account: serde_json::Value| {
        let id = account["id"].as_str().unwrap_or_default();
        navigate(&format!("/accounts/{}", encode(id)));
    });
    let form = use_form(
        FormSpec::new(
            Method::Post,
            "/api/creditcontrol/accounts".to_owned(),
            body,
            |body| OpenAccount::from_json(body).map(|_| ()),
            |_| "Account opened.".to_owned(),
        )
        .then(go),
        Callback::new(|_| {}),
    );
    let error = move |field: &'static str| form.error(field);
    view! {
        <form class="card open-account" on:submit=form.on_submit() novalidate>
            <h2>"Open an account"</h2>
            <div class="field">
                <label for="documentType">"Document type"</label>
                <select id="documentType" prop:value=move || document_type.get() on:change=move |ev| document_type.set(event_target_value(&ev))>
                    <option value="CPF">"CPF"</option>
                    <option value="CNPJ">"CNPJ"</option>
                    <option value="Other">"Other"</option>
                </select>
            </div>
            <TextField id="document".into() label="Document".into() value=document error=error("document")/>
            <TextField id="email".into() label="Email".into() value=email error=error("email")/>
            <TextField id="creditLimit".into() label="Credit limit".into() value=credit_limit error=error("creditLimit") inputmode="decimal"/>
            <TextField id="tolerance".into() label="Tolerance".into() help="Extra credit above the limit, as a fraction (0.1 = 10 %)." value=tolerance error=error("tolerance") inputmode="decimal"/>
            <p class="error-text" id="open-account-error" role="alert">{move || form.general().get()}</p>
            <button id="open-account" type="submit" class="primary" disabled=move || form.pending().get()>"Open account"</button>
        </form>
    }
    .into_any()
}
