//! Events and webhooks: what a change of a book tells the world, which endpoints hear it, and
//! when a failed delivery is tried again.
//!
//! Rules (also in `docs/api.md`):
//! - A command's events are read off the book before and after it ([`book_events`]): storage
//!   writes them in the same transaction as the change (a transactional outbox), so an event is
//!   never lost and never told of a change that did not happen.
//! - An endpoint hears the event types it names, or every type when it names `*`.
//! - A failed delivery is tried again after the delays of [`RETRY_DELAYS_SECONDS`] (about three
//!   days in all), each stretched by up to a tenth at random (the jitter is passed in); then it
//!   is given up.

use serde_json::{json, Value};

use crate::book::Book;
use crate::fields::Fields;
use crate::ids::AccountId;
use crate::invoice::{Invoice, InvoiceStatus};
use crate::ledger::EntryKind;
use crate::timestamp::Timestamp;
use crate::transaction::{Transaction, TransactionStatus};
use crate::validation::ValidationErrors;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    InvoiceCreated,
    InvoicePaid,
    InvoiceCancelled,
    /// An invoice became open again (a payment reversed).
    InvoiceReopened,
    /// The first moment an invoice is late (seen by the store's sweep).
    InvoiceOverdue,
    /// A reminder of an open invoice, from the store's `notificationsSettings`
    /// (see [`crate::reminders`]).
    InvoiceReminder,
    HoldCreated,
    HoldSettled,
    HoldCancelled,
    HoldExpired,
    AccountCreditLimitChanged,
    CreditPosted,
    CreditReversed,
}

impl EventType {
    pub const ALL: [EventType; 13] = [
        EventType::InvoiceCreated,
        EventType::InvoicePaid,
        EventType::InvoiceCancelled,
        EventType::InvoiceReopened,
        EventType::InvoiceOverdue,
        EventType::InvoiceReminder,
        EventType::HoldCreated,
        EventType::HoldSettled,
        EventType::HoldCancelled,
        EventType::HoldExpired,
        EventType::AccountCreditLimitChanged,
        EventType::CreditPosted,
        EventType::CreditReversed,
    ];

    /// The name on the wire (`invoice.paid`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InvoiceCreated => "invoice.created",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoiceCancelled => "invoice.cancelled",
            EventType::InvoiceReopened => "invoice.reopened",
            EventType::InvoiceOverdue => "invoice.overdue",
            EventType::InvoiceReminder => "invoice.reminder",
            EventType::HoldCreated => "hold.created",
            EventType::HoldSettled => "hold.settled",
            EventType::HoldCancelled => "hold.cancelled",
            EventType::HoldExpired => "hold.expired",
            EventType::AccountCreditLimitChanged => "account.credit_limit_changed",
            EventType::CreditPosted => "credit.posted",
            EventType::CreditReversed => "credit.reversed",
        }
    }

    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// One event: its type, the account it concerns, and its data (the `data` of the webhook body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventType,
    pub account_id: AccountId,
    pub data: Value,
}

fn invoice_data(invoice: &Invoice) -> Value {
    json!({
        "accountId": invoice.account_id,
        "invoiceId": invoice.id,
        "friendlyId": invoice.friendly_id,
        "transactionId": invoice.transaction_id,
        "orderId": invoice.order_id,
        "installment": invoice.installment,
        "numberOfInstallments": invoice.number_of_installments,
        "status": invoice.status.as_str(),
        "value": invoice.value,
        "paidValue": invoice.paid_value,
        "remainingValue": invoice.remaining(),
        "dueDate": invoice.due_date,
        "paymentLink": invoice.payment_link,
    })
}

/// The `invoice.reminder` event of `reminder` of `invoice`: the invoice's data with the
/// reminder (`rule`, `days`, `at`) and its message's amount due, subject and text.
pub fn reminder_event(
    invoice: &Invoice,
    reminder: &crate::reminders::Reminder,
    message: &crate::reminders::Message,
) -> Event {
    let mut data = invoice_data(invoice);
    data["reminder"] = json!({
        "rule": reminder.when.side(),
        "days": reminder.when.days(),
        "at": reminder.at,
    });
    data["amountDue"] = json!(message.amount_due);
    data["subject"] = json!(message.subject);
    data["text"] = json!(message.text);
    Event {
        kind: EventType::InvoiceReminder,
        account_id: invoice.account_id.clone(),
        data,
    }
}

fn hold_data(transaction: &Transaction) -> Value {
    json!({
        "accountId": transaction.account_id,
        "transactionId": transaction.id,
        "orderId": transaction.order_id,
        "value": transaction.value,
        "installments": transaction.installments,
        "status": transaction.status.as_str(),
        "settledValue": transaction.settled_value,
        "expirationDate": transaction.expires_at,
    })
}

