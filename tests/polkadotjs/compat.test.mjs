// Polkadot.js compatibility of ElectX Chain: run with `node --test tests/polkadotjs/`.
//
// Starts its own dev node (`electx-node --dev --tmp` on free ports) and always stops it.
// Env: ELECTX_NODE (node binary), ELECTX_MAKE_BALLOT (electx-crypto's make_ballot example).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// The helpers are CommonJS (zombienet require()s its js-scripts); load @polkadot/* the
// same way so that one copy of each package is in use.
const require = createRequire(import.meta.url);
const E = require("../../zombienet/lib/electx.js");
const { u8aToHex, hexToU8a } = require("@polkadot/util");
const { encodeAddress, mnemonicGenerate } = require("@polkadot/util-crypto");

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PALLET_SRC = path.resolve(HERE, "../../pallets/voting/src/lib.rs");

// ---------------------------------------------------------------------------------------
// What the pallet source declares (so the test follows the pallet, not a copy of it).

function enumVariants(src, header) {
  const start = src.indexOf(header);
  assert.ok(start >= 0, `${header} not found in the pallet source`);
  const body = src.slice(start + header.length);
  const end = body.search(/\n {4}\}/);
  return [...body.slice(0, end).matchAll(/^ {8}([A-Z]\w*)\b/gm)].map((m) => m[1]);
}

