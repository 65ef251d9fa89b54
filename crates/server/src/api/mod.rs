//! The HTTP API: the Customer Credit API under `/api/creditcontrol/`, and Creditdesk's own
//! extensions under `/api/creditdesk/`.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::auth::Resource;
use crate::error::ApiError;
use crate::AppState;

pub mod accounts;
pub mod billing;
pub mod books;
pub mod buyer_links;
pub mod company;
pub mod context;
pub mod credits;
pub mod dashboard;
pub mod exports;
pub mod imports;
pub mod invoices;
pub mod keys;
pub mod me;
pub mod openapi;
pub mod statements;
pub mod store_config;
pub mod transactions;
pub mod unknown_fields;
pub mod webhooks;

/// What the OpenAPI document says of a route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    pub method: &'static str,
    /// Path under `/api`, axum syntax (`{id}`).
    pub path: &'static str,
    pub summary: &'static str,
    /// The resource a key needs (`None`: any valid key; `Some(MainAccess)`: Main Access only).
    pub resource: Option<Resource>,
    /// Component schema of the JSON body, if any.
    pub request: Option<&'static str>,
    /// Component schema of the 200 answer (`None`: an empty 200).
    pub response: Option<&'static str>,
    /// Query parameters.
    pub query: &'static [&'static str],
}

/// Declares every API route once: registered on the router and listed in [`ROUTES`] for the
/// OpenAPI document (a test fails if the two disagree).
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:path {
        $summary:literal, $resource:expr, $request:expr, $response:expr, $query:expr
    })*) => {
        /// Every route of the API.
        pub const ROUTES: &[RouteDoc] = &[$(RouteDoc {
            method: stringify!($method),
            path: $path,
            summary: $summary,
            resource: $resource,
            request: $request,
            response: $response,
            query: $query,
        }),*];

        fn add_routes(router: Router<AppState>) -> Router<AppState> {
            router $(.route($path, axum::routing::$method($handler)))*
        }
    };
}

/// A body of CSV — the 200 answer of an export, the request of an import — (see
/// `core::export`, `core::import`), not a JSON schema.
pub const CSV: &str = "text/csv";

const INVOICE_QUERY: &[&str] = &creditdesk_core::search::INVOICE_PARAMETERS;
const CREDIT_QUERY: &[&str] = creditdesk_core::search::CREDIT_PARAMETERS;
const INVOICE_CREDIT_QUERY: &[&str] = creditdesk_core::search::INVOICE_CREDIT_PARAMETERS;

