//! Reminders in storage: the sweep that decides what is due (core's `reminders::decide`) and
//! writes, in one transaction per batch of invoices, each decision, the `invoice.reminder`
//! event into the outbox and the email waiting for the mail task (in the reminder's own row);
//! the mail task's claims and outcomes; the reminders of one invoice.
//!
//! Per invoice, `reminded_through_us` is where its reminders are decided through and
//! `next_reminder_us` when the next falls due; every write of the invoice sets the latter to 0
//! (work it out again), as does a change of the store's reminder settings.

use creditdesk_core::ids::{AccountId, InvoiceId};
use creditdesk_core::invoice::Invoice;
use creditdesk_core::reminders::{
    self, EmailStatus, EmailView, Emailing, Message, Outcome, Reminder, ReminderStatus,
    ReminderView, SkipReason, When, Zone,
};
use creditdesk_core::store_config::StoreConfig;
use creditdesk_core::{webhooks, Money, Timestamp};
use sqlx::FromRow;

use super::books::{time, InvoiceRow, INVOICE_COLUMNS};
use super::engine::{Arg, Tx};
use super::outbox::{insert_event, ulids, LEASE_US, ROUND_ROWS_MAX};
use super::{Db, StorageError};

/// Invoices decided per transaction.
pub const REMINDER_BATCH_ROWS: i64 = 100;

#[derive(FromRow)]
struct DueInvoice {
    #[sqlx(flatten)]
    invoice: InvoiceRow,
    reminded_through_us: Option<i64>,
}

/// A reminder's email claimed for sending.
#[derive(Debug, Clone, FromRow)]
pub struct MailDue {
    pub invoice_id: String,
    pub at_us: i64,
    pub rule: String,
    pub recipients: String,
    pub subject: String,
    pub body: String,
    pub email_attempts: i32,
    /// The invoice's status now (the email is skipped unless it is still open).
    pub invoice_status: String,
}

impl MailDue {
    /// Its addresses, one per line in storage.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.recipients.lines().filter(|l| !l.is_empty())
    }
}

/// What became of one try of a reminder's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    RetryAt(Timestamp, String),
    Failed(String),
    /// The invoice was no longer open.
    Skipped,
}

#[derive(FromRow)]
struct ReminderRow {
    at_us: i64,
    rule: String,
    status: String,
    reason: Option<String>,
    decided_at_us: i64,
    event_id: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    amount_due_minor: Option<i64>,
    recipients: Option<String>,
    email_status: Option<String>,
    email_attempts: i32,
    emailed_at_us: Option<i64>,
    email_error: Option<String>,
}

const REMINDER_COLUMNS: &str = "at_us, rule, status, reason, decided_at_us, event_id, subject, \
     body, amount_due_minor, recipients, email_status, email_attempts, emailed_at_us, email_error";

impl ReminderRow {
    fn into_view(self) -> Result<ReminderView, StorageError> {
        let corrupt = |what: &str, value: &str| {
            StorageError::corrupt(format!("reminder at {}: {what} {value:?}", self.at_us))
        };
        let when = When::from_key(&self.rule).ok_or_else(|| corrupt("rule", &self.rule))?;
        let status = match self.status.as_str() {
            "Sent" => ReminderStatus::Sent,
            "Skipped" => ReminderStatus::Skipped,
            other => return Err(corrupt("status", other)),
        };
        let reason = self
            .reason
            .as_deref()
            .map(|r| SkipReason::from_name(r).ok_or_else(|| corrupt("reason", r)))
            .transpose()?;
        let message = match (self.subject, self.body, self.amount_due_minor) {
            (Some(subject), Some(text), Some(minor)) => Some(Message {
                subject,
                text,
                amount_due: Money::saturating_from_minor(minor),
            }),
            _ => None,
        };
        let email = self
            .email_status
            .as_deref()
            .map(|name| {
                let status =
                    EmailStatus::from_name(name).ok_or_else(|| corrupt("email status", name))?;
                Ok::<_, StorageError>(EmailView {
                    status,
                    recipients: self
                        .recipients
                        .as_deref()
                        .unwrap_or_default()
                        .lines()
                        .map(str::to_owned)
                        .collect(),
                    attempts: u32::try_from(self.email_attempts).unwrap_or_default(),
                    sent_at: self.emailed_at_us.map(time).transpose()?,
                    error: self.email_error.clone(),
                })
            })
            .transpose()?;
        Ok(ReminderView {
            rule: when.side(),
            days: when.days(),
            at: time(self.at_us)?,
            status,
            reason,
            decided_at: Some(time(self.decided_at_us)?),
            event_id: self.event_id,
            message,
            email,
        })
    }
}

/// What the sweep needs to decide and word reminders.
pub struct Reminding<'a> {
    pub config: &'a StoreConfig,
    pub zone: &'a (dyn Zone + Sync),
    pub emailing: Emailing,
}

