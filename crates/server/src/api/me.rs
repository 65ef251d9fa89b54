//! `GET /api/creditdesk/me`: which key is calling and what it may do (our extension; the admin
//! signs in with it).

use axum::Json;
use serde::Serialize;

use crate::auth::{Authenticated, Resource};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub app_key: String,
    /// Every resource the key may use (all of them for `Main Access`).
    pub resources: Vec<Resource>,
}

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
