//! The Creditdesk server: the Customer Credit API over SQLite or PostgreSQL, and the admin.
//!
//! Architecture invariant: handlers load state, call `creditdesk_core` for every credit rule, and
//! store the result. Only this crate knows HTTP status codes and SQL.

use std::path::Path;

use anyhow::Context;
use axum::routing::get;
use axum::{middleware, Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub mod api;
pub mod auth;
pub mod background;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod imports;
pub mod mail;
pub mod my_credits;
pub mod notify;
pub mod outbound;
pub mod resource;
pub mod serve;
pub mod sweep;
pub mod throttle;
pub mod time_zone;
pub mod web;
pub mod webhooks;

use api::unknown_fields::UnknownFields;
use auth::Resource;
use config::{Command, Config};
use db::{Db, KeyUpsert};
use error::ApiError;
use serve::ConnectionLimits;
use throttle::AuthThrottle;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// Failed sign-ins per client address.
    pub throttle: AuthThrottle,
    /// Bounds on connections and request bodies.
    pub limits: ConnectionLimits,
    /// What to do with fields a request body's reader does not know.
    pub unknown_fields: UnknownFields,
    /// Where reminder emails go (`None`: no SMTP configured, no email).
    pub mailer: Option<mail::Mailer>,
    /// When CSV import jobs are worked on.
    pub import_work: imports::ImportWork,
    /// Where buyers reach this server, for My Credits links (`None`: the request's address).
    pub public_url: Option<String>,
    /// Where webhooks may be sent (public addresses, and the networks the operator allows).
    pub destinations: std::sync::Arc<outbound::Destinations>,
    /// What each background loop last did, for `/healthz`.
    pub loops: background::Loops,
    /// Places for CSV files being received at once ([`api::imports::UPLOADS_AT_ONCE`]): each
    /// writes its file in parts as it arrives, so they are few.
    pub uploads: std::sync::Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state with the default limits.
    pub fn new(db: Db) -> Self {
        AppState {
            db,
            clock: Clock::default(),
            throttle: AuthThrottle::default(),
            limits: ConnectionLimits::default(),
            unknown_fields: UnknownFields::default(),
            mailer: None,
            import_work: imports::ImportWork::default(),
            public_url: None,
            destinations: std::sync::Arc::default(),
            loops: background::Loops::default(),
            uploads: std::sync::Arc::new(tokio::sync::Semaphore::new(
                api::imports::UPLOADS_AT_ONCE,
            )),
        }
    }

    /// Whether sent reminders get an email.
    pub fn emailing(&self) -> creditdesk_core::reminders::Emailing {
        match self.mailer {
            Some(_) => creditdesk_core::reminders::Emailing::Configured,
            None => creditdesk_core::reminders::Emailing::NotConfigured,
        }
    }

    /// Now as core's [`Timestamp`] (the state's clock; the epoch if it were ever before it).
    pub fn now(&self) -> creditdesk_core::Timestamp {
        creditdesk_core::Timestamp::from_unix_micros(self.now_us())
            .unwrap_or(creditdesk_core::Timestamp::MIN)
    }

    /// Now, in microseconds since the Unix epoch. The only clock of the handlers; core gets
    /// times passed in.
    pub fn now_us(&self) -> i64 {
        self.clock.now_us()
    }
}

/// The system clock, moved forward by an offset that tests set to see what time does (invoices
/// falling due, holds expiring) through the real app. Zero outside tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_us: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    pub fn now_us(&self) -> i64 {
        now_us() + self.offset_us.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) `days` ahead.
    pub fn advance_days(&self, days: i64) {
        self.advance_seconds(days * 86_400);
    }

    /// Moves this clock (and every clone of it) `seconds` ahead.
    pub fn advance_seconds(&self, seconds: i64) {
        self.offset_us
            .fetch_add(seconds * 1_000_000, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The system clock in microseconds since the Unix epoch (0 for a clock set before 1970).
pub(crate) fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
        })
}

