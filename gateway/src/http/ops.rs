//! Operations: health, metrics, the OpenAPI document.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use serde::Serialize;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};

use crate::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/metrics", get(metrics))
}

/// Health of the gateway and what it depends on.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// `ok` or `error`.
    pub database: &'static str,
    /// `ok` or `unreachable`.
    pub chain: &'static str,
    /// Best block seen.
    pub best_block: u64,
    /// Finalized block seen.
    pub finalized_block: u64,
    /// SMS sender kind.
    pub sms: &'static str,
}

#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let database = match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => "ok",
        Err(_) => "error",
    };
    let chain = state.chain.status();
    let healthy = database == "ok" && chain.connected;
    let body = Health {
        status: if healthy { "ok" } else { "degraded" },
        database,
        chain: if chain.connected { "ok" } else { "unreachable" },
        best_block: chain.best,
        finalized_block: chain.finalized,
        sms: state.sms.kind(),
    };
    let code = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        state.metrics.render(),
    )
}

struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "admin_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The OpenAPI document of the JSON API.
#[derive(OpenApi)]
#[openapi(
    info(title = "ElectX gateway", description = "Voters' gateway of ElectX Chain. Errors are `{code, message, fields?}` with stable codes; state-changing requests need the `X-CSRF-Token` header matching the `electx_csrf` cookie (admin routes use a bearer token instead)."),
    paths(
        health,
        super::voters::meta, super::voters::session, super::voters::register, super::voters::login,
        super::voters::resend, super::voters::verify, super::voters::logout, super::voters::me,
        super::elections::list, super::elections::one, super::elections::cast, super::elections::vote,
        super::elections::turnout, super::elections::results,
        super::admin::create, super::admin::status,
        super::dev::outbox,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldError)),
    modifiers(&AdminToken),
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
