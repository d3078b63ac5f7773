//! Elections (from chain), casting ballots, vote progress, turnout and results.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use super::{auth::VerifiedVoter, no_store, ApiJson};
use crate::{
    chain::{ChainError, ElectionInfo, Phase, ELECTION_CACHE},
    db,
    error::{AppError, AppResult},
    validate,
    votes::{self, rfc3339, VoteView},
    AppState,
};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/elections", get(list))
        .route("/api/elections/{id}", get(one))
        .route("/api/elections/{id}/turnout", get(turnout))
        .route("/api/elections/{id}/results", get(results))
        .route("/api/elections/{id}/ballots", post(cast))
        .route("/api/votes/{id}", get(vote))
}

/// Chain errors as API errors.
pub fn chain_error(e: ChainError) -> AppError {
    match e {
        ChainError::Unavailable => AppError::ChainUnavailable("not connected".into()),
        ChainError::Rejected { error } | ChainError::DispatchFailed(error) => {
            AppError::ChainRejected(error)
        }
        ChainError::Other(e) => AppError::ChainUnavailable(e),
    }
}

/// An election for the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElectionView {
    /// Id.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Options in ballot order.
    pub options: Vec<String>,
    /// Phase now.
    pub phase: Phase,
    /// First block taking ballots.
    pub opens_at_block: u32,
    /// First block no longer taking ballots.
    pub closes_at_block: u32,
    /// Estimated wall-clock opening (RFC 3339), from 6-second blocks.
    pub opens_at: String,
    /// Estimated wall-clock close.
    pub closes_at: String,
    /// Re-voting allowed (the last ballot counts).
    pub allow_revote: bool,
    /// Fewest selections.
    pub min_selections: u32,
    /// Most selections.
    pub max_selections: u32,
    /// Ballots counted on chain.
    pub ballots_on_chain: u32,
    /// Voters on the roll.
    pub roll_size: u32,
    /// Election public key (`0x…`).
    pub public_key: String,
}

/// Block time of the chain, for estimates.
pub const BLOCK_MS: i64 = 6_000;

/// Wall-clock estimate of block `n` from the best block now.
pub fn block_time(state: &AppState, n: u32) -> String {
    let best = state.chain.status().best as i64;
    rfc3339(db::now_ms() + (n as i64 - best) * BLOCK_MS)
}

impl ElectionView {
    /// From chain data.
    pub fn new(state: &AppState, e: ElectionInfo) -> Self {
        Self {
            id: e.id,
            opens_at: block_time(state, e.opens_at),
            closes_at: block_time(state, e.closes_at),
            title: e.title,
            options: e.options,
            phase: e.phase,
            opens_at_block: e.opens_at,
            closes_at_block: e.closes_at,
            allow_revote: e.allow_revote,
            min_selections: e.min_selections,
            max_selections: e.max_selections,
            ballots_on_chain: e.ballots,
            roll_size: e.roll_size,
            public_key: format!("0x{}", hex::encode(e.public_key)),
        }
    }
}

#[utoipa::path(get, path = "/api/elections", tag = "elections",
    responses((status = 200, body = [ElectionView]), (status = 503, body = crate::error::ErrorBody)))]
async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let elections = state.chain.elections().await.map_err(chain_error)?;
    let views: Vec<_> = elections.into_iter().map(|e| ElectionView::new(&state, e)).collect();
    Ok((no_store(), Json(views)).into_response())
}

/// Parses an election id path segment.
pub fn election_id(raw: &str) -> AppResult<u32> {
    raw.parse().map_err(|_| AppError::ElectionNotFound)
}

/// Loads an election or answers `election_not_found`.
pub async fn load(state: &AppState, raw: &str) -> AppResult<ElectionInfo> {
    let id = election_id(raw)?;
    state.chain.election(id).await.map_err(chain_error)?.ok_or(AppError::ElectionNotFound)
}

#[utoipa::path(get, path = "/api/elections/{id}", tag = "elections",
    params(("id" = u32, Path, description = "Election id")),
    responses((status = 200, body = ElectionView), (status = 404, body = crate::error::ErrorBody)))]
async fn one(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let e = load(&state, &id).await?;
    Ok((no_store(), Json(ElectionView::new(&state, e))).into_response())
}

/// A ballot request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CastRequest {
    /// Index of the chosen option.
    pub choice: i64,
    /// Client-chosen id (a UUID) that makes retries idempotent.
    #[serde(default)]
    pub request_id: String,
}

