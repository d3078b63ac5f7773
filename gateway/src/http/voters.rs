//! Registration, sign-in with an SMS code, sessions.

use std::time::Duration;

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use super::{
    auth::{self, ClientIp, VerifiedVoter},
    no_store, ApiJson,
};
use crate::{
    db::{self, VoterRow},
    error::{AppError, AppResult, FieldErrors},
    metrics::Metrics,
    pii, sms, validate,
    votes::VoteView,
    AppState,
};

/// Wrong tries that lock a code.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", get(session))
        .route("/api/meta", get(meta))
        .route("/api/register", post(register))
        .route("/api/login", post(login))
        .route("/api/login/resend", post(resend))
        .route("/api/login/verify", post(verify))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
}

/// A registration form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// DNI (`12345678Z`) or NIE (`X1234567L`).
    #[serde(default)]
    pub id_number: String,
    /// Name and surname(s).
    #[serde(default)]
    pub full_name: String,
    /// Spanish mobile, E.164 (`+34612345678`).
    #[serde(default)]
    pub phone: String,
    /// INE province code (`"28"`).
    #[serde(default)]
    pub province: String,
    /// `female`, `male`, `other` or `undisclosed`.
    #[serde(default)]
    pub gender: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date_of_birth: String,
}

/// Sign-in with DNI and phone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// DNI or NIE.
    #[serde(default)]
    pub id_number: String,
    /// The phone registered with it.
    #[serde(default)]
    pub phone: String,
}

/// Code check.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// DNI or NIE.
    #[serde(default)]
    pub id_number: String,
    /// The 6-digit code from the SMS.
    #[serde(default)]
    pub code: String,
}

/// Simple status answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusBody {
    /// What happened.
    pub status: &'static str,
}

/// Answer to sign-in and resend (the same whether or not the pair is registered).
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    /// Always `code_sent`.
    pub status: &'static str,
    /// Seconds the code is valid.
    pub expires_in: i64,
    /// Seconds before another code can be asked for.
    pub resend_after: i64,
}

/// A signed-in voter as shown to themself: no ID number, no phone.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoterView {
    /// First name and initial of the surname.
    pub name: String,
    /// Province code.
    pub province: String,
    /// The voter's chain account (SS58).
    pub account: String,
    /// The voter's ballots through this gateway.
    pub votes: Vec<VoteView>,
}

/// Session state.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Whether the session cookie is live.
    pub authenticated: bool,
    /// Development mode.
    pub dev_mode: bool,
    /// The voter, when authenticated.
    pub voter: Option<VoterView>,
}

/// Static facts the pages need.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// The 52 provinces.
    pub provinces: Vec<Province>,
    /// Accepted genders.
    pub genders: Vec<&'static str>,
    /// Polkadot.js Apps explorer prefix (append a block hash).
    pub explorer_base: String,
    /// Public node URL.
    pub node_ws_url: String,
    /// Development mode.
    pub dev_mode: bool,
    /// Code lifetime.
    pub code_ttl_seconds: i64,
    /// Wait between codes.
    pub resend_after_seconds: i64,
    /// Development: a public key the dev tallier can decrypt for (admin page default).
    pub dev_election_public_key: Option<String>,
}

/// A province.
#[derive(Debug, Serialize, ToSchema)]
pub struct Province {
    /// INE code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
}

/// Polkadot.js Apps explorer link prefix for the public node.
pub fn explorer_base(state: &AppState) -> String {
    let rpc: String = state
        .config
        .public_node_url()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{}?rpc={rpc}#/explorer/query/", state.config.polkadot_apps_url)
}

#[utoipa::path(get, path = "/api/meta", tag = "voters", responses((status = 200, body = Meta)))]
async fn meta(State(state): State<AppState>) -> Json<Meta> {
    Json(Meta {
        provinces: validate::PROVINCES.iter().map(|(code, name)| Province { code, name }).collect(),
        genders: validate::GENDERS.to_vec(),
        explorer_base: explorer_base(&state),
        node_ws_url: state.config.public_node_url().to_owned(),
        dev_mode: state.config.dev_mode,
        code_ttl_seconds: state.config.code_ttl_seconds,
        resend_after_seconds: state.config.code_resend_seconds,
        dev_election_public_key: state
            .config
            .dev_election_public_key
            .clone()
            .filter(|_| state.config.dev_mode),
    })
}

#[utoipa::path(get, path = "/api/session", tag = "voters",
    responses((status = 200, body = SessionView, description = "Also sets the CSRF cookie")))]
