//! Wire forms of ristretto255 group elements and scalars.
//!
//! ElectionGuard calls these `ElementModP` and `ElementModQ`; here the group is
//! ristretto255 (prime order ℓ = 2²⁵² + 27742317777372353535851937790883648493)
//! and both are 32 bytes on the wire.
//!
//! A [`GroupElement`] keeps its canonical compressed encoding *and* the
//! decompressed point, so an element is decompressed exactly once (when it is
//! decoded) and compressed exactly once (when it is computed). Decoding
//! refuses every non-canonical encoding (ristretto255 decompression checks
//! canonicity, RFC 9496 §4.3.1); scalars refuse values ≥ ℓ.

use alloc::vec::Vec;
use codec::{
    Compact, Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, MaxEncodedLen, Output,
};
use curve25519_dalek::{
    ristretto::{CompressedRistretto, RistrettoPoint},
    scalar::Scalar,
    traits::Identity,
};
use scale_info::{build::Fields, Path, Type, TypeInfo};

use crate::error::CryptoError;

/// A ristretto255 group element: canonical 32-byte encoding plus the
/// decompressed point.
#[derive(Clone, Copy)]
pub struct GroupElement {
    bytes: [u8; 32],
    point: RistrettoPoint,
}

impl GroupElement {
    /// Decodes a canonical compressed ristretto255 encoding (RFC 9496 §4.3.1).
    /// The identity (32 zero bytes) is accepted.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        let point = CompressedRistretto(*bytes).decompress().ok_or(CryptoError::InvalidPoint)?;
        Ok(Self { bytes: *bytes, point })
    }

    /// Wraps a point, compressing it once.
    pub fn from_point(point: RistrettoPoint) -> Self {
        Self { bytes: point.compress().to_bytes(), point }
    }

    /// The identity element (encoded as 32 zero bytes).
    pub fn identity() -> Self {
        Self { bytes: [0u8; 32], point: RistrettoPoint::identity() }
    }

    /// Whether this is the identity element.
    pub fn is_identity(&self) -> bool {
        self.bytes == [0u8; 32]
    }

    /// The canonical 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// The canonical 32-byte encoding, by reference.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The decompressed point.
    pub fn point(&self) -> &RistrettoPoint {
        &self.point
    }
}

impl PartialEq for GroupElement {
    fn eq(&self, other: &Self) -> bool {
        // Canonical encodings are unique, so byte equality is point equality.
        self.bytes == other.bytes
    }
}
impl Eq for GroupElement {}

impl core::fmt::Debug for GroupElement {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("GroupElement(")?;
        write_hex(f, &self.bytes)?;
        f.write_str(")")
    }
}

impl Encode for GroupElement {
    fn size_hint(&self) -> usize {
        32
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.bytes);
    }
    fn encoded_size(&self) -> usize {
        32
    }
}
impl EncodeLike for GroupElement {}

impl DecodeWithMemTracking for GroupElement {}

impl Decode for GroupElement {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let bytes = <[u8; 32]>::decode(input)?;
        Ok(Self::from_bytes(&bytes)?)
    }
}

impl MaxEncodedLen for GroupElement {
    fn max_encoded_len() -> usize {
        32
    }
}

impl TypeInfo for GroupElement {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("GroupElement", module_path!()))
            .docs(&["Canonical compressed ristretto255 point (32 bytes)."])
            .composite(Fields::unnamed().field(|f| f.ty::<[u8; 32]>().type_name("[u8; 32]")))
    }
}

/// A canonical scalar modulo the group order ℓ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ScalarElement(Scalar);

impl ScalarElement {
    /// Decodes a canonical little-endian scalar (< ℓ).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        Option::<Scalar>::from(Scalar::from_canonical_bytes(*bytes))
            .map(Self)
            .ok_or(CryptoError::InvalidScalar)
    }

    /// The canonical 32-byte little-endian encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub(crate) fn new(s: Scalar) -> Self {
        Self(s)
    }

    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }
}

impl core::fmt::Debug for ScalarElement {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ScalarElement(")?;
        write_hex(f, self.0.as_bytes())?;
        f.write_str(")")
    }
}

impl Encode for ScalarElement {
    fn size_hint(&self) -> usize {
        32
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.0.as_bytes());
    }
    fn encoded_size(&self) -> usize {
        32
    }
}
impl EncodeLike for ScalarElement {}

impl DecodeWithMemTracking for ScalarElement {}

impl Decode for ScalarElement {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let bytes = <[u8; 32]>::decode(input)?;
        Ok(Self::from_bytes(&bytes)?)
    }
}

impl MaxEncodedLen for ScalarElement {
    fn max_encoded_len() -> usize {
        32
    }
}

