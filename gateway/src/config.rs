//! The gateway's configuration: command-line flags, each also readable from the environment.
//! `.env.sample` documents every variable.

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;

/// Well-known development secrets, used only with `--dev-mode` when a secret is not given.
/// They are public (they are in this source file), so a gateway that is not in dev mode
/// refuses to start without real ones.
pub const DEV_MASTER_SECRET: &str =
    "0x656c656374782d6465762d6d61737465722d7365637265742d6e6f742d70726f";
/// See [`DEV_MASTER_SECRET`].
pub const DEV_DATA_KEY: &str = "0x656c656374782d6465762d646174612d6b65792d6e6f742d666f722d70726f64";

#[derive(Parser, Debug, Clone)]
#[command(name = "electx-gateway", version, about = "ElectX Chain voters' gateway")]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Public URL of the gateway as voters reach it (cookies get `Secure` when it is https).
    #[arg(long, env = "GATEWAY_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,

    /// Database: `sqlite://path/to/file.db` (created if missing) or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://electx-gateway.db")]
    pub database_url: String,

    /// Maximum database connections in the pool (default: 2 for SQLite, whose writers
    /// serialize anyway and otherwise wait in its busy handler; 16 for PostgreSQL).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,

    /// WebSocket URL of the ElectX node the gateway submits to and reads from.
    #[arg(long, env = "NODE_URL", default_value = "ws://127.0.0.1:9944")]
    pub node_url: String,

    /// Node URL shown to the public in explorer links (defaults to `--node-url`).
    #[arg(long, env = "PUBLIC_NODE_URL")]
    pub public_node_url: Option<String>,

    /// Base address of Polkadot.js Apps for explorer links.
    #[arg(long, env = "POLKADOT_APPS_URL", default_value = "https://polkadot.js.org/apps/")]
    pub polkadot_apps_url: String,

    /// Master secret (32 bytes, hex) from which every voter's chain account is derived by
    /// hard derivation. Never stored by the gateway; losing it loses the voters' accounts.
    #[arg(long, env = "GATEWAY_MASTER_SECRET", hide_env_values = true)]
    pub master_secret: Option<String>,

    /// Key (32 bytes, hex) that protects personal data at rest: HMAC lookups of ID numbers and
    /// phones, ChaCha20-Poly1305 encryption of the stored copies, hashing of SMS codes.
    #[arg(long, env = "GATEWAY_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,

    /// Secret URI of the registrar account that puts voters on election rolls
    /// (`register_voters`). Dev chain: `//Ferdie`.
    #[arg(long, env = "GATEWAY_REGISTRAR_URI", hide_env_values = true)]
    pub registrar_uri: Option<String>,

    /// Secret URI of the account that submits admin calls through `sudo` (dev chain: `//Alice`).
    /// Without it the admin API can read but not create elections.
    #[arg(long, env = "GATEWAY_ADMIN_SUDO_URI", hide_env_values = true)]
    pub admin_sudo_uri: Option<String>,

    /// Bearer token for the admin API. Without it the admin API is disabled.
    #[arg(long, env = "GATEWAY_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Development mode: dev SMS outbox (and its page), dev secrets when none are given.
    #[arg(long, env = "GATEWAY_DEV_MODE", default_value_t = false)]
    pub dev_mode: bool,

    /// SMS provider: `outbox` (development: messages are stored and shown on the dev page)
    /// or `http` (a Twilio-style REST API, configured below).
    #[arg(long, env = "SMS_PROVIDER", default_value = "outbox")]
    pub sms_provider: String,

    /// Base URL of the SMS provider's REST API, e.g. `https://api.twilio.com`.
    #[arg(long, env = "SMS_API_BASE_URL")]
    pub sms_api_base_url: Option<String>,

    /// Account id at the SMS provider.
    #[arg(long, env = "SMS_ACCOUNT_ID")]
    pub sms_account_id: Option<String>,

    /// API token of the SMS provider account.
    #[arg(long, env = "SMS_AUTH_TOKEN", hide_env_values = true)]
    pub sms_auth_token: Option<String>,

    /// Sender id or number the SMS comes from.
    #[arg(long, env = "SMS_FROM", default_value = "ElectX")]
    pub sms_from: String,

    /// How long an SMS code is valid, in seconds.
    #[arg(long, env = "CODE_TTL_SECONDS", default_value_t = 120)]
    pub code_ttl_seconds: i64,

    /// Minimum wait before another code can be sent to the same voter, in seconds.
    #[arg(long, env = "CODE_RESEND_SECONDS", default_value_t = 30)]
    pub code_resend_seconds: i64,

    /// Most codes sent to one voter per hour.
    #[arg(long, env = "CODES_PER_HOUR", default_value_t = 6)]
    pub codes_per_hour: i64,

    /// Most sign-in and code requests per client IP per minute.
    #[arg(long, env = "IP_REQUESTS_PER_MINUTE", default_value_t = 600)]
    pub ip_requests_per_minute: u32,

    /// Session lifetime, in seconds.
    #[arg(long, env = "SESSION_TTL_SECONDS", default_value_t = 1800)]
    pub session_ttl_seconds: i64,

    /// Folder of the frontend's static files, served at `/`.
    #[arg(long, env = "FRONTEND_DIR", default_value = "frontend")]
    pub frontend_dir: PathBuf,

    /// Trust `X-Forwarded-For` for the client address (only behind a reverse proxy you run).
    #[arg(long, env = "TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Development: an election public key whose secret the dev tallier holds, offered as the
    /// default on the admin page (`scripts/run.sh` sets it).
    #[arg(long, env = "GATEWAY_DEV_ELECTION_PUBLIC_KEY")]
    pub dev_election_public_key: Option<String>,

    /// Log format: `text` or `json`.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Config {
    /// Whether cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The node URL shown in explorer links.
    pub fn public_node_url(&self) -> &str {
        self.public_node_url.as_deref().unwrap_or(&self.node_url)
    }

    /// A config for tests and tools: dev mode, an in-memory-like database URL given by the caller.
    pub fn for_tests(database_url: &str) -> Self {
        let mut config = Config::parse_from(["electx-gateway", "--dev-mode"]);
        config.database_url = database_url.to_owned();
        config.admin_token = Some("test-admin-token".into());
        config
    }
}

/// Decodes a 32-byte hex secret (with or without `0x`).
pub fn secret32(name: &str, value: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(value.trim_start_matches("0x"))
        .map_err(|_| anyhow::anyhow!("{name} must be 32 bytes of hex"))?;
    bytes.try_into().map_err(|_| anyhow::anyhow!("{name} must be 32 bytes of hex"))
}
