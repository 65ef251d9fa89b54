//! The outbox and webhook endpoints: events written in the transaction of the change that
//! causes them (`book_events` → `insert_events`, a group commit's events in one statement
//! before its commit), fanned out to the endpoints that hear them, claimed by one
//! delivery task at a time (a lease; on PostgreSQL rows other servers hold are skipped), each
//! attempt kept.

use creditdesk_core::book::Book;
use creditdesk_core::credit::CreditLocator;
use creditdesk_core::webhooks::{self, AttemptOutcome, DeliveryStatus, EventType, Subscription};
use creditdesk_core::Timestamp;
use serde::Serialize;
use sqlx::FromRow;

use super::books::time;
use super::engine::{Arg, Tx};
use super::{Db, StorageError};

/// Events fanned out per round, deliveries claimed per round.
pub const ROUND_ROWS_MAX: i64 = 100;
/// How long a claimed delivery is held before another task may take it (its sender died).
pub const LEASE_US: i64 = 120 * 1_000_000;

/// Successive ULIDs made at `now` (core's monotonic run), so a command's events keep their
/// order.
pub(super) fn ulids(now: Timestamp, count: usize) -> Vec<String> {
    let count = u16::try_from(count).unwrap_or(u16::MAX);
    CreditLocator::successive(now, rand::random(), count)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// An outbox row: one event at its time as message `msg_<ulid>`, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OutboxRow {
    pub id: String,
    kind: &'static str,
    account_id: String,
    at_us: i64,
    body: String,
}

impl OutboxRow {
    fn new(event: &webhooks::Event, ulid: &str, now: Timestamp) -> OutboxRow {
        OutboxRow {
            id: format!("msg_{ulid}"),
            kind: event.kind.as_str(),
            account_id: event.account_id.as_str().to_owned(),
            at_us: now.unix_micros(),
            body: webhooks::body(event.kind, now, &event.data).to_string(),
        }
    }
}

/// The outbox rows of a change from `before` to `after` at `now`, in their order.
pub(super) fn book_events(before: Option<&Book>, after: &Book, now: Timestamp) -> Vec<OutboxRow> {
    let events = webhooks::book_events(before, after);
    let ids = ulids(now, events.len());
    events
        .iter()
        .zip(&ids)
        .map(|(event, id)| OutboxRow::new(event, id, now))
        .collect()
}

/// Rows one `INSERT` carries (5 arguments each: far below either engine's bound).
const ROWS_PER_INSERT: usize = 100;

/// Writes `rows` into the outbox in the caller's transaction, [`ROWS_PER_INSERT`] a statement.
pub(super) async fn insert_events(tx: &mut Tx, rows: &[OutboxRow]) -> Result<(), StorageError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|n| {
                let at = 5 * n;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    at + 1,
                    at + 2,
                    at + 3,
                    at + 4,
                    at + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO outbox (id, kind, account_id, at_us, body) VALUES {}",
            values.join(", ")
        );
        let args = chunk
            .iter()
            .flat_map(|row| -> [Arg; 5] {
                [
                    row.id.as_str().into(),
                    row.kind.into(),
                    row.account_id.as_str().into(),
                    row.at_us.into(),
                    row.body.as_str().into(),
                ]
            })
            .collect();
        tx.execute(&sql, args).await?;
    }
    Ok(())
}

/// Writes one event at `now` into the outbox as message `msg_<id>`, in the caller's
/// transaction; answers the message id.
pub(super) async fn insert_event(
    tx: &mut Tx,
    event: &webhooks::Event,
    id: &str,
    now: Timestamp,
) -> Result<String, StorageError> {
    let row = OutboxRow::new(event, id, now);
    insert_events(tx, std::slice::from_ref(&row)).await?;
    Ok(row.id)
}

/// A webhook endpoint as the API shows it (never its secret, but when created; credentials in
/// its URL as `***`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
}

#[derive(FromRow)]
struct EndpointRow {
    id: String,
    url: String,
    events: String,
    created_at_us: i64,
    disabled_at_us: Option<i64>,
    disabled_reason: Option<String>,
}

const ENDPOINT_COLUMNS: &str = "id, url, events, created_at_us, disabled_at_us, disabled_reason";

impl EndpointRow {
    fn subscription(&self) -> Result<Subscription, StorageError> {
        Subscription::from_names(self.events.split(','))
            .map_err(|e| StorageError::corrupt(format!("webhook {} events: {e}", self.id)))
    }

