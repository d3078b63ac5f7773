//! Known-answer vectors: `test-vectors/electx-ballot-v1.json`.
//!
//! Regenerates every value from a fixed secret key and a fixed ChaCha20 seed
//! and compares with the committed file. Rewrite the file with
//! `REGENERATE_VECTORS=1 cargo test -p electx-crypto --test vectors`
//! (only when the wire format or protocol version changes on purpose).

use codec::{DecodeAll, Encode};
use electx_crypto::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use serde_json::{json, Value};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/electx-ballot-v1.json");
const SECRET_KEY: [u8; 32] = {
    let mut k = [0u8; 32];
    let mut i = 0;
    while i < 31 {
        k[i] = (i as u8).wrapping_mul(7).wrapping_add(1);
        i += 1;
    }
    k
};
const SEED: [u8; 32] = *b"electx-ballot-v1 test vector rng";

/// (voter byte, options, min, max, selections)
fn specs() -> Vec<(u8, u32, u32, u32, Vec<bool>)> {
    vec![
        (1, 5, 1, 1, vec![false, false, true, false, false]),
        (2, 5, 1, 1, vec![true, false, false, false, false]),
        (3, 5, 1, 1, vec![false, false, true, false, false]),
        (4, 5, 0, 2, vec![false, true, false, false, true]),
        (5, 5, 0, 2, vec![false, false, false, false, false]),
    ]
}

fn generate() -> Value {
    let sk = ElectionSecretKey::from_bytes(&SECRET_KEY).unwrap();
    let mut rng = ChaCha20Rng::from_seed(SEED);
    let genesis_hash = [0xab; 32];
    let election_id = 7;
    let mut tally = EncryptedTally::new(5).unwrap();
    let mut ballots = Vec::new();
    for (voter, options, min, max, selections) in specs() {
        let ctx = BallotContext {
            genesis_hash,
            election_id,
            public_key: sk.public_key(),
            voter: [voter; 32],
            options,
            min_selections: min,
            max_selections: max,
        };
        let ballot = EncryptedBallot::encrypt(&ctx, &selections, &mut rng).unwrap();
        ballot.verify(&ctx).unwrap();
        tally.add_ballot(&ballot).unwrap();
        ballots.push(json!({
            "context": ctx,
            "context_scale": hex::encode(ctx.encode()),
            "selections": selections,
            "ballot_scale": hex::encode(ballot.encode()),
            "tracker": hex::encode(ballot.tracker()),
        }));
    }
    let dctx = DecryptionContext { genesis_hash, election_id, public_key: sk.public_key() };
    let (counts, proofs) = sk.decrypt_tally(&dctx, &tally, 100, &mut rng).unwrap();
    json!({
        "description": "electx-crypto known-answer vectors (protocol electx-ballot-v1). All byte strings are hex; *_scale fields are SCALE encodings. Ballots are generated in order from one ChaCha20Rng seeded with rng_seed; the decryption proofs continue the same RNG stream.",
        "secret_key": hex::encode(SECRET_KEY),
        "public_key": sk.public_key(),
        "rng_seed": hex::encode(SEED),
        "ballots": ballots,
        "decryption_context": dctx,
        "tally_scale": hex::encode(tally.encode()),
        "max_count": 100,
        "counts": counts,
        "decryption_proofs_scale": proofs.iter().map(|p| hex::encode(p.encode())).collect::<Vec<_>>(),
    })
}

#[test]
fn vectors_match_committed_file() {
    let fresh = generate();
    if std::env::var("REGENERATE_VECTORS").as_deref() == Ok("1") {
        std::fs::write(PATH, serde_json::to_string_pretty(&fresh).unwrap() + "\n").unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(committed, fresh, "test vectors changed: wire format or protocol drifted");
}

#[test]
fn committed_vectors_verify_from_bytes() {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    let unhex = |s: &Value| hex::decode(s.as_str().unwrap()).unwrap();
    let mut tally = EncryptedTally::new(5).unwrap();
    for b in v["ballots"].as_array().unwrap() {
        let ctx = BallotContext::decode_all(&mut &unhex(&b["context_scale"])[..]).unwrap();
        let ctx_json: BallotContext = serde_json::from_value(b["context"].clone()).unwrap();
        assert_eq!(ctx, ctx_json);
        let ballot = EncryptedBallot::decode_all(&mut &unhex(&b["ballot_scale"])[..]).unwrap();
        ballot.verify(&ctx).unwrap();
        assert_eq!(hex::encode(ballot.tracker()), b["tracker"].as_str().unwrap());
        tally.add_ballot(&ballot).unwrap();
    }
    assert_eq!(tally, EncryptedTally::decode_all(&mut &unhex(&v["tally_scale"])[..]).unwrap());
    let dctx: DecryptionContext = serde_json::from_value(v["decryption_context"].clone()).unwrap();
    let counts: Vec<u64> = serde_json::from_value(v["counts"].clone()).unwrap();
    assert_eq!(counts, [1, 1, 2, 0, 1]);
    let proofs: Vec<DecryptionProof> = v["decryption_proofs_scale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| DecryptionProof::decode_all(&mut &unhex(p)[..]).unwrap())
        .collect();
    verify_tally(&dctx, &tally, &counts, &proofs).unwrap();
}
