//! Sending the one-time codes. Two senders:
//! - [`SmsSender::Outbox`]: development. Messages go to the `sms_outbox` table, listed by the
//!   dev-only `GET /api/dev/sms` endpoint and page (the seed's simulated SMS).
//! - [`SmsSender::Http`]: production. A Twilio-style REST API: `POST
//!   {base}/2010-04-01/Accounts/{account}/Messages.json`, HTTP basic auth (account id, token),
//!   form fields `To`, `From`, `Body`; `201` with a JSON `sid` on success.
//!
//! Neither logs the number or the text.

use std::time::Duration;

use sqlx::AnyPool;

use crate::{db, pii};

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The provider answered with an error status.
    #[error("SMS provider refused the message (HTTP {status}, provider code {code})")]
    Refused { status: u16, code: String },
    /// The provider could not be reached.
    #[error("SMS provider unreachable: {0}")]
    Unreachable(String),
    /// The outbox could not be written.
    #[error("SMS outbox: {0}")]
    Outbox(String),
}

/// The Twilio-style HTTP provider.
#[derive(Clone, Debug)]
pub struct HttpSms {
    client: reqwest::Client,
    base_url: String,
    account_id: String,
    auth_token: String,
    from: String,
}

impl HttpSms {
    /// A sender for the provider at `base_url`.
    pub fn new(base_url: &str, account_id: &str, auth_token: &str, from: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            account_id: account_id.to_owned(),
            auth_token: auth_token.to_owned(),
            from: from.to_owned(),
        }
    }

    async fn send(&self, to: &str, body: &str) -> Result<String, SmsError> {
        let url =
            format!("{}/2010-04-01/Accounts/{}/Messages.json", self.base_url, self.account_id);
        let response = self
            .client
            .post(url)
            .basic_auth(&self.account_id, Some(&self.auth_token))
            .form(&[("To", to), ("From", self.from.as_str()), ("Body", body)])
            .send()
            .await
            // reqwest's error text includes the URL but never the form body.
            .map_err(|e| SmsError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        if status.is_success() {
            Ok(json.get("sid").and_then(|s| s.as_str()).unwrap_or_default().to_owned())
        } else {
            let code = json.get("code").map(|c| c.to_string()).unwrap_or_else(|| "-".into());
            Err(SmsError::Refused { status: status.as_u16(), code })
        }
    }
}

/// Where codes go.
#[derive(Clone, Debug)]
pub enum SmsSender {
    /// Development outbox in the database.
    Outbox(AnyPool),
    /// A real SMS provider.
    Http(HttpSms),
}

impl SmsSender {
    /// Sends `body` to the E.164 number `to`.
    pub async fn send(&self, to: &str, body: &str) -> Result<(), SmsError> {
        match self {
            SmsSender::Outbox(pool) => {
                sqlx::query(
                    "INSERT INTO sms_outbox (id, to_masked, body, sent_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(pii::mask_phone(to))
                .bind(body.to_owned())
                .bind(db::now_ms())
                .execute(pool)
                .await
                .map_err(|e| SmsError::Outbox(e.to_string()))?;
                Ok(())
            }
            SmsSender::Http(http) => http.send(to, body).await.map(|sid| {
                tracing::info!(provider_sid = %sid, "SMS handed to the provider");
            }),
        }
    }

    /// Kind, for logs and `/health`.
    pub fn kind(&self) -> &'static str {
        match self {
            SmsSender::Outbox(_) => "outbox",
            SmsSender::Http(_) => "http",
        }
    }
}

/// The text of a code message (Spanish, as voters get it).
pub fn code_message(code: &str, ttl_seconds: i64) -> String {
    format!(
        "ElectX: su código de acceso es {code}. Caduca en {} minutos. No lo comparta con nadie.",
        (ttl_seconds + 59) / 60
    )
}
