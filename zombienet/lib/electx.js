// Shared helpers for the ElectX zombienet js-scripts (CommonJS: zombienet loads
// js-scripts with require()). Every helper throws on failure, so a js-script step
// fails with the reason in zombienet's output.
//
// Environment:
//   ELECTX_NODE         electx-node binary (for `election-key generate`)
//   ELECTX_MAKE_BALLOT  the make_ballot example of electx-crypto (encrypts ballots)
//   (defaults: $ELECTX_TARGET_DIR or ~/.cache/electx/target, release/ and release/examples/)
"use strict";

const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
const { u8aToHex, hexToU8a, stringToU8a, u8aConcat } = require("@polkadot/util");
const { cryptoWaitReady } = require("@polkadot/util-crypto");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// Defaults: where scripts/build.sh puts them (scripts/env.sh).
const TARGET_DIR = process.env.ELECTX_TARGET_DIR || path.join(os.homedir(), ".cache/electx/target");
const ELECTX_NODE = process.env.ELECTX_NODE || path.join(TARGET_DIR, "release/electx-node");
const MAKE_BALLOT =
  process.env.ELECTX_MAKE_BALLOT || path.join(TARGET_DIR, "release/examples/make_ballot");

/** Off-chain storage key prefix the tallier reads (pallets/voting/src/offchain.rs). */
const SECRET_KEY_PREFIX = "electx/tallier/secret/";

/** Our runtime's own transaction extension: no payload, no implicit data. */
const SIGNED_EXTENSIONS = { CheckBallot: { extrinsic: {}, payload: {} } };

function log(...args) {
  const t = new Date().toISOString().slice(11, 23);
  console.log(`    [electx ${t}]`, ...args);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects after `ms` with `what` in the message, unless `promise` settles first. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function connect(uri, timeoutMs = 60_000) {
  await cryptoWaitReady();
  const provider = new WsProvider(uri, 1000);
  try {
    return await withTimeout(
      ApiPromise.create({ provider, signedExtensions: SIGNED_EXTENSIONS, noInitWarn: true }),
      timeoutMs,
      `connecting to ${uri}`,
    );
  } catch (e) {
    // Stop the provider's reconnect loop, or it keeps the process alive.
    await provider.disconnect().catch(() => {});
    throw e;
  }
}

function keyring(api) {
  return new Keyring({ type: "sr25519", ss58Format: api.registry.chainSS58 });
}

/** `pallet.Error` (with docs) for a DispatchError. */
function describeDispatchError(api, err) {
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return `${meta.section}.${meta.name}: ${meta.docs.join(" ")}`;
  }
  return err.toString();
}

/**
 * Signs and sends `tx`; resolves when it is in a block (or finalized with
 * `{ finalized: true }`) with `{ blockHash, blockNumber, events }`. Rejects when the
 * pool refuses it (the RPC error, e.g. `1010: Invalid Transaction: Custom error: 13`),
 * when it is dropped/invalidated, or when it fails to dispatch (the named error).
 */
