//! The API answered in this page: core's [`Ledger`] holds the store, each request is read by
//! core's own readers and run by core's engine ([`creditdesk_core::ops`] and the `Book`
//! commands, as the server's handlers run them), and the store is kept in `localStorage` as
//! core's [`Dump`] after every change, so it survives a reload and can be exported to a server.
//!
//! Only the routes the admin calls are answered; keys belong to servers (nobody signs in here).

use std::cell::RefCell;

use creditdesk_core::book::{Book, Ctx};
use creditdesk_core::commands::{self, Change, ChangeInvoice, CreateHold, UpdateHold};
use creditdesk_core::credit::{CreditLocator, PaymentLocators};
use creditdesk_core::ids::{
    AccountId, Actor, FriendlyCode, HolderId, InvoiceId, PathId, TenantLocator, TransactionId,
};
use creditdesk_core::keys::Resource;
use creditdesk_core::memory::{Dump, Ledger};
use creditdesk_core::ops::{self, HoldMode};
use creditdesk_core::search::{AccountFilter, CreditFilter, CreditScope, InvoiceFilter};
use creditdesk_core::wire::{
    CreditList, CreditView, DebitView, HoldUpdated, HolderList, HolderView, InvoiceView, Me,
    RemovedView, SettlementView, StatementView, StoreView, TransactionList, ValueView,
};
use creditdesk_core::{CreditError, ErrorBody, ErrorCode, Timestamp, ValidationErrors};
use serde::Serialize;
use serde_json::{json, Value};

use super::Method;
use crate::api::AdminError;
use crate::dom;

/// Where the store is kept in `localStorage`.
pub const STORAGE_KEY: &str = "creditdesk.browser-store";

/// The key this mode acts as (the actor of every entry).
pub const ACTOR: &str = "browser";

thread_local! {
    /// The store as last read from or written to `localStorage`, with the text it was read
    /// from (another tab may have written since: then it is read again).
    static CACHE: RefCell<Option<(String, Ledger)>> = const { RefCell::new(None) };
}

/// Answers one request of the API from the store in this browser.
pub fn send(method: Method, path: &str, body: Option<&Value>) -> Result<String, AdminError> {
    let (segments, query) = request_parts(path);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let request = Request {
        method,
        segments: &segments,
        query: &query,
        body: body.unwrap_or(&Value::Null),
        now: dom::browser_now(),
    };
    let mut ledger = load()?;
    let named = ledger.tenant().is_none();
    if named {
        ledger.set_tenant(TenantLocator::from_random(dom::random_bytes()));
    }
    let answer = route(&mut ledger, &request)?;
    if method != Method::Get || named {
        save(ledger)?;
    }
    Ok(answer)
}

/// A request's path (after `/api/`, each segment decoded) and its query's pairs.
pub(super) fn request_parts(path: &str) -> (Vec<String>, Vec<(String, String)>) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let segments = path
        .trim_start_matches("/api/")
        .split('/')
        .map(dom::decode)
        .collect();
    (segments, dom::query_pairs(query))
}

/// The store kept in this browser (empty when nothing was kept yet).
pub fn load() -> Result<Ledger, AdminError> {
    let text = dom::local_storage_get(STORAGE_KEY)?;
    CACHE.with_borrow_mut(|cache| {
        let text = text.unwrap_or_default();
        if let Some((cached, ledger)) = cache.as_ref() {
            if *cached == text {
                return Ok(ledger.clone());
            }
        }
        let ledger = if text.is_empty() {
            Ledger::new()
        } else {
            let dump: Dump = serde_json::from_str(&text)
                .map_err(|e| AdminError::Browser(format!("the data kept in this browser cannot be read ({e}); export what you can, then clear it")))?;
            Ledger::from_dump(dump).map_err(AdminError::Browser)?
        };
        *cache = Some((text, ledger.clone()));
        Ok(ledger)
    })
}

/// Keeps `ledger` as the store of this browser.
pub fn save(ledger: Ledger) -> Result<(), AdminError> {
    let text = serde_json::to_string(&ledger.dump())
        .map_err(|e| AdminError::Browser(format!("the data cannot be written: {e}")))?;
    dom::local_storage_set(STORAGE_KEY, &text)?;
    CACHE.with_borrow_mut(|cache| *cache = Some((text, ledger)));
    Ok(())
}

