//! Handler tests through `oneshot`, on SQLite and (when configured) PostgreSQL: every
//! validation path and error code of registration, sign-in, codes, sessions, CSRF, the dev
//! outbox, admin authentication and the generic errors. No node is running: chain-backed
//! routes must answer `503 chain_unavailable`.

mod common;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
};
use common::{databases, dni, voter, TestApp};
use serde_json::json;
use sqlx::Row;

#[tokio::test]
async fn registration_validates_every_field_and_writes_nothing_on_error() {
    for db in databases().await {
        let mut app = TestApp::new(&db).await;
        app.open_session().await;
        let r = app
            .post(
                "/api/register",
                json!({"id_number": "12345678A", "full_name": "Ana", "phone": "+33612345678",
                       "province": "99", "gender": "robot", "date_of_birth": "2015-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", db.kind);
        assert_eq!(r.code(), "validation_failed");
        assert_eq!(r.field_code("id_number"), "invalid_check_letter");
        assert_eq!(r.field_code("full_name"), "invalid_name");
        assert_eq!(r.field_code("phone"), "invalid_phone");
        assert_eq!(r.field_code("province"), "unknown_province");
        assert_eq!(r.field_code("gender"), "unknown_gender");
        assert_eq!(r.field_code("date_of_birth"), "underage");
        let r = app.post("/api/register", json!({})).await;
        for f in ["id_number", "full_name", "phone", "province", "gender", "date_of_birth"] {
            assert_eq!(r.field_code(f), "required", "{f}");
        }
        let mut bad_date = voter(1, "+34600000001");
        bad_date["date_of_birth"] = json!("1990-02-30");
        assert_eq!(
            app.post("/api/register", bad_date).await.field_code("date_of_birth"),
            "invalid_date"
        );
        let mut injection = voter(1, "+34600000001");
        injection["id_number"] = json!("'; DROP TABLE voters; --");
        assert_eq!(
            app.post("/api/register", injection).await.field_code("id_number"),
            "invalid_format"
        );
        let n = app.state.db.clone();
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM voters").fetch_one(&n).await.unwrap().get(0);
        assert_eq!(count, 0, "{}: nothing written", db.kind);
    }
}

#[tokio::test]
async fn duplicate_dni_or_phone_is_refused_on_its_field() {
    for db in databases().await {
        let mut app = TestApp::new(&db).await;
        app.open_session().await;
        let r = app.post("/api/register", voter(12345678, "+34 612 345 678")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {:?}", db.kind, r.json);
        assert_eq!(r.json["status"], "registered");
        let r = app.post("/api/register", voter(12345678, "+34612345679")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.code(), "already_registered");
        assert_eq!(r.field_code("id_number"), "duplicate");
        let r = app.post("/api/register", voter(87654321, "612345678")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.field_code("phone"), "duplicate");
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM voters")
            .fetch_one(&app.state.db)
            .await
            .unwrap()
            .get(0);
        assert_eq!(count, 1);
    }
}

#[tokio::test]
async fn personal_data_is_not_stored_in_clear() {
    for db in databases().await {
        let mut app = TestApp::new(&db).await;
        app.open_session().await;
        app.post("/api/register", voter(12345678, "+34612345678")).await;
        let row = sqlx::query(
            "SELECT id_lookup, phone_lookup, id_enc, phone_enc, name_enc, dob_enc FROM voters",
        )
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        for col in 0..6 {
            let bytes: Vec<u8> = row.get(col);
            let text = String::from_utf8_lossy(&bytes);
            for secret in ["12345678Z", "612345678", "María", "1990-05-17"] {
                assert!(!text.contains(secret), "{}: column {col} holds {secret}", db.kind);
            }
        }
    }
}

#[tokio::test]
async fn sign_in_is_neutral_and_the_code_signs_the_voter_in() {
    for db in databases().await {
        let mut app = TestApp::new(&db).await;
        app.open_session().await;
        app.post("/api/register", voter(12345678, "+34612345678")).await;
        // Unregistered DNI, and a registered DNI with the wrong phone: the same answer.
        let unknown = app
            .post("/api/login", json!({"id_number": dni(11111111), "phone": "+34611111111"}))
            .await;
        let wrong_phone = app
            .post("/api/login", json!({"id_number": dni(12345678), "phone": "+34699999999"}))
            .await;
        assert_eq!(unknown.status, StatusCode::ACCEPTED);
        assert_eq!(unknown.json, wrong_phone.json);
        assert_eq!(app.get("/api/dev/sms").await.json.as_array().unwrap().len(), 0, "no SMS sent");
        let bad = app.post("/api/login", json!({"id_number": "nope", "phone": ""})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.field_code("phone"), "required");

        let r = app
            .post("/api/login", json!({"id_number": dni(12345678), "phone": "+34612345678"}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        assert_eq!(r.json, unknown.json);
        let sms = app.get("/api/dev/sms").await;
        assert_eq!(sms.json[0]["to"], "+34 6•• ••• •78", "masked recipient");
        let code = app.last_code().await;
        // The code is stored only as a keyed hash.
        let stored: Vec<u8> = sqlx::query("SELECT code_hash FROM login_codes")
            .fetch_one(&app.state.db)
            .await
            .unwrap()
            .get(0);
        assert!(!String::from_utf8_lossy(&stored).contains(&code));
        assert_eq!(app.get("/api/me").await.code(), "not_authenticated");
        let r =
            app.post("/api/login/verify", json!({"id_number": dni(12345678), "code": code})).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {:?}", db.kind, r.json);
        assert_eq!(r.json["voter"]["name"], "María P.");
        let session_cookie =
            r.set_cookies.iter().find(|c| c.starts_with("electx_session=")).unwrap();
        assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"));
        assert!(!session_cookie.contains("Secure"), "plain http in tests");
        let me = app.get("/api/me").await;
        assert_eq!(me.status, StatusCode::OK);
        assert!(me.json["account"].as_str().unwrap().len() > 40);
        assert!(me.json.get("phone").is_none() && me.json.get("id_number").is_none());
        // A used code cannot be used again.
        let again =
            app.post("/api/login/verify", json!({"id_number": dni(12345678), "code": code})).await;
        assert_eq!(again.code(), "invalid_code");
        // Logout ends the session server-side.
        let token = app.cookies.iter().find(|(k, _)| k == "electx_session").unwrap().1.clone();
        assert_eq!(app.post("/api/logout", json!({})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/me").await.status, StatusCode::UNAUTHORIZED);
        app.cookies.push(("electx_session".into(), token));
        assert_eq!(app.get("/api/me").await.status, StatusCode::UNAUTHORIZED, "old token is dead");
    }
}

#[tokio::test]
async fn five_wrong_codes_lock_the_code() {
    for db in databases().await {
        let mut app = TestApp::new(&db).await;
        app.open_session().await;
        app.post("/api/register", voter(12345678, "+34612345678")).await;
        app.post("/api/login", json!({"id_number": dni(12345678), "phone": "+34612345678"})).await;
        let code = app.last_code().await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for left in (1..5).rev() {
            let r = app
                .post("/api/login/verify", json!({"id_number": dni(12345678), "code": wrong}))
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            assert_eq!(r.code(), "invalid_code");
            assert_eq!(r.json["attempts_left"], left);
        }
        let r =
            app.post("/api/login/verify", json!({"id_number": dni(12345678), "code": wrong})).await;
        assert_eq!(r.status, StatusCode::LOCKED);
        assert_eq!(r.code(), "code_locked");
        let r =
            app.post("/api/login/verify", json!({"id_number": dni(12345678), "code": code})).await;
        assert_eq!(r.code(), "code_locked", "even the right code after the lock");
        let r = app
            .post("/api/login/verify", json!({"id_number": dni(12345678), "code": "12ab"}))
            .await;
        assert_eq!(r.field_code("code"), "invalid_format");
        // Unknown DNIs lock the same way (no enumeration by attempt counting).
        for left in (1..5).rev() {
            let r = app
                .post("/api/login/verify", json!({"id_number": dni(11111111), "code": wrong}))
                .await;
            assert_eq!((r.code(), r.json["attempts_left"].as_i64()), ("invalid_code", Some(left)));
        }
        let r =
            app.post("/api/login/verify", json!({"id_number": dni(11111111), "code": wrong})).await;
        assert_eq!(r.code(), "code_locked");
    }
}

#[tokio::test]
async fn an_expired_code_is_replaced_and_resend_is_rate_limited() {
    for db in databases().await {
        let mut app = TestApp::with(&db, |c| {
            c.code_ttl_seconds = 1;
            c.code_resend_seconds = 2;
        })
        .await;
        app.open_session().await;
        app.post("/api/register", voter(12345678, "+34612345678")).await;
        let pair = json!({"id_number": dni(12345678), "phone": "+34612345678"});
        assert_eq!(app.post("/api/login", pair.clone()).await.status, StatusCode::ACCEPTED);
        let first = app.last_code().await;
        let r = app.post("/api/login/resend", pair.clone()).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.code(), "rate_limited");
        assert!(r.json["retry_after"].as_i64().unwrap() >= 1);
        assert!(r.headers.get(header::RETRY_AFTER).is_some());
        // The same limit for an unregistered DNI (no enumeration through 429s).
        let other = json!({"id_number": dni(11111111), "phone": "+34611111111"});
        assert_eq!(app.post("/api/login", other.clone()).await.status, StatusCode::ACCEPTED);
        assert_eq!(
            app.post("/api/login/resend", other).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );

        tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
        let r =
            app.post("/api/login/verify", json!({"id_number": dni(12345678), "code": first})).await;
        assert_eq!(r.status, StatusCode::GONE, "{}: {:?}", db.kind, r.json);
        assert_eq!(r.code(), "code_expired");
        let replacement = app.last_code().await;
        let outbox = app.get("/api/dev/sms").await;
        assert_eq!(outbox.json.as_array().unwrap().len(), 2, "a new code was sent");
        // The replacement is valid (resent codes also work: wait for the cool-down).
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        assert_eq!(app.post("/api/login/resend", pair).await.status, StatusCode::ACCEPTED);
        let resent = app.last_code().await;
        let stale = app
            .post("/api/login/verify", json!({"id_number": dni(12345678), "code": replacement}))
            .await;
        if replacement != resent {
            assert_eq!(stale.code(), "invalid_code", "a superseded code no longer works");
        }
        let r = app
            .post("/api/login/verify", json!({"id_number": dni(12345678), "code": resent}))
            .await;
        if r.status == StatusCode::GONE {
            // The 1-second lifetime ran out on a slow machine: the flow stays correct.
            assert_eq!(r.code(), "code_expired");
        } else {
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        }
    }
}

#[tokio::test]
async fn csrf_is_required_for_state_changes() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    // No CSRF cookie/header at all.
    let r = app.post("/api/register", voter(12345678, "+34612345678")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "csrf_failed");
    // A cookie but a different header.
    app.open_session().await;
    let csrf = app.cookies[0].1.clone();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/register")
        .header(header::COOKIE, format!("electx_csrf={csrf}"))
        .header("x-csrf-token", "forged")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(voter(12345678, "+34612345678").to_string()))
        .unwrap();
    assert_eq!(app.send(req).await.code(), "csrf_failed");
    let count: i64 =
        sqlx::query("SELECT COUNT(*) FROM voters").fetch_one(&app.state.db).await.unwrap().get(0);
    assert_eq!(count, 0);
    let cookie = app.get("/api/session").await;
    assert!(cookie.set_cookies.is_empty(), "the CSRF cookie is kept once set");
}

#[tokio::test]
async fn malformed_oversized_and_unknown_requests_get_json_errors() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    app.open_session().await;
    let csrf = app.cookies[0].1.clone();
    let raw = |body: Body, ctype: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/register")
            .header(header::COOKIE, format!("electx_csrf={csrf}"))
            .header("x-csrf-token", csrf.clone())
            .header(header::CONTENT_TYPE, ctype)
            .body(body)
            .unwrap()
    };
    let r = app.send(raw(Body::from("{not json"), "application/json")).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "bad_request"));
    let r = app.send(raw(Body::from("{\"id_number\": 5}"), "application/json")).await;
    assert_eq!(r.code(), "bad_request");
    let r = app.send(raw(Body::from("id_number=1"), "application/x-www-form-urlencoded")).await;
    assert_eq!(r.code(), "bad_request");
    let big = format!("{{\"full_name\": \"{}\"}}", "a".repeat(20_000));
    let r = app.send(raw(Body::from(big), "application/json")).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    let r = app.get("/api/nothing-here").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.call(Method::DELETE, "/api/meta", None).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    let r = app.get("/api/elections/abc").await;
    assert_eq!(r.code(), "election_not_found");
}

