//! My Credits, the buyer's read-only pages (core's `buyer`): a small HTML page per answer — no
//! admin, no wasm — fast on a phone. `GET /my-credits/sign-in?token=` uses a one-time link
//! (`api::buyer_links`) and opens a session (an `HttpOnly` cookie scoped to `/my-credits`, its
//! token stored only as a hash); `GET /my-credits` shows the account — available credit, limit,
//! balance, open invoices with what is due and a Pay button where the invoice has a payment
//! link, paid and cancelled ones, the statement of a date window (`dateFrom`, `dateTo`);
//! `GET /my-credits/invoices/{id}` one invoice of that account (any other: 404). A session
//! sees its one account, and nothing while the store has `myCreditsEnabled` off. Money and
//! dates are written exactly and formatted in the buyer's locale by `format.js` (`Intl`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use creditdesk_core::buyer::{self, MyCredits};
use creditdesk_core::ids::InvoiceId;
use creditdesk_core::search::InvoiceFilter;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::InvoiceView;
use creditdesk_core::Money;

use crate::auth::{hash_token, random_token};
use crate::db::books::Reads;
use crate::db::buyers::BuyerSession;
use crate::db::StorageError;
use crate::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "creditdesk_buyer";
/// Most invoices a page lists per group (the newest; the statement has every entry).
pub const INVOICES_LISTED_MAX: usize = 500;

const CSS: &str = include_str!("my_credits/my-credits.css");
const SCRIPT: &str = include_str!("my_credits/format.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/sign-in", get(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/invoices/{invoice}", get(invoice))
        .route("/my-credits.css", get(|| async { asset(CSS, "text/css") }))
        .route(
            "/format.js",
            get(|| async { asset(SCRIPT, "text/javascript") }),
        )
}

fn asset(text: &'static str, media_type: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, media_type),
        (header::CACHE_CONTROL, "public, max-age=3600"),
    ];
    (headers, text).into_response()
}

/// Where buyers reach this server: the configured public URL, else the address the request was
/// sent to (`http://`, or `https://` behind a proxy that says so).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// Why a page cannot be shown, as the page that says so.
enum Refusal {
    /// No session, or it ended: the buyer asks the store for a new link (at the store's My
    /// Credits page, when it has one).
    SignedOut {
        store_page: Option<String>,
    },
    /// The store turned My Credits off.
    Disabled,
    NotFound,
    Storage(StorageError),
}

impl Refusal {
    /// [`Refusal::SignedOut`] under the store's `config`.
    fn signed_out(config: &StoreConfig) -> Refusal {
        Refusal::SignedOut {
            store_page: config.my_credits_link().map(str::to_owned),
        }
    }
}

impl From<StorageError> for Refusal {
    fn from(error: StorageError) -> Self {
        Refusal::Storage(error)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        const AGAIN: &str = "Sign-in links work once and for a short time. Open My Credits again \
                             from the store to get a new one.";
        let mut more = String::new();
        let (status, title, text) = match self {
            Refusal::SignedOut { store_page } => {
                if let Some(page) = store_page {
                    let page = escape(&page);
                    more = format!(
                        r#"<p><a class="pay" href="{page}">Open My Credits at the store</a></p>"#
                    );
                }
                (StatusCode::UNAUTHORIZED, "Your link has expired", AGAIN)
            }
            Refusal::Disabled => (
                StatusCode::CONFLICT,
                "My Credits is not available",
                "This store does not show credit accounts online at the moment.",
            ),
            Refusal::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such invoice on your account.",
            ),
            Refusal::Storage(error) => {
                tracing::error!(%error, "a My Credits page could not be read");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again in a moment",
                    "Your account could not be read just now.",
                )
            }
        };
        let body = format!("<h1>{title}</h1><p>{text}</p>{more}");
        (status, private(), Html(document(title, &body))).into_response()
    }
}

/// Headers of every buyer page: never cached, never indexed.
fn private() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::HeaderName::from_static("x-robots-tag"), "noindex"),
    ]
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The store policy, while it keeps My Credits on.
async fn enabled(state: &AppState) -> Result<StoreConfig, Refusal> {
    let (config, _) = state.db.store_config().await?;
    if !config.my_credits_enabled() {
        return Err(Refusal::Disabled);
    }
    Ok(config)
}

/// The live session of this request, while the store keeps My Credits on; and the policy.
async fn session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(BuyerSession, StoreConfig), Refusal> {
    let config = enabled(state).await?;
    let token = cookie_token(headers).ok_or_else(|| Refusal::signed_out(&config))?;
    let session = state
        .db
        .buyer_session(&hash_token(&token), state.now())
        .await?
        .ok_or_else(|| Refusal::signed_out(&config))?;
    Ok((session, config))
}

#[derive(serde::Deserialize)]
struct SignIn {
    #[serde(default)]
    token: String,
}

