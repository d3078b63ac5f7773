//! Sessions, CSRF and client addresses.
//!
//! - Session: an opaque random token in the `electx_session` cookie (HttpOnly,
//!   SameSite=Strict, Secure over HTTPS); the database keeps only its keyed hash and expiry.
//! - CSRF: double-submit cookie. `electx_csrf` is readable by the page's scripts; every
//!   state-changing `/api/` request (except the bearer-token admin API) must echo it in
//!   `X-CSRF-Token`. A cross-site form can neither read the cookie nor set the header.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sqlx::Row;

use crate::{
    db::{self, VoterRow},
    error::AppError,
    pii, AppState,
};

/// Session cookie name.
pub const SESSION_COOKIE: &str = "electx_session";
/// CSRF cookie name.
pub const CSRF_COOKIE: &str = "electx_csrf";
/// CSRF header name.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: i64,
    http_only: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Strict; Max-Age={max_age}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Rejects state-changing API requests whose `X-CSRF-Token` does not match the CSRF cookie.
pub async fn csrf_guard(State(_): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if super::is_state_changing(req.method()) && !path.starts_with("/api/admin/") {
        let headers = req.headers();
        let cookie = cookie(headers, CSRF_COOKIE);
        let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        let ok = match (cookie, header) {
            (Some(c), Some(h)) => constant_time_eq(c.as_bytes(), h.as_bytes()),
            _ => false,
        };
        if !ok {
            return AppError::CsrfFailed.into_response();
        }
    }
    next.run(req).await
}

/// Equality that does not stop at the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// gateway is configured to trust its proxy.
pub fn client_ip(state: &AppState, parts_headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.trust_forwarded_for {
        if let Some(ip) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return ip.to_string();
        }
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "local".into())
}

/// The client address as an extractor.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(ClientIp(client_ip(state, &parts.headers, peer)))
    }
}

/// A voter whose session is valid (the request carries a live session cookie).
#[derive(Debug, Clone)]
pub struct VerifiedVoter(pub VoterRow);

impl FromRequestParts<AppState> for VerifiedVoter {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        session_voter(state, &parts.headers)
            .await?
            .map(VerifiedVoter)
            .ok_or(AppError::NotAuthenticated)
    }
}

/// The voter of the session cookie in `headers`, if it is live.
pub async fn session_voter(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<VoterRow>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let hash = state.protector.token_hash(token);
    let row =
        sqlx::query("SELECT voter_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(hash)
            .bind(db::now_ms())
            .fetch_optional(&state.db)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let voter_id: String = row.try_get("voter_id")?;
    db::voter_by_id(&state.db, &voter_id).await
}

/// Creates a session for `voter_id`; returns the `Set-Cookie` header value.
pub async fn start_session(state: &AppState, voter_id: &str) -> Result<HeaderValue, AppError> {
    let token = pii::random_token();
    let now = db::now_ms();
    let ttl = state.config.session_ttl_seconds;
    sqlx::query("INSERT INTO sessions (token_hash, voter_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(state.protector.token_hash(&token))
        .bind(voter_id.to_owned())
        .bind(now)
        .bind(now + ttl * 1000)
        .execute(&state.db)
        .await?;
    Ok(set_cookie(state, SESSION_COOKIE, &token, ttl, true))
}

/// Ends the session of `headers` (if any); returns the clearing `Set-Cookie` value.
pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, AppError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(state.protector.token_hash(token))
            .execute(&state.db)
            .await?;
    }
    Ok(set_cookie(state, SESSION_COOKIE, "", 0, true))
}

/// Makes sure the client has a CSRF cookie: returns a `Set-Cookie` for a new one if not.
pub fn ensure_csrf_cookie(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    if cookie(headers, CSRF_COOKIE).is_some() {
        return None;
    }
    Some(set_cookie(state, CSRF_COOKIE, &pii::random_token(), 12 * 3600, false))
}