#[utoipa::path(post, path = "/api/elections/{id}/ballots", tag = "elections", request_body = CastRequest,
    params(("id" = u32, Path, description = "Election id")),
    responses((status = 202, body = VoteView), (status = 200, body = VoteView, description = "Same request_id again"),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody, description = "election_not_open or already_voted"),
        (status = 422, body = crate::error::ErrorBody, description = "invalid_choice")))]
async fn cast(
    State(state): State<AppState>,
    VerifiedVoter(voter): VerifiedVoter,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CastRequest>,
) -> AppResult<Response> {
    let request_id = req.request_id.trim();
    if request_id.is_empty()
        || request_id.len() > 64
        || !request_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(AppError::field("request_id", "invalid_format", "Send a UUID as request_id."));
    }
    // A retried request: the same vote, never a second ballot.
    let existing = sqlx::query(&format!(
        "SELECT {} FROM votes WHERE voter_id = $1 AND request_id = $2",
        db::VOTE_COLUMNS
    ))
    .bind(voter.id.clone())
    .bind(request_id.to_owned())
    .fetch_optional(&state.db)
    .await?;
    if let Some(row) = existing {
        let v = db::vote_from(&row)?;
        return Ok((StatusCode::OK, Json(VoteView::from_row(&state, &v))).into_response());
    }
    // Read at most a couple of seconds ago: every voter's request asks for the same election.
    let mut election = state
        .chain
        .election_recent(election_id(&id)?, ELECTION_CACHE)
        .await
        .map_err(chain_error)?
        .ok_or(AppError::ElectionNotFound)?;
    if election.phase != Phase::Open {
        // The copy may predate the opening block: ask the chain before refusing.
        election = load(&state, &id).await?;
    }
    if election.phase != Phase::Open {
        return Err(AppError::ElectionNotOpen);
    }
    if req.choice < 0 || req.choice as usize >= election.options.len() {
        return Err(AppError::InvalidChoice);
    }
    let votes = db::votes_of(&state.db, &voter.id).await?;
    // Only the gateway holds a voter's key: with no vote recorded here, the account has
    // signed nothing, so it has no ballot on chain and its nonce is 0.
    let first_ballot = votes.is_empty();
    let earlier = votes.into_iter().find(|v| {
        v.election_id == election.id as i64
            && (matches!(v.status.as_str(), "pending" | "in_block")
                || (v.status == "finalized" && !election.allow_revote))
    });
    if let Some(v) = earlier {
        let view = serde_json::to_value(VoteView::from_row(&state, &v)).ok();
        return Err(AppError::AlreadyVoted { vote: view });
    }
    if !election.allow_revote && !first_ballot {
        let account = state.accounts.account_bytes(&voter.id);
        if state.chain.tracker_of(election.id, account).await.map_err(chain_error)?.is_some() {
            return Err(AppError::AlreadyVoted { vote: None });
        }
    }
    let nonce = first_ballot.then_some(0);
    let v = votes::cast(&state, &voter, &election, req.choice as u32, nonce, request_id).await?;
    Ok((StatusCode::ACCEPTED, Json(VoteView::from_row(&state, &v))).into_response())
}

#[utoipa::path(get, path = "/api/votes/{id}", tag = "elections",
    params(("id" = String, Path, description = "Vote id")),
    responses((status = 200, body = VoteView), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
async fn vote(
    State(state): State<AppState>,
    VerifiedVoter(voter): VerifiedVoter,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = db::vote_by_id(&state.db, &id)
        .await?
        .filter(|v| v.voter_id == voter.id)
        .ok_or(AppError::VoteNotFound)?;
    Ok((no_store(), Json(VoteView::from_row(&state, &v))).into_response())
}

/// Turnout of one election.
#[derive(Debug, Serialize, ToSchema)]
pub struct Turnout {
    /// Election id.
    pub election: u32,
    /// Voters registered with the gateway.
    pub registered_voters: i64,
    /// Voters whose ballot is finalized.
    pub voted: i64,
    /// Ballots counted on chain (all gateways and direct voters).
    pub ballots_on_chain: u32,
    /// Per province (all 52, zeros included).
    pub by_province: Vec<ProvinceCount>,
    /// Per gender.
    pub by_gender: Vec<GenderCount>,
    /// Per minute.
    pub over_time: Vec<TimeCount>,
}

/// Votes in a province.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceCount {
    /// INE code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// Voters who voted.
    pub voted: i64,
}

