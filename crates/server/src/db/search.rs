//! Core's search filters translated to SQL. Tests run the same filters through
//! `creditdesk_core::search` in memory and compare.

use creditdesk_core::account::Balances;
use creditdesk_core::credit::{Credit, CreditState};
use creditdesk_core::ids::InvoiceId;
use creditdesk_core::invoice::{Invoice, InvoiceStatus};
use creditdesk_core::search::{
    AccountCondition, AccountFilter, CreditCondition, CreditFilter, InvoiceCondition,
    InvoiceFilter, InvoiceSummary, Op,
};
use creditdesk_core::wire::AccountView;
use creditdesk_core::{Money, Timestamp};
use sqlx::FromRow;

use super::books::{
    AccountWithHeld, CreditRow, InvoiceRow, ACCOUNT_COLUMNS, CREDIT_COLUMNS, INVOICE_COLUMNS,
};
use super::engine::Arg;
use super::Db;
use super::StorageError;

/// What an invoice still owes (open) or had cancelled (cancelled), in SQL: core's
/// `Invoice::summary_value` of those statuses.
pub(crate) const OWED_SQL: &str = "(value_minor - paid_minor - written_off_minor)";

/// A `WHERE` clause with `$n` placeholders and their values.
#[derive(Debug, Default)]
pub(super) struct Where {
    pub(super) sql: String,
    pub(super) binds: Vec<Arg>,
}

impl Where {
    /// `$n` standing for `bind`, the next value.
    pub(super) fn placeholder(&mut self, bind: Arg) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }
}

/// `LIKE` pattern for "contains", with `\` escaping the wildcards.
fn contains_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn invoice_where(filter: &InvoiceFilter) -> Where {
    let mut w = Where::default();
    let scope = filter
        .account
        .as_ref()
        .map(|id| format!("account_id = {}", w.placeholder(Arg::from(id.to_string()))));
    let mut parts = Vec::new();
    for condition in &filter.conditions {
        let part = match condition {
            InvoiceCondition::CreatedFrom(at) => format!(
                "created_at_us >= {}",
                w.placeholder(Arg::from(at.unix_micros()))
            ),
            InvoiceCondition::CreatedBefore(at) => format!(
                "created_at_us < {}",
                w.placeholder(Arg::from(at.unix_micros()))
            ),
            InvoiceCondition::DueFrom(at) => format!(
                "due_date_us >= {}",
                w.placeholder(Arg::from(at.unix_micros()))
            ),
            InvoiceCondition::DueBefore(at) => format!(
                "due_date_us < {}",
                w.placeholder(Arg::from(at.unix_micros()))
            ),
            InvoiceCondition::Value(value) => {
                format!("value_minor = {}", w.placeholder(Arg::from(value.minor())))
            }
            InvoiceCondition::StatusIn(statuses) => {
                let list: Vec<String> = statuses
                    .iter()
                    .map(|s| w.placeholder(Arg::from(s.as_str().to_owned())))
                    .collect();
                format!("status IN ({})", list.join(", "))
            }
            InvoiceCondition::FriendlyId(id) => {
                format!("friendly_id = {}", w.placeholder(Arg::from(id.to_string())))
            }
            InvoiceCondition::ObservationContains(needle) => format!(
                "observation_folded LIKE {} ESCAPE '\\'",
                w.placeholder(Arg::from(contains_pattern(needle)))
            ),
            InvoiceCondition::Account(id) => {
                format!("account_id = {}", w.placeholder(Arg::from(id.to_string())))
            }
        };
        parts.push(format!("({part})"));
    }
    let conditions = (!parts.is_empty()).then(|| format!("({})", parts.join(join_of(filter.op))));
    let all: Vec<String> = scope.into_iter().chain(conditions).collect();
    if !all.is_empty() {
        w.sql = format!(" WHERE {}", all.join(" AND "));
    }
    w
}

fn credit_where(filter: &CreditFilter) -> Where {
    let mut w = Where::default();
    let mut parts = Vec::new();
    for condition in &filter.conditions {
        let part = match condition {
            CreditCondition::Locator(locator) => format!(
                "locator = {}",
                w.placeholder(Arg::from(locator.as_str().to_owned()))
            ),
            CreditCondition::Account(id) => {
                format!("account_id = {}", w.placeholder(Arg::from(id.to_string())))
            }
            CreditCondition::Invoice(id) => {
                format!("invoice_id = {}", w.placeholder(Arg::from(id.to_string())))
            }
            CreditCondition::Kind(kind) => format!(
                "kind = {}",
                w.placeholder(Arg::from(kind.as_str().to_owned()))
            ),
            CreditCondition::State(CreditState::Posted) => "reversed_at_us IS NULL".to_owned(),
            CreditCondition::State(CreditState::Reversed) => {
                "reversed_at_us IS NOT NULL".to_owned()
            }
        };
        parts.push(format!("({part})"));
    }
    if !parts.is_empty() {
        w.sql = format!(" WHERE {}", parts.join(" AND "));
    }
    w
}