impl TypeInfo for ScalarElement {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("ScalarElement", module_path!()))
            .docs(&[
                "Canonical little-endian scalar modulo the ristretto255 group order (32 bytes).",
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<[u8; 32]>().type_name("[u8; 32]")))
    }
}

pub(crate) fn write_hex(f: &mut core::fmt::Formatter<'_>, bytes: &[u8]) -> core::fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// Decodes a SCALE `Vec<T>` (compact length prefix), refusing more than `max`
/// items before allocating anything, and reporting the allocation to
/// [`Input::on_before_alloc_mem`] (so the types using it can implement
/// `DecodeWithMemTracking`, which FRAME requires of call arguments).
pub(crate) fn decode_bounded_vec<T: Decode, I: Input>(
    input: &mut I,
    max: u32,
) -> Result<Vec<T>, codec::Error> {
    let len = <Compact<u32>>::decode(input)?.0;
    if len > max {
        return Err(CryptoError::TooManyOptions.into());
    }
    input.on_before_alloc_mem((len as usize).saturating_mul(core::mem::size_of::<T>()))?;
    let mut items = Vec::with_capacity(len as usize);
    for _ in 0..len {
        items.push(T::decode(input)?);
    }
    Ok(items)
}

/// Encoded length of a SCALE compact `u32`.
pub(crate) fn compact_len(n: u32) -> usize {
    <Compact<u32> as codec::CompactLen<u32>>::compact_len(&n)
}

#[cfg(feature = "std")]
mod serde_impls {
    //! JSON/serde forms: lowercase hex strings (an optional `0x` prefix is accepted).
    use super::*;
    use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn parse_hex32(s: &str) -> Result<[u8; 32], CryptoError> {
        let s = s.strip_prefix("0x").unwrap_or(s);
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| CryptoError::InvalidEncoding)?;
        Ok(out)
    }

    impl Serialize for GroupElement {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&hex::encode(self.bytes))
        }
    }
    impl<'de> Deserialize<'de> for GroupElement {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = alloc::string::String::deserialize(d)?;
            let bytes = parse_hex32(&s).map_err(D::Error::custom)?;
            GroupElement::from_bytes(&bytes).map_err(D::Error::custom)
        }
    }
    impl Serialize for ScalarElement {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&hex::encode(self.0.as_bytes()))
        }
    }
    impl<'de> Deserialize<'de> for ScalarElement {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = alloc::string::String::deserialize(d)?;
            let bytes = parse_hex32(&s).map_err(D::Error::custom)?;
            ScalarElement::from_bytes(&bytes).map_err(D::Error::custom)
        }
    }
}
#[cfg(feature = "std")]
pub(crate) use serde_impls::parse_hex32;

/// `#[serde(with = "hex32")]` for `[u8; 32]` fields (hash, account id).
#[cfg(feature = "std")]
pub(crate) mod hex32 {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = alloc::string::String::deserialize(d)?;
        super::parse_hex32(&s).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;

    #[test]
    fn roundtrip_and_identity() {
        let p = GroupElement::from_point(G + G);
        let enc = p.encode();
        assert_eq!(enc.len(), 32);
        assert_eq!(GroupElement::decode(&mut &enc[..]).unwrap(), p);
        assert!(GroupElement::decode(&mut &[0u8; 32][..]).unwrap().is_identity());
        assert_eq!(GroupElement::identity(), GroupElement::from_point(RistrettoPoint::identity()));
    }

    #[test]
    fn refuses_non_canonical_point() {
        // p = 2^255 - 19 encodes 0 non-canonically.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert_eq!(GroupElement::from_bytes(&p), Err(CryptoError::InvalidPoint));
        // Negative field element (odd) is refused too.
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(GroupElement::from_bytes(&one), Err(CryptoError::InvalidPoint));
        assert!(GroupElement::decode(&mut &p[..]).is_err());
    }

    #[test]
    fn refuses_non_canonical_scalar() {
        // ℓ itself is not canonical.
        let l = (Scalar::ZERO - Scalar::ONE).to_bytes();
        let mut l_bytes = l;
        l_bytes[0] = l_bytes[0].wrapping_add(1);
        assert_eq!(ScalarElement::from_bytes(&l_bytes), Err(CryptoError::InvalidScalar));
        assert!(ScalarElement::from_bytes(&l).is_ok());
        assert!(ScalarElement::decode(&mut &[0xffu8; 32][..]).is_err());
    }

    #[test]
    fn bounded_vec_refuses_long() {
        let v: Vec<u8> = alloc::vec![1, 2, 3];
        let enc = v.encode();
        assert_eq!(decode_bounded_vec::<u8, _>(&mut &enc[..], 3).unwrap(), v);
        assert!(decode_bounded_vec::<u8, _>(&mut &enc[..], 2).is_err());
        assert_eq!(compact_len(63), 1);
        assert_eq!(compact_len(64), 2);
    }
}
