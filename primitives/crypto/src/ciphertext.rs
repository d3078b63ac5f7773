//! Exponential ElGamal ciphertexts on ristretto255.
//!
//! An encryption of m under PK with nonce r is (R, C) = (r·G, m·G + r·PK)
//! (ElGamal 1985, "exponential" variant of Cramer-Gennaro-Schoenmakers 1997 §2.1;
//! ElectionGuard calls R the *pad* and C the *data*). Ciphertexts add
//! component-wise, which adds the plaintexts.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use curve25519_dalek::{
    constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE},
    ristretto::RistrettoPoint,
    scalar::Scalar,
};
use scale_info::TypeInfo;

use crate::{group::GroupElement, keys::ElectionPublicKey};

/// An exponential ElGamal ciphertext (R, C): 64 bytes on the wire.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct Ciphertext {
    pad: GroupElement,
    data: GroupElement,
}

impl Ciphertext {
    /// The identity ciphertext (an encryption of 0 with nonce 0): the empty tally.
    pub fn identity() -> Self {
        Self { pad: GroupElement::identity(), data: GroupElement::identity() }
    }

    /// Builds a ciphertext from its two components.
    pub fn from_parts(pad: GroupElement, data: GroupElement) -> Self {
        Self { pad, data }
    }

    /// Encrypts `m` with nonce `r`: (r·G, m·G + r·PK). Constant time in `m` and `r`.
    pub(crate) fn encrypt(pk: &ElectionPublicKey, m: &Scalar, r: &Scalar) -> Self {
        // Exponential ElGamal, CGS97 §2.1: (g^r, g^m·h^r) in additive notation.
        let pad = r * RISTRETTO_BASEPOINT_TABLE;
        let data = m * RISTRETTO_BASEPOINT_TABLE + r * pk.element().point();
        Self::from_points(pad, data)
    }

    pub(crate) fn from_points(pad: RistrettoPoint, data: RistrettoPoint) -> Self {
        Self { pad: GroupElement::from_point(pad), data: GroupElement::from_point(data) }
    }

    /// R = r·G (ElectionGuard: pad).
    pub fn pad(&self) -> &GroupElement {
        &self.pad
    }

    /// C = m·G + r·PK (ElectionGuard: data).
    pub fn data(&self) -> &GroupElement {
        &self.data
    }

    /// Homomorphic addition: Enc(a) ⊕ Enc(b) = Enc(a + b).
    pub fn add(&self, other: &Self) -> Self {
        Self::from_points(
            self.pad.point() + other.pad.point(),
            self.data.point() + other.data.point(),
        )
    }

    /// Homomorphic subtraction: Enc(a) ⊖ Enc(b) = Enc(a − b).
    pub fn sub(&self, other: &Self) -> Self {
        Self::from_points(
            self.pad.point() - other.pad.point(),
            self.data.point() - other.data.point(),
        )
    }

    /// M = C − x·R = m·G: the plaintext "in the exponent" (ElGamal decryption).
    pub(crate) fn partial_decrypt(&self, secret: &Scalar) -> RistrettoPoint {
        self.data.point() - secret * self.pad.point()
    }
}

/// G, the ristretto255 base point.
pub(crate) const G: RistrettoPoint = RISTRETTO_BASEPOINT_POINT;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ElectionSecretKey;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    #[test]
    fn encrypt_add_decrypt() {
        let mut rng = ChaCha20Rng::from_seed([1u8; 32]);
        let sk = ElectionSecretKey::generate(&mut rng);
        let pk = sk.public_key();
        let a = Ciphertext::encrypt(&pk, &Scalar::from(3u64), &Scalar::random(&mut rng));
        let b = Ciphertext::encrypt(&pk, &Scalar::from(4u64), &Scalar::random(&mut rng));
        let sum = a.add(&b);
        assert_eq!(sum.partial_decrypt(sk.secret()), Scalar::from(7u64) * G);
        assert_eq!(sum.sub(&b), a);
        assert_eq!(a.add(&Ciphertext::identity()), a);
        let enc = a.encode();
        assert_eq!(enc.len(), 64);
        assert_eq!(Ciphertext::decode(&mut &enc[..]).unwrap(), a);
    }
}
