// zombienet js-script: one election over the network, run against the node it is
// attached to (alice, the tallier). See ../README.md.
"use strict";

const path = require("node:path");
const E = require("../lib/electx.js");

const OPTIONS = ["Yes", "No", "Abstain"];
const CHOICES = [0, 1, 0, 2, 0, 1]; // one per voter: expected counts [3, 2, 1]

async function run(nodeName, networkInfo) {
  const api = await E.connect(networkInfo.nodesByName[nodeName].wsUri);
  try {
    const kr = E.keyring(api);
    const alice = kr.addFromUri("//Alice"); // sudo
    const ferdie = kr.addFromUri("//Ferdie"); // registrar in the local preset

    // Key ceremony: the node binary makes the key pair; the secret goes to this node's
    // off-chain storage (test shortcut over RPC: operators use `election-key install`).
    const key = E.generateElectionKey(path.join(networkInfo.tmpDir, "electx-keys"));
    await E.installKeyViaRpc(api, key.secret, key.publicKey);
    E.log(`election key ${key.publicKey} installed on ${nodeName}`);

    const election = await E.createElection(api, alice, {
      title: "Zombienet election",
      options: OPTIONS,
      publicKey: key.publicKey,
      opensIn: 4,
      length: 8,
    });
    const ctx = { ...election, publicKey: key.publicKey, options: OPTIONS };

    const voters = E.voterPairs(api, "election", CHOICES.length);
    await E.registerVoters(api, ferdie, ctx.id, voters.map((p) => p.address));

    await E.waitForBlock(api, ctx.opensAt);
    const cast = await E.castBallots(
      api,
      ctx,
      voters.map((pair, i) => ({ pair, choice: CHOICES[i] })),
    );
    for (const b of cast) {
      if (b.blockNumber >= ctx.closesAt) throw new Error("a ballot landed after the close");
    }

    await E.waitForBlock(api, ctx.closesAt);
    const tally = await E.waitForTally(api, ctx.id);
    E.assertEqual(tally.counts, E.expectedCounts(OPTIONS.length, cast), "tally counts");
    E.assertEqual(tally.ballots, cast.length, "tallied ballots");

    // The result and every ballot are final (GRANDPA), not only in the best chain.
    await E.waitForBlock(api, tally.talliedAt, { finalized: true, timeoutMs: 60_000 });
    const finalized = await api.rpc.chain.getFinalizedHead();
    await E.assertBallotsRecorded(api, ctx.id, cast, finalized);
    E.log(`election ${ctx.id}: result [${tally.counts}] final at #${tally.talliedAt}`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
