//! Search filters as data: parsed from query parameters once, evaluated in memory here, and
//! translated to SQL by the server (its tests compare the two answers).

use crate::account::{Account, AccountStatus};
use crate::credit::{Credit, CreditKind, CreditLocator, CreditState};
use crate::ids::{AccountId, Document, Email, FriendlyId, InvoiceId};
use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Money;
use crate::text::{TextKind, TextRule};
use crate::timestamp::Timestamp;
use crate::validation::ValidationErrors;

/// Items per page when `to` is left out.
pub const PAGE_SIZE_DEFAULT: u32 = 20;
/// Most items one page may hold (`to - from + 1`).
pub const PAGE_SIZE_MAX: u32 = 1000;
/// Longest text searched for in observations.
pub const NEEDLE_CHARS_MAX: u32 = 200;

/// Positions `from..=to`, 1-based, as the spec's `from=1&to=300` (300 items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    from: u32,
    to: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            from: 1,
            to: PAGE_SIZE_DEFAULT,
        }
    }
}

impl Page {
    pub fn new(from: u32, to: u32) -> Option<Page> {
        (from >= 1 && to >= from && to - from < PAGE_SIZE_MAX).then_some(Page { from, to })
    }
    pub fn from(self) -> u32 {
        self.from
    }
    pub fn to(self) -> u32 {
        self.to
    }
    /// Items skipped (SQL `OFFSET`).
    pub fn offset(self) -> u32 {
        self.from - 1
    }
    /// Items taken (SQL `LIMIT`).
    pub fn size(self) -> u32 {
        self.to - self.from + 1
    }

    pub(crate) fn read(
        from: Option<&str>,
        to: Option<&str>,
        errors: &mut ValidationErrors,
    ) -> Page {
        let number =
            |key: &str, text: &str, errors: &mut ValidationErrors| match text.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(key, "must be a whole number from 1");
                    None
                }
            };
        let from_n = from.map_or(Some(1), |t| number("from", t, errors));
        let to_n = match to {
            Some(t) => number("to", t, errors),
            None => from_n.map(|f| f.saturating_add(PAGE_SIZE_DEFAULT - 1)),
        };
        match (from_n, to_n) {
            (Some(f), Some(t)) if t < f => errors.push("to", "must not be below from"),
            (Some(f), Some(t)) if t - f >= PAGE_SIZE_MAX => errors.push(
                "to",
                format!("a page holds at most {PAGE_SIZE_MAX} items (to - from + 1)"),
            ),
            (Some(f), Some(t)) => return Page { from: f, to: t },
            _ => {}
        }
        Page::default()
    }
}

/// How conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Op {
    /// Every condition holds (the default).
    #[default]
    And,
    /// At least one holds (no condition: everything).
    Or,
}

impl std::str::FromStr for Op {
    type Err = &'static str;

    /// `and` or `or`, in any letter case.
    fn from_str(text: &str) -> Result<Op, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "and" => Ok(Op::And),
            "or" => Ok(Op::Or),
            _ => Err("must be and or or"),
        }
    }
}

/// One condition on invoices. Upper bounds are exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceCondition {
    CreatedFrom(Timestamp),
    CreatedBefore(Timestamp),
    DueFrom(Timestamp),
    DueBefore(Timestamp),
    Value(Money),
    /// Any of these statuses.
    StatusIn(Vec<InvoiceStatus>),
    FriendlyId(FriendlyId),
    /// Case-folded text the observation contains (see [`fold`]).
    ObservationContains(String),
    Account(AccountId),
}

impl InvoiceCondition {
    pub fn matches(&self, invoice: &Invoice) -> bool {
        match self {
            InvoiceCondition::CreatedFrom(at) => invoice.created_at >= *at,
            InvoiceCondition::CreatedBefore(at) => invoice.created_at < *at,
            InvoiceCondition::DueFrom(at) => invoice.due_date >= *at,
            InvoiceCondition::DueBefore(at) => invoice.due_date < *at,
            InvoiceCondition::Value(value) => invoice.value == *value,
            InvoiceCondition::StatusIn(statuses) => statuses.contains(&invoice.status),
            InvoiceCondition::FriendlyId(id) => invoice.friendly_id == *id,
            InvoiceCondition::ObservationContains(needle) => invoice
                .observation
                .as_deref()
                .is_some_and(|o| fold(o).contains(needle.as_str())),
            InvoiceCondition::Account(id) => invoice.account_id == *id,
        }
    }
}

