//! Fiat-Shamir transcripts and deterministic batch weights.
//!
//! Challenges come from [merlin] transcripts (STROBE-128 over Keccak-f\[1600\]),
//! which frame every message with its label and length, so the encoding is
//! unambiguous ("length-prefixed"). Each protocol has its own domain label:
//!
//! * `electx-ballot-v1`: ballot proofs. The base transcript binds, in order:
//!   the genesis hash, election id, public key, voter account, option count,
//!   min/max selections and every ciphertext (R, C). Each option proof then
//!   appends its index and its four commitments; the selection-count proof
//!   appends the tag `sum` and all its commitments. This is the "strong"
//!   Fiat-Shamir transform of Bernhard-Pereira-Warinschi 2012: everything
//!   the statement depends on is hashed.
//! * `electx-decryption-v1`: decryption proofs. Binds the genesis hash,
//!   election id, public key, option index, tally ciphertext (R, C), claimed
//!   count and the two commitments.
//! * `electx-weights-v1`: random-linear-combination weights for batched
//!   verification, derived from digests of the complete proofs. Because the
//!   weights are a hash of everything the prover sent (after all challenges),
//!   a prover cannot choose its errors to cancel (Bellare-Garay-Rabin 1998
//!   small-exponent batch test, with the randomness replaced by a random oracle);
//!   no RNG is needed on chain.

use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use sha2::{Digest, Sha512};

use crate::{
    ballot::BallotContext, ciphertext::Ciphertext, group::GroupElement, tally::DecryptionContext,
};

/// Protocol label and version of ballot proofs.
pub const BALLOT_PROTOCOL: &[u8] = b"electx-ballot-v1";
/// Protocol label and version of decryption proofs.
pub const DECRYPTION_PROTOCOL: &[u8] = b"electx-decryption-v1";
/// Label of the batch-weight derivation.
pub const WEIGHTS_PROTOCOL: &[u8] = b"electx-weights-v1";

fn append_ciphertext(t: &mut Transcript, ct: &Ciphertext) {
    t.append_message(b"R", ct.pad().as_bytes());
    t.append_message(b"C", ct.data().as_bytes());
}

fn challenge_scalar(t: &mut Transcript) -> Scalar {
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"challenge", &mut wide);
    // Uniform modulo ℓ: reduce 512 bits (bias < 2^-259).
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// The base ballot transcript: context and all ciphertexts.
pub(crate) fn ballot_base(ctx: &BallotContext, ciphertexts: &[Ciphertext]) -> Transcript {
    let mut t = Transcript::new(BALLOT_PROTOCOL);
    t.append_message(b"genesis-hash", &ctx.genesis_hash);
    t.append_u64(b"election-id", u64::from(ctx.election_id));
    t.append_message(b"public-key", ctx.public_key.element().as_bytes());
    t.append_message(b"voter", &ctx.voter);
    t.append_u64(b"options", u64::from(ctx.options));
    t.append_u64(b"min-selections", u64::from(ctx.min_selections));
    t.append_u64(b"max-selections", u64::from(ctx.max_selections));
    t.append_u64(b"ciphertexts", ciphertexts.len() as u64);
    for ct in ciphertexts {
        append_ciphertext(&mut t, ct);
    }
    t
}

/// Challenge c of the 0/1 proof of option `index`.
pub(crate) fn option_challenge(
    base: &Transcript,
    index: u32,
    commitments: [&GroupElement; 4],
) -> Scalar {
    let mut t = base.clone();
    t.append_u64(b"option", u64::from(index));
    for (label, c) in [b"a0", b"b0", b"a1", b"b1"].iter().zip(commitments) {
        t.append_message(*label, c.as_bytes());
    }
    challenge_scalar(&mut t)
}