api_routes! {
    get "/creditcontrol/invoices" => invoices::search {
        "Search all invoices", Some(Resource::ReadInvoices), None, Some("InvoiceList"), INVOICE_QUERY }
    get "/creditcontrol/accounts/{id}/invoices/{invoice}" => invoices::get {
        "Retrieve invoice by ID", Some(Resource::ReadInvoices), None, Some("Invoice"), &[] }
    put "/creditcontrol/accounts/{id}/invoices/{invoice}" => invoices::change {
        "Change invoice", Some(Resource::CreateInvoices), Some("ChangeInvoice"), None, &[] }
    delete "/creditcontrol/accounts/{id}/invoices/{invoice}" => invoices::cancel {
        "Cancel invoice", Some(Resource::CreateInvoices), None, None, &[] }
    get "/creditcontrol/accounts/{id}/invoices" => invoices::of_account {
        "Retrieve invoices by Customer Credit account ID", Some(Resource::ReadInvoices), None, Some("InvoiceList"), INVOICE_QUERY }
    post "/creditcontrol/accounts/{id}/invoices/{invoice}/payments" => invoices::pay {
        "Mark an invoice as paid (no body), or pay part of it ({value, reference?})", Some(Resource::PayInvoice), Some("Payment"), Some("Invoice"), &[] }
    post "/creditdesk/accounts/{id}/invoices/{invoice}/write-off" => invoices::write_off {
        "Write off what is left of an open invoice", Some(Resource::PayInvoice), Some("CreditReason"), Some("Invoice"), &[] }
    get "/creditdesk/accounts/{id}/invoices/{invoice}/credits" => credits::of_invoice {
        "The credits (payments, write-offs) of an invoice", Some(Resource::ReadInvoices), None, Some("CreditList"), &[] }
    post "/creditdesk/credits/{locator}/reversal" => credits::reverse {
        "Reverse a credit, once", Some(Resource::PayInvoice), Some("CreditReason"), Some("Credit"), &[] }
    get "/creditdesk/store" => billing::store {
        "The store's tenant locator (for the billing-credits API's paths) and currency", None, None, Some("Store"), &[] }
    get "/billing/{tenant}/credits/list" => billing::credits {
        "Fetch credits (the billing-credits API; also served at /billing/…)", Some(Resource::ReadInvoices), None, Some("CreditList"), CREDIT_QUERY }
    get "/billing/{tenant}/shortfallCredits/list" => billing::shortfalls {
        "Fetch multiple shortfall credits", Some(Resource::ReadInvoices), None, Some("CreditList"), CREDIT_QUERY }
    get "/billing/{tenant}/shortfallCredits/{locator}" => billing::shortfall {
        "Fetch a shortfall credit", Some(Resource::ReadInvoices), None, Some("Credit"), &[] }
    get "/billing/{tenant}/invoices/{invoice}/credits/list" => billing::of_invoice {
        "Fetch credits for an invoice (posted ones unless includeReversed=true)", Some(Resource::ReadInvoices), None, Some("CreditList"), INVOICE_CREDIT_QUERY }
    put "/creditcontrol/accounts/{id}/invoices/{invoice}/postponement" => invoices::postpone {
        "Postpone an invoice", Some(Resource::CreateInvoices), Some("Postponement"), None, &[] }
    get "/creditcontrol/accounts" => accounts::search {
        "Search all accounts", Some(Resource::ReadCheckingAccounts), None, Some("AccountList"), &creditdesk_core::search::ACCOUNT_PARAMETERS }
    post "/creditcontrol/accounts" => accounts::open {
        "Open an account", Some(Resource::CreateCheckingAccounts), Some("OpenAccount"), Some("Account"), &[] }
    get "/creditcontrol/accounts/{id}" => accounts::get {
        "Retrieve an account by ID", Some(Resource::ReadCheckingAccounts), None, Some("Account"), &[] }
    delete "/creditcontrol/accounts/{id}" => accounts::close {
        "Close an account", Some(Resource::CreateCheckingAccounts), None, Some("Account"), &[] }
    put "/creditcontrol/accounts/{id}" => accounts::upsert {
        "Update account information (creates it when missing)", Some(Resource::CreateCheckingAccounts), Some("UpsertAccount"), Some("Account"), &[] }
    get "/creditcontrol/accounts/{id}/statements" => statements::get {
        "Get account statements", Some(Resource::ReadStatements), None, Some("Statement"), &["dateFrom", "dateTo"] }
    get "/creditdesk/accounts/{id}/statements.csv" => exports::statement {
        "The statement as CSV, with the balance after each entry", Some(Resource::ReadStatements), None, Some(CSV), &["dateFrom", "dateTo"] }
    get "/creditdesk/exports/invoices.csv" => exports::invoices {
        "Every invoice the search selects, as CSV (streamed; the page parameters are ignored)", Some(Resource::ReadInvoices), None, Some(CSV), INVOICE_QUERY }
    get "/creditdesk/exports/accounts.csv" => exports::accounts {
        "Every account the search selects, as CSV (streamed; the page parameters are ignored)", Some(Resource::ReadCheckingAccounts), None, Some(CSV), &creditdesk_core::search::ACCOUNT_PARAMETERS }
    put "/creditcontrol/accounts/{id}/creditlimit" => accounts::credit_limit {
        "Change credit limit of an account", Some(Resource::EditCredits), Some("MoneyChange"), Some("Account"), &[] }
    put "/creditcontrol/accounts/{id}/statements/{statement}" => statements::debit {
        "Decrease balance of an account", Some(Resource::EditCredits), Some("Debit"), Some("Debit"), &[] }
    put "/creditcontrol/accounts/{id}/transactions/{transaction}/settlement" => transactions::settle {
        "Create or update settlement", Some(Resource::CreateStatements), Some("Value"), Some("Settlement"), &[] }
    post "/creditcontrol/accounts/{id}/transactions" => transactions::create {
        "Create a pre-authorization (dryRun=true: only say whether it would pass)", Some(Resource::CreateStatements), Some("CreateHold"), Some("Hold"), &["dryRun"] }
    post "/creditcontrol/accounts/{id}/transaction" => transactions::create {
        "Create a pre-authorization (the earlier reference's path, as POST …/transactions)", Some(Resource::CreateStatements), Some("CreateHold"), Some("Hold"), &["dryRun"] }
    put "/creditcontrol/accounts/{id}/transactions/{transaction}" => transactions::update {
        "Update a pre-authorization, or create it with this id when the account has none", Some(Resource::CreateStatements), Some("UpdateHold"), Some("HoldUpdated"), &[] }
    delete "/creditcontrol/accounts/{id}/transactions/{transaction}" => transactions::cancel {
        "Cancel a pre-authorization", Some(Resource::CreateStatements), None, None, &[] }
    post "/creditcontrol/accounts/{id}/holders" => accounts::add_holder {
        "Add an account holder", Some(Resource::CreateCheckingAccounts), Some("NewHolder"), Some("Holder"), &[] }
    delete "/creditcontrol/accounts/{id}/holders/{holder}" => accounts::remove_holder {
        "Delete an account holder", Some(Resource::CreateCheckingAccounts), None, Some("Id"), &[] }
    put "/creditcontrol/accounts/{id}/tolerance" => accounts::tolerance {
        "Change tolerance of an account", Some(Resource::CreateCheckingAccounts), Some("RateChange"), Some("Account"), &[] }
    post "/creditcontrol/accounts/{id}/transactions/{transaction}/refunds" => transactions::refund {
        "Partially or totally refund a settlement", Some(Resource::CreateStatements), Some("Value"), Some("Value"), &[] }
    get "/creditcontrol/storeconfig" => store_config::get {
        "Retrieve store configuration", Some(Resource::ReadConfiguration), None, Some("StoreConfig"), &[] }
    put "/creditcontrol/storeconfig" => store_config::put {
        "Create or change store configuration (any subset of fields)", Some(Resource::EditConfiguration), Some("StoreConfigUpdate"), Some("StoreConfig"), &[] }
    get "/creditdesk/me" => me::get {
        "The calling key and its resources", None, None, Some("Me"), &[] }
    get "/creditdesk/dashboard" => dashboard::get {
        "Store-wide totals, credit usage, aging of open invoices, invoices due soon", Some(Resource::ReadInvoices), None, Some("Dashboard"), &[] }
    get "/creditdesk/accounts/{id}/transactions" => accounts::transactions {
        "An account's transactions with their status, newest first (at most 1000)", Some(Resource::ReadCheckingAccounts), None, Some("TransactionList"), &[] }
    post "/creditdesk/accounts/{id}/buyer-links" => buyer_links::create {
        "A one-time My Credits sign-in link for the account's email or a holder's (refused while myCreditsEnabled is off)", Some(Resource::IssueBuyerLinks), Some("NewBuyerLink"), Some("BuyerLink"), &[] }
    get "/creditdesk/accounts/{id}/holders" => accounts::holders {
        "An account's holders", Some(Resource::ReadCheckingAccounts), None, Some("HolderList"), &[] }
    get "/creditdesk/keys" => keys::list {
        "List API keys (never their tokens)", Some(Resource::MainAccess), None, Some("KeyList"), &[] }
    post "/creditdesk/keys" => keys::create {
        "Create an API key (its token is shown only in this answer)", Some(Resource::MainAccess), Some("NewKey"), Some("CreatedKey"), &[] }
    delete "/creditdesk/keys/{key}" => keys::revoke {
        "Revoke an API key", Some(Resource::MainAccess), None, Some("Revoked"), &[] }
    get "/creditdesk/accounts/{id}/invoices/{invoice}/reminders" => invoices::reminders {
        "An invoice's reminders by time: sent and skipped (what the buyer was told, and when), then those scheduled", Some(Resource::ReadInvoices), None, Some("ReminderList"), &[] }
    get "/creditdesk/webhooks" => webhooks::list {
        "Webhook endpoints (never their secrets)", Some(Resource::ReadConfiguration), None, Some("WebhookList"), &[] }
    post "/creditdesk/webhooks" => webhooks::create {
        "Add a webhook endpoint (its signing secret is shown only in this answer)", Some(Resource::EditConfiguration), Some("NewWebhook"), Some("CreatedWebhook"), &[] }
    delete "/creditdesk/webhooks/{id}" => webhooks::delete {
        "Delete a webhook endpoint (its pending deliveries stop)", Some(Resource::EditConfiguration), None, Some("WebhookDeleted"), &[] }
    get "/creditdesk/webhooks/{id}/deliveries" => webhooks::deliveries {
        "A webhook endpoint's deliveries with their tries, newest first (at most 100)", Some(Resource::ReadConfiguration), None, Some("DeliveryList"), &[] }
    post "/creditdesk/webhooks/deliveries/{id}/replay" => webhooks::replay {
        "Send a delivery again now", Some(Resource::EditConfiguration), None, Some("Replayed"), &[] }
    post "/creditdesk/imports/accounts" => imports::accounts {
        "Import accounts from CSV (created or updated; dryRun=true previews): the job, its rows handled in the background", Some(Resource::CreateCheckingAccounts), Some(CSV), Some("Import"), &["dryRun", "fileName"] }
    post "/creditdesk/imports/invoices" => imports::invoices {
        "Change invoices from CSV (an edited invoice export; dryRun=true previews): the job, its rows handled in the background", Some(Resource::CreateInvoices), Some(CSV), Some("Import"), &["dryRun", "fileName"] }
    get "/creditdesk/imports" => imports::list {
        "The import history, newest first", Some(Resource::ReadCheckingAccounts), None, Some("ImportList"), &["from", "to"] }
    get "/creditdesk/imports/{import}" => imports::get {
        "An import job: its progress and first errors", Some(Resource::ReadCheckingAccounts), None, Some("Import"), &[] }
    get "/creditdesk/imports/{import}/errors.csv" => imports::errors {
        "Every error of an import job, as CSV (line, field, message)", Some(Resource::ReadCheckingAccounts), None, Some(CSV), &[] }
    post "/creditdesk/books" => books::import {
        "Import one account's whole book from a dump (the admin's browser data); an existing account is refused", Some(Resource::MainAccess), Some("Book"), Some("Imported"), &[] }
    get "/openapi.json" => openapi::get {
        "This document", None, None, None, &[] }
}

