//! `GET /api/creditdesk/me`: which key is calling and what it may do (our extension; the admin
//! signs in with it).

use axum::Json;
use creditdesk_core::wire::Me;

use crate::auth::{Authenticated, Resource};

pub async fn get(Authenticated(principal): Authenticated) -> Json<Me> {
    let resources = Resource::ALL
        .into_iter()
        .filter(|r| principal.may(*r))
        .collect();
    Json(Me {
        app_key: principal.app_key,
        resources,
    })
}