/// Votes by gender.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenderCount {
    /// Gender.
    pub gender: &'static str,
    /// Voters who voted.
    pub voted: i64,
}

/// Votes in a minute.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeCount {
    /// Start of the minute.
    pub at: String,
    /// Voters whose ballot was finalized in it.
    pub voted: i64,
    /// Running total.
    pub cumulative: i64,
}

#[utoipa::path(get, path = "/api/elections/{id}/turnout", tag = "elections",
    params(("id" = u32, Path, description = "Election id")),
    responses((status = 200, body = Turnout), (status = 404, body = crate::error::ErrorBody)))]
async fn turnout(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let election = load(&state, &id).await?;
    let eid = election.id as i64;
    let registered = db::count(&state.db, "SELECT COUNT(*) FROM voters", None).await?;
    // Who voted (distinct voters with a finalized ballot) — never what.
    let rows = sqlx::query(
        "SELECT v.province AS province, v.gender AS gender, MIN(b.finalized_at) AS at \
         FROM votes b JOIN voters v ON v.id = b.voter_id \
         WHERE b.election_id = $1 AND b.status = 'finalized' \
         GROUP BY b.voter_id, v.province, v.gender",
    )
    .bind(eid)
    .fetch_all(&state.db)
    .await?;
    let mut by_province = std::collections::HashMap::<String, i64>::new();
    let mut by_gender = std::collections::HashMap::<String, i64>::new();
    let mut by_minute = std::collections::BTreeMap::<i64, i64>::new();
    for row in &rows {
        let province: String = row.try_get("province")?;
        let gender: String = row.try_get("gender")?;
        let at: Option<i64> = row.try_get("at")?;
        *by_province.entry(province).or_default() += 1;
        *by_gender.entry(gender).or_default() += 1;
        if let Some(at) = at {
            *by_minute.entry(at / 60_000 * 60_000).or_default() += 1;
        }
    }
    let mut cumulative = 0;
    let body = Turnout {
        election: election.id,
        registered_voters: registered,
        voted: rows.len() as i64,
        ballots_on_chain: election.ballots,
        by_province: validate::PROVINCES
            .iter()
            .map(|(code, name)| ProvinceCount {
                code,
                name,
                voted: by_province.get(*code).copied().unwrap_or(0),
            })
            .collect(),
        by_gender: validate::GENDERS
            .iter()
            .map(|g| GenderCount { gender: g, voted: by_gender.get(*g).copied().unwrap_or(0) })
            .collect(),
        over_time: by_minute
            .into_iter()
            .map(|(at, voted)| {
                cumulative += voted;
                TimeCount { at: rfc3339(at), voted, cumulative }
            })
            .collect(),
    };
    Ok((no_store(), Json(body)).into_response())
}

/// Result of an election.
#[derive(Debug, Serialize, ToSchema)]
pub struct Results {
    /// Election id.
    pub election: u32,
    /// Whether the verified result is on chain.
    pub tallied: bool,
    /// Whether this gateway re-checked the decryption proofs against the on-chain tally.
    pub proof_verified: bool,
    /// Ballots counted.
    pub ballots: u32,
    /// Votes per option.
    pub counts: Vec<OptionCount>,
    /// Block of the result.
    pub tallied_at_block: Option<u32>,
    /// Phase now.
    pub phase: Phase,
}

/// Votes for an option.
#[derive(Debug, Serialize, ToSchema)]
pub struct OptionCount {
    /// Option name.
    pub option: String,
    /// Votes.
    pub votes: u64,
}

#[utoipa::path(get, path = "/api/elections/{id}/results", tag = "elections",
    params(("id" = u32, Path, description = "Election id")),
    responses((status = 200, body = Results), (status = 404, body = crate::error::ErrorBody)))]
async fn results(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let election = load(&state, &id).await?;
    let result = state.chain.result(election.id).await.map_err(chain_error)?;
    let body = match result {
        Some(r) => Results {
            election: election.id,
            tallied: true,
            proof_verified: r.proof_verified,
            ballots: r.ballots,
            counts: election
                .options
                .iter()
                .zip(r.counts.iter())
                .map(|(o, c)| OptionCount { option: o.clone(), votes: *c })
                .collect(),
            tallied_at_block: Some(r.tallied_at),
            phase: election.phase,
        },
        None => Results {
            election: election.id,
            tallied: false,
            proof_verified: false,
            ballots: election.ballots,
            counts: vec![],
            tallied_at_block: None,
            phase: election.phase,
        },
    };
    Ok((no_store(), Json(body)).into_response())
}
