//! Reminder emails over SMTP (lettre). Each round claims the emails due (written by the
//! reminder sweep in the transaction that decided them), sends each to its recipients, and
//! keeps the outcome: sent, tried again on webhooks' schedule (about three days), failed, or
//! skipped when the invoice is no longer open. A round that dies before keeping an outcome
//! leaves the claim to expire, so the email goes again (at least once), never lost.

use creditdesk_core::invoice::InvoiceStatus;
use creditdesk_core::text::shorten;
use creditdesk_core::webhooks;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::background::ITEM_ERROR_CHARS_MAX;
use crate::db::reminders::{MailDue, MailOutcome};
use crate::db::StorageError;
use crate::AppState;

/// The emails' background loop, as `/healthz` names it.
pub const LOOP: &str = "emails";

/// Where reminder emails go out: the SMTP server and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    /// The sender only: the SMTP URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// From `--smtp-url` (`smtp://host:port`, `smtps://user:pass@host`, `?tls=required`) and
    /// `--mail-from` (`Store <billing@store.example>` or a bare address).
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!(
                "--smtp-url / CREDITDESK_SMTP_URL {url:?} cannot be used ({e}); write it as smtp://host:port, \
                 smtps://user:password@host or smtp://host:587?tls=required"
            ))?
            .timeout(Some(crate::webhooks::ATTEMPT_TIMEOUT))
            .build();
        let from = from.parse().map_err(|e| anyhow::anyhow!(
            "--mail-from / CREDITDESK_MAIL_FROM {from:?} is not an address ({e}); write it as billing@store.example or \"Store <billing@store.example>\""
        ))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, due: &MailDue) -> Result<(), String> {
        let mut message = lettre::Message::builder()
            .from(self.from.clone())
            .subject(due.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        for address in due.addresses() {
            let to: Mailbox = address
                .parse()
                .map_err(|e| format!("{address:?} is not an address: {e}"))?;
            message = message.to(to);
        }
        let message = message.body(due.body.clone()).map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// One round at the state's clock: claim, send, keep each outcome; answers how many were sent.
/// Each email fails alone: an address or an SMTP answer that breaks the sending (even by a
/// panic) is that email's error, tried again on its schedule, and the round goes on.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<u32, StorageError> {
    let mut sent = 0;
    for due in state.db.claim_mail(state.now()).await? {
        let outcome = outcome(state, mailer, &due).await;
        sent += u32::from(outcome == MailOutcome::Sent);
        state.db.finish_mail(&due, state.now(), &outcome).await?;
    }
    Ok(sent)
}

/// What sending `due` came to: sent, skipped (no longer open), or its error and next try.
async fn outcome(state: &AppState, mailer: &Mailer, due: &MailDue) -> MailOutcome {
    if due.invoice_status.parse() != Ok(InvoiceStatus::Opened) {
        return MailOutcome::Skipped;
    }
    let error = match crate::background::isolated(mailer.send(due)).await {
        Ok(Ok(())) => return MailOutcome::Sent,
        Ok(Err(error)) | Err(error) => shorten(&error, ITEM_ERROR_CHARS_MAX),
    };
    tracing::info!(invoice = %due.invoice_id, %error, "reminder email not sent");
    state.loops.item_failed(LOOP, &error, state.now());
    let attempt = u32::try_from(due.email_attempts).unwrap_or_default() + 1;
    let jitter: u16 = rand::random_range(0..=1000);
    match webhooks::next_attempt(attempt, state.now(), jitter) {
        Some(at) => MailOutcome::RetryAt(at, error),
        None => MailOutcome::Failed(error),
    }
}
