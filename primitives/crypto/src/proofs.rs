//! Sigma-protocol proofs, made non-interactive with Fiat-Shamir.
//!
//! All proofs are stored in *commitment form* (commitments + responses, the
//! form ElectionGuard 1.x serialises as `pad`/`data`), so that a verifier
//! checks linear equations only and many proofs batch into one multi-scalar
//! multiplication (see [`crate::msm`]). Only one challenge of a disjunction is
//! stored; the other follows from the Fiat-Shamir challenge.
//!
//! * [`DisjunctiveChaumPedersenProof`]: an option's ciphertext encrypts 0 or 1.
//!   Cramer-Damgård-Schoenmakers 1994 (CDS94) OR-composition of two
//!   Chaum-Pedersen 1992 (CP92) proofs of equality of discrete logarithms.
//! * [`ConstantChaumPedersenProof`]: a ciphertext encrypts a known constant
//!   (CP92 on (R, C − n·G)).
//! * [`RangeChaumPedersenProof`]: a ciphertext encrypts one of min..=max
//!   (CDS94 over max − min + 1 CP92 branches).
//! * [`DecryptionProof`]: M = C − x·R, i.e. log_G(PK) = log_R(C − t·G) (CP92).

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use curve25519_dalek::{
    constants::RISTRETTO_BASEPOINT_TABLE, ristretto::RistrettoPoint, scalar::Scalar,
    traits::MultiscalarMul,
};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use scale_info::TypeInfo;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use crate::{
    ciphertext::{Ciphertext, G},
    error::CryptoError,
    group::{compact_len, decode_bounded_vec, GroupElement, ScalarElement},
    keys::ElectionPublicKey,
    msm::Msm,
    tally::DecryptionContext,
    transcript::{self, Weights},
    MAX_OPTIONS,
};

fn select_point(a: &RistrettoPoint, b: &RistrettoPoint, choose_b: Choice) -> RistrettoPoint {
    RistrettoPoint::conditional_select(a, b, choose_b)
}

fn select_scalar(a: &Scalar, b: &Scalar, choose_b: Choice) -> Scalar {
    Scalar::conditional_select(a, b, choose_b)
}

/// Proof that a ciphertext (R, C) encrypts 0 or 1 (ElectionGuard:
/// `DisjunctiveChaumPedersenProof`). 224 bytes.
///
/// Branch j ∈ {0, 1} claims (R, C − j·G) = (r·G, r·PK); it has commitments
/// (a_j, b_j), challenge c_j and response s_j, with c₀ + c₁ = c = H(…, a₀, b₀,
/// a₁, b₁). Only c₀ is stored; c₁ = c − c₀.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct DisjunctiveChaumPedersenProof {
    /// a₀ (commitment on G, branch "encrypts 0").
    pub proof_zero_pad: GroupElement,
    /// b₀ (commitment on PK, branch "encrypts 0").
    pub proof_zero_data: GroupElement,
    /// a₁ (commitment on G, branch "encrypts 1").
    pub proof_one_pad: GroupElement,
    /// b₁ (commitment on PK, branch "encrypts 1").
    pub proof_one_data: GroupElement,
    /// c₀; c₁ = c − c₀.
    pub proof_zero_challenge: ScalarElement,
    /// s₀.
    pub proof_zero_response: ScalarElement,
    /// s₁.
    pub proof_one_response: ScalarElement,
}

