//! Encrypted ballots: encryption, proofs of well-formedness and verification.
//!
//! A ballot for k options is k ciphertexts (Rᵢ, Cᵢ) = (rᵢ·G, mᵢ·G + rᵢ·PK)
//! with mᵢ ∈ {0,1}, one [`DisjunctiveChaumPedersenProof`] per option, and one
//! [`SumProof`] that Σ mᵢ ∈ [min_selections, max_selections], proven on the
//! homomorphic sum (ΣRᵢ, ΣCᵢ) with nonce Σrᵢ. ElectionGuard calls this a
//! `CiphertextBallotContest` with its selections and its contest proof.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use curve25519_dalek::{ristretto::RistrettoPoint, scalar::Scalar, traits::Identity};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use scale_info::TypeInfo;
use sha2::{Digest, Sha256};
use subtle::Choice;
use zeroize::Zeroize;

use crate::{
    ciphertext::Ciphertext,
    error::{BatchError, CryptoError},
    group::{compact_len, decode_bounded_vec},
    keys::ElectionPublicKey,
    msm::Msm,
    proofs::{
        ConstantChaumPedersenProof, DisjunctiveChaumPedersenProof, RangeChaumPedersenProof,
        SumProof,
    },
    transcript::{self, Weights},
    MAX_OPTIONS,
};

/// Domain prefix of the ballot tracker hash.
pub const TRACKER_DOMAIN: &[u8] = b"electx-ballot-tracker-v1";

/// `SHA-256(TRACKER_DOMAIN ‖ encoded ballot)`: the one definition of the tracker.
pub(crate) fn tracker_of(encoded: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(TRACKER_DOMAIN);
    h.update(encoded);
    h.finalize().into()
}

/// Everything a ballot's proofs are bound to. A ballot verifies under exactly
/// one context.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct BallotContext {
    /// Genesis hash of the chain.
    #[cfg_attr(feature = "std", serde(with = "crate::group::hex32"))]
    pub genesis_hash: [u8; 32],
    /// Election id.
    pub election_id: u32,
    /// Election public key.
    pub public_key: ElectionPublicKey,
    /// The voter's account id.
    #[cfg_attr(feature = "std", serde(with = "crate::group::hex32"))]
    pub voter: [u8; 32],
    /// Number of options k (1 ≤ k ≤ [`MAX_OPTIONS`]).
    pub options: u32,
    /// Minimum number of selected options.
    pub min_selections: u32,
    /// Maximum number of selected options.
    pub max_selections: u32,
}

impl BallotContext {
    /// Checks 1 ≤ options ≤ [`MAX_OPTIONS`] and min ≤ max ≤ options.
    pub fn validate(&self) -> Result<(), CryptoError> {
        if self.options > MAX_OPTIONS {
            return Err(CryptoError::TooManyOptions);
        }
        if self.options == 0
            || self.min_selections > self.max_selections
            || self.max_selections > self.options
        {
            return Err(CryptoError::InvalidContext);
        }
        Ok(())
    }
}

/// An encrypted ballot with its proofs.
///
/// SCALE layout: `Vec<Ciphertext>` (64 bytes each), `Vec<DisjunctiveChaumPedersenProof>`
/// (224 bytes each), then [`SumProof`]. Decoding refuses more than
/// [`MAX_OPTIONS`] or zero options, differing lengths, and non-canonical
/// points or scalars.
#[derive(Clone, PartialEq, Eq, Debug, Encode, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "std", serde(try_from = "serde_form::EncryptedBallotParts"))]
pub struct EncryptedBallot {
    ciphertexts: Vec<Ciphertext>,
    proofs: Vec<DisjunctiveChaumPedersenProof>,
    sum_proof: SumProof,
}

struct Prepared {
    base: Transcript,
    challenges: Vec<Scalar>,
    digest: [u8; 32],
}