/// Text as compared by searches: lower case (Unicode). The server stores observations folded
/// the same way, so SQL `LIKE` and this agree on both engines.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// `GET /invoices` (and an account's invoices): conditions, how they combine, and the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceFilter {
    pub conditions: Vec<InvoiceCondition>,
    pub op: Op,
    pub page: Page,
    /// Only this account's invoices, whatever `op` combines the conditions with.
    pub account: Option<AccountId>,
}

/// The query parameters of invoice searches.
pub const INVOICE_PARAMETERS: [&str; 12] = [
    "from",
    "to",
    "createdDateFrom",
    "createdDateTo",
    "dueDateFrom",
    "dueDateTo",
    "value",
    "status",
    "friendlyId",
    "observation",
    "creditAccountId",
    "op",
];

/// A date bound from a query: an upper bound is included (see [`Timestamp::parse_upper_bound`]).
fn bound(text: &str, upper: bool) -> Result<Timestamp, String> {
    let at = if upper {
        Timestamp::parse_upper_bound(text)
    } else {
        text.parse()
    };
    at.map_err(|e| e.to_string())
}

impl InvoiceFilter {
    /// From query parameters (decoded pairs, in order). Unknown or repeated parameters are
    /// refused; `status` may list several statuses separated by commas (any of them matches).
    pub fn from_query(params: &[(String, String)]) -> Result<InvoiceFilter, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut filter = InvoiceFilter::default();
        let mut seen: Vec<&str> = Vec::new();
        let (mut from, mut to) = (None, None);
        let mut statuses = Vec::new();
        for (key, value) in params {
            let key = key.as_str();
            if !INVOICE_PARAMETERS.contains(&key) {
                errors.push(
                    key,
                    format!(
                        "unknown parameter; the parameters are {}",
                        INVOICE_PARAMETERS.join(", ")
                    ),
                );
                continue;
            }
            if seen.contains(&key) {
                errors.push(key, "is given twice");
                continue;
            }
            seen.push(key);
            let mut push = |condition: Result<InvoiceCondition, String>| match condition {
                Ok(condition) => filter.conditions.push(condition),
                Err(message) => errors.push(key, message),
            };
            match key {
                "from" => from = Some(value.as_str()),
                "to" => to = Some(value.as_str()),
                "createdDateFrom" => push(bound(value, false).map(InvoiceCondition::CreatedFrom)),
                "createdDateTo" => push(bound(value, true).map(InvoiceCondition::CreatedBefore)),
                "dueDateFrom" => push(bound(value, false).map(InvoiceCondition::DueFrom)),
                "dueDateTo" => push(bound(value, true).map(InvoiceCondition::DueBefore)),
                "value" => push(
                    value
                        .parse::<Money>()
                        .map(InvoiceCondition::Value)
                        .map_err(|e| e.to_string()),
                ),
                "friendlyId" => push(
                    value
                        .parse()
                        .map(InvoiceCondition::FriendlyId)
                        .map_err(str::to_owned),
                ),
                "creditAccountId" => push(
                    value
                        .parse()
                        .map(InvoiceCondition::Account)
                        .map_err(str::to_owned),
                ),
                "observation" => push(
                    match crate::text::check(
                        value,
                        TextRule::new(TextKind::Line, NEEDLE_CHARS_MAX).not_blank(),
                    ) {
                        Ok(()) => Ok(InvoiceCondition::ObservationContains(fold(value))),
                        Err(e) => Err(e.to_string()),
                    },
                ),
                "status" => {
                    for part in value.split(',') {
                        match part.trim().parse::<InvoiceStatus>() {
                            Ok(status) if !statuses.contains(&status) => statuses.push(status),
                            Ok(_) => {}
                            Err(message) => errors.push(key, message),
                        }
                    }
                }
                "op" => match value.parse() {
                    Ok(op) => filter.op = op,
                    Err(message) => errors.push(key, message),
                },
                _ => unreachable!("every known parameter is handled"),
            }
        }
        if !statuses.is_empty() {
            filter.conditions.push(InvoiceCondition::StatusIn(statuses));
        }
        filter.page = Page::read(from, to, &mut errors);
        errors.into_result(filter)
    }

    pub fn matches(&self, invoice: &Invoice) -> bool {
        if self
            .account
            .as_ref()
            .is_some_and(|a| invoice.account_id != *a)
        {
            return false;
        }
        match self.op {
            Op::And => self.conditions.iter().all(|c| c.matches(invoice)),
            Op::Or => {
                self.conditions.is_empty() || self.conditions.iter().any(|c| c.matches(invoice))
            }
        }
    }

    /// The statuses this filter selects when status is all it looks at (no account, no other
    /// condition): then exactly the invoices of these statuses match. `None` when it looks at
    /// anything else. Storage answers such a filter's summary from per-status totals.
    pub fn statuses_only(&self) -> Option<Vec<InvoiceStatus>> {
        if self.account.is_some() {
            return None;
        }
        let mut sets = Vec::new();
        for condition in &self.conditions {
            match condition {
                InvoiceCondition::StatusIn(statuses) => sets.push(statuses),
                _ => return None,
            }
        }
        let selected = |status: &InvoiceStatus| match self.op {
            Op::And => sets.iter().all(|s| s.contains(status)),
            Op::Or => sets.is_empty() || sets.iter().any(|s| s.contains(status)),
        };
        Some(InvoiceStatus::ALL.into_iter().filter(selected).collect())
    }

    /// The page of matching invoices, oldest first (creation time, then id), and the summary of
    /// every match (not only the page).
    pub fn search<'a>(&self, invoices: &'a [Invoice]) -> (Vec<&'a Invoice>, InvoiceSummary) {
        let mut matching: Vec<&Invoice> = invoices.iter().filter(|i| self.matches(i)).collect();
        crate::order::sort_by(&mut matching, |a, b| {
            (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
        });
        let summary = InvoiceSummary::of(matching.iter().copied());
        let page = matching
            .into_iter()
            .skip(self.page.offset() as usize)
            .take(self.page.size() as usize)
            .collect();
        (page, summary)
    }
}