async fn session(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let voter = match auth::session_voter(&state, &headers).await? {
        Some(v) => Some(voter_view(&state, &v).await?),
        None => None,
    };
    let body =
        SessionView { authenticated: voter.is_some(), dev_mode: state.config.dev_mode, voter };
    let mut response = (no_store(), Json(body)).into_response();
    if let Some(cookie) = auth::ensure_csrf_cookie(&state, &headers) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

fn short_name(full: &str) -> String {
    let mut words = full.split_whitespace();
    let first = words.next().unwrap_or_default();
    match words.next().and_then(|w| w.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_owned(),
    }
}

async fn voter_view(state: &AppState, voter: &VoterRow) -> AppResult<VoterView> {
    let name = state.protector.decrypt(&voter.name_enc).map(|n| short_name(&n)).unwrap_or_default();
    let votes = db::votes_of(&state.db, &voter.id).await?;
    Ok(VoterView {
        name,
        province: voter.province.clone(),
        account: voter.account.clone(),
        votes: votes.iter().map(|v| VoteView::from_row(state, v)).collect(),
    })
}

#[utoipa::path(post, path = "/api/register", tag = "voters", request_body = RegisterRequest,
    responses((status = 201, body = StatusBody),
        (status = 422, body = crate::error::ErrorBody, description = "validation_failed"),
        (status = 409, body = crate::error::ErrorBody, description = "already_registered")))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> AppResult<(StatusCode, Json<StatusBody>)> {
    state
        .limits
        .hit("register-ip", &ip, state.config.ip_requests_per_minute, Duration::from_secs(60))
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    let mut errors = FieldErrors::new();
    let id_number =
        validate::id_number(&req.id_number).map_err(|e| errors.insert("id_number", e)).ok();
    let full_name =
        validate::full_name(&req.full_name).map_err(|e| errors.insert("full_name", e)).ok();
    let phone = validate::phone(&req.phone).map_err(|e| errors.insert("phone", e)).ok();
    let province = validate::province(&req.province).map_err(|e| errors.insert("province", e)).ok();
    let gender = validate::gender(&req.gender).map_err(|e| errors.insert("gender", e)).ok();
    let reference_day = time::OffsetDateTime::now_utc().date();
    let dob = validate::date_of_birth(&req.date_of_birth, reference_day)
        .map_err(|e| errors.insert("date_of_birth", e))
        .ok();
    let (Some(id_number), Some(full_name), Some(phone), Some(province), Some(gender), Some(dob)) =
        (id_number, full_name, phone, province, gender, dob)
    else {
        Metrics::count(&state.metrics.registrations, "invalid");
        return Err(AppError::Validation(errors));
    };
    let p = &state.protector;
    let id_lookup = p.lookup("id", &id_number);
    let phone_lookup = p.lookup("phone", &phone);
    let voter_id = uuid::Uuid::new_v4().to_string();
    let account = state.accounts.account_of(&voter_id);
    // One INSERT: both uniqueness rules are constraints, so nothing is half-written and two
    // concurrent registrations of the same DNI cannot both succeed.
    let inserted = sqlx::query(
        "INSERT INTO voters (id, id_lookup, phone_lookup, id_enc, phone_enc, name_enc, dob_enc, \
         province, gender, account, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(voter_id)
    .bind(id_lookup.clone())
    .bind(phone_lookup)
    .bind(p.encrypt(&id_number))
    .bind(p.encrypt(&phone))
    .bind(p.encrypt(&full_name))
    .bind(p.encrypt(&dob.to_string()))
    .bind(province.to_owned())
    .bind(gender.to_owned())
    .bind(account)
    .bind(db::now_ms())
    .execute(&state.db)
    .await;
    match inserted {
        Ok(_) => {
            Metrics::count(&state.metrics.registrations, "registered");
            Ok((StatusCode::CREATED, Json(StatusBody { status: "registered" })))
        }
        Err(e) => match db::is_unique_violation(&e) {
            Some(_) => {
                Metrics::count(&state.metrics.registrations, "duplicate");
                // Which one collided: ask by lookup rather than parse engine-specific messages.
                let id_taken = db::voter_by_id_lookup(&state.db, &id_lookup).await?.is_some();
                let mut fields = FieldErrors::new();
                let dup =
                    |m: &str| crate::error::FieldError { code: "duplicate", message: m.to_owned() };
                if id_taken {
                    fields.insert("id_number", dup("This ID number is already registered."));
                } else {
                    fields
                        .insert("phone", dup("This phone is already registered with another ID."));
                }
                Err(AppError::AlreadyRegistered(fields))
            }
            None => Err(e.into()),
        },
    }
}

/// Validates the sign-in pair's format (a bad format is not an enumeration oracle).
fn login_pair(req: &LoginRequest) -> AppResult<(String, String)> {
    let mut errors = FieldErrors::new();
    let id = validate::id_number(&req.id_number).map_err(|e| errors.insert("id_number", e)).ok();
    let phone = validate::phone(&req.phone).map_err(|e| errors.insert("phone", e)).ok();
    match (id, phone) {
        (Some(i), Some(p)) => Ok((i, p)),
        _ => Err(AppError::Validation(errors)),
    }
}

fn code_sent(state: &AppState) -> (StatusCode, Json<CodeSent>) {
    (
        StatusCode::ACCEPTED,
        Json(CodeSent {
            status: "code_sent",
            expires_in: state.config.code_ttl_seconds,
            resend_after: state.config.code_resend_seconds,
        }),
    )
}

/// Sends a code when (and only when) the pair is registered; the answer never says which.
/// Limits apply per IP and per ID number whether or not it is registered.
async fn send_code_if_registered(
    state: &AppState,
    ip: &str,
    id: &str,
    phone: &str,
) -> AppResult<()> {
    let limits = &state.limits;
    limits
        .hit("login-ip", ip, state.config.ip_requests_per_minute, Duration::from_secs(60))
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    // Keyed by the (ID, phone) pair: someone who knows only a DNI cannot use the limits to
    // keep its owner from getting a code.
    let id_key = hex::encode(state.protector.lookup("login-pair", &format!("{id}|{phone}")));
    limits
        .cool_down(
            "code-resend",
            &id_key,
            Duration::from_secs(state.config.code_resend_seconds as u64),
        )
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    limits
        .hit("code-hour", &id_key, state.config.codes_per_hour as u32, Duration::from_secs(3600))
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    let voter = db::voter_by_id_lookup(&state.db, &state.protector.lookup("id", id)).await?;
    match voter {
        Some(v)
            if auth::constant_time_eq(&v.phone_lookup, &state.protector.lookup("phone", phone)) =>
        {
            issue_code(state, &v).await
        }
        _ => Ok(()),
    }
}

/// Replaces the voter's active code with a fresh one and sends it.
pub async fn issue_code(state: &AppState, voter: &VoterRow) -> AppResult<()> {
    let code = pii::random_code();
    let code_id = uuid::Uuid::new_v4().to_string();
    let now = db::now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE login_codes SET status = 'superseded' WHERE voter_id = $1 AND status = 'active'",
    )
    .bind(voter.id.clone())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO login_codes (id, voter_id, code_hash, created_at, expires_at, attempts, status) \
         VALUES ($1, $2, $3, $4, $5, 0, 'active')",
    )
    .bind(code_id.clone())
    .bind(voter.id.clone())
    .bind(state.protector.code_hash(&code_id, &code))
    .bind(now)
    .bind(now + state.config.code_ttl_seconds * 1000)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some(phone) = state.protector.decrypt(&voter.phone_enc) else {
        return Err(AppError::internal("stored phone does not decrypt (data key changed?)"));
    };
    match state.sms.send(&phone, &sms::code_message(&code, state.config.code_ttl_seconds)).await {
        Ok(()) => Metrics::count(&state.metrics.sms, "sent"),
        Err(e) => {
            // The answer stays neutral; operators see the failure in logs and metrics.
            Metrics::count(&state.metrics.sms, "failed");
            tracing::warn!(error = %e, sender = state.sms.kind(), "could not send a sign-in code");
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/login", tag = "voters", request_body = LoginRequest,
    responses((status = 202, body = CodeSent, description = "Same answer whether or not the pair is registered"),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<(StatusCode, Json<CodeSent>)> {
    let (id, phone) = login_pair(&req)?;
    send_code_if_registered(&state, &ip, &id, &phone).await?;
    Ok(code_sent(&state))
}

#[utoipa::path(post, path = "/api/login/resend", tag = "voters", request_body = LoginRequest,
    responses((status = 202, body = CodeSent), (status = 429, body = crate::error::ErrorBody)))]
async fn resend(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<(StatusCode, Json<CodeSent>)> {
    let (id, phone) = login_pair(&req)?;
    send_code_if_registered(&state, &ip, &id, &phone).await?;
    Ok(code_sent(&state))
}

#[utoipa::path(post, path = "/api/login/verify", tag = "voters", request_body = VerifyRequest,
    responses((status = 200, body = SessionView, description = "Sets the session cookie"),
        (status = 400, body = crate::error::ErrorBody, description = "invalid_code"),
        (status = 410, body = crate::error::ErrorBody, description = "code_expired: a new code was sent"),
        (status = 423, body = crate::error::ErrorBody, description = "code_locked"),
        (status = 429, body = crate::error::ErrorBody, description = "rate_limited")))]
