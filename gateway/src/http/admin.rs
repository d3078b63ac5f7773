//! Election administration: `Authorization: Bearer <GATEWAY_ADMIN_TOKEN>`. Creating an election
//! submits `Voting.create_election` through `sudo` with the configured admin account.

use axum::{
    extract::{FromRequestParts, Path, State},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    auth::constant_time_eq,
    elections::{chain_error, load, ElectionView, BLOCK_MS},
    no_store, ApiJson,
};
use crate::{
    db,
    error::{AppError, AppResult, FieldError, FieldErrors},
    AppState,
};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/elections", post(create))
        .route("/api/admin/elections/{id}", get(status))
}

/// An authenticated administrator.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(expected) = state.config.admin_token.as_deref().filter(|t| !t.is_empty()) else {
            return Err(AppError::AdminDisabled);
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            Ok(Admin)
        } else {
            Err(AppError::AdminUnauthorized)
        }
    }
}

/// A new election.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateElection {
    /// Title (1–128 bytes of UTF-8).
    #[serde(default)]
    pub title: String,
    /// Options in ballot order (2–64, each 1–64 bytes, distinct).
    #[serde(default)]
    pub options: Vec<String>,
    /// Opening time (RFC 3339); converted to a block with 6-second blocks.
    #[serde(default)]
    pub opens_at: String,
    /// Closing time (RFC 3339).
    #[serde(default)]
    pub closes_at: String,
    /// Whether voters may vote again (the last ballot counts).
    #[serde(default)]
    pub allow_revote: bool,
    /// Election public key from `electx-node election-key public` (`0x` + 64 hex).
    #[serde(default)]
    pub public_key: String,
}

/// The created election.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Election id.
    pub id: u32,
    /// Block that created it.
    pub block_hash: String,
    /// Opening block.
    pub opens_at_block: u32,
    /// Closing block.
    pub closes_at_block: u32,
}

/// Election status for officials.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminStatus {
    /// The election.
    #[serde(flatten)]
    pub election: ElectionView,
    /// Voters registered with the gateway.
    pub registered_voters: i64,
    /// Ballots waiting for inclusion.
    pub votes_pending: i64,
    /// Ballots finalized.
    pub votes_finalized: i64,
    /// Ballots refused.
    pub votes_failed: i64,
}

fn parse_time(field: &'static str, value: &str, errors: &mut FieldErrors) -> Option<i64> {
    match time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
    {
        Ok(t) => Some((t.unix_timestamp_nanos() / 1_000_000) as i64),
        Err(_) => {
            errors.insert(
                field,
                FieldError {
                    code: if value.trim().is_empty() { "required" } else { "invalid_date" },
                    message: "Give a date and time in RFC 3339 (2026-12-04T10:00:00Z).".into(),
                },
            );
            None
        }
    }
}

#[utoipa::path(post, path = "/api/admin/elections", tag = "admin", request_body = CreateElection,
    responses((status = 201, body = Created), (status = 401, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 502, body = crate::error::ErrorBody)),
    security(("admin_token" = [])))]
async fn create(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(req): ApiJson<CreateElection>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut errors = FieldErrors::new();
    let mut field = |name: &'static str, code: &'static str, message: &str| {
        errors.insert(name, FieldError { code, message: message.into() });
    };
    let title = req.title.trim().to_owned();
    if title.is_empty() {
        field("title", "required", "Give the election a title.");
    } else if title.len() > 128 {
        field("title", "too_long", "The title can have at most 128 bytes.");
    }
    let options: Vec<String> = req.options.iter().map(|o| o.trim().to_owned()).collect();
    let mut distinct = options.clone();
    distinct.sort();
    distinct.dedup();
    if options.len() < 2 || options.len() > 64 {
        field("options", "invalid_count", "Give between 2 and 64 options.");
    } else if options.iter().any(|o| o.is_empty() || o.len() > 64) {
        field("options", "invalid_option", "Each option needs 1 to 64 bytes.");
    } else if distinct.len() != options.len() {
        field("options", "duplicate", "Options must be distinct.");
    }
    let public_key = hex::decode(req.public_key.trim().trim_start_matches("0x"))
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .filter(|b| electx_crypto::ElectionPublicKey::from_bytes(b).is_ok());
    if public_key.is_none() {
        field(
            "public_key",
            "invalid_key",
            "Paste the output of `electx-node election-key public`.",
        );
    }
    let opens = parse_time("opens_at", &req.opens_at, &mut errors);
    let closes = parse_time("closes_at", &req.closes_at, &mut errors);
    let now = db::now_ms();
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            errors.insert(
                "closes_at",
                FieldError {
                    code: "before_opening",
                    message: "Closing must be after opening.".into(),
                },
            );
        } else if c <= now + 2 * BLOCK_MS {
            errors.insert(
                "closes_at",
                FieldError {
                    code: "in_the_past",
                    message: "Closing must be in the future.".into(),
                },
            );
        }
    }
    let (Some(public_key), Some(opens), Some(closes), true) =
        (public_key, opens, closes, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let status = state.chain.status();
    if !status.connected {
        return Err(AppError::ChainUnavailable("not connected".into()));
    }
    let best = status.best as i64;
    // The next block at the earliest: the runtime refuses an opening in the past.
    let block_of = |t: i64| (best + 2).max(best + (t - now + BLOCK_MS - 1) / BLOCK_MS) as u32;
    let (opens_at_block, closes_at_block) =
        (block_of(opens), block_of(closes).max(block_of(opens) + 1));
    let (id, block_hash) = state
        .chain
        .create_election(
            &title,
            &options,
            public_key,
            opens_at_block,
            closes_at_block,
            req.allow_revote,
        )
        .await
        .map_err(chain_error)?;
    tracing::info!(election = id, "election created by an administrator");
    Ok((StatusCode::CREATED, Json(Created { id, block_hash, opens_at_block, closes_at_block })))
}

#[utoipa::path(get, path = "/api/admin/elections/{id}", tag = "admin",
    params(("id" = u32, Path, description = "Election id")),
    responses((status = 200, body = AdminStatus), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("admin_token" = [])))]
async fn status(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let e = load(&state, &id).await?;
    let eid = Some(e.id as i64);
    let by = |status: &'static str| {
        let state = state.clone();
        async move {
            db::count(
                &state.db,
                &format!(
                    "SELECT COUNT(*) FROM votes WHERE election_id = $1 AND status IN ({status})"
                ),
                eid,
            )
            .await
        }
    };
    let body = AdminStatus {
        registered_voters: db::count(&state.db, "SELECT COUNT(*) FROM voters", None).await?,
        votes_pending: by("'pending', 'in_block'").await?,
        votes_finalized: by("'finalized'").await?,
        votes_failed: by("'failed'").await?,
        election: ElectionView::new(&state, e),
    };
    Ok((no_store(), Json(body)).into_response())
}
