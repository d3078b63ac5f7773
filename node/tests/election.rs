//! End-to-end: a whole election on a real `electx-node --dev` — key ceremony, creation
//! through sudo, registration by the registrar, free encrypted ballots from voters with
//! no tokens, refusal of bad ballots by the pool, automatic tally by the off-chain worker
//! with a verified proof, and independent verification by `electx-verify`.

mod common;

use std::{process::Command, time::Duration};

use common::{
    tx::{self, account, pair},
    Node, TempDir,
};
use electx_crypto::{BallotContext, ElectionPublicKey, EncryptedBallot};
use electx_runtime::{RuntimeCall, RuntimeEvent};
use frame_support::BoundedVec;
use pallet_voting::Event as VotingEvent;

fn node_cmd(args: &[&str]) -> std::process::Output {
    Command::new(common::node_binary()).args(args).output().expect("run electx-node")
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn generate_key(path: &str) -> ElectionPublicKey {
    let out = node_cmd(&["election-key", "generate", "--out", path]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let hex_pk =
        stdout.lines().find_map(|l| l.strip_prefix("public key: ")).expect("public key printed");
    let bytes: [u8; 32] = hex::decode(hex_pk.trim_start_matches("0x")).unwrap().try_into().unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the secret key file must be private");
    ElectionPublicKey::from_bytes(&bytes).expect("valid public key")
}

fn install(base: &str, key: &str) -> std::process::Output {
    node_cmd(&["election-key", "install", "--dev", "--base-path", base, "--key-file", key])
}

fn ballot_for(
    node: &Node,
    election: u32,
    pk: &ElectionPublicKey,
    voter: &sp_core::sr25519::Pair,
    choice: u32,
) -> EncryptedBallot {
    let ctx = BallotContext {
        genesis_hash: tx::genesis(node).0,
        election_id: election,
        public_key: pk.clone(),
        voter: account(voter).into(),
        options: 3,
        min_selections: 1,
        max_selections: 1,
    };
    EncryptedBallot::encrypt_choice(&ctx, choice, &mut rand_core::OsRng).expect("encrypt")
}

#[test]
fn an_election_is_cast_tallied_by_the_offchain_worker_and_verified() {
    let dir = TempDir::new("election");
    let base = dir.path("base");
    let key_file = dir.path("election.key");
    let other_key = dir.path("other.key");
    let pk = generate_key(&key_file);
    generate_key(&other_key);
    let out = node_cmd(&["election-key", "generate", "--out", &key_file]);
    assert!(!out.status.success(), "generate must refuse to overwrite a key file");

    let dev = ["--dev", "--base-path", base.as_str(), "--offchain-worker", "always"];
    let node = Node::start(&dev);
    let alice = pair("//Alice");
    let ferdie = pair("//Ferdie");
    let best = node.block_number(None);
    let opens = (best + 5) as u32;
    let closes = opens + 10;

    // The election official creates the election through sudo.
    let options: BoundedVec<BoundedVec<u8, _>, _> = ["Ana", "Bruno", "Carmen"]
        .iter()
        .map(|n| BoundedVec::try_from(n.as_bytes().to_vec()).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let create = RuntimeCall::Voting(pallet_voting::Call::create_election {
        title: BoundedVec::try_from(b"Elecciones de prueba".to_vec()).unwrap(),
        options,
        min_selections: 1,
        max_selections: 1,
        public_key: pk.clone(),
        opens_at: opens,
        closes_at: closes,
        allow_revote: false,
    });
    let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(create) });
    tx::submit(&node, &tx::signed(&node, &alice, sudo)).expect("sudo create_election accepted");
    let (election, _) = tx::wait_for_event(&node, best, Duration::from_secs(60), |e| match e {
        RuntimeEvent::Voting(VotingEvent::ElectionCreated { election, .. }) => Some(*election),
        _ => None,
    });

    // Key ceremony: install the secret on this (stopped) node only.
    node.stop();
    let out = install(&base, &other_key);
    assert!(!out.status.success());
    assert!(text(&out).contains("no election on this chain uses the public key"), "{}", text(&out));
    let out = install(&base, &dir.path("missing.key"));
    assert!(
        !out.status.success() && text(&out).contains("cannot read the key file"),
        "{}",
        text(&out)
    );
    let out = install(&base, &key_file);
    assert!(out.status.success(), "{}", text(&out));
    let out = install(&base, &key_file);
    assert!(text(&out).contains("already installed"), "{}", text(&out));
    let secret_hex = std::fs::read_to_string(&key_file).unwrap();
    assert!(!text(&out).contains(secret_hex.trim().trim_start_matches("0x")));

    let node = Node::start(&dev);
    let voters: Vec<_> = (1..=3).map(|i| pair(&format!("//Voter{i}"))).collect();
    let outsider = pair("//Outsider");
    let roll: BoundedVec<_, _> = voters.iter().map(account).collect::<Vec<_>>().try_into().unwrap();
    let register =
        RuntimeCall::Voting(pallet_voting::Call::register_voters { election, voters: roll });
    let from = node.block_number(None);
    tx::submit(&node, &tx::signed(&node, &ferdie, register)).expect("registrar accepted");
    tx::wait_for_event(&node, from, Duration::from_secs(60), |e| match e {
        RuntimeEvent::Voting(VotingEvent::VotersRegistered { added: 3, .. }) => Some(()),
        _ => None,
    });

    tx::wait_for_block(&node, opens as u64, Duration::from_secs(90));
    let choices = [2u32, 0, 2];
    let from = node.block_number(None);
    let mut trackers = Vec::new();
    for (voter, choice) in voters.iter().zip(choices) {
        let ballot = ballot_for(&node, election, &pk, voter, choice);
        trackers.push(ballot.tracker());
        let call = RuntimeCall::Voting(pallet_voting::Call::cast_ballot {
            election,
            ballot: ballot.into(),
        });
        tx::submit(&node, &tx::signed(&node, voter, call))
            .expect("a voter with no tokens votes for free");
    }
    for (voter, expected) in voters.iter().zip(trackers.iter()) {
        let who = account(voter);
        let (tracker, _) = tx::wait_for_event(&node, from, Duration::from_secs(60), |e| match e {
            RuntimeEvent::Voting(VotingEvent::BallotCast { voter, tracker, .. })
                if *voter == who =>
            {
                Some(*tracker)
            }
            _ => None,
        });
        assert_eq!(&tracker, expected);
    }

    // Bad ballots never get into the pool: a second vote, an outsider, a copied ballot.
    let again = ballot_for(&node, election, &pk, &voters[0], 1);
    let call =
        RuntimeCall::Voting(pallet_voting::Call::cast_ballot { election, ballot: (&again).into() });
    let err =
        tx::submit(&node, &tx::signed(&node, &voters[0], call)).expect_err("double vote refused");
    assert!(err.contains("Custom error"), "{err}");
    let call =
        RuntimeCall::Voting(pallet_voting::Call::cast_ballot { election, ballot: again.into() });
    assert!(tx::submit(&node, &tx::signed(&node, &outsider, call)).is_err(), "outsider refused");

    // After the close the tallier's off-chain worker publishes a verified result.
    let (counts, at) =
        tx::wait_for_event(&node, closes as u64, Duration::from_secs(120), |e| match e {
            RuntimeEvent::Voting(VotingEvent::ElectionTallied { election: id, counts, .. })
                if *id == election =>
            {
                Some(counts.clone().into_inner())
            }
            _ => None,
        });
    assert_eq!(counts, vec![1, 0, 2]);
    assert!(at <= closes as u64 + 2, "tallied at #{at}, close at #{closes}");

    // The verifier reads finalized state: wait until the result is final.
    let start = std::time::Instant::now();
    while node.finalized_number() < at {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "#{at} not finalized; log:\n{}",
            node.log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // Anyone can re-verify the election from chain data alone.
    let genesis = format!("0x{}", hex::encode(tx::genesis(&node).0));
    let url = format!("http://127.0.0.1:{}", node.rpc_port);
    let verify = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_electx-verify")).args(args).output().expect("run verifier")
    };
    let eid = election.to_string();
    let out = verify(&["--url", &url, "--election", &eid, "--genesis", &genesis]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("3 ballots verified") && report.contains("VERIFIED"), "{report}");
    assert!(report.contains("Carmen: 2"), "{report}");

    let wrong = format!("0x{}", "11".repeat(32));
    let out = verify(&["--url", &url, "--election", &eid, "--genesis", &wrong]);
    assert!(!out.status.success());
    assert!(text(&out).contains("the node serves another chain"), "{}", text(&out));
    let out = verify(&["--url", &url, "--election", "99", "--genesis", &genesis]);
    assert!(!out.status.success());
    assert!(text(&out).contains("election 99 does not exist"), "{}", text(&out));

    // Tampered chain data is caught. A node that serves an altered ballot (one byte of a
    // proof flipped, its tracker no longer the recorded one):
    let ballots_prefix = hex::encode(
        [sp_io::hashing::twox_128(b"Voting"), sp_io::hashing::twox_128(b"Ballots")].concat(),
    );
    let proxy = common::TamperingProxy::start(node.rpc_port, move |method, params, result| {
        let key = params[0].as_str().unwrap_or_default();
        if method == "state_getStorage" && key.trim_start_matches("0x").starts_with(&ballots_prefix)
        {
            if let Some(hex_value) = result.as_str() {
                let mut bytes = hex::decode(hex_value.trim_start_matches("0x")).unwrap();
                let last = bytes.len() - 1;
                bytes[last] ^= 0x01;
                *result = serde_json::Value::String(format!("0x{}", hex::encode(bytes)));
            }
        }
    });
    let tampered = format!("http://127.0.0.1:{}", proxy.port);
    let out = verify(&["--url", &tampered, "--election", &eid, "--genesis", &genesis]);
    assert!(!out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("tracker mismatch")
            || report.contains("does not decode")
            || report.contains("does not verify"),
        "{report}"
    );
    // A node that serves another result (counts swapped) with the original proofs:
    let results_key =
        hex::encode(pallet_voting::Results::<electx_runtime::Runtime>::hashed_key_for(election));
    let proxy = common::TamperingProxy::start(node.rpc_port, move |method, params, result| {
        let key = params[0].as_str().unwrap_or_default();
        if method == "state_getStorage" && key.trim_start_matches("0x") == results_key {
            let raw = hex::decode(result.as_str().unwrap().trim_start_matches("0x")).unwrap();
            let mut r = <pallet_voting::pallet::ResultOf<electx_runtime::Runtime> as codec::Decode>::decode(&mut &raw[..]).unwrap();
            let mut counts = r.counts.clone().into_inner();
            counts.swap(0, 2);
            r.counts = counts.try_into().unwrap();
            *result =
                serde_json::Value::String(format!("0x{}", hex::encode(codec::Encode::encode(&r))));
        }
    });
    let forged = format!("http://127.0.0.1:{}", proxy.port);
    let out = verify(&["--url", &forged, "--election", &eid, "--genesis", &genesis]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("the published result's decryption proofs fail"), "{}", text(&out));
}
