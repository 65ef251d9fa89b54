//! Reminders of open invoices, from the store's `notificationsSettings`.
//!
//! Rules (also in `docs/credit-rules.md`, "Reminders"):
//! - An invoice's **due day** is the calendar date of its due date in the store's time zone.
//!   Each `daysPrior` rule gives a reminder that many days before the due day, each `daysAfter`
//!   rule one that many days after it, at the rule's `timeOfDay` on that day in the zone.
//! - A wall-clock time a daylight-saving change skips (a gap) is read as the moment the same
//!   time after the change (02:30 in a gap from 02:00 to 03:00 is 03:30); a time it repeats (an
//!   overlap) is the first of the two. (As `Temporal`'s "compatible" choice does.)
//! - Two rules landing on the same instant give one reminder (the first of them).
//! - Reminders are decided in order, once each: the store keeps, per invoice, the instant up to
//!   which every reminder is decided ("through"). At `now`, the reminders after "through" and
//!   at or before `now` are due: the latest of them is **sent**, the earlier ones are
//!   **skipped** as superseded (a server that was down sends only the latest), and all are
//!   skipped when the invoice is no longer open. "Through" then moves to `now`.
//! - A new invoice starts "through" at its creation (a reminder whose time passed before the
//!   invoice existed is never sent); a settings or time zone change moves it to the moment of
//!   the change (what the new settings would have sent before is not sent), and what was not
//!   sent yet follows the new settings.
//!
//! Core holds no time zone database: a [`Zone`] tells the offset in force at an instant (the
//! server's comes from the IANA database).

use chrono::{DateTime, Days, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::interest;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::money::Money;
use crate::store_config::{NotificationRule, NotificationsSettings, StoreConfig, TimeOfDay};
use crate::Timestamp;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A time zone: the offset from UTC in force at each instant.
pub trait Zone {
    /// Seconds east of UTC (Brasília: `-10_800`) in force at `at`.
    fn offset_seconds(&self, at: Timestamp) -> i32;
}

/// Coordinated Universal Time, the default zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc;

impl Zone for Utc {
    fn offset_seconds(&self, _at: Timestamp) -> i32 {
        0
    }
}

/// The calendar date of `at` in `zone`.
pub fn local_date(at: Timestamp, zone: &dyn Zone) -> NaiveDate {
    let local_us = at.unix_micros() + i64::from(zone.offset_seconds(at)) * MICROS_PER_SECOND;
    DateTime::from_timestamp_micros(local_us)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn clamped(micros: i64) -> Timestamp {
    Timestamp::from_unix_micros(
        micros.clamp(Timestamp::MIN.unix_micros(), Timestamp::MAX.unix_micros()),
    )
    .expect("clamped into range")
}

/// The instant of wall-clock `time` on `date` in `zone` (gaps read forward, overlaps as the
/// first; see the module's rules). Offsets are taken a day either side, so zones whose changes
/// are more than two days apart (all of them) are read exactly.
pub fn instant(date: NaiveDate, time: TimeOfDay, zone: &dyn Zone) -> Timestamp {
    let wall = NaiveTime::from_hms_opt(
        u32::from(time.hour()),
        u32::from(time.minute()),
        u32::from(time.second()),
    )
    .expect("TimeOfDay is a valid time");
    let local_us = date.and_time(wall).and_utc().timestamp_micros();
    let before = zone.offset_seconds(clamped(local_us - MICROS_PER_DAY));
    let after = zone.offset_seconds(clamped(local_us + MICROS_PER_DAY));
    let at = |offset: i32| clamped(local_us - i64::from(offset) * MICROS_PER_SECOND);
    [before, after]
        .into_iter()
        .filter(|&offset| zone.offset_seconds(at(offset)) == offset)
        .map(at)
        .min()
        .unwrap_or_else(|| at(before))
}

/// Which rule a reminder comes from: so many days before, or after, the due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum When {
    Prior(u16),
    After(u16),
}

/// Which list of `notificationsSettings` a rule is in, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    #[serde(rename = "daysPrior")]
    Prior,
    #[serde(rename = "daysAfter")]
    After,
}