/// The addresses of the account `id`: its own, then its holders' (core's rule).
async fn recipients(tx: &mut Tx, id: &AccountId) -> Result<Vec<String>, StorageError> {
    let sql = "SELECT email FROM accounts WHERE id = $1";
    let own: Option<(Option<String>,)> = tx.fetch_optional(sql, vec![id.as_str().into()]).await?;
    let sql = "SELECT email FROM holders WHERE account_id = $1 ORDER BY level, created_at_us, id";
    let holders: Vec<(String,)> = tx.fetch_all(sql, vec![id.as_str().into()]).await?;
    let holders: Vec<String> = holders.into_iter().map(|(e,)| e).collect();
    Ok(reminders::recipients(
        own.and_then(|(e,)| e).as_deref(),
        &holders,
    ))
}

/// Writes one decided reminder of `invoice`.
async fn keep(
    tx: &mut Tx,
    invoice: &Invoice,
    reminder: &Reminder,
    outcome: Outcome,
    how: &Reminding<'_>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let now_us = now.unix_micros();
    let mut args: Vec<Arg> = vec![
        invoice.id.as_str().into(),
        reminder.at.unix_micros().into(),
        reminder.when.key().into(),
        invoice.account_id.as_str().into(),
        now_us.into(),
    ];
    let sql = match outcome {
        Outcome::Skip(reason) => {
            args.push(reason.as_str().into());
            "INSERT INTO reminders (invoice_id, at_us, rule, account_id, decided_at_us, status, \
             reason) VALUES ($1, $2, $3, $4, $5, 'Skipped', $6) \
             ON CONFLICT (invoice_id, at_us, rule) DO NOTHING"
        }
        Outcome::Send => {
            let message = reminders::message(invoice, reminder, how.config, how.zone, now);
            let event = webhooks::reminder_event(invoice, reminder, &message);
            let id = ulids(now, 1).pop().expect("one id");
            let event_id = insert_event(tx, &event, &id, now).await?;
            let to = recipients(tx, &invoice.account_id).await?;
            let email = how.emailing.first_status(&to);
            args.extend([
                event_id.into(),
                message.subject.into(),
                message.text.into(),
                message.amount_due.minor().into(),
                to.join("\n").into(),
                email.as_str().into(),
            ]);
            "INSERT INTO reminders (invoice_id, at_us, rule, account_id, decided_at_us, status, \
             event_id, subject, body, amount_due_minor, recipients, email_status, email_next_us) \
             VALUES ($1, $2, $3, $4, $5, 'Sent', $6, $7, $8, $9, $10, $11, $5) \
             ON CONFLICT (invoice_id, at_us, rule) DO NOTHING"
        }
    };
    tx.execute(sql, args).await?;
    Ok(())
}

/// After the store's reminder settings changed at `now`: every open invoice's reminders are
/// decided through `now` at least (nothing the new settings would have sent before goes
/// out) and its next one worked out again.
pub(super) async fn reschedule(tx: &mut Tx, now: Timestamp) -> Result<u64, StorageError> {
    let sql = "UPDATE invoices SET next_reminder_us = 0, reminded_through_us = CASE \
               WHEN reminded_through_us IS NULL OR reminded_through_us < $1 THEN $2 \
               ELSE reminded_through_us END WHERE status = 'Opened'";
    let args = vec![now.unix_micros().into(), now.unix_micros().into()];
    Ok(tx.execute(sql, args).await?)
}

impl Db {
    /// Decides every reminder due at `now` (core's `reminders::decide`), a batch of invoices per
    /// transaction; returns how many were sent. What fell due while the server was down is
    /// decided by the first sweep after (only the latest of an invoice's goes). On PostgreSQL
    /// invoices another server is deciding are skipped, so each reminder is decided once.
    pub async fn remind_due(
        &self,
        now: Timestamp,
        how: &Reminding<'_>,
    ) -> Result<u32, StorageError> {
        let now_us = now.unix_micros();
        let mut sent = 0;
        loop {
            let mut tx = self.pool.begin_write().await?;
            let sql = format!(
                "SELECT {INVOICE_COLUMNS}, reminded_through_us FROM invoices \
                 WHERE status = 'Opened' AND next_reminder_us <= $1 \
                 ORDER BY next_reminder_us LIMIT {REMINDER_BATCH_ROWS}{}",
                tx.skip_locked()
            );
            let rows: Vec<DueInvoice> = tx.fetch_all(&sql, vec![now_us.into()]).await?;
            let batch = rows.len();
            for row in rows {
                let through = row.reminded_through_us.map(time).transpose()?;
                let invoice = row.invoice.into_invoice()?;
                let settings = how.config.notifications_settings();
                let decision = reminders::decide(&invoice, settings, how.zone, through, now);
                for (reminder, outcome) in &decision.outcomes {
                    keep(&mut tx, &invoice, reminder, *outcome, how, now).await?;
                    sent += u32::from(*outcome == Outcome::Send);
                }
                let sql = "UPDATE invoices SET reminded_through_us = $3, next_reminder_us = $4 \
                           WHERE account_id = $1 AND id = $2";
                let args = vec![
                    invoice.account_id.as_str().into(),
                    invoice.id.as_str().into(),
                    decision.through.unix_micros().into(),
                    decision.next_at.map(Timestamp::unix_micros).into(),
                ];
                tx.execute(sql, args).await?;
            }
            tx.commit().await?;
            if batch < usize::try_from(REMINDER_BATCH_ROWS).unwrap_or(usize::MAX) {
                return Ok(sent);
            }
        }
    }

