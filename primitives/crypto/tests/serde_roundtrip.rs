//! serde JSON round-trips of the public types.

mod common;

use common::*;
use electx_crypto::*;

fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    v: &T,
) -> String {
    let json = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, v);
    json
}

#[test]
fn public_types_roundtrip() {
    let mut r = rng(2);
    let sk = ElectionSecretKey::generate(&mut r);
    let pk = sk.public_key();
    let json = roundtrip(&pk);
    assert_eq!(json, format!("\"{}\"", hex::encode(pk.to_bytes())));

    let ctx = context(pk.clone(), 4, 1, 2);
    let json = roundtrip(&ctx);
    assert!(json.contains(&hex::encode([0x11u8; 32])), "{json}");
    let ballot = EncryptedBallot::encrypt(&ctx, &[true, false, false, true], &mut r).unwrap();
    roundtrip(&ballot);
    roundtrip(&ballot.ciphertexts()[0]);
    roundtrip(ballot.sum_proof());
    roundtrip(&ballot.option_proofs()[1]);
    let back: EncryptedBallot =
        serde_json::from_str(&serde_json::to_string(&ballot).unwrap()).unwrap();
    back.verify(&ctx).unwrap();

    let mut tally = EncryptedTally::new(4).unwrap();
    tally.add_ballot(&ballot).unwrap();
    roundtrip(&tally);
    let dctx =
        DecryptionContext { genesis_hash: ctx.genesis_hash, election_id: 42, public_key: pk };
    roundtrip(&dctx);
    let (counts, proofs) = sk.decrypt_tally(&dctx, &tally, 1, &mut r).unwrap();
    assert_eq!(counts, [1, 0, 0, 1]);
    roundtrip(&proofs);
}

#[test]
fn json_refuses_invalid_values() {
    let zero = format!("\"{}\"", "00".repeat(32));
    assert!(serde_json::from_str::<ElectionPublicKey>(&zero).is_err());
    assert!(serde_json::from_str::<ElectionPublicKey>("\"zz\"").is_err());
    assert!(serde_json::from_str::<ScalarElement>(&format!("\"{}\"", "ff".repeat(32))).is_err());
    // 65 options.
    let mut r = rng(3);
    let sk = ElectionSecretKey::generate(&mut r);
    let ctx = context(sk.public_key(), 1, 1, 1);
    let b = EncryptedBallot::encrypt_choice(&ctx, 0, &mut r).unwrap();
    let mut v: serde_json::Value = serde_json::to_value(&b).unwrap();
    for key in ["ciphertexts", "proofs"] {
        let item = v[key][0].clone();
        v[key] = serde_json::Value::Array(vec![item; 65]);
    }
    assert!(serde_json::from_value::<EncryptedBallot>(v).is_err());
}