/// The fields the reader of a body knows, by the body's schema name (core's lists, so the
/// readers, the unknown-field check and the OpenAPI document agree; a test holds them to it).
pub fn request_fields(schema: &str) -> &'static [&'static str] {
    use creditdesk_core::commands::{self as c, ChangeInvoice, CreateHold, OpenAccount};
    match schema {
        "OpenAccount" => OpenAccount::FIELDS,
        "UpsertAccount" => c::UpsertAccount::FIELDS,
        "MoneyChange" | "RateChange" => c::CHANGE_FIELDS,
        "Value" | "Debit" => c::VALUE_FIELDS,
        "CreateHold" => CreateHold::FIELDS,
        "UpdateHold" => c::UpdateHold::FIELDS,
        "NewHolder" => c::HOLDER_FIELDS,
        "Postponement" => c::POSTPONEMENT_FIELDS,
        "ChangeInvoice" => ChangeInvoice::FIELDS,
        "StoreConfigUpdate" => &creditdesk_core::store_config::FIELDS,
        "NewKey" => creditdesk_core::keys::NewKey::FIELDS,
        "Book" => creditdesk_core::memory::BOOK_FIELDS,
        "Payment" => c::Pay::FIELDS,
        "CreditReason" => c::CreditReason::FIELDS,
        "NewWebhook" => creditdesk_core::webhooks::NewWebhook::FIELDS,
        "NewBuyerLink" => creditdesk_core::buyer::NewBuyerLink::FIELDS,
        other => panic!("no reader declares the fields of {other}"),
    }
}

