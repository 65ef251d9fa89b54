//! The merchant's dashboard: store-wide totals, how accounts use their credit, and how late the
//! open invoices are. The rules (which bucket, which band, what counts as available) live here;
//! the server only feeds in figures it summed.
//!
//! ```
//! use creditdesk_core::dashboard::AgingBucket;
//! use creditdesk_core::Timestamp;
//! let now: Timestamp = "2026-03-31T12:00:00Z".parse().unwrap();
//! let due: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
//! assert_eq!(AgingBucket::of(due, now), AgingBucket::Days1To30);
//! ```

use serde::{Deserialize, Serialize};

use crate::account::AccountStatus;
use crate::money::Money;
use crate::rate::Rate;
use crate::timestamp::Timestamp;

/// The window of "due soon": invoices due from now to this many days ahead.
pub const DUE_SOON_DAYS: u32 = 7;
/// Most due-soon invoices listed (the count and total cover all of them).
pub const DUE_SOON_LISTED_MAX: u32 = 20;

/// How late an open invoice is, by days past its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AgingBucket {
    /// Not yet due.
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::Current,
        AgingBucket::Days1To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AgingBucket::Current => "Current",
            AgingBucket::Days1To30 => "1–30 days",
            AgingBucket::Days31To60 => "31–60 days",
            AgingBucket::Days61To90 => "61–90 days",
            AgingBucket::Over90 => "90+ days",
        }
    }

    /// Days past due where the bucket starts and ends (`None`: no end).
    fn days(self) -> (u32, Option<u32>) {
        match self {
            AgingBucket::Current => (0, Some(0)),
            AgingBucket::Days1To30 => (0, Some(30)),
            AgingBucket::Days31To60 => (30, Some(60)),
            AgingBucket::Days61To90 => (60, Some(90)),
            AgingBucket::Over90 => (90, None),
        }
    }

    /// The due dates in the bucket at `now`, as `[from, before)` in Unix microseconds (`None`:
    /// unbounded). An invoice is past due from the instant after its due date, so one due a
    /// minute ago is in "1–30 days"; one due exactly 30 days ago is still there.
    pub fn due_range(self, now: Timestamp) -> (Option<i64>, Option<i64>) {
        const DAY_US: i64 = 86_400_000_000;
        let now = now.unix_micros();
        if self == AgingBucket::Current {
            return (Some(now), None);
        }
        let (start, end) = self.days();
        // Later bound: due before `now - start days` (strictly before now for 1–30).
        let before = if start == 0 {
            now
        } else {
            now - i64::from(start) * DAY_US
        };
        let from = end.map(|end| now - i64::from(end) * DAY_US);
        (from, Some(before))
    }

    /// The bucket of an open invoice due at `due`, seen at `now`: the first in [`Self::ALL`]
    /// (latest due dates first) whose range starts at or before `due` — the ranges tile the
    /// timeline, so each one ends where the one before it starts.
    pub fn of(due: Timestamp, now: Timestamp) -> AgingBucket {
        let due = due.unix_micros();
        AgingBucket::ALL
            .into_iter()
            .find(|bucket| bucket.due_range(now).0.is_none_or(|from| due >= from))
            .expect("the last bucket has no start")
    }
}

/// How much of its credit limit an account uses (holds plus debt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UsageBand {
    /// Nothing held or owed.
    Unused,
    UpTo50,
    UpTo80,
    UpTo100,
    /// Using more than the limit (tolerance, or a limit lowered below what is used).
    OverLimit,
}

impl UsageBand {
    pub const ALL: [UsageBand; 5] = [
        UsageBand::Unused,
        UsageBand::UpTo50,
        UsageBand::UpTo80,
        UsageBand::UpTo100,
        UsageBand::OverLimit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            UsageBand::Unused => "Unused",
            UsageBand::UpTo50 => "1–50 %",
            UsageBand::UpTo80 => "51–80 %",
            UsageBand::UpTo100 => "81–100 %",
            UsageBand::OverLimit => "Over the limit",
        }
    }

    /// The whole percent of `credit_limit` that `used` is (rounded down; 0 when nothing is
    /// used, 100 and more over the limit; any use of a zero limit is over it). The admin's bar;
    /// the bands are compared exactly by [`UsageBand::of`].
    pub fn percent(credit_limit: Money, used: Money) -> u32 {
        let (limit, used) = (i128::from(credit_limit.minor()), i128::from(used.minor()));
        if used <= 0 {
            return 0;
        }
        if limit <= 0 {
            return 101;
        }
        u32::try_from(used * 100 / limit).unwrap_or(u32::MAX)
    }

    /// The band of an account using `used` (held minus balance) of `credit_limit`. Percentages
    /// are compared exactly in cents: 50.01 % is in "51–80 %".
    pub fn of(credit_limit: Money, used: Money) -> UsageBand {
        let (limit, used) = (i128::from(credit_limit.minor()), i128::from(used.minor()));
        if used <= 0 {
            UsageBand::Unused
        } else if used * 100 <= limit * 50 {
            UsageBand::UpTo50
        } else if used * 100 <= limit * 80 {
            UsageBand::UpTo80
        } else if used <= limit {
            UsageBand::UpTo100
        } else {
            UsageBand::OverLimit
        }
    }
}