    /// The invoice `invoice` of the account `account` with where its reminders are decided
    /// through, and its decided reminders by time; `None` when there is no such invoice.
    pub async fn reminders_of(
        &self,
        account: &AccountId,
        invoice: &InvoiceId,
    ) -> Result<Option<(Invoice, Option<Timestamp>, Vec<ReminderView>)>, StorageError> {
        let mut tx = self.pool.begin_snapshot().await?;
        let sql = format!(
            "SELECT {INVOICE_COLUMNS}, reminded_through_us FROM invoices \
             WHERE account_id = $1 AND id = $2"
        );
        let args = || vec![account.as_str().into(), invoice.as_str().into()];
        let Some(row) = tx.fetch_optional::<DueInvoice>(&sql, args()).await? else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {REMINDER_COLUMNS} FROM reminders WHERE account_id = $1 AND invoice_id = $2 \
             ORDER BY at_us, rule"
        );
        let rows: Vec<ReminderRow> = tx.fetch_all(&sql, args()).await?;
        let views = rows
            .into_iter()
            .map(ReminderRow::into_view)
            .collect::<Result<_, _>>()?;
        let through = row.reminded_through_us.map(time).transpose()?;
        Ok(Some((row.invoice.into_invoice()?, through, views)))
    }

    /// Claims the reminder emails due at `now` (at most [`ROUND_ROWS_MAX`]) for [`LEASE_US`].
    pub async fn claim_mail(&self, now: Timestamp) -> Result<Vec<MailDue>, StorageError> {
        let now_us = now.unix_micros();
        let mut tx = self.pool.begin_write().await?;
        let sql = format!(
            "SELECT invoice_id, at_us, rule FROM reminders WHERE email_status = 'Pending' \
             AND email_next_us <= $1 \
             AND (email_claimed_until_us IS NULL OR email_claimed_until_us <= $1) \
             ORDER BY email_next_us LIMIT {ROUND_ROWS_MAX}{}",
            tx.skip_locked()
        );
        let keys: Vec<(String, i64, String)> = tx.fetch_all(&sql, vec![now_us.into()]).await?;
        let mut due = Vec::with_capacity(keys.len());
        for (invoice, at_us, rule) in keys {
            let key = || -> Vec<Arg> {
                vec![invoice.as_str().into(), at_us.into(), rule.as_str().into()]
            };
            let sql = "UPDATE reminders SET email_claimed_until_us = $4 \
                       WHERE invoice_id = $1 AND at_us = $2 AND rule = $3";
            let mut args = key();
            args.push((now_us + LEASE_US).into());
            tx.execute(sql, args).await?;
            let sql = "SELECT r.invoice_id, r.at_us, r.rule, r.recipients, r.subject, r.body, \
                       r.email_attempts, i.status AS invoice_status FROM reminders r \
                       JOIN invoices i ON i.account_id = r.account_id AND i.id = r.invoice_id \
                       WHERE r.invoice_id = $1 AND r.at_us = $2 AND r.rule = $3";
            if let Some(found) = tx.fetch_optional::<MailDue>(sql, key()).await? {
                due.push(found);
            }
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Keeps the outcome of one try of a claimed email.
    pub async fn finish_mail(
        &self,
        due: &MailDue,
        now: Timestamp,
        outcome: &MailOutcome,
    ) -> Result<(), StorageError> {
        let (status, next, error, tried): (_, _, _, i32) = match outcome {
            MailOutcome::Sent => (EmailStatus::Sent, None, None, 1),
            MailOutcome::RetryAt(at, error) => (
                EmailStatus::Pending,
                Some(at.unix_micros()),
                Some(error.as_str()),
                1,
            ),
            MailOutcome::Failed(error) => (EmailStatus::Failed, None, Some(error.as_str()), 1),
            MailOutcome::Skipped => (EmailStatus::Skipped, None, None, 0),
        };
        let sent_at = (*outcome == MailOutcome::Sent).then_some(now.unix_micros());
        let sql = "UPDATE reminders SET email_status = $4, email_next_us = $5, email_error = $6, \
                   email_attempts = email_attempts + $7, emailed_at_us = $8, \
                   email_claimed_until_us = NULL \
                   WHERE invoice_id = $1 AND at_us = $2 AND rule = $3";
        let args = vec![
            due.invoice_id.as_str().into(),
            due.at_us.into(),
            due.rule.as_str().into(),
            status.as_str().into(),
            next.into(),
            error.into(),
            tried.into(),
            sent_at.into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }
}
