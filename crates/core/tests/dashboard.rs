//! The dashboard's rules as tables: aging buckets, usage bands, the store totals, and the
//! settlement plan. Runs natively and in headless Chromium.

use creditdesk_core::account::AccountStatus;
use creditdesk_core::dashboard::{AccountFigures, AgingBucket, Dashboard, UsageBand};
use creditdesk_core::installments::plan;
use creditdesk_core::{Money, Rate, Timestamp};

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2026-06-30T12:00:00Z";

/// Due date → bucket, seen at [`NOW`].
const AGING: &[(&str, AgingBucket)] = &[
    ("2026-07-30T12:00:00Z", AgingBucket::Current),
    ("2026-06-30T12:00:00Z", AgingBucket::Current),
    ("2026-06-30T11:59:59.999999Z", AgingBucket::Days1To30),
    ("2026-05-31T12:00:00Z", AgingBucket::Days1To30),
    ("2026-05-31T11:59:59Z", AgingBucket::Days31To60),
    ("2026-05-01T12:00:00Z", AgingBucket::Days31To60),
    ("2026-05-01T11:00:00Z", AgingBucket::Days61To90),
    ("2026-04-01T12:00:00Z", AgingBucket::Days61To90),
    ("2026-04-01T11:59:59Z", AgingBucket::Over90),
    ("2001-01-01T00:00:00Z", AgingBucket::Over90),
];

/// (credit limit, used) → band.
/// (credit limit, used) → whole percent used: the account page's bar. The same counts as the
/// bands: 50 % and less is "1–50 %", more than 100 % is over the limit.
const USED_PERCENT: &[(&str, &str, u32)] = &[
    ("1000", "0", 0),
    ("1000", "-50", 0),
    ("1000", "0.01", 0),
    ("1000", "9.99", 0),
    ("1000", "10", 1),
    ("1000", "500", 50),
    ("1000", "500.01", 50),
    ("1000", "999.99", 99),
    ("1000", "1000", 100),
    ("1000", "1500", 150),
    ("0", "0", 0),
    ("0", "0.01", 101),
    ("0.01", "1000000", u32::MAX),
];

const USAGE: &[(&str, &str, UsageBand)] = &[
    ("1000", "0", UsageBand::Unused),
    ("1000", "-50", UsageBand::Unused),
    ("1000", "0.01", UsageBand::UpTo50),
    ("1000", "500", UsageBand::UpTo50),
    ("1000", "500.01", UsageBand::UpTo80),
    ("1000", "800", UsageBand::UpTo80),
    ("1000", "800.01", UsageBand::UpTo100),
    ("1000", "1000", UsageBand::UpTo100),
    ("1000", "1000.01", UsageBand::OverLimit),
    ("0", "0", UsageBand::Unused),
    ("0", "0.01", UsageBand::OverLimit),
];

/// What the dashboard shows for each bucket and band.
const LABELS: &[(AgingBucket, &str)] = &[
    (AgingBucket::Current, "Current"),
    (AgingBucket::Days1To30, "1–30 days"),
    (AgingBucket::Days31To60, "31–60 days"),
    (AgingBucket::Days61To90, "61–90 days"),
    (AgingBucket::Over90, "90+ days"),
];

const BAND_LABELS: &[(UsageBand, &str)] = &[
    (UsageBand::Unused, "Unused"),
    (UsageBand::UpTo50, "1–50 %"),
    (UsageBand::UpTo80, "51–80 %"),
    (UsageBand::UpTo100, "81–100 %"),
    (UsageBand::OverLimit, "Over the limit"),
];

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn account(
    status: AccountStatus,
    limit: &str,
    tolerance: &str,
    balance: &str,
    held: &str,
) -> AccountFigures {
    AccountFigures {
        status,
        credit_limit: money(limit),
        tolerance: tolerance.parse::<Rate>().unwrap(),
        balance: money(balance),
        held: money(held),
    }
}

