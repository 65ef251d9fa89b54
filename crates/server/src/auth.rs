//! Authentication by app key and token, and the resources a key may use.
//!
//! As the reference API: every request sends `X-VTEX-API-AppKey` and `X-VTEX-API-AppToken`;
//! or, as the company-credit API's clients do, `Authorization: Bearer <app token>`.
//! Each endpoint names the resource it needs in its handler's signature (`Auth<perm::X>`); a key
//! holding that resource or `Main Access` passes. Tokens are stored only as SHA-256 hashes.

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

use crate::db::{Db, KeyUpsert, StoredKey};
use crate::error::ApiError;
use crate::throttle::Throttled;
use crate::AppState;

pub const APP_KEY_HEADER: &str = "x-vtex-api-appkey";
pub const APP_TOKEN_HEADER: &str = "x-vtex-api-apptoken";
pub const AUTHORIZATION_HEADER: &str = "authorization";

pub use crate::resource::Resource;

/// The resources a handler needs, as a type: `Auth<perm::ReadConfiguration>`.
pub trait Permission {
    const RESOURCE: Resource;
}

/// Zero-sized permission markers, one per resource.
pub mod perm {
    use super::{Permission, Resource};

    macro_rules! permissions {
        ($($name:ident),* $(,)?) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Permission for $name {
                const RESOURCE: Resource = Resource::$name;
            }
        )*};
    }

    permissions!(
        MainAccess,
        ReadInvoices,
        CreateInvoices,
        PayInvoice,
        ReadCheckingAccounts,
        CreateCheckingAccounts,
        ReadStatements,
        EditCredits,
        CreateStatements,
        ReadConfiguration,
        EditConfiguration,
        IssueBuyerLinks,
    );
}

/// The key that made a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub app_key: String,
    resources: Vec<Resource>,
}

impl Principal {
    /// The resources held, as stored (`Main Access` stands for all).
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Whether the key may use `resource` (directly or by `Main Access`).
    pub fn may(&self, resource: Resource) -> bool {
        self.resources
            .iter()
            .any(|r| *r == resource || *r == Resource::MainAccess)
    }
}

/// Extractor: an authenticated key holding `P`'s resource. Rejects with 401, 403 or 429 before
/// the body is read.
#[derive(Debug)]
pub struct Auth<P>(pub Principal, pub PhantomData<P>);

impl<P: Permission> FromRequestParts<AppState> for Auth<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = authenticate(parts, state).await?;
        if !principal.may(P::RESOURCE) {
            return Err(ApiError::Forbidden(P::RESOURCE));
        }
        Ok(Auth(principal, PhantomData))
    }
}

/// Extractor: any authenticated key, whatever its resources (401 otherwise).
#[derive(Debug)]
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(Authenticated)
    }
}

/// The credentials a request sends: the reference's two headers, or (as the company-credit
/// API's clients do) `Authorization: Bearer <app token>`, the key found by its token's hash.
enum Credentials<'a> {
    AppKey {
        app_key: &'a str,
        app_token: &'a str,
    },
    Bearer(&'a str),
}

/// What checking a request's credentials found. Kept in the request's extensions, so the
/// idempotency layer and the handler's extractor check (and count a failure) once.
#[derive(Debug, Clone)]
enum Checked {
    Key(Principal),
    Missing,
    Wrong,
    Throttled(Throttled),
}

impl Checked {
    fn into_result(self) -> Result<Principal, ApiError> {
        match self {
            Checked::Key(principal) => Ok(principal),
            Checked::Missing => Err(ApiError::Unauthorized(
                "send your credentials in the X-VTEX-API-AppKey and X-VTEX-API-AppToken headers \
                 (or the app token as Authorization: Bearer)",
            )),
            Checked::Wrong => Err(ApiError::Unauthorized(
                "the app key or app token is wrong, or the key was revoked",
            )),
            Checked::Throttled(throttled) => Err(ApiError::TooManyRequests {
                retry_after_seconds: throttled.retry_after_seconds,
                why: "too many failed sign-ins from this address",
            }),
        }
    }
}