impl When {
    /// The rule `days` days on `side` of the due day.
    pub fn new(side: Side, days: u16) -> When {
        match side {
            Side::Prior => When::Prior(days),
            Side::After => When::After(days),
        }
    }

    pub fn side(self) -> Side {
        match self {
            When::Prior(_) => Side::Prior,
            When::After(_) => Side::After,
        }
    }

    pub fn days(self) -> u16 {
        match self {
            When::Prior(days) | When::After(days) => days,
        }
    }

    /// The storage form: `prior:5`, `after:3`.
    pub fn key(self) -> String {
        match self {
            When::Prior(days) => format!("prior:{days}"),
            When::After(days) => format!("after:{days}"),
        }
    }

    /// Reads [`When::key`].
    pub fn from_key(key: &str) -> Option<When> {
        let (side, days) = key.split_once(':')?;
        let days = days.parse().ok()?;
        match side {
            "prior" => Some(When::Prior(days)),
            "after" => Some(When::After(days)),
            _ => None,
        }
    }
}

/// One reminder of an invoice: its rule and its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub when: When,
    pub at: Timestamp,
}

/// Every reminder of an invoice due at `due`, earliest first.
pub fn schedule(
    due: Timestamp,
    settings: &NotificationsSettings,
    zone: &dyn Zone,
) -> Vec<Reminder> {
    let day = local_date(due, zone);
    let rule = |when: When, rule: &NotificationRule| {
        let date = match when {
            When::Prior(days) => day.checked_sub_days(Days::new(u64::from(days))),
            When::After(days) => day.checked_add_days(Days::new(u64::from(days))),
        }?;
        Some(Reminder {
            when,
            at: instant(date, rule.time_of_day, zone),
        })
    };
    let prior = settings
        .days_prior()
        .iter()
        .filter_map(|r| rule(When::Prior(r.days), r));
    let after = settings
        .days_after()
        .iter()
        .filter_map(|r| rule(When::After(r.days), r));
    let mut reminders: Vec<Reminder> = prior.chain(after).collect();
    // A stable sort keeps the first rule of those on one instant, and dedup keeps it.
    crate::order::sort_by_key(&mut reminders, |r| r.at);
    reminders.dedup_by_key(|r| r.at);
    reminders
}

/// Why a reminder was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A later reminder of the same invoice was due at the same time (only the latest goes).
    Superseded,
    /// The invoice was paid or cancelled by then.
    InvoiceNotOpen,
}

impl SkipReason {
    pub const ALL: [SkipReason; 2] = [SkipReason::Superseded, SkipReason::InvoiceNotOpen];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Superseded => "superseded",
            SkipReason::InvoiceNotOpen => "invoice_not_open",
        }
    }

    pub fn from_name(name: &str) -> Option<SkipReason> {
        SkipReason::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// What became of a due reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Send,
    Skip(SkipReason),
}

/// What the store does for one invoice at `now`: each due reminder's outcome (earliest first),
/// the instant every reminder is decided through, and when the next one falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcomes: Vec<(Reminder, Outcome)>,
    pub through: Timestamp,
    pub next_at: Option<Timestamp>,
}

/// Where reminders of `invoice` are decided through: `through` as the store keeps it, or
/// (never decided) the invoice's creation.
fn decided_through(invoice: &Invoice, through: Option<Timestamp>) -> Timestamp {
    through.unwrap_or(invoice.created_at)
}