/// Uses the link and opens the session, then shows the account (the token leaves the URL).
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(link): Query<SignIn>,
) -> Result<Response, Refusal> {
    let config = enabled(&state).await?;
    let now = state.now();
    let session = random_token();
    let opened = state
        .db
        .use_buyer_link(
            &hash_token(&link.token),
            &hash_token(&session),
            now,
            buyer::session_expires_at(now),
        )
        .await?
        .ok_or_else(|| Refusal::signed_out(&config))?;
    let secure = if public_base(&state, &headers).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let seconds = opened
        .expires_at
        .unix_micros()
        .saturating_sub(now.unix_micros())
        / 1_000_000;
    let cookie = format!(
        "{COOKIE}={session}; Path=/my-credits; HttpOnly; SameSite=Lax; Max-Age={seconds}{secure}"
    );
    let mut response = Redirect::to("/my-credits").into_response();
    let value = HeaderValue::from_str(&cookie).expect("the cookie is ASCII");
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Refusal> {
    if let Some(token) = cookie_token(&headers) {
        state.db.end_buyer_session(&hash_token(&token)).await?;
    }
    let mut response = Redirect::to("/my-credits").into_response();
    let expired = format!("{COOKIE}=; Path=/my-credits; HttpOnly; SameSite=Lax; Max-Age=0");
    let value = HeaderValue::from_str(&expired).expect("ASCII");
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}

/// The account's book as the buyer's page needs it: holders and entries from the book, every
/// invoice (newest last) from the invoice search of the account.
async fn read(
    state: &AppState,
    session: &BuyerSession,
    config: &StoreConfig,
) -> Result<creditdesk_core::book::Book, Refusal> {
    let now = state.now();
    let reads = Reads::of(&[
        creditdesk_core::reads::Read::Holders,
        creditdesk_core::reads::Read::Entries,
    ]);
    let mut book = state
        .db
        .read_book(&session.account, &reads, now)
        .await?
        .ok_or_else(|| Refusal::signed_out(config))?;
    // The session's email may have stopped being the account's (a holder removed).
    if !buyer::sees_account(&book, &session.email) {
        return Err(Refusal::signed_out(config));
    }
    let filter = InvoiceFilter {
        account: Some(session.account.clone()),
        ..InvoiceFilter::default()
    };
    let mut invoices = Vec::new();
    let mut after = None;
    loop {
        let batch = state
            .db
            .invoices_after(&filter, after.as_ref(), 1000)
            .await?;
        let full = batch.len() == 1000;
        after = batch.last().map(crate::db::search::invoice_cursor);
        invoices.extend(batch);
        if !full {
            break;
        }
    }
    book.invoices = invoices;
    Ok(book)
}

#[derive(serde::Deserialize)]
struct Window {
    #[serde(rename = "dateFrom", default)]
    date_from: String,
    #[serde(rename = "dateTo", default)]
    date_to: String,
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(window): Query<Window>,
) -> Result<Response, Refusal> {
    let (session, config) = session(&state, &headers).await?;
    let book = read(&state, &session, &config).await?;
    let actor = buyer_actor();
    let ctx = buyer_ctx(state.now(), &actor, &config);
    // A date the buyer typed that does not read is left out (the whole history shows).
    let from = window.date_from.parse().ok();
    let to = creditdesk_core::Timestamp::parse_upper_bound(&window.date_to).ok();
    let view = MyCredits::of(&book, &ctx, from, to);
    let body = account_page(&view, &session.email, &window, config.currency().as_str());
    Ok((private(), Html(document("My Credits", &body))).into_response())
}

async fn invoice(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    let (session, config) = session(&state, &headers).await?;
    let id: InvoiceId = id.parse().map_err(|_| Refusal::NotFound)?;
    let now = state.now();
    let book = state
        .db
        .read_book(&session.account, &Reads::invoice(&id), now)
        .await?
        .ok_or_else(|| Refusal::signed_out(&config))?;
    let found = book
        .invoices
        .iter()
        .find(|i| i.id == id && i.account_id == session.account)
        .ok_or(Refusal::NotFound)?;
    let actor = buyer_actor();
    let view = InvoiceView::of(found, &buyer_ctx(now, &actor, &config));
    let currency = config.currency().as_str();
    let body = format!(
        "<p><a href=\"/my-credits\">← My Credits</a></p><h1>Invoice {}</h1>{}",
        escape(&view.friendly_id),
        invoice_table(std::slice::from_ref(&view), currency, Columns::Open)
    );
    Ok((private(), Html(document("Invoice", &body))).into_response())
}

/// Who reads a buyer page (pages change nothing: the actor is never written).
fn buyer_actor() -> creditdesk_core::ids::Actor {
    "buyer".parse().expect("a valid actor")
}

fn buyer_ctx<'a>(
    now: creditdesk_core::Timestamp,
    actor: &'a creditdesk_core::ids::Actor,
    config: &'a StoreConfig,
) -> creditdesk_core::book::Ctx<'a> {
    creditdesk_core::book::Ctx { now, actor, config }
}

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{}</title>\
         <link rel=\"stylesheet\" href=\"/my-credits/my-credits.css\">\
         <script src=\"/my-credits/format.js\" defer></script></head>\
         <body><main>{body}</main></body></html>",
        escape(title)
    )
}