impl DisjunctiveChaumPedersenProof {
    /// Proves that `ct = (r·G, m·G + r·PK)` with `m = selected ∈ {0,1}` and `r = nonce`.
    /// Constant time in `selected` and `nonce`.
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        base: &Transcript,
        index: u32,
        ct: &Ciphertext,
        pk: &ElectionPublicKey,
        selected: Choice,
        nonce: &Scalar,
        rng: &mut R,
    ) -> Self {
        let pk_point = pk.element().point();
        let pad = ct.pad().point();
        let mut u = Scalar::random(rng);
        let c_fake = Scalar::random(rng);
        let s_fake = Scalar::random(rng);
        // Real branch, CP92 commit step: a = u·G, b = u·PK.
        let a_real = &u * RISTRETTO_BASEPOINT_TABLE;
        let b_real = u * pk_point;
        // Simulated branch f = 1 − m, CDS94 simulator: a_f = s_f·G − c_f·R,
        // b_f = s_f·PK − c_f·(C − f·G).
        let d_zero = *ct.data().point();
        let d_one = d_zero - G;
        let d_fake = select_point(&d_one, &d_zero, selected);
        let a_fake = RistrettoPoint::multiscalar_mul([s_fake, -c_fake], [G, *pad]);
        let b_fake = RistrettoPoint::multiscalar_mul([s_fake, -c_fake], [*pk_point, d_fake]);
        let proof_zero_pad = GroupElement::from_point(select_point(&a_real, &a_fake, selected));
        let proof_zero_data = GroupElement::from_point(select_point(&b_real, &b_fake, selected));
        let proof_one_pad = GroupElement::from_point(select_point(&a_fake, &a_real, selected));
        let proof_one_data = GroupElement::from_point(select_point(&b_fake, &b_real, selected));
        let c = transcript::option_challenge(
            base,
            index,
            [&proof_zero_pad, &proof_zero_data, &proof_one_pad, &proof_one_data],
        );
        // CDS94: the real branch gets c_m = c − c_f; CP92 response s_m = u + c_m·r.
        let c_real = c - c_fake;
        let s_real = u + c_real * nonce;
        u.zeroize();
        Self {
            proof_zero_pad,
            proof_zero_data,
            proof_one_pad,
            proof_one_data,
            proof_zero_challenge: ScalarElement::new(select_scalar(&c_real, &c_fake, selected)),
            proof_zero_response: ScalarElement::new(select_scalar(&s_real, &s_fake, selected)),
            proof_one_response: ScalarElement::new(select_scalar(&s_fake, &s_real, selected)),
        }
    }

    /// The Fiat-Shamir challenge c of this proof for option `index`.
    pub(crate) fn challenge(&self, base: &Transcript, index: u32) -> Scalar {
        transcript::option_challenge(
            base,
            index,
            [
                &self.proof_zero_pad,
                &self.proof_zero_data,
                &self.proof_one_pad,
                &self.proof_one_data,
            ],
        )
    }

    /// Adds the four weighted verification equations to `msm`, except the terms
    /// on R and C, whose coefficients are returned (the caller merges them with
    /// the selection-count proof's terms on the same points).
    pub(crate) fn accumulate(
        &self,
        c: &Scalar,
        pk: &GroupElement,
        w: &mut Weights,
        msm: &mut Msm,
    ) -> (Scalar, Scalar) {
        let c0 = *self.proof_zero_challenge.scalar();
        // CDS94: c₀ + c₁ = c.
        let c1 = c - c0;
        let s0 = *self.proof_zero_response.scalar();
        let s1 = *self.proof_one_response.scalar();
        let (w1, w2, w3, w4) = (w.next_weight(), w.next_weight(), w.next_weight(), w.next_weight());
        // CP92 §3.2 verification, branch 0:  s₀·G = a₀ + c₀·R      (w1)
        //                                     s₀·PK = b₀ + c₀·C     (w2)
        // CP92 §3.2 verification, branch 1:  s₁·G = a₁ + c₁·R      (w3)
        //                                     s₁·PK = b₁ + c₁·(C − G) (w4)
        msm.add_g(w1 * s0 + w3 * s1 + w4 * c1);
        msm.add_key(pk, w2 * s0 + w4 * s1);
        msm.add(-w1, &self.proof_zero_pad);
        msm.add(-w2, &self.proof_zero_data);
        msm.add(-w3, &self.proof_one_pad);
        msm.add(-w4, &self.proof_one_data);
        (-(w1 * c0 + w3 * c1), -(w2 * c0 + w4 * c1))
    }
}

/// Proof that a ciphertext encrypts a known constant n (ElectionGuard:
/// `ConstantChaumPedersenProof`): CP92 on (R, C − n·G). 96 bytes; the
/// challenge is recomputed.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct ConstantChaumPedersenProof {
    /// a = u·G.
    pub pad: GroupElement,
    /// b = u·PK.
    pub data: GroupElement,
    /// s = u + c·r.
    pub response: ScalarElement,
}