/// Decides the reminders of `invoice` due after `through` (`None`: never decided) and up to
/// `now` (module rules).
pub fn decide(
    invoice: &Invoice,
    settings: &NotificationsSettings,
    zone: &dyn Zone,
    through: Option<Timestamp>,
    now: Timestamp,
) -> Decision {
    let through = decided_through(invoice, through);
    let reminders = schedule(invoice.due_date, settings, zone);
    let open = invoice.status == InvoiceStatus::Opened;
    let due: Vec<Reminder> = reminders
        .iter()
        .filter(|r| through < r.at && r.at <= now)
        .copied()
        .collect();
    let last = due.len().checked_sub(1);
    let outcomes = due
        .into_iter()
        .enumerate()
        .map(|(index, reminder)| {
            let outcome = match (open, Some(index) == last) {
                (false, _) => Outcome::Skip(SkipReason::InvoiceNotOpen),
                (true, true) => Outcome::Send,
                (true, false) => Outcome::Skip(SkipReason::Superseded),
            };
            (reminder, outcome)
        })
        .collect();
    let decided = through.max(now);
    let next_at = open
        .then(|| reminders.iter().find(|r| r.at > decided).map(|r| r.at))
        .flatten();
    Decision {
        outcomes,
        through: decided,
        next_at,
    }
}

/// The reminders of `invoice` not decided yet (after `through`, `None`: never decided),
/// earliest first; none once it is no longer open.
pub fn upcoming(
    invoice: &Invoice,
    settings: &NotificationsSettings,
    zone: &dyn Zone,
    through: Option<Timestamp>,
) -> Vec<Reminder> {
    if invoice.status != InvoiceStatus::Opened {
        return Vec::new();
    }
    let through = decided_through(invoice, through);
    schedule(invoice.due_date, settings, zone)
        .into_iter()
        .filter(|r| r.at > through)
        .collect()
}

/// Where the email of a sent reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmailStatus {
    /// Waiting for the mail task (or for its next try).
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// Every try failed (about three days of them, as webhooks are retried).
    Failed,
    /// Not sent: the invoice was no longer open when the mail task came to it, or the account
    /// has no address at all.
    Skipped,
    /// The server has no SMTP configured: no email.
    NotConfigured,
}

impl EmailStatus {
    pub const ALL: [EmailStatus; 5] = [
        EmailStatus::Pending,
        EmailStatus::Sent,
        EmailStatus::Failed,
        EmailStatus::Skipped,
        EmailStatus::NotConfigured,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "Pending",
            EmailStatus::Sent => "Sent",
            EmailStatus::Failed => "Failed",
            EmailStatus::Skipped => "Skipped",
            EmailStatus::NotConfigured => "NotConfigured",
        }
    }

    pub fn from_name(name: &str) -> Option<EmailStatus> {
        EmailStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Where one reminder stands, as the API and the admin show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReminderStatus {
    /// Not decided yet: it goes at its time if the invoice is still open.
    Scheduled,
    Sent,
    Skipped,
}

impl ReminderStatus {
    pub const ALL: [ReminderStatus; 3] = [
        ReminderStatus::Scheduled,
        ReminderStatus::Sent,
        ReminderStatus::Skipped,
    ];

    /// The status as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStatus::Scheduled => "Scheduled",
            ReminderStatus::Sent => "Sent",
            ReminderStatus::Skipped => "Skipped",
        }
    }
}

/// Who gets a reminder's email: the account's address, then its holders', each address once
/// (addresses that differ only in case are one).
pub fn recipients(account: Option<&str>, holders: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for address in account
        .into_iter()
        .chain(holders.iter().map(String::as_str))
    {
        if !seen.iter().any(|s| s.eq_ignore_ascii_case(address)) {
            seen.push(address.to_owned());
        }
    }
    seen
}

/// One reminder of an invoice as the API answers it (`GET …/invoices/{id}/reminders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderView {
    /// Its rule: `"rule": "daysPrior"` (or `"daysAfter"`) and `"days"`.
    pub rule: Side,
    pub days: u16,
    pub at: Timestamp,
    pub status: ReminderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
    /// The `invoice.reminder` event's message id (`webhook-id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// What the buyer was told: the message at the moment it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailView>,
}

impl ReminderView {
    /// Its rule.
    pub fn when(&self) -> When {
        When::new(self.rule, self.days)
    }

