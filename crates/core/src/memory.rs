//! A whole store held in memory: the admin's local mode keeps its data in a [`Ledger`], and a
//! [`Dump`] carries one to the browser's storage or to a server's import. Searches, summaries and
//! the dashboard are evaluated here with the same filters and folds the server's SQL is tested
//! against, so both answer alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::book::Book;
use crate::company::{CompanyId, CreditId, HistoryView, SearchResults};
use crate::dashboard::{
    AccountFigures, AgingBucket, Dashboard, DUE_SOON_DAYS, DUE_SOON_LISTED_MAX,
};
use crate::error::CreditError;
use crate::ids::{AccountId, TenantLocator};
use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Money;
use crate::search::{AccountFilter, CreditFilter, InvoiceFilter};
use crate::search_criteria::SearchCriteria;
use crate::store_config::StoreConfig;
use crate::timestamp::Timestamp;
use crate::wire::{AccountList, AccountSummary, AccountView, CreditList, InvoiceList, InvoiceView};

/// The format name a dump carries; a reader refuses any other.
pub const DUMP_FORMAT: &str = "creditdesk-dump/1";

/// The most accounts one dump may carry (the server's import reads no more).
pub const DUMP_ACCOUNTS_MAX: u32 = 10_000;

/// A store's data as one JSON document: its configuration and every account's whole book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dump {
    pub format: String,
    pub store_config: StoreConfig,
    pub books: Vec<Book>,
    /// The store's tenant locator (kept by the browser's store; a server has its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_locator: Option<TenantLocator>,
}

impl Dump {
    /// A dump as read from a file, written by this build or an older one: brought to this
    /// build's shape ([`accept_book`]), then [`Dump::check`]ed.
    pub fn accept(&mut self) -> Result<(), String> {
        for book in &mut self.books {
            book.upgrade_legacy_payments();
        }
        self.check()
    }