    fn into_endpoint(self) -> Result<Endpoint, StorageError> {
        Ok(Endpoint {
            events: self.events.split(',').map(str::to_owned).collect(),
            created_at: time(self.created_at_us)?,
            disabled_at: self.disabled_at_us.map(time).transpose()?,
            url: webhooks::shown_url(&self.url),
            id: self.id,
            disabled_reason: self.disabled_reason,
        })
    }
}

/// One delivery and its tries, as the API shows them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub tries: Vec<Attempt>,
}

/// One try of a delivery.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub attempt: u32,
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(FromRow)]
struct DeliveryRow {
    id: String,
    event_id: String,
    kind: String,
    status: String,
    attempts: i32,
    next_attempt_us: Option<i64>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    created_at_us: i64,
}

#[derive(FromRow)]
struct AttemptRow {
    delivery_id: String,
    attempt: i32,
    at_us: i64,
    status_code: Option<i32>,
    error: Option<String>,
}

/// A delivery claimed for sending: where, with which secret, what.
#[derive(Debug, Clone, FromRow)]
pub struct Due {
    pub id: String,
    pub attempts: i32,
    pub endpoint_id: String,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub at_us: i64,
    pub body: String,
}

fn code(status: Option<i32>) -> Option<u16> {
    status.and_then(|s| u16::try_from(s).ok())
}

