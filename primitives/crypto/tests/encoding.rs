//! SCALE decoding refuses malformed input; encoded sizes match the crate docs.

mod common;

use codec::{Compact, Decode, DecodeAll, Encode, MaxEncodedLen};
use common::*;
use electx_crypto::*;

/// 2^255 − 19 + 0 encoded non-canonically (the field prime itself).
const NON_CANONICAL_POINT: [u8; 32] = {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

fn ballot(k: u32, min: u32, max: u32, n: u32) -> (BallotContext, EncryptedBallot) {
    let mut r = rng(1);
    let sk = ElectionSecretKey::generate(&mut r);
    let ctx = context(sk.public_key(), k, min, max);
    let b = EncryptedBallot::encrypt(&ctx, &selections(k, n, &[]), &mut r).unwrap();
    (ctx, b)
}

#[test]
fn refuses_non_canonical_points_in_a_ballot() {
    let (_, b) = ballot(2, 1, 1, 1);
    let mut bytes = b.encode();
    // First ciphertext's pad starts after the 1-byte compact length.
    bytes[1..33].copy_from_slice(&NON_CANONICAL_POINT);
    assert!(EncryptedBallot::decode(&mut &bytes[..]).is_err());
    // A canonical encoding of a valid point with high bit set is refused too.
    let mut bytes = b.encode();
    bytes[32] |= 0x80;
    assert!(EncryptedBallot::decode(&mut &bytes[..]).is_err());
}

#[test]
fn refuses_non_canonical_scalars_in_a_ballot() {
    let (_, b) = ballot(2, 1, 1, 1);
    let mut bytes = b.encode();
    // Layout: 1 + 2·64 (ciphertexts) + 1 + proof₀ (a₀ b₀ a₁ b₁ c₀ s₀ s₁).
    let c0 = 1 + 2 * 64 + 1 + 4 * 32;
    bytes[c0..c0 + 32].copy_from_slice(&[0xff; 32]);
    assert!(EncryptedBallot::decode(&mut &bytes[..]).is_err());
    // ℓ + small: set the top byte above 0x10.
    let mut bytes = b.encode();
    bytes[c0 + 31] = 0x20;
    assert!(EncryptedBallot::decode(&mut &bytes[..]).is_err());
}

#[test]
fn refuses_identity_and_non_canonical_public_key() {
    assert!(ElectionPublicKey::decode(&mut &[0u8; 32][..]).is_err());
    assert!(ElectionPublicKey::decode(&mut &NON_CANONICAL_POINT[..]).is_err());
    assert_eq!(ElectionPublicKey::from_bytes(&[0u8; 32]), Err(CryptoError::InvalidPoint));
    // Inside a context too.
    let (ctx, _) = ballot(1, 0, 1, 0);
    let mut bytes = ctx.encode();
    bytes[36..68].copy_from_slice(&[0u8; 32]);
    assert!(BallotContext::decode(&mut &bytes[..]).is_err());
}

#[test]
fn refuses_more_than_64_options() {
    let (_, b) = ballot(1, 1, 1, 1);
    let ct = b.ciphertexts()[0];
    let proof = b.option_proofs()[0].clone();
    let mut bytes = Compact(65u32).encode();
    for _ in 0..65 {
        bytes.extend(ct.encode());
    }
    bytes.extend(Compact(65u32).encode());
    for _ in 0..65 {
        bytes.extend(proof.encode());
    }
    bytes.extend(b.sum_proof().encode());
    assert!(EncryptedBallot::decode(&mut &bytes[..]).is_err());
    // A huge length prefix is refused before allocating.
    let mut huge = Compact(u32::MAX).encode();
    huge.extend([0u8; 64]);
    assert!(EncryptedBallot::decode(&mut &huge[..]).is_err());
    assert!(EncryptedTally::decode(&mut &huge[..]).is_err());
    // 64 is fine.
    let (ctx64, b64) = ballot(64, 1, 64, 3);
    assert_eq!(ctx64.options, 64);
    let enc = b64.encode();
    assert_eq!(EncryptedBallot::decode_all(&mut &enc[..]).unwrap(), b64);
    b64.verify(&ctx64).unwrap();
    assert!(enc.len() <= EncryptedBallot::max_encoded_len());
    // Context-level checks.
    let mut c = ctx64.clone();
    c.options = 65;
    assert_eq!(c.validate(), Err(CryptoError::TooManyOptions));
    assert_eq!(EncryptedTally::new(65), Err(CryptoError::TooManyOptions));
}

#[test]
fn refuses_mismatched_lengths_and_trailing_bytes() {
    let (_, b) = ballot(3, 1, 1, 1);
    let bytes = b.encode();
    // Claim 2 proofs instead of 3: decoding misaligns or lengths differ.
    let mut short = bytes.clone();
    short[1 + 3 * 64] = Compact(2u32).encode()[0];
    assert!(EncryptedBallot::decode_all(&mut &short[..]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert!(EncryptedBallot::decode_all(&mut &long[..]).is_err());
    assert!(EncryptedBallot::decode_all(&mut &bytes[..bytes.len() - 1]).is_err());
    // Zero options.
    let empty = (Compact(0u32), Compact(0u32)).encode();
    let mut zero = empty.clone();
    zero.extend(b.sum_proof().encode());
    assert!(EncryptedBallot::decode_all(&mut &zero[..]).is_err());
}

#[test]
fn encoded_sizes_match_the_docs() {
    assert_eq!(ElectionPublicKey::max_encoded_len(), 32);
    assert_eq!(Ciphertext::max_encoded_len(), 64);
    assert_eq!(DisjunctiveChaumPedersenProof::max_encoded_len(), 224);
    assert_eq!(ConstantChaumPedersenProof::max_encoded_len(), 96);
    assert_eq!(DecryptionProof::max_encoded_len(), 96);
    assert_eq!(RangeBranch::max_encoded_len(), 128);
    assert_eq!(EncryptedBallot::max_encoded_len(), 26759);
    assert_eq!(EncryptedTally::max_encoded_len(), 4098);
    for k in [1u32, 5, 10, 63] {
        let (_, b) = ballot(k, 1, 1, 1);
        assert_eq!(b.encode().len(), 288 * k as usize + 99, "k = {k}");
        let t = EncryptedTally::new(k).unwrap();
        assert_eq!(t.encode().len(), 64 * k as usize + 1);
    }
    let (_, b5) = ballot(5, 1, 1, 1);
    assert_eq!(b5.encode().len(), 1539);
    // Range proof: L = max − min + 1 branches.
    let (_, b) = ballot(5, 0, 3, 2);
    assert_eq!(b.encode().len(), 288 * 5 + 3 + 1 + 128 * 4);
    // Worst case: 64 options, min 0, max 64.
    let (_, b) = ballot(64, 0, 64, 64);
    assert_eq!(b.encode().len(), EncryptedBallot::max_encoded_len());
}