    /// A reminder not decided yet.
    pub fn scheduled(reminder: Reminder) -> ReminderView {
        ReminderView {
            rule: reminder.when.side(),
            days: reminder.when.days(),
            at: reminder.at,
            status: ReminderStatus::Scheduled,
            reason: None,
            decided_at: None,
            event_id: None,
            message: None,
            email: None,
        }
    }
}

/// The email of a sent reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailView {
    pub status: EmailStatus,
    pub recipients: Vec<String>,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An invoice's reminders, decided and scheduled, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderList {
    pub time_zone: String,
    /// Whether the server sends email (it has SMTP configured).
    pub email_configured: bool,
    pub items: Vec<ReminderView>,
}

impl ReminderList {
    /// The `decided` reminders (as the store kept them) and the `upcoming` ones, by time.
    pub fn new(
        time_zone: &str,
        email: Emailing,
        decided: Vec<ReminderView>,
        upcoming: Vec<Reminder>,
    ) -> ReminderList {
        let mut items = decided;
        items.extend(upcoming.into_iter().map(ReminderView::scheduled));
        crate::order::sort_by_key(&mut items, |r| r.at);
        ReminderList {
            time_zone: time_zone.to_owned(),
            email_configured: email == Emailing::Configured,
            items,
        }
    }
}

/// Whether sent reminders get an email: the server has SMTP configured, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emailing {
    Configured,
    NotConfigured,
}

impl Emailing {
    /// The email status a reminder sent now to `recipients` starts with.
    pub fn first_status(self, recipients: &[String]) -> EmailStatus {
        match (self, recipients.is_empty()) {
            (Emailing::NotConfigured, _) => EmailStatus::NotConfigured,
            (Emailing::Configured, true) => EmailStatus::Skipped,
            (Emailing::Configured, false) => EmailStatus::Pending,
        }
    }
}

/// What a reminder tells the buyer: the email's subject and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub subject: String,
    pub text: String,
    /// What the buyer must pay at the reminder's time (remaining + interest + tax).
    #[serde(rename = "amountDue")]
    pub amount_due: Money,
}

/// The reminder's message for `invoice` at `now` under the store's `config`: which invoice, how
/// much is due (interest included, as [`interest::accrued`] has it at `now`), by when (the due
/// day in the store's zone), the payment link when the invoice has one, and the store's My
/// Credits page while the store shows it. A `daysAfter` reminder says the invoice is overdue.
pub fn message(
    invoice: &Invoice,
    reminder: &Reminder,
    config: &StoreConfig,
    zone: &dyn Zone,
    now: Timestamp,
) -> Message {
    let (policy, currency) = (&config.interest_policy(), config.currency());
    let accrued = interest::accrued(invoice, policy, now);
    let amount_due = accrued.amount_due(invoice.remaining());
    let due_day = local_date(invoice.due_date, zone);
    let amount = format!("{amount_due} {}", currency.as_str());
    let subject = if let When::After(_) = reminder.when {
        format!(
            "Invoice {} is overdue: {amount} was due on {due_day}",
            invoice.friendly_id
        )
    } else {
        format!("Invoice {}: {amount} due on {due_day}", invoice.friendly_id)
    };
    let mut text = format!(
        "Invoice {} (order {}, installment {} of {}).\n",
        invoice.friendly_id, invoice.order_id, invoice.installment, invoice.number_of_installments
    );
    text.push_str(&format!("Due date: {due_day}.\nAmount due: {amount}"));
    let charged = accrued.total();
    if charged.is_positive() {
        text.push_str(&format!(
            ", of which {} {} is overdue interest and its tax ({} days late)",
            charged,
            currency.as_str(),
            interest::days_late(invoice, now)
        ));
    }
    text.push_str(".\n");
    match &invoice.payment_link {
        Some(link) => text.push_str(&format!("Pay here: {link}\n")),
        None => text.push_str("Pay it through the store where you bought.\n"),
    }
    if let Some(page) = config.my_credits_link() {
        text.push_str(&format!("Your account and all your invoices: {page}\n"));
    }
    Message {
        subject,
        text,
        amount_due,
    }
}