/// Where the APIs are mounted: the Customer Credit API and Creditdesk's own under `/api`, the
/// billing-credits reference's paths under `/billing`, the company-credit API under `/rest`.
/// Every reply under them gets the API's headers ([`web::security_headers`]).
pub const API_MOUNTS: [&str; 3] = ["/api", "/billing", "/rest"];

/// The whole application: the API under `/api`, `/healthz` (the database answers; how many
/// commands each group commit carried since start, as `[size, commits]` pairs), and the admin from `static_dir`;
/// every body bounded in size and time (and read only after its credentials are checked),
/// every reply with security headers.
pub fn app(state: AppState, static_dir: &Path) -> Router {
    let admin = web::admin_site(static_dir);
    let body_timeout = state.limits.body_timeout;
    Router::new()
        .route("/healthz", get(healthz))
        .nest(API_MOUNTS[0], api::router(state.clone()))
        .nest_service(API_MOUNTS[1], billing_paths(state.clone()))
        .nest_service(API_MOUNTS[2], company_paths(state.clone()))
        .nest("/my-credits", my_credits::router())
        .with_state(state)
        .fallback_service(admin.router)
        .layer(middleware::from_fn(move |request, next| {
            serve::bound_body(body_timeout, request, next)
        }))
        .layer(middleware::from_fn_with_state(
            admin.policy,
            web::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// `router` answering requests whose path (what nesting left of it) `rewrite` turns into the
/// path it routes; the query is kept.
fn rewritten(
    router: Router,
    rewrite: fn(&str) -> String,
) -> impl tower::Service<
    axum::extract::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
       + Send
       + Sync
       + 'static {
    use tower::ServiceExt;
    router.map_request(move |mut request: axum::extract::Request| {
        let path = rewrite(request.uri().path());
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        if let Ok(uri) = format!("{path}{query}").parse() {
            *request.uri_mut() = uri;
        }
        request
    })
}

/// The billing-credits reference's own paths, `/billing/…`: the API's `/api/billing/…` routes
/// (nesting strips `/billing`; it is put back in front of what is left).
fn billing_paths(state: AppState) -> Router {
    let api = api::router(state.clone()).with_state(state);
    Router::new().fallback_service(rewritten(api, |rest| format!("/billing{rest}")))
}

/// The company-credit API at `/rest/…` (nesting strips `/rest`): store code filled in and
/// trailing slash dropped by [`api::company::normalize`], then its own router.
fn company_paths(state: AppState) -> Router {
    let api = api::company::router().with_state(state);
    Router::new().fallback_service(rewritten(api, api::company::normalize))
}

/// The database answers, and every background loop runs: 200 `ok`; a loop that stopped or is
/// stuck makes it 503 `degraded`. Each loop's last successful round and last failure are listed.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), ApiError> {
    state.db.ping().await?;
    let loops = state.loops.report(state.now());
    let ok = loops.values().all(|health| health.state.is_ok());
    let (status, word) = match ok {
        true => (axum::http::StatusCode::OK, "ok"),
        false => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "degraded"),
    };
    let body = serde_json::json!({
        "status": word,
        "database": state.db.engine(),
        "tasks": loops,
        "commandsPerCommit": state.db.batch_sizes(),
        "writersBusyMicros": state.db.writers_busy_us(),
    });
    Ok((status, Json(body)))
}

