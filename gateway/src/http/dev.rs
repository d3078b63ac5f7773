//! Development only: the SMS outbox (the seed's simulated SMS endpoint). Answers
//! `404 not_found` unless the gateway runs with `--dev-mode`.

use axum::{extract::State, response::IntoResponse, routing::get, Json, Router};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use super::no_store;
use crate::{
    error::{AppError, AppResult},
    votes::rfc3339,
    AppState,
};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/dev/sms", get(outbox))
}

/// A message in the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessage {
    /// Masked recipient.
    pub to: String,
    /// Text.
    pub body: String,
    /// When (RFC 3339).
    pub sent_at: String,
}

#[utoipa::path(get, path = "/api/dev/sms", tag = "development",
    responses((status = 200, body = [OutboxMessage]), (status = 404, body = crate::error::ErrorBody)))]
async fn outbox(State(state): State<AppState>) -> AppResult<impl IntoResponse> {
    if !state.config.dev_mode {
        return Err(AppError::NotFound);
    }
    let rows = sqlx::query(
        "SELECT to_masked, body, sent_at FROM sms_outbox ORDER BY sent_at DESC LIMIT 50",
    )
    .fetch_all(&state.db)
    .await?;
    let messages = rows
        .iter()
        .map(|r| {
            Ok(OutboxMessage {
                to: r.try_get("to_masked")?,
                body: r.try_get("body")?,
                sent_at: rfc3339(r.try_get("sent_at")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((no_store(), Json(messages)))
}