/// One account's figures, as the server reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFigures {
    pub status: AccountStatus,
    pub credit_limit: Money,
    pub tolerance: Rate,
    pub balance: Money,
    /// Sum of its active holds.
    pub held: Money,
}

/// Totals of the whole store, added up account by account and bucket by bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub accounts: u64,
    pub open_accounts: u64,
    /// Sum of the credit limits of open accounts.
    pub credit_extended: Money,
    /// Sum of the open invoices.
    pub outstanding: Money,
    /// Sum of the open invoices past their due date.
    pub overdue: Money,
    /// Interest and its tax accrued on overdue invoices at the moment of the answer (owed,
    /// not yet charged; see [`crate::interest`]).
    #[serde(default)]
    pub overdue_interest: Money,
    /// What open accounts may still spend: the sum of their available credit where positive
    /// (an account over its limit takes nothing from the others).
    pub available: Money,
    /// Sum of the active holds.
    pub held: Money,
    /// Accounts per usage band, in [`UsageBand::ALL`] order.
    pub usage: Vec<UsageCount>,
    /// Open invoices per aging bucket, in [`AgingBucket::ALL`] order.
    pub aging: Vec<AgingTotal>,
    pub due_soon: DueSoon,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageCount {
    pub band: UsageBand,
    pub label: String,
    pub accounts: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgingTotal {
    pub bucket: AgingBucket,
    pub label: String,
    pub count: u64,
    pub total: Money,
}

/// Open invoices due in the next [`DUE_SOON_DAYS`] days: all counted, the first few listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DueSoon {
    pub days: u32,
    pub count: u64,
    pub total: Money,
    pub invoices: Vec<crate::wire::InvoiceView>,
}

impl Dashboard {
    /// Totals with no account yet.
    pub fn new() -> Dashboard {
        Dashboard {
            accounts: 0,
            open_accounts: 0,
            credit_extended: Money::ZERO,
            outstanding: Money::ZERO,
            overdue: Money::ZERO,
            overdue_interest: Money::ZERO,
            available: Money::ZERO,
            held: Money::ZERO,
            usage: UsageBand::ALL
                .into_iter()
                .map(|band| UsageCount {
                    band,
                    label: band.label().to_owned(),
                    accounts: 0,
                })
                .collect(),
            aging: AgingBucket::ALL
                .into_iter()
                .map(|bucket| AgingTotal {
                    bucket,
                    label: bucket.label().to_owned(),
                    count: 0,
                    total: Money::ZERO,
                })
                .collect(),
            due_soon: DueSoon {
                days: DUE_SOON_DAYS,
                count: 0,
                total: Money::ZERO,
                invoices: Vec::new(),
            },
        }
    }

    /// Adds one account (closed accounts count, but lend nothing and spend nothing).
    pub fn add_account(&mut self, account: &AccountFigures, tolerance_enabled: bool) {
        let add = |total: &mut Money, minor: i64| {
            *total = Money::saturating_from_minor(total.minor().saturating_add(minor));
        };
        self.accounts += 1;
        add(&mut self.held, account.held.minor());
        if account.status != AccountStatus::Open {
            return;
        }
        self.open_accounts += 1;
        add(&mut self.credit_extended, account.credit_limit.minor());
        let balances = crate::account::Balances::of(
            account.credit_limit,
            account.tolerance,
            account.balance,
            account.held,
            tolerance_enabled,
        );
        add(
            &mut self.available,
            balances.available_credit.minor().max(0),
        );
        let used = Money::saturating_from_minor(account.held.minor() - account.balance.minor());
        let band = UsageBand::of(account.credit_limit, used);
        if let Some(slot) = self.usage.iter_mut().find(|u| u.band == band) {
            slot.accounts += 1;
        }
    }

    /// Adds the interest one open invoice owes at `now` under `policy`.
    pub fn add_interest(
        &mut self,
        invoice: &crate::invoice::Invoice,
        policy: &crate::interest::InterestPolicy,
        now: Timestamp,
    ) {
        let owed = crate::interest::accrued(invoice, policy, now).total();
        self.overdue_interest = Money::saturating_from_minor(
            self.overdue_interest.minor().saturating_add(owed.minor()),
        );
    }

    /// Sets the open invoices of one aging bucket; outstanding and overdue follow.
    pub fn set_aging(&mut self, bucket: AgingBucket, count: u64, total: Money) {
        if let Some(slot) = self.aging.iter_mut().find(|a| a.bucket == bucket) {
            slot.count = count;
            slot.total = total;
        }
        let sum = |past_due_only: bool| {
            Money::saturating_from_minor(
                self.aging
                    .iter()
                    .filter(|a| !past_due_only || a.bucket != AgingBucket::Current)
                    .map(|a| a.total.minor())
                    .fold(0i64, i64::saturating_add),
            )
        };
        self.outstanding = sum(false);
        self.overdue = sum(true);
    }
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard::new()
    }
}
