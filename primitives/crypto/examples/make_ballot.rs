//! Prints SCALE-encoded single-choice ballots for tests that submit them from another
//! language (the Polkadot.js and zombienet tests in `tests/polkadotjs/` and `zombienet/`).
//!
//! ```text
//! cargo run --release -p electx-crypto --example make_ballot -- \
//!     --genesis 0x<32 bytes> --election N --public-key 0x<32 bytes> \
//!     --voter 0x<32-byte account id> --options K --choice C
//! ```
//!
//! Prints `0x<hex of the SCALE-encoded EncryptedBallot>` (min = max = 1 selection, choice
//! 0-based). `--voter` and `--choice` may be repeated in pairs: one line per pair, in
//! order, so a test makes many ballots with one process. Exit code 2 on bad arguments.

use codec::Encode;
use electx_crypto::{BallotContext, ElectionPublicKey, EncryptedBallot};
use std::process::exit;

fn usage(msg: &str) -> ! {
    eprintln!("make_ballot: {msg}");
    eprintln!(
        "usage: make_ballot --genesis 0x<32 bytes> --election N --public-key 0x<32 bytes> \
         --voter 0x<32 bytes> --options K --choice C [--voter .. --choice ..]..."
    );
    exit(2)
}

fn hex32(name: &str, s: &str) -> [u8; 32] {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    match hex::decode(digits).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) {
        Some(b) => b,
        None => usage(&format!("{name} must be 32 bytes of hex, got {s:?}")),
    }
}

fn number(name: &str, s: &str) -> u32 {
    s.parse().unwrap_or_else(|_| usage(&format!("{name} must be a number, got {s:?}")))
}

fn main() {
    let mut genesis = None;
    let mut election = None;
    let mut public_key = None;
    let mut options = None;
    let mut voters = Vec::new();
    let mut choices = Vec::new();

    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            usage("help");
        }
        let value = args.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--genesis" => genesis = Some(hex32("--genesis", &value)),
            "--election" => election = Some(number("--election", &value)),
            "--public-key" => public_key = Some(hex32("--public-key", &value)),
            "--options" => options = Some(number("--options", &value)),
            "--voter" => voters.push(hex32("--voter", &value)),
            "--choice" => choices.push(number("--choice", &value)),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let genesis_hash = genesis.unwrap_or_else(|| usage("--genesis is required"));
    let election_id = election.unwrap_or_else(|| usage("--election is required"));
    let pk_bytes = public_key.unwrap_or_else(|| usage("--public-key is required"));
    let options = options.unwrap_or_else(|| usage("--options is required"));
    if voters.is_empty() || voters.len() != choices.len() {
        usage("give --voter and --choice in pairs (at least one)");
    }
    let public_key = ElectionPublicKey::from_bytes(&pk_bytes)
        .unwrap_or_else(|e| usage(&format!("--public-key is not a valid key: {e:?}")));

    let mut rng = rand_core::OsRng;
    for (voter, choice) in voters.into_iter().zip(choices) {
        let ctx = BallotContext {
            genesis_hash,
            election_id,
            public_key: public_key.clone(),
            voter,
            options,
            min_selections: 1,
            max_selections: 1,
        };
        match EncryptedBallot::encrypt_choice(&ctx, choice, &mut rng) {
            Ok(ballot) => println!("0x{}", hex::encode(ballot.encode())),
            Err(e) => usage(&format!("cannot encrypt choice {choice}: {e:?}")),
        }
    }
}
