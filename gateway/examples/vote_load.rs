//! Load-and-fault benchmark of the whole voting path: N voters sign up, sign in and vote
//! through the real `electx-gateway` on a real `electx-node --dev`, optionally with the node
//! killed (SIGKILL) and restarted in the middle of the voting. The tool then checks that the
//! published, proof-verified result counts exactly the acknowledged ballots: none lost, none
//! counted twice.
//!
//! What it measures:
//! - sign-up (`POST /api/register`, `POST /api/login`, `POST /api/login/verify`): p50/p99 per
//!   step with `--clients` concurrent clients;
//! - casting (`POST /api/elections/{id}/ballots`): p50/p99 of the acknowledged request (`202`
//!   with a vote id), and acknowledged ballots per second;
//! - finality (`GET /api/votes/{id}`, polled in rounds while the voting runs): time from the
//!   `202` to the first `finalized` seen (the polling round is the granularity), p50/p99,
//!   and finalized ballots per second;
//! - with `--restart-node-after F`: the node is SIGKILLed once F × (signed-up voters) ballots
//!   are acknowledged, stays down `--down-seconds`, and restarts on the same base path and
//!   ports. Clients retry transport errors and 5xx answers with the same `request_id` after
//!   a short backoff, as a real client would;
//! - the gateway's peak resident memory.
//!
//! Set-up, as in production: the gateway is not in dev mode; it uses the HTTP SMS adapter
//! pointed at a Twilio-style fake provider inside this tool (which hands each code to its
//! client), a fresh SQLite file, the dev chain's sudo (`//Alice`) and registrar (`//Ferdie`).
//! The election key comes from `electx-node election-key generate`; its secret goes into the
//! node's off-chain storage through the unsafe RPC (as `gateway/tests/e2e.rs` does), so the
//! node's tallier publishes the result after the close. The admin API creates a 5-option
//! election opening `--open-after-blocks` blocks after creation and closing `--voting-blocks`
//! blocks after that. Once every voter has signed up, the tool waits for the election to open
//! and for the gateway to have put every voter on the roll (batches of 500, each waiting for
//! finality; it stops waiting if the roll stops growing for 90 s), so the voting figures do
//! not include roll registration (`--no-roll-wait` votes as soon as the election opens).
//! Ballots acknowledged with `200` (a retried `request_id` answered with the existing vote)
//! count as acknowledged too.
//!
//! Build the binaries first (`cargo run --example` builds neither the node nor the gateway):
//!
//! ```sh
//! cargo build --release -p electx-node -p electx-gateway --bins
//! cargo run --release -p electx-gateway --example vote_load -- \
//!     --voters 10000 --clients 200 --restart-node-after 0.5
//! ```
//!
//! Options (default):
//! - `--voters N` (10000), `--clients N` concurrent sign-up and voting clients (200);
//! - `--poll-clients N` concurrent status polls (20), `--poll-interval-ms MS` shortest polling
//!   round (1000);
//! - `--open-after-blocks N` (10 + 3 per 500 voters: time for the roll), `--voting-blocks N`
//!   (100; 6-second blocks);
//! - `--restart-node-after F` (no restart), `--down-seconds S` (10);
//! - `--retry-seconds S` how long a client keeps retrying one ballot (300),
//!   `--finality-timeout S` after the last ballot is acknowledged (900);
//! - `--rpc-max-subscriptions N` passed to the node as `--rpc-max-subscriptions-per-connection`
//!   (1024, the node's default: the gateway holds no subscription per ballot, it follows
//!   blocks);
//! - `--node PATH`, `--gateway PATH` (`electx-node`/`electx-gateway` in this example's target
//!   directory; `ELECTX_NODE` also sets the node);
//! - `--no-roll-wait`; `--keep` keeps the temporary directory (node base path, database, logs)
//!   after a successful run; it is always kept after a failure.
//!
//! The last lines are a summary table for `docs/BENCHMARKS.md`. Exit status 1 on any failure
//! or count mismatch.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fs::OpenOptions,
    net::{SocketAddr, TcpListener as StdListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{extract::State, routing::post, Form, Json, Router};
use futures::{stream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{oneshot, Semaphore};

/// The CSRF token every client sends as cookie and header (double submit).
const CSRF: &str = "vote-load-csrf-token";
/// Bearer token of the admin API.
const ADMIN_TOKEN: &str = "vote-load-admin-token";
/// The election's options; voter `n` chooses `n % 5`.
const OPTIONS: [&str; 5] = ["Option A", "Option B", "Option C", "Option D", "Option E"];
/// Block time of the dev chain.
const BLOCK_SECONDS: u64 = 6;
/// DNI number of voter 0.
const FIRST_DNI: u32 = 50_000_000;
/// Once the election is open, how long the roll may stay the same size before the voting
/// starts anyway (the gateway also enrols a voter when their ballot arrives).
const ROLL_STALL: Duration = Duration::from_secs(90);

// ---------------------------------------------------------------------------------------
// Options

struct Opts {
    voters: u32,
    clients: usize,
    poll_clients: usize,
    poll_interval: Duration,
    open_after_blocks: u64,
    voting_blocks: u64,
    restart_after: Option<f64>,
    down: Duration,
    retry_for: Duration,
    finality_timeout: Duration,
    rpc_max_subscriptions: u32,
    node: PathBuf,
    gateway: PathBuf,
    roll_wait: bool,
    keep: bool,
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn has(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn num<T: std::str::FromStr>(name: &str, default: &str) -> T {
    let value = arg(name, default);
    value.parse().unwrap_or_else(|_| panic!("{name}: not a number: {value}"))
}

impl Opts {
    fn parse() -> Opts {
        // target/<profile>/examples/vote_load → target/<profile>
        let exe = std::env::current_exe().unwrap();
        let target = exe.parent().unwrap().parent().unwrap();
        let default_node = std::env::var("ELECTX_NODE")
            .unwrap_or_else(|_| target.join("electx-node").to_string_lossy().into_owned());
        let default_gateway = target.join("electx-gateway").to_string_lossy().into_owned();
        let voters: u32 = num("--voters", "10000");
        let open_default = (10 + 3 * voters.div_ceil(500)).to_string();
        let restart = arg("--restart-node-after", "");
        let restart_after = (!restart.is_empty()).then(|| {
            let f: f64 = restart.parse().expect("--restart-node-after takes a fraction, e.g. 0.5");
            assert!(f > 0.0 && f <= 1.0, "--restart-node-after must be in (0, 1]");
            f
        });
        let o = Opts {
            voters,
            clients: num("--clients", "200"),
            poll_clients: num("--poll-clients", "20"),
            poll_interval: Duration::from_millis(num("--poll-interval-ms", "1000")),
            open_after_blocks: num("--open-after-blocks", &open_default),
            voting_blocks: num("--voting-blocks", "100"),
            restart_after,
            down: Duration::from_secs(num("--down-seconds", "10")),
            retry_for: Duration::from_secs(num("--retry-seconds", "300")),
            finality_timeout: Duration::from_secs(num("--finality-timeout", "900")),
            rpc_max_subscriptions: num("--rpc-max-subscriptions", "1024"),
            node: PathBuf::from(arg("--node", &default_node)),
            gateway: PathBuf::from(arg("--gateway", &default_gateway)),
            roll_wait: !has("--no-roll-wait"),
            keep: has("--keep"),
        };
        assert!(o.voters > 0 && o.clients > 0 && o.poll_clients > 0, "counts must be positive");
        assert!(o.voting_blocks > 0, "--voting-blocks must be positive");
        o
    }
}

// ---------------------------------------------------------------------------------------
// Processes: node and gateway

/// A child process killed (SIGKILL) and reaped on drop; its output goes to a log file.
struct Proc {
    child: Child,
}

impl Proc {
    fn spawn(cmd: &mut Command, log: &Path) -> Result<Proc, String> {
        let program = cmd.get_program().to_string_lossy().into_owned();
        let open = || {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|e| format!("cannot open {}: {e}", log.display()))
        };
        let (out, err) = (open()?, open()?);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        Ok(Proc { child })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(exit status)` once the process has ended.
    fn exited(&mut self) -> Option<String> {
        self.child.try_wait().ok().flatten().map(|status| status.to_string())
    }

    /// SIGKILL (std's `Child::kill` on Unix), then reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How to (re)start the node: the same binary, base path and ports every time, so a restart
/// continues the same chain.
struct NodeSpec {
    binary: PathBuf,
    base_path: String,
    rpc_port: u16,
    p2p_port: u16,
    max_subscriptions: u32,
    log: PathBuf,
}

impl NodeSpec {
    fn spawn(&self) -> Result<Proc, String> {
        let (rpc, p2p) = (self.rpc_port.to_string(), self.p2p_port.to_string());
        let subscriptions = self.max_subscriptions.to_string();
        Proc::spawn(
            Command::new(&self.binary)
                .args(["--dev", "--base-path", &self.base_path])
                .args(["--rpc-methods", "unsafe", "--offchain-worker", "always"])
                .args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
                .args(["--rpc-port", &rpc, "--port", &p2p])
                .args(["--rpc-max-connections", "1000"])
                .args(["--rpc-max-subscriptions-per-connection", &subscriptions])
                .args(["--pool-limit", "20000", "--pool-kbytes", "65536"]),
            &self.log,
        )
    }
}

/// The node process, shared between the run (which kills it at the end) and the fault
/// injector (which kills and restarts it). `None` once the run has ended: no more restarts.
type NodeCell = Arc<Mutex<Option<Proc>>>;

/// Kills the node on drop, whichever process the fault injector last put in the cell.
struct NodeSlot(NodeCell);

impl Drop for NodeSlot {
    fn drop(&mut self) {
        let node = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(node);
    }
}

fn kill_node(cell: &Mutex<Option<Proc>>) {
    if let Some(node) = cell.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        node.kill();
    }
}

fn restart_node(cell: &Mutex<Option<Proc>>, spec: &NodeSpec) -> Result<(), String> {
    let mut node = cell.lock().unwrap_or_else(|p| p.into_inner());
    if node.is_none() {
        return Err("the run has ended; not restarting the node".into());
    }
    *node = Some(spec.spawn()?);
    Ok(())
}

/// A spawned task, aborted when the guard is dropped (an early return on failure).
struct Task<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn rpc(port: u16, method: &str, params: Value) -> Result<Value, String> {
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}"))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .map_err(|e| format!("{method}: {e}"))?;
    let body: Value = res.json().await.map_err(|e| format!("{method}: {e}"))?;
    match body.get("error") {
        Some(error) => Err(format!("{method}: {error}")),
        None => Ok(body),
    }
}

async fn rpc_port_ready(port: u16) -> bool {
    rpc(port, "system_health", json!([])).await.is_ok()
}

async fn wait_rpc(port: u16, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if rpc_port_ready(port).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    false
}

async fn wait_node_start(node: &mut Proc, spec: &NodeSpec) -> Result<(), String> {
    let start = Instant::now();
    while !rpc_port_ready(spec.rpc_port).await {
        if let Some(status) = node.exited() {
            return Err(format!("the node exited ({status}); see {}", spec.log.display()));
        }
        if start.elapsed() > Duration::from_secs(120) {
            return Err(format!("the node did not start in 120 s; see {}", spec.log.display()));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}

/// Runs an `electx-node` subcommand; returns its trimmed standard output.
fn node_command(node: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(node)
        .args(args)
        .output()
        .map_err(|e| format!("electx-node {}: {e}", args.join(" ")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("electx-node {}: {stderr}", args.join(" ")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Generates an election key pair with the node's key ceremony command; returns the public key
/// and the secret (the key file's contents).
fn generate_election_key(node: &Path, dir: &Path) -> Result<(String, String), String> {
    let key_file = dir.join("election.key");
    let key = key_file.to_str().unwrap();
    node_command(node, &["election-key", "generate", "--out", key])?;
    let public_key = node_command(node, &["election-key", "public", "--key-file", key])?;
    let secret = std::fs::read_to_string(key)
        .map_err(|e| format!("cannot read {key}: {e}"))?
        .trim()
        .to_owned();
    Ok((public_key, secret))
}

/// Puts the election secret into the running node's off-chain storage, where its tallier
/// looks for it (the unsafe RPC: a shortcut for `election-key install` on a stopped node).
async fn install_election_key(rpc_port: u16, public_key: &str, secret: &str) -> Result<(), String> {
    let storage_key = format!(
        "0x{}{}",
        hex::encode(b"electx/tallier/secret/"),
        public_key.trim_start_matches("0x")
    );
    rpc(rpc_port, "offchain_localStorageSet", json!(["PERSISTENT", storage_key, secret])).await?;
    Ok(())
}

fn start_gateway(
    o: &Opts,
    dir: &Path,
    port: u16,
    rpc_port: u16,
    sms: SocketAddr,
) -> Result<Proc, String> {
    let database = format!("sqlite://{}", dir.join("gateway.db").display());
    // An empty static site: the working directory holds the election key file.
    let frontend = dir.join("frontend");
    std::fs::create_dir_all(&frontend).map_err(|e| format!("{}: {e}", frontend.display()))?;
    Proc::spawn(
        Command::new(&o.gateway)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--database-url", &database])
            .args(["--node-url", &format!("ws://127.0.0.1:{rpc_port}")])
            .args(["--sms-provider", "http", "--sms-api-base-url", &format!("http://{sms}")])
            .args(["--sms-account-id", "ACvoteload", "--sms-auth-token", "vote-load"])
            // Every client comes from 127.0.0.1: lift the per-IP limit. Sessions outlive the run.
            .args(["--ip-requests-per-minute", "100000000", "--session-ttl-seconds", "86400"])
            .args(["--frontend-dir", frontend.to_str().unwrap()])
            .env_remove("GATEWAY_DEV_MODE")
            .env("GATEWAY_MASTER_SECRET", format!("0x{}", "11".repeat(32)))
            .env("GATEWAY_DATA_KEY", format!("0x{}", "22".repeat(32)))
            .env("GATEWAY_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("GATEWAY_REGISTRAR_URI", "//Ferdie")
            .env("GATEWAY_ADMIN_SUDO_URI", "//Alice")
            .env("RUST_LOG", "info"),
        &dir.join("gateway.log"),
    )
}

async fn wait_gateway_start(gw: &mut Proc, api: &Api, log: &Path) -> Result<(), String> {
    let start = Instant::now();
    while api.get("/health", None).await.status != 200 {
        if let Some(status) = gw.exited() {
            return Err(format!("the gateway exited ({status}); see {}", log.display()));
        }
        if start.elapsed() > Duration::from_secs(120) {
            return Err(format!("the gateway is not healthy after 120 s; see {}", log.display()));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}

/// Waits until `/health` answers 200 (database and chain connection up).
async fn wait_healthy(api: &Api, within: Duration) -> Result<(), String> {
    let start = Instant::now();
    while api.get("/health", None).await.status != 200 {
        if start.elapsed() > within {
            return Err(format!("the gateway is not healthy after {} s", within.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The fake SMS provider

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<String>>>>;

/// A Twilio-style `Messages.json` endpoint that hands each code to the client waiting for
/// that phone number.
#[derive(Clone, Default)]
struct Provider {
    waiters: Waiters,
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
    if let Some(tx) = waiter {
        let _ = tx.send(code);
    }
    (axum::http::StatusCode::CREATED, Json(json!({"sid": "SMvoteload"})))
}

async fn serve_sms(provider: Provider) -> SocketAddr {
    let app = Router::new()
        .route("/2010-04-01/Accounts/{account}/Messages.json", post(sms))
        .with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

// ---------------------------------------------------------------------------------------
// HTTP client

/// One answer of the gateway. `status` is 0 when the request failed at the transport level
/// (connection refused or reset, timeout).
struct Answer {
    status: u16,
    body: Value,
    /// The `electx_session` cookie, when the answer sets one.
    session: Option<String>,
    took: Duration,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("-")
    }

    fn describe(&self) -> String {
        match self.status {
            0 => "transport error".into(),
            s => format!("HTTP {s} {}", self.code()),
        }
    }
}

fn session_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, value)| name.trim() == "electx_session" && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The gateway's HTTP API. Voter requests carry the CSRF cookie and header and, once signed
/// in, the voter's session cookie (what a browser sends).
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(port: u16, connections: usize) -> Api {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        Api { http, base: format!("http://127.0.0.1:{port}") }
    }

    async fn send(req: reqwest::RequestBuilder) -> Answer {
        let t = Instant::now();
        let res = match req.send().await {
            Ok(res) => res,
            Err(_) => {
                return Answer { status: 0, body: Value::Null, session: None, took: t.elapsed() }
            }
        };
        let status = res.status().as_u16();
        let session = session_cookie(res.headers());
        let body: Value = res.json().await.unwrap_or(Value::Null);
        Answer { status, body, session, took: t.elapsed() }
    }

    fn voter(
        &self,
        method: reqwest::Method,
        path: &str,
        session: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let cookie = match session {
            Some(s) => format!("electx_csrf={CSRF}; electx_session={s}"),
            None => format!("electx_csrf={CSRF}"),
        };
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", cookie)
            .header("x-csrf-token", CSRF)
    }

    async fn get(&self, path: &str, session: Option<&str>) -> Answer {
        Self::send(self.voter(reqwest::Method::GET, path, session)).await
    }

    async fn post(&self, path: &str, session: Option<&str>, body: &Value) -> Answer {
        Self::send(self.voter(reqwest::Method::POST, path, session).json(body)).await
    }

    async fn admin_get(&self, path: &str) -> Answer {
        Self::send(self.http.get(format!("{}{path}", self.base)).bearer_auth(ADMIN_TOKEN)).await
    }

    async fn admin_post(&self, path: &str, body: &Value) -> Answer {
        let req = self.http.post(format!("{}{path}", self.base)).bearer_auth(ADMIN_TOKEN);
        Self::send(req.json(body)).await
    }
}

// ---------------------------------------------------------------------------------------
// Figures

fn dni(n: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}

/// The `p` quantile of sorted samples, in milliseconds (0 without samples).
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Prints one latency line (as `load.rs` does) and returns p50 and p99 in milliseconds.
fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) -> (f64, f64) {
    samples.sort();
    let pct = |p| percentile(&samples, p);
    println!(
        "{name:<16} n={:<6} p50={:>9.2}  p90={:>9.2}  p99={:>9.2}  max={:>9.2} ms  {:>7.1}/s",
        samples.len(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        samples.len() as f64 / wall.as_secs_f64().max(1e-9)
    );
    (pct(0.50), pct(0.99))
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

fn spawn_rss_sampler(pid: u32, peak: Arc<AtomicU64>) -> Task<()> {
    Task(tokio::spawn(async move {
        loop {
            peak.fetch_max(rss_kib(pid).0, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }))
}

fn stamp(t0: Instant) -> String {
    format!("t+{:.1}s", t0.elapsed().as_secs_f64())
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The election

struct Election {
    id: u64,
    opens_at_block: u64,
    closes_at_block: u64,
}

/// Creates the election through the admin API. Opening and closing are wall-clock times that
/// the gateway converts to blocks with 6-second blocks.
async fn create_election(api: &Api, o: &Opts, public_key: &str) -> Result<Election, String> {
    let fmt = &time::format_description::well_known::Rfc3339;
    let after = |blocks: u64| time::Duration::seconds((blocks * BLOCK_SECONDS) as i64);
    let opens = time::OffsetDateTime::now_utc() + after(o.open_after_blocks);
    let closes = opens + after(o.voting_blocks);
    let body = json!({
        "title": format!("vote_load: {} voters", o.voters),
        "options": OPTIONS,
        "opens_at": opens.format(fmt).unwrap(),
        "closes_at": closes.format(fmt).unwrap(),
        "allow_revote": false,
        "public_key": public_key,
    });
    let a = api.admin_post("/api/admin/elections", &body).await;
    if a.status != 201 {
        return Err(format!("creating the election: {}: {}", a.describe(), a.body));
    }
    let field = |k: &str| {
        a.body[k].as_u64().ok_or_else(|| format!("creating the election: no {k} in {}", a.body))
    };
    Ok(Election {
        id: field("id")?,
        opens_at_block: field("opens_at_block")?,
        closes_at_block: field("closes_at_block")?,
    })
}

/// Waits until the election is open and, unless `--no-roll-wait`, every signed-up voter is on
/// its roll. Returns how long after the call the roll was complete, if it was.
async fn wait_open(
    api: &Api,
    e: &Election,
    voters: u64,
    o: &Opts,
    t0: Instant,
) -> Result<Option<Duration>, String> {
    let path = format!("/api/elections/{}", e.id);
    let start = Instant::now();
    let open_by = Duration::from_secs(o.open_after_blocks * BLOCK_SECONDS + 120);
    let mut roll_full = None;
    let (mut last_roll, mut roll_grew) = (0, Instant::now());
    let mut last = String::new();
    loop {
        let a = api.get(&path, None).await;
        let phase = a.body["phase"].as_str().unwrap_or("?").to_owned();
        let roll = a.body["roll_size"].as_u64().unwrap_or(0);
        if roll_full.is_none() && roll >= voters {
            roll_full = Some(start.elapsed());
        }
        if roll > last_roll {
            (last_roll, roll_grew) = (roll, Instant::now());
        }
        let now = format!("phase {phase}, roll {roll}/{voters}");
        if now != last {
            println!("[{}] election {}: {now}", stamp(t0), e.id);
            last = now;
        }
        match phase.as_str() {
            "open" if roll_full.is_some() || !o.roll_wait => return Ok(roll_full),
            "open" if roll_grew.elapsed() > ROLL_STALL => {
                println!(
                    "warning: the roll has stayed at {roll}/{voters} for {} s; voting anyway",
                    ROLL_STALL.as_secs()
                );
                return Ok(None);
            }
            "closed" | "tallied" | "cancelled" => {
                return Err(format!(
                    "election {} is already {phase}: raise --open-after-blocks or --voting-blocks",
                    e.id
                ))
            }
            "open" => {}
            _ if start.elapsed() > open_by => {
                return Err(format!(
                    "election {} not open after {} s: {}",
                    e.id,
                    open_by.as_secs(),
                    a.body
                ))
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn best_block(api: &Api) -> Option<u64> {
    api.get("/health", None).await.body["best_block"].as_u64()
}

/// Waits for the close and the tallier's result; returns the `/results` body once tallied.
async fn wait_result(api: &Api, e: &Election, t0: Instant) -> Result<Value, String> {
    let best = best_block(api).await.unwrap_or(0);
    let left = e.closes_at_block.saturating_sub(best);
    let within = Duration::from_secs(left * BLOCK_SECONDS + 300);
    println!(
        "[{}] waiting for the close at block {} (best {best}, ≈ {} s) and the verified tally",
        stamp(t0),
        e.closes_at_block,
        left * BLOCK_SECONDS
    );
    let path = format!("/api/elections/{}/results", e.id);
    let start = Instant::now();
    loop {
        let a = api.get(&path, None).await;
        if a.status == 200 && a.body["tallied"] == true {
            println!("[{}] tallied: {}", stamp(t0), a.body);
            return Ok(a.body);
        }
        if start.elapsed() > within {
            return Err(format!(
                "no tallied result {} s after the close was expected: {} {}",
                within.as_secs(),
                a.describe(),
                a.body
            ));
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Phase A: sign-up

struct SignUps {
    /// (voter number, session token) of every voter who signed in.
    sessions: Vec<(u32, String)>,
    /// Latencies of register, login, verify.
    steps: [Vec<Duration>; 3],
    failures: Vec<String>,
    wall: Duration,
}

/// Registers voter `n`, asks for a code, waits for the fake provider to receive it, verifies
/// it; returns the session token and the latency of each step.
async fn sign_up(
    api: &Api,
    provider: &Provider,
    n: u32,
) -> Result<(String, [Duration; 3]), String> {
    let id = dni(FIRST_DNI + n);
    let phone = format!("+3460{n:07}");
    let gender = ["female", "male", "other", "undisclosed"][(n % 4) as usize];
    let voter = json!({"id_number": id, "full_name": "Carmen Ruiz Soto", "phone": phone,
        "province": format!("{:02}", n % 52 + 1), "gender": gender, "date_of_birth": "1970-01-01"});
    let register = api.post("/api/register", None, &voter).await;
    if register.status != 201 {
        return Err(format!("register: {}", register.describe()));
    }
    let (tx, rx) = oneshot::channel();
    provider.waiters.lock().unwrap().insert(phone.clone(), tx);
    let login = api.post("/api/login", None, &json!({"id_number": id, "phone": phone})).await;
    if login.status != 202 {
        provider.waiters.lock().unwrap().remove(&phone);
        return Err(format!("login: {}", login.describe()));
    }
    let code = match tokio::time::timeout(Duration::from_secs(30), rx).await {
        Ok(Ok(code)) => code,
        _ => return Err("login: no SMS reached the fake provider within 30 s".into()),
    };
    let verify = api.post("/api/login/verify", None, &json!({"id_number": id, "code": code})).await;
    if verify.status != 200 {
        return Err(format!("verify: {}", verify.describe()));
    }
    let took = [register.took, login.took, verify.took];
    let session = verify.session.ok_or("verify: 200 without a session cookie")?;
    Ok((session, took))
}

async fn sign_up_all(api: &Api, provider: &Provider, o: &Opts) -> SignUps {
    let sem = Arc::new(Semaphore::new(o.clients));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(o.voters as usize);
    for n in 0..o.voters {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let (api, provider) = (api.clone(), provider.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            sign_up(&api, &provider, n).await
        }));
    }
    let mut out = SignUps {
        sessions: Vec::with_capacity(tasks.len()),
        steps: Default::default(),
        failures: Vec::new(),
        wall: Duration::ZERO,
    };
    for (n, task) in (0..).zip(tasks) {
        match task.await {
            Ok(Ok((session, took))) => {
                out.sessions.push((n, session));
                for (step, d) in out.steps.iter_mut().zip(took) {
                    step.push(d);
                }
            }
            Ok(Err(e)) => out.failures.push(format!("voter {n}: {e}")),
            Err(e) => out.failures.push(format!("voter {n}: task failed: {e}")),
        }
    }
    out.wall = start.elapsed();
    out
}

// ---------------------------------------------------------------------------------------
// Phase B: voting

/// An acknowledged ballot: the gateway answered 202 (or 200 for a retried request) with a
/// vote id.
#[derive(Clone)]
struct Ack {
    voter: u32,
    session: String,
    choice: usize,
    vote_id: String,
    at: Instant,
}

enum Outcome {
    Acked { ack: Ack, took: Duration, total: Duration, attempts: u32 },
    Refused { key: String, detail: String },
}

/// Counters and hand-offs shared by the voting clients, the follower, the fault injector and
/// the progress line.
#[derive(Default)]
struct Live {
    acked: AtomicUsize,
    finalized: AtomicUsize,
    casting_done: AtomicBool,
    /// Acknowledged ballots not yet taken by the follower.
    inbox: Mutex<Vec<Ack>>,
}

/// Casts voter `n`'s ballot for option `n % 5`. Transport errors and 5xx answers (the node or
/// the gateway's chain connection is down) are retried with the same `request_id`, which the
/// gateway answers with the same vote, until `retry_for` has passed.
async fn cast_one(
    api: &Api,
    election: u64,
    voter: u32,
    session: String,
    retry_for: Duration,
) -> Outcome {
    let choice = voter as usize % OPTIONS.len();
    let request_id = uuid::Uuid::new_v4().to_string();
    let body = json!({"choice": choice, "request_id": request_id});
    let path = format!("/api/elections/{election}/ballots");
    let start = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let a = api.post(&path, Some(&session), &body).await;
        if matches!(a.status, 200 | 202) {
            let Some(vote_id) = a.body["id"].as_str() else {
                let key = format!("HTTP {} without a vote id", a.status);
                return Outcome::Refused { key, detail: format!("voter {voter}: {}", a.body) };
            };
            let ack =
                Ack { voter, session, choice, vote_id: vote_id.to_owned(), at: Instant::now() };
            return Outcome::Acked { ack, took: a.took, total: start.elapsed(), attempts };
        }
        let retryable = a.status == 0 || a.status >= 500;
        if !retryable || start.elapsed() >= retry_for {
            let key = if retryable {
                format!("{} (gave up after {} s)", a.describe(), retry_for.as_secs())
            } else {
                a.describe()
            };
            return Outcome::Refused { key, detail: format!("voter {voter}: {}", a.body) };
        }
        let backoff = (250u64 << attempts.min(4)) + u64::from(voter % 250);
        tokio::time::sleep(Duration::from_millis(backoff)).await;
    }
}

struct Casting {
    acks: Vec<Ack>,
    /// Latency of the request that was acknowledged.
    took: Vec<Duration>,
    /// From the first attempt to the acknowledgement.
    total: Vec<Duration>,
    retried_voters: usize,
    retries: usize,
    refusals: BTreeMap<String, usize>,
    first_refusal: Option<String>,
    wall: Duration,
}

async fn cast_all(
    api: &Api,
    o: &Opts,
    election: u64,
    voters: &[(u32, String)],
    live: &Arc<Live>,
) -> Casting {
    let sem = Arc::new(Semaphore::new(o.clients));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(voters.len());
    for (n, session) in voters {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let (api, live, session, n, retry_for) =
            (api.clone(), live.clone(), session.clone(), *n, o.retry_for);
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let outcome = cast_one(&api, election, n, session, retry_for).await;
            if let Outcome::Acked { ack, .. } = &outcome {
                live.inbox.lock().unwrap().push(ack.clone());
                live.acked.fetch_add(1, Ordering::SeqCst);
            }
            outcome
        }));
    }
    let mut out = Casting {
        acks: Vec::with_capacity(voters.len()),
        took: Vec::with_capacity(voters.len()),
        total: Vec::with_capacity(voters.len()),
        retried_voters: 0,
        retries: 0,
        refusals: BTreeMap::new(),
        first_refusal: None,
        wall: Duration::ZERO,
    };
    for task in tasks {
        match task.await {
            Ok(Outcome::Acked { ack, took, total, attempts }) => {
                out.acks.push(ack);
                out.took.push(took);
                out.total.push(total);
                if attempts > 1 {
                    out.retried_voters += 1;
                    out.retries += (attempts - 1) as usize;
                }
            }
            Ok(Outcome::Refused { key, detail }) => {
                *out.refusals.entry(key).or_default() += 1;
                if out.first_refusal.is_none() {
                    out.first_refusal = Some(detail);
                }
            }
            Err(e) => {
                *out.refusals.entry("client task failed".into()).or_default() += 1;
                if out.first_refusal.is_none() {
                    out.first_refusal = Some(e.to_string());
                }
            }
        }
    }
    out.wall = start.elapsed();
    live.casting_done.store(true, Ordering::SeqCst);
    out
}

/// Kills the node once `threshold` ballots are acknowledged, keeps it down, restarts it.
struct Fault {
    node: NodeCell,
    spec: Arc<NodeSpec>,
    live: Arc<Live>,
    threshold: usize,
    down: Duration,
    api: Api,
    t0: Instant,
}

/// The node restart as it happened.
struct Restart {
    at_acks: usize,
    /// Since the first ballot was sent.
    at: Duration,
    /// From the kill until the node's RPC answers again.
    rpc_back: Duration,
    /// From the kill until the gateway's `/health` is 200 again (reconnected).
    gateway_back: Duration,
}

impl Fault {
    /// `Ok(None)` when the voting ended before the threshold was reached.
    async fn run(self, voting_started: Instant) -> Result<Option<Restart>, String> {
        while self.live.acked.load(Ordering::SeqCst) < self.threshold {
            if self.live.casting_done.load(Ordering::SeqCst) {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let at_acks = self.live.acked.load(Ordering::SeqCst);
        let killed = Instant::now();
        kill_node(&self.node);
        println!(
            "[{}] FAULT: node SIGKILLed after {at_acks} acknowledged ballots; down for {} s",
            stamp(self.t0),
            self.down.as_secs()
        );
        tokio::time::sleep(self.down).await;
        restart_node(&self.node, &self.spec)?;
        println!("[{}] FAULT: node restarted on the same base path and ports", stamp(self.t0));
        if !wait_rpc(self.spec.rpc_port, Duration::from_secs(180)).await {
            let log = self.spec.log.display();
            return Err(format!("the restarted node's RPC did not answer in 180 s; see {log}"));
        }
        let rpc_back = killed.elapsed();
        wait_healthy(&self.api, Duration::from_secs(180)).await?;
        let gateway_back = killed.elapsed();
        println!(
            "[{}] FAULT: node RPC back {:.1} s and gateway healthy {:.1} s after the kill",
            stamp(self.t0),
            rpc_back.as_secs_f64(),
            gateway_back.as_secs_f64()
        );
        let at = killed.duration_since(voting_started);
        Ok(Some(Restart { at_acks, at, rpc_back, gateway_back }))
    }
}

fn spawn_progress(live: Arc<Live>, voters: usize, t0: Instant) -> Task<()> {
    Task(tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            println!(
                "[{}] acknowledged {}/{voters}, finalized {}",
                stamp(t0),
                live.acked.load(Ordering::Relaxed),
                live.finalized.load(Ordering::Relaxed)
            );
        }
    }))
}

// ---------------------------------------------------------------------------------------
// Phase C: finality

#[derive(Default)]
struct Followed {
    /// Acknowledgement → first `finalized` seen.
    finality: Vec<Duration>,
    last_finalized: Option<Instant>,
    failed: Vec<String>,
    stuck: Vec<String>,
    rounds: usize,
    poll_errors: usize,
    wall: Duration,
}

/// Polls every acknowledged vote, in rounds of at least `interval`, until each is `finalized`
/// or `failed`; once the voting is over, gives the rest `timeout`.
async fn follow(
    api: Api,
    live: Arc<Live>,
    clients: usize,
    interval: Duration,
    timeout: Duration,
) -> Followed {
    let mut out = Followed::default();
    // Votes still open, with the last status seen.
    let mut open: Vec<(Ack, String)> = Vec::new();
    let mut voting_over: Option<Instant> = None;
    let start = Instant::now();
    let client = &api;
    loop {
        let round = Instant::now();
        // Read the flag before taking the inbox: once it is set, every ack is in the inbox.
        let done = live.casting_done.load(Ordering::SeqCst);
        let new = std::mem::take(&mut *live.inbox.lock().unwrap());
        open.extend(new.into_iter().map(|ack| (ack, "pending".to_owned())));
        if done && open.is_empty() {
            break;
        }
        if done && voting_over.get_or_insert(round).elapsed() > timeout {
            out.stuck = open
                .iter()
                .map(|(ack, status)| {
                    format!("vote {} of voter {} still {status}", ack.vote_id, ack.voter)
                })
                .collect();
            break;
        }
        // Owned inputs: a future borrowing `open` would not be `Send` for every lifetime.
        let polls: Vec<_> = open
            .iter()
            .enumerate()
            .map(|(i, (ack, _))| {
                let path = format!("/api/votes/{}", ack.vote_id);
                let session = ack.session.clone();
                async move {
                    let a = client.get(&path, Some(&session)).await;
                    (i, a, Instant::now())
                }
            })
            .collect();
        let polled: Vec<(usize, Answer, Instant)> =
            stream::iter(polls).buffer_unordered(clients).collect().await;
        out.rounds += 1;
        let mut settled = vec![false; open.len()];
        for (i, a, seen) in polled {
            if a.status != 200 {
                out.poll_errors += 1;
                continue;
            }
            let status = a.body["status"].as_str().unwrap_or("?");
            if status == "finalized" {
                out.finality.push(seen.duration_since(open[i].0.at));
                out.last_finalized = Some(out.last_finalized.map_or(seen, |l| l.max(seen)));
                live.finalized.fetch_add(1, Ordering::SeqCst);
                settled[i] = true;
            } else if status == "failed" {
                let code = a.body["error"]["code"].as_str().unwrap_or("?");
                let ack = &open[i].0;
                out.failed.push(format!("vote {} of voter {}: {code}", ack.vote_id, ack.voter));
                settled[i] = true;
            } else {
                open[i].1 = status.to_owned();
            }
        }
        open = open.into_iter().zip(settled).filter(|(_, s)| !s).map(|(v, _)| v).collect();
        let spent = round.elapsed();
        if spent < interval {
            tokio::time::sleep(interval - spent).await;
        }
    }
    out.wall = start.elapsed();
    out
}

// ---------------------------------------------------------------------------------------
// Checks and summary

/// What the gateway and the chain report once the election is tallied.
struct Reported {
    result: Value,
    election: Value,
    turnout: Value,
    admin: Value,
}

async fn read_reports(api: &Api, e: &Election, result: Value) -> Reported {
    Reported {
        result,
        election: api.get(&format!("/api/elections/{}", e.id), None).await.body,
        turnout: api.get(&format!("/api/elections/{}/turnout", e.id), None).await.body,
        admin: api.admin_get(&format!("/api/admin/elections/{}", e.id)).await.body,
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(-1)
}

/// Compares every count the gateway and the chain report with what the clients were told.
/// Returns a one-line verdict and the mismatches.
fn check_counts(acks: &[Ack], finalized: usize, r: &Reported) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let acked = acks.len() as i64;
    let distinct = acks.iter().map(|a| a.vote_id.as_str()).collect::<HashSet<_>>().len() as i64;
    let mut per_option = [0i64; OPTIONS.len()];
    for a in acks {
        per_option[a.choice] += 1;
    }
    let counts: Vec<i64> = r.result["counts"]
        .as_array()
        .map(|c| c.iter().map(|o| int(&o["votes"])).collect())
        .unwrap_or_default();
    if counts.len() != OPTIONS.len() || counts.iter().any(|c| *c < 0) {
        problems.push(format!("malformed result counts: {}", r.result["counts"]));
    }
    let totals = [
        ("acknowledged", acked),
        ("distinct vote ids", distinct),
        ("finalized (polled)", finalized as i64),
        ("result sum", counts.iter().sum::<i64>()),
        ("result ballots", int(&r.result["ballots"])),
        ("chain ballots_on_chain", int(&r.election["ballots_on_chain"])),
        ("turnout voted", int(&r.turnout["voted"])),
        ("gateway votes_finalized", int(&r.admin["votes_finalized"])),
    ];
    let listed = totals.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    if totals.iter().any(|(_, v)| *v != acked) {
        problems.push(format!("totals differ: {listed}"));
    }
    if counts[..] != per_option[..] {
        problems.push(format!(
            "per-option counts differ: result {counts:?}, acknowledged choices {per_option:?}"
        ));
    }
    if r.result["proof_verified"] != true {
        problems.push(format!("the result's proof is not verified: {}", r.result));
    }
    let (failed, pending) = (int(&r.admin["votes_failed"]), int(&r.admin["votes_pending"]));
    if failed != 0 || pending != 0 {
        problems.push(format!("gateway votes failed {failed}, pending {pending}"));
    }
    if !problems.is_empty() {
        return (format!("MISMATCH: {listed}"), problems);
    }
    let per = per_option.iter().map(|c| thousands(*c as u64)).collect::<Vec<_>>().join(" / ");
    let line = format!(
        "OK: {} acknowledged = result sum = result ballots = chain ballots = turnout = \
         finalized (polled and in the gateway); per option {per} = result; proof verified",
        thousands(acked as u64)
    );
    (line, problems)
}

struct Summary {
    voters: u32,
    signed_up: usize,
    clients: usize,
    voting_blocks: u64,
    sign_up: [(f64, f64); 3],
    sign_up_rate: f64,
    roll_ready: Option<Duration>,
    cast: (f64, f64),
    cast_with_retries: (f64, f64),
    retried_voters: usize,
    acked: usize,
    ack_wall: Duration,
    finalized: usize,
    final_span: Duration,
    finality: (f64, f64),
    poll_round: Duration,
    restart: Option<Restart>,
    down: Duration,
    counts: String,
    rss_peak_kib: u64,
    rss_hwm_kib: u64,
}

fn print_summary(s: &Summary) {
    let ms = |(p50, p99): (f64, f64)| format!("{p50:.1} / {p99:.1} ms");
    let secs = |(p50, p99): (f64, f64)| format!("{:.1} / {:.1} s", p50 / 1000.0, p99 / 1000.0);
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
    let restart = match &s.restart {
        Some(r) => format!(
            "SIGKILL at {} acknowledged ({:.1} s into the voting), down {} s; node RPC back \
             after {:.1} s, gateway healthy after {:.1} s (from the kill)",
            thousands(r.at_acks as u64),
            r.at.as_secs_f64(),
            s.down.as_secs(),
            r.rpc_back.as_secs_f64(),
            r.gateway_back.as_secs_f64()
        ),
        None => "none".into(),
    };
    let roll = match s.roll_ready {
        Some(d) => format!("{:.0} s after the last sign-up", d.as_secs_f64()),
        None => "not waited for".into(),
    };
    println!();
    println!("---- summary for docs/BENCHMARKS.md ----");
    println!("| what | measured |");
    println!("|---|---|");
    println!(
        "| voters / concurrent clients | {} ({} signed up) / {}; 5 options, {}-block window, \
         SQLite, gateway in production mode |",
        thousands(u64::from(s.voters)),
        thousands(s.signed_up as u64),
        s.clients,
        s.voting_blocks
    );
    println!(
        "| sign-up p50 / p99 | register {}, login {}, verify {}; {:.0} voters/s |",
        ms(s.sign_up[0]),
        ms(s.sign_up[1]),
        ms(s.sign_up[2]),
        s.sign_up_rate
    );
    println!("| roll complete | {roll} |");
    println!(
        "| cast p50 / p99 | {} (acknowledged request); {} including retries ({} voters retried) |",
        ms(s.cast),
        ms(s.cast_with_retries),
        thousands(s.retried_voters as u64)
    );
    println!(
        "| acknowledged | {} in {:.1} s: **{:.1} ballots/s** |",
        thousands(s.acked as u64),
        s.ack_wall.as_secs_f64(),
        rate(s.acked, s.ack_wall)
    );
    println!(
        "| finalized | {} in {:.1} s from the first ballot sent: **{:.1} ballots/s** |",
        thousands(s.finalized as u64),
        s.final_span.as_secs_f64(),
        rate(s.finalized, s.final_span)
    );
    println!(
        "| acknowledged → finalized p50 / p99 | {} (polling round ≈ {:.1} s) |",
        secs(s.finality),
        s.poll_round.as_secs_f64()
    );
    println!("| node restart | {restart} |");
    println!("| counts | {} |", s.counts);
    println!(
        "| gateway RSS peak | {:.1} MiB sampled, {:.1} MiB kernel high-water mark |",
        s.rss_peak_kib as f64 / 1024.0,
        s.rss_hwm_kib as f64 / 1024.0
    );
}

// ---------------------------------------------------------------------------------------
// The run

/// Runs everything; the node and the gateway are killed when it returns (guards). Returns the
/// problems found, or the failure that stopped the run.
async fn run(o: &Opts, dir: &Path, t0: Instant) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    for (what, path) in [("node", &o.node), ("gateway", &o.gateway)] {
        if !path.exists() {
            return Err(format!(
                "no {what} binary at {} (cargo build --release -p electx-node -p electx-gateway \
                 --bins, or pass --{what} PATH)",
                path.display()
            ));
        }
    }

    // The chain, with the election key's secret in the node's off-chain storage.
    let spec = Arc::new(NodeSpec {
        binary: o.node.clone(),
        base_path: dir.join("node").to_str().unwrap().to_owned(),
        rpc_port: free_port(),
        p2p_port: free_port(),
        max_subscriptions: o.rpc_max_subscriptions,
        log: dir.join("node.log"),
    });
    let (public_key, secret) = generate_election_key(&o.node, dir)?;
    let mut first = spec.spawn()?;
    wait_node_start(&mut first, &spec).await?;
    let node = NodeSlot(Arc::new(Mutex::new(Some(first))));
    install_election_key(spec.rpc_port, &public_key, &secret).await?;
    println!(
        "[{}] node up: RPC 127.0.0.1:{}, base path {}, log {}",
        stamp(t0),
        spec.rpc_port,
        spec.base_path,
        spec.log.display()
    );

    // The gateway, with the fake SMS provider.
    let provider = Provider::default();
    let sms_addr = serve_sms(provider.clone()).await;
    let port = free_port();
    let gateway_log = dir.join("gateway.log");
    let mut gateway = start_gateway(o, dir, port, spec.rpc_port, sms_addr)?;
    let gateway_pid = gateway.pid();
    let api = Api::new(port, o.clients + o.poll_clients);
    wait_gateway_start(&mut gateway, &api, &gateway_log).await?;
    println!(
        "[{}] gateway up: pid {gateway_pid}, http://127.0.0.1:{port}, production mode, SQLite, \
         HTTP SMS adapter → fake provider at {sms_addr}; log {}",
        stamp(t0),
        gateway_log.display()
    );
    let peak = Arc::new(AtomicU64::new(0));
    let _rss = spawn_rss_sampler(gateway_pid, peak.clone());

    let election = create_election(&api, o, &public_key).await?;
    println!(
        "[{}] election {} created: opens at block {}, closes at block {}",
        stamp(t0),
        election.id,
        election.opens_at_block,
        election.closes_at_block
    );

    // Phase A: sign-up.
    println!("\n== phase A: sign-up ({} voters, {} clients)", o.voters, o.clients);
    let SignUps { sessions, steps: [register, login, verify], failures, wall } =
        sign_up_all(&api, &provider, o).await;
    let sign_up = [
        report("register", register, wall),
        report("login", login, wall),
        report("verify", verify, wall),
    ];
    let sign_up_rate = sessions.len() as f64 / wall.as_secs_f64().max(1e-9);
    println!(
        "signed up {} of {} in {:.1} s ({sign_up_rate:.0} voters/s); failures: {}",
        sessions.len(),
        o.voters,
        wall.as_secs_f64(),
        failures.len()
    );
    if let Some(first) = failures.first() {
        problems.push(format!(
            "{} of {} sign-ups failed (first: {first})",
            failures.len(),
            o.voters
        ));
    }
    if sessions.is_empty() {
        return Err("no voter could sign up".into());
    }

    // Wait for the opening (and the roll).
    let roll_ready = wait_open(&api, &election, sessions.len() as u64, o, t0).await?;
    if let Some(best) = best_block(&api).await {
        let left = election.closes_at_block.saturating_sub(best);
        println!(
            "[{}] election open; {left} blocks (≈ {} s) left until the close",
            stamp(t0),
            left * BLOCK_SECONDS
        );
    }

    // Phases B and C: voting, with the follower polling every acknowledged vote meanwhile.
    println!("\n== phase B: voting ({} voters, {} clients)", sessions.len(), o.clients);
    let live = Arc::new(Live::default());
    let voting_started = Instant::now();
    let mut follower = Task(tokio::spawn(follow(
        api.clone(),
        live.clone(),
        o.poll_clients,
        o.poll_interval,
        o.finality_timeout,
    )));
    let fault = o.restart_after.map(|f| {
        let threshold = ((f * sessions.len() as f64).ceil() as usize).max(1);
        println!("the node will be killed after {threshold} acknowledged ballots");
        let fault = Fault {
            node: node.0.clone(),
            spec: spec.clone(),
            live: live.clone(),
            threshold,
            down: o.down,
            api: api.clone(),
            t0,
        };
        Task(tokio::spawn(fault.run(voting_started)))
    });
    let progress = spawn_progress(live.clone(), sessions.len(), t0);
    let casting = cast_all(&api, o, election.id, &sessions, &live).await;
    let cast = report("cast", casting.took, casting.wall);
    let cast_with_retries = report("cast+retries", casting.total, casting.wall);
    println!(
        "acknowledged {} of {} in {:.1} s ({:.1}/s); {} voters retried ({} retries); \
         refusals: {:?}",
        casting.acks.len(),
        sessions.len(),
        casting.wall.as_secs_f64(),
        casting.acks.len() as f64 / casting.wall.as_secs_f64().max(1e-9),
        casting.retried_voters,
        casting.retries,
        casting.refusals
    );
    if let Some(first) = &casting.first_refusal {
        let refused = sessions.len() - casting.acks.len();
        problems.push(format!(
            "{refused} ballots not acknowledged: {:?} (first: {first})",
            casting.refusals
        ));
    }
    let restart = match fault {
        None => None,
        Some(mut task) => match (&mut task.0).await {
            Ok(Ok(Some(restart))) => Some(restart),
            Ok(Ok(None)) => {
                problems.push(format!(
                    "the node restart never happened: the voting ended with {} acknowledged",
                    casting.acks.len()
                ));
                None
            }
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(format!("fault injector: {e}")),
        },
    };

    println!("\n== phase C: finality");
    let followed =
        (&mut follower.0).await.map_err(|e| format!("the status follower failed: {e}"))?;
    drop(progress);
    let final_span =
        followed.last_finalized.map_or(Duration::ZERO, |l| l.duration_since(voting_started));
    let finalized = followed.finality.len();
    let finality = report("ack→finalized", followed.finality, final_span);
    let poll_round = followed.wall / followed.rounds.max(1) as u32;
    println!(
        "finalized {finalized} of {} acknowledged; failed {}, still open {}; {} polling rounds \
         (≈ {:.1} s each), {} status polls answered non-200",
        casting.acks.len(),
        followed.failed.len(),
        followed.stuck.len(),
        followed.rounds,
        poll_round.as_secs_f64(),
        followed.poll_errors
    );
    if let Some(first) = followed.failed.first() {
        problems.push(format!("{} votes failed (first: {first})", followed.failed.len()));
    }
    if let Some(first) = followed.stuck.first() {
        problems.push(format!(
            "{} votes not settled {} s after the voting (first: {first})",
            followed.stuck.len(),
            o.finality_timeout.as_secs()
        ));
    }

    // The close, the verified result and the counts.
    println!();
    let result = wait_result(&api, &election, t0).await?;
    let reported = read_reports(&api, &election, result).await;
    let (counts, mismatches) = check_counts(&casting.acks, finalized, &reported);
    println!("counts: {counts}");
    problems.extend(mismatches);

    let (_, hwm) = rss_kib(gateway_pid);
    print_summary(&Summary {
        voters: o.voters,
        signed_up: sessions.len(),
        clients: o.clients,
        voting_blocks: o.voting_blocks,
        sign_up,
        sign_up_rate,
        roll_ready,
        cast,
        cast_with_retries,
        retried_voters: casting.retried_voters,
        acked: casting.acks.len(),
        ack_wall: casting.wall,
        finalized,
        final_span,
        finality,
        poll_round,
        restart,
        down: o.down,
        counts,
        rss_peak_kib: peak.load(Ordering::Relaxed),
        rss_hwm_kib: hwm,
    });
    drop(gateway);
    drop(node);
    Ok(problems)
}

#[tokio::main]
async fn main() {
    let o = Opts::parse();
    let dir = std::env::temp_dir().join(format!("electx-vote-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "vote_load: {} voters, {} clients, restart {}, working directory {}",
        o.voters,
        o.clients,
        match o.restart_after {
            Some(f) => format!("after {f} of the ballots, down {} s", o.down.as_secs()),
            None => "none".into(),
        },
        dir.display()
    );
    let t0 = Instant::now();
    let outcome = run(&o, &dir, t0).await;
    let failed = match &outcome {
        Ok(problems) if problems.is_empty() => false,
        Ok(problems) => {
            eprintln!("\nFAILED: {} problem(s):", problems.len());
            for p in problems {
                eprintln!("  - {p}");
            }
            true
        }
        Err(e) => {
            eprintln!("\nFAILED: {e}");
            true
        }
    };
    if failed {
        eprintln!("logs, database and chain kept in {}", dir.display());
        std::process::exit(1);
    }
    if o.keep {
        println!("logs, database and chain kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!("PASSED in {:.0} s", t0.elapsed().as_secs_f64());
}
