//! The HTTP SMS adapter against a local fake of a Twilio-style provider that checks what it
//! receives: path, basic auth, form fields.

use std::sync::{Arc, Mutex};

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
    Form, Json, Router,
};
use base64::Engine;
use electx_gateway::sms::{HttpSms, SmsError, SmsSender};
use serde_json::json;

/// What the fake provider received: account, `Authorization` header, form fields.
type Received = (String, String, Vec<(String, String)>);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Received>>>);

async fn messages(
    State(seen): State<Seen>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> (StatusCode, Json<serde_json::Value>) {
    let auth =
        headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    seen.0.lock().unwrap().push((account.clone(), auth.clone(), form.clone()));
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{account}:secret-token"))
    );
    if auth != expected {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 20003, "message": "Authenticate"})));
    }
    let to = form.iter().find(|(k, _)| k == "To").map(|(_, v)| v.as_str()).unwrap_or_default();
    if !to.starts_with("+34") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": 21211, "message": "Invalid 'To' Phone Number"})),
        );
    }
    (StatusCode::CREATED, Json(json!({"sid": "SM0123456789", "status": "queued"})))
}

async fn fake_provider() -> (String, Seen) {
    let seen = Seen::default();
    let app = Router::new()
        .route("/2010-04-01/Accounts/{account}/Messages.json", post(messages))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn sends_the_code_as_the_provider_expects() {
    let (base, seen) = fake_provider().await;
    let sender = SmsSender::Http(HttpSms::new(&base, "AC42", "secret-token", "ElectX"));
    sender.send("+34612345678", "ElectX: su código de acceso es 123456.").await.unwrap();
    let got = seen.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (account, _, form) = &got[0];
    assert_eq!(account, "AC42");
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(field("To").as_deref(), Some("+34612345678"));
    assert_eq!(field("From").as_deref(), Some("ElectX"));
    assert_eq!(field("Body").as_deref(), Some("ElectX: su código de acceso es 123456."));
}

#[tokio::test]
async fn provider_errors_are_reported_without_the_message() {
    let (base, _) = fake_provider().await;
    let bad_token = SmsSender::Http(HttpSms::new(&base, "AC42", "wrong", "ElectX"));
    let err = bad_token.send("+34612345678", "code 123456").await.unwrap_err();
    assert!(matches!(err, SmsError::Refused { status: 401, ref code } if code == "20003"), "{err}");
    let ok = SmsSender::Http(HttpSms::new(&base, "AC42", "secret-token", "ElectX"));
    let err = ok.send("+1555", "code 123456").await.unwrap_err();
    assert!(matches!(err, SmsError::Refused { status: 400, ref code } if code == "21211"));
    assert!(!err.to_string().contains("123456") && !err.to_string().contains("+1555"));
    let down = SmsSender::Http(HttpSms::new("http://127.0.0.1:9", "AC42", "t", "ElectX"));
    let err = down.send("+34612345678", "code 123456").await.unwrap_err();
    assert!(matches!(err, SmsError::Unreachable(_)));
    assert!(!err.to_string().contains("123456"));
}