impl EncryptedBallot {
    /// Encrypts `selections` (one flag per option) and proves the ballot well formed.
    pub fn encrypt<R: RngCore + CryptoRng>(
        ctx: &BallotContext,
        selections: &[bool],
        rng: &mut R,
    ) -> Result<Self, CryptoError> {
        ctx.validate()?;
        if selections.len() != ctx.options as usize {
            return Err(CryptoError::WrongOptionCount {
                expected: ctx.options,
                got: u32::try_from(selections.len()).unwrap_or(u32::MAX),
            });
        }
        let selected = selections.iter().fold(0u32, |n, s| n.saturating_add(u32::from(*s)));
        if selected < ctx.min_selections || selected > ctx.max_selections {
            return Err(CryptoError::InvalidSelection);
        }
        let pk = &ctx.public_key;
        let mut nonces: Vec<Scalar> = selections.iter().map(|_| Scalar::random(rng)).collect();
        let ciphertexts: Vec<Ciphertext> = selections
            .iter()
            .zip(nonces.iter())
            .map(|(s, r)| Ciphertext::encrypt(pk, &Scalar::from(u64::from(*s)), r))
            .collect();
        let base = transcript::ballot_base(ctx, &ciphertexts);
        let proofs = selections
            .iter()
            .zip(nonces.iter())
            .zip(ciphertexts.iter())
            .zip(0u32..)
            .map(|(((s, r), ct), i)| {
                DisjunctiveChaumPedersenProof::prove(
                    &base,
                    i,
                    ct,
                    pk,
                    Choice::from(u8::from(*s)),
                    r,
                    rng,
                )
            })
            .collect();
        let mut nonce_sum: Scalar = nonces.iter().sum();
        let sum_proof = if ctx.min_selections == ctx.max_selections {
            SumProof::Constant(ConstantChaumPedersenProof::prove(&base, pk, &nonce_sum, rng))
        } else {
            let (sum_pad, sum_data) = sum_points(&ciphertexts);
            SumProof::Range(RangeChaumPedersenProof::prove(
                &base,
                (&sum_pad, &sum_data),
                pk,
                ctx.min_selections,
                ctx.max_selections,
                selected,
                &nonce_sum,
                rng,
            ))
        };
        nonce_sum.zeroize();
        nonces.zeroize();
        Ok(Self { ciphertexts, proofs, sum_proof })
    }

    /// Encrypts a single-choice ballot selecting option `choice` (0-based).
    pub fn encrypt_choice<R: RngCore + CryptoRng>(
        ctx: &BallotContext,
        choice: u32,
        rng: &mut R,
    ) -> Result<Self, CryptoError> {
        ctx.validate()?;
        if choice >= ctx.options {
            return Err(CryptoError::InvalidSelection);
        }
        let selections: Vec<bool> = (0..ctx.options).map(|i| i == choice).collect();
        Self::encrypt(ctx, &selections, rng)
    }

    /// Assembles a ballot from its parts, checking 1 ≤ k ≤ [`MAX_OPTIONS`] and
    /// one proof per ciphertext. Does not verify the proofs.
    pub fn from_parts(
        ciphertexts: Vec<Ciphertext>,
        proofs: Vec<DisjunctiveChaumPedersenProof>,
        sum_proof: SumProof,
    ) -> Result<Self, CryptoError> {
        if ciphertexts.len() > MAX_OPTIONS as usize {
            return Err(CryptoError::TooManyOptions);
        }
        if ciphertexts.is_empty() || ciphertexts.len() != proofs.len() {
            return Err(CryptoError::InvalidEncoding);
        }
        if let SumProof::Range(r) = &sum_proof {
            if r.branches.len() > MAX_OPTIONS as usize + 1 {
                return Err(CryptoError::InvalidEncoding);
            }
        }
        Ok(Self { ciphertexts, proofs, sum_proof })
    }

    /// Verifies every proof of the ballot under `ctx` with one multi-scalar
    /// multiplication. Deterministic: no RNG, usable in `no_std`/WASM.
    /// On failure, names the first invalid option proof (or the sum proof).
    pub fn verify(&self, ctx: &BallotContext) -> Result<(), CryptoError> {
        let prepared = self.prepare(ctx)?;
        self.check_prepared(ctx, &prepared)
    }

