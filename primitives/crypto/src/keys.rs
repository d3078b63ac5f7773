//! Election key pair: secret x and public key PK = x·G.

use codec::{Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_TABLE, scalar::Scalar};
use rand_core::{CryptoRng, RngCore};
use scale_info::TypeInfo;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{error::CryptoError, group::GroupElement};

/// The election secret key x (ElectionGuard: the joint election secret key).
///
/// Zeroized on drop. Deliberately implements neither `Debug`, `Clone`,
/// `Encode` nor `Serialize`: the only way out is [`ElectionSecretKey::to_bytes`]
/// for the key ceremony file.
pub struct ElectionSecretKey {
    secret: Scalar,
    public: ElectionPublicKey,
}

impl ElectionSecretKey {
    /// Draws a uniformly random non-zero secret key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let mut secret = Scalar::random(rng);
            if secret != Scalar::ZERO {
                return Self::from_scalar(secret);
            }
            secret.zeroize();
        }
    }

    /// Reads a secret key: a canonical, non-zero little-endian scalar.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        let secret: Option<Scalar> = Scalar::from_canonical_bytes(*bytes).into();
        match secret {
            Some(s) if s != Scalar::ZERO => Ok(Self::from_scalar(s)),
            _ => Err(CryptoError::InvalidScalar),
        }
    }

    fn from_scalar(secret: Scalar) -> Self {
        // PK = x·G (ElGamal 1985; ElectionGuard spec 1.x §3 "K = g^s").
        let public =
            ElectionPublicKey(GroupElement::from_point(&secret * RISTRETTO_BASEPOINT_TABLE));
        Self { secret, public }
    }

    /// The 32-byte canonical encoding, for the key ceremony file. Handle with care.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> ElectionPublicKey {
        self.public.clone()
    }

    pub(crate) fn secret(&self) -> &Scalar {
        &self.secret
    }
}

impl Drop for ElectionSecretKey {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}
impl ZeroizeOnDrop for ElectionSecretKey {}

/// The election public key PK = x·G: a canonical compressed ristretto255 point,
/// never the identity.
#[derive(Clone, PartialEq, Eq, Debug, Encode, MaxEncodedLen, TypeInfo)]
pub struct ElectionPublicKey(GroupElement);

impl ElectionPublicKey {
    /// Decodes a public key, refusing non-canonical encodings and the identity.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        let e = GroupElement::from_bytes(bytes)?;
        if e.is_identity() {
            return Err(CryptoError::InvalidPoint);
        }
        Ok(Self(e))
    }

    /// The canonical 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The key as a group element.
    pub fn element(&self) -> &GroupElement {
        &self.0
    }
}

impl DecodeWithMemTracking for ElectionPublicKey {}

impl Decode for ElectionPublicKey {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let bytes = <[u8; 32]>::decode(input)?;
        Ok(Self::from_bytes(&bytes)?)
    }
}

#[cfg(feature = "std")]
impl serde::Serialize for ElectionPublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.to_bytes()))
    }
}

#[cfg(feature = "std")]
impl<'de> serde::Deserialize<'de> for ElectionPublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let s = alloc::string::String::deserialize(d)?;
        let bytes = crate::group::parse_hex32(&s).map_err(D::Error::custom)?;
        Self::from_bytes(&bytes).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    #[test]
    fn roundtrip_secret_and_public() {
        let mut rng = ChaCha20Rng::from_seed([7u8; 32]);
        let sk = ElectionSecretKey::generate(&mut rng);
        let sk2 = ElectionSecretKey::from_bytes(&sk.to_bytes()).unwrap();
        assert_eq!(sk.public_key(), sk2.public_key());
        let pk = sk.public_key();
        assert_eq!(ElectionPublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(ElectionPublicKey::decode(&mut &pk.encode()[..]).unwrap(), pk);
        assert_eq!(pk.encode().len(), ElectionPublicKey::max_encoded_len());
    }

    #[test]
    fn refuses_zero_and_non_canonical_secret() {
        assert!(matches!(
            ElectionSecretKey::from_bytes(&[0u8; 32]),
            Err(CryptoError::InvalidScalar)
        ));
        assert!(matches!(
            ElectionSecretKey::from_bytes(&[0xffu8; 32]),
            Err(CryptoError::InvalidScalar)
        ));
    }

    #[test]
    fn refuses_identity_public_key() {
        assert_eq!(ElectionPublicKey::from_bytes(&[0u8; 32]), Err(CryptoError::InvalidPoint));
        assert!(ElectionPublicKey::decode(&mut &[0u8; 32][..]).is_err());
    }
}
