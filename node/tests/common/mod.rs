//! Helpers for the node's end-to-end tests: a dev node on free ports that is always
//! stopped (its `Drop` kills it, also when a test panics), and a tiny JSON-RPC client.

#![allow(dead_code)]

pub mod tx;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

/// Path of the `electx-node` binary cargo built for these tests.
pub fn node_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_electx-node"))
}

/// A port that is free right now (bound to 0, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running `electx-node`, killed on drop.
pub struct Node {
    child: Child,
    /// JSON-RPC port (HTTP and WebSocket).
    pub rpc_port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Node {
    /// Starts `electx-node --dev --tmp` on free ports, with `extra` arguments.
    pub fn dev(extra: &[&str]) -> Node {
        let mut args = vec!["--dev", "--tmp"];
        args.extend_from_slice(extra);
        Node::start(&args)
    }

    /// Starts `electx-node` with `args` on free ports.
    pub fn start(args: &[&str]) -> Node {
        let rpc_port = free_port();
        let p2p_port = free_port();
        let mut cmd = Command::new(node_binary());
        cmd.args(args)
            .args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
            .args(["--rpc-port", &rpc_port.to_string()])
            .args(["--port", &p2p_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start electx-node");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push(line);
            }
        });
        let node = Node { child, rpc_port, log };
        node.wait_for_rpc(Duration::from_secs(60));
        node
    }

    /// The node's log so far (to explain a failure).
    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    fn wait_for_rpc(&self, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.try_rpc("system_health", json!([])).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("the node's RPC did not come up in {timeout:?}; log:\n{}", self.log());
    }

    /// Calls `method` and returns `result`, or the error as text.
    pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, String> {
        rpc_call(self.rpc_port, method, params)
    }

    /// Calls `method`, panicking with the node's log on error.
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params)
            .unwrap_or_else(|e| panic!("{method} failed: {e}; log:\n{}", self.log()))
    }

    /// Number of the block with the given hash (or the best block).
    pub fn block_number(&self, hash: Option<&str>) -> u64 {
        let header = self.rpc("chain_getHeader", json!([hash]));
        let number = header["number"].as_str().expect("hex number");
        u64::from_str_radix(number.trim_start_matches("0x"), 16).expect("number")
    }

    /// Number of the last finalized block.
    pub fn finalized_number(&self) -> u64 {
        let hash = self.rpc("chain_getFinalizedHead", json!([]));
        self.block_number(hash.as_str())
    }
}

/// One JSON-RPC call over HTTP to `127.0.0.1:port`; `result`, or the error as text.
pub fn rpc_call(port: u16, method: &str, params: Value) -> Result<Value, String> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| format!("read: {e}"))?;
    let json_start = response.find("\r\n\r\n").ok_or("no HTTP body")? + 4;
    let value: Value =
        serde_json::from_str(&response[json_start..]).map_err(|e| format!("json: {e}"))?;
    match value.get("error") {
        Some(err) => Err(err.to_string()),
        None => Ok(value["result"].clone()),
    }
}

impl Node {
    /// Stops the node and waits for it to exit.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates `electx-<name>-<pid>-<nanos>`.
    pub fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("electx-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// A path inside the directory, as a string.
    pub fn path(&self, sub: &str) -> String {
        self.0.join(sub).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JSON-RPC proxy in front of a node that rewrites some answers: how the tests feed the
/// verifier tampered chain data. `tamper(method, params, result)` may change `result`.
pub struct TamperingProxy {
    /// The proxy's port.
    pub port: u16,
}

impl TamperingProxy {
    /// Starts the proxy in a background thread (it lives until the test process ends).
    pub fn start(
        node_port: u16,
        tamper: impl Fn(&str, &Value, &mut Value) + Send + Sync + 'static,
    ) -> TamperingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let tamper = Arc::new(tamper);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let tamper = tamper.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, node_port, &*tamper);
                });
            }
        });
        TamperingProxy { port }
    }
}

fn serve_one(
    mut stream: TcpStream,
    node_port: u16,
    tamper: &dyn Fn(&str, &Value, &mut Value),
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        // Request line and headers.
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let method = request["method"].as_str().unwrap_or_default().to_owned();
        let params = request["params"].clone();
        let answer = match rpc_call(node_port, &method, params.clone()) {
            Ok(mut result) => {
                tamper(&method, &params, &mut result);
                json!({"jsonrpc": "2.0", "id": request["id"], "result": result})
            }
            Err(e) => json!({"jsonrpc": "2.0", "id": request["id"],
                             "error": {"code": -32000, "message": e}}),
        };
        let out = answer.to_string();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            out.len(),
            out
        )?;
    }
}