/// Challenge c of the selection-count proof over its branch commitments.
pub(crate) fn sum_challenge<'a>(
    base: &Transcript,
    commitments: impl Iterator<Item = (&'a GroupElement, &'a GroupElement)>,
) -> Scalar {
    let mut t = base.clone();
    t.append_message(b"proof", b"sum");
    for (a, b) in commitments {
        t.append_message(b"a", a.as_bytes());
        t.append_message(b"b", b.as_bytes());
    }
    challenge_scalar(&mut t)
}

/// Digest of a complete ballot (base transcript + SCALE encoding of the proofs).
pub(crate) fn ballot_digest(base: &Transcript, encoded_proofs: &[u8]) -> [u8; 32] {
    let mut t = base.clone();
    t.append_message(b"proofs", encoded_proofs);
    let mut out = [0u8; 32];
    t.challenge_bytes(b"digest", &mut out);
    out
}

/// Challenge of the decryption proof of option `index`.
pub(crate) fn decryption_challenge(
    ctx: &DecryptionContext,
    index: u32,
    ct: &Ciphertext,
    count: u64,
    a: &GroupElement,
    b: &GroupElement,
) -> Scalar {
    let mut t = Transcript::new(DECRYPTION_PROTOCOL);
    t.append_message(b"genesis-hash", &ctx.genesis_hash);
    t.append_u64(b"election-id", u64::from(ctx.election_id));
    t.append_message(b"public-key", ctx.public_key.element().as_bytes());
    t.append_u64(b"option", u64::from(index));
    append_ciphertext(&mut t, ct);
    t.append_u64(b"count", count);
    t.append_message(b"a", a.as_bytes());
    t.append_message(b"b", b.as_bytes());
    challenge_scalar(&mut t)
}

/// A deterministic stream of 128-bit weights: SHA-512 in counter mode over a
/// seed that a merlin transcript derived from the digests of the items checked.
pub(crate) struct Weights {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 64],
    used: usize,
}

impl Weights {
    /// Weights bound to `digests` (one per ballot, or per tally option) and a purpose tag.
    pub(crate) fn new<'a>(tag: &'static [u8], digests: impl Iterator<Item = &'a [u8; 32]>) -> Self {
        let mut t = Transcript::new(WEIGHTS_PROTOCOL);
        t.append_message(b"tag", tag);
        for d in digests {
            t.append_message(b"digest", d);
        }
        let mut seed = [0u8; 32];
        t.challenge_bytes(b"seed", &mut seed);
        Self { seed, counter: 0, block: [0u8; 64], used: 64 }
    }

    /// Next weight, uniform in [0, 2^128).
    pub(crate) fn next_weight(&mut self) -> Scalar {
        if self.used >= 64 {
            let mut h = Sha512::new();
            h.update(self.seed);
            h.update(self.counter.to_le_bytes());
            self.block.copy_from_slice(&h.finalize());
            self.counter = self.counter.wrapping_add(1);
            self.used = 0;
        }
        let mut w = [0u8; 32];
        if let (Some(dst), Some(src)) = (w.get_mut(..16), self.block.get(self.used..self.used + 16))
        {
            dst.copy_from_slice(src);
        }
        self.used += 16;
        Scalar::from_bytes_mod_order(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_deterministic_and_distinct() {
        let d = [3u8; 32];
        let mut a = Weights::new(b"t", [&d].into_iter());
        let mut b = Weights::new(b"t", [&d].into_iter());
        let xs: alloc::vec::Vec<Scalar> = (0..9).map(|_| a.next_weight()).collect();
        let ys: alloc::vec::Vec<Scalar> = (0..9).map(|_| b.next_weight()).collect();
        assert_eq!(xs, ys);
        for (i, x) in xs.iter().enumerate() {
            assert!(x.as_bytes()[16..].iter().all(|&b| b == 0));
            for y in &xs[i + 1..] {
                assert_ne!(x, y);
            }
        }
        let mut c = Weights::new(b"u", [&d].into_iter());
        assert_ne!(c.next_weight(), xs[0]);
    }
}
