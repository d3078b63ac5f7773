//! Load benchmark of the gateway's sign-up and sign-in path: N concurrent clients each
//! register a voter, ask for a code (`POST /api/login`) and verify it
//! (`POST /api/login/verify`). Prints p50/p90/p99/max latency per step, throughput, and the
//! gateway's resident memory (current and peak).
//!
//! The gateway runs as in production (not dev mode) with the real HTTP SMS adapter, pointed
//! at a Twilio-style fake provider inside this tool that hands each code back to its client.
//! The database is a fresh SQLite file (or `--database-url`).
//!
//! ```sh
//! cargo run --release -p electx-gateway --example load -- --clients 200 --voters 4000
//! ```

use std::{
    collections::HashMap,
    net::TcpListener as StdListener,
    path::PathBuf,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{extract::State, routing::post, Form, Json, Router};
use serde_json::{json, Value};
use tokio::sync::{oneshot, Semaphore};

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<String>>>>;

#[derive(Clone)]
struct Provider {
    waiters: Waiters,
    early: Arc<Mutex<HashMap<String, String>>>,
}

async fn sms(
    State(p): State<Provider>,
    Form(form): Form<Vec<(String, String)>>,
) -> (axum::http::StatusCode, Json<Value>) {
    let get =
        |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let (to, body) = (get("To"), get("Body"));
    let code = body
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6)
        .unwrap_or_default()
        .to_owned();
    let waiter = p.waiters.lock().unwrap().remove(&to);
    match waiter {
        Some(tx) => {
            let _ = tx.send(code);
        }
        None => {
            p.early.lock().unwrap().insert(to, code);
        }
    }
    (axum::http::StatusCode::CREATED, Json(json!({"sid": "SMload"})))
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn dni(n: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU seconds of a process.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of /proc/pid/stat (utime, stime), counted after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let pct = |p: f64| {
        let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1000.0
    };
    println!(
        "{name:<14} n={:<6} p50={:>7.2} ms  p90={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms  {:>7.0} req/s",
        samples.len(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        samples.len() as f64 / wall.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let clients: usize = arg("--clients", "200").parse().unwrap();
    let voters: u32 = arg("--voters", "2000").parse().unwrap();
    // Sign-up+sign-in flows started per second (0: as fast as the clients can go).
    let rate: f64 = arg("--rate", "0").parse().unwrap();
    let binary = PathBuf::from(arg(
        "--gateway",
        &std::env::current_exe()
            .unwrap()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("electx-gateway")
            .to_string_lossy(),
    ));
    let dir = std::env::temp_dir().join(format!("electx-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = arg("--database-url", &format!("sqlite://{}", dir.join("load.db").display()));

    // The fake SMS provider.
    let provider = Provider { waiters: Default::default(), early: Default::default() };
    let app = Router::new()
        .route("/2010-04-01/Accounts/{account}/Messages.json", post(sms))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sms_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let port = free_port();
    let mut child = Command::new(&binary)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--database-url", &database])
        .args(["--node-url", "ws://127.0.0.1:9", "--sms-provider", "http"])
        .args(["--sms-api-base-url", &format!("http://{sms_addr}"), "--sms-account-id", "ACload"])
        .args(["--sms-auth-token", "load", "--ip-requests-per-minute", "100000000"])
        .args(["--frontend-dir", dir.to_str().unwrap()])
        .env("GATEWAY_MASTER_SECRET", format!("0x{}", "11".repeat(32)))
        .env("GATEWAY_DATA_KEY", format!("0x{}", "22".repeat(32)))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start electx-gateway (build it: cargo build --release -p electx-gateway)");
    let pid = child.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let start = Instant::now();
    while http.get(format!("{base}/api/meta")).send().await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "gateway did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (rss0, _) = rss_kib(pid);
    println!(
        "gateway pid {pid}, {clients} concurrent clients, {voters} voters, {}, database {database}",
        if rate > 0.0 { format!("{rate} flows/s") } else { "closed loop (no think time)".into() }
    );
    println!("idle RSS {:.1} MiB", rss0 as f64 / 1024.0);

    const CSRF: &str = "load-test-csrf-token";
    let csrf = CSRF;
    let (http2, base2) = (http.clone(), base.clone());
    let post = move |path: String, body: Value, cookie: String| {
        let http = http2.clone();
        let base = base2.clone();
        async move {
            let t = Instant::now();
            let res = http
                .post(format!("{base}{path}"))
                .header("cookie", cookie)
                .header("x-csrf-token", csrf)
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            let _ = res.bytes().await;
            (status, t.elapsed())
        }
    };
    let sem = Arc::new(Semaphore::new(clients));
    let results: Arc<Mutex<[Vec<Duration>; 3]>> = Default::default();
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let peak = Arc::new(Mutex::new(0u64));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let (rss, _) = rss_kib(pid);
                {
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(rss);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let cpu0 = cpu_seconds(pid);
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..voters {
        if rate > 0.0 {
            tokio::time::sleep_until((wall + Duration::from_secs_f64(i as f64 / rate)).into())
                .await;
        }
        let permit = sem.clone().acquire_owned().await.unwrap();
        let (results, failures, provider, post) =
            (results.clone(), failures.clone(), provider.clone(), post.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let id = dni(40_000_000 + i);
            let phone = format!("+3460{:07}", i);
            let cookie = format!("electx_csrf={csrf}");
            let (s, d) = post(
                "/api/register".into(),
                json!({"id_number": id, "full_name": "Carmen Ruiz Soto", "phone": phone,
                       "province": format!("{:02}", i % 52 + 1), "gender": "female", "date_of_birth": "1970-01-01"}),
                cookie.clone(),
            )
            .await;
            if s != 201 {
                failures.lock().unwrap().push(format!("register {s}"));
                return;
            }
            results.lock().unwrap()[0].push(d);
            let (tx, rx) = oneshot::channel();
            let early = provider.early.lock().unwrap().remove(&phone);
            if early.is_none() {
                provider.waiters.lock().unwrap().insert(phone.clone(), tx);
            }
            let (s, d) = post("/api/login".into(), json!({"id_number": id, "phone": phone}), cookie.clone()).await;
            if s != 202 {
                failures.lock().unwrap().push(format!("login {s}"));
                return;
            }
            results.lock().unwrap()[1].push(d);
            let code = match early {
                Some(c) => c,
                None => match tokio::time::timeout(Duration::from_secs(10), rx).await {
                    Ok(Ok(c)) => c,
                    _ => {
                        failures.lock().unwrap().push("no SMS".into());
                        return;
                    },
                },
            };
            let (s, d) = post("/api/login/verify".into(), json!({"id_number": id, "code": code}), cookie).await;
            if s != 200 {
                failures.lock().unwrap().push(format!("verify {s}"));
                return;
            }
            results.lock().unwrap()[2].push(d);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let wall = wall.elapsed();
    let cpu = cpu_seconds(pid) - cpu0;
    sampler.abort();
    let (rss, hwm) = rss_kib(pid);
    let r = std::mem::take(&mut *results.lock().unwrap());
    let [reg, login, verify] = r;
    println!(
        "gateway CPU {cpu:.2} s over {:.2} s wall ({:.0}% of one core)",
        wall.as_secs_f64(),
        100.0 * cpu / wall.as_secs_f64()
    );
    println!(
        "wall {:.2} s for {voters} voters ({:.0} sign-ups+sign-ins/s)",
        wall.as_secs_f64(),
        voters as f64 / wall.as_secs_f64()
    );
    report("register", reg, wall);
    report("login", login, wall);
    report("verify", verify, wall);
    let failures = failures.lock().unwrap();
    println!(
        "failures: {}{}",
        failures.len(),
        if failures.is_empty() { String::new() } else { format!(" (first: {})", failures[0]) }
    );
    println!(
        "gateway RSS: now {:.1} MiB, sampled peak {:.1} MiB, kernel high-water mark {:.1} MiB",
        rss as f64 / 1024.0,
        *peak.lock().unwrap() as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