function submit(api, tx, signer, opts = {}) {
  const label = opts.label || `${tx.method.section}.${tx.method.method}`;
  const wantFinal = !!opts.finalized;
  return new Promise((resolve, reject) => {
    let unsub = null;
    let done = false;
    const finish = (fn, arg) => {
      if (done) return;
      done = true;
      if (unsub) unsub();
      fn(arg);
    };
    tx.signAndSend(signer, opts.nonce !== undefined ? { nonce: opts.nonce } : {}, (res) => {
      const { status, events, dispatchError } = res;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${label}: transaction ${status.type}`));
        return;
      }
      const hash = wantFinal
        ? status.isFinalized && status.asFinalized
        : (status.isInBlock && status.asInBlock) || (status.isFinalized && status.asFinalized);
      if (!hash) return;
      if (dispatchError) {
        finish(reject, new Error(`${label}: ${describeDispatchError(api, dispatchError)}`));
        return;
      }
      api.rpc.chain
        .getHeader(hash)
        .then((h) =>
          finish(resolve, { blockHash: hash.toHex(), blockNumber: h.number.toNumber(), events }),
        )
        .catch((e) => finish(reject, e));
    })
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch((e) => finish(reject, new Error(`${label}: ${e.message}`)));
  });
}

/** Dispatches `call` through `sudo.sudo` and checks the inner result. */
async function sudo(api, call, sudoPair, opts = {}) {
  const r = await submit(api, api.tx.sudo.sudo(call), sudoPair, {
    label: `sudo(${call.method.section}.${call.method.method})`,
    ...opts,
  });
  const sudid = r.events.find(({ event }) => api.events.sudo.Sudid.is(event));
  if (!sudid) throw new Error("sudo: no Sudid event");
  const result = sudid.event.data[0];
  if (result.isErr) throw new Error(`sudo: inner call failed: ${describeDispatchError(api, result.asErr)}`);
  return r;
}

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

async function finalizedNumber(api) {
  const h = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(h)).number.toNumber();
}

/** Resolves with the block number once the best (or finalized) head reaches `n`. */
function waitForBlock(api, n, { finalized = false, timeoutMs = 120_000 } = {}) {
  const sub = finalized ? api.rpc.chain.subscribeFinalizedHeads : api.rpc.chain.subscribeNewHeads;
  let unsub = null;
  const p = new Promise((resolve, reject) => {
    sub((header) => {
      const num = header.number.toNumber();
      if (num >= n) resolve(num);
    })
      .then((u) => (unsub = u))
      .catch(reject);
  });
  return withTimeout(p, timeoutMs, `${finalized ? "finalized" : "best"} block #${n}`).finally(
    () => unsub && unsub(),
  );
}

/** Runs `electx-node election-key generate`; returns `{ secret, publicKey, file }` (hex). */
function generateElectionKey(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `election-key-${process.pid}-${Date.now()}.hex`);
  const out = execFileSync(ELECTX_NODE, ["election-key", "generate", "--out", file], {
    encoding: "utf8",
  });
  const m = out.match(/public key:\s*(0x[0-9a-fA-F]{64})/);
  if (!m) throw new Error(`election-key generate printed no public key: ${out}`);
  const secret = fs.readFileSync(file, "utf8").trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(secret)) throw new Error(`unexpected key file content in ${file}`);
  return { secret, publicKey: m[1].toLowerCase(), file };
}

/**
 * TEST SHORTCUT: installs an election secret key into a *running* node's off-chain
 * persistent storage through the unsafe RPC `offchain_localStorageSet` (zombienet starts
 * nodes with `--rpc-methods unsafe`). The key and value are those that
 * `electx-node election-key install` writes into a stopped node's database
 * (node/src/election_key.rs): key = "electx/tallier/secret/" ++ public key (32 bytes),
 * value = the 32 raw secret bytes. Operators use `election-key install`.
 */
async function installKeyViaRpc(api, secretHex, publicKeyHex) {
  const key = u8aToHex(u8aConcat(stringToU8a(SECRET_KEY_PREFIX), hexToU8a(publicKeyHex)));
  await api.rpc.offchain.localStorageSet("PERSISTENT", key, secretHex);
  const back = await api.rpc.offchain.localStorageGet("PERSISTENT", key);
  if (back.isNone || back.unwrap().toHex() !== secretHex.toLowerCase()) {
    throw new Error("offchain_localStorageGet does not return the installed key");
  }
  return key;
}

/** Ballot hexes from the make_ballot helper, one per `{ voter, choice }` (voter = account hex). */
function makeBallots({ genesis, election, publicKey, options, pairs }) {
  const args = ["--genesis", genesis, "--election", String(election), "--public-key", publicKey];
  args.push("--options", String(options));
  for (const { voter, choice } of pairs) args.push("--voter", voter, "--choice", String(choice));
  const out = execFileSync(MAKE_BALLOT, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  const lines = out.split("\n").filter((l) => l.startsWith("0x"));
  if (lines.length !== pairs.length) throw new Error(`make_ballot printed ${lines.length} ballots`);
  return lines;
}

/** Creates an election through sudo; returns `{ id, opensAt, closesAt, createdIn }`. */
async function createElection(api, sudoPair, { title, options, publicKey, opensIn, length }) {
  const best = await bestNumber(api);
  const opensAt = best + opensIn;
  const closesAt = opensAt + length;
  const call = api.tx.voting.createElection(title, options, 1, 1, publicKey, opensAt, closesAt, false);
  const r = await sudo(api, call, sudoPair);
  const ev = r.events.find(({ event }) => api.events.voting.ElectionCreated.is(event));
  if (!ev) throw new Error("no ElectionCreated event");
  const id = ev.event.data.election.toNumber();
  log(`election ${id} created in #${r.blockNumber}: opens #${opensAt}, closes #${closesAt}`);
  return { id, opensAt, closesAt, createdIn: r.blockNumber, event: ev.event };
}

async function registerVoters(api, registrarPair, id, addresses) {
  const r = await submit(api, api.tx.voting.registerVoters(id, addresses), registrarPair);
  const ev = r.events.find(({ event }) => api.events.voting.VotersRegistered.is(event));
  if (!ev) throw new Error("no VotersRegistered event");
  log(`registered ${ev.event.data.added} voters in #${r.blockNumber} (roll ${ev.event.data.roll_size ?? ev.event.data.rollSize})`);
  return r;
}

/** Deterministic voter keys for an election run: `//ElectxVoter/<run>/<i>`. */
function voterPairs(api, run, n) {
  const kr = keyring(api);
  return Array.from({ length: n }, (_, i) => kr.addFromUri(`//ElectxVoter/${run}/${i}`));
}

/**
 * Casts one ballot per `{ pair, choice }` concurrently; resolves with
 * `[{ address, choice, tracker, blockNumber }]` once every ballot is in a block with its
 * `BallotCast` event (an "acknowledged" ballot). Throws if any ballot is refused.
 */
async function castBallots(api, ctx, voters) {
  const genesis = api.genesisHash.toHex();
  const ballots = makeBallots({
    genesis,
    election: ctx.id,
    publicKey: ctx.publicKey,
    options: ctx.options.length,
    pairs: voters.map(({ pair, choice }) => ({ voter: u8aToHex(pair.publicKey), choice })),
  });
  const results = await Promise.all(
    voters.map(async ({ pair, choice }, i) => {
      const r = await submit(api, api.tx.voting.castBallot(ctx.id, ballots[i]), pair, {
        label: `cast_ballot(voter ${i})`,
      });
      const ev = r.events.find(({ event }) => api.events.voting.BallotCast.is(event));
      if (!ev) throw new Error(`voter ${i}: no BallotCast event`);
      const { election, voter, tracker } = ev.event.data;
      if (election.toNumber() !== ctx.id || voter.toString() !== pair.address) {
        throw new Error(`voter ${i}: BallotCast has the wrong election/voter`);
      }
      return { address: pair.address, choice, tracker: tracker.toHex(), blockNumber: r.blockNumber };
    }),
  );
  log(`${results.length} ballots in blocks ${[...new Set(results.map((r) => r.blockNumber))].join(", ")}`);
  return results;
}

/**
 * Waits until the election has its result on chain (the tallier's off-chain worker
 * submits it after the close); returns `{ counts, ballots, talliedAt, event }` where
 * `event` is the decoded ElectionTallied of the block that stored it.
 */
async function waitForTally(api, id, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.query.voting.results(id);
    if (res.isSome) {
      const r = res.unwrap();
      const talliedAt = r.talliedAt.toNumber();
      const hash = await api.rpc.chain.getBlockHash(talliedAt);
      const events = await (await api.at(hash)).query.system.events();
      const ev = events.find(
        ({ event }) => api.events.voting.ElectionTallied.is(event) && event.data.election.toNumber() === id,
      );
      if (!ev) throw new Error(`no ElectionTallied event in #${talliedAt}`);
      const counts = ev.event.data.counts.map((c) => c.toNumber());
      const stored = r.counts.map((c) => c.toNumber());
      if (JSON.stringify(counts) !== JSON.stringify(stored)) {
        throw new Error(`ElectionTallied counts ${counts} differ from Results ${stored}`);
      }
      log(`election ${id} tallied in #${talliedAt}: counts [${counts}] ballots ${ev.event.data.ballots}`);
      return { counts, ballots: ev.event.data.ballots.toNumber(), talliedAt, hash: hash.toHex() };
    }
    if (Date.now() > deadline) throw new Error(`election ${id}: no result after ${timeoutMs / 1000}s`);
    await sleep(2000);
  }
}

function expectedCounts(options, cast) {
  const counts = new Array(options).fill(0);
  for (const { choice } of cast) counts[choice] += 1;
  return counts;
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

/** Checks every acknowledged ballot is recorded on chain with its tracker (VotesFor). */
async function assertBallotsRecorded(api, id, cast, at) {
  const q = at ? await api.at(at) : api;
  for (const b of cast) {
    const rec = await q.query.voting.votesFor(id, b.address);
    if (rec.isNone) throw new Error(`ballot of ${b.address} is not recorded`);
    if (rec.unwrap().tracker.toHex() !== b.tracker) throw new Error(`tracker of ${b.address} differs`);
  }
}

module.exports = {
  ELECTX_NODE,
  MAKE_BALLOT,
  SIGNED_EXTENSIONS,
  log,
  sleep,
  withTimeout,
  connect,
  keyring,
  submit,
  sudo,
  bestNumber,
  finalizedNumber,
  waitForBlock,
  generateElectionKey,
  installKeyViaRpc,
  makeBallots,
  createElection,
  registerVoters,
  voterPairs,
  castBallots,
  waitForTally,
  expectedCounts,
  assertEqual,
  assertBallotsRecorded,
  describeDispatchError,
  tmpdir: os.tmpdir,
};