impl ConstantChaumPedersenProof {
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        base: &Transcript,
        pk: &ElectionPublicKey,
        nonce: &Scalar,
        rng: &mut R,
    ) -> Self {
        let mut u = Scalar::random(rng);
        // CP92 commit step.
        let pad = GroupElement::from_point(&u * RISTRETTO_BASEPOINT_TABLE);
        let data = GroupElement::from_point(u * pk.element().point());
        let c = transcript::sum_challenge(base, core::iter::once((&pad, &data)));
        // CP92 response.
        let response = ScalarElement::new(u + c * nonce);
        u.zeroize();
        Self { pad, data, response }
    }

    /// Adds the weighted equations for "(ΣR, ΣC) encrypts `constant`"; returns
    /// the coefficients on ΣR and ΣC.
    pub(crate) fn accumulate(
        &self,
        base: &Transcript,
        constant: u32,
        pk: &GroupElement,
        w: &mut Weights,
        msm: &mut Msm,
    ) -> (Scalar, Scalar) {
        let c = transcript::sum_challenge(base, core::iter::once((&self.pad, &self.data)));
        let s = *self.response.scalar();
        let n = Scalar::from(constant);
        let (w1, w2) = (w.next_weight(), w.next_weight());
        // CP92 §3.2: s·G = a + c·ΣR             (w1)
        //            s·PK = b + c·(ΣC − n·G)     (w2)
        msm.add_g(w1 * s + w2 * c * n);
        msm.add_key(pk, w2 * s);
        msm.add(-w1, &self.pad);
        msm.add(-w2, &self.data);
        (-(w1 * c), -(w2 * c))
    }
}

/// One branch of a [`RangeChaumPedersenProof`]: the claim "encrypts v".
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct RangeBranch {
    /// a_v.
    pub pad: GroupElement,
    /// b_v.
    pub data: GroupElement,
    /// c_v.
    pub challenge: ScalarElement,
    /// s_v.
    pub response: ScalarElement,
}

/// Proof that a ciphertext encrypts one of `min..=max` (CDS94 over CP92
/// branches v = min, …, max). 128 bytes per branch plus a compact length;
/// the branch challenges must add up to the Fiat-Shamir challenge.
#[derive(Clone, PartialEq, Eq, Debug, Encode, TypeInfo)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct RangeChaumPedersenProof {
    /// Branches for v = min, min + 1, …, max.
    pub branches: Vec<RangeBranch>,
}

impl DecodeWithMemTracking for RangeChaumPedersenProof {}

impl Decode for RangeChaumPedersenProof {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        Ok(Self { branches: decode_bounded_vec(input, MAX_OPTIONS + 1)? })
    }
}

impl MaxEncodedLen for RangeChaumPedersenProof {
    fn max_encoded_len() -> usize {
        compact_len(MAX_OPTIONS + 1) + (MAX_OPTIONS as usize + 1) * RangeBranch::max_encoded_len()
    }
}

