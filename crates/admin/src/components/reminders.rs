//! An invoice's reminders, in a panel under the invoice table: what the buyer was told and
//! when (sent, with the email's fate and the message itself), what was skipped and why, and
//! what is scheduled — times in the store's time zone.

use creditdesk_core::reminders::{
    EmailStatus, EmailView, ReminderList, ReminderStatus, ReminderView, SkipReason, When,
};
use creditdesk_core::wire::InvoiceView;
use leptos::prelude::*;

use crate::api;
use crate::components::credits::invoice_extension_path;
use crate::components::loading::{loading, Load};
use crate::format;
use crate::session::use_session;

/// The invoice's reminders, loaded when the panel opens.
#[component]
pub fn InvoiceReminders(
    /// The invoice.
    invoice: InvoiceView,
    /// Closes the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let path = invoice_extension_path(&invoice, "/reminders");
    let list = Load::new(move || {
        let (path, backend) = (path.clone(), session.backend());
        async move { api::get::<ReminderList>(&backend?, &path).await }
    });
    view! {
        <section class="panel reminders-panel" aria-label="Reminders">
            <h3>{format!("Reminders of invoice {}", invoice.friendly_id)}</h3>
            {loading("Loading the reminders…", move || {
                list.get().map(|r| r.map(|l| view! { <ReminderTable list=l/> }.into_any()))
            })}
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </section>
    }
    .into_any()
}

/// "1 day before", "3 days after", "on the due day".
fn rule_label(when: When) -> String {
    let days = |n: u16| {
        if n == 1 {
            "1 day".to_owned()
        } else {
            format!("{n} days")
        }
    };
    match when {
        When::Prior(0) => "On the due day".to_owned(),
        When::Prior(n) => format!("{} before", days(n)),
        When::After(0) => "On the due day (after)".to_owned(),
        When::After(n) => format!("{} after", days(n)),
    }
}

fn status_label(reminder: &ReminderView) -> String {
    match (reminder.status, reminder.reason) {
        (ReminderStatus::Scheduled, _) => "Scheduled".to_owned(),
        (ReminderStatus::Sent, _) => "Sent".to_owned(),
        (ReminderStatus::Skipped, Some(SkipReason::Superseded)) => {
            "Skipped: a later one was due at the same time".to_owned()
        }
        (ReminderStatus::Skipped, Some(SkipReason::InvoiceNotOpen)) => {
            "Skipped: the invoice was no longer open".to_owned()
        }
        (ReminderStatus::Skipped, None) => "Skipped".to_owned(),
    }
}

fn email_label(email: &EmailView, zone: &str) -> String {
    let to = email.recipients.join(", ");
    match email.status {
        EmailStatus::Sent => format!(
            "Emailed to {to}{}",
            email
                .sent_at
                .map(|at| format!(" at {}", format::date_time_in(at, zone)))
                .unwrap_or_default()
        ),
        EmailStatus::Pending if email.attempts == 0 => format!("Email to {to} waiting to be sent"),
        EmailStatus::Pending => format!(
            "Email to {to} not sent yet ({} tries; {})",
            email.attempts,
            email.error.clone().unwrap_or_default()
        ),
        EmailStatus::Failed => format!(
            "Email to {to} failed: {}",
            email.error.clone().unwrap_or_default()
        ),
        EmailStatus::Skipped if email.recipients.is_empty() => {
            "No email: the account has no address".to_owned()
        }
        EmailStatus::Skipped => "Email not sent: the invoice was no longer open".to_owned(),
        EmailStatus::NotConfigured => "No email: the server has no SMTP configured".to_owned(),
    }
}

/// The reminders by time.
#[component]
fn ReminderTable(
    /// The invoice's reminders.
    list: ReminderList,
) -> impl IntoView {
    let zone = list.time_zone.clone();
    let note = (!list.email_configured).then(|| view! {
        <p class="muted">"This server sends no email (no SMTP configured); reminders still go to webhooks."</p>
    });
    let empty = list.items.is_empty();
    let rows = list
        .items
        .into_iter()
        .map(|reminder| {
            let status = status_label(&reminder);
            let badge = format!("badge badge-{}", reminder.status.as_str().to_lowercase());
            let email = reminder.email.as_ref().map(|e| email_label(e, &zone)).unwrap_or_default();
            let message = reminder.message.clone().map(|m| view! {
                <details><summary>{m.subject.clone()}</summary><pre class="message">{m.text.clone()}</pre></details>
            });
            view! {
                <tr class="reminder" data-status=reminder.status.as_str()>
                    <td>{rule_label(reminder.when())}</td>
                    <td>{format::date_time_in(reminder.at, &zone)}</td>
                    <td><span class=badge>{status}</span></td>
                    <td>{email}{message}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {note}
        <table class="data reminders">
            <thead><tr>
                <th scope="col">"Rule"</th>
                <th scope="col">{format!("When ({})", list.time_zone)}</th>
                <th scope="col">"Status"</th>
                <th scope="col">"What the buyer was told"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty.then(|| view! { <p class="empty-row muted">"No reminders: the invoice is closed, or the store sets none."</p> })}
    }
}
