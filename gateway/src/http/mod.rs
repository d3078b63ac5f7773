//! HTTP routes. Each submodule exposes `router()`; [`app`] assembles them with the
//! middleware (body limit, CSRF, metrics, tracing) and the frontend's static files.

pub mod admin;
pub mod auth;
pub mod dev;
pub mod elections;
pub mod ops;
pub mod voters;

use std::time::{Duration, Instant};

use axum::{
    extract::{rejection::JsonRejection, FromRequest, MatchedPath, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use serde::de::DeserializeOwned;
use tower_http::{
    limit::RequestBodyLimitLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use crate::{error::AppError, metrics::HttpLabels, AppState};

/// Largest accepted request body.
pub const MAX_BODY: usize = 16 * 1024;

/// The whole application: API, operations endpoints and the frontend.
pub fn app(state: AppState) -> Router {
    let frontend = state.config.frontend_dir.clone();
    let api = Router::new()
        .merge(voters::router())
        .merge(elections::router())
        .merge(admin::router())
        .merge(dev::router())
        .route("/api/openapi.json", axum::routing::get(ops::openapi))
        .route("/api", axum::routing::any(|| async { AppError::NotFound }))
        .route("/api/{*rest}", axum::routing::any(|| async { AppError::NotFound }))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(state.clone(), auth::csrf_guard));
    Router::new()
        .merge(ops::router())
        .merge(api)
        .fallback_service(
            ServeDir::new(&frontend)
                .append_index_html_on_directories(true)
                .not_found_service(ServeFile::new(frontend.join("404.html"))),
        )
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; \
                 connect-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(
            // Spans carry the method and route template only: never query strings or bodies.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "static".into());
                tracing::info_span!("http", method = %req.method(), route = %route)
            }),
        )
        .with_state(state)
}

/// Counts requests and latency per route template; maps a 413 from the body limit to our
/// JSON error.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| {
            if req.uri().path().starts_with("/api/") { "unmatched" } else { "static" }.into()
        });
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let response = if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.headers().get(header::CONTENT_TYPE).is_none_or(|v| v != "application/json")
    {
        AppError::PayloadTooLarge.into_response()
    } else {
        response
    };
    state.metrics.http_latency.observe(started.elapsed().as_secs_f64());
    state
        .metrics
        .http_requests
        .get_or_create(&HttpLabels { route, method, status: response.status().as_u16() })
        .inc();
    response
}

/// `Json<T>` whose rejections answer in our error format.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::PayloadTooLarge),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::BadRequest("send JSON with `Content-Type: application/json`".into()))
            }
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::BadRequest(strip(e.body_text()))),
            Err(JsonRejection::JsonSyntaxError(_)) => {
                Err(AppError::BadRequest("the body is not valid JSON".into()))
            }
            Err(_) => Err(AppError::BadRequest("the body could not be read".into())),
        }
    }
}

/// serde's messages name the field and the expected type; keep that, drop echoed input.
fn strip(text: String) -> String {
    let text = text.replace("Failed to deserialize the JSON body into the target type: ", "");
    text.split(" at line ").next().unwrap_or_default().chars().take(200).collect()
}

/// Methods that change state (CSRF-checked).
pub fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// How long a browser may cache API answers: never.
pub fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}

/// Poll interval hint for clients.
pub const POLL: Duration = Duration::from_millis(1500);
