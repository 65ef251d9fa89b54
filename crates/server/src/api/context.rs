//! What every credit handler needs: now, the actor, the store policy; path ids read as core's
//! types (an id that cannot exist is simply not found); query strings as pairs; random ids.

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use creditdesk_core::book::Ctx;
use creditdesk_core::credit::{CreditLocator, PaymentLocators};
use creditdesk_core::ids::{
    AccountId, Actor, FriendlyCode, HolderId, InvoiceId, PathId, TransactionId,
};
use creditdesk_core::invoice::Invoice;
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::InvoiceView;
use creditdesk_core::{CreditError, Timestamp};
use rand::distr::{Alphanumeric, SampleString};
use rand::{Rng, RngCore};

use crate::auth::Principal;
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::AppState;
use creditdesk_core::book::Book;

/// The moment, the actor and the store configuration of one request.
pub struct Env {
    pub now: Timestamp,
    pub actor: Actor,
    pub config: StoreConfig,
}

impl Env {
    pub async fn load(state: &AppState, principal: &Principal) -> Result<Env, ApiError> {
        let (config, _) = state.db.store_config().await?;
        let now = state.now();
        let actor = principal
            .app_key
            .parse()
            .map_err(|e| anyhow::anyhow!("app key as actor: {e}"))?;
        Ok(Env { now, actor, config })
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now: self.now,
            actor: &self.actor,
            config: &self.config,
        }
    }

    /// An invoice as the API shows it now, with the interest it owes under the store's policy.
    pub fn invoice_view(&self, invoice: &Invoice) -> InvoiceView {
        InvoiceView::of(invoice, &self.ctx())
    }
}

pub fn account_id(text: &str) -> Result<AccountId, ApiError> {
    PathId::Account.read(text).map_err(ApiError::NotFound)
}

pub fn transaction_id(text: &str) -> Result<TransactionId, ApiError> {
    PathId::Transaction.read(text).map_err(ApiError::NotFound)
}

pub fn invoice_id(text: &str) -> Result<InvoiceId, ApiError> {
    PathId::Invoice.read(text).map_err(ApiError::NotFound)
}

pub fn holder_id(text: &str) -> Result<HolderId, ApiError> {
    PathId::Holder.read(text).map_err(ApiError::NotFound)
}

/// The query string as decoded pairs, in order.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        Ok(QueryPairs(pairs))
    }
}

pub fn new_transaction_id() -> TransactionId {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    TransactionId::from_bytes(bytes)
}

/// A new credit locator: a ULID of the clock's millisecond and 80 random bits.
pub fn new_credit_locator(now: Timestamp) -> CreditLocator {
    CreditLocator::at(now, rand::rng().random())
}

/// Locators for a payment and the shortfall write-off it may make.
pub fn new_payment_locators(now: Timestamp) -> PaymentLocators {
    PaymentLocators::at(now, rand::rng().random())
}

pub fn new_holder_id() -> HolderId {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    HolderId::from_bytes(bytes)
}

pub fn new_friendly_code() -> FriendlyCode {
    Alphanumeric
        .sample_string(&mut rand::rng(), 8)
        .parse()
        .expect("8 alphanumerics")
}

/// Runs `command` on the existing account `id` under the account's lock, with this request's
/// time, actor and store policy, loading what `reads` name (core's `Reads` for the command);
/// stores what it changed.
pub async fn on_account<T: Send + 'static>(
    state: &AppState,
    principal: &Principal,
    id: &AccountId,
    reads: Reads,
    command: impl FnOnce(&mut Book, &Env) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let env = Env::load(state, principal).await?;
    let now = env.now;
    let account = id.clone();
    state
        .db
        .with_book(id, &reads, now, move |book| {
            command(existing(book, &account)?, &env)
        })
        .await
}

/// The existing account `id` with what `reads` name, read without a lock (one consistent
/// snapshot), and this request's environment.
pub async fn read_account(
    state: &AppState,
    principal: &Principal,
    id: &AccountId,
    reads: &Reads,
) -> Result<(Book, Env), ApiError> {
    let env = Env::load(state, principal).await?;
    let book = state
        .db
        .read_book(id, reads, env.now)
        .await?
        .ok_or_else(|| CreditError::AccountNotFound(id.clone()))?;
    Ok((book, env))
}

/// The book, or "no such account".
pub fn existing<'a>(
    book: &'a mut Option<creditdesk_core::book::Book>,
    id: &AccountId,
) -> Result<&'a mut creditdesk_core::book::Book, ApiError> {
    book.as_mut()
        .ok_or_else(|| CreditError::AccountNotFound(id.clone()).into())
}
