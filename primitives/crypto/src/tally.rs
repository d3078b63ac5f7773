//! Encrypted tallies: homomorphic accumulation, decryption with proofs, and
//! public verification of the decrypted counts.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use rand_core::{CryptoRng, RngCore};
use scale_info::TypeInfo;

use crate::{
    ballot::EncryptedBallot,
    bsgs::BsgsTable,
    ciphertext::Ciphertext,
    error::CryptoError,
    group::{compact_len, decode_bounded_vec},
    keys::{ElectionPublicKey, ElectionSecretKey},
    msm::Msm,
    proofs::DecryptionProof,
    transcript::Weights,
    MAX_OPTIONS,
};

/// Everything a decryption proof is bound to (besides the option index and
/// the tally ciphertext).
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct DecryptionContext {
    /// Genesis hash of the chain.
    #[cfg_attr(feature = "std", serde(with = "crate::group::hex32"))]
    pub genesis_hash: [u8; 32],
    /// Election id.
    pub election_id: u32,
    /// Election public key.
    pub public_key: ElectionPublicKey,
}

/// The homomorphic sum of ballots: one ciphertext per option
/// (ElectionGuard: `CiphertextTally`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(try_from = "Vec<Ciphertext>", into = "Vec<Ciphertext>"))]
pub struct EncryptedTally {
    ciphertexts: Vec<Ciphertext>,
}

impl EncryptedTally {
    /// The empty tally (all-identity ciphertexts) for `options` options.
    pub fn new(options: u32) -> Result<Self, CryptoError> {
        if options > MAX_OPTIONS {
            return Err(CryptoError::TooManyOptions);
        }
        if options == 0 {
            return Err(CryptoError::InvalidContext);
        }
        Ok(Self { ciphertexts: (0..options).map(|_| Ciphertext::identity()).collect() })
    }

    /// Builds a tally from ciphertexts (1 to [`MAX_OPTIONS`]).
    pub fn from_ciphertexts(ciphertexts: Vec<Ciphertext>) -> Result<Self, CryptoError> {
        if ciphertexts.len() > MAX_OPTIONS as usize {
            return Err(CryptoError::TooManyOptions);
        }
        if ciphertexts.is_empty() {
            return Err(CryptoError::InvalidContext);
        }
        Ok(Self { ciphertexts })
    }

    /// Adds a ballot (which the caller has verified). Homomorphic: Enc(a)+Enc(b) = Enc(a+b).
    pub fn add_ballot(&mut self, ballot: &EncryptedBallot) -> Result<(), CryptoError> {
        self.combine(ballot.ciphertexts(), Ciphertext::add)
    }

    /// Removes a previously added ballot (e.g. when a voter re-votes).
    pub fn sub_ballot(&mut self, ballot: &EncryptedBallot) -> Result<(), CryptoError> {
        self.combine(ballot.ciphertexts(), Ciphertext::sub)
    }

    pub(crate) fn add_ciphertexts(&mut self, cts: &[Ciphertext]) -> Result<(), CryptoError> {
        self.combine(cts, Ciphertext::add)
    }

    pub(crate) fn sub_ciphertexts(&mut self, cts: &[Ciphertext]) -> Result<(), CryptoError> {
        self.combine(cts, Ciphertext::sub)
    }

    fn combine(
        &mut self,
        other: &[Ciphertext],
        op: fn(&Ciphertext, &Ciphertext) -> Ciphertext,
    ) -> Result<(), CryptoError> {
        if other.len() != self.ciphertexts.len() {
            return Err(CryptoError::WrongOptionCount {
                expected: self.option_count(),
                got: u32::try_from(other.len()).unwrap_or(u32::MAX),
            });
        }
        for (t, b) in self.ciphertexts.iter_mut().zip(other) {
            *t = op(t, b);
        }
        Ok(())
    }

    /// The per-option ciphertexts.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.ciphertexts
    }

    /// Number of options.
    pub fn option_count(&self) -> u32 {
        u32::try_from(self.ciphertexts.len()).unwrap_or(u32::MAX)
    }
}

impl DecodeWithMemTracking for EncryptedTally {}

impl Decode for EncryptedTally {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        Ok(Self::from_ciphertexts(decode_bounded_vec(input, MAX_OPTIONS)?)?)
    }
}

impl MaxEncodedLen for EncryptedTally {
    fn max_encoded_len() -> usize {
        compact_len(MAX_OPTIONS) + MAX_OPTIONS as usize * Ciphertext::max_encoded_len()
    }
}

impl TryFrom<Vec<Ciphertext>> for EncryptedTally {
    type Error = CryptoError;
    fn try_from(v: Vec<Ciphertext>) -> Result<Self, CryptoError> {
        Self::from_ciphertexts(v)
    }
}

impl From<EncryptedTally> for Vec<Ciphertext> {
    fn from(t: EncryptedTally) -> Self {
        t.ciphertexts
    }
}

impl ElectionSecretKey {
    /// Decrypts every option of `tally` (counts up to `max_count`) and proves
    /// each decryption correct. Builds a [`BsgsTable`] for `max_count`; use
    /// [`ElectionSecretKey::decrypt_tally_with_table`] to reuse one.
    pub fn decrypt_tally<R: RngCore + CryptoRng>(
        &self,
        ctx: &DecryptionContext,
        tally: &EncryptedTally,
        max_count: u64,
        rng: &mut R,
    ) -> Result<(Vec<u64>, Vec<DecryptionProof>), CryptoError> {
        let table = BsgsTable::new(max_count);
        self.decrypt_tally_with_table(ctx, tally, &table, rng)
    }

