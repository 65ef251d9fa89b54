//! My Credits: what a buyer may see of their account, and the rules of the link that lets them
//! in. The store's backend (which knows who is signed in) asks for a one-time link for an email
//! of the account — its own or a holder's; the link leads to a buyer session that sees that one
//! account, read-only, while the store keeps `myCreditsEnabled` on.
//!
//! Emails are compared as the whole address in Unicode lower case: `Ana.Silva+Store@Example.COM`
//! is `ana.silva+store@example.com`; `+`, `_`, dots and non-ASCII letters are ordinary
//! characters (no provider's aliasing rules are guessed).

use serde::Serialize;
use serde_json::Value;

use crate::book::{Book, Ctx};
use crate::error::CreditError;
use crate::fields::{parse, Fields};
use crate::ids::Email;
use crate::invoice::InvoiceStatus;
use crate::store_config::StoreConfig;
use crate::validation::ValidationErrors;
use crate::wire::{AccountView, InvoiceView, StatementView};
use crate::Timestamp;

/// How long a link is valid when the request does not say, in minutes.
pub const LINK_MINUTES_DEFAULT: u16 = 15;
/// The longest a link may be valid, in minutes (24 hours).
pub const LINK_MINUTES_MAX: u16 = 1440;
/// How long a buyer session lasts after the link is opened, in minutes.
pub const SESSION_MINUTES: u16 = 60;

/// `POST /api/creditdesk/accounts/{id}/buyer-links`: `{email, expiresInMinutes?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBuyerLink {
    pub email: Email,
    pub expires_in_minutes: u16,
}

impl NewBuyerLink {
    pub const FIELDS: &'static [&'static str] = &["email", "expiresInMinutes"];

    pub fn from_json(body: &Value) -> Result<NewBuyerLink, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let email = f.required("email", parse::from_str);
        let minutes = f.optional("expiresInMinutes", |v| parse::whole(v, 1, LINK_MINUTES_MAX));
        f.finish(|| {
            Some(NewBuyerLink {
                email: email?,
                expires_in_minutes: minutes.unwrap_or(LINK_MINUTES_DEFAULT),
            })
        })
    }

    /// Whether this link may be given for the account of `book` under the store's `config`:
    /// My Credits on ([`CreditError::MyCreditsDisabled`] when not), and the email the account's
    /// or a holder's (an invalid `email` when not).
    pub fn check(&self, book: &Book, config: &StoreConfig) -> Result<(), CreditError> {
        if !config.my_credits_enabled() {
            return Err(CreditError::MyCreditsDisabled);
        }
        if !sees_account(book, self.email.as_str()) {
            return Err(CreditError::field(
                "email",
                format!(
                    "is neither the email of the account {} nor one of its holders'",
                    book.account.id
                ),
            ));
        }
        Ok(())
    }

    /// When a link asked at `now` stops working.
    pub fn expires_at(&self, now: Timestamp) -> Timestamp {
        minutes_after(now, self.expires_in_minutes)
    }
}

/// When a buyer session begun at `now` ends.
pub fn session_expires_at(now: Timestamp) -> Timestamp {
    minutes_after(now, SESSION_MINUTES)
}

fn minutes_after(now: Timestamp, minutes: u16) -> Timestamp {
    let micros = now
        .unix_micros()
        .saturating_add(i64::from(minutes) * 60_000_000);
    Timestamp::from_unix_micros(micros).unwrap_or(Timestamp::MAX)
}

/// Two emails as one address: the whole address compared in Unicode lower case.
pub fn same_email(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// Whether `email` may see the account of `book`: it is the account's email or a holder's.
pub fn sees_account(book: &Book, email: &str) -> bool {
    let account = book.account.email.as_ref();
    account.is_some_and(|own| same_email(own.as_str(), email))
        || book
            .holders
            .iter()
            .any(|holder| same_email(holder.email.as_str(), email))
}

/// The buyer's page: the account as the API shows it, its invoices by what is left to do —
/// open (oldest due first), paid, cancelled (latest first) — and the statement of a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyCredits {
    pub account: AccountView,
    pub open: Vec<InvoiceView>,
    pub paid: Vec<InvoiceView>,
    pub cancelled: Vec<InvoiceView>,
    pub statement: StatementView,
}

impl MyCredits {
    /// What the buyer sees of `book` at `ctx.now`, the statement from `from` to `to`.
    pub fn of(book: &Book, ctx: &Ctx, from: Option<Timestamp>, to: Option<Timestamp>) -> MyCredits {
        let views = |status: InvoiceStatus| -> Vec<InvoiceView> {
            book.invoices
                .iter()
                .filter(|i| i.status == status)
                .map(|i| InvoiceView::of(i, ctx))
                .collect()
        };
        let mut open = views(InvoiceStatus::Opened);
        crate::order::sort_by_key(&mut open, |i| (i.due_date, i.id.clone()));
        let latest_first = |mut list: Vec<InvoiceView>| {
            crate::order::sort_by_key(&mut list, |i| {
                std::cmp::Reverse((i.resolved_at, i.id.clone()))
            });
            list
        };
        MyCredits {
            account: crate::ops::account_view(book, ctx),
            open,
            paid: latest_first(views(InvoiceStatus::Paid)),
            cancelled: latest_first(views(InvoiceStatus::Cancelled)),
            statement: StatementView::from(&book.statement(from, to)),
        }
    }
}