impl RangeChaumPedersenProof {
    /// Proves that (ΣR, ΣC) = (r·G, n·G + r·PK) with `min ≤ n ≤ max`.
    /// Constant time in `n` and `nonce` (for a given range).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        base: &Transcript,
        sum: (&RistrettoPoint, &RistrettoPoint),
        pk: &ElectionPublicKey,
        min: u32,
        max: u32,
        n: u32,
        nonce: &Scalar,
        rng: &mut R,
    ) -> Self {
        let pk_point = pk.element().point();
        let mut u = Scalar::random(rng);
        let a_real = &u * RISTRETTO_BASEPOINT_TABLE;
        let b_real = u * pk_point;
        let mut drafts = Vec::with_capacity(max.saturating_sub(min) as usize + 1);
        let mut fake_sum = Scalar::ZERO;
        for v in min..=max {
            let real = v.ct_eq(&n);
            let c_v = Scalar::random(rng);
            let s_v = Scalar::random(rng);
            // CDS94 simulator for branch v: a_v = s_v·G − c_v·ΣR, b_v = s_v·PK − c_v·(ΣC − v·G).
            let d_v = sum.1 - Scalar::from(v) * G;
            let a_fake = RistrettoPoint::multiscalar_mul([s_v, -c_v], [G, *sum.0]);
            let b_fake = RistrettoPoint::multiscalar_mul([s_v, -c_v], [*pk_point, d_v]);
            fake_sum += select_scalar(&c_v, &Scalar::ZERO, real);
            drafts.push((
                GroupElement::from_point(select_point(&a_fake, &a_real, real)),
                GroupElement::from_point(select_point(&b_fake, &b_real, real)),
                c_v,
                s_v,
                real,
            ));
        }
        let c = transcript::sum_challenge(base, drafts.iter().map(|(a, b, _, _, _)| (a, b)));
        // CDS94: the real branch's challenge makes the challenges add up to c.
        let c_real = c - fake_sum;
        let s_real = u + c_real * nonce;
        u.zeroize();
        let branches = drafts
            .into_iter()
            .map(|(pad, data, c_v, s_v, real)| RangeBranch {
                pad,
                data,
                challenge: ScalarElement::new(select_scalar(&c_v, &c_real, real)),
                response: ScalarElement::new(select_scalar(&s_v, &s_real, real)),
            })
            .collect();
        Self { branches }
    }

    /// Adds the weighted equations for "(ΣR, ΣC) encrypts one of min..=max";
    /// returns the coefficients on ΣR and ΣC, or an error if the shape or the
    /// challenge sum is wrong.
    pub(crate) fn accumulate(
        &self,
        base: &Transcript,
        min: u32,
        max: u32,
        pk: &GroupElement,
        w: &mut Weights,
        msm: &mut Msm,
    ) -> Result<(Scalar, Scalar), CryptoError> {
        let expected = max
            .checked_sub(min)
            .and_then(|d| d.checked_add(1))
            .ok_or(CryptoError::SumProofFailed)?;
        if self.branches.len() != expected as usize {
            return Err(CryptoError::SumProofFailed);
        }
        let c = transcript::sum_challenge(base, self.branches.iter().map(|b| (&b.pad, &b.data)));
        // CDS94: Σ c_v = c.
        let total: Scalar = self.branches.iter().map(|b| b.challenge.scalar()).sum();
        if total != c {
            return Err(CryptoError::SumProofFailed);
        }
        let (mut coef_r, mut coef_c) = (Scalar::ZERO, Scalar::ZERO);
        for (v, branch) in (min..=max).zip(self.branches.iter()) {
            let c_v = *branch.challenge.scalar();
            let s_v = *branch.response.scalar();
            let (w1, w2) = (w.next_weight(), w.next_weight());
            // CP92 §3.2 for branch v: s_v·G = a_v + c_v·ΣR               (w1)
            //                         s_v·PK = b_v + c_v·(ΣC − v·G)      (w2)
            msm.add_g(w1 * s_v + w2 * c_v * Scalar::from(v));
            msm.add_key(pk, w2 * s_v);
            msm.add(-w1, &branch.pad);
            msm.add(-w2, &branch.data);
            coef_r -= w1 * c_v;
            coef_c -= w2 * c_v;
        }
        Ok((coef_r, coef_c))
    }
}

/// The ballot's selection-count proof: a constant proof when
/// `min_selections == max_selections`, a range proof otherwise.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
// The constant variant holds decompressed points (416 bytes); boxing it would
// only add an allocation per ballot.
#[allow(clippy::large_enum_variant)]
pub enum SumProof {
    /// Σ mᵢ = min_selections = max_selections.
    Constant(ConstantChaumPedersenProof),
    /// min_selections ≤ Σ mᵢ ≤ max_selections.
    Range(RangeChaumPedersenProof),
}

/// Proof that a tally ciphertext (R, C) decrypts to t·G under the election key
/// (ElectionGuard: the `ChaumPedersenProof` of a decryption share): CP92 proof
/// that log_G(PK) = log_R(C − t·G). 96 bytes.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct DecryptionProof {
    /// a = u·G.
    pub pad: GroupElement,
    /// b = u·R.
    pub data: GroupElement,
    /// s = u + c·x.
    pub response: ScalarElement,
}