    /// The ballot tracker: `SHA-256(TRACKER_DOMAIN ‖ SCALE(ballot))`, where
    /// `TRACKER_DOMAIN = b"electx-ballot-tracker-v1"`. SHA-256 because it is in
    /// every toolbox a voter may use to recompute it. Since the proofs bind the
    /// ballot to its context (voter, election, chain), so does the tracker.
    pub fn tracker(&self) -> [u8; 32] {
        tracker_of(&self.encode())
    }

    /// The k ciphertexts, one per option.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.ciphertexts
    }

    /// The k option proofs.
    pub fn option_proofs(&self) -> &[DisjunctiveChaumPedersenProof] {
        &self.proofs
    }

    /// The selection-count proof.
    pub fn sum_proof(&self) -> &SumProof {
        &self.sum_proof
    }

    /// Number of options k.
    pub fn option_count(&self) -> u32 {
        // At most MAX_OPTIONS by construction.
        u32::try_from(self.ciphertexts.len()).unwrap_or(u32::MAX)
    }

    /// Shape checks and Fiat-Shamir challenges.
    fn prepare(&self, ctx: &BallotContext) -> Result<Prepared, CryptoError> {
        ctx.validate()?;
        let got = self.option_count();
        if got != ctx.options || self.proofs.len() != self.ciphertexts.len() {
            return Err(CryptoError::WrongOptionCount { expected: ctx.options, got });
        }
        let constant = ctx.min_selections == ctx.max_selections;
        match (&self.sum_proof, constant) {
            (SumProof::Constant(_), true) => {}
            (SumProof::Range(r), false)
                if r.branches.len() == (ctx.max_selections - ctx.min_selections) as usize + 1 => {}
            _ => return Err(CryptoError::SumProofFailed),
        }
        let base = transcript::ballot_base(ctx, &self.ciphertexts);
        let challenges =
            self.proofs.iter().zip(0u32..).map(|(p, i)| p.challenge(&base, i)).collect();
        let digest = transcript::ballot_digest(&base, &(&self.proofs, &self.sum_proof).encode());
        Ok(Prepared { base, challenges, digest })
    }

    /// Adds the sum proof's equations; returns its coefficients on ΣR and ΣC.
    fn accumulate_sum(
        &self,
        ctx: &BallotContext,
        prepared: &Prepared,
        w: &mut Weights,
        msm: &mut Msm,
    ) -> Result<(Scalar, Scalar), CryptoError> {
        let pk = ctx.public_key.element();
        match &self.sum_proof {
            SumProof::Constant(p) => {
                Ok(p.accumulate(&prepared.base, ctx.min_selections, pk, w, msm))
            }
            SumProof::Range(p) => {
                p.accumulate(&prepared.base, ctx.min_selections, ctx.max_selections, pk, w, msm)
            }
        }
    }

    /// Adds every equation of the ballot to `msm`.
    fn accumulate(
        &self,
        ctx: &BallotContext,
        prepared: &Prepared,
        w: &mut Weights,
        msm: &mut Msm,
    ) -> Result<(), CryptoError> {
        let (sum_r, sum_c) = self.accumulate_sum(ctx, prepared, w, msm)?;
        let pk = ctx.public_key.element();
        for ((proof, ct), c) in
            self.proofs.iter().zip(self.ciphertexts.iter()).zip(prepared.challenges.iter())
        {
            let (coef_r, coef_c) = proof.accumulate(c, pk, w, msm);
            // The sum proof's terms on ΣR, ΣC distribute over every Rᵢ, Cᵢ.
            msm.add(coef_r + sum_r, ct.pad());
            msm.add(coef_c + sum_c, ct.data());
        }
        Ok(())
    }

    fn points_hint(&self) -> usize {
        let sum = match &self.sum_proof {
            SumProof::Constant(_) => 2,
            SumProof::Range(r) => 2 * r.branches.len(),
        };
        6 * self.ciphertexts.len() + sum
    }

    /// One combined check; on failure, narrows down to the culprit.
    fn check_prepared(&self, ctx: &BallotContext, prepared: &Prepared) -> Result<(), CryptoError> {
        let mut w = Weights::new(b"ballot", core::iter::once(&prepared.digest));
        let mut msm = Msm::with_capacity(self.points_hint());
        self.accumulate(ctx, prepared, &mut w, &mut msm)?;
        if msm.is_zero() {
            return Ok(());
        }
        Err(self.locate_failure(ctx, prepared))
    }

    /// Checks each option proof, then the sum proof, separately.
    fn locate_failure(&self, ctx: &BallotContext, prepared: &Prepared) -> CryptoError {
        let pk = ctx.public_key.element();
        let mut w = Weights::new(b"locate", core::iter::once(&prepared.digest));
        for (((proof, ct), c), i) in self
            .proofs
            .iter()
            .zip(self.ciphertexts.iter())
            .zip(prepared.challenges.iter())
            .zip(0u32..)
        {
            let mut msm = Msm::with_capacity(6);
            let (coef_r, coef_c) = proof.accumulate(c, pk, &mut w, &mut msm);
            msm.add(coef_r, ct.pad());
            msm.add(coef_c, ct.data());
            if !msm.is_zero() {
                return CryptoError::OptionProofFailed { option: i };
            }
        }
        let mut msm = Msm::with_capacity(self.points_hint());
        match self.accumulate_sum(ctx, prepared, &mut w, &mut msm) {
            Ok((sum_r, sum_c)) => {
                for ct in &self.ciphertexts {
                    msm.add(sum_r, ct.pad());
                    msm.add(sum_c, ct.data());
                }
                if !msm.is_zero() {
                    return CryptoError::SumProofFailed;
                }
            }
            Err(e) => return e,
        }
        CryptoError::ProofFailed
    }
}