/// The events of a command that turned `before` (as loaded; `None`: the account did not exist)
/// into `after`, in a fixed order: holds, invoices, credits, then the credit limit. Only what
/// the command loaded can change, so comparing the two books is exact.
pub fn book_events(before: Option<&Book>, after: &Book) -> Vec<Event> {
    let account = || after.account.id.clone();
    let event = |kind, data| Event {
        kind,
        account_id: account(),
        data,
    };
    let mut events = Vec::new();
    for transaction in &after.transactions {
        let old = before.and_then(|b| b.transactions.iter().find(|t| t.id == transaction.id));
        let kind = match (old.map(|t| t.status), transaction.status) {
            (None, _) => Some(EventType::HoldCreated),
            (Some(a), b) if a == b => None,
            (_, TransactionStatus::Settled) => Some(EventType::HoldSettled),
            (_, TransactionStatus::Cancelled) => Some(EventType::HoldCancelled),
            (_, TransactionStatus::Expired) => Some(EventType::HoldExpired),
            (_, TransactionStatus::Authorized) => None,
        };
        events.extend(kind.map(|k| event(k, hold_data(transaction))));
    }
    for invoice in &after.invoices {
        let old = before.and_then(|b| b.invoices.iter().find(|i| i.id == invoice.id));
        let kind = match (old.map(|i| i.status), invoice.status) {
            (None, _) => Some(EventType::InvoiceCreated),
            (Some(a), b) if a == b => None,
            (_, InvoiceStatus::Paid) => Some(EventType::InvoicePaid),
            (_, InvoiceStatus::Cancelled) => Some(EventType::InvoiceCancelled),
            (_, InvoiceStatus::Opened) => Some(EventType::InvoiceReopened),
        };
        events.extend(kind.map(|k| event(k, invoice_data(invoice))));
        let newly_late =
            invoice.overdue_at.is_some() && old.is_some_and(|o| o.overdue_at.is_none());
        if newly_late {
            events.push(event(EventType::InvoiceOverdue, invoice_data(invoice)));
        }
    }
    for credit in &after.credits {
        let old = before.and_then(|b| b.credits.iter().find(|c| c.locator == credit.locator));
        let was_reversed = old.map(|o| o.reversal.is_some());
        let kind = match (was_reversed, credit.reversal.is_some()) {
            (None, false) => Some(EventType::CreditPosted),
            (None | Some(false), true) => Some(EventType::CreditReversed),
            (Some(_), _) => None,
        };
        let data = json!({
            "accountId": credit.account_id,
            "creditLocator": credit.locator,
            "creditType": credit.kind.as_str(),
            "invoiceId": credit.invoice_id,
            "amount": credit.amount,
            "reversalReason": credit.reversal.as_ref().map(|r| r.reason.clone()),
        });
        events.extend(kind.map(|k| event(k, data.clone())));
    }
    let already = before.map_or(0, |b| b.entries.len());
    let limit_changed = after
        .entries
        .iter()
        .skip(already)
        .any(|e| e.kind == EntryKind::CreditLimitChanged);
    if limit_changed || before.is_some_and(|b| b.account.credit_limit != after.account.credit_limit)
    {
        events.push(event(
            EventType::AccountCreditLimitChanged,
            json!({
                "accountId": after.account.id,
                "creditLimit": after.account.credit_limit,
                "previousCreditLimit": before.map(|b| b.account.credit_limit),
            }),
        ));
    }
    events
}

/// The whole webhook body of an event: `{"type", "timestamp", "data"}` (Standard Webhooks).
pub fn body(kind: EventType, at: Timestamp, data: &Value) -> Value {
    json!({ "type": kind.as_str(), "timestamp": at, "data": data })
}

/// Most endpoints a store may have.
pub const ENDPOINTS_MAX: u32 = 20;
/// Most characters of an endpoint's URL.
pub const URL_CHARS_MAX: u32 = 2048;

/// Delays before each retry of a failed delivery, in seconds: 5 s, 1 min, 5 min, 30 min, 2 h,
/// 5 h, 10 h, 14 h, 20 h, 20 h — about three days after the first attempt.
pub const RETRY_DELAYS_SECONDS: [u32; 10] = [
    5, 60, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 72_000,
];

/// When a delivery whose attempt number `attempt` (1 for the first) failed at `now` is tried
/// again, with `jitter` (0..=1000, thousandths of a tenth) stretching the delay; `None` once
/// the attempts are used up (give up).
pub fn next_attempt(attempt: u32, now: Timestamp, jitter: u16) -> Option<Timestamp> {
    let delay = *RETRY_DELAYS_SECONDS.get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
    let base_us = i64::from(delay) * 1_000_000;
    let stretch_us = base_us / 10 * i64::from(jitter.min(1000)) / 1000;
    Timestamp::from_unix_micros(now.unix_micros() + base_us + stretch_us).ok()
}

