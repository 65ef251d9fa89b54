//! The delivery task: each round decides the reminders due (core's `reminders`, through
//! storage), then sends what the outbox holds — webhooks, and reminder emails when SMTP is
//! configured. What waited while the server was down goes out in the first round after.

use std::time::Duration;

use crate::db::reminders::Reminding;
use crate::db::StorageError;
use crate::{mail, time_zone, webhooks, AppState};

/// Decides every reminder due at the state's clock; returns how many were sent.
pub async fn remind_due(state: &AppState) -> Result<u32, StorageError> {
    let (config, _) = state.db.store_config().await?;
    let zone = time_zone::store_zone(config.time_zone());
    let how = Reminding {
        config: &config,
        zone: &zone,
        emailing: state.emailing(),
    };
    state.db.remind_due(state.now(), &how).await
}

/// One round: reminders, webhooks, emails.
pub async fn round(state: &AppState, client: &reqwest::Client) -> Result<(), StorageError> {
    let reminded = remind_due(state).await?;
    if reminded > 0 {
        tracing::info!(reminded, "reminders sent");
    }
    webhooks::deliver_due(state, client).await?;
    if let Some(mailer) = &state.mailer {
        mail::deliver_due(state, mailer).await?;
    }
    Ok(())
}

/// Runs [`round`] every `interval`, the first one interval after start, until the process
/// ends.
pub fn spawn(state: AppState, interval: Duration) {
    tokio::spawn(async move {
        let client = webhooks::client();
        let start = tokio::time::Instant::now() + interval;
        let mut ticker = tokio::time::interval_at(start, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = round(&state, &client).await {
                tracing::warn!(%error, "the delivery round failed; the next one retries");
            }
        }
    });
}