impl Db {
    /// A new endpoint; `secret` is its `whsec_` signing secret.
    pub async fn create_webhook(
        &self,
        id: &str,
        url: &str,
        events: &Subscription,
        secret: &str,
        now: Timestamp,
    ) -> Result<Endpoint, StorageError> {
        let (count,): (i64,) = self
            .pool
            .fetch_one(
                "SELECT COUNT(*) FROM webhook_endpoints WHERE deleted_at_us IS NULL",
                Vec::new(),
            )
            .await?;
        if count >= i64::from(webhooks::ENDPOINTS_MAX) {
            return Err(StorageError::Limit(format!(
                "a store has at most {} webhook endpoints; delete one first",
                webhooks::ENDPOINTS_MAX
            )));
        }
        let sql = "INSERT INTO webhook_endpoints (id, url, events, secret, created_at_us) \
                   VALUES ($1, $2, $3, $4, $5)";
        let names = events.names().join(",");
        let args = vec![
            id.into(),
            url.into(),
            names.clone().into(),
            secret.into(),
            now.unix_micros().into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(Endpoint {
            id: id.to_owned(),
            url: webhooks::shown_url(url),
            events: events.names().into_iter().map(str::to_owned).collect(),
            created_at: now,
            disabled_at: None,
            disabled_reason: None,
        })
    }

    /// Every endpoint not deleted, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Endpoint>, StorageError> {
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE deleted_at_us IS NULL \
             ORDER BY created_at_us, {}",
            self.pool.by_id()
        );
        let rows: Vec<EndpointRow> = self.pool.fetch_all(&sql, Vec::new()).await?;
        rows.into_iter().map(EndpointRow::into_endpoint).collect()
    }

    /// Deletes an endpoint (its deliveries stop); `false` when there is none.
    pub async fn delete_webhook(&self, id: &str, now: Timestamp) -> Result<bool, StorageError> {
        let sql = "UPDATE webhook_endpoints SET deleted_at_us = $2 WHERE id = $1 \
                   AND deleted_at_us IS NULL";
        let args = vec![id.into(), now.unix_micros().into()];
        Ok(self.pool.execute(sql, args).await? == 1)
    }

    /// An endpoint's deliveries, newest first (at most `limit`), each with its tries; `None`
    /// when there is no such endpoint.
    pub async fn deliveries(
        &self,
        endpoint: &str,
        limit: i64,
    ) -> Result<Option<Vec<Delivery>>, StorageError> {
        let exists: Option<(String,)> = self
            .pool
            .fetch_optional(
                "SELECT id FROM webhook_endpoints WHERE id = $1 AND deleted_at_us IS NULL",
                vec![endpoint.into()],
            )
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT d.id, d.event_id, o.kind, d.status, d.attempts, d.next_attempt_us, \
             d.last_status_code, d.last_error, d.created_at_us FROM webhook_deliveries d \
             JOIN outbox o ON o.id = d.event_id WHERE d.endpoint_id = $1 \
             ORDER BY d.created_at_us DESC, {} DESC LIMIT $2",
            self.pool.in_byte_order("d.id")
        );
        let rows: Vec<DeliveryRow> = self
            .pool
            .fetch_all(&sql, vec![endpoint.into(), limit.into()])
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let sql =
                "SELECT delivery_id, attempt, at_us, status_code, error FROM webhook_attempts \
                       WHERE delivery_id = $1 ORDER BY attempt";
            let tries: Vec<AttemptRow> = self
                .pool
                .fetch_all(sql, vec![row.id.as_str().into()])
                .await?;
            let tries = tries
                .into_iter()
                .map(|t| {
                    debug_assert_eq!(t.delivery_id, row.id);
                    Ok(Attempt {
                        attempt: u32::try_from(t.attempt).unwrap_or_default(),
                        at: time(t.at_us)?,
                        status_code: code(t.status_code),
                        error: t.error,
                    })
                })
                .collect::<Result<_, StorageError>>()?;
            out.push(Delivery {
                status: DeliveryStatus::from_name(&row.status).ok_or_else(|| {
                    StorageError::corrupt(format!("delivery status {:?}", row.status))
                })?,
                event_type: row.kind,
                attempts: u32::try_from(row.attempts).unwrap_or_default(),
                next_attempt_at: row.next_attempt_us.map(time).transpose()?,
                last_status_code: code(row.last_status_code),
                last_error: row.last_error,
                created_at: time(row.created_at_us)?,
                id: row.id,
                event_id: row.event_id,
                tries,
            });
        }
        Ok(Some(out))
    }

    /// Sends a delivery again now, whatever became of it; `false` when there is no such delivery
    /// of a live endpoint.
    pub async fn replay_delivery(&self, id: &str, now: Timestamp) -> Result<bool, StorageError> {
        let sql = "UPDATE webhook_deliveries SET status = 'pending', next_attempt_us = $2, \
                   claimed_until_us = NULL, updated_at_us = $2 WHERE id = $1 AND endpoint_id IN \
                   (SELECT id FROM webhook_endpoints WHERE deleted_at_us IS NULL)";
        let args = vec![id.into(), now.unix_micros().into()];
        Ok(self.pool.execute(sql, args).await? == 1)
    }

    /// Gives every event not yet fanned out a pending delivery per live endpoint that hears
    /// it (at most [`ROUND_ROWS_MAX`] events); returns how many events it handled.
    pub async fn fan_out(&self, now: Timestamp) -> Result<u32, StorageError> {
        let mut tx = self.pool.begin_write().await?;
        let sql = format!(
            "SELECT id, kind FROM outbox WHERE fanned_out_at_us IS NULL ORDER BY {} LIMIT {ROUND_ROWS_MAX}{}",
            tx.in_byte_order("id"),
            tx.skip_locked()
        );
        let events: Vec<(String, String)> = tx.fetch_all(&sql, Vec::new()).await?;
        if events.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE deleted_at_us IS NULL \
             AND disabled_at_us IS NULL"
        );
        let endpoints: Vec<EndpointRow> = tx.fetch_all(&sql, Vec::new()).await?;
        let mut hearing = Vec::new();
        for endpoint in &endpoints {
            hearing.push((endpoint.id.as_str(), endpoint.subscription()?));
        }
        for (event, kind) in &events {
            let kind = EventType::from_name(kind)
                .ok_or_else(|| StorageError::corrupt(format!("event {event} kind {kind:?}")))?;
            let to: Vec<&str> = hearing
                .iter()
                .filter(|(_, s)| s.hears(kind))
                .map(|(id, _)| *id)
                .collect();
            for (endpoint, id) in to.iter().zip(ulids(now, to.len())) {
                let sql = "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, \
                           attempts, next_attempt_us, created_at_us, updated_at_us) \
                           VALUES ($1, $2, $3, 'pending', 0, $4, $4, $4)";
                let args: Vec<Arg> = vec![
                    format!("dlv_{id}").into(),
                    event.as_str().into(),
                    (*endpoint).into(),
                    now.unix_micros().into(),
                ];
                tx.execute(sql, args).await?;
            }
            let sql = "UPDATE outbox SET fanned_out_at_us = $2 WHERE id = $1";
            tx.execute(sql, vec![event.as_str().into(), now.unix_micros().into()])
                .await?;
        }
        tx.commit().await?;
        Ok(u32::try_from(events.len()).unwrap_or(u32::MAX))
    }

    /// Claims the pending deliveries due at `now` (at most [`ROUND_ROWS_MAX`]) for
    /// [`LEASE_US`]: no other task sends them meanwhile.
    pub async fn claim_due(&self, now: Timestamp) -> Result<Vec<Due>, StorageError> {
        let now_us = now.unix_micros();
        let mut tx = self.pool.begin_write().await?;
        let sql = format!(
            "SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' \
             AND d.next_attempt_us <= $1 AND (d.claimed_until_us IS NULL OR d.claimed_until_us <= $1) \
             ORDER BY d.next_attempt_us, {}, {} LIMIT {ROUND_ROWS_MAX}{}",
            tx.in_byte_order("d.event_id"),
            tx.in_byte_order("d.id"),
            tx.skip_locked()
        );
        let ids: Vec<(String,)> = tx.fetch_all(&sql, vec![now_us.into()]).await?;
        let mut due = Vec::with_capacity(ids.len());
        for (id,) in ids {
            let sql = "UPDATE webhook_deliveries SET claimed_until_us = $2 WHERE id = $1";
            tx.execute(sql, vec![id.as_str().into(), (now_us + LEASE_US).into()])
                .await?;
            let sql = "SELECT d.id, d.attempts, e.id AS endpoint_id, e.url, e.secret, \
                       o.id AS event_id, o.at_us, o.body FROM webhook_deliveries d \
                       JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                       JOIN outbox o ON o.id = d.event_id \
                       WHERE d.id = $1 AND e.deleted_at_us IS NULL AND e.disabled_at_us IS NULL";
            let found: Option<Due> = tx.fetch_optional(sql, vec![id.as_str().into()]).await?;
            match found {
                Some(found) => due.push(found),
                None => {
                    // Its endpoint was deleted or disabled: nothing will be sent.
                    let sql = "UPDATE webhook_deliveries SET status = 'failed', \
                               last_error = 'the endpoint was deleted or disabled', \
                               claimed_until_us = NULL, updated_at_us = $2 WHERE id = $1";
                    tx.execute(sql, vec![id.as_str().into(), now_us.into()])
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Gives back a claimed delivery that was not tried (its round ran out of time): the next
    /// round may take it at once.
    pub async fn release_claim(&self, due: &Due) -> Result<(), StorageError> {
        let mut tx = self.pool.begin_write().await?;
        let sql = "UPDATE webhook_deliveries SET claimed_until_us = NULL \
                   WHERE id = $1 AND status = 'pending'";
        tx.execute(sql, vec![due.id.as_str().into()]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the try number `attempt` of the claimed delivery and what it means (`outcome`).
    pub async fn finish_attempt(
        &self,
        due: &Due,
        attempt: u32,
        now: Timestamp,
        status_code: Option<u16>,
        error: Option<&str>,
        outcome: AttemptOutcome,
    ) -> Result<(), StorageError> {
        let now_us = now.unix_micros();
        let mut tx = self.pool.begin_write().await?;
        let sql = "INSERT INTO webhook_attempts (delivery_id, attempt, at_us, status_code, error) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id, attempt) DO NOTHING";
        let attempt_i32 = i32::try_from(attempt).unwrap_or(i32::MAX);
        let status_i32 = status_code.map(i32::from);
        let args = vec![
            due.id.as_str().into(),
            attempt_i32.into(),
            now_us.into(),
            status_i32.into(),
            error.into(),
        ];
        tx.execute(sql, args).await?;
        let (status, next) = match outcome {
            AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None),
            AttemptOutcome::RetryAt(at) => (DeliveryStatus::Pending, Some(at.unix_micros())),
            AttemptOutcome::GiveUp | AttemptOutcome::EndpointGone => (DeliveryStatus::Failed, None),
        };
        let sql =
            "UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_us = $4, \
                   claimed_until_us = NULL, last_status_code = $5, last_error = $6, \
                   updated_at_us = $7 WHERE id = $1";
        let args = vec![
            due.id.as_str().into(),
            status.as_str().into(),
            attempt_i32.into(),
            next.into(),
            status_i32.into(),
            error.into(),
            now_us.into(),
        ];
        tx.execute(sql, args).await?;
        if outcome == AttemptOutcome::EndpointGone {
            let sql = "UPDATE webhook_endpoints SET disabled_at_us = $2, disabled_reason = $3 \
                       WHERE id = $1 AND disabled_at_us IS NULL";
            let args = vec![
                due.endpoint_id.as_str().into(),
                now_us.into(),
                "the endpoint answered 410 Gone".into(),
            ];
            tx.execute(sql, args).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
