//! My Credits links and sessions (core's `buyer`): only the SHA-256 of each token is stored; a
//! link is used once (the use and the session it opens are one transaction), and both are
//! only good before their time.

use creditdesk_core::ids::AccountId;
use creditdesk_core::Timestamp;

use super::{Db, StorageError};

/// A link about to be stored.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_sha256: String,
    pub account: AccountId,
    pub email: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Who a live buyer session is: the account it sees and the email that opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerSession {
    pub account: AccountId,
    pub email: String,
    pub expires_at: Timestamp,
}

impl Db {
    pub async fn create_buyer_link(&self, link: &NewLink) -> Result<(), StorageError> {
        let sql = "INSERT INTO buyer_links (token_sha256, account_id, email, created_by, \
                   created_at_us, expires_at_us) VALUES ($1, $2, $3, $4, $5, $6)";
        let args = vec![
            link.token_sha256.as_str().into(),
            link.account.as_str().into(),
            link.email.as_str().into(),
            link.created_by.as_str().into(),
            link.created_at.unix_micros().into(),
            link.expires_at.unix_micros().into(),
        ];
        self.pool.execute(sql, args).await?;
        Ok(())
    }

    /// Uses the link whose token has this hash, if it is unused and not past its time at
    /// `now`, opening a session under `session_sha256` until `session_expires`: the session, or
    /// `None` (no such link, used, or expired — which one is not told).
    pub async fn use_buyer_link(
        &self,
        token_sha256: &str,
        session_sha256: &str,
        now: Timestamp,
        session_expires: Timestamp,
    ) -> Result<Option<BuyerSession>, StorageError> {
        let mut tx = self.pool.begin_write().await?;
        let sql = "UPDATE buyer_links SET used_at_us = $1 WHERE token_sha256 = $2 \
                   AND used_at_us IS NULL AND expires_at_us > $1 RETURNING account_id, email";
        let args = vec![now.unix_micros().into(), token_sha256.into()];
        let used: Option<(String, String)> = tx.fetch_optional(sql, args).await?;
        let Some((account, email)) = used else {
            return Ok(None);
        };
        let sql = "INSERT INTO buyer_sessions (token_sha256, account_id, email, created_at_us, \
                   expires_at_us) VALUES ($1, $2, $3, $4, $5)";
        let args = vec![
            session_sha256.into(),
            account.as_str().into(),
            email.as_str().into(),
            now.unix_micros().into(),
            session_expires.unix_micros().into(),
        ];
        tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(Some(BuyerSession {
            account: account.parse().map_err(StorageError::corrupt)?,
            email,
            expires_at: session_expires,
        }))
    }

    /// The session whose token has this hash, while it lasts at `now`.
    pub async fn buyer_session(
        &self,
        session_sha256: &str,
        now: Timestamp,
    ) -> Result<Option<BuyerSession>, StorageError> {
        let sql = "SELECT account_id, email, expires_at_us FROM buyer_sessions \
                   WHERE token_sha256 = $1 AND expires_at_us > $2";
        let args = vec![session_sha256.into(), now.unix_micros().into()];
        let row: Option<(String, String, i64)> = self.pool.fetch_optional(sql, args).await?;
        row.map(|(account, email, expires)| {
            Ok(BuyerSession {
                account: account.parse().map_err(StorageError::corrupt)?,
                email,
                expires_at: super::books::time(expires)?,
            })
        })
        .transpose()
    }

    /// Ends the session whose token has this hash.
    pub async fn end_buyer_session(&self, session_sha256: &str) -> Result<(), StorageError> {
        let sql = "DELETE FROM buyer_sessions WHERE token_sha256 = $1";
        self.pool.execute(sql, vec![session_sha256.into()]).await?;
        Ok(())
    }

    /// Forgets links and sessions past their time before `cutoff`.
    pub async fn forget_buyer_links_before(&self, cutoff: Timestamp) -> Result<u64, StorageError> {
        let at = cutoff.unix_micros();
        let links = self
            .pool
            .execute(
                "DELETE FROM buyer_links WHERE expires_at_us < $1",
                vec![at.into()],
            )
            .await?;
        let sessions = self
            .pool
            .execute(
                "DELETE FROM buyer_sessions WHERE expires_at_us < $1",
                vec![at.into()],
            )
            .await?;
        Ok(links + sessions)
    }
}