async fn verify(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> AppResult<Response> {
    state
        .limits
        .hit("verify-ip", &ip, state.config.ip_requests_per_minute, Duration::from_secs(60))
        .map_err(|retry_after| AppError::RateLimited { retry_after })?;
    let id = validate::id_number(&req.id_number).map_err(|e| {
        let mut f = FieldErrors::new();
        f.insert("id_number", e);
        AppError::Validation(f)
    })?;
    let code = req.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::field(
            "code",
            "invalid_format",
            "The code is the 6 digits of the SMS.",
        ));
    }
    let id_key = hex::encode(state.protector.lookup("id", &id));
    let outcome = check_code(&state, &id, &id_key, code).await;
    Metrics::count(
        &state.metrics.code_checks,
        match &outcome {
            Ok(_) => "ok",
            Err(e) => e.code(),
        },
    );
    let voter = outcome?;
    let cookie = auth::start_session(&state, &voter.id).await?;
    // Put the voter on the rolls of the elections that can still take them, in the
    // background, so that the roll is ready when they vote.
    let (bg_state, bg_voter) = (state.clone(), voter.clone());
    tokio::spawn(async move { bg_state.votes.enrol(&bg_state, &bg_voter).await });
    let body = SessionView {
        authenticated: true,
        dev_mode: state.config.dev_mode,
        voter: Some(voter_view(&state, &voter).await?),
    };
    let mut response = (no_store(), Json(body)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

async fn check_code(state: &AppState, id: &str, id_key: &str, code: &str) -> AppResult<VoterRow> {
    let voter = db::voter_by_id_lookup(&state.db, &state.protector.lookup("id", id)).await?;
    let latest = match &voter {
        Some(v) => {
            sqlx::query(
                "SELECT id, code_hash, expires_at, attempts, status FROM login_codes \
             WHERE voter_id = $1 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(v.id.clone())
            .fetch_optional(&state.db)
            .await?
        }
        None => None,
    };
    let (Some(voter), Some(row)) = (voter, latest) else {
        // Unknown ID or no code asked: behave like a wrong code, with the same lock-out.
        let tries = state.limits.count("unknown-code", id_key, Duration::from_secs(3600)) as i64;
        if tries >= MAX_CODE_ATTEMPTS {
            return Err(AppError::CodeLocked);
        }
        let _ = state.limits.hit("unknown-code", id_key, u32::MAX, Duration::from_secs(3600));
        if tries + 1 >= MAX_CODE_ATTEMPTS {
            return Err(AppError::CodeLocked);
        }
        return Err(AppError::InvalidCode { attempts_left: MAX_CODE_ATTEMPTS - tries - 1 });
    };
    let code_id: String = row.try_get("id")?;
    let stored: Vec<u8> = row.try_get("code_hash")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let status: String = row.try_get("status")?;
    match status.as_str() {
        "locked" => return Err(AppError::CodeLocked),
        "active" => {}
        // Used or replaced: the voter must ask for a new one.
        _ => return Err(AppError::InvalidCode { attempts_left: 0 }),
    }
    if db::now_ms() > expires_at {
        sqlx::query(
            "UPDATE login_codes SET status = 'expired' WHERE id = $1 AND status = 'active'",
        )
        .bind(code_id)
        .execute(&state.db)
        .await?;
        issue_code(state, &voter).await?;
        return Err(AppError::CodeExpired);
    }
    if auth::constant_time_eq(&stored, &state.protector.code_hash(&code_id, code)) {
        let used = sqlx::query(
            "UPDATE login_codes SET status = 'used' WHERE id = $1 AND status = 'active'",
        )
        .bind(code_id)
        .execute(&state.db)
        .await?;
        if used.rows_affected() != 1 {
            // A concurrent request used it first.
            return Err(AppError::InvalidCode { attempts_left: 0 });
        }
        return Ok(voter);
    }
    let row = sqlx::query(
        "UPDATE login_codes SET attempts = attempts + 1, \
         status = CASE WHEN attempts + 1 >= $1 THEN 'locked' ELSE status END \
         WHERE id = $2 AND status = 'active' RETURNING attempts",
    )
    .bind(MAX_CODE_ATTEMPTS)
    .bind(code_id)
    .fetch_optional(&state.db)
    .await?;
    let attempts: i64 = match row {
        Some(r) => r.try_get("attempts")?,
        None => MAX_CODE_ATTEMPTS,
    };
    if attempts >= MAX_CODE_ATTEMPTS {
        Err(AppError::CodeLocked)
    } else {
        Err(AppError::InvalidCode { attempts_left: MAX_CODE_ATTEMPTS - attempts })
    }
}

#[utoipa::path(post, path = "/api/logout", tag = "voters", responses((status = 204)))]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let cookie = auth::end_session(&state, &headers).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[utoipa::path(get, path = "/api/me", tag = "voters",
    responses((status = 200, body = VoterView), (status = 401, body = crate::error::ErrorBody)))]
async fn me(
    State(state): State<AppState>,
    VerifiedVoter(voter): VerifiedVoter,
) -> AppResult<Response> {
    Ok((no_store(), Json(voter_view(&state, &voter).await?)).into_response())
}