    /// Every book checked: the right format, at most [`DUMP_ACCOUNTS_MAX`] accounts, each once,
    /// each book's own invariants (balance = its entries, invoices = settlements, …).
    pub fn check(&self) -> Result<(), String> {
        if self.format != DUMP_FORMAT {
            return Err(format!(
                "format is {:?}; this build reads {DUMP_FORMAT:?}",
                self.format
            ));
        }
        if self.books.len() > DUMP_ACCOUNTS_MAX as usize {
            return Err(format!("more than {DUMP_ACCOUNTS_MAX} accounts"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for book in &self.books {
            let id = &book.account.id;
            if !seen.insert(id) {
                return Err(format!("account {id} is listed twice"));
            }
            check_book(book)?;
        }
        Ok(())
    }
}

/// The fields of a book in a dump (and of the server's import body).
pub const BOOK_FIELDS: &[&str] = &[
    "account",
    "holders",
    "transactions",
    "invoices",
    "entries",
    "credits",
];

/// A book as read from a dump or an import, written by this build or an older one: brought to
/// this build's shape (invoices paid before credits existed get their payment credit,
/// [`Book::upgrade_legacy_payments`]), then [`check_book`]ed.
pub fn accept_book(book: &mut Book) -> Result<(), String> {
    book.upgrade_legacy_payments();
    check_book(book)
}

/// One book as a dump carries it: every record its account's, and core's invariants held
/// (balance = its entries, invoices = settlements, no negative invoice).
pub fn check_book(book: &Book) -> Result<(), String> {
    let id = &book.account.id;
    let foreign = book.transactions.iter().any(|t| t.account_id != *id)
        || book.invoices.iter().any(|i| i.account_id != *id)
        || book.entries.iter().any(|e| e.account_id != *id)
        || book.credits.iter().any(|c| c.account_id != *id);
    if foreign {
        return Err(format!("account {id} holds records of another account"));
    }
    if book.holders.len() > usize::from(crate::account::HOLDERS_MAX) {
        return Err(format!(
            "account {id} has more than {} holders",
            crate::account::HOLDERS_MAX
        ));
    }
    check_texts(book).map_err(|why| format!("account {id}: {why}"))?;
    book.check_invariants()
        .map_err(|why| format!("account {id}: {why}"))
}

/// Every free text of a book held to the rule the API's reader of that field applies (a book
/// read whole is not read field by field): order ids and references are identifiers,
/// descriptions, observations, reasons and comments free text, payment links web URLs.
fn check_texts(book: &Book) -> Result<(), String> {
    use crate::commands::rules;
    use crate::company::PURCHASE_ORDER_RULE;
    let description = book.account.description.as_deref();
    text_ok(description, rules::DESCRIPTION, || "description".into())?;
    for t in &book.transactions {
        let place = || format!("transaction {} orderId", t.id);
        text_ok(Some(&t.order_id), rules::ORDER_ID, place)?;
    }
    for i in &book.invoices {
        let at = |field: &'static str| move || format!("invoice {} {field}", i.id);
        text_ok(Some(&i.order_id), rules::ORDER_ID, at("orderId"))?;
        text_ok(
            i.observation.as_deref(),
            rules::OBSERVATION,
            at("observation"),
        )?;
        if let Some(link) = &i.payment_link {
            crate::commands::web_url(&serde_json::Value::from(link.as_str()))
                .map_err(|why| format!("{} {why}", at("paymentLink")()))?;
        }
    }
    for (n, e) in book.entries.iter().enumerate() {
        // A debit's reason, or a company-credit comment (shorter, of the same kind).
        text_ok(e.reason.as_deref(), rules::REASON, || {
            format!("entry {n} reason")
        })?;
        let place = || format!("entry {n} purchaseOrder");
        text_ok(e.purchase_order.as_deref(), PURCHASE_ORDER_RULE, place)?;
    }
    for c in &book.credits {
        let at = |field: &'static str| move || format!("credit {} {field}", c.locator);
        text_ok(
            c.reference.as_deref(),
            rules::CREDIT_REFERENCE,
            at("reference"),
        )?;
        text_ok(c.reason.as_deref(), rules::REASON, at("reason"))?;
    }
    Ok(())
}

/// `text`, when there is one, allowed by `rule`; else why not, at `place`.
fn text_ok(
    text: Option<&str>,
    rule: crate::text::TextRule,
    place: impl FnOnce() -> String,
) -> Result<(), String> {
    match text.map(|text| crate::text::check(text, rule)) {
        Some(Err(why)) => Err(format!("{} {why}", place())),
        _ => Ok(()),
    }
}

/// How the store in memory numbers history entries (storage numbers them as it writes them):
/// the credit id × 10⁹ + the entry's position in its book, from 1 — so unsorted, its history
/// is by credit, each oldest first (storage's ids are the order of writing, store-wide).
pub fn history_id(credit: CreditId, index: usize) -> i64 {
    i64::from(credit.get()) * 1_000_000_000 + index as i64 + 1
}

/// The credit id and entry position of a [`history_id`].
pub fn history_entry(id: i64) -> Option<(CreditId, usize)> {
    let credit = u32::try_from(id / 1_000_000_000).ok()?;
    let index = usize::try_from(id % 1_000_000_000).ok()?.checked_sub(1)?;
    Some((CreditId::try_from(credit).ok()?, index))
}

/// The store configuration and every account, each account's book whole.
///
/// Invariant: every book passes [`Book::check_invariants`]; a command that would break one is
/// refused and changes nothing ([`Ledger::with_book`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    config: StoreConfig,
    books: BTreeMap<AccountId, Book>,
    tenant: Option<TenantLocator>,
}

impl Ledger {
    /// An empty store with the default configuration.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// The store a dump describes, once [`Dump::check`] accepts it.
    /// Accounts from before the company-credit numbers get theirs in the order they were
    /// opened; a company id held twice is refused.
    pub fn from_dump(mut dump: Dump) -> Result<Ledger, String> {
        dump.accept()?;
        let mut ledger = Ledger {
            tenant: dump.tenant_locator,
            config: dump.store_config,
            books: BTreeMap::new(),
        };
        let mut books = dump.books;
        crate::order::sort_by_key(&mut books, |b| {
            (b.account.company.credit_id.is_none(), b.account.created_at)
        });
        for mut book in books {
            let credit = book.account.company.credit_id;
            if credit.is_some()
                && ledger
                    .books
                    .values()
                    .any(|b| b.account.company.credit_id == credit)
            {
                return Err(format!(
                    "account {}: its credit id is another account's",
                    book.account.id
                ));
            }
            ledger.number(&mut book).map_err(|e| e.to_string())?;
            ledger.books.insert(book.account.id.clone(), book);
        }
        Ok(ledger)
    }

    /// Everything, as a dump (accounts in id order).
    pub fn dump(&self) -> Dump {
        Dump {
            format: DUMP_FORMAT.to_owned(),
            store_config: self.config.clone(),
            books: self.books.values().cloned().collect(),
            tenant_locator: self.tenant.clone(),
        }
    }

    /// The store's tenant locator, once one was given ([`Ledger::set_tenant`]).
    pub fn tenant(&self) -> Option<&TenantLocator> {
        self.tenant.as_ref()
    }

    pub fn set_tenant(&mut self, tenant: TenantLocator) {
        self.tenant = Some(tenant);
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    pub fn set_config(&mut self, config: StoreConfig) {
        self.config = config;
    }

    /// The account's book, or "no such account".
    pub fn book(&self, id: &AccountId) -> Result<&Book, CreditError> {
        self.books
            .get(id)
            .ok_or_else(|| CreditError::AccountNotFound(id.clone()))
    }

    /// The account holding the credit `locator` (what the server's storage looks up first).
    pub fn credit_owner(&self, locator: &crate::credit::CreditLocator) -> Option<AccountId> {
        self.books
            .values()
            .find(|b| b.credits.iter().any(|c| c.locator == *locator))
            .map(|b| b.account.id.clone())
    }

    /// Runs `command` on the account's slot (`None` when it does not exist; the command may
    /// create it). The change is kept only when the command succeeds and the book still holds
    /// its invariants: a refusal changes nothing.
    pub fn with_book<T, E>(
        &mut self,
        id: &AccountId,
        command: impl FnOnce(&mut Option<Book>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<CreditError>,
    {
        let mut slot = self.books.get(id).cloned();
        let answer = command(&mut slot)?;
        if let Some(mut book) = slot {
            debug_assert_eq!(book.account.id, *id, "a command changed the account's id");
            self.number(&mut book)?;
            if let Err(why) = book.check_invariants() {
                panic!("a command broke account {id}: {why}");
            }
            self.books.insert(id.clone(), book);
        }
        Ok(answer)
    }

    /// Gives a new account its credit id (and its company id when the store gave none) as
    /// storage does: the next number not yet used, skipping those taken as company ids; and
    /// refuses a company id another account has.
    fn number(&self, book: &mut Book) -> Result<(), CreditError> {
        let others = || {
            self.books
                .values()
                .filter(|b| b.account.id != book.account.id)
        };
        let taken =
            |company: CompanyId| others().any(|b| b.account.company.company_id == Some(company));
        if let Some(company) = book.account.company.company_id.filter(|c| taken(*c)) {
            return Err(CreditError::CompanyIdTaken(company));
        }
        if book.account.company.credit_id.is_none() {
            let last = others().filter_map(|b| b.account.company.credit_id).max();
            let mut next = last.map_or(1, |id| id.get() + 1);
            while taken(CompanyId::try_from(next).map_err(|_| CreditError::OutOfRange)?) {
                next += 1;
            }
            let credit = CreditId::try_from(next).map_err(|_| CreditError::OutOfRange)?;
            book.account.company.number(credit);
        }
        Ok(())
    }

    /// The book of the account with this credit id (the company-credit API's `id`).
    pub fn credit_book(&self, credit: CreditId) -> Option<&Book> {
        self.books
            .values()
            .find(|b| b.account.company.credit_id == Some(credit))
    }

    /// The company-credit history this store answers: every account's entries, numbered
    /// [`history_id`]s, selected, sorted and paged by `criteria` as storage's rows are.
    pub fn history(&self, criteria: &SearchCriteria) -> SearchResults<HistoryView> {
        let views = self.books.values().flat_map(|book| {
            let account = &book.account;
            let ids: Vec<i64> = match account.company.credit_id {
                Some(credit) => (0..book.entries.len())
                    .map(|i| history_id(credit, i))
                    .collect(),
                None => Vec::new(),
            };
            let entries = &book.entries[..ids.len()];
            crate::company::account_history(account, self.config.currency(), entries, &ids)
        });
        SearchResults::of(criteria, views)
    }

    /// `GET /accounts`: the page of matching accounts, oldest first (creation time, then id, as
    /// storage orders them), and how many match in all.
    pub fn accounts(&self, filter: &AccountFilter, now: Timestamp) -> AccountList {
        let tolerance = self.config.tolerance_enabled();
        let mut matching: Vec<&Book> = self
            .books
            .values()
            .filter(|b| filter.matches(&b.account))
            .collect();
        crate::order::sort_by(&mut matching, |a, b| {
            (a.account.created_at, &a.account.id).cmp(&(b.account.created_at, &b.account.id))
        });
        let count = matching.len() as u64;
        let data = matching
            .into_iter()
            .skip(filter.page.offset() as usize)
            .take(filter.page.size() as usize)
            .map(|b| {
                let balances =
                    crate::account::Balances::compute(&b.account, b.pre_authorized(now), tolerance);
                AccountView::new(&b.account, &balances)
            })
            .collect();
        AccountList {
            data,
            summary: AccountSummary { count },
        }
    }

    /// `GET /invoices` (or an account's, when the filter names it): core's own search over
    /// every invoice of the store, shown at `now`.
    pub fn invoices(&self, filter: &InvoiceFilter, now: Timestamp) -> InvoiceList {
        let invoices: Vec<Invoice> = self.all_invoices().cloned().collect();
        let (page, summary) = filter.search(&invoices);
        let policy = self.config.interest_policy();
        InvoiceList {
            data: page
                .into_iter()
                .map(|i| InvoiceView::new(i, &policy, now))
                .collect(),
            summary: summary.into(),
        }
    }

    /// A billing-credits list: core's own [`CreditFilter`] over every credit of the store.
    pub fn credits(&self, filter: &CreditFilter) -> CreditList {
        let credits = self.books.values().flat_map(|b| b.credits.iter());
        CreditList::select(filter, credits, self.config.currency())
    }

    /// Whether some account has an invoice `id` (ids are unique per account).
    pub fn has_invoice(&self, id: &crate::ids::InvoiceId) -> bool {
        self.all_invoices().any(|i| i.id == *id)
    }

    fn all_invoices(&self) -> impl Iterator<Item = &Invoice> {
        self.books.values().flat_map(|b| b.invoices.iter())
    }

    /// The dashboard at `now`, folded by [`Dashboard`] from the same figures storage sums.
    pub fn dashboard(&self, now: Timestamp) -> Dashboard {
        let tolerance = self.config.tolerance_enabled();
        let mut dashboard = Dashboard::new();
        for book in self.books.values() {
            let figures = AccountFigures {
                status: book.account.status,
                credit_limit: book.account.credit_limit,
                tolerance: book.account.tolerance,
                balance: book.account.balance,
                held: book.pre_authorized(now),
            };
            dashboard.add_account(&figures, tolerance);
        }
        let open = || {
            self.all_invoices()
                .filter(|i| i.status == InvoiceStatus::Opened)
        };
        let due_within = |i: &Invoice, from: Option<i64>, before: Option<i64>| {
            let due = i.due_date.unix_micros();
            from.is_none_or(|from| due >= from) && before.is_none_or(|before| due < before)
        };
        let total = |invoices: &[&Invoice]| {
            Money::saturating_from_minor(
                invoices
                    .iter()
                    .map(|i| i.remaining().minor())
                    .fold(0i64, i64::saturating_add),
            )
        };
        for bucket in AgingBucket::ALL {
            let (from, before) = bucket.due_range(now);
            let within: Vec<&Invoice> = open().filter(|i| due_within(i, from, before)).collect();
            dashboard.set_aging(bucket, within.len() as u64, total(&within));
        }
        let soon_before = now.plus_days(DUE_SOON_DAYS).map(|t| t.unix_micros());
        let mut soon: Vec<&Invoice> = open()
            .filter(|i| due_within(i, Some(now.unix_micros()), soon_before))
            .collect();
        let policy = self.config.interest_policy();
        for invoice in open().filter(|i| i.due_date < now) {
            dashboard.add_interest(invoice, &policy, now);
        }
        crate::order::sort_by_key(&mut soon, |i| i.due_date);
        dashboard.due_soon.count = soon.len() as u64;
        dashboard.due_soon.total = total(&soon);
        dashboard.due_soon.invoices = soon
            .into_iter()
            .take(DUE_SOON_LISTED_MAX as usize)
            .map(|i| InvoiceView::new(i, &policy, now))
            .collect();
        dashboard
    }
}