/// Totals of a whole filtered set: `total` still open, `count` of invoices, and what was paid
/// and cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvoiceSummary {
    pub total: Money,
    pub count: u64,
    pub total_paid: Money,
    pub total_cancelled: Money,
}

impl InvoiceSummary {
    pub fn of<'a>(invoices: impl Iterator<Item = &'a Invoice>) -> InvoiceSummary {
        let mut summary = InvoiceSummary::default();
        for invoice in invoices {
            summary.add(invoice.status, 1, invoice.summary_value());
        }
        summary
    }

    /// Counts `count` more invoices of `status`, worth `value` together (storage adds its
    /// per-status totals this way).
    pub fn add(&mut self, status: InvoiceStatus, count: u64, value: Money) {
        self.count += count;
        let slot = match status {
            InvoiceStatus::Opened => &mut self.total,
            InvoiceStatus::Paid => &mut self.total_paid,
            InvoiceStatus::Cancelled => &mut self.total_cancelled,
        };
        *slot = Money::saturating_from_minor(slot.minor().saturating_add(value.minor()));
    }
}

/// One condition on accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCondition {
    Status(AccountStatus),
    /// Folded email (see [`fold`]); matches the whole address, letter case aside.
    Email(String),
    /// The buyer's document, exactly (whatever its type).
    Document(Document),
}

impl AccountCondition {
    pub fn matches(&self, account: &Account) -> bool {
        match self {
            AccountCondition::Status(status) => account.status == *status,
            AccountCondition::Email(email) => account
                .email
                .as_ref()
                .is_some_and(|a| fold(a.as_str()) == *email),
            AccountCondition::Document(document) => account.id.parts().0 == *document,
        }
    }
}

/// `GET /accounts`: conditions on status, email and document, how they combine (`op`, as on
/// invoice searches), and the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountFilter {
    pub conditions: Vec<AccountCondition>,
    pub op: Op,
    pub page: Page,
}

pub const ACCOUNT_PARAMETERS: [&str; 6] = ["from", "to", "status", "email", "document", "op"];

