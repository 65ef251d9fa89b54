//! The figures behind `GET /api/creditdesk/dashboard`, summed in SQL and folded by core's
//! [`Dashboard`] (which decides buckets, bands and what counts as available).

use creditdesk_core::account::AccountStatus;
use creditdesk_core::dashboard::{
    AccountFigures, AgingBucket, Dashboard, DUE_SOON_DAYS, DUE_SOON_LISTED_MAX,
};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::wire::InvoiceView;
use creditdesk_core::{Money, Rate, Timestamp};
use sqlx::FromRow;

use super::books::{InvoiceRow, INVOICE_COLUMNS};
use super::Db;
use super::StorageError;

#[derive(FromRow)]
struct FiguresRow {
    status: String,
    credit_limit_minor: i64,
    tolerance: String,
    balance_minor: i64,
    held_minor: i64,
}

#[derive(FromRow)]
struct BucketRow {
    count: i64,
    total_minor: i64,
}

impl Db {
    /// The dashboard at `now` under `config`: one pass over the accounts (streamed), one sum
    /// per aging bucket, the open invoices due in the next days, and (when the store charges
    /// interest) one pass over the overdue invoices, each one's interest computed by core.
    pub async fn dashboard(
        &self,
        now: Timestamp,
        config: &StoreConfig,
    ) -> Result<Dashboard, StorageError> {
        let tolerance_enabled = config.tolerance_enabled();
        let mut dashboard = Dashboard::new();
        let accounts_sql = format!(
            "SELECT a.status, a.credit_limit_minor, a.tolerance, a.balance_minor, \
             CAST(COALESCE(h.held_minor, 0) AS BIGINT) AS held_minor FROM accounts a LEFT JOIN \
             (SELECT account_id, SUM(value_minor) AS held_minor FROM transactions WHERE {} \
              GROUP BY account_id) h ON h.account_id = a.id",
            super::active_hold_sql(None, "$1")
        );
        let bucket_sql = format!(
            "SELECT COUNT(*) AS count, CAST(COALESCE(SUM({}), 0) AS BIGINT) \
             AS total_minor FROM invoices WHERE status = 'Opened' \
             AND due_date_us >= $1 AND due_date_us < $2",
            super::search::OWED_SQL
        );
        let soon_from = now.unix_micros();
        let soon_before = now
            .plus_days(DUE_SOON_DAYS)
            .ok_or_else(|| StorageError::corrupt("now is out of range"))?
            .unix_micros();
        let soon_sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE status = 'Opened' AND due_date_us >= $1 \
             AND due_date_us < $2 ORDER BY due_date_us LIMIT {DUE_SOON_LISTED_MAX}"
        );
        let pool = &self.pool;
        pool.for_each_row(
            &accounts_sql,
            vec![now.unix_micros().into()],
            |row: FiguresRow| {
                dashboard.add_account(&row.figures()?, tolerance_enabled);
                Ok::<_, StorageError>(())
            },
        )
        .await?;
        let mut buckets = Vec::new();
        for bucket in AgingBucket::ALL {
            let (from, before) = bucket.due_range(now);
            let args = vec![
                from.unwrap_or(i64::MIN).into(),
                before.unwrap_or(i64::MAX).into(),
            ];
            buckets.push(pool.fetch_one::<BucketRow>(&bucket_sql, args).await?);
        }
        let soon = || vec![soon_from.into(), soon_before.into()];
        let soon_count: BucketRow = pool.fetch_one(&bucket_sql, soon()).await?;
        let soon_rows: Vec<InvoiceRow> = pool.fetch_all(&soon_sql, soon()).await?;
        for (bucket, row) in AgingBucket::ALL.into_iter().zip(buckets) {
            dashboard.set_aging(bucket, count(row.count), money(row.total_minor));
        }
        dashboard.due_soon.count = count(soon_count.count);
        dashboard.due_soon.total = money(soon_count.total_minor);
        let policy = config.interest_policy();
        for row in soon_rows {
            let invoice = row.into_invoice()?;
            let view = InvoiceView::new(&invoice, &policy, now);
            dashboard.due_soon.invoices.push(view);
        }
        if policy.daily_rate != Rate::ZERO {
            let overdue_sql = format!(
                "SELECT {INVOICE_COLUMNS} FROM invoices WHERE status = 'Opened' AND due_date_us < $1"
            );
            let args = vec![now.unix_micros().into()];
            pool.for_each_row(&overdue_sql, args, |row: InvoiceRow| {
                dashboard.add_interest(&row.into_invoice()?, &policy, now);
                Ok::<_, StorageError>(())
            })
            .await?;
        }
        Ok(dashboard)
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

fn money(minor: i64) -> Money {
    Money::saturating_from_minor(minor)
}

impl FiguresRow {
    fn figures(&self) -> Result<AccountFigures, StorageError> {
        let status: AccountStatus = self
            .status
            .parse()
            .map_err(|e| StorageError::corrupt(format!("account status {:?}: {e}", self.status)))?;
        Ok(AccountFigures {
            status,
            credit_limit: money(self.credit_limit_minor),
            tolerance: self.tolerance.parse().map_err(|e| {
                StorageError::corrupt(format!("tolerance {:?}: {e}", self.tolerance))
            })?,
            balance: money(self.balance_minor),
            held: money(self.held_minor),
        })
    }
}