/// Where one delivery of an event to an endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryStatus {
    /// Not yet delivered: due at its next attempt.
    Pending,
    /// An attempt got a 2xx answer.
    Delivered,
    /// Given up: the attempts ran out, or the endpoint answered 410 Gone.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What an attempt's answer means for its delivery: the HTTP status (`None`: no answer — a
/// connection error or a timeout) after attempt number `attempt` (1 for the first) at `now`.
pub fn after_attempt(
    status: Option<u16>,
    attempt: u32,
    now: Timestamp,
    jitter: u16,
) -> AttemptOutcome {
    match status {
        Some(200..=299) => AttemptOutcome::Delivered,
        Some(410) => AttemptOutcome::EndpointGone,
        _ => match next_attempt(attempt, now, jitter) {
            Some(at) => AttemptOutcome::RetryAt(at),
            None => AttemptOutcome::GiveUp,
        },
    }
}

/// See [`after_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(Timestamp),
    GiveUp,
    /// 410 Gone: the delivery fails and the endpoint is disabled.
    EndpointGone,
}

/// `POST /api/creditdesk/webhooks`: `{"url", "events": ["invoice.paid", …] or ["*"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// An `http` or `https` URL with a host.
    pub url: String,
    /// What the endpoint hears.
    pub events: Subscription,
}

/// The event types an endpoint hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    All,
    Only(Vec<EventType>),
}

impl Subscription {
    pub fn hears(&self, kind: EventType) -> bool {
        match self {
            Subscription::All => true,
            Subscription::Only(kinds) => kinds.contains(&kind),
        }
    }

    /// The names, as stored and shown (`["*"]` for all).
    pub fn names(&self) -> Vec<&'static str> {
        match self {
            Subscription::All => vec!["*"],
            Subscription::Only(kinds) => kinds.iter().map(|k| k.as_str()).collect(),
        }
    }

    /// Reads a list of names (`*` alone for every type).
    pub fn from_names<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Subscription, String> {
        let mut kinds = Vec::new();
        let mut all = false;
        for name in names {
            if name == "*" {
                all = true;
                continue;
            }
            let kind = EventType::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = EventType::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "{name:?} is not an event type; the types are * (all), {}",
                    known.join(", ")
                )
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        match (all, kinds.is_empty()) {
            (true, true) => Ok(Subscription::All),
            (true, false) => Err("* (all) stands alone".to_owned()),
            (false, true) => Err("must name at least one event type, or *".to_owned()),
            (false, false) => Ok(Subscription::Only(kinds)),
        }
    }
}

const URL_TOO_LONG: &str = "must be at most 2048 characters";
const _: () = assert!(URL_CHARS_MAX == 2048, "URL_TOO_LONG names the bound");

/// Whether `url` (as typed: spaces around it do not count) is plain `http://`, not TLS:
/// allowed, but the API answers a warning and the admin shows one.
pub fn is_plain_http(url: &str) -> bool {
    url.trim().starts_with("http://")
}

/// Whether `url` may receive webhooks: `http://` or `https://`, a host, no spaces or control
/// characters, at most [`URL_CHARS_MAX`] characters.
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must be an http:// or https:// URL")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err("must name a host");
    }
    if url.chars().count() > URL_CHARS_MAX as usize {
        return Err(URL_TOO_LONG);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters");
    }
    if url.chars().any(crate::text::is_invisible) {
        return Err(
            "must not contain invisible characters (direction marks, zero-width or \
                    formatting characters)",
        );
    }
    Ok(())
}

/// `url` as it may be shown or logged: credentials in it (`https://user:secret@host/…`)
/// replaced by `***`, the rest as it is.
pub fn shown_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|at| at + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| scheme_end + at);
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end], &url[scheme_end + at..]),
        None => url.to_owned(),
    }
}

impl NewWebhook {
    pub const FIELDS: &'static [&'static str] = &["url", "events"];

    pub fn from_json(body: &Value) -> Result<NewWebhook, ValidationErrors> {
        let mut f = Fields::new(body, Self::FIELDS);
        let url = f.required("url", |v| {
            let url = v.as_str().ok_or("must be a URL")?.trim().to_owned();
            check_url(&url)?;
            Ok(url)
        });
        let events = f.required("events", |v| {
            let names = v.as_array().ok_or("must be a list of event types")?;
            let names: Option<Vec<&str>> = names.iter().map(Value::as_str).collect();
            Subscription::from_names(names.ok_or("must be a list of event type names")?)
        });
        f.finish(|| {
            Some(NewWebhook {
                url: url?,
                events: events?,
            })
        })
    }

    /// Plain `http://` (not TLS): see [`is_plain_http`].
    pub fn is_plain_http(&self) -> bool {
        is_plain_http(&self.url)
    }
}