function palletDeclarations() {
  const src = fs.readFileSync(PALLET_SRC, "utf8");
  return {
    storage: [...src.matchAll(/#\[pallet::storage\][^\n]*\n(?:\s*#\[[^\n]*\n)*\s*pub type (\w+)/g)].map(
      (m) => m[1],
    ),
    calls: [...src.matchAll(/#\[pallet::call_index\((\d+)\)\][\s\S]*?pub fn (\w+)\(/g)].map((m) => ({
      index: Number(m[1]),
      name: m[2],
    })),
    events: enumVariants(src, "pub enum Event<T: Config> {"),
    errors: enumVariants(src, "pub enum Error<T> {"),
    constants: [...src.matchAll(/#\[pallet::constant\]\s*\n\s*type (\w+)/g)].map((m) => m[1]),
  };
}

const camel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);

// ---------------------------------------------------------------------------------------
// The dev node.

function freePort() {
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

let node = null;
let nodeLog = "";
let api = null;

async function startDevNode() {
  const [rpc, p2p, prom] = [await freePort(), await freePort(), await freePort()];
  const args = ["--dev", "--tmp", "--rpc-port", rpc, "--port", p2p, "--prometheus-port", prom];
  // The off-chain worker tallies (the key goes in over the local, unsafe RPC).
  args.push("--no-telemetry", "--no-mdns", "--offchain-worker", "always", "--rpc-methods", "unsafe");
  node = spawn(E.ELECTX_NODE, args.map(String), { stdio: ["ignore", "pipe", "pipe"] });
  const keep = (d) => {
    nodeLog = (nodeLog + d.toString()).slice(-20_000);
  };
  node.stdout.on("data", keep);
  node.stderr.on("data", keep);
  const exited = new Promise((_, reject) =>
    node.once("exit", (code) => reject(new Error(`electx-node exited (${code}):\n${nodeLog}`))),
  );
  exited.catch(() => {});
  // Wait for the RPC port, then connect once.
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(rpc))) {
    if (node.exitCode !== null) await exited;
    if (Date.now() > deadline) throw new Error(`RPC port ${rpc} not open after 60 s:\n${nodeLog}`);
    await E.sleep(300);
  }
  return await Promise.race([E.connect(`ws://127.0.0.1:${rpc}`, 30_000), exited]);
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

async function stopDevNode() {
  if (!node || node.exitCode !== null) return;
  const gone = new Promise((r) => node.once("exit", r));
  node.kill("SIGTERM");
  const t = setTimeout(() => node.kill("SIGKILL"), 10_000);
  await gone;
  clearTimeout(t);
}

process.on("exit", () => {
  if (node && node.exitCode === null) node.kill("SIGKILL");
});

before(async () => {
  api = await startDevNode();
});

after(async () => {
  if (api) await api.disconnect().catch(() => {});
  await stopDevNode();
});

// ---------------------------------------------------------------------------------------

describe("chain and metadata", () => {
  test("chain properties: ELX, 12 decimals, SS58 2026", async () => {
    assert.deepEqual(api.registry.chainTokens, ["ELX"]);
    assert.deepEqual(api.registry.chainDecimals, [12]);
    assert.equal(api.registry.chainSS58, 2026);
    const props = await api.rpc.system.properties();
    assert.equal(props.ss58Format.unwrap().toNumber(), 2026);
    // Addresses are shown in ElectX's format.
    const alice = E.keyring(api).addFromUri("//Alice");
    const account = api.registry.createType("AccountId", alice.publicKey);
    assert.equal(account.toString(), encodeAddress(alice.publicKey, 2026));
    assert.equal(alice.address, encodeAddress(alice.publicKey, 2026));
    // Balances are formatted with the token.
    const { data } = await api.query.system.account(alice.address);
    assert.match(api.createType("Balance", data.free).toHuman(), /ELX$/);
  });

  test("metadata decodes; Voting is pallet 20", async () => {
    assert.ok(api.runtimeMetadata.version >= 14, `metadata v${api.runtimeMetadata.version}`);
    assert.equal(api.runtimeVersion.specName.toString(), "electx");
    const voting = api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === "Voting");
    assert.ok(voting, "no Voting pallet in the metadata");
    assert.equal(voting.index.toNumber(), 20);
    // Every type in the registry decodes from its definition.
    const types = api.runtimeMetadata.asLatest.lookup.types;
    for (const t of types) {
      assert.doesNotThrow(() => api.registry.lookup.getTypeDef(t.id), `type ${t.id}`);
    }
    // The extrinsic carries our transaction extensions, CheckBallot included.
    const exts = api.registry.signedExtensions;
    // (SkipCheckIfFeeless takes the identifier of what it wraps: ChargeTransactionPayment.)
    for (const e of ["CheckBallot", "ChargeTransactionPayment", "CheckMetadataHash", "CheckNonce"]) {
      assert.ok(exts.includes(e), `extension ${e} missing from ${exts}`);
    }
  });

  test("pallet source parses (guards the checks below)", () => {
    const d = palletDeclarations();
    assert.ok(d.storage.length >= 12, `storage: ${d.storage}`);
    assert.ok(d.calls.length >= 8, `calls: ${d.calls.map((c) => c.name)}`);
    assert.ok(d.events.length >= 10, `events: ${d.events}`);
    assert.ok(d.errors.length >= 25, `errors: ${d.errors}`);
    assert.ok(d.constants.length >= 7, `constants: ${d.constants}`);
    for (const e of ["ElectionCreated", "VotersRegistered", "BallotCast", "VotingClosed", "ElectionTallied"]) {
      assert.ok(d.events.includes(e), e);
    }
  });

  test("every Voting storage item is present and typed", () => {
    const { storage } = palletDeclarations();
    const fromMeta = Object.keys(api.query.voting)
      .filter((k) => k !== "palletVersion") // added by @polkadot/api, not in the metadata
      .map((k) => api.query.voting[k].creator.meta.name.toString());
    assert.deepEqual([...fromMeta].sort(), [...storage].sort());
    for (const name of storage) {
      const q = api.query.voting[lowerFirst(name)];
      assert.ok(q, `api.query.voting.${lowerFirst(name)}`);
      const ty = q.creator.meta.type;
      const valueId = ty.isPlain ? ty.asPlain : ty.asMap.value;
      const value = api.registry.createType(api.registry.createLookupType(valueId));
      assert.ok(value, `${name} value type`);
      if (ty.isMap) {
        for (const k of ty.asMap.key ? [ty.asMap.key] : []) {
          assert.ok(api.registry.lookup.getTypeDef(k).type, `${name} key type`);
        }
      }
      assert.ok(q.creator.meta.docs.length > 0, `${name} has docs`);
    }
  });

  test("every Voting call is present with its index and typed arguments", () => {
    const { calls } = palletDeclarations();
    assert.deepEqual(Object.keys(api.tx.voting).sort(), calls.map((c) => camel(c.name)).sort());
    const pallet = api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === "Voting");
    const variants = api.registry.lookup.getSiType(pallet.calls.unwrap().type).def.asVariant.variants;
    for (const { index, name } of calls) {
      const tx = api.tx.voting[camel(name)];
      assert.equal(tx.callIndex[0], 20, `${name} pallet index`);
      assert.equal(tx.callIndex[1], index, `${name} call index`);
      const v = variants.find((x) => x.name.toString() === name);
      assert.ok(v, `${name} in the metadata`);
      assert.deepEqual(
        tx.meta.args.map((a) => a.name.toString()),
        v.fields.map((f) => camel(f.name.unwrap().toString())),
      );
      for (const f of v.fields) {
        assert.ok(f.name.isSome, `${name} has an unnamed argument`);
        const t = api.registry.createType(api.registry.createLookupType(f.type));
        assert.ok(t, `${name}(${f.name})`);
      }
      assert.ok(tx.meta.docs.length > 0, `${name} has docs`);
    }
  });

  test("every Voting event is present with named, typed fields", () => {
    const { events } = palletDeclarations();
    assert.deepEqual(Object.keys(api.events.voting).sort(), [...events].sort());
    for (const name of events) {
      const meta = api.events.voting[name].meta;
      for (const f of meta.fields) {
        assert.ok(f.name.isSome, `${name} has an unnamed field`);
        assert.ok(api.registry.createType(api.registry.createLookupType(f.type)), `${name}.${f.name}`);
      }
      assert.ok(meta.docs.length > 0, `${name} has docs`);
    }
    const fields = (n) => api.events.voting[n].meta.fields.map((f) => f.name.unwrap().toString());
    assert.deepEqual(fields("BallotCast"), ["election", "voter", "tracker"]);
    assert.deepEqual(fields("ElectionTallied"), ["election", "counts", "ballots"]);
  });

  test("every Voting error is present in order, with readable docs", () => {
    const { errors } = palletDeclarations();
    const meta = Object.values(api.errors.voting)
      .map((e) => e.meta)
      .sort((a, b) => a.index.toNumber() - b.index.toNumber());
    assert.deepEqual(
      meta.map((m) => m.name.toString()),
      errors,
    );
    for (const m of meta) {
      const docs = m.docs.map((d) => d.toString()).join(" ").trim();
      assert.ok(docs.length > 10, `${m.name} docs: ${docs}`);
    }
    assert.match(api.errors.voting.NotOnRoll.meta.docs.join(" "), /roll/);
  });

  test("every Voting constant is present and typed", () => {
    const { constants } = palletDeclarations();
    assert.deepEqual(Object.keys(api.consts.voting).sort(), constants.map(lowerFirst).sort());
    const expected = {
      maxOptions: 64,
      maxTitleLen: 128,
      maxOptionNameLen: 64,
      maxVotersPerCall: 500,
      maxElectionsPerBlock: 16,
      maxBallotsPerVoter: 5,
      maxRegistrars: 8,
    };
    for (const [k, v] of Object.entries(expected)) {
      assert.equal(api.consts.voting[k].toNumber(), v, k);
    }
  });
});

