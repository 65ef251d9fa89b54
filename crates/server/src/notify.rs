//! The delivery task: each round decides the reminders due (core's `reminders`, through
//! storage), then sends what the outbox holds — webhooks, and reminder emails when SMTP is
//! configured, in a loop of their own. What waited while the server was down goes out in the
//! first round after.

use std::time::Duration;

use crate::background::{self, FirstRound};
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

/// One round of the deliveries loop: reminders decided, then webhooks sent.
pub async fn round(state: &AppState, client: &reqwest::Client) -> Result<(), StorageError> {
    let reminded = remind_due(state).await?;
    if reminded > 0 {
        tracing::info!(reminded, "reminders sent");
    }
    webhooks::deliver_due(state, client).await?;
    Ok(())
}

/// Starts the deliveries loop and, when SMTP is configured, the emails loop — separate, so a
/// slow SMTP server or a slow webhook endpoint holds back only its own — each every `interval`,
/// the first one interval after start.
pub fn spawn(state: &AppState, interval: Duration) {
    let client = webhooks::client(state.destinations.clone());
    background::spawn(
        state,
        webhooks::LOOP,
        interval,
        FirstRound::AfterInterval,
        move |state| {
            let client = client.clone();
            async move { round(&state, &client).await }
        },
    );
    if let Some(mailer) = state.mailer.clone() {
        background::spawn(
            state,
            mail::LOOP,
            interval,
            FirstRound::AfterInterval,
            move |state| {
                let mailer = mailer.clone();
                async move { mail::deliver_due(&state, &mailer).await.map(|_| ()) }
            },
        );
    }
}
