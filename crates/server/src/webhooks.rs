//! Sending webhooks: each round fans new outbox events out to the endpoints that hear them,
//! claims what is due, and POSTs each with the Standard Webhooks headers (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
//! Any 2xx is delivered; 410 disables the endpoint; anything else (or no answer) is tried again
//! on core's schedule. A round that dies before keeping its outcome leaves the claim to expire,
//! so the event is sent again (at least once), never lost.

use std::time::Duration;

use base64::Engine;
use creditdesk_core::webhooks::{self, AttemptOutcome};
use creditdesk_core::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::outbox::Due;
use crate::db::StorageError;
use crate::AppState;

/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of an answer's text kept with an attempt.
const ERROR_CHARS_MAX: usize = 200;

/// A new endpoint's signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The `webhook-signature` of `body` sent as message `id` at `timestamp` (Unix seconds) with
/// `secret` (`whsec_` + base64 key): `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_")?)
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub fanned_out: u32,
    pub attempted: u32,
    pub delivered: u32,
}

/// One round at the state's clock: fan out, claim, send, keep each outcome.
pub async fn deliver_due(
    state: &AppState,
    client: &reqwest::Client,
) -> Result<Round, StorageError> {
    let now = || state.now();
    let mut round = Round {
        fanned_out: state.db.fan_out(now()).await?,
        ..Round::default()
    };
    for due in state.db.claim_due(now()).await? {
        let attempt = u32::try_from(due.attempts).unwrap_or_default() + 1;
        let (status, error) = send(client, &due, now()).await;
        let jitter: u16 = rand::random_range(0..=1000);
        let outcome = webhooks::after_attempt(status, attempt, now(), jitter);
        state
            .db
            .finish_attempt(&due, attempt, now(), status, error.as_deref(), outcome)
            .await?;
        round.attempted += 1;
        if outcome == AttemptOutcome::Delivered {
            round.delivered += 1;
        } else {
            tracing::info!(delivery = %due.id, url = %due.url, ?status, ?error, ?outcome, "webhook not delivered");
        }
    }
    Ok(round)
}

/// POSTs one delivery; its status code, or why there was none (and a failing answer's start).
async fn send(
    client: &reqwest::Client,
    due: &Due,
    now: Timestamp,
) -> (Option<u16>, Option<String>) {
    let timestamp = now.unix_micros() / 1_000_000;
    let Some(signature) = signature(&due.secret, &due.event_id, timestamp, &due.body) else {
        return (
            None,
            Some("the endpoint's secret cannot be read".to_owned()),
        );
    };
    let request = client
        .post(&due.url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(due.body.clone())
        .timeout(ATTEMPT_TIMEOUT);
    match request.send().await {
        Ok(answer) => {
            let status = answer.status();
            let error = (!status.is_success()).then(|| format!("answered {}", status.as_u16()));
            (Some(status.as_u16()), error)
        }
        Err(error) => {
            let mut text = error.to_string();
            text.truncate(ERROR_CHARS_MAX);
            (None, Some(text))
        }
    }
}

/// The client every round uses: no redirects followed (a webhook answer is the endpoint's).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Creditdesk-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with rustls and no other options builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        let signed = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signed.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(signature("no prefix", "msg", 1, "{}"), None);
    }

    #[test]
    fn new_secrets_are_whsec_and_32_random_bytes() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        let key = base64::engine::general_purpose::STANDARD
            .decode(a.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(key.len(), 32);
        assert!(signature(&a, "msg_1", 1, "{}").is_some());
    }
}
