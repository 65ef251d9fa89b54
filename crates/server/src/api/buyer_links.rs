//! `POST /creditdesk/accounts/{id}/buyer-links`: a one-time My Credits sign-in link for an email
//! of the account (its own or a holder's), asked by the store's backend, which knows who is
//! signed in to the store. Refused (409) while the store has `myCreditsEnabled` off. The token
//! is random and only its hash is kept (core's `buyer` has the rules; `crate::my_credits` the
//! buyer's pages).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use creditdesk_core::buyer::NewBuyerLink;
use serde_json::{json, Value};

use super::context::{account_id, read_account};
use crate::auth::{hash_token, perm, random_token, Auth};
use crate::db::books::Reads;
use crate::db::buyers::NewLink;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::idempotency::SecretReply;
use crate::AppState;

pub async fn create(
    Auth(principal, _): Auth<perm::IssueBuyerLinks>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<SecretReply, ApiError> {
    let request = NewBuyerLink::from_json(&body)?;
    let id = account_id(&id)?;
    let (book, env) = read_account(&state, &principal, &id, &Reads::holders()).await?;
    request.check(&book, &env.config)?;
    let token = random_token();
    let expires_at = request.expires_at(env.now);
    state
        .db
        .create_buyer_link(&NewLink {
            token_sha256: hash_token(&token),
            account: id,
            email: request.email.as_str().to_owned(),
            created_by: principal.app_key.clone(),
            created_at: env.now,
            expires_at,
        })
        .await?;
    let base = crate::my_credits::public_base(&state, &headers);
    let link = json!({
        "url": format!("{base}/my-credits/sign-in?token={token}"),
        "expiresAt": expires_at,
    });
    SecretReply::new(&link, "url", LINK_WITHHELD)
}

/// Why a replayed link has no URL.
pub const LINK_WITHHELD: &str = "a sign-in link is shown only in the first reply to its request \
     and kept only as a hash; ask for a new link";