fn sum_points(cts: &[Ciphertext]) -> (RistrettoPoint, RistrettoPoint) {
    cts.iter().fold((RistrettoPoint::identity(), RistrettoPoint::identity()), |(r, c), ct| {
        (r + ct.pad().point(), c + ct.data().point())
    })
}

impl DecodeWithMemTracking for EncryptedBallot {}

impl Decode for EncryptedBallot {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let ciphertexts = decode_bounded_vec(input, MAX_OPTIONS)?;
        let proofs = decode_bounded_vec(input, MAX_OPTIONS)?;
        let sum_proof = SumProof::decode(input)?;
        Ok(Self::from_parts(ciphertexts, proofs, sum_proof)?)
    }
}

impl MaxEncodedLen for EncryptedBallot {
    fn max_encoded_len() -> usize {
        let k = MAX_OPTIONS as usize;
        compact_len(MAX_OPTIONS) * 2
            + k * Ciphertext::max_encoded_len()
            + k * DisjunctiveChaumPedersenProof::max_encoded_len()
            + SumProof::max_encoded_len()
    }
}

/// Verifies many ballots (possibly of different elections) with one
/// multi-scalar multiplication. On failure, re-checks ballots one by one and
/// returns the index and error of the first invalid one.
pub fn verify_batch(items: &[(BallotContext, EncryptedBallot)]) -> Result<(), BatchError> {
    let mut prepared = Vec::with_capacity(items.len());
    let mut points = 0usize;
    for (index, (ctx, ballot)) in items.iter().enumerate() {
        prepared.push(ballot.prepare(ctx).map_err(|error| BatchError { index, error })?);
        points = points.saturating_add(ballot.points_hint());
    }
    let mut w = Weights::new(b"batch", prepared.iter().map(|p| &p.digest));
    let mut msm = Msm::with_capacity(points);
    for (index, ((ctx, ballot), p)) in items.iter().zip(prepared.iter()).enumerate() {
        ballot.accumulate(ctx, p, &mut w, &mut msm).map_err(|error| BatchError { index, error })?;
    }
    if msm.is_zero() {
        return Ok(());
    }
    for (index, ((ctx, ballot), p)) in items.iter().zip(prepared.iter()).enumerate() {
        ballot.check_prepared(ctx, p).map_err(|error| BatchError { index, error })?;
    }
    Err(BatchError { index: 0, error: CryptoError::ProofFailed })
}

