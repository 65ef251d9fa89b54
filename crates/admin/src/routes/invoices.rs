//! The Invoices screen: every filter of the search endpoint (in the URL), the summary of the whole
//! filtered set, server-side pages, and the actions on each invoice.

use crate::router::A;
use crate::router::{use_navigate, use_query};
use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::search::{InvoiceFilter, INVOICE_PARAMETERS};
use leptos::prelude::*;

use crate::api::{self, encode};
use crate::components::csv_download::CsvDownload;
use crate::components::field::TextField;
use crate::components::invoice_table::InvoiceTable;
use crate::components::layout::PageHeader;
use crate::components::loading::{loading, Load};
use crate::components::notice::Toast;
use crate::format;
use crate::session::use_session;

/// The search's filters, as the API names them: core's parameters but the page (`from`, `to`).
pub fn filters() -> impl Iterator<Item = &'static str> {
    INVOICE_PARAMETERS
        .into_iter()
        .filter(|p| !matches!(*p, "from" | "to"))
}

/// Page sizes offered (the API allows up to 1000 per page).
pub const PAGE_SIZES: [u32; 4] = [20, 50, 100, 1000];

/// What the screen shows, as it lives in the URL (`/invoices?status=Opened&page=2&size=50`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceQuery {
    /// Non-empty filters, in [`filters`] order.
    pub filters: Vec<(String, String)>,
    /// 1-based.
    pub page: u32,
    /// One of [`PAGE_SIZES`].
    pub size: u32,
}

impl Default for InvoiceQuery {
    fn default() -> Self {
        InvoiceQuery {
            filters: Vec::new(),
            page: 1,
            size: PAGE_SIZES[0],
        }
    }
}

