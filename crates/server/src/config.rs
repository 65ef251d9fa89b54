//! Command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};

pub use crate::db::Synchronous;

/// Creditdesk: self-hosted customer credit, speaking the VTEX Customer Credit API.
#[derive(Debug, Clone, Parser)]
#[command(name = "creditdesk-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "CREDITDESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database: `sqlite://PATH` (created with its folder if missing) or `postgres://...`.
    #[arg(
        long = "database",
        env = "DATABASE_URL",
        default_value = "sqlite://./data/creditdesk.db"
    )]
    pub database_url: String,

    /// Folder of the built admin (index.html and its assets).
    #[arg(long, env = "CREDITDESK_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// SQLite durability: `full` (default: a committed payment survives power loss) or `normal`
    /// (faster; a crash of the machine may lose the last commits, never corrupt).
    #[arg(long, env = "CREDITDESK_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = synchronous_parser())]
    pub sqlite_synchronous: Synchronous,

    /// Seconds between sweeps that mark expired holds (reads never count them regardless).
    #[arg(long, env = "CREDITDESK_SWEEP_SECONDS", default_value_t = 60)]
    pub sweep_seconds: u64,

    /// Seconds between rounds of webhook deliveries (events are kept in the database until
    /// delivered, whatever the interval).
    #[arg(long, env = "CREDITDESK_WEBHOOK_SECONDS", default_value_t = 2)]
    pub webhook_seconds: u64,

    /// Networks webhooks may reach although they are not public (loopback, private, link-local,
    /// …, which are refused otherwise): comma-separated CIDRs, e.g. `127.0.0.0/8` for local
    /// development and tests, or `10.20.0.0/16` for a receiver inside the store's network.
    #[arg(long, env = "CREDITDESK_WEBHOOK_ALLOWED_NETWORKS", default_value = "", value_parser = allowed_networks)]
    pub webhook_allowed_networks: crate::outbound::AllowedNetworks,

    /// SMTP server for reminder emails: `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host` (TLS, with credentials). None: no email.
    #[arg(long, env = "CREDITDESK_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of reminder emails: `billing@store.example` or `Store <billing@store.example>`
    /// (needed with --smtp-url).
    #[arg(long, env = "CREDITDESK_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Where buyers reach this server (`https://credit.store.example`), for the My Credits links
    /// it issues. None: the address the request for a link was sent to.
    #[arg(long, env = "CREDITDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Seconds a client has to send a request's line and headers (from its first byte, or from
    /// opening the connection).
    #[arg(long, env = "CREDITDESK_HEADER_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub header_timeout_seconds: u32,

    /// Seconds a client has to send a request's body, after its headers (then 408).
    #[arg(long, env = "CREDITDESK_BODY_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub body_timeout_seconds: u32,

    /// Seconds an idle connection is kept open for its next request.
    #[arg(long, env = "CREDITDESK_KEEP_ALIVE_SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub keep_alive_seconds: u32,

    /// Seconds a reply waits for a client that does not read it before the connection is closed.
    #[arg(long, env = "CREDITDESK_SEND_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub send_timeout_seconds: u32,

    /// Most connections open at once (more wait in the listen queue).
    #[arg(long, env = "CREDITDESK_CONNECTIONS_MAX", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub connections_max: u32,

    /// Most connections open at once from one client address (more are closed at once).
    #[arg(long, env = "CREDITDESK_CONNECTIONS_PER_ADDRESS_MAX", default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub connections_per_address_max: u32,

    /// Failed sign-ins from one client address within a minute after which its requests with
    /// credentials get 429 until the minute is over (0: no limit).
    #[arg(long, env = "CREDITDESK_AUTH_FAILURES_PER_MINUTE", default_value_t = crate::throttle::FAILURES_MAX_DEFAULT)]
    pub auth_failures_per_minute: u32,

    /// Fields of a request body that its endpoint does not know: `ignore` them (listed in the
    /// `Creditdesk-Ignored-Fields` reply header), or `refuse` the request (422).
    #[arg(long, env = "CREDITDESK_UNKNOWN_FIELDS", value_enum, default_value_t = crate::api::unknown_fields::UnknownFields::Ignore)]
    pub unknown_fields: crate::api::unknown_fields::UnknownFields,

    /// App key ensured at start with every permission (with CREDITDESK_APP_TOKEN).
    #[arg(long, env = "CREDITDESK_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,

    /// Token of CREDITDESK_APP_KEY, at least 24 characters. Stored only as a hash.
    #[arg(long, env = "CREDITDESK_APP_TOKEN", hide_env_values = true)]
    pub app_token: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Config {
    /// The connection bounds these flags set.
    pub fn connection_limits(&self) -> crate::serve::ConnectionLimits {
        let seconds = |s: u32| std::time::Duration::from_secs(u64::from(s));
        crate::serve::ConnectionLimits {
            header_timeout: seconds(self.header_timeout_seconds),
            body_timeout: seconds(self.body_timeout_seconds),
            keep_alive: seconds(self.keep_alive_seconds),
            send_timeout: seconds(self.send_timeout_seconds),
            connections_max: self.connections_max,
            connections_per_address_max: self.connections_per_address_max,
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Create an API key with every permission, print it once and exit (for a lost token).
    CreateKey {
        /// A name to recognise the key by.
        #[arg(long, default_value = "created from the command line")]
        label: String,
    },
}

/// `full` or `normal`, as storage's [`Synchronous`].
fn synchronous_parser() -> impl clap::builder::TypedValueParser<Value = Synchronous> {
    clap::builder::PossibleValuesParser::new(["full", "normal"]).map(|name| match name.as_str() {
        "normal" => Synchronous::Normal,
        _ => Synchronous::Full,
    })
}

fn allowed_networks(text: &str) -> Result<crate::outbound::AllowedNetworks, String> {
    text.parse()
}