impl AccountFilter {
    pub fn from_query(params: &[(String, String)]) -> Result<AccountFilter, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut filter = AccountFilter::default();
        let mut seen: Vec<&str> = Vec::new();
        let (mut from, mut to) = (None, None);
        for (key, value) in params {
            let key = key.as_str();
            if !ACCOUNT_PARAMETERS.contains(&key) {
                errors.push(
                    key,
                    format!(
                        "unknown parameter; the parameters are {}",
                        ACCOUNT_PARAMETERS.join(", ")
                    ),
                );
                continue;
            }
            if seen.contains(&key) {
                errors.push(key, "is given twice");
                continue;
            }
            seen.push(key);
            let mut push = |condition: Result<AccountCondition, String>| match condition {
                Ok(condition) => filter.conditions.push(condition),
                Err(message) => errors.push(key, message),
            };
            match key {
                "from" => from = Some(value.as_str()),
                "to" => to = Some(value.as_str()),
                "status" => push(match value.to_ascii_lowercase().as_str() {
                    "open" => Ok(AccountCondition::Status(AccountStatus::Open)),
                    "closed" => Ok(AccountCondition::Status(AccountStatus::Closed)),
                    _ => Err("must be Open or Closed".to_owned()),
                }),
                "email" => push(
                    value
                        .parse::<Email>()
                        .map(|email| AccountCondition::Email(fold(email.as_str())))
                        .map_err(str::to_owned),
                ),
                "document" => push(
                    value
                        .parse::<Document>()
                        .map(AccountCondition::Document)
                        .map_err(str::to_owned),
                ),
                "op" => match value.parse() {
                    Ok(op) => filter.op = op,
                    Err(message) => errors.push(key, message),
                },
                _ => unreachable!("every known parameter is handled"),
            }
        }
        filter.page = Page::read(from, to, &mut errors);
        errors.into_result(filter)
    }

    pub fn matches(&self, account: &Account) -> bool {
        match self.op {
            Op::And => self.conditions.iter().all(|c| c.matches(account)),
            Op::Or => {
                self.conditions.is_empty() || self.conditions.iter().any(|c| c.matches(account))
            }
        }
    }
}

/// Credits per page when `count` is left out.
pub const CREDIT_COUNT_DEFAULT: u32 = 100;
/// Most credits one page may hold (`count`).
pub const CREDIT_COUNT_MAX: u32 = 1000;

/// One condition on credits; a [`CreditFilter`] holds when all of its do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditCondition {
    Locator(CreditLocator),
    Account(AccountId),
    Invoice(InvoiceId),
    Kind(CreditKind),
    State(CreditState),
}

impl CreditCondition {
    pub fn matches(&self, credit: &Credit) -> bool {
        match self {
            CreditCondition::Locator(locator) => credit.locator == *locator,
            CreditCondition::Account(id) => credit.account_id == *id,
            CreditCondition::Invoice(id) => credit.invoice_id == *id,
            CreditCondition::Kind(kind) => credit.kind == *kind,
            CreditCondition::State(state) => credit.state() == *state,
        }
    }
}

/// Which billing-credits list a query reads, and so which parameters it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditScope {
    /// `GET /billing/{tenant}/credits/list`: every credit of the store.
    Store,
    /// `GET /billing/{tenant}/shortfallCredits/list`: the shortfall write-offs.
    Shortfalls,
    /// `GET /billing/{tenant}/invoices/{locator}/credits/list`: one invoice's (posted ones
    /// unless `includeReversed=true`). Invoice ids are unique per account: `accountLocator`
    /// picks the account when two share one.
    Invoice(InvoiceId),
}

/// How much of each credit a list writes: the reference's `CreditResponse` properties, or
/// (`extended=true`) Creditdesk's additions too (targets, createdBy, reference, reason, parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreditDetail {
    #[default]
    Brief,
    Extended,
}

/// A page of credits, oldest first (by locator, which is time first): `offset` skipped, at most
/// `count` taken. Read from the billing-credits API's query, evaluated in memory here and
/// translated to SQL by storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditFilter {
    pub conditions: Vec<CreditCondition>,
    offset: u32,
    count: u32,
    pub detail: CreditDetail,
}

/// The parameters each [`CreditScope`] takes.
pub const CREDIT_PARAMETERS: &[&str] = &["accountLocator", "offset", "count", "extended"];
pub const INVOICE_CREDIT_PARAMETERS: &[&str] = &[
    "accountLocator",
    "includeReversed",
    "offset",
    "count",
    "extended",
];

impl CreditFilter {
    /// Every credit matching `conditions`, in one page of the most a page may hold.
    pub fn of(conditions: Vec<CreditCondition>) -> CreditFilter {
        CreditFilter {
            conditions,
            offset: 0,
            count: CREDIT_COUNT_MAX,
            detail: CreditDetail::Extended,
        }
    }