/// The store of this browser as a dump (the file "Export" saves): compact JSON, written by the
/// same writer as the browser's own copy (a pretty writer would be a second copy in the bundle).
pub fn export() -> Result<String, AdminError> {
    serde_json::to_string(&load()?.dump())
        .map_err(|e| AdminError::Browser(format!("the data cannot be written: {e}")))
}

/// Forgets everything kept in this browser (the store and the import history).
pub fn clear() -> Result<(), AdminError> {
    super::browser_csv::clear_history()?;
    save(Ledger::new())
}

struct Request<'a> {
    method: Method,
    segments: &'a [&'a str],
    query: &'a [(String, String)],
    body: &'a Value,
    now: Timestamp,
}

/// The answer's text, or the refusal.
pub(super) type Answer = Result<String, ErrorBody>;

pub(super) fn to_json(value: impl Serialize) -> Answer {
    serde_json::to_string(&value).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("the answer cannot be written: {e}"),
        )
    })
}

fn refused(error: CreditError) -> ErrorBody {
    ErrorBody::from(&error)
}

pub(super) fn invalid(errors: ValidationErrors) -> ErrorBody {
    ErrorBody::from(&errors)
}

pub(super) fn not_found(what: String) -> ErrorBody {
    ErrorBody::new(ErrorCode::NotFound, what)
}

pub(super) fn no_route() -> ErrorBody {
    not_found("no such API route in this browser's engine".to_owned())
}

/// A path id read as core's type; one that cannot exist is simply not found (as on the server).
pub(super) fn parse_id<T: std::str::FromStr>(text: &str, kind: PathId) -> Result<T, ErrorBody> {
    kind.read(text).map_err(not_found)
}

