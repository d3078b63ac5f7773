//! Test helpers: a gateway on a real database (a SQLite file, and PostgreSQL when
//! `ELECTX_TEST_POSTGRES_URL` is set), driven with `tower::ServiceExt::oneshot` — no socket.
#![allow(dead_code)]

use std::path::PathBuf;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
    Router,
};
use electx_gateway::{app, AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("electx-gw-{tag}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database for one test.
pub struct TestDb {
    pub url: String,
    pub kind: &'static str,
    _dir: Option<TempDir>,
}

/// The databases every database-touching test runs on: SQLite always, PostgreSQL when
/// `ELECTX_TEST_POSTGRES_URL` (a server URL whose user may `CREATE DATABASE`) is set.
/// With `ELECTX_REQUIRE_POSTGRES=1` (CI) a missing PostgreSQL fails the test.
pub async fn databases() -> Vec<TestDb> {
    let dir = TempDir::new("sqlite");
    let mut out = vec![TestDb {
        url: format!("sqlite://{}", dir.0.join("gateway.db").display()),
        kind: "sqlite",
        _dir: Some(dir),
    }];
    match std::env::var("ELECTX_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!("electx_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .expect("connect to ELECTX_TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            out.push(TestDb { url: format!("{base}/{name}"), kind: "postgres", _dir: None });
        }
        _ => assert!(
            std::env::var("ELECTX_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "ELECTX_REQUIRE_POSTGRES=1 but ELECTX_TEST_POSTGRES_URL is not set"
        ),
    }
    out
}

/// A gateway without a reachable node (registration and sign-in do not need one).
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub cookies: Vec<(String, String)>,
    pub kind: &'static str,
}

/// A response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub set_cookies: Vec<String>,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or_default()
    }
    pub fn field_code(&self, field: &str) -> &str {
        self.json["fields"][field]["code"].as_str().unwrap_or_default()
    }
}

impl TestApp {
    pub async fn new(db: &TestDb) -> Self {
        Self::with(db, |_| {}).await
    }

    pub async fn with(db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_tests(&db.url);
        config.node_url = "ws://127.0.0.1:9".into();
        tweak(&mut config);
        let state = AppState::new(config).await.expect("state");
        TestApp { router: app(state.clone()), state, cookies: vec![], kind: db.kind }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Sends a request with the stored cookies (and the CSRF header when the CSRF cookie is
    /// known), storing any cookies set.
    pub async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            req = req.header(header::COOKIE, self.cookie_header());
        }
        if let Some((_, csrf)) = self.cookies.iter().find(|(k, _)| k == "electx_csrf") {
            req = req.header("x-csrf-token", csrf.clone());
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// Sends a prepared request (no cookie handling on the way in).
    pub async fn send(&mut self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                if !v.is_empty() {
                    self.cookies.push((k.to_owned(), v.to_owned()));
                }
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, json, set_cookies, headers }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Gets the CSRF cookie like a page does on load.
    pub async fn open_session(&mut self) {
        let r = self.get("/api/session").await;
        assert_eq!(r.status, StatusCode::OK);
    }

    /// The code in the newest dev-outbox message.
    pub async fn last_code(&mut self) -> String {
        let r = self.get("/api/dev/sms").await;
        let body = r.json[0]["body"].as_str().expect("a message in the outbox").to_owned();
        body.split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
            .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .expect("a code")
            .to_owned()
    }
}

/// A valid registration for the given DNI number (8 digits) and phone suffix.
pub fn voter(n: u32, phone: &str) -> Value {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let dni = format!("{n:08}{}", letters[(n % 23) as usize] as char);
    json!({
        "id_number": dni,
        "full_name": "María Pérez García",
        "phone": phone,
        "province": "28",
        "gender": "female",
        "date_of_birth": "1990-05-17",
    })
}

pub fn dni(n: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}
