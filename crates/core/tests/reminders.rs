//! The reminder schedule (core's `reminders`) as tables: time zones with daylight-saving gaps
//! and overlaps, repeated settings, decisions after downtime, the message. Native and wasm.

use chrono::{DateTime, Offset, TimeZone};
use creditdesk_core::invoice::{Invoice, InvoiceStatus};
use creditdesk_core::reminders::{self, Decision, Outcome, Reminder, SkipReason, When, Zone};
use creditdesk_core::store_config::{NotificationsSettings, StoreConfig};
use creditdesk_core::Timestamp;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A zone of the IANA database (the server's zones are the same database).
struct Iana(chrono_tz::Tz);

impl Zone for Iana {
    fn offset_seconds(&self, at: Timestamp) -> i32 {
        let utc = DateTime::from_timestamp_micros(at.unix_micros())
            .unwrap()
            .naive_utc();
        self.0
            .offset_from_utc_datetime(&utc)
            .fix()
            .local_minus_utc()
    }
}

fn zone(name: &str) -> Iana {
    Iana(name.parse().unwrap())
}

fn t(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn settings(body: &str) -> NotificationsSettings {
    let update = serde_json::json!({ "notificationsSettings": serde_json::from_str::<serde_json::Value>(body).unwrap() });
    StoreConfig::default()
        .apply_update(&update)
        .unwrap()
        .notifications_settings()
        .clone()
}

/// (zone, due date, notificationsSettings) → every reminder, earliest first.
type ScheduleCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(When, &'static str)],
);

const SCHEDULE: &[ScheduleCase] = &[
    // The defaults in UTC: 5, 1 and 0 days before and 3 after, at noon.
    (
        "UTC",
        "2024-03-10T06:52:53Z",
        r#"{"daysPrior": [{"days": 5, "timeOfDay": "12:00:00"}, {"days": 1, "timeOfDay": "12:00:00"}, {"days": 0, "timeOfDay": "12:00:00"}], "daysAfter": [{"days": 3, "timeOfDay": "12:00:00"}]}"#,
        &[
            (When::Prior(5), "2024-03-05T12:00:00Z"),
            (When::Prior(1), "2024-03-09T12:00:00Z"),
            (When::Prior(0), "2024-03-10T12:00:00Z"),
            (When::After(3), "2024-03-13T12:00:00Z"),
        ],
    ),
    // The due day is the due date's day in the zone: 02:00Z is 23:00 the day before in São Paulo.
    (
        "America/Sao_Paulo",
        "2024-03-10T02:00:00Z",
        r#"{"daysPrior": [{"days": 1, "timeOfDay": "09:00:00"}], "daysAfter": [{"days": 0, "timeOfDay": "09:00:00"}]}"#,
        &[
            (When::Prior(1), "2024-03-08T12:00:00Z"),
            (When::After(0), "2024-03-09T12:00:00Z"),
        ],
    ),
    // Half-hour offsets: 00:00 in Kolkata is 18:30Z the day before.
    (
        "Asia/Kolkata",
        "2024-03-10T20:00:00Z",
        r#"{"daysPrior": [{"days": 0, "timeOfDay": "00:00:00"}], "daysAfter": []}"#,
        &[(When::Prior(0), "2024-03-10T18:30:00Z")],
    ),
    // New York springs forward on 2024-03-10 at 02:00 (to 03:00): 02:30 that day is read as
    // 03:30 EDT; the days around it are plain EST and EDT.
    (
        "America/New_York",
        "2024-03-11T16:00:00Z",
        r#"{"daysPrior": [{"days": 2, "timeOfDay": "02:30:00"}, {"days": 1, "timeOfDay": "02:30:00"}, {"days": 0, "timeOfDay": "02:30:00"}], "daysAfter": []}"#,
        &[
            (When::Prior(2), "2024-03-09T07:30:00Z"),
            (When::Prior(1), "2024-03-10T07:30:00Z"),
            (When::Prior(0), "2024-03-11T06:30:00Z"),
        ],
    ),
    // ...and falls back on 2024-11-03 at 02:00 (to 01:00): 01:30 happens twice; the first (EDT).
    (
        "America/New_York",
        "2024-11-04T17:00:00Z",
        r#"{"daysPrior": [{"days": 2, "timeOfDay": "01:30:00"}, {"days": 1, "timeOfDay": "01:30:00"}, {"days": 0, "timeOfDay": "01:30:00"}], "daysAfter": []}"#,
        &[
            (When::Prior(2), "2024-11-02T05:30:00Z"),
            (When::Prior(1), "2024-11-03T05:30:00Z"),
            (When::Prior(0), "2024-11-04T06:30:00Z"),
        ],
    ),
    // Noon in Berlin is 11:00Z before the change of 2024-03-31 and 10:00Z after it.
    (
        "Europe/Berlin",
        "2024-04-02T10:00:00Z",
        r#"{"daysPrior": [{"days": 3, "timeOfDay": "12:00:00"}, {"days": 1, "timeOfDay": "12:00:00"}], "daysAfter": []}"#,
        &[
            (When::Prior(3), "2024-03-30T11:00:00Z"),
            (When::Prior(1), "2024-04-01T10:00:00Z"),
        ],
    ),
    // Rules in any order come out by time; two rules on one instant give one reminder (the first
    // rule's); the same days at another time are two reminders.
    (
        "UTC",
        "2024-03-10T00:00:00Z",
        r#"{"daysPrior": [{"days": 1, "timeOfDay": "12:00:00"}, {"days": 0, "timeOfDay": "08:00:00"}, {"days": 5, "timeOfDay": "12:00:00"}, {"days": 1, "timeOfDay": "18:00:00"}], "daysAfter": [{"days": 0, "timeOfDay": "08:00:00"}, {"days": 1, "timeOfDay": "08:00:00"}]}"#,
        &[
            (When::Prior(5), "2024-03-05T12:00:00Z"),
            (When::Prior(1), "2024-03-09T12:00:00Z"),
            (When::Prior(1), "2024-03-09T18:00:00Z"),
            (When::Prior(0), "2024-03-10T08:00:00Z"),
            (When::After(1), "2024-03-11T08:00:00Z"),
        ],
    ),
    // No rules, no reminders.
    (
        "UTC",
        "2024-03-10T00:00:00Z",
        r#"{"daysPrior": [], "daysAfter": []}"#,
        &[],
    ),
    // Days before the first representable day are left out, not wrapped.
    (
        "UTC",
        "1970-01-02T00:00:00Z",
        r#"{"daysPrior": [{"days": 5, "timeOfDay": "12:00:00"}, {"days": 1, "timeOfDay": "12:00:00"}], "daysAfter": []}"#,
        &[
            (When::Prior(5), "1970-01-01T00:00:00Z"),
            (When::Prior(1), "1970-01-01T12:00:00Z"),
        ],
    ),
];

fn invoice(due: Timestamp, status: InvoiceStatus) -> Invoice {
    common::invoice("100", "0", status, due)
}

/// Decisions for an invoice due 2024-03-10T00:00Z under the default settings in UTC (reminders
/// at 03-05, 03-09 and 03-10 noon, and 03-13 noon): (status, through, now) → (each due
/// reminder's rule and outcome, the next reminder's time).
type DecideCase = (
    InvoiceStatus,
    Option<&'static str>,
    &'static str,
    &'static [(When, Outcome)],
    Option<&'static str>,
);

const SEND: Outcome = Outcome::Send;
const SUPERSEDED: Outcome = Outcome::Skip(SkipReason::Superseded);
const NOT_OPEN: Outcome = Outcome::Skip(SkipReason::InvoiceNotOpen);

const DECIDE: &[DecideCase] = &[
    // Never decided: from the invoice's creation (here 03-10T00:00), so what fell before it is
    // never sent.
    (
        InvoiceStatus::Opened,
        None,
        "2024-03-10T13:00:00Z",
        &[(When::Prior(0), SEND)],
        Some("2024-03-13T12:00:00Z"),
    ),
    // A second before its time: nothing yet.
    (
        InvoiceStatus::Opened,
        Some("2024-03-01T00:00:00Z"),
        "2024-03-05T11:59:59Z",
        &[],
        Some("2024-03-05T12:00:00Z"),
    ),
    // At its time: sent.
    (
        InvoiceStatus::Opened,
        Some("2024-03-01T00:00:00Z"),
        "2024-03-05T12:00:00Z",
        &[(When::Prior(5), SEND)],
        Some("2024-03-09T12:00:00Z"),
    ),
    // Once: decided through its time, it is not due again.
    (
        InvoiceStatus::Opened,
        Some("2024-03-05T12:00:00Z"),
        "2024-03-05T12:00:30Z",
        &[],
        Some("2024-03-09T12:00:00Z"),
    ),
    // Down for days: only the latest of those due goes, the earlier are skipped.
    (
        InvoiceStatus::Opened,
        Some("2024-03-01T00:00:00Z"),
        "2024-03-10T13:00:00Z",
        &[
            (When::Prior(5), SUPERSEDED),
            (When::Prior(1), SUPERSEDED),
            (When::Prior(0), SEND),
        ],
        Some("2024-03-13T12:00:00Z"),
    ),
    (
        InvoiceStatus::Opened,
        Some("2024-03-09T12:00:00Z"),
        "2024-04-01T00:00:00Z",
        &[(When::Prior(0), SUPERSEDED), (When::After(3), SEND)],
        None,
    ),
    // Paid or cancelled by then: every due one is skipped, nothing comes next.
    (
        InvoiceStatus::Paid,
        Some("2024-03-01T00:00:00Z"),
        "2024-03-10T13:00:00Z",
        &[
            (When::Prior(5), NOT_OPEN),
            (When::Prior(1), NOT_OPEN),
            (When::Prior(0), NOT_OPEN),
        ],
        None,
    ),
    (
        InvoiceStatus::Cancelled,
        Some("2024-03-01T00:00:00Z"),
        "2024-03-02T00:00:00Z",
        &[],
        None,
    ),
    // A settings change moved "through" past a time: that reminder is not sent.
    (
        InvoiceStatus::Opened,
        Some("2024-03-09T12:30:00Z"),
        "2024-03-09T13:00:00Z",
        &[],
        Some("2024-03-10T12:00:00Z"),
    ),
    // "Through" later than now (a clock set back): nothing, and through stays.
    (
        InvoiceStatus::Opened,
        Some("2024-03-10T00:00:00Z"),
        "2024-03-06T00:00:00Z",
        &[],
        Some("2024-03-10T12:00:00Z"),
    ),
];

fn check_schedule(case: &ScheduleCase) {
    let (name, due, body, want) = case;
    let got: Vec<(When, String)> = reminders::schedule(t(due), &settings(body), &zone(name))
        .into_iter()
        .map(|r| (r.when, r.at.to_string()))
        .collect();
    let want: Vec<(When, String)> = want.iter().map(|(w, at)| (*w, t(at).to_string())).collect();
    assert_eq!(got, want, "{name} due {due}: {body}");
}

fn check_decide(case: &DecideCase) {
    let (status, through, now, want, next) = case;
    let defaults = StoreConfig::default();
    let settings = defaults.notifications_settings();
    let invoice = invoice(t("2024-03-10T00:00:00Z"), *status);
    let Decision {
        outcomes,
        through: decided,
        next_at,
    } = reminders::decide(&invoice, settings, &reminders::Utc, through.map(t), t(now));
    let got: Vec<(When, Outcome)> = outcomes.iter().map(|(r, o)| (r.when, *o)).collect();
    let label = format!("{status:?} through {through:?} at {now}");
    let through = through.map_or(invoice.created_at, t);
    assert_eq!(got, want.to_vec(), "{label}");
    assert_eq!(next_at, next.map(t), "{label}");
    assert_eq!(decided, through.max(t(now)), "{label}");
    // What is decided is exactly what was upcoming then and no longer is.
    let before = reminders::upcoming(&invoice, settings, &reminders::Utc, Some(through));
    let after = reminders::upcoming(&invoice, settings, &reminders::Utc, Some(decided));
    let decided_now: Vec<Reminder> = outcomes.iter().map(|(r, _)| *r).collect();
    if *status == InvoiceStatus::Opened {
        assert_eq!(
            before.len(),
            decided_now.len() + after.len(),
            "{label}: upcoming before = decided + upcoming after"
        );
        assert_eq!(after.first().map(|r| r.at), next_at, "{label}");
    } else {
        assert!(before.is_empty() && after.is_empty(), "{label}");
    }
    assert!(
        outcomes.iter().filter(|(_, o)| *o == SEND).count() <= 1,
        "{label}: at most one sent"
    );
}

case_test! {
    fn reminder_schedules() {
        for case in SCHEDULE {
            check_schedule(case);
        }
    }

    fn reminder_decisions() {
        for case in DECIDE {
            check_decide(case);
        }
    }

    fn wall_clock_times_in_gaps_and_overlaps() {
        // (zone, local date, time) → the instant.
        for (name, date, time, want) in [
            ("America/New_York", "2024-03-10", "01:59:59", "2024-03-10T06:59:59Z"),
            ("America/New_York", "2024-03-10", "02:00:00", "2024-03-10T07:00:00Z"),
            ("America/New_York", "2024-03-10", "03:00:00", "2024-03-10T07:00:00Z"),
            ("America/New_York", "2024-11-03", "00:59:59", "2024-11-03T04:59:59Z"),
            ("America/New_York", "2024-11-03", "01:00:00", "2024-11-03T05:00:00Z"),
            ("America/New_York", "2024-11-03", "02:00:00", "2024-11-03T07:00:00Z"),
            // Lord Howe moves by half an hour.
            ("Australia/Lord_Howe", "2024-10-06", "02:15:00", "2024-10-05T15:45:00Z"),
            ("UTC", "2024-02-29", "23:59:59", "2024-02-29T23:59:59Z"),
        ] {
            let date: chrono::NaiveDate = date.parse().unwrap();
            let got = reminders::instant(date, time.parse().unwrap(), &zone(name));
            assert_eq!(got, t(want), "{name} {date} {time}");
            assert_eq!(reminders::local_date(got, &zone(name)), date, "{name} {date} {time}");
        }
    }

    fn rule_keys_and_skip_reasons_read_back() {
        for when in [When::Prior(0), When::Prior(365), When::After(3)] {
            assert_eq!(When::from_key(&when.key()), Some(when));
        }
        for bad in ["", "prior", "prior:x", "before:1", "after:-1", "after:70000"] {
            assert_eq!(When::from_key(bad), None, "{bad}");
        }
        assert_eq!(When::Prior(5).key(), "prior:5");
        for reason in SkipReason::ALL {
            assert_eq!(SkipReason::from_name(reason.as_str()), Some(reason));
        }
        assert_eq!(SkipReason::from_name("late"), None);
        for status in reminders::EmailStatus::ALL {
            assert_eq!(reminders::EmailStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(reminders::EmailStatus::from_name("Bounced"), None);
        for status in reminders::ReminderStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for when in [When::Prior(0), When::After(3), When::Prior(365)] {
            assert_eq!(When::new(when.side(), when.days()), when);
        }
        assert_eq!(serde_json::to_value(reminders::Side::After).unwrap(), "daysAfter");
        assert_eq!(serde_json::to_value(When::Prior(2).side()).unwrap(), "daysPrior");
    }

    fn recipients_the_event_and_the_list() {
        use reminders::{EmailStatus, Emailing, ReminderList, ReminderStatus, ReminderView};
        let holders = ["B@x.co".to_owned(), "a@X.co".to_owned(), "c+1@x.co".to_owned(), "b@x.co".to_owned()];
        assert_eq!(reminders::recipients(Some("a@x.co"), &holders), ["a@x.co", "B@x.co", "c+1@x.co"]);
        assert_eq!(reminders::recipients(None, &holders[..1]), ["B@x.co"]);
        assert!(reminders::recipients(None, &[]).is_empty());
        let to = ["a@x.co".to_owned()];
        assert_eq!(Emailing::Configured.first_status(&to), EmailStatus::Pending);
        assert_eq!(Emailing::Configured.first_status(&[]), EmailStatus::Skipped);
        assert_eq!(Emailing::NotConfigured.first_status(&to), EmailStatus::NotConfigured);

        let due = t("2024-03-10T00:00:00Z");
        let open = invoice(due, InvoiceStatus::Opened);
        let reminder = Reminder { when: When::Prior(1), at: t("2024-03-09T12:00:00Z") };
        let message = reminders::message(&open, &reminder, &StoreConfig::default(), &reminders::Utc, reminder.at);
        let event = creditdesk_core::webhooks::reminder_event(&open, &reminder, &message);
        assert_eq!(event.kind.as_str(), "invoice.reminder");
        assert_eq!(event.account_id.to_string(), "1_CPF");
        assert_eq!(event.data["reminder"], serde_json::json!({"rule": "daysPrior", "days": 1, "at": "2024-03-09T12:00:00.0000000Z"}));
        assert_eq!(event.data["amountDue"].to_string(), "100.00");
        assert_eq!(event.data["subject"], message.subject.as_str());
        assert_eq!(event.data["text"], message.text.as_str());
        assert_eq!(event.data["invoiceId"], open.id.to_string());

        // Decided ones and scheduled ones merge by time.
        let sent = ReminderView { status: ReminderStatus::Sent, ..ReminderView::scheduled(Reminder { when: When::Prior(5), at: t("2024-03-05T12:00:00Z") }) };
        let later = Reminder { when: When::After(3), at: t("2024-03-13T12:00:00Z") };
        let list = ReminderList::new("UTC", Emailing::NotConfigured, vec![sent.clone()], vec![later, reminder]);
        let got: Vec<(When, ReminderStatus)> = list.items.iter().map(|r| (r.when(), r.status)).collect();
        assert_eq!(got, [(When::Prior(5), ReminderStatus::Sent), (When::Prior(1), ReminderStatus::Scheduled), (When::After(3), ReminderStatus::Scheduled)]);
        assert!(!list.email_configured);
        assert!(ReminderList::new("UTC", Emailing::Configured, vec![], vec![]).email_configured);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["items"][0]["rule"], "daysPrior");
        assert_eq!(json["items"][0]["days"], 5);
        assert_eq!(json["items"][1]["status"], "Scheduled");
        assert_eq!(serde_json::from_value::<ReminderList>(json).unwrap(), list);
    }

    fn what_changes_the_timing_of_reminders() {
        let base = StoreConfig::default();
        assert_eq!(base.time_zone().as_str(), "UTC");
        // (update) → whether reminders are timed as before.
        for (update, same) in [
            (r#"{}"#, true),
            (r#"{"taxRate": 0.1, "myCreditsEnabled": true}"#, true),
            (r#"{"timeZone": "UTC"}"#, true),
            (r#"{"timeZone": "Europe/Berlin"}"#, false),
            (r#"{"notificationsSettings": {"daysAfter": []}}"#, false),
            (r#"{"notificationsSettings": {"daysPrior": [{"days": 5, "timeOfDay": "12:00:00"}, {"days": 1, "timeOfDay": "12:00:00"}, {"days": 0, "timeOfDay": "12:00:00"}]}}"#, true),
            (r#"{"notificationsSettings": {"daysPrior": [{"days": 5, "timeOfDay": "12:00:01"}]}}"#, false),
            (r#"{"timeZone": "Asia/Tokyo", "notificationsSettings": {"daysAfter": []}}"#, false),
        ] {
            let next = base.apply_update(&serde_json::from_str(update).unwrap()).unwrap();
            assert_eq!(base.times_reminders_as(&next), same, "{update}");
            assert_eq!(next.times_reminders_as(&base), same, "{update}");
        }
        let berlin = base.apply_update(&serde_json::json!({"timeZone": "Europe/Berlin"})).unwrap();
        assert_eq!(berlin.time_zone().as_str(), "Europe/Berlin");
    }

    fn reminder_messages() {
        let config = StoreConfig::default()
            .apply_update(&serde_json::json!({"dailyInterestRate": 0.01, "taxRate": 0.1}))
            .unwrap();
        let due = t("2024-03-01T12:00:00Z");
        let mut open = invoice(due, InvoiceStatus::Opened);
        let before = Reminder { when: When::Prior(1), at: t("2024-02-29T12:00:00Z") };
        let message = reminders::message(&open, &before, &config, &zone("America/Sao_Paulo"), before.at);
        assert_eq!(message.subject, "Invoice AbCd1234-1: 100.00 BRL due on 2024-03-01");
        assert_eq!(
            message.text,
            "Invoice AbCd1234-1 (order o-1, installment 1 of 1).\nDue date: 2024-03-01.\nAmount due: 100.00 BRL.\nPay it through the store where you bought.\n"
        );
        assert_eq!(message.amount_due.to_string(), "100.00");
        // Three full days late: 3.00 interest and 0.30 tax; the link when there is one; the due
        // day as the zone has it (09:00 in São Paulo is still 03-01; in Tokyo it is 21:00).
        open.payment_link = Some("https://pay.example/i/1".to_owned());
        let after = Reminder { when: When::After(3), at: t("2024-03-04T12:00:00Z") };
        let message = reminders::message(&open, &after, &config, &zone("America/Sao_Paulo"), after.at);
        assert_eq!(message.subject, "Invoice AbCd1234-1 is overdue: 103.30 BRL was due on 2024-03-01");
        assert_eq!(
            message.text,
            "Invoice AbCd1234-1 (order o-1, installment 1 of 1).\nDue date: 2024-03-01.\nAmount due: 103.30 BRL, of which 3.30 BRL is overdue interest and its tax (3 days late).\nPay here: https://pay.example/i/1\n"
        );
        assert_eq!(message.amount_due.to_string(), "103.30");
        let tokyo = reminders::message(&open, &after, &config, &zone("Asia/Tokyo"), after.at);
        assert!(tokyo.subject.ends_with("was due on 2024-03-01"), "{}", tokyo.subject);
        let late_evening = invoice(t("2024-03-01T16:00:00Z"), InvoiceStatus::Opened);
        let tokyo = reminders::message(&late_evening, &before, &config, &zone("Asia/Tokyo"), before.at);
        assert!(tokyo.subject.ends_with("due on 2024-03-02"), "{}", tokyo.subject);
        // The store's My Credits page, while the store shows My Credits.
        let page = "Your account and all your invoices: https://shop.example/my-credits\n";
        // (update) → whether the message ends with the page.
        for (update, printed) in [
            (r#"{"myCreditsUrl": "https://shop.example/my-credits"}"#, false),
            (r#"{"myCreditsEnabled": true}"#, false),
            (r#"{"myCreditsEnabled": true, "myCreditsUrl": "https://shop.example/my-credits"}"#, true),
        ] {
            let config = config.apply_update(&serde_json::from_str(update).unwrap()).unwrap();
            let message = reminders::message(&open, &after, &config, &zone("UTC"), after.at);
            assert_eq!(message.text.ends_with(page), printed, "{update}: {}", message.text);
            assert!(message.text.contains("Pay here: https://pay.example/i/1\n"), "{update}");
        }
    }
}
