//! Accumulator for one random-linear-combination check, evaluated as a single
//! variable-time multi-scalar multiplication.
//!
//! Every verification equation is written as Σ sᵢ·Pᵢ = 0; equations are
//! multiplied by independent 128-bit weights and summed (Bellare-Garay-Rabin
//! 1998, small-exponent test). Coefficients of G and of each public key are
//! merged, so they cost one point each per batch.

use alloc::vec::Vec;
use curve25519_dalek::{
    ristretto::RistrettoPoint,
    scalar::Scalar,
    traits::{IsIdentity, VartimeMultiscalarMul},
};

use crate::{ciphertext::G, group::GroupElement};

pub(crate) struct Msm {
    g: Scalar,
    keys: Vec<([u8; 32], RistrettoPoint, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Msm {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            g: Scalar::ZERO,
            keys: Vec::new(),
            scalars: Vec::with_capacity(n),
            points: Vec::with_capacity(n),
        }
    }

    /// Adds `s·G`.
    pub(crate) fn add_g(&mut self, s: Scalar) {
        self.g += s;
    }

    /// Adds `s·PK`, merging repeated keys.
    pub(crate) fn add_key(&mut self, pk: &GroupElement, s: Scalar) {
        if let Some(entry) = self.keys.iter_mut().find(|(b, _, _)| b == pk.as_bytes()) {
            entry.2 += s;
        } else {
            self.keys.push((pk.to_bytes(), *pk.point(), s));
        }
    }

    /// Adds `s·P`.
    pub(crate) fn add(&mut self, s: Scalar, p: &GroupElement) {
        self.scalars.push(s);
        self.points.push(*p.point());
    }

    /// Whether the accumulated combination is the identity.
    pub(crate) fn is_zero(&self) -> bool {
        let scalars = core::iter::once(&self.g)
            .chain(self.keys.iter().map(|(_, _, s)| s))
            .chain(self.scalars.iter());
        let points = core::iter::once(&G)
            .chain(self.keys.iter().map(|(_, p, _)| p))
            .chain(self.points.iter());
        RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_nonzero() {
        let p = GroupElement::from_point(G + G);
        let mut m = Msm::with_capacity(2);
        m.add_g(Scalar::from(2u64));
        m.add(-Scalar::ONE, &p);
        assert!(m.is_zero());
        m.add_key(&p, Scalar::ONE);
        assert!(!m.is_zero());
        m.add_key(&p, -Scalar::ONE);
        assert!(m.is_zero());
    }
}