case_test! {
    fn aging_buckets() {
        for (due, expect) in AGING {
            assert_eq!(AgingBucket::of(at(due), at(NOW)), *expect, "due {due}");
        }
    }

    fn labels() {
        for (bucket, label) in LABELS {
            assert_eq!(bucket.label(), *label);
        }
        for (band, label) in BAND_LABELS {
            assert_eq!(band.label(), *label);
        }
        let d = Dashboard::new();
        let shown: Vec<&str> = d.aging.iter().map(|a| a.label.as_str()).chain(d.usage.iter().map(|u| u.label.as_str())).collect();
        let want: Vec<&str> = LABELS.iter().map(|l| l.1).chain(BAND_LABELS.iter().map(|l| l.1)).collect();
        assert_eq!(shown, want, "the dashboard lists every bucket and band in order");
    }

    fn aging_ranges_tile_the_timeline() {
        // Each bucket starts where the next later one ends, so every instant has one bucket.
        let now = at(NOW);
        let ranges: Vec<_> = AgingBucket::ALL.iter().map(|b| b.due_range(now)).collect();
        assert_eq!(ranges[0], (Some(now.unix_micros()), None));
        for pair in ranges.windows(2) {
            assert_eq!(pair[1].1, pair[0].0, "{ranges:?}");
        }
        assert_eq!(ranges[4].0, None);
    }

    fn overdue_means_open_and_due_before_now() {
        use creditdesk_core::invoice::{is_overdue, InvoiceStatus};
        let now = at(NOW);
        for (status, due, expect) in [
            (InvoiceStatus::Opened, "2026-06-30T11:59:59Z", true),
            (InvoiceStatus::Opened, "2026-06-30T12:00:00Z", false),
            (InvoiceStatus::Paid, "2001-01-01T00:00:00Z", false),
            (InvoiceStatus::Cancelled, "2001-01-01T00:00:00Z", false),
        ] {
            assert_eq!(is_overdue(status, at(due), now), expect, "{status:?} due {due}");
            // Overdue is exactly "not in the Current aging bucket" for an open invoice.
            if status == InvoiceStatus::Opened {
                assert_eq!(AgingBucket::of(at(due), now) != AgingBucket::Current, expect);
            }
        }
    }

    fn used_percent() {
        for (limit, used, expect) in USED_PERCENT {
            assert_eq!(UsageBand::percent(money(limit), money(used)), *expect, "{used} of {limit}");
        }
    }

    fn usage_bands() {
        for (limit, used, expect) in USAGE {
            assert_eq!(UsageBand::of(money(limit), money(used)), *expect, "{used} of {limit}");
        }
    }

    fn store_totals() {
        let mut d = Dashboard::new();
        // Owes 300 and holds 100 of 1000, tolerance 10 %: 400 used, 700 available with tolerance.
        d.add_account(&account(AccountStatus::Open, "1000", "0.1", "-300", "100"), true);
        // Over its limit: available is negative and adds nothing.
        d.add_account(&account(AccountStatus::Open, "100", "0", "-150", "0"), true);
        // Closed: counted, lends nothing.
        d.add_account(&account(AccountStatus::Closed, "500", "0", "0", "0"), true);
        assert_eq!((d.accounts, d.open_accounts), (3, 2));
        assert_eq!(d.credit_extended, money("1100"));
        assert_eq!(d.available, money("700"));
        assert_eq!(d.held, money("100"));
        let bands: Vec<u64> = d.usage.iter().map(|u| u.accounts).collect();
        assert_eq!(bands, [0, 1, 0, 0, 1]);

        d.set_aging(AgingBucket::Current, 2, money("200"));
        d.set_aging(AgingBucket::Days31To60, 1, money("100"));
        d.set_aging(AgingBucket::Over90, 1, money("0.50"));
        assert_eq!(d.outstanding, money("300.50"));
        assert_eq!(d.overdue, money("100.50"));
    }

    fn tolerance_counts_only_when_the_store_enables_it() {
        let mut d = Dashboard::new();
        d.add_account(&account(AccountStatus::Open, "1000", "0.1", "0", "0"), false);
        assert_eq!(d.available, money("1000"));
    }

    fn settlement_plan_adds_up_and_steps_30_days() {
        let settled = at("2026-01-31T10:00:00Z");
        let invoices = plan(money("100.00"), 3, settled).unwrap();
        let values: Vec<String> = invoices.iter().map(|p| p.value.to_string()).collect();
        assert_eq!(values, ["33.34", "33.33", "33.33"]);
        let dues: Vec<String> = invoices.iter().map(|p| p.due_date.to_string()[..10].to_owned()).collect();
        assert_eq!(dues, ["2026-03-02", "2026-04-01", "2026-05-01"]);
        assert_eq!(plan(money("0.02"), 3, settled).unwrap_err().to_string(),
            "invalid input: value: must be at least 0.01 for each of the 3 installments");
    }
}