    /// The shortfall write-off `locator` (`GET /billing/{tenant}/shortfallCredits/{locator}`):
    /// a credit of another type is not one.
    pub fn shortfall(locator: CreditLocator) -> CreditFilter {
        CreditFilter::of(vec![
            CreditCondition::Kind(CreditKind::ShortfallWriteOff),
            CreditCondition::Locator(locator),
        ])
    }

    /// From the query parameters of the list `scope` (decoded pairs, in order). An empty value
    /// is absent; unknown or repeated parameters are refused, naming them.
    pub fn from_query(
        params: &[(String, String)],
        scope: &CreditScope,
    ) -> Result<CreditFilter, ValidationErrors> {
        let known = match scope {
            CreditScope::Invoice(_) => INVOICE_CREDIT_PARAMETERS,
            CreditScope::Store | CreditScope::Shortfalls => CREDIT_PARAMETERS,
        };
        let mut errors = ValidationErrors::new();
        let mut filter = CreditFilter {
            conditions: Vec::new(),
            offset: 0,
            count: CREDIT_COUNT_DEFAULT,
            detail: CreditDetail::Brief,
        };
        match scope {
            CreditScope::Store => {}
            CreditScope::Shortfalls => filter
                .conditions
                .push(CreditCondition::Kind(CreditKind::ShortfallWriteOff)),
            CreditScope::Invoice(id) => {
                filter.conditions.push(CreditCondition::Invoice(id.clone()))
            }
        }
        let mut include_reversed = false;
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in params {
            let key = key.as_str();
            if !known.contains(&key) {
                errors.push(
                    key,
                    format!("unknown parameter; the parameters are {}", known.join(", ")),
                );
                continue;
            }
            if seen.contains(&key) {
                errors.push(key, "is given twice");
                continue;
            }
            seen.push(key);
            if value.is_empty() {
                continue;
            }
            match key {
                "accountLocator" => match value.parse() {
                    Ok(id) => filter.conditions.push(CreditCondition::Account(id)),
                    Err(message) => errors.push(key, message),
                },
                "offset" => match value.parse::<u32>() {
                    Ok(n) => filter.offset = n,
                    Err(_) => errors.push(key, "must be a whole number from 0"),
                },
                "count" => match value.parse::<u32>() {
                    Ok(n) if (1..=CREDIT_COUNT_MAX).contains(&n) => filter.count = n,
                    _ => errors.push(
                        key,
                        format!("must be a whole number from 1 to {CREDIT_COUNT_MAX}"),
                    ),
                },
                "extended" => match read_flag(value) {
                    Ok(true) => filter.detail = CreditDetail::Extended,
                    Ok(false) => filter.detail = CreditDetail::Brief,
                    Err(message) => errors.push(key, message),
                },
                "includeReversed" => match read_flag(value) {
                    Ok(flag) => include_reversed = flag,
                    Err(message) => errors.push(key, message),
                },
                _ => unreachable!("every known parameter is handled"),
            }
        }
        if matches!(scope, CreditScope::Invoice(_)) && !include_reversed {
            filter
                .conditions
                .push(CreditCondition::State(CreditState::Posted));
        }
        errors.into_result(filter)
    }

    /// Credits skipped (SQL `OFFSET`).
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Most credits taken (SQL `LIMIT`).
    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn matches(&self, credit: &Credit) -> bool {
        self.conditions.iter().all(|c| c.matches(credit))
    }

    /// The page of `credits` this filter selects, oldest first, and whether it reached the end
    /// (`listCompleted`: no matching credit lies beyond it).
    pub fn select<'a>(&self, credits: impl Iterator<Item = &'a Credit>) -> (Vec<&'a Credit>, bool) {
        let mut matching: Vec<&Credit> = credits.filter(|c| self.matches(c)).collect();
        crate::order::sort_by(&mut matching, |a, b| a.locator.cmp(&b.locator));
        let rest: Vec<&Credit> = matching.into_iter().skip(self.offset as usize).collect();
        let completed = rest.len() <= self.count as usize;
        (
            rest.into_iter().take(self.count as usize).collect(),
            completed,
        )
    }
}

/// A query's `true` or `false` (in any letter case).
fn read_flag(text: &str) -> Result<bool, &'static str> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false"),
    }
}
