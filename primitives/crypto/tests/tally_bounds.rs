//! Decryption at large counts, the tracker definition, memory-tracked decoding.

mod common;

use codec::{DecodeWithMemLimit, Encode};
use common::*;
use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_TABLE, scalar::Scalar};
use electx_crypto::*;
use sha2::{Digest, Sha256};

/// A tally whose single option encrypts `t` (as if t ballots had been added).
fn tally_of(pk: &ElectionPublicKey, t: u64, r: u64) -> EncryptedTally {
    let r = Scalar::from(r);
    let pad = &r * RISTRETTO_BASEPOINT_TABLE;
    let data = &Scalar::from(t) * RISTRETTO_BASEPOINT_TABLE + r * pk.element().point();
    let ct = Ciphertext::from_parts(GroupElement::from_point(pad), GroupElement::from_point(data));
    EncryptedTally::from_ciphertexts(vec![ct]).unwrap()
}

#[test]
fn decrypts_ten_million() {
    let mut r = rng(4);
    let sk = ElectionSecretKey::generate(&mut r);
    let pk = sk.public_key();
    let dctx = DecryptionContext { genesis_hash: [1; 32], election_id: 9, public_key: pk.clone() };
    let max = 10_000_000u64;
    let table = BsgsTable::new(max);
    for t in [0, 1, 9_999_999, max] {
        let tally = tally_of(&pk, t, 12345 + t);
        let (counts, proofs) = sk.decrypt_tally_with_table(&dctx, &tally, &table, &mut r).unwrap();
        assert_eq!(counts, [t]);
        verify_tally(&dctx, &tally, &counts, &proofs).unwrap();
    }
    let tally = tally_of(&pk, max + 1, 1);
    assert_eq!(
        sk.decrypt_tally_with_table(&dctx, &tally, &table, &mut r).map(|_| ()),
        Err(CryptoError::CountAboveBound { option: 0 })
    );
    // The wrong key is refused before decrypting.
    let other = ElectionSecretKey::generate(&mut r);
    assert_eq!(
        other.decrypt_tally(&dctx, &tally, 1, &mut r).map(|_| ()),
        Err(CryptoError::KeyMismatch)
    );
}

#[test]
fn bsgs_bounds_public_api() {
    for max in [0u64, 1, 1_000_000] {
        let table = BsgsTable::new(max);
        assert_eq!(table.max(), max);
        let at = |t: u64| &Scalar::from(t) * RISTRETTO_BASEPOINT_TABLE;
        assert_eq!(table.solve(&at(0)), Some(0));
        assert_eq!(table.solve(&at(max)), Some(max));
        assert_eq!(table.solve(&at(max + 1)), None);
        assert_eq!(table.solve_element(&GroupElement::from_point(at(max))), Some(max));
    }
}

#[test]
fn tracker_is_sha256_of_prefixed_scale() {
    let mut r = rng(8);
    let sk = ElectionSecretKey::generate(&mut r);
    let ctx = context(sk.public_key(), 3, 1, 1);
    let b = EncryptedBallot::encrypt_choice(&ctx, 1, &mut r).unwrap();
    let mut h = Sha256::new();
    h.update(b"electx-ballot-tracker-v1");
    h.update(b.encode());
    assert_eq!(b.tracker(), <[u8; 32]>::from(h.finalize()));
    assert_eq!(TRACKER_DOMAIN, b"electx-ballot-tracker-v1");
    let other = EncryptedBallot::encrypt_choice(&ctx, 1, &mut r).unwrap();
    assert_ne!(b.tracker(), other.tracker());
}

#[test]
fn memory_tracked_decoding() {
    let mut r = rng(9);
    let sk = ElectionSecretKey::generate(&mut r);
    let ctx = context(sk.public_key(), 5, 0, 5);
    let b = EncryptedBallot::encrypt(&ctx, &[true, true, false, false, true], &mut r).unwrap();
    let bytes = b.encode();
    assert_eq!(EncryptedBallot::decode_with_mem_limit(&mut &bytes[..], 1 << 20).unwrap(), b);
    // Allocations are reported: a tiny limit is refused.
    assert!(EncryptedBallot::decode_with_mem_limit(&mut &bytes[..], 64).is_err());
}