/// The answers that carry a secret: a new key's token, a webhook's signing secret, a buyer's
/// sign-in link. Made only as [`crate::idempotency::SecretReply`]s, never kept for a replay.
pub const SECRET_REPLIES: [&str; 3] = ["CreatedKey", "CreatedWebhook", "BuyerLink"];

impl RouteDoc {
    /// Whether anyone may call it, without a key (only the OpenAPI document).
    pub fn is_public(&self) -> bool {
        self.path == "/openapi.json"
    }

    /// Whether its answer carries a secret ([`SECRET_REPLIES`]).
    pub fn carries_secret(&self) -> bool {
        self.response.is_some_and(|r| SECRET_REPLIES.contains(&r))
    }
}

/// The route a request matched (under `/api` or at the billing reference's own paths).
pub fn matched_route(request: &Request) -> Option<&'static RouteDoc> {
    let path = request.extensions().get::<MatchedPath>()?.as_str();
    let path = path.strip_prefix("/api").unwrap_or(path);
    let method = request.method().as_str();
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
}

/// Routes under `/api`. Each request's key and the resource its route needs are checked first
/// ([`guard`]), before anything reads its body; then its `Idempotency-Key`, its unknown fields,
/// and its handler.
pub fn router(state: AppState) -> Router<AppState> {
    add_routes(Router::new())
        .route_layer(from_fn_with_state(
            state.clone(),
            unknown_fields::middleware,
        ))
        .route_layer(from_fn_with_state(
            state.clone(),
            crate::idempotency::middleware,
        ))
        .route_layer(from_fn_with_state(state, guard))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// Route middleware: the request's credentials, and the resource its route needs, checked
/// before its body is read — a request without them is answered 401, 403 or 429 and its body
/// never read. The handler's own `Auth<…>` then finds the key already checked.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(route) = matched_route(&request).filter(|route| !route.is_public()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let principal = match crate::auth::authenticate(&mut parts, &state).await {
        Ok(principal) => principal,
        Err(refused) => return refused.into_response(),
    };
    if let Some(resource) = route.resource.filter(|r| !principal.may(*r)) {
        return ApiError::Forbidden(resource).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such API route; see the Customer Credit API reference".to_owned())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