#[tokio::test]
async fn chain_routes_answer_503_without_a_node_and_health_says_why() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    app.open_session().await;
    let r = app.get("/api/elections").await;
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "chain_unavailable"));
    assert!(!r.json["message"].as_str().unwrap().contains("127.0.0.1"), "no internals");
    let r = app.get("/health").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        (r.json["database"].as_str(), r.json["chain"].as_str()),
        (Some("ok"), Some("unreachable"))
    );
}

#[tokio::test]
async fn casting_needs_a_session() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    app.open_session().await;
    let r = app.post("/api/elections/0/ballots", json!({"choice": 0, "request_id": "a"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "not_authenticated"));
    let r = app.get("/api/votes/x").await;
    assert_eq!(r.code(), "not_authenticated");
}

#[tokio::test]
async fn admin_api_needs_the_token_and_validates_elections() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    let admin = |token: &str, body: serde_json::Value| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/admin/elections")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let r = app.send(admin("wrong", json!({}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "admin_unauthorized"));
    let r = app
        .send(admin(
            "test-admin-token",
            json!({"title": "", "options": ["A", "A"], "opens_at": "tomorrow",
                   "closes_at": "2020-01-01T00:00:00Z", "public_key": "0x1234"}),
        ))
        .await;
    assert_eq!(r.code(), "validation_failed");
    assert_eq!(r.field_code("title"), "required");
    assert_eq!(r.field_code("options"), "duplicate");
    assert_eq!(r.field_code("opens_at"), "invalid_date");
    assert_eq!(r.field_code("public_key"), "invalid_key");
    let r = app
        .send(admin(
            "test-admin-token",
            json!({"title": "T", "options": ["A", "B"], "opens_at": "2030-01-02T00:00:00Z",
                   "closes_at": "2030-01-01T00:00:00Z",
                   "public_key": format!("0x{}", "00".repeat(32))}),
        ))
        .await;
    assert_eq!(r.field_code("closes_at"), "before_opening");
    assert_eq!(r.field_code("public_key"), "invalid_key", "the identity is not a key");
    let mut disabled = TestApp::with(&dbs[0], |c| c.admin_token = None).await;
    let r = disabled.send(admin("", json!({}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "admin_disabled"));
}