    /// As [`ElectionSecretKey::decrypt_tally`], with a prebuilt table.
    pub fn decrypt_tally_with_table<R: RngCore + CryptoRng>(
        &self,
        ctx: &DecryptionContext,
        tally: &EncryptedTally,
        table: &BsgsTable,
        rng: &mut R,
    ) -> Result<(Vec<u64>, Vec<DecryptionProof>), CryptoError> {
        if ctx.public_key != self.public_key() {
            return Err(CryptoError::KeyMismatch);
        }
        let mut counts = Vec::with_capacity(tally.ciphertexts.len());
        let mut proofs = Vec::with_capacity(tally.ciphertexts.len());
        for (ct, option) in tally.ciphertexts.iter().zip(0u32..) {
            // ElGamal decryption: M = C − x·R = t·G.
            let m = ct.partial_decrypt(self.secret());
            let count = table.solve(&m).ok_or(CryptoError::CountAboveBound { option })?;
            proofs.push(DecryptionProof::prove(ctx, option, ct, count, self.secret(), rng));
            counts.push(count);
        }
        Ok((counts, proofs))
    }
}

/// Verifies decrypted `counts` of `tally` from public data only, with one
/// multi-scalar multiplication; names the first invalid option on failure.
pub fn verify_tally(
    ctx: &DecryptionContext,
    tally: &EncryptedTally,
    counts: &[u64],
    proofs: &[DecryptionProof],
) -> Result<(), CryptoError> {
    let k = tally.ciphertexts.len();
    if counts.len() != k || proofs.len() != k {
        return Err(CryptoError::CountMismatch);
    }
    let digest = tally_digest(ctx, tally, counts, proofs);
    let mut w = Weights::new(b"tally", core::iter::once(&digest));
    let mut msm = Msm::with_capacity(4 * k);
    for (((ct, count), proof), option) in
        tally.ciphertexts.iter().zip(counts).zip(proofs).zip(0u32..)
    {
        proof.accumulate(ctx, option, ct, *count, &mut w, &mut msm);
    }
    if msm.is_zero() {
        return Ok(());
    }
    for (((ct, count), proof), option) in
        tally.ciphertexts.iter().zip(counts).zip(proofs).zip(0u32..)
    {
        let mut msm = Msm::with_capacity(4);
        proof.accumulate(ctx, option, ct, *count, &mut w, &mut msm);
        if !msm.is_zero() {
            return Err(CryptoError::DecryptionProofFailed { option });
        }
    }
    Err(CryptoError::ProofFailed)
}

fn tally_digest(
    ctx: &DecryptionContext,
    tally: &EncryptedTally,
    counts: &[u64],
    proofs: &[DecryptionProof],
) -> [u8; 32] {
    let mut t = merlin::Transcript::new(crate::transcript::DECRYPTION_PROTOCOL);
    t.append_message(b"context", &ctx.encode());
    t.append_message(b"tally", &tally.encode());
    t.append_message(b"counts", &counts.encode());
    t.append_message(b"proofs", &proofs.encode());
    let mut out = [0u8; 32];
    t.challenge_bytes(b"digest", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::BallotContext;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    #[test]
    fn tally_decrypt_verify() {
        let mut rng = ChaCha20Rng::from_seed([8u8; 32]);
        let sk = ElectionSecretKey::generate(&mut rng);
        let bctx = BallotContext {
            genesis_hash: [0u8; 32],
            election_id: 1,
            public_key: sk.public_key(),
            voter: [0u8; 32],
            options: 3,
            min_selections: 1,
            max_selections: 1,
        };
        let mut tally = EncryptedTally::new(3).unwrap();
        for choice in [0u32, 2, 2, 1, 2] {
            tally
                .add_ballot(&EncryptedBallot::encrypt_choice(&bctx, choice, &mut rng).unwrap())
                .unwrap();
        }
        let dctx = DecryptionContext {
            genesis_hash: [0u8; 32],
            election_id: 1,
            public_key: sk.public_key(),
        };
        let (counts, proofs) = sk.decrypt_tally(&dctx, &tally, 10, &mut rng).unwrap();
        assert_eq!(counts, [1, 1, 3]);
        verify_tally(&dctx, &tally, &counts, &proofs).unwrap();
        assert_eq!(
            verify_tally(&dctx, &tally, &[1, 2, 3], &proofs),
            Err(CryptoError::DecryptionProofFailed { option: 1 })
        );
        assert_eq!(verify_tally(&dctx, &tally, &[1, 1], &proofs), Err(CryptoError::CountMismatch));
        let mut other = dctx.clone();
        other.election_id = 2;
        assert!(verify_tally(&other, &tally, &counts, &proofs).is_err());
        assert_eq!(
            sk.decrypt_tally(&dctx, &tally, 2, &mut rng).map(|_| ()),
            Err(CryptoError::CountAboveBound { option: 2 })
        );
    }

    #[test]
    fn empty_tally_decrypts_to_zero() {
        let mut rng = ChaCha20Rng::from_seed([10u8; 32]);
        let sk = ElectionSecretKey::generate(&mut rng);
        let dctx = DecryptionContext {
            genesis_hash: [0u8; 32],
            election_id: 1,
            public_key: sk.public_key(),
        };
        let tally = EncryptedTally::new(2).unwrap();
        let (counts, proofs) = sk.decrypt_tally(&dctx, &tally, 0, &mut rng).unwrap();
        assert_eq!(counts, [0, 0]);
        verify_tally(&dctx, &tally, &counts, &proofs).unwrap();
        assert!(EncryptedTally::new(0).is_err());
        assert_eq!(EncryptedTally::new(65), Err(CryptoError::TooManyOptions));
    }
}
