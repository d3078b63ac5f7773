// The real system under the browser tests: a dev node (`electx-node --dev --tmp`) and the
// gateway (`electx-gateway --dev-mode`) serving frontend/, both on free local ports, both
// stopped by stop() and, failing that, when the test process exits.
//
// Env:
//   ELECTX_NODE     node binary     (default $CARGO_TARGET_DIR/release/electx-node)
//   ELECTX_GATEWAY  gateway binary  (default $CARGO_TARGET_DIR/release/electx-gateway)
//   CARGO_TARGET_DIR / ELECTX_TARGET_DIR  (default ~/.cache/electx/target, as scripts/env.sh)
//   ELECTX_BROWSER_LOGS  keep the node's and gateway's logs in this folder
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { ROOT } from "./browser.mjs";

export const TARGET_DIR =
  process.env.ELECTX_TARGET_DIR || process.env.CARGO_TARGET_DIR || path.join(os.homedir(), ".cache/electx/target");
export const ELECTX_NODE = process.env.ELECTX_NODE || path.join(TARGET_DIR, "release/electx-node");
export const ELECTX_GATEWAY = process.env.ELECTX_GATEWAY || path.join(TARGET_DIR, "release/electx-gateway");
export const ADMIN_TOKEN = "test-admin-token";

// zombienet/lib/electx.js reads ELECTX_NODE at load time (for `election-key generate`).
process.env.ELECTX_NODE = ELECTX_NODE;
const require = createRequire(import.meta.url);
/** The shared chain helpers of the zombienet and Polkadot.js tests (CommonJS). */
export const E = require("../../../zombienet/lib/electx.js");

const children = new Set();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Fails early, with what to do, when a binary is not built. */
export function requireBinaries() {
  const missing = [ELECTX_NODE, ELECTX_GATEWAY].filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(`not built: ${missing.join(", ")} (scripts/build.sh, or set ELECTX_NODE / ELECTX_GATEWAY)`);
  }
}

/** Spawns `bin args`, keeping the last 40 kB of its output (and a log file if asked). */
function start(name, bin, args) {
  const child = spawn(bin, args.map(String), { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.name = name;
  child.output = "";
  const logDir = process.env.ELECTX_BROWSER_LOGS;
  const logFile = logDir ? fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: "a" }) : null;
  const keep = (d) => {
    child.output = (child.output + d.toString()).slice(-40_000);
    logFile?.write(d);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.once("exit", () => {
    children.delete(child);
    logFile?.end();
  });
  return child;
}

async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await gone;
  clearTimeout(t);
}

/**
 * Starts a dev node; resolves with `{ rpcPort, wsUrl, api, stop() }` once its RPC answers
 * (`api`: a connected @polkadot/api ApiPromise, for installing the tally key).
 */
export async function startNode() {
  const [rpc, p2p] = [await freePort(), await freePort()];
  const args = ["--dev", "--tmp", "--rpc-port", rpc, "--port", p2p, "--rpc-methods", "unsafe"];
  args.push("--offchain-worker", "always", "--no-prometheus", "--no-telemetry", "--no-mdns");
  const child = start("node", ELECTX_NODE, args);
  const wsUrl = `ws://127.0.0.1:${rpc}`;
  let api;
  try {
    const deadline = Date.now() + 60_000;
    while (!(await portOpen(rpc))) {
      if (child.exitCode !== null) throw new Error(`electx-node exited (${child.exitCode}):\n${child.output}`);
      if (Date.now() > deadline) throw new Error(`node RPC port ${rpc} not open after 60 s:\n${child.output}`);
      await sleep(300);
    }
    api = await E.connect(wsUrl, 30_000);
  } catch (e) {
    await stopChild(child); // its pipes would keep the test process alive
    throw e;
  }
  return {
    rpcPort: rpc,
    wsUrl,
    api,
    child,
    async stop() {
      await api.disconnect().catch(() => {});
      await stopChild(child);
    },
  };
}

/**
 * Starts a gateway in dev mode on a fresh SQLite database, serving frontend/; resolves
 * with `{ url, stop() }` once `GET /health` answers 200 (database and chain ok).
 * `codeTtlSeconds` / `codeResendSeconds` shorten the SMS code timers for tests.
 */