/// An amount, exact, for `format.js` to write in the buyer's locale.
fn money(amount: Money, currency: &str) -> String {
    format!(
        "<data class=\"money\" value=\"{amount}\" data-currency=\"{}\">{amount}</data>",
        escape(currency)
    )
}

/// A day, exact (UTC), for `format.js` to write in the buyer's locale.
fn day(at: creditdesk_core::Timestamp) -> String {
    let text = at.to_string();
    let date = text.get(..10).unwrap_or(&text);
    format!("<time class=\"day\" datetime=\"{text}\">{date}</time>")
}

/// Which columns an invoice table has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Columns {
    Open,
    Resolved,
}

fn invoice_table(invoices: &[InvoiceView], currency: &str, columns: Columns) -> String {
    let mut rows = String::new();
    for invoice in invoices.iter().take(INVOICES_LISTED_MAX) {
        let link = format!(
            "<a href=\"/my-credits/invoices/{}\">{}</a>",
            escape(&invoice.id),
            escape(&invoice.friendly_id)
        );
        let row = match columns {
            Columns::Open => {
                let pay = match &invoice.payment_link {
                    Some(url) => format!(
                        "<a class=\"pay\" href=\"{}\" rel=\"noopener noreferrer\">Pay</a>",
                        escape(url)
                    ),
                    None => String::new(),
                };
                format!(
                    "<tr data-invoice=\"{}\"><td>{link}</td><td>{}</td><td>{}</td><td>{}</td><td>{pay}</td></tr>",
                    escape(&invoice.id),
                    day(invoice.due_date),
                    money(invoice.value, currency),
                    money(invoice.amount_due, currency),
                )
            }
            Columns::Resolved => format!(
                "<tr data-invoice=\"{}\"><td>{link}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&invoice.id),
                invoice.resolved_at.map(day).unwrap_or_default(),
                money(invoice.value, currency),
                money(invoice.paid_value, currency),
            ),
        };
        rows.push_str(&row);
    }
    let head = match columns {
        Columns::Open => "<th>Invoice</th><th>Due</th><th>Value</th><th>Amount due</th><th></th>",
        Columns::Resolved => "<th>Invoice</th><th>Closed</th><th>Value</th><th>Paid</th>",
    };
    format!("<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
}

fn section(
    id: &str,
    title: &str,
    invoices: &[InvoiceView],
    currency: &str,
    columns: Columns,
) -> String {
    let content = if invoices.is_empty() {
        "<p class=\"muted\">None.</p>".to_owned()
    } else {
        invoice_table(invoices, currency, columns)
    };
    format!("<section id=\"{id}\"><h2>{title}</h2>{content}</section>")
}

fn account_page(view: &MyCredits, email: &str, window: &Window, currency: &str) -> String {
    let account = &view.account;
    let mut statement = String::new();
    for entry in &view.statement.statements {
        statement.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            day(entry.date),
            escape(entry.kind.as_str()),
            money(entry.value, currency)
        ));
    }
    format!(
        "<header><p class=\"muted\">Signed in as {email}</p><h1>My Credits</h1>\
         <form method=\"post\" action=\"/my-credits/sign-out\"><button>Sign out</button></form></header>\
         <section id=\"balances\" class=\"tiles\">\
         <div><span>Available credit</span><strong id=\"available\">{available}</strong></div>\
         <div><span>Credit limit</span><strong id=\"limit\">{limit}</strong></div>\
         <div><span>Balance</span><strong id=\"balance\">{balance}</strong></div></section>\
         {open}{paid}{cancelled}\
         <section id=\"statement\"><h2>Statement</h2>\
         <form method=\"get\" action=\"/my-credits\"><label>From <input type=\"date\" name=\"dateFrom\" value=\"{from}\"></label>\
         <label>To <input type=\"date\" name=\"dateTo\" value=\"{to}\"></label><button>Show</button></form>\
         <p>Balance before: {previous} · after: {current}</p>\
         <table><thead><tr><th>Date</th><th>What</th><th>Amount</th></tr></thead><tbody>{statement}</tbody></table></section>",
        email = escape(email),
        available = money(account.available_credit, currency),
        limit = money(account.credit_limit, currency),
        balance = money(account.balance, currency),
        open = section("open-invoices", "Open invoices", &view.open, currency, Columns::Open),
        paid = section("paid-invoices", "Paid", &view.paid, currency, Columns::Resolved),
        cancelled = section("cancelled-invoices", "Cancelled", &view.cancelled, currency, Columns::Resolved),
        from = escape(&window.date_from),
        to = escape(&window.date_to),
        previous = money(view.statement.previous_balance, currency),
        current = money(view.statement.current_balance, currency),
    )
}