#[cfg(feature = "std")]
mod serde_form {
    use super::*;

    #[derive(serde::Deserialize)]
    pub(super) struct EncryptedBallotParts {
        ciphertexts: Vec<Ciphertext>,
        proofs: Vec<DisjunctiveChaumPedersenProof>,
        sum_proof: SumProof,
    }

    impl TryFrom<EncryptedBallotParts> for EncryptedBallot {
        type Error = CryptoError;
        fn try_from(p: EncryptedBallotParts) -> Result<Self, CryptoError> {
            EncryptedBallot::from_parts(p.ciphertexts, p.proofs, p.sum_proof)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ElectionSecretKey;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    fn ctx(rng: &mut ChaCha20Rng, options: u32, min: u32, max: u32) -> BallotContext {
        BallotContext {
            genesis_hash: [1u8; 32],
            election_id: 7,
            public_key: ElectionSecretKey::generate(rng).public_key(),
            voter: [2u8; 32],
            options,
            min_selections: min,
            max_selections: max,
        }
    }

    #[test]
    fn single_choice_roundtrip() {
        let mut rng = ChaCha20Rng::from_seed([3u8; 32]);
        let ctx = ctx(&mut rng, 5, 1, 1);
        let b = EncryptedBallot::encrypt_choice(&ctx, 2, &mut rng).unwrap();
        b.verify(&ctx).unwrap();
        let enc = b.encode();
        assert_eq!(enc.len(), 1 + 5 * 64 + 1 + 5 * 224 + 1 + 96);
        let d = EncryptedBallot::decode(&mut &enc[..]).unwrap();
        assert_eq!(d, b);
        d.verify(&ctx).unwrap();
    }

    #[test]
    fn range_ballot_and_wrong_context() {
        let mut rng = ChaCha20Rng::from_seed([4u8; 32]);
        let ctx = ctx(&mut rng, 4, 0, 3);
        let b = EncryptedBallot::encrypt(&ctx, &[true, false, true, false], &mut rng).unwrap();
        b.verify(&ctx).unwrap();
        let mut other = ctx.clone();
        other.voter[0] ^= 1;
        assert!(b.verify(&other).is_err());
        let mut other = ctx.clone();
        other.max_selections = 2;
        assert_eq!(b.verify(&other), Err(CryptoError::SumProofFailed));
    }

    #[test]
    fn refuses_bad_selection_counts() {
        let mut rng = ChaCha20Rng::from_seed([5u8; 32]);
        let ctx = ctx(&mut rng, 3, 1, 2);
        assert_eq!(
            EncryptedBallot::encrypt(&ctx, &[false; 3], &mut rng),
            Err(CryptoError::InvalidSelection)
        );
        assert_eq!(
            EncryptedBallot::encrypt(&ctx, &[true; 3], &mut rng),
            Err(CryptoError::InvalidSelection)
        );
        assert_eq!(
            EncryptedBallot::encrypt(&ctx, &[true; 2], &mut rng),
            Err(CryptoError::WrongOptionCount { expected: 3, got: 2 })
        );
        assert_eq!(
            EncryptedBallot::encrypt_choice(&ctx, 3, &mut rng),
            Err(CryptoError::InvalidSelection)
        );
    }

    #[test]
    fn names_failing_option() {
        let mut rng = ChaCha20Rng::from_seed([6u8; 32]);
        let ctx = ctx(&mut rng, 3, 1, 1);
        let mut b = EncryptedBallot::encrypt_choice(&ctx, 0, &mut rng).unwrap();
        let other = EncryptedBallot::encrypt_choice(&ctx, 1, &mut rng).unwrap();
        b.proofs[1] = other.proofs[1].clone();
        assert_eq!(b.verify(&ctx), Err(CryptoError::OptionProofFailed { option: 1 }));
    }
}
