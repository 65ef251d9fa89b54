//! Command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    #[arg(long, env = "CREDITDESK_SQLITE_SYNCHRONOUS", value_enum, default_value_t = Synchronous::Full)]
    pub sqlite_synchronous: Synchronous,

    /// Seconds between sweeps that mark expired holds (reads never count them regardless).
    #[arg(long, env = "CREDITDESK_SWEEP_SECONDS", default_value_t = 60)]
    pub sweep_seconds: u64,

    /// App key ensured at start with every permission (with CREDITDESK_APP_TOKEN).
    #[arg(long, env = "CREDITDESK_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,

    /// Token of CREDITDESK_APP_KEY. Stored only as a hash.
    #[arg(long, env = "CREDITDESK_APP_TOKEN", hide_env_values = true)]
    pub app_token: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Synchronous {
    Full,
    Normal,
}