impl InvoiceQuery {
    /// From URL parameters (unknown ones are dropped; bad page or size fall back).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> InvoiceQuery {
        let filters = filters()
            .filter_map(|key| {
                get(key)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .map(|v| (key.to_owned(), v))
            })
            .collect();
        let page = get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        let size = get("size")
            .and_then(|s| s.parse().ok())
            .filter(|s| PAGE_SIZES.contains(s))
            .unwrap_or(PAGE_SIZES[0]);
        InvoiceQuery {
            filters,
            page,
            size,
        }
    }

    /// The value of one filter (`""` when not set).
    pub fn get(&self, key: &str) -> String {
        self.filters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The admin URL showing this query.
    pub fn to_url(&self) -> String {
        let mut parts: Vec<String> = self
            .filters
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.size != PAGE_SIZES[0] {
            parts.push(format!("size={}", self.size));
        }
        if parts.is_empty() {
            "/invoices".to_owned()
        } else {
            format!("/invoices?{}", parts.join("&"))
        }
    }

    /// The API's parameters for this page (`from`/`to` are 1-based and inclusive).
    pub fn api_pairs(&self) -> Vec<(String, String)> {
        let from = (self.page - 1).saturating_mul(self.size).saturating_add(1);
        let mut pairs = vec![
            ("from".to_owned(), from.to_string()),
            ("to".to_owned(), (from + self.size - 1).to_string()),
        ];
        pairs.extend(self.filters.iter().cloned());
        pairs
    }

    pub fn api_query(&self) -> String {
        self.api_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn with_page(&self, page: u32) -> InvoiceQuery {
        InvoiceQuery {
            page,
            ..self.clone()
        }
    }

    /// How many pages `count` matches make.
    pub fn pages(&self, count: u64) -> u64 {
        count.div_ceil(u64::from(self.size)).max(1)
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let session = use_session();
    let params = use_query();
    let query = Memo::new(move |_| params.with(|p| InvoiceQuery::from_params(|k| p.get(k))));
    let results = Load::new(move || {
        let (query, backend) = (query.get(), session.backend());
        async move {
            let backend = backend?;
            // The rule the server applies, checked here first: a bad filter never leaves the page.
            InvoiceFilter::from_query(&query.api_pairs())?;
            api::search_invoices(&backend, &query.api_query()).await
        }
    });
    let config = Load::new(move || {
        let backend = session.backend();
        async move { api::store_config(&backend?).await }
    });
    // The table shows postponement limits once the store configuration is loaded.
    let config = Signal::derive(move || config.get().and_then(Result::ok));
    let toast = RwSignal::new(None::<String>);
    let reload = Callback::new(move |message: String| {
        toast.set(Some(message));
        results.refetch();
    });
    view! {
        <Toast message=toast/>
        <PageHeader title="Invoices" lead="Every invoice of the store: filter, add up, and act on them."/>
        <InvoiceSearch query/>
        <CsvDownload id="invoices-csv" file_name="invoices.csv"
            path=Signal::derive(move || format!("/api/creditdesk/exports/invoices.csv?{}", query.get().api_query()))/>
        {loading("Searching invoices…", move || results.get().map(|r| r.map(|list| {
                    let query = query.get_untracked();
                    let pages = query.pages(list.summary.count);
                    let s = list.summary;
                    view! {
                        <section class="card table-card">
                            <p class="summary" id="invoice-summary">
                                <strong>{format!("{} invoices", s.count)}</strong>
                                {format!(" · open {} · paid {} · cancelled {}", format::money(s.total), format::money(s.total_paid), format::money(s.total_cancelled))}
                            </p>
                            <InvoiceTable invoices=list.data show_account=true config on_done=reload/>
                            <Pager query pages/>
                        </section>
                    }
                    .into_any()
                })))}
    }
}

/// Previous / next and the page size; each a link, so the back button walks pages.
#[component]
fn Pager(
    /// The query shown.
    query: InvoiceQuery,
    /// How many pages the matches make.
    pages: u64,
) -> impl IntoView {
    let page = u64::from(query.page);
    let previous = (page > 1).then(|| query.with_page(query.page - 1).to_url());
    let next = (page < pages).then(|| query.with_page(query.page + 1).to_url());
    let sizes = PAGE_SIZES.map(|size| {
        let url = InvoiceQuery {
            size,
            page: 1,
            ..query.clone()
        }
        .to_url();
        (size, url, size == query.size)
    });
    view! {
        <nav class="pager" aria-label="Pages">
            <span>{previous.map(|url| view! { <A href=url rel="prev">"← Previous"</A> })}</span>
            <span class="muted" id="invoice-page">{format!("Page {page} of {pages}")}</span>
            <span class="sizes">"Per page: "
                {sizes.into_iter().map(|(size, url, current)| if current {
                    view! { <strong>{size}</strong> }.into_any()
                } else {
                    view! { <A href=url>{size}</A> }.into_any()
                }).collect_view()}
            </span>
            <span>{next.map(|url| view! { <A href=url rel="next">"Next →"</A> })}</span>
        </nav>
    }
}

/// Every filter of the search; searching puts them in the URL. Each field shows core's message.
#[component]
fn InvoiceSearch(
    /// The query shown now.
    query: Memo<InvoiceQuery>,
) -> impl IntoView {
    let navigate = use_navigate();
    let current = query.get_untracked();
    let field = |key: &str| RwSignal::new(current.get(key));
    let text_fields: Vec<(&'static str, &'static str, RwSignal<String>)> = vec![
        ("createdDateFrom", "Created from", field("createdDateFrom")),
        ("createdDateTo", "Created to", field("createdDateTo")),
        ("dueDateFrom", "Due from", field("dueDateFrom")),
        ("dueDateTo", "Due to", field("dueDateTo")),
        ("value", "Value", field("value")),
        ("friendlyId", "Friendly id", field("friendlyId")),
        ("observation", "Observation contains", field("observation")),
        ("creditAccountId", "Account", field("creditAccountId")),
    ];
    let statuses = InvoiceStatus::ALL.map(InvoiceStatus::as_str).map(|s| {
        let on = current.get("status").split(',').any(|p| p.trim() == s);
        (s, RwSignal::new(on))
    });
    let any = RwSignal::new(current.get("op") == "or");
    let next_query = {
        let text_fields = text_fields.clone();
        move || {
            let mut pairs: Vec<(String, String)> = text_fields
                .iter()
                .map(|(k, _, v)| ((*k).to_owned(), v.get().trim().to_owned()))
                .collect();
            let status: Vec<&str> = statuses
                .iter()
                .filter(|(_, on)| on.get())
                .map(|(s, _)| *s)
                .collect();
            pairs.push(("status".to_owned(), status.join(",")));
            pairs.push((
                "op".to_owned(),
                if any.get() {
                    "or".to_owned()
                } else {
                    String::new()
                },
            ));
            let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            InvoiceQuery {
                page: 1,
                size: query.get_untracked().size,
                ..InvoiceQuery::from_params(get)
            }
        }
    };
    let checked = {
        let next_query = next_query.clone();
        Memo::new(move |_| InvoiceFilter::from_query(&next_query().api_pairs()).err())
    };
    let error = move |key: &'static str| {
        Signal::derive(move || {
            checked.with(|e| {
                e.as_ref()
                    .and_then(|e| e.iter().find(|f| f.field == key).map(|f| f.message.clone()))
            })
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if checked.with_untracked(Option::is_none) {
            navigate(&next_query().to_url());
        }
    };
    let help = |key: &str| match key {
        "createdDateFrom" | "createdDateTo" | "dueDateFrom" | "dueDateTo" => {
            "YYYY-MM-DD (the whole day), or a full ISO 8601 instant."
        }
        "value" => "The exact value, e.g. 33.34.",
        "creditAccountId" => "An account id, e.g. 12345678900_CPF.",
        _ => "",
    };
    view! {
        <form class="card invoice-filters" role="search" on:submit=submit>
            <div class="filter-grid">
                {text_fields.into_iter().map(|(key, label, value)| view! {
                    <TextField id=format!("filter-{key}") label=label.into() value error=error(key) help=help(key).to_owned()/>
                }).collect_view()}
            </div>
            <fieldset class="statuses">
                <legend>"Status"</legend>
                {statuses.into_iter().map(|(status, on)| view! {
                    <label class="check"><input type="checkbox" id=format!("filter-status-{status}") bind:checked=on/>{status}</label>
                }).collect_view()}
                <p class="error-text" role="alert">{move || error("status").get()}</p>
            </fieldset>
            <label class="check"><input type="checkbox" id="filter-any" bind:checked=any/>"Match any filter (or) instead of all (and)"</label>
            <div class="form-actions">
                <button type="submit" id="invoice-search">"Search"</button>
                <A href="/invoices">"Clear"</A>
            </div>
        </form>
    }
}