export async function startGateway(node, { codeTtlSeconds, codeResendSeconds, extraArgs = [] } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "electx-browser-gw-"));
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "--dev-mode",
    "--listen", `127.0.0.1:${port}`,
    "--public-url", url,
    "--database-url", `sqlite://${path.join(dir, "gw.db")}`,
    "--node-url", node.wsUrl,
    "--admin-token", ADMIN_TOKEN,
    "--frontend-dir", path.join(ROOT, "frontend"),
  ];
  if (codeTtlSeconds !== undefined) args.push("--code-ttl-seconds", codeTtlSeconds);
  if (codeResendSeconds !== undefined) args.push("--code-resend-seconds", codeResendSeconds);
  args.push(...extraArgs);
  const child = start(`gateway-${port}`, ELECTX_GATEWAY, args);
  try {
    const deadline = Date.now() + 60_000;
    let last = "";
    for (;;) {
      if (child.exitCode !== null) throw new Error(`electx-gateway exited (${child.exitCode}):\n${child.output}`);
      try {
        const r = await fetch(`${url}/health`);
        if (r.status === 200) break;
        last = `${r.status} ${await r.text()}`;
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`gateway not healthy after 60 s (${last}):\n${child.output}`);
      await sleep(300);
    }
  } catch (e) {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    child,
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------
// Direct API use (set-up steps that are not what a test checks)

/** Admin API call with the test token; throws with the answer on a non-2xx. */
export async function adminApi(gw, method, route, body) {
  const r = await fetch(`${gw.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const rfc3339 = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Creates an election through the admin API opening `opensInSec` from now and lasting
 * `lengthSec`; returns the gateway's answer plus `{ title, options }`.
 */
export async function createElection(gw, { title, options, publicKey, opensInSec = 12, lengthSec = 600, allowRevote = false }) {
  const now = Date.now();
  const r = await adminApi(gw, "POST", "/api/admin/elections", {
    title,
    options,
    opens_at: rfc3339(now + opensInSec * 1000),
    closes_at: rfc3339(now + (opensInSec + lengthSec) * 1000),
    allow_revote: allowRevote,
    public_key: publicKey,
  });
  return { ...r, title, options };
}

/** Polls `GET /api/elections/{id}` until `done(election)`; returns the election. */
export async function waitForElection(gw, id, done, { timeoutMs = 120_000, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    const r = await fetch(`${gw.url}/api/elections/${id}`);
    if (r.ok) {
      last = await r.json();
      if (done(last)) return last;
    }
    if (Date.now() > deadline) throw new Error(`election ${id}: ${what} not reached in ${timeoutMs / 1000} s (last: ${JSON.stringify(last)})`);
    await sleep(1000);
  }
}

/**
 * A voter driven over HTTP (no browser): a tiny cookie jar plus the CSRF header.
 * Used to put votes on the chain before a dashboard test looks at them.
 */
export class HttpVoter {
  constructor(gw, voter) {
    this.gw = gw;
    this.voter = voter;
    this.cookies = new Map();
  }

  async call(method, route, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (method !== "GET" && this.cookies.has("electx_csrf")) headers["X-CSRF-Token"] = this.cookies.get("electx_csrf");
    const r = await fetch(`${this.gw.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    const text = await r.text();
    const data = text ? JSON.parse(text) : null;
    if (!r.ok) throw Object.assign(new Error(`${method} ${route}: ${r.status} ${text}`), { status: r.status, data });
    return data;
  }

  /** Registers, asks for a code, reads it from the dev outbox and signs in. */
  async signUpAndIn() {
    const v = this.voter;
    await this.call("GET", "/api/session");
    await this.call("POST", "/api/register", v);
    await this.call("POST", "/api/login", { id_number: v.id_number, phone: v.phone });
    const tail = v.phone.slice(-2);
    let code = null;
    for (let i = 0; i < 40 && !code; i++) {
      const sms = await this.call("GET", "/api/dev/sms");
      const m = sms.find((s) => s.to.endsWith(tail));
      code = m && (m.body.match(/\b(\d{6})\b/) || [])[1];
      if (!code) await sleep(250);
    }
    if (!code) throw new Error(`no SMS code for ${v.phone} in the outbox`);
    await this.call("POST", "/api/login/verify", { id_number: v.id_number, code });
  }

  async vote(election, choice) {
    return this.call("POST", `/api/elections/${election}/ballots`, { choice, request_id: crypto.randomUUID() });
  }

  /** Polls the vote until it is finalized (or fails); returns it. */
  async waitForVote(id, { timeoutMs = 90_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.call("GET", `/api/votes/${id}`);
      if (v.status === "finalized") return v;
      if (v.status === "failed") throw new Error(`vote ${id} failed: ${JSON.stringify(v.error)}`);
      if (Date.now() > deadline) throw new Error(`vote ${id} still ${v.status} after ${timeoutMs / 1000} s`);
      await sleep(1000);
    }
  }
}

/**
 * Awaits every promise; resolves with their values in order, or rejects with the first
 * failure only after all have settled, so that an `after()` hook can stop whatever did
 * start (a Promise.all rejection would leave a launched browser unowned and the test
 * process hanging).
 */
export async function settleAll(promises, assign) {
  const results = await Promise.allSettled(promises);
  assign(results.map((r) => (r.status === "fulfilled" ? r.value : undefined)));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** A fresh election key pair (`electx-node election-key generate`) in a temp folder. */
export function electionKey() {
  return E.generateElectionKey(fs.mkdtempSync(path.join(os.tmpdir(), "electx-browser-key-")));
}