fn route(ledger: &mut Ledger, request: &Request) -> Answer {
    use Method::{Get, Post, Put};
    let actor: Actor = ACTOR.parse().expect("a valid actor");
    let config = ledger.config().clone();
    let ctx = Ctx {
        now: request.now,
        actor: &actor,
        config: &config,
    };
    let (body, query) = (request.body, request.query);
    match (request.method, request.segments) {
        (_, ["", "rest", "V1", "companyCredits", rest @ ..]) => {
            company(ledger, request, rest, &ctx)
        }
        (Get, ["creditdesk", "me"]) => to_json(Me {
            app_key: ACTOR.to_owned(),
            resources: Resource::ALL.to_vec(),
        }),
        (Get, ["creditdesk", "keys"]) => Ok(json!([{
            "appKey": ACTOR,
            "label": "This browser (no server: nobody signs in, so there are no keys)",
            "resources": [Resource::MainAccess.name()],
            "createdAt": request.now,
        }])
        .to_string()),
        (_, ["creditdesk", "keys", ..]) => Err(ErrorBody::new(
            ErrorCode::Conflict,
            "keys belong to a Creditdesk server; in this browser nobody signs in",
        )),
        (Get, ["creditdesk", "webhooks"]) => Ok(r#"{"data":[]}"#.to_owned()),
        (_, ["creditdesk", "webhooks", ..]) => Err(ErrorBody::new(
            ErrorCode::Conflict,
            "webhooks are sent by a Creditdesk server; in this browser there is none to send \
             them (move the data to a server from the Data screen)",
        )),
        (Get, ["creditdesk", "accounts", _, "invoices", _, "reminders"]) => Err(ErrorBody::new(
            ErrorCode::Conflict,
            "reminders are sent by a Creditdesk server; in this browser none are scheduled or \
             sent (move the data to a server from the Data screen)",
        )),
        (Get, ["creditdesk", "imports"]) => super::browser_csv::history(query),
        (Get, ["creditdesk", "imports", id]) => super::browser_csv::job(id),
        (Get, ["creditdesk", "dashboard"]) => to_json(ledger.dashboard(request.now)),
        (Get, ["creditdesk", "store"]) => to_json(StoreView {
            tenant_locator: ledger.tenant().cloned().ok_or_else(no_route)?,
            currency: config.currency().as_str().to_owned(),
            email_configured: false,
        }),
        (Get, ["billing", tenant, rest @ ..]) => {
            if tenant.parse::<TenantLocator>().ok().as_ref() != ledger.tenant() {
                return Err(not_found(PathId::Tenant.not_found(tenant)));
            }
            billing(ledger, rest, query)
        }
        (Get, ["creditcontrol", "storeconfig"]) => to_json(&config),
        (Put, ["creditcontrol", "storeconfig"]) => {
            let next = config.apply_update(body).map_err(invalid)?;
            ledger.set_config(next.clone());
            to_json(next)
        }
        (Get, ["creditcontrol", "invoices"]) => {
            let filter = InvoiceFilter::from_query(query).map_err(invalid)?;
            to_json(ledger.invoices(&filter, request.now))
        }
        (Get, ["creditcontrol", "accounts"]) => {
            let filter = AccountFilter::from_query(query).map_err(invalid)?;
            to_json(ledger.accounts(&filter, request.now))
        }
        (Post, ["creditcontrol", "accounts"]) => {
            let command = commands::OpenAccount::from_json(body).map_err(invalid)?;
            let id = command.account_id();
            ledger
                .with_book(&id, |slot| ops::open(slot, &command, &ctx))
                .map_err(refused)?;
            // The account as stored: with the numbers the ledger gave it.
            to_json(ops::account_view(ledger.book(&id).map_err(refused)?, &ctx))
        }
        (Get, ["creditdesk", "accounts", id, "transactions"]) => {
            let book = ledger
                .book(&parse_id(id, PathId::Account)?)
                .map_err(refused)?;
            to_json(TransactionList::of(&book.transactions, request.now))
        }
        (Get, ["creditdesk", "accounts", id, "holders"]) => {
            let book = ledger
                .book(&parse_id(id, PathId::Account)?)
                .map_err(refused)?;
            to_json(HolderList {
                data: book.holders.iter().map(HolderView::from).collect(),
            })
        }
        (Get, ["creditdesk", "accounts", id, "invoices", invoice, "credits"]) => {
            let book = ledger
                .book(&parse_id(id, PathId::Account)?)
                .map_err(refused)?;
            let invoice: InvoiceId = parse_id(invoice, PathId::Invoice)?;
            to_json(CreditList::of_invoice(book, &invoice, config.currency()).map_err(refused)?)
        }
        (Post, ["creditdesk", "accounts", id, "invoices", invoice, "write-off"]) => {
            let id: AccountId = parse_id(id, PathId::Account)?;
            let invoice: InvoiceId = parse_id(invoice, PathId::Invoice)?;
            let reason = commands::CreditReason::from_json(body).map_err(invalid)?;
            let locator = CreditLocator::at(request.now, random_bits());
            ledger.with_book(&id, |slot| {
                let book = slot
                    .as_mut()
                    .ok_or_else(|| refused(CreditError::AccountNotFound(id.clone())))?;
                let written = book.write_off(&invoice, &reason, &locator, &ctx);
                to_json(InvoiceView::of(written.map_err(refused)?, &ctx))
            })
        }
        (Post, ["creditdesk", "credits", locator, "reversal"]) => {
            let locator: CreditLocator = parse_id(locator, PathId::Credit)?;
            let reason = commands::CreditReason::from_json(body).map_err(invalid)?;
            let id = ledger
                .credit_owner(&locator)
                .ok_or_else(|| refused(CreditError::CreditNotFound(locator.clone())))?;
            ledger.with_book(&id, |slot| {
                let book = slot
                    .as_mut()
                    .ok_or_else(|| refused(CreditError::AccountNotFound(id.clone())))?;
                let credit = book
                    .reverse_credit(&locator, &reason, &ctx)
                    .map_err(refused)?;
                to_json(CreditView::of(credit, config.currency()))
            })
        }
        (method, ["creditcontrol", "accounts", id, rest @ ..]) => {
            let id: AccountId = parse_id(id, PathId::Account)?;
            on_account(ledger, &id, method, rest, request, &ctx)
        }
        _ => Err(no_route()),
    }
}

/// The billing-credits API's lists and shortfall credit, as the server answers them.
fn billing(ledger: &Ledger, rest: &[&str], query: &[(String, String)]) -> Answer {
    let read = |scope: &CreditScope| CreditFilter::from_query(query, scope).map_err(invalid);
    let filter = match rest {
        ["credits", "list"] => read(&CreditScope::Store)?,
        ["shortfallCredits", "list"] => read(&CreditScope::Shortfalls)?,
        ["shortfallCredits", locator] => {
            let locator: CreditLocator = parse_id(locator, PathId::Credit)?;
            let filter = CreditFilter::shortfall(locator.clone());
            let list = ledger.credits(&filter);
            let credit = list.items.into_iter().next();
            return to_json(credit.ok_or_else(|| refused(CreditError::CreditNotFound(locator)))?);
        }
        ["invoices", invoice, "credits", "list"] => {
            let missing = || not_found(PathId::StoreInvoice.not_found(invoice));
            let id: InvoiceId = invoice.parse().map_err(|_| missing())?;
            let filter = read(&CreditScope::Invoice(id.clone()))?;
            if !ledger.has_invoice(&id) {
                return Err(missing());
            }
            filter
        }
        _ => return Err(no_route()),
    };
    to_json(ledger.credits(&filter))
}

/// The routes under one account.
fn on_account(
    ledger: &mut Ledger,
    id: &AccountId,
    method: Method,
    rest: &[&str],
    request: &Request,
    ctx: &Ctx,
) -> Answer {
    use Method::{Get, Post, Put};
    let (body, query, now) = (request.body, request.query, request.now);
    match (method, rest) {
        (Put, []) => {
            let command = commands::UpsertAccount::from_json(body, id).map_err(invalid)?;
            ledger
                .with_book(id, |slot| {
                    Ok::<_, CreditError>(ops::upsert(slot, id, &command, ctx))
                })
                .map_err(refused)?;
            to_json(ops::account_view(ledger.book(id).map_err(refused)?, ctx))
        }
        (Post, ["transactions" | "transaction"]) => {
            let mode = HoldMode::from_query(query).map_err(invalid)?;
            let command = CreateHold::from_json(body, now).map_err(invalid)?;
            let new_id = TransactionId::from_bytes(dom::random_bytes());
            match mode {
                HoldMode::DryRun => {
                    let slot = ledger.book(id).ok().cloned();
                    to_json(ops::dry_run(slot, id, &command, new_id, ctx).map_err(refused)?)
                }
                HoldMode::Hold => to_json(
                    ledger
                        .with_book(id, |slot| ops::hold(slot, id, &command, new_id, ctx))
                        .map_err(refused)?,
                ),
            }
        }
        (Get, _) => read(
            ledger.book(id).map_err(refused)?,
            ledger,
            rest,
            request,
            ctx,
        ),
        _ => ledger.with_book(id, |slot| {
            let book = slot
                .as_mut()
                .ok_or_else(|| refused(CreditError::AccountNotFound(id.clone())))?;
            change(book, method, rest, body, ctx)
        }),
    }
}

/// A read of one account.
fn read(book: &Book, ledger: &Ledger, rest: &[&str], request: &Request, ctx: &Ctx) -> Answer {
    let query = request.query;
    match rest {
        [] => to_json(ops::account_view(book, ctx)),
        ["statements"] => {
            let (from, to) = creditdesk_core::ledger::window_from_query(query).map_err(invalid)?;
            to_json(StatementView::from(&book.statement(from, to)))
        }
        ["invoices"] => {
            let mut filter = InvoiceFilter::from_query(query).map_err(invalid)?;
            filter.account = Some(book.account.id.clone());
            to_json(ledger.invoices(&filter, request.now))
        }
        ["invoices", invoice] => {
            let invoice: InvoiceId = parse_id(invoice, PathId::Invoice)?;
            let found = book
                .invoices
                .iter()
                .find(|i| i.id == invoice)
                .ok_or(CreditError::InvoiceNotFound(invoice))
                .map_err(refused)?;
            to_json(InvoiceView::of(found, ctx))
        }
        _ => Err(no_route()),
    }
}

/// A command on an existing account, its answer as the server writes it (a refusal leaves
/// the book as it was: the ledger keeps only what succeeds).
fn change(book: &mut Book, method: Method, rest: &[&str], body: &Value, ctx: &Ctx) -> Answer {
    use Method::{Delete, Post, Put};
    let now = ctx.now;
    let transaction = |text: &str| parse_id::<TransactionId>(text, PathId::Transaction);
    match (method, rest) {
        (Delete, []) => {
            book.close(ctx).map_err(refused)?;
            to_json(ops::account_view(book, ctx))
        }
        (Put, ["creditlimit"]) => {
            let change = Change::credit_limit_from_json(body).map_err(invalid)?;
            book.change_credit_limit(&change, ctx);
            to_json(ops::account_view(book, ctx))
        }
        (Put, ["tolerance"]) => {
            let change = Change::tolerance_from_json(body).map_err(invalid)?;
            book.change_tolerance(&change, ctx);
            to_json(ops::account_view(book, ctx))
        }
        (Put, ["statements", statement]) => {
            let statement = statement
                .parse()
                .map_err(|e: &str| invalid(ValidationErrors::single("statementId", e)))?;
            let value = commands::debit_from_json(body).map_err(invalid)?;
            let value = book.debit(&statement, value, ctx).map_err(refused)?;
            to_json(DebitView::from(value))
        }
        (Put, ["transactions", t]) => {
            let t = transaction(t)?;
            let command = UpdateHold::from_json(body, now).map_err(invalid)?;
            let hold = book.put_hold(&t, &command, ctx).map_err(refused)?;
            to_json(HoldUpdated::from(hold))
        }
        (Delete, ["transactions", t]) => {
            book.cancel_hold(&transaction(t)?, ctx).map_err(refused)?;
            Ok("null".to_owned())
        }
        (Put, ["transactions", t, "settlement"]) => {
            let t = transaction(t)?;
            let value = commands::positive_value_from_json(body).map_err(invalid)?;
            let code: FriendlyCode = dom::random_code();
            book.settle(&t, value, &code, ctx).map_err(refused)?;
            to_json(SettlementView {
                value,
                id: t.to_string(),
            })
        }
        (Post, ["transactions", t, "refunds"]) => {
            let t = transaction(t)?;
            let value = commands::positive_value_from_json(body).map_err(invalid)?;
            book.refund(&t, value, ctx).map_err(refused)?;
            to_json(ValueView { value })
        }
        (Post, ["holders"]) => {
            let email = commands::holder_email_from_json(body).map_err(invalid)?;
            let id = HolderId::from_bytes(dom::random_bytes());
            to_json(HolderView::from(
                book.add_holder(&email, id, ctx).map_err(refused)?,
            ))
        }
        (Delete, ["holders", holder]) => {
            let holder: HolderId = parse_id(holder, PathId::Holder)?;
            book.remove_holder(&holder, ctx).map_err(refused)?;
            to_json(RemovedView {
                id: holder.to_string(),
            })
        }
        (method, ["invoices", invoice, rest @ ..]) => {
            let invoice: InvoiceId = parse_id(invoice, PathId::Invoice)?;
            match (method, rest) {
                (Put, []) => {
                    let change = ChangeInvoice::from_json(body).map_err(invalid)?;
                    book.change_invoice(&invoice, &change, &payment_locators(ctx), ctx)
                        .map_err(refused)?;
                    Ok("null".to_owned())
                }
                (Delete, []) => {
                    book.cancel_invoice(&invoice, ctx).map_err(refused)?;
                    Ok("null".to_owned())
                }
                (Post, ["payments"]) => {
                    let payment = commands::Pay::from_json(body).map_err(invalid)?;
                    let locators = payment_locators(ctx);
                    to_json(InvoiceView::of(
                        book.pay(&invoice, &payment, &locators, ctx)
                            .map_err(refused)?,
                        ctx,
                    ))
                }
                (Put, ["postponement"]) => {
                    let days = commands::due_days_from_json(body).map_err(invalid)?;
                    book.postpone_invoice(&invoice, days, ctx)
                        .map_err(refused)?;
                    Ok("null".to_owned())
                }
                _ => Err(no_route()),
            }
        }
        _ => Err(no_route()),
    }
}

/// 80 random bits for a credit locator made in the page.
pub(super) fn random_bits() -> [u8; 10] {
    let mut bits = [0u8; 10];
    bits.copy_from_slice(&dom::random_bytes()[..10]);
    bits
}

/// Locators for a payment made in the page: the clock's millisecond and random bits.
fn payment_locators(ctx: &Ctx) -> PaymentLocators {
    PaymentLocators::at(ctx.now, random_bits())
}

/// The company-credit API's calls the admin makes (`/rest/V1/companyCredits/…`), run by core's
/// `company` as the server's handlers run it; refusals in the API's error body.
fn company(ledger: &mut Ledger, request: &Request, rest: &[&str], ctx: &Ctx) -> Answer {
    use creditdesk_core::company::{
        self as co, BalanceChange, BalanceOperation, CreditId, CreditLimitUpdate, HistoryUpdate,
    };
    use creditdesk_core::memory::history_entry;
    use creditdesk_core::search_criteria::SearchCriteria;
    use Method::{Get, Post, Put};
    let refusal = |r: co::Refusal| ErrorBody::new(ErrorCode::ValidationFailed, r.to_string());
    let credit_of = |text: &str| -> Result<(CreditId, AccountId), ErrorBody> {
        let credit = text.parse::<CreditId>().ok();
        let book = credit.and_then(|c| ledger.credit_book(c));
        match (credit, book) {
            (Some(credit), Some(book)) => Ok((credit, book.account.id.clone())),
            _ => Err(ErrorBody::new(
                ErrorCode::NotFound,
                format!("No such entity with creditId = {text}"),
            )),
        }
    };
    let view = |ledger: &Ledger, id: &AccountId| -> Answer {
        let book = ledger.book(id).map_err(refused)?;
        to_json(co::CreditView::of(
            &book.account,
            ledger.config().currency(),
        ))
    };
    match (request.method, rest) {
        (Get, ["history"]) => {
            let criteria =
                SearchCriteria::read(request.query, co::HISTORY_FIELDS).map_err(refusal)?;
            to_json(ledger.history(&criteria))
        }
        (Put, ["history", id]) => {
            let not_found = || {
                ErrorBody::new(
                    ErrorCode::NotFound,
                    format!("No such entity with historyId = {id}"),
                )
            };
            let seq: i64 = id.parse().map_err(|_| not_found())?;
            let update = HistoryUpdate::read(seq, request.body).map_err(refusal)?;
            let (credit, index) = history_entry(seq).ok_or_else(not_found)?;
            let account = ledger
                .credit_book(credit)
                .ok_or_else(not_found)?
                .account
                .id
                .clone();
            ledger.with_book(&account, |slot| {
                let book = slot.as_mut().ok_or_else(not_found)?;
                if index >= book.entries.len() {
                    return Err(not_found());
                }
                update.apply(&mut book.entries, index).map_err(refusal)
            })?;
            to_json(true)
        }
        (Get, [credit]) => view(ledger, &credit_of(credit)?.1),
        (Put, [credit]) => {
            let (number, account) = credit_of(credit)?;
            let update =
                CreditLimitUpdate::read(i64::from(number.get()), request.body).map_err(refusal)?;
            ledger
                .with_book(&account, |slot| {
                    let book = slot
                        .as_mut()
                        .ok_or(CreditError::AccountNotFound(account.clone()))?;
                    co::update_credit(book, &update, ctx)
                })
                .map_err(refused)?;
            view(ledger, &account)
        }
        (Post, [credit, direction @ ("increaseBalance" | "decreaseBalance")]) => {
            let (number, account) = credit_of(credit)?;
            let change = match *direction {
                "increaseBalance" => BalanceChange::Increase,
                _ => BalanceChange::Decrease,
            };
            let operation = BalanceOperation::read(change, i64::from(number.get()), request.body)
                .map_err(refusal)?;
            ledger
                .with_book(&account, |slot| {
                    let book = slot
                        .as_mut()
                        .ok_or(CreditError::AccountNotFound(account.clone()))?;
                    book.adjust_balance(&operation, ctx)
                })
                .map_err(refused)?;
            to_json(true)
        }
        _ => Err(no_route()),
    }
}
