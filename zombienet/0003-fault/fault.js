// zombienet js-script for the fault test, in phases (the zndsl pauses a validator
// between them); state passes between phases in a file of the network's tmp dir.
//   before  (on alice): key, election, voters, first half of the ballots
//   during  (on alice): second half while a validator is down, close, tally, checks;
//           `with "during,stalls"`: the network cannot finalize without the stopped
//           validator (3 validators): checks finality stood still while blocks went on
//   catchup (on any node): the node's finalized head reaches the result (and alice's
//           finalized head), with the same result and block
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const E = require("../lib/electx.js");

const OPTIONS = ["Red", "Green", "Blue"];
const CHOICES = [0, 1, 2, 0, 0, 1, 2, 2]; // voters 0..3 before, 4..7 during: [3, 2, 3]
const FIRST_HALF = 4;
const PAUSED = "bob";

const statePath = (networkInfo) => path.join(networkInfo.tmpDir, "electx-fault-state.json");

async function before(api, networkInfo, nodeName) {
  const kr = E.keyring(api);
  const key = E.generateElectionKey(path.join(networkInfo.tmpDir, "electx-keys"));
  await E.installKeyViaRpc(api, key.secret, key.publicKey);
  E.log(`election key ${key.publicKey} installed on ${nodeName}`);
  // Long enough a window for both halves and the fault between them.
  const election = await E.createElection(api, kr.addFromUri("//Alice"), {
    title: "Zombienet fault election",
    options: OPTIONS,
    publicKey: key.publicKey,
    opensIn: 4,
    length: 8,
  });
  const ctx = { ...election, publicKey: key.publicKey, options: OPTIONS };
  const voters = E.voterPairs(api, "fault", CHOICES.length);
  await E.registerVoters(api, kr.addFromUri("//Ferdie"), ctx.id, voters.map((p) => p.address));
  await E.waitForBlock(api, ctx.opensAt);
  const cast = await E.castBallots(
    api,
    ctx,
    voters.slice(0, FIRST_HALF).map((pair, i) => ({ pair, choice: CHOICES[i] })),
  );
  fs.writeFileSync(statePath(networkInfo), JSON.stringify({ ctx, cast }, null, 2));
}

/** True if the node answers an RPC within `ms` (a paused node does not). */
async function answers(uri, ms) {
  const { WsProvider } = require("@polkadot/api");
  const provider = new WsProvider(uri, 0);
  try {
    await E.withTimeout(provider.connect(), ms, "connect");
    await E.withTimeout(provider.isReady, ms, "ready");
    await E.withTimeout(provider.send("system_health", []), ms, "system_health");
    return true;
  } catch {
    return false;
  } finally {
    provider.disconnect().catch(() => {});
  }
}

async function during(api, networkInfo, finalityStalls) {
  const state = JSON.parse(fs.readFileSync(statePath(networkInfo), "utf8"));
  const { ctx } = state;
  if (await answers(networkInfo.nodesByName[PAUSED].wsUri, 3000)) {
    throw new Error(`${PAUSED} still answers RPC: the fault was not injected`);
  }
  const best0 = await E.bestNumber(api);
  const fin0 = await E.finalizedNumber(api);
  E.log(`${PAUSED} is down; best #${best0}, finalized #${fin0}`);

  const voters = E.voterPairs(api, "fault", CHOICES.length);
  const second = await E.castBallots(
    api,
    ctx,
    voters.slice(FIRST_HALF).map((pair, i) => ({ pair, choice: CHOICES[FIRST_HALF + i] })),
  );
  const cast = [...state.cast, ...second];
  for (const b of cast) {
    if (b.blockNumber >= ctx.closesAt) throw new Error("a ballot landed after the close");
  }

  await E.waitForBlock(api, ctx.closesAt);
  const tally = await E.waitForTally(api, ctx.id);
  E.assertEqual(tally.counts, E.expectedCounts(OPTIONS.length, cast), "tally counts");
  E.assertEqual(tally.ballots, cast.length, "tallied ballots");

  if (finalityStalls) {
    // GRANDPA needs more than 2/3 of the authorities: 2 of 3 cannot finalize. Blocks
    // (and the election) go on in the best chain; finality resumes with the validator.
    await E.sleep(6000);
  } else {
    // Finality went on without the paused validator: the result block is finalized.
    await E.waitForBlock(api, tally.talliedAt, { finalized: true, timeoutMs: 60_000 });
  }
  const best1 = await E.bestNumber(api);
  const fin1 = await E.finalizedNumber(api);
  if (await answers(networkInfo.nodesByName[PAUSED].wsUri, 3000)) {
    throw new Error(`${PAUSED} came back during the outage phase`);
  }
  E.log(`with ${PAUSED} down: best #${best0} -> #${best1}, finalized #${fin0} -> #${fin1}`);
  if (best1 < best0 + 5) throw new Error("block production stalled during the outage");
  if (finalityStalls) {
    // A round already under way when the validator stopped may still conclude.
    if (fin1 > fin0 + 2) throw new Error(`finalized #${fin0} -> #${fin1} without 2/3+1 of 3`);
    await E.assertBallotsRecorded(api, ctx.id, cast, await api.rpc.chain.getBlockHash(best1));
  } else {
    if (fin1 < tally.talliedAt) throw new Error("finality did not reach the result");
    await E.assertBallotsRecorded(api, ctx.id, cast, await api.rpc.chain.getFinalizedHead());
  }
  fs.writeFileSync(statePath(networkInfo), JSON.stringify({ ctx, cast, tally }, null, 2));
}

async function catchup(api, networkInfo, nodeName) {
  const { ctx, cast, tally } = JSON.parse(fs.readFileSync(statePath(networkInfo), "utf8"));
  if (!tally) throw new Error("no tally recorded by the 'during' phase");
  const alice = await E.connect(networkInfo.nodesByName.alice.wsUri);
  try {
    const target = Math.max(await E.finalizedNumber(alice), tally.talliedAt);
    await E.waitForBlock(api, target, { finalized: true, timeoutMs: 90_000 });
    const fin = await api.rpc.chain.getFinalizedHead();
    const res = await (await api.at(fin)).query.voting.results(ctx.id);
    if (res.isNone) throw new Error(`${nodeName} has no result for election ${ctx.id}`);
    E.assertEqual(res.unwrap().counts.map((c) => c.toNumber()), tally.counts, `${nodeName} result`);
    await E.assertBallotsRecorded(api, ctx.id, cast, fin);
    // The same block at the result height on both nodes.
    const mine = (await api.rpc.chain.getBlockHash(tally.talliedAt)).toHex();
    E.assertEqual(mine, tally.hash, `${nodeName} block #${tally.talliedAt}`);
    E.log(`${nodeName}: finalized #${await E.finalizedNumber(api)} (target #${target}), result [${tally.counts}]`);
  } finally {
    await alice.disconnect();
  }
}

async function run(nodeName, networkInfo, args) {
  const phase = args[0];
  const api = await E.connect(networkInfo.nodesByName[nodeName].wsUri);
  try {
    if (phase === "before") await before(api, networkInfo, nodeName);
    else if (phase === "during") await during(api, networkInfo, args[1] === "stalls");
    else if (phase === "catchup") await catchup(api, networkInfo, nodeName);
    else throw new Error(`unknown phase ${phase}`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
