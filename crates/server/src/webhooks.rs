//! Sending webhooks: each round fans new outbox events out to the endpoints that hear them,
//! claims what is due, and POSTs each with the Standard Webhooks headers (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
//! Any 2xx is delivered; 410 disables the endpoint; anything else (or no answer) is tried again
//! on core's schedule. Only addresses [`crate::outbound`] allows are reached. A round that dies
//! before keeping its outcome leaves the claim to expire, so the event is sent again (at least
//! once), never lost.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use creditdesk_core::text::shorten;
use creditdesk_core::webhooks::{self, AttemptOutcome};
use futures::stream::{self, StreamExt};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::background::ITEM_ERROR_CHARS_MAX;
use crate::db::outbox::Due;
use crate::db::StorageError;
use crate::outbound::{Destinations, Guarded};
use crate::AppState;

/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Endpoints sent to side by side in one round: deliveries in flight at once. Each endpoint
/// gets its deliveries one at a time, in the order of their events.
pub const ENDPOINTS_AT_ONCE: usize = 16;
/// A round starts no send after this long; what it claimed and did not start is released to
/// the next round, so one slow endpoint holds back nothing but its own deliveries.
pub const ROUND_BUDGET: Duration = Duration::from_secs(30);
/// The deliveries' background loop, as `/healthz` names it.
pub const LOOP: &str = "deliveries";

/// One round at the state's clock: fan out, claim, send — endpoints side by side, each one's
/// deliveries in order — and keep each outcome.
pub async fn deliver_due(
    state: &AppState,
    client: &reqwest::Client,
) -> Result<Round, StorageError> {
    let fanned_out = state.db.fan_out(state.now()).await?;
    let mut by_endpoint: BTreeMap<String, Vec<Due>> = BTreeMap::new();
    for due in state.db.claim_due(state.now()).await? {
        by_endpoint
            .entry(due.endpoint_id.clone())
            .or_default()
            .push(due);
    }
    let deadline = tokio::time::Instant::now() + ROUND_BUDGET;
    let outcomes: Vec<Result<Option<AttemptOutcome>, StorageError>> =
        stream::iter(by_endpoint.into_values())
            .map(|deliveries| {
                let sends =
                    stream::iter(deliveries).then(move |due| attempt(state, client, due, deadline));
                Box::pin(sends)
            })
            .flatten_unordered(ENDPOINTS_AT_ONCE)
            .collect()
            .await;
    let mut round = Round {
        fanned_out,
        ..Round::default()
    };
    for outcome in outcomes {
        if let Some(outcome) = outcome? {
            round.attempted += 1;
            round.delivered += u32::from(outcome == AttemptOutcome::Delivered);
        }
    }
    Ok(round)
}

/// Sends one claimed delivery and keeps what came of it (`None`: the round's time was up, and
/// the claim is released). A panic while sending is this delivery's error alone.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    due: Due,
    deadline: tokio::time::Instant,
) -> Result<Option<AttemptOutcome>, StorageError> {
    if tokio::time::Instant::now() >= deadline {
        state.db.release_claim(&due).await?;
        return Ok(None);
    }
    let attempt = u32::try_from(due.attempts).unwrap_or_default() + 1;
    let (status, error) = match crate::background::isolated(send(state, client, &due)).await {
        Ok(sent) => sent,
        Err(panicked) => (None, Some(panicked)),
    };
    let error = error.map(|e| shorten(&e, ITEM_ERROR_CHARS_MAX));
    let jitter: u16 = rand::random_range(0..=1000);
    let outcome = webhooks::after_attempt(status, attempt, state.now(), jitter);
    state
        .db
        .finish_attempt(
            &due,
            attempt,
            state.now(),
            status,
            error.as_deref(),
            outcome,
        )
        .await?;
    if outcome != AttemptOutcome::Delivered {
        let url = webhooks::shown_url(&due.url);
        tracing::info!(delivery = %due.id, %url, ?status, ?error, ?outcome, "webhook not delivered");
        if let Some(error) = &error {
            state.loops.item_failed(LOOP, error, state.now());
        }
    }
    Ok(Some(outcome))
}

/// POSTs one delivery; its status code, or why there was none (and a failing answer's start).
/// An address the server may not reach (written as one, or what the name resolves to) is
/// refused before any connection.
async fn send(
    state: &AppState,
    client: &reqwest::Client,
    due: &Due,
) -> (Option<u16>, Option<String>) {
    if let Err(refused) = state.destinations.check_literal(&due.url) {
        return (None, Some(format!("not sent: {refused}")));
    }
    let timestamp = state.now().unix_micros() / 1_000_000;
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
        Err(error) => (None, Some(error_chain(error))),
    }
}

/// An error with its causes (`error sending request: … : 127.0.0.1 is a loopback address`),
/// with no URL in it (it may hold credentials).
fn error_chain(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The client every round uses: no redirects followed (a webhook answer is the endpoint's), no
/// proxy, and names resolved only to the addresses `destinations` allows.
pub fn client(destinations: Arc<Destinations>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(Guarded(destinations)))
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