/// The key that sent this request. Wrong credentials count against the client's address
/// ([`crate::throttle`]); an address over its limit is refused before its key is looked up.
pub(crate) async fn authenticate(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Principal, ApiError> {
    if let Some(checked) = parts.extensions.get::<Checked>() {
        return checked.clone().into_result();
    }
    let checked = check(parts, state).await?;
    parts.extensions.insert(checked.clone());
    checked.into_result()
}

async fn check(parts: &Parts, state: &AppState) -> Result<Checked, ApiError> {
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    let bearer = header(AUTHORIZATION_HEADER).and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
    });
    let credentials = match (header(APP_KEY_HEADER), header(APP_TOKEN_HEADER), bearer) {
        (Some(app_key), Some(app_token), _) => Credentials::AppKey { app_key, app_token },
        (_, _, Some(token)) => Credentials::Bearer(token),
        _ => return Ok(Checked::Missing),
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let now = state.now_us();
    if let Err(throttled) = state.throttle.check(peer, now) {
        return Ok(Checked::Throttled(throttled));
    }
    let found = match credentials {
        Credentials::AppKey { app_key, app_token } => {
            let stored = state.db.active_key(app_key).await?;
            stored.filter(|stored| {
                constant_time_eq(
                    hash_token(app_token).as_bytes(),
                    stored.token_sha256.as_bytes(),
                )
            })
        }
        Credentials::Bearer(token) => state.db.active_key_by_token(&hash_token(token)).await?,
    };
    let Some(stored) = found else {
        state.throttle.record_failure(peer, now);
        return Ok(Checked::Wrong);
    };
    let resources = stored
        .resources
        .split(',')
        .filter_map(Resource::from_name)
        .collect();
    Ok(Checked::Key(Principal {
        app_key: stored.app_key,
        resources,
    }))
}

/// SHA-256 of a token, lowercase hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new secret: 43 random alphanumeric characters (256 bits). API tokens, My Credits links and
/// buyer sessions are made by it and stored only as [`hash_token`].
pub fn random_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 43)
}

/// A new key (`creditdesk-` + 16 random characters) and token ([`random_token`]).
pub fn generate_credentials() -> (String, String) {
    let key = format!(
        "creditdesk-{}",
        Alphanumeric
            .sample_string(&mut rand::rng(), 16)
            .to_lowercase()
    );
    (key, random_token())
}

/// Stores a key with these resources, replacing an active key of the same id; a revoked key of
/// that id stays revoked (see [`KeyUpsert`]).
pub async fn store_key(
    db: &Db,
    app_key: &str,
    app_token: &str,
    resources: &[Resource],
    label: &str,
    now_us: i64,
) -> anyhow::Result<KeyUpsert> {
    let resources = resources
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join(",");
    db.upsert_key(&StoredKey {
        app_key: app_key.to_owned(),
        token_sha256: hash_token(app_token),
        resources,
        label: label.to_owned(),
        created_at_us: now_us,
    })
    .await
    .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_round_trip() {
        for resource in Resource::ALL {
            assert_eq!(Resource::from_name(resource.name()), Some(resource));
            let json = serde_json::to_string(&resource).unwrap();
            assert_eq!(json, format!("\"{}\"", resource.name()));
        }
        assert_eq!(Resource::from_name("main access"), None);
    }

    #[test]
    fn main_access_grants_everything() {
        let principal = Principal {
            app_key: "k".into(),
            resources: vec![Resource::MainAccess],
        };
        assert!(Resource::ALL.iter().all(|r| principal.may(*r)));
        let reader = Principal {
            app_key: "k".into(),
            resources: vec![Resource::ReadConfiguration],
        };
        assert!(reader.may(Resource::ReadConfiguration));
        assert!(!reader.may(Resource::EditConfiguration));
    }

    #[test]
    fn generated_credentials_are_distinct_and_long() {
        let (k1, t1) = generate_credentials();
        let (k2, t2) = generate_credentials();
        assert_ne!(k1, k2);
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 43);
        assert!(constant_time_eq(
            hash_token(&t1).as_bytes(),
            hash_token(&t1).as_bytes()
        ));
        assert!(!constant_time_eq(
            hash_token(&t1).as_bytes(),
            hash_token(&t2).as_bytes()
        ));
    }
}