impl DecryptionProof {
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        ctx: &DecryptionContext,
        index: u32,
        ct: &Ciphertext,
        count: u64,
        secret: &Scalar,
        rng: &mut R,
    ) -> Self {
        let mut u = Scalar::random(rng);
        // CP92 commit step on bases (G, R).
        let pad = GroupElement::from_point(&u * RISTRETTO_BASEPOINT_TABLE);
        let data = GroupElement::from_point(u * ct.pad().point());
        let c = transcript::decryption_challenge(ctx, index, ct, count, &pad, &data);
        // CP92 response.
        let response = ScalarElement::new(u + c * secret);
        u.zeroize();
        Self { pad, data, response }
    }

    /// Adds the two weighted equations of option `index` to `msm`.
    pub(crate) fn accumulate(
        &self,
        ctx: &DecryptionContext,
        index: u32,
        ct: &Ciphertext,
        count: u64,
        w: &mut Weights,
        msm: &mut Msm,
    ) {
        let c = transcript::decryption_challenge(ctx, index, ct, count, &self.pad, &self.data);
        let s = *self.response.scalar();
        let t = Scalar::from(count);
        let (w1, w2) = (w.next_weight(), w.next_weight());
        // CP92 §3.2 on (G, PK) and (R, C − t·G):
        //   s·G = a + c·PK           (w1)
        //   s·R = b + c·(C − t·G)    (w2)
        msm.add_g(w1 * s + w2 * c * t);
        msm.add_key(ctx.public_key.element(), -(w1 * c));
        msm.add(-w1, &self.pad);
        msm.add(w2 * s, ct.pad());
        msm.add(-w2, &self.data);
        msm.add(-(w2 * c), ct.data());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ElectionSecretKey;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    fn setup() -> (ChaCha20Rng, ElectionPublicKey, Transcript) {
        let mut rng = ChaCha20Rng::from_seed([9u8; 32]);
        let pk = ElectionSecretKey::generate(&mut rng).public_key();
        (rng, pk, Transcript::new(b"test"))
    }

    fn check_option(
        p: &DisjunctiveChaumPedersenProof,
        base: &Transcript,
        ct: &Ciphertext,
        pk: &ElectionPublicKey,
    ) -> bool {
        let mut w = Weights::new(b"t", core::iter::empty());
        let mut msm = Msm::with_capacity(8);
        let c = p.challenge(base, 0);
        let (cr, cc) = p.accumulate(&c, pk.element(), &mut w, &mut msm);
        msm.add(cr, ct.pad());
        msm.add(cc, ct.data());
        msm.is_zero()
    }

    #[test]
    fn disjunctive_accepts_zero_and_one_rejects_two() {
        let (mut rng, pk, base) = setup();
        for m in [0u64, 1] {
            let r = Scalar::random(&mut rng);
            let ct = Ciphertext::encrypt(&pk, &Scalar::from(m), &r);
            let p = DisjunctiveChaumPedersenProof::prove(
                &base,
                0,
                &ct,
                &pk,
                Choice::from(m as u8),
                &r,
                &mut rng,
            );
            assert!(check_option(&p, &base, &ct, &pk));
            // A proof is bound to its transcript.
            assert!(!check_option(&p, &Transcript::new(b"other"), &ct, &pk));
        }
        // An honest prover cannot prove m = 2 under either branch.
        let r = Scalar::random(&mut rng);
        let ct = Ciphertext::encrypt(&pk, &Scalar::from(2u64), &r);
        for bit in [0u8, 1] {
            let p = DisjunctiveChaumPedersenProof::prove(
                &base,
                0,
                &ct,
                &pk,
                Choice::from(bit),
                &r,
                &mut rng,
            );
            assert!(!check_option(&p, &base, &ct, &pk));
        }
    }

    #[test]
    fn range_proof_accepts_in_range_only() {
        let (mut rng, pk, base) = setup();
        for n in 0u32..=4 {
            let r = Scalar::random(&mut rng);
            let ct = Ciphertext::encrypt(&pk, &Scalar::from(n), &r);
            let p = RangeChaumPedersenProof::prove(
                &base,
                (ct.pad().point(), ct.data().point()),
                &pk,
                1,
                3,
                n,
                &r,
                &mut rng,
            );
            let mut w = Weights::new(b"t", core::iter::empty());
            let mut msm = Msm::with_capacity(16);
            let ok = match p.accumulate(&base, 1, 3, pk.element(), &mut w, &mut msm) {
                Ok((cr, cc)) => {
                    msm.add(cr, ct.pad());
                    msm.add(cc, ct.data());
                    msm.is_zero()
                }
                Err(_) => false,
            };
            assert_eq!(ok, (1..=3).contains(&n), "n = {n}");
            assert_eq!(p.branches.len(), 3);
        }
    }
}