describe("an election through @polkadot/api", () => {
  const OPTIONS = ["Ayes", "Noes", "Abstain"];
  let kr, alice, ferdie, voter, outsider, key, ctx;

  before(async () => {
    kr = E.keyring(api);
    alice = kr.addFromUri("//Alice");
    ferdie = kr.addFromUri("//Ferdie");
    // Fresh accounts with no tokens: the voter's ballot is free.
    voter = kr.addFromUri(mnemonicGenerate());
    outsider = kr.addFromUri(mnemonicGenerate());
    key = E.generateElectionKey(fs.mkdtempSync(path.join(os.tmpdir(), "electx-pjs-")));
    // Test shortcut for `electx-node election-key install` (which needs the node stopped).
    await E.installKeyViaRpc(api, key.secret, key.publicKey);
  });

  after(() => {
    if (key) fs.rmSync(path.dirname(key.file), { recursive: true, force: true });
  });

  test("sudo creates an election; ElectionCreated decodes with named fields", async () => {
    const e = await E.createElection(api, alice, {
      title: "Polkadot.js election",
      options: OPTIONS,
      publicKey: key.publicKey,
      opensIn: 3,
      length: 8,
    });
    ctx = { ...e, publicKey: key.publicKey, options: OPTIONS };
    assert.deepEqual(Object.keys(e.event.toHuman().data), ["election", "opensAt", "closesAt", "options"]);
    assert.equal(e.event.data.options.toNumber(), OPTIONS.length);
    const stored = (await api.query.voting.elections(ctx.id)).unwrap();
    assert.equal(stored.title.toUtf8(), "Polkadot.js election");
    assert.deepEqual(stored.options.map((o) => o.toUtf8()), OPTIONS);
    assert.equal(stored.publicKey.toHex(), key.publicKey);
    assert.equal(stored.opensAt.toNumber(), ctx.opensAt);
    assert.equal((await api.query.voting.nextElectionId()).toNumber(), ctx.id + 1);
    assert.ok((await api.query.voting.openingAt(ctx.opensAt)).some((id) => id.toNumber() === ctx.id));
  });

  test("the registrar (Ferdie) registers a voter; VotersRegistered decodes", async () => {
    const r = await E.registerVoters(api, ferdie, ctx.id, [voter.address]);
    const ev = r.events.find(({ event }) => api.events.voting.VotersRegistered.is(event)).event;
    assert.deepEqual(ev.toHuman().data, { election: String(ctx.id), added: "1", rollSize: "1" });
    assert.ok((await api.query.voting.roll(ctx.id, voter.address)).isSome);
    assert.equal((await api.query.voting.rollSize(ctx.id)).toNumber(), 1);
    const regs = (await api.query.voting.registrars()).map((a) => a.toString());
    assert.ok(regs.includes(ferdie.address));
  });

  test("a non-registrar is refused with the named error", async () => {
    await assert.rejects(
      E.submit(api, api.tx.voting.registerVoters(ctx.id, [outsider.address]), alice),
      /voting\.NotRegistrar/,
    );
  });

  test("the voter casts a ballot made by electx-crypto; BallotCast has election/voter/tracker", async () => {
    await E.waitForBlock(api, ctx.opensAt, { timeoutMs: 60_000 });
    const [ballot] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(voter.publicKey), choice: 1 }],
    });
    const before = await api.query.system.account(voter.address);
    assert.equal(before.data.free.toBigInt(), 0n, "the voter holds no tokens");

    const r = await E.submit(api, api.tx.voting.castBallot(ctx.id, ballot), voter);
    const ev = r.events.find(({ event }) => api.events.voting.BallotCast.is(event)).event;
    assert.equal(ev.data.election.toNumber(), ctx.id);
    assert.equal(ev.data.voter.toString(), voter.address);
    assert.equal(ev.data.tracker.length, 32);
    const human = ev.toHuman().data;
    assert.deepEqual(Object.keys(human), ["election", "voter", "tracker"]);

    // Stored state decodes: the ballot, the vote record, the running tally.
    const rec = (await api.query.voting.votesFor(ctx.id, voter.address)).unwrap();
    assert.equal(rec.tracker.toHex(), ev.data.tracker.toHex());
    assert.equal(rec.ballots.toNumber(), 1);
    const stored = (await api.query.voting.ballots(ctx.id, voter.address)).unwrap();
    assert.equal(stored.toHex(), ballot, "the stored ballot re-encodes to the submitted bytes");
    assert.equal((await api.query.voting.ballotCount(ctx.id)).toNumber(), 1);
    assert.ok((await api.query.voting.tallies(ctx.id)).isSome);
    assert.ok((await api.query.voting.results(ctx.id)).isNone);

    // Free: no fee event charged the voter, who still has nothing.
    assert.ok(!r.events.some(({ event }) => api.events.transactionPayment?.TransactionFeePaid?.is(event) && event.data.actualFee.toBigInt() > 0n));
    const afterAcc = await api.query.system.account(voter.address);
    assert.equal(afterAcc.data.free.toBigInt(), 0n);
  });

  test("runtime API VotingApi decodes through api.call", async () => {
    assert.ok(api.call.votingApi, "VotingApi missing from the metadata's runtime APIs");
    assert.equal(u8aToHex(await api.call.votingApi.genesisHash()), api.genesisHash.toHex());
    const ids = (await api.call.votingApi.elections(0, 10)).map((x) => x.toNumber());
    assert.ok(ids.includes(ctx.id));
    assert.equal((await api.call.votingApi.isOnRoll(ctx.id, voter.address)).isTrue, true);
    const tracker = await api.call.votingApi.tracker(ctx.id, voter.address);
    assert.ok(tracker.isSome);
  });

  test("a corrupted ballot is rejected by the pool with InvalidBallot's code", async () => {
    const other = kr.addFromUri(mnemonicGenerate());
    await E.registerVoters(api, ferdie, ctx.id, [other.address]);
    const [ballot] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(other.publicKey), choice: 0 }],
    });
    // Flip the low byte of the last proof response (a canonical scalar stays canonical):
    // the ballot still decodes, but its proofs no longer verify.
    const bytes = hexToU8a(ballot);
    bytes[bytes.length - 32] ^= 0x01;
    const code = api.errors.voting.InvalidBallot.meta.index.toNumber();
    await assert.rejects(
      E.submit(api, api.tx.voting.castBallot(ctx.id, u8aToHex(bytes)), other),
      new RegExp(`Invalid Transaction: Custom error: ${code}\\b`),
    );
    // A ballot that is not even a valid encoding (a non-canonical group element) is
    // refused too: the node cannot decode the transaction.
    const garbage = hexToU8a(ballot);
    garbage.fill(0xff, 1, 33);
    await assert.rejects(E.submit(api, api.tx.voting.castBallot(ctx.id, u8aToHex(garbage)), other));
    // A valid ballot made for another voter does not verify for this signer either.
    const [forVoter] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(voter.publicKey), choice: 0 }],
    });
    await assert.rejects(
      E.submit(api, api.tx.voting.castBallot(ctx.id, forVoter), other),
      new RegExp(`Custom error: ${code}\\b`),
    );
    assert.ok((await api.query.voting.votesFor(ctx.id, other.address)).isNone);
  });

  test("a double vote is rejected by the pool with AlreadyVoted's code", async () => {
    const [again] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(voter.publicKey), choice: 2 }],
    });
    const code = api.errors.voting.AlreadyVoted.meta.index.toNumber();
    await assert.rejects(
      E.submit(api, api.tx.voting.castBallot(ctx.id, again), voter),
      new RegExp(`Invalid Transaction: Custom error: ${code}\\b`),
    );
    assert.equal((await api.query.voting.ballotCount(ctx.id)).toNumber(), 1);
  });

  test("a voter who is not on the roll is rejected with NotOnRoll's code", async () => {
    // Alice exists (she has tokens) but is not on this election's roll.
    const [ballot] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(alice.publicKey), choice: 0 }],
    });
    const code = api.errors.voting.NotOnRoll.meta.index.toNumber();
    await assert.rejects(
      E.submit(api, api.tx.voting.castBallot(ctx.id, ballot), alice),
      new RegExp(`Invalid Transaction: Custom error: ${code}\\b`),
    );
    // An account that does not exist at all (no tokens, no roll entry) is refused
    // earlier, by CheckNonce, as unable to pay.
    const [ballot2] = E.makeBallots({
      genesis: api.genesisHash.toHex(),
      election: ctx.id,
      publicKey: ctx.publicKey,
      options: OPTIONS.length,
      pairs: [{ voter: u8aToHex(outsider.publicKey), choice: 0 }],
    });
    await assert.rejects(
      E.submit(api, api.tx.voting.castBallot(ctx.id, ballot2), outsider),
      /Invalid Transaction: Inability to pay some fees/,
    );
  });

  test("voting opens and closes; the tallier's result decodes (ElectionTallied, Results)", async () => {
    await E.waitForBlock(api, ctx.closesAt, { timeoutMs: 90_000 });
    const eventsAt = async (n) =>
      (await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events()).map((r) => r.event);
    const opened = (await eventsAt(ctx.opensAt)).find((e) => api.events.voting.VotingOpened.is(e));
    assert.deepEqual(opened.toHuman().data, { election: String(ctx.id) });
    const closed = (await eventsAt(ctx.closesAt)).find((e) => api.events.voting.VotingClosed.is(e));
    assert.deepEqual(closed.toHuman().data, { election: String(ctx.id), ballots: "1" });

    const tally = await E.waitForTally(api, ctx.id, 60_000);
    assert.deepEqual(tally.counts, [0, 1, 0]);
    assert.equal(tally.ballots, 1);
    const ev = (await eventsAt(tally.talliedAt)).find((e) => api.events.voting.ElectionTallied.is(e));
    assert.deepEqual(ev.toHuman().data, { election: String(ctx.id), counts: ["0", "1", "0"], ballots: "1" });
    const result = (await api.query.voting.results(ctx.id)).unwrap();
    assert.equal(result.proofs.length, OPTIONS.length);
    const viaApi = (await api.call.votingApi.result(ctx.id)).unwrap();
    assert.deepEqual(viaApi.counts.map((c) => c.toNumber()), [0, 1, 0]);
  });
});
