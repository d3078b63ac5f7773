//! # ElectX gateway
//!
//! The voters' door to ElectX Chain: registration with a Spanish DNI/NIE, sign-in with a
//! one-time SMS code, sessions, one sr25519 chain account per voter (hard-derived from a
//! master secret, never stored), ballots encrypted with `electx-crypto` and submitted through
//! subxt and followed to a finalized block, receipts, turnout and results, and election
//! administration. It also serves the frontend.
//!
//! Modules: [`config`] (flags and environment), [`db`] (SQLite or PostgreSQL through sqlx),
//! [`pii`] (personal data at rest), [`validate`] (voters' input), [`sms`] (code delivery),
//! [`chain`] (everything subxt), [`votes`] (the ballot pipeline), [`http`] (routes).
//! `API.md` summarises the HTTP API; `GET /api/openapi.json` is the full contract.

pub mod chain;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod metrics;
pub mod pii;
pub mod ratelimit;
pub mod sms;
pub mod validate;
pub mod votes;

use std::sync::Arc;

use anyhow::Context;
use sqlx::AnyPool;

use crate::{chain::Chain, pii::Protector, ratelimit::RateLimiter, sms::SmsSender};
pub use crate::{config::Config, http::app};

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database pool.
    pub db: AnyPool,
    /// Keys for personal data at rest.
    pub protector: Arc<Protector>,
    /// Code delivery.
    pub sms: SmsSender,
    /// In-memory rate limits.
    pub limits: Arc<RateLimiter>,
    /// The chain connection.
    pub chain: Chain,
    /// Voter account derivation.
    pub accounts: Arc<chain::VoterAccounts>,
    /// Prometheus metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// Wakes the ballot pipeline.
    pub votes: votes::VoteQueue,
}

impl AppState {
    /// Builds the state from a configuration: checks the secrets, opens the database, starts
    /// the chain connection (in the background: the gateway serves registration and sign-in
    /// while the node is unreachable) and the ballot pipeline.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let data_key = match (&config.data_key, config.dev_mode) {
            (Some(k), _) => config::secret32("GATEWAY_DATA_KEY", k)?,
            (None, true) => config::secret32("dev data key", config::DEV_DATA_KEY)?,
            (None, false) => anyhow::bail!("GATEWAY_DATA_KEY is required outside --dev-mode"),
        };
        let master = match (&config.master_secret, config.dev_mode) {
            (Some(k), _) => config::secret32("GATEWAY_MASTER_SECRET", k)?,
            (None, true) => config::secret32("dev master secret", config::DEV_MASTER_SECRET)?,
            (None, false) => anyhow::bail!("GATEWAY_MASTER_SECRET is required outside --dev-mode"),
        };
        let registrar_uri = match (&config.registrar_uri, config.dev_mode) {
            (Some(u), _) => Some(u.clone()),
            (None, true) => Some("//Ferdie".to_owned()),
            (None, false) => None,
        };
        let sudo_uri = match (&config.admin_sudo_uri, config.dev_mode) {
            (Some(u), _) => Some(u.clone()),
            (None, true) => Some("//Alice".to_owned()),
            (None, false) => None,
        };
        let db = db::connect(&config.database_url, config.database_max_connections)
            .await
            .context("database")?;
        let sms = match config.sms_provider.as_str() {
            "outbox" => {
                if !config.dev_mode {
                    anyhow::bail!("SMS_PROVIDER=outbox is for development only (--dev-mode)");
                }
                SmsSender::Outbox(db.clone())
            }
            "http" => {
                let (Some(base), Some(account), Some(token)) = (
                    config.sms_api_base_url.as_deref(),
                    config.sms_account_id.as_deref(),
                    config.sms_auth_token.as_deref(),
                ) else {
                    anyhow::bail!(
                        "SMS_PROVIDER=http needs SMS_API_BASE_URL, SMS_ACCOUNT_ID and SMS_AUTH_TOKEN"
                    );
                };
                SmsSender::Http(sms::HttpSms::new(base, account, token, &config.sms_from))
            }
            other => anyhow::bail!("SMS_PROVIDER must be `outbox` or `http`, not `{other}`"),
        };
        let metrics = Arc::new(metrics::Metrics::new());
        let chain = Chain::start(
            &config.node_url,
            registrar_uri.as_deref(),
            sudo_uri.as_deref(),
            metrics.clone(),
        )?;
        let state = AppState {
            protector: Arc::new(Protector::new(&data_key)),
            accounts: Arc::new(chain::VoterAccounts::new(&master)),
            config: Arc::new(config),
            db,
            sms,
            limits: Arc::new(RateLimiter::default()),
            chain,
            metrics,
            votes: votes::VoteQueue::new(),
        };
        Ok(state)
    }
}
