//! One error type for every handler: a stable `code`, a human `message`, and for validation
//! errors the failing fields. Internal failures are logged and answered with a generic text.

use std::collections::BTreeMap;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// A field-level problem in a request body.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Stable machine code (`required`, `invalid_check_letter`, …).
    pub code: &'static str,
    /// Human explanation.
    pub message: String,
}

/// Field name → problem.
pub type FieldErrors = BTreeMap<&'static str, FieldError>;

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code.
    pub code: &'static str,
    /// Human explanation, safe to show.
    pub message: String,
    /// Per-field problems (validation errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, FieldError>>,
    /// Seconds to wait (rate limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// Attempts left for this code (wrong code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i64>,
    /// The earlier vote (already voted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vote: Option<serde_json::Value>,
}

/// Everything a handler can answer with besides success.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("already registered")]
    AlreadyRegistered(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("rate limited")]
    RateLimited { retry_after: i64 },
    #[error("invalid code")]
    InvalidCode { attempts_left: i64 },
    #[error("code expired")]
    CodeExpired,
    #[error("code locked")]
    CodeLocked,
    #[error("not authenticated")]
    NotAuthenticated,
    #[error("csrf check failed")]
    CsrfFailed,
    #[error("admin unauthorized")]
    AdminUnauthorized,
    #[error("admin disabled")]
    AdminDisabled,
    #[error("election not found")]
    ElectionNotFound,
    #[error("vote not found")]
    VoteNotFound,
    #[error("election not open")]
    ElectionNotOpen,
    #[error("already voted")]
    AlreadyVoted { vote: Option<serde_json::Value> },
    #[error("invalid choice")]
    InvalidChoice,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("chain rejected: {0}")]
    ChainRejected(String),
    #[error("chain unavailable: {0}")]
    ChainUnavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field, FieldError { code, message: message.into() });
        AppError::Validation(fields)
    }

    /// Internal error from anything displayable (logged, never shown).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// HTTP status of this error.
    pub fn status_code(&self) -> StatusCode {
        use AppError::*;
        match self {
            Validation(_) | InvalidChoice => StatusCode::UNPROCESSABLE_ENTITY,
            AlreadyRegistered(_) | ElectionNotOpen | AlreadyVoted { .. } => StatusCode::CONFLICT,
            BadRequest(_) | InvalidCode { .. } => StatusCode::BAD_REQUEST,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            CodeExpired => StatusCode::GONE,
            CodeLocked => StatusCode::LOCKED,
            NotAuthenticated | AdminUnauthorized => StatusCode::UNAUTHORIZED,
            CsrfFailed | AdminDisabled => StatusCode::FORBIDDEN,
            ElectionNotFound | VoteNotFound | NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ChainRejected(_) => StatusCode::BAD_GATEWAY,
            ChainUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Database(_) | Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine code of this error.
    pub fn code(&self) -> &'static str {
        use AppError::*;
        match self {
            Validation(_) => "validation_failed",
            AlreadyRegistered(_) => "already_registered",
            BadRequest(_) => "bad_request",
            PayloadTooLarge => "payload_too_large",
            RateLimited { .. } => "rate_limited",
            InvalidCode { .. } => "invalid_code",
            CodeExpired => "code_expired",
            CodeLocked => "code_locked",
            NotAuthenticated => "not_authenticated",
            CsrfFailed => "csrf_failed",
            AdminUnauthorized => "admin_unauthorized",
            AdminDisabled => "admin_disabled",
            ElectionNotFound => "election_not_found",
            VoteNotFound => "vote_not_found",
            ElectionNotOpen => "election_not_open",
            AlreadyVoted { .. } => "already_voted",
            InvalidChoice => "invalid_choice",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            ChainRejected(_) => "chain_rejected",
            ChainUnavailable(_) => "chain_unavailable",
            Database(_) | Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        use AppError::*;
        match self {
            Validation(_) => "Some fields are not valid.".into(),
            AlreadyRegistered(_) => "This ID number or phone is already registered.".into(),
            BadRequest(why) => format!("The request could not be read: {why}"),
            PayloadTooLarge => "The request body is too large.".into(),
            RateLimited { retry_after } => {
                format!("Too many requests. Try again in {retry_after} seconds.")
            }
            InvalidCode { attempts_left } => {
                format!("The code is not correct. {attempts_left} attempts left.")
            }
            CodeExpired => "The code has expired. A new code has been sent.".into(),
            CodeLocked => {
                "Too many wrong attempts: this code is locked. Ask for a new code.".into()
            }
            NotAuthenticated => "Please sign in first.".into(),
            CsrfFailed => "The form is stale or was not sent by this site. Reload the page.".into(),
            AdminUnauthorized => "A valid admin token is required.".into(),
            AdminDisabled => "The admin API is not enabled on this gateway.".into(),
            ElectionNotFound => "There is no such election.".into(),
            VoteNotFound => "There is no such vote.".into(),
            ElectionNotOpen => "This election is not open for voting.".into(),
            AlreadyVoted { .. } => "You have already voted in this election.".into(),
            InvalidChoice => "That option is not on this ballot.".into(),
            NotFound => "Not found.".into(),
            MethodNotAllowed => "This method is not allowed here.".into(),
            ChainRejected(why) => format!("The chain refused the request: {why}"),
            ChainUnavailable(_) => {
                "The blockchain node cannot be reached right now. Try again shortly.".into()
            }
            Database(_) | Internal(_) => "Something went wrong on our side.".into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        match &self {
            AppError::Database(e) => tracing::error!(error = %e, "database error"),
            AppError::Internal(e) => tracing::error!(error = %e, "internal error"),
            AppError::ChainUnavailable(e) => tracing::warn!(error = %e, "chain unavailable"),
            _ => {}
        }
        let fields = match &self {
            AppError::Validation(f) | AppError::AlreadyRegistered(f) => {
                Some(f.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
            }
            _ => None,
        };
        let body = ErrorBody {
            code: self.code(),
            message: self.message(),
            fields,
            retry_after: match &self {
                AppError::RateLimited { retry_after } => Some(*retry_after),
                _ => None,
            },
            attempts_left: match &self {
                AppError::InvalidCode { attempts_left } => Some(*attempts_left),
                _ => None,
            },
            vote: match self {
                AppError::AlreadyVoted { vote } => vote,
                _ => None,
            },
        };
        let retry = body.retry_after;
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;