/// Starts the server (or runs a command) with this configuration, until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url, config.sqlite_synchronous).await?;
    if let Some(Command::CreateKey { label }) = &config.command {
        let (key, token) = auth::generate_credentials();
        auth::store_key(&db, &key, &token, &[Resource::MainAccess], label, now_us()).await?;
        println!("Created an API key with every permission (the token is shown only now):");
        println!("  App key:   {key}\n  App token: {token}");
        return Ok(());
    }
    ensure_keys(&db, &config).await?;

    let listener = tokio::net::TcpListener::bind(config.listen).await.with_context(|| {
        format!(
            "cannot listen on {}: is another server using it? Choose another with --listen or CREDITDESK_LISTEN",
            config.listen
        )
    })?;
    let address = listener.local_addr()?;
    let limits = config.connection_limits();
    tracing::info!(%address, database = db.engine(), ?limits, "Creditdesk is listening");
    println!("Creditdesk is running at http://{address}/ (API under /api/creditcontrol/). Ctrl-C stops it.");
    let mailer = match (&config.smtp_url, &config.mail_from) {
        (Some(url), Some(from)) => Some(mail::Mailer::new(url, from)?),
        (Some(_), None) => anyhow::bail!(
            "--smtp-url is set without a sender: set --mail-from or CREDITDESK_MAIL_FROM (billing@store.example)"
        ),
        (None, _) => None,
    };
    let state = AppState {
        throttle: AuthThrottle::new(config.auth_failures_per_minute),
        limits,
        unknown_fields: config.unknown_fields,
        mailer,
        public_url: config.public_url.clone(),
        destinations: std::sync::Arc::new(outbound::Destinations::new(
            config.webhook_allowed_networks.clone(),
        )),
        ..AppState::new(db.clone())
    };
    sweep::spawn(
        &state,
        std::time::Duration::from_secs(config.sweep_seconds.max(1)),
    );
    notify::spawn(
        &state,
        std::time::Duration::from_secs(config.webhook_seconds.max(1)),
    );
    let app = app(state, &config.static_dir);
    serve::serve(listener, app, limits, shutdown_signal()).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Fewest characters of an operator token set by flag or environment.
pub const OPERATOR_TOKEN_CHARS_MIN: usize = 24;

/// The operator's key from the environment, or a first key when there is none at all.
async fn ensure_keys(db: &Db, config: &Config) -> anyhow::Result<()> {
    match (&config.app_key, &config.app_token) {
        (Some(key), Some(token)) => {
            anyhow::ensure!(
                !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic()),
                "CREDITDESK_APP_KEY must be 1 to 128 visible ASCII characters (no spaces)"
            );
            anyhow::ensure!(
                token.chars().count() >= OPERATOR_TOKEN_CHARS_MIN,
                "CREDITDESK_APP_TOKEN (--app-token) has {} characters; it needs at least \
                 {OPERATOR_TOKEN_CHARS_MIN}, so that it cannot be guessed. Choose a longer one, \
                 or leave both unset and use `creditdesk-server create-key`",
                token.chars().count()
            );
            let stored = auth::store_key(
                db,
                key,
                token,
                &[Resource::MainAccess],
                "from CREDITDESK_APP_KEY",
                now_us(),
            )
            .await?;
            match stored {
                KeyUpsert::Stored => {
                    tracing::info!(app_key = %key, "API key from the environment is active")
                }
                KeyUpsert::Revoked { revoked_at_us } => {
                    let when = creditdesk_core::Timestamp::from_unix_micros(revoked_at_us)
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    tracing::warn!(app_key = %key, revoked_at = %when, "the configured API key is revoked");
                    eprintln!(
                        "The key in CREDITDESK_APP_KEY ({key}) was revoked at {when}, and stays \
                         revoked: requests with it are refused.\n\
                         Issue a new key with `creditdesk-server create-key` (or the admin's API \
                         keys page), or set CREDITDESK_APP_KEY and CREDITDESK_APP_TOKEN to a new \
                         key name and token."
                    );
                }
            }
        }
        (None, None) => {}
        _ => anyhow::bail!("set both CREDITDESK_APP_KEY and CREDITDESK_APP_TOKEN, or neither"),
    }
    if db.count_active_keys().await? == 0 {
        let (key, token) = auth::generate_credentials();
        auth::store_key(
            db,
            &key,
            &token,
            &[Resource::MainAccess],
            "created at first start",
            now_us(),
        )
        .await?;
        println!("No API key existed, so one was created with every permission.");
        println!("It is shown only this once; keep it somewhere safe:");
        println!("  App key:   {key}\n  App token: {token}");
        println!("Sign in to the admin with them, or send them as X-VTEX-API-AppKey / X-VTEX-API-AppToken.");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
