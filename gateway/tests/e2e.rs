//! End to end against a real `electx-node --dev` and the real `electx-gateway` binary:
//! the admin creates an election through the API; voters register, sign in with the code from
//! the dev outbox, vote, and get a receipt whose ballot is on chain under their account; a
//! second vote is refused; the gateway is killed between submission and finality and, after
//! a restart, the vote is finalized exactly once; the node restarts right after a ballot was
//! accepted and the gateway reconnects and gets it finalized; the off-chain tallier publishes
//! the result and the gateway reports it with its proof verified.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn gateway_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_electx-gateway"))
}

/// The node binary built beside the gateway (same target directory and profile).
fn node_binary() -> PathBuf {
    if let Ok(p) = std::env::var("ELECTX_NODE") {
        return PathBuf::from(p);
    }
    gateway_binary().with_file_name("electx-node")
}

/// A child process killed on drop, its stderr kept for failure messages.
struct Proc {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Proc { child, log }
    }
    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
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

fn start_gateway(port: u16, rpc: u16, db: &Path) -> Proc {
    let frontend = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend");
    let p = Proc::spawn(
        Command::new(gateway_binary())
            .args(["--dev-mode", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", &format!("sqlite://{}", db.display())])
            .args(["--node-url", &format!("ws://127.0.0.1:{rpc}")])
            .args(["--admin-token", "e2e-admin"])
            .args(["--frontend-dir", frontend.to_str().unwrap()])
            .env("RUST_LOG", "info"),
    );
    p
}

/// A browser-like client: keeps cookies, sends the CSRF header.
struct Client {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Client {
    fn new(port: u16) -> Self {
        Client {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
            cookies: vec![],
        }
    }

    async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let c =
                self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.header("cookie", c);
        }
        if let Some((_, csrf)) = self.cookies.iter().find(|(k, _)| k == "electx_csrf") {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = match req.send().await {
            Ok(r) => r,
            Err(_) => return (0, Value::Null),
        };
        for c in res.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_owned();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                if !v.is_empty() {
                    self.cookies.push((k.into(), v.into()));
                }
            }
        }
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&mut self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn wait_healthy(&mut self, gw: &Proc) {
        let start = Instant::now();
        loop {
            if self.get("/health").await.0 == 200 {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "gateway not healthy:\n{}",
                gw.log()
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

fn dni(n: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{n:08}{}", letters[(n % 23) as usize] as char)
}

async fn rpc(port: u16, method: &str, params: Value) -> Value {
    let res: Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}"))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res
}

/// Registers and signs a voter in through the API, reading the code from the dev outbox.
async fn sign_in(c: &mut Client, n: u32, phone: &str) {
    assert_eq!(c.get("/api/session").await.0, 200);
    let (s, body) = c
        .post(
            "/api/register",
            json!({"id_number": dni(n), "full_name": "Lucía Fernández", "phone": phone,
                   "province": "41", "gender": "female", "date_of_birth": "1985-03-09"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let (s, _) = c.post("/api/login", json!({"id_number": dni(n), "phone": phone})).await;
    assert_eq!(s, 202);
    let (_, outbox) = c.get("/api/dev/sms").await;
    let last4 = &phone[phone.len() - 2..];
    let msg = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["to"].as_str().unwrap().ends_with(last4))
        .expect("our SMS in the outbox");
    let code = msg["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap()
        .to_owned();
    let (s, body) = c.post("/api/login/verify", json!({"id_number": dni(n), "code": code})).await;
    assert_eq!(s, 200, "{body}");
}

async fn wait_vote(c: &mut Client, id: &str, gw: &Proc, want: &str) -> Value {
    let start = Instant::now();
    let mut seen = vec![];
    loop {
        let (s, v) = c.get(&format!("/api/votes/{id}")).await;
        if s == 200 {
            let status = v["status"].as_str().unwrap().to_owned();
            if seen.last() != Some(&status) {
                seen.push(status.clone());
            }
            if status == want {
                return v;
            }
            assert_ne!(status, "failed", "vote failed: {v}\n{}", gw.log());
        }
        assert!(start.elapsed() < Duration::from_secs(150), "vote stuck at {seen:?}\n{}", gw.log());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voters_vote_through_the_gateway_and_the_result_is_verified() {
    let dir = std::env::temp_dir().join(format!("electx-gw-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The election key: generated by the node's key ceremony command, installed into the
    // running node's off-chain storage through the unsafe RPC (a test shortcut for
    // `election-key install`, which needs the node stopped).
    let key_file = dir.join("election.key");
    let out = Command::new(node_binary())
        .args(["election-key", "generate", "--out", key_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(node_binary())
        .args(["election-key", "public", "--key-file", key_file.to_str().unwrap()])
        .output()
        .unwrap();
    let public_key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let secret = std::fs::read_to_string(&key_file).unwrap().trim().to_owned();

    let rpc_port = free_port();
    let base_path = dir.join("node");
    let mut node = start_node(&base_path, rpc_port).await;
    let storage_key = format!(
        "0x{}{}",
        hex::encode(b"electx/tallier/secret/"),
        public_key.trim_start_matches("0x")
    );
    let r =
        rpc(rpc_port, "offchain_localStorageSet", json!(["PERSISTENT", storage_key, secret])).await;
    assert!(r.get("error").is_none(), "{r}");

    let db = dir.join("gateway.db");
    let port = free_port();
    let mut gw = start_gateway(port, rpc_port, &db);
    let mut admin = Client::new(port);
    admin.wait_healthy(&gw).await;
    // A voter who signs in before the election exists (and never votes): the gateway puts
    // every registered voter on the roll of an election that is scheduled or open.
    let mut early = Client::new(port);
    sign_in(&mut early, 30000099, "+34630000099").await;

    // The admin creates an election through the API (sudo on the dev chain).
    let now = time::OffsetDateTime::now_utc();
    let fmt = &time::format_description::well_known::Rfc3339;
    let req = admin
        .http
        .post(format!("{}/api/admin/elections", admin.base))
        .bearer_auth("e2e-admin")
        .json(&json!({
            "title": "Consulta ciudadana 2026",
            "options": ["Sí", "No", "En blanco"],
            "opens_at": now.format(fmt).unwrap(),
            "closes_at": (now + time::Duration::seconds(150)).format(fmt).unwrap(),
            "allow_revote": false,
            "public_key": public_key,
        }));
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let created: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{created}\n{}", gw.log());
    let election = created["id"].as_u64().unwrap();
    let closes_at = created["closes_at_block"].as_u64().unwrap();

    // Wait until it is open.
    let start = Instant::now();
    loop {
        let (_, e) = admin.get(&format!("/api/elections/{election}")).await;
        if e["phase"] == "open" {
            assert_eq!(e["options"], json!(["Sí", "No", "En blanco"]));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "not open: {e}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Voter 1: the whole journey.
    let mut v1 = Client::new(port);
    sign_in(&mut v1, 30000001, "+34630000001").await;
    let (s, vote) = v1
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 0, "request_id": "req-v1"}),
        )
        .await;
    assert_eq!(s, 202, "{vote}\n{}", gw.log());
    assert_eq!(vote["status"], "pending");
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    // A retried request is the same vote.
    let (s, again) = v1
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 0, "request_id": "req-v1"}),
        )
        .await;
    assert_eq!((s, again["id"].as_str()), (200, Some(vote_id.as_str())));
    let receipt = wait_vote(&mut v1, &vote_id, &gw, "finalized").await;
    assert!(receipt["block_number"].as_i64().unwrap() > 0);
    assert!(receipt["block_hash"].as_str().unwrap().starts_with("0x"));
    assert!(receipt["extrinsic_index"].as_i64().is_some(), "{receipt}");
    assert!(receipt["explorer_url"].as_str().unwrap().contains("#/explorer/query/0x"));
    assert!(receipt["verify_command"].as_str().unwrap().contains("--genesis 0x"));
    // The ballot is on chain under this voter's account, with this tracker.
    let (_, me) = v1.get("/api/me").await;
    let account = me["account"].as_str().unwrap().to_owned();
    let bytes = electx_gateway::chain::account_from_ss58(&account).unwrap();
    let call = format!("0x{}{}", hex::encode((election as u32).to_le_bytes()), hex::encode(bytes));
    let onchain = rpc(rpc_port, "state_call", json!(["VotingApi_tracker", call])).await;
    let tracker = receipt["tracker"].as_str().unwrap().trim_start_matches("0x");
    assert_eq!(
        onchain["result"].as_str().unwrap(),
        format!("0x01{tracker}"),
        "Some(tracker) on chain"
    );
    // A second vote is refused.
    let (s, refused) = v1
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 1, "request_id": "req-v1-b"}),
        )
        .await;
    assert_eq!((s, refused["code"].as_str()), (409, Some("already_voted")), "{refused}");
    assert_eq!(refused["vote"]["id"].as_str(), Some(vote_id.as_str()));
    // Invalid choice.
    let mut v3 = Client::new(port);
    sign_in(&mut v3, 30000003, "+34630000003").await;
    let (s, bad) = v3
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 7, "request_id": "x"}),
        )
        .await;
    assert_eq!((s, bad["code"].as_str()), (422, Some("invalid_choice")));

    // Voter 2: the gateway dies right after accepting the ballot.
    let mut v2 = Client::new(port);
    sign_in(&mut v2, 30000002, "+34630000002").await;
    let (s, vote2) = v2
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 2, "request_id": "req-v2"}),
        )
        .await;
    assert_eq!(s, 202, "{vote2}");
    gw.kill();
    let vote2_id = vote2["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_secs(2)).await;
    gw = start_gateway(port, rpc_port, &db);
    v2.wait_healthy(&gw).await;
    let receipt2 = wait_vote(&mut v2, &vote2_id, &gw, "finalized").await;
    assert!(receipt2["block_number"].as_i64().unwrap() > 0, "{receipt2}");
    // Voter 3: the node restarts right after the gateway accepted the ballot (its pool is
    // lost); the gateway reconnects and resubmits.
    let (s, vote3) = v3
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 0, "request_id": "req-v3"}),
        )
        .await;
    assert_eq!(s, 202, "{vote3}");
    node.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, down) = v3.get("/health").await;
    assert_eq!((s, down["chain"].as_str()), (503, Some("unreachable")), "{down}");
    node = start_node(&base_path, rpc_port).await;
    wait_vote(&mut v3, vote3["id"].as_str().unwrap(), &gw, "finalized").await;

    // Exactly once: three voters, three ballots on chain; voter 2 cast one ballot.
    let (_, e) = admin.get(&format!("/api/elections/{election}")).await;
    assert_eq!(e["ballots_on_chain"], 3, "{e}");
    // The three voters and the one who signed in before the election was created.
    assert_eq!(e["roll_size"], 4, "{e}");
    let (_, turnout) = admin.get(&format!("/api/elections/{election}/turnout")).await;
    assert_eq!(turnout["voted"], 3);
    let sevilla =
        turnout["by_province"].as_array().unwrap().iter().find(|p| p["code"] == "41").unwrap();
    assert_eq!(sevilla["voted"], 3);
    assert_eq!(turnout["by_gender"][0], json!({"gender": "female", "voted": 3}));
    assert_eq!(turnout["over_time"].as_array().unwrap().last().unwrap()["cumulative"], 3);

    // Close, tally by the node's off-chain worker, verified result.
    let start = Instant::now();
    loop {
        let (_, r) = admin.get(&format!("/api/elections/{election}/results")).await;
        if r["tallied"] == true {
            assert_eq!(r["proof_verified"], true, "{r}");
            assert_eq!(
                r["counts"],
                json!([{"option": "Sí", "votes": 2}, {"option": "No", "votes": 0}, {"option": "En blanco", "votes": 1}])
            );
            assert!(r["tallied_at_block"].as_u64().unwrap() <= closes_at + 2);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(180), "no result: {r}\n{}", node.log());
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    // Voting after the close is refused.
    let mut v4 = Client::new(port);
    sign_in(&mut v4, 30000004, "+34630000004").await;
    let (s, closed) = v4
        .post(
            &format!("/api/elections/{election}/ballots"),
            json!({"choice": 0, "request_id": "late"}),
        )
        .await;
    assert_eq!((s, closed["code"].as_str()), (409, Some("election_not_open")));

    // Nothing personal in the gateway's log.
    let log = gw.log();
    for secret in ["30000001", "630000001", "Lucía"] {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
    drop(gw);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn start_node(base_path: &Path, rpc_port: u16) -> Proc {
    let node = Proc::spawn(
        Command::new(node_binary())
            .args(["--dev", "--base-path", base_path.to_str().unwrap()])
            .args(["--rpc-methods", "unsafe", "--offchain-worker", "always"])
            .args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
            .args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()]),
    );
    let start = Instant::now();
    while rpc_port_ready(rpc_port).await.is_none() {
        assert!(start.elapsed() < Duration::from_secs(60), "node did not start:\n{}", node.log());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    node
}

async fn rpc_port_ready(port: u16) -> Option<()> {
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}"))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "system_health", "params": []}))
        .send()
        .await
        .ok()?;
    res.status().is_success().then_some(())
}