#[derive(FromRow)]
struct SummaryRow {
    count: i64,
    open_minor: i64,
    paid_total_minor: i64,
    cancelled_minor: i64,
}

impl Db {
    /// The page of invoices matching `filter` (oldest first) and the summary of every match.
    pub async fn search_invoices(
        &self,
        filter: &InvoiceFilter,
    ) -> Result<(Vec<Invoice>, InvoiceSummary), StorageError> {
        let w = invoice_where(filter);
        let page_sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices{} ORDER BY created_at_us, {} LIMIT {} OFFSET {}",
            w.sql,
            self.pool.by_id(),
            filter.page.size(),
            filter.page.offset()
        );
        let summary_sql = format!(
            "SELECT COUNT(*) AS count, \
             CAST(COALESCE(SUM(CASE WHEN status = 'Opened' THEN {OWED_SQL} ELSE 0 END), 0) AS BIGINT) AS open_minor, \
             CAST(COALESCE(SUM(CASE WHEN status = 'Paid' THEN value_minor ELSE 0 END), 0) AS BIGINT) AS paid_total_minor, \
             CAST(COALESCE(SUM(CASE WHEN status = 'Cancelled' THEN {OWED_SQL} ELSE 0 END), 0) AS BIGINT) AS cancelled_minor \
             FROM invoices{}",
            w.sql
        );
        let rows: Vec<InvoiceRow> = self.pool.fetch_all(&page_sql, w.binds.clone()).await?;
        let invoices = rows
            .into_iter()
            .map(InvoiceRow::into_invoice)
            .collect::<Result<_, StorageError>>()?;
        if let Some(statuses) = filter.statuses_only() {
            return Ok((invoices, self.summary_from_totals(&statuses).await?));
        }
        let summary: SummaryRow = self.pool.fetch_one(&summary_sql, w.binds).await?;
        let money = Money::saturating_from_minor;
        let summary = InvoiceSummary {
            total: money(summary.open_minor),
            count: u64::try_from(summary.count).unwrap_or_default(),
            total_paid: money(summary.paid_total_minor),
            total_cancelled: money(summary.cancelled_minor),
        };
        Ok((invoices, summary))
    }

    /// The page of credits `filter` selects (oldest first), and whether it reached the end:
    /// one more row than the page holds is asked for, so the answer needs no count.
    pub async fn search_credits(
        &self,
        filter: &CreditFilter,
    ) -> Result<(Vec<Credit>, bool), StorageError> {
        let w = credit_where(filter);
        let sql = format!(
            "SELECT {CREDIT_COLUMNS} FROM credits{} ORDER BY {} LIMIT {} OFFSET {}",
            w.sql,
            self.pool.in_byte_order("locator"),
            u64::from(filter.count()) + 1,
            filter.offset()
        );
        let rows: Vec<CreditRow> = self.pool.fetch_all(&sql, w.binds).await?;
        let completed = rows.len() <= filter.count() as usize;
        let credits = rows
            .into_iter()
            .take(filter.count() as usize)
            .map(CreditRow::into_credit)
            .collect::<Result<_, StorageError>>()?;
        Ok((credits, completed))
    }

    /// Up to `rows_max` invoices matching `filter` (its page aside) that come after `after`
    /// (an [`invoice_cursor`]; `None`: from the first), in the search's order: how an export
    /// reads every match in constant memory, each batch one index range, never an `OFFSET`
    /// that grows.
    pub async fn invoices_after(
        &self,
        filter: &InvoiceFilter,
        after: Option<&(i64, InvoiceId)>,
        rows_max: u32,
    ) -> Result<Vec<Invoice>, StorageError> {
        let mut w = invoice_where(filter);
        let by_id = self.pool.by_id();
        if let Some((at_us, id)) = after {
            let at = w.placeholder(Arg::from(*at_us));
            let same = w.placeholder(Arg::from(*at_us));
            let id = w.placeholder(Arg::from(id.to_string()));
            // The lower bound stands alone so the creation index's range scan serves it (an
            // OR of the two cases made PostgreSQL sort every later row for each batch).
            let cursor =
                format!("(created_at_us >= {at} AND (created_at_us > {same} OR {by_id} > {id}))");
            w.sql = if w.sql.is_empty() {
                format!(" WHERE {cursor}")
            } else {
                format!("{} AND {cursor}", w.sql)
            };
        }
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices{} ORDER BY created_at_us, {by_id} LIMIT {rows_max}",
            w.sql
        );
        let rows: Vec<InvoiceRow> = self.pool.fetch_all(&sql, w.binds).await?;
        rows.into_iter().map(InvoiceRow::into_invoice).collect()
    }

    /// Whether some account has an invoice `id` (invoice ids are unique per account).
    pub async fn invoice_exists(&self, id: &InvoiceId) -> Result<bool, StorageError> {
        let sql = "SELECT account_id FROM invoices WHERE id = $1 LIMIT 1";
        let row: Option<(String,)> = self
            .pool
            .fetch_optional(sql, vec![id.to_string().into()])
            .await?;
        Ok(row.is_some())
    }

    /// The summary of every invoice of `statuses`, from the per-status totals kept with the
    /// invoices (`invoice_totals`): a few rows read, whatever the number of invoices.
    async fn summary_from_totals(
        &self,
        statuses: &[InvoiceStatus],
    ) -> Result<InvoiceSummary, StorageError> {
        let sql = "SELECT status, CAST(SUM(invoice_count) AS BIGINT), \
                   CAST(SUM(value_minor) AS BIGINT) FROM invoice_totals GROUP BY status";
        let rows: Vec<(String, i64, i64)> = self.pool.fetch_all(sql, Vec::new()).await?;
        let mut summary = InvoiceSummary::default();
        for (status, count, value_minor) in rows {
            let status: InvoiceStatus = status
                .parse()
                .map_err(|e| StorageError::corrupt(format!("invoice total of {status:?}: {e}")))?;
            if statuses.contains(&status) {
                let count = u64::try_from(count)
                    .map_err(|_| StorageError::corrupt(format!("{count} invoices {status:?}")))?;
                summary.add(status, count, Money::saturating_from_minor(value_minor));
            }
        }
        Ok(summary)
    }

    /// The page of accounts matching `filter` (oldest first) with their balances at `now`, and
    /// how many match in all.
    pub async fn search_accounts(
        &self,
        filter: &AccountFilter,
        now: Timestamp,
        tolerance_enabled: bool,
    ) -> Result<(Vec<AccountView>, u64), StorageError> {
        let mut w = Where::default();
        let parts: Vec<String> = filter
            .conditions
            .iter()
            .map(|condition| match condition {
                AccountCondition::Status(status) => format!(
                    "(status = {})",
                    w.placeholder(Arg::from(status.as_str().to_owned()))
                ),
                AccountCondition::Email(email) => format!(
                    "(email_folded = {})",
                    w.placeholder(Arg::from(email.clone()))
                ),
                AccountCondition::Document(document) => format!(
                    "(document = {})",
                    w.placeholder(Arg::from(document.as_str().to_owned()))
                ),
            })
            .collect();
        let where_sql = if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(join_of(filter.op)))
        };
        let count_sql = format!("SELECT COUNT(*) FROM accounts{where_sql}");
        let filter_binds = w.binds.len();
        let now_placeholder = w.placeholder(Arg::from(now.unix_micros()));
        let page_sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, \
             (SELECT CAST(COALESCE(SUM(t.value_minor), 0) AS BIGINT) FROM transactions t \
              WHERE t.account_id = accounts.id AND {}) AS held_minor \
             FROM accounts{where_sql} ORDER BY created_at_us, {} LIMIT {} OFFSET {}",
            super::active_hold_sql(Some("t"), &now_placeholder),
            self.pool.by_id(),
            filter.page.size(),
            filter.page.offset()
        );
        let count_binds = w.binds[..filter_binds].to_vec();
        let rows: Vec<AccountWithHeld> = self.pool.fetch_all(&page_sql, w.binds).await?;
        let (count,): (i64,) = self.pool.fetch_one(&count_sql, count_binds).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let account = row.account.into_account()?;
            let balances = Balances::compute(
                &account,
                Money::saturating_from_minor(row.held_minor),
                tolerance_enabled,
            );
            views.push(AccountView::new(&account, &balances));
        }
        Ok((views, u64::try_from(count).unwrap_or_default()))
    }
}

/// How SQL joins conditions combined with `op`.
fn join_of(op: Op) -> &'static str {
    match op {
        Op::And => " AND ",
        Op::Or => " OR ",
    }
}

/// Where [`Db::invoices_after`] goes on after `invoice`: its creation time and id.
pub fn invoice_cursor(invoice: &Invoice) -> (i64, InvoiceId) {
    (invoice.created_at.unix_micros(), invoice.id.clone())
}
