//! The API's commands that are more than one [`Book`] method: opening an account unless it
//! exists, create-or-update, a hold that opens the account at checkout, and the dry-run answer.
//! The server's handlers and the admin's local mode both call these, so the two answer alike.
//!
//! Each takes the account's slot (`None`: no such account) as storage or memory holds it.

use crate::book::{Book, Ctx};
use crate::commands::{CreateHold, OpenAccount, UpsertAccount};
use crate::error::CreditError;
use crate::ids::{AccountId, TransactionId};
use crate::money::Money;
use crate::validation::ValidationErrors;
use crate::wire::{AccountView, DryRunView, HoldView};

/// The account as the API shows it at `ctx.now`.
pub fn account_view(book: &Book, ctx: &Ctx) -> AccountView {
    AccountView::new(&book.account, &book.balances(ctx))
}

/// `POST /accounts`: a new account, refused when one with its document and type exists.
pub fn open(
    slot: &mut Option<Book>,
    command: &OpenAccount,
    ctx: &Ctx,
) -> Result<AccountView, CreditError> {
    if slot.is_some() {
        return Err(CreditError::AccountExists(command.account_id()));
    }
    Ok(account_view(slot.insert(Book::open(command, ctx)), ctx))
}

/// `PUT /accounts/{id}`: updates (and reopens) the account, or creates it.
pub fn upsert(
    slot: &mut Option<Book>,
    id: &AccountId,
    command: &UpsertAccount,
    ctx: &Ctx,
) -> AccountView {
    let book = match slot {
        Some(book) => {
            book.update(command, ctx);
            book
        }
        None => slot.insert(Book::create_by_upsert(id, command, ctx)),
    };
    account_view(book, ctx)
}

/// `POST /accounts/{id}/transactions`: the hold, the account opened first when it does not
/// exist and the store allows it (`automaticCheckingAccountCreationEnabled`).
pub fn hold(
    slot: &mut Option<Book>,
    id: &AccountId,
    command: &CreateHold,
    new_id: TransactionId,
    ctx: &Ctx,
) -> Result<HoldView, CreditError> {
    let book = match slot {
        Some(book) => book,
        None => slot.insert(Book::open_automatically(id, ctx)?),
    };
    let hold = book.create_hold(command, new_id, ctx)?;
    Ok(HoldView::new(hold, ctx.now))
}

/// `POST /accounts/{id}/transactions?dryRun=true`: whether [`hold`] would be accepted and what
/// would remain available, changing nothing. An account that does not exist yet shows what
/// opening it would give (the store's `defaultCreditValue`); one that cannot be opened is not
/// found, as the real hold would be. `slot` is a copy: what the trial does to it is dropped.
pub fn dry_run(
    mut slot: Option<Book>,
    id: &AccountId,
    command: &CreateHold,
    new_id: TransactionId,
    ctx: &Ctx,
) -> Result<DryRunView, CreditError> {
    let available = |slot: &Option<Book>| slot.as_ref().map(|b| b.balances(ctx).available_credit);
    let before = available(&slot);
    match hold(&mut slot, id, command, new_id, ctx) {
        Ok(_) => Ok(DryRunView {
            accepted: true,
            available_credit: before.unwrap_or(ctx.config.default_credit_value()),
            available_credit_after: available(&slot),
            reason: None,
            message: None,
        }),
        Err(error @ CreditError::AccountNotFound(_)) => Err(error),
        Err(error) => Ok(DryRunView {
            accepted: false,
            available_credit: before.unwrap_or(Money::ZERO),
            available_credit_after: None,
            reason: Some(error.reason().to_owned()),
            message: Some(error.to_string()),
        }),
    }
}

/// What `POST …/transactions` is asked to do, from its only query parameter `dryRun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldMode {
    /// Hold the credit.
    Hold,
    /// Only say whether the hold would be accepted ([`dry_run`]).
    DryRun,
}

impl HoldMode {
    /// `dryRun=true|false` (the last one given counts); any other parameter is refused.
    pub fn from_query(params: &[(String, String)]) -> Result<HoldMode, ValidationErrors> {
        let mut mode = HoldMode::Hold;
        for (key, value) in params {
            mode = match (key.as_str(), value.as_str()) {
                ("dryRun", "true") => HoldMode::DryRun,
                ("dryRun", "false") => HoldMode::Hold,
                ("dryRun", _) => {
                    return Err(ValidationErrors::single("dryRun", "must be true or false"))
                }
                _ => {
                    return Err(ValidationErrors::single(
                        key.as_str(),
                        "unknown parameter; the parameter is dryRun",
                    ))
                }
            };
        }
        Ok(mode)
    }
}