#[tokio::test]
async fn the_dev_outbox_exists_only_in_dev_mode() {
    let dbs = databases().await;
    let mut app = TestApp::with(&dbs[0], |c| {
        c.dev_mode = false;
        c.data_key = Some(format!("0x{}", "11".repeat(32)));
        c.master_secret = Some(format!("0x{}", "22".repeat(32)));
        c.sms_provider = "http".into();
        c.sms_api_base_url = Some("http://127.0.0.1:9".into());
        c.sms_account_id = Some("AC1".into());
        c.sms_auth_token = Some("t".into());
    })
    .await;
    let r = app.get("/api/dev/sms").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let meta = app.get("/api/meta").await;
    assert_eq!(meta.json["dev_mode"], false);
    assert_eq!(meta.json["provinces"].as_array().unwrap().len(), 52);
}

#[tokio::test]
async fn production_mode_refuses_dev_secrets_and_the_outbox() {
    let dbs = databases().await;
    let mut config = electx_gateway::Config::for_tests(&dbs[0].url);
    config.dev_mode = false;
    let err = electx_gateway::AppState::new(config.clone()).await.err().unwrap().to_string();
    assert!(err.contains("GATEWAY_DATA_KEY"), "{err}");
    config.data_key = Some(format!("0x{}", "11".repeat(32)));
    config.master_secret = Some(format!("0x{}", "22".repeat(32)));
    let err = electx_gateway::AppState::new(config).await.err().unwrap().to_string();
    assert!(err.contains("development only"), "{err}");
}

#[tokio::test]
async fn ip_rate_limit_applies_to_sign_in() {
    let dbs = databases().await;
    let mut app = TestApp::with(&dbs[0], |c| c.ip_requests_per_minute = 3).await;
    app.open_session().await;
    for n in 0..3 {
        let r = app
            .post("/api/login", json!({"id_number": dni(20000000 + n), "phone": "+34611111111"}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    let r =
        app.post("/api/login", json!({"id_number": dni(20000009), "phone": "+34611111111"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}

#[tokio::test]
async fn openapi_and_metrics_are_served() {
    let dbs = databases().await;
    let mut app = TestApp::new(&dbs[0]).await;
    let doc = app.get("/api/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    for path in [
        "/api/register",
        "/api/login/verify",
        "/api/elections/{id}/ballots",
        "/api/admin/elections",
    ] {
        assert!(doc.json["paths"].get(path).is_some(), "{path} documented");
    }
    app.get("/api/meta").await;
    let req = Request::builder().uri("/metrics").body(Body::empty()).unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
    let text = String::from_utf8(
        http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes().to_vec(),
    )
    .unwrap();
    assert!(text.contains("electx_gateway_http_requests_total{route=\"/api/meta\""), "{text}");
}
