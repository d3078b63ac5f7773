//! Tally benchmark (run by hand; prints figures): how many blocks after the close the
//! verified result of an election is on chain, for tallies of 10, 10,000 and 1,000,000
//! ballots, on a real `electx-node --dev`.
//!
//! ```sh
//! cargo test --release -p electx-node --test tally_benchmark -- --ignored --nocapture
//! ```
//!
//! The large tallies are synthetic: the election's encrypted tally and ballot count are
//! written with `sudo(system.set_storage)` as an encryption of known counts (what a million
//! ballots would have added up to), since the tally's decryption cost depends only on the
//! counts' bound, not on how the ciphertexts were summed. The secret key is put into the
//! node's off-chain storage over the (unsafe, local) `offchain_localStorageSet` RPC.

mod common;

use std::time::{Duration, Instant};

use codec::Encode;
use common::{
    tx::{self, pair},
    Node,
};
use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_POINT as G, Scalar};
use electx_crypto::{Ciphertext, ElectionSecretKey, EncryptedTally, GroupElement};
use electx_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use frame_support::BoundedVec;
use pallet_voting::Event as VotingEvent;
use serde_json::json;

/// An encryption of `counts` under `pk`, as a tally of that many ballots would be.
fn synthetic_tally(secret: &ElectionSecretKey, counts: &[u64]) -> EncryptedTally {
    let pk = *secret.public_key().element().point();
    let cts = counts
        .iter()
        .map(|m| {
            let r = Scalar::random(&mut rand_core::OsRng);
            Ciphertext::from_parts(
                GroupElement::from_point(r * G),
                GroupElement::from_point(Scalar::from(*m) * G + r * pk),
            )
        })
        .collect();
    EncryptedTally::from_ciphertexts(cts).expect("valid tally")
}

fn run_one(node: &Node, secret: &ElectionSecretKey, ballots: u64) -> (u64, u64, Duration) {
    let alice = pair("//Alice");
    let counts = [ballots / 2, ballots / 4, ballots / 8, ballots / 16, 0];
    let counts = {
        let mut c = counts;
        c[4] = ballots - c[0] - c[1] - c[2] - c[3];
        c
    };
    let best = node.block_number(None);
    let opens = best as u32 + 3;
    let closes = opens + 3;
    let options: BoundedVec<BoundedVec<u8, _>, _> = (0..5)
        .map(|i| BoundedVec::try_from(format!("Option {i}").into_bytes()).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let create = RuntimeCall::Voting(pallet_voting::Call::create_election {
        title: BoundedVec::try_from(b"Tally benchmark".to_vec()).unwrap(),
        options,
        min_selections: 1,
        max_selections: 1,
        public_key: secret.public_key(),
        opens_at: opens,
        closes_at: closes,
        allow_revote: false,
    });
    tx::submit(
        node,
        &tx::signed(
            node,
            &alice,
            RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(create) }),
        ),
    )
    .expect("create accepted");
    let (election, _) = tx::wait_for_event(node, best, Duration::from_secs(60), |e| match e {
        RuntimeEvent::Voting(VotingEvent::ElectionCreated { election, .. }) => Some(*election),
        _ => None,
    });
    let tally = synthetic_tally(secret, &counts);
    let items = vec![
        (pallet_voting::Tallies::<Runtime>::hashed_key_for(election), tally.encode()),
        (
            pallet_voting::BallotCount::<Runtime>::hashed_key_for(election),
            (ballots as u32).encode(),
        ),
    ];
    let set = RuntimeCall::System(frame_system::Call::set_storage { items });
    let from = node.block_number(None);
    tx::submit(
        node,
        &tx::signed(
            node,
            &alice,
            RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set) }),
        ),
    )
    .expect("set_storage accepted");
    tx::wait_for_event(node, from, Duration::from_secs(60), |e| match e {
        RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Ok(()) }) => Some(()),
        _ => None,
    });
    assert!(node.block_number(None) < closes as u64, "the tally was set after the close");
    tx::wait_for_block(node, closes as u64, Duration::from_secs(60));
    let closed_at = Instant::now();
    let (got, at) =
        tx::wait_for_event(node, closes as u64, Duration::from_secs(120), |e| match e {
            RuntimeEvent::Voting(VotingEvent::ElectionTallied { election: id, counts, .. })
                if *id == election =>
            {
                Some(counts.clone().into_inner())
            }
            _ => None,
        });
    assert_eq!(got, counts.to_vec());
    (closes as u64, at, closed_at.elapsed())
}

#[test]
#[ignore = "benchmark: run by hand, prints figures"]
fn tally_lands_within_two_blocks_of_the_close_at_any_size() {
    let secret = ElectionSecretKey::generate(&mut rand_core::OsRng);
    let node = Node::dev(&["--offchain-worker", "always", "--rpc-methods", "unsafe"]);
    let key = pallet_voting::offchain::secret_key_storage_key(&secret.public_key());
    node.rpc(
        "offchain_localStorageSet",
        json!([
            "PERSISTENT",
            format!("0x{}", hex::encode(key)),
            format!("0x{}", hex::encode(secret.to_bytes()))
        ]),
    );
    println!("| ballots in the tally | close at | result in block | blocks after close | wall time after close block |");
    println!("|---|---|---|---|---|");
    for ballots in [10u64, 10_000, 1_000_000] {
        let (close, at, took) = run_one(&node, &secret, ballots);
        println!("| {ballots} | #{close} | #{at} | {} | {:.1} s |", at - close, took.as_secs_f64());
        assert!(at <= close + 2, "{ballots} ballots: result at #{at}, close at #{close}");
    }
}
