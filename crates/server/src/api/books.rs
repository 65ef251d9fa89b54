//! `POST /api/creditdesk/books`: one account's whole book, as a dump carries it (the admin's
//! "Use in this browser" data moving to a server). The book is checked by core first; an
//! account that exists already is refused (409) and left as it is, so sending a dump twice
//! imports each account once. Its credit and company ids come along (refused with 409
//! `credit_id_taken` or `company_id_taken` when another account has one); a book without them
//! gets the server's next.

use axum::extract::State;
use axum::Json;
use creditdesk_core::book::Book;
use creditdesk_core::memory::accept_book;
use creditdesk_core::{CreditError, ValidationErrors};
use serde_json::{json, Value};

use super::context::Env;
use crate::auth::{perm, Auth};
use crate::db::books::Reads;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::AppState;

pub async fn import(
    Auth(principal, _): Auth<perm::MainAccess>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut book: Book = serde_json::from_value(body)
        .map_err(|e| ValidationErrors::single("book", format!("is not a book of a dump: {e}")))?;
    accept_book(&mut book).map_err(|why| ValidationErrors::single("book", why))?;
    let env = Env::load(&state, &principal).await?;
    let id = book.account.id.clone();
    let account = id.clone();
    state
        .db
        .with_book(&id, &Reads::account(), env.now, move |slot| {
            if slot.is_some() {
                return Err(ApiError::from(CreditError::AccountExists(account)));
            }
            *slot = Some(book);
            Ok(())
        })
        .await?;
    tracing::info!(app_key = %principal.app_key, account = %id, "book imported");
    Ok(Json(json!({ "id": id, "imported": true })))
}
