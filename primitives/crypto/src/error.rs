//! Errors returned by the ballot cryptography.
//!
//! No variant carries secret material: they name only public positions (an
//! option index, a ballot index in a batch) and public counts.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Everything that can go wrong when decoding, encrypting, verifying or
/// decrypting ballots and tallies.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
)]
pub enum CryptoError {
    /// Bytes are not a valid encoding of the expected type.
    InvalidEncoding,
    /// A group element is not the canonical encoding of a ristretto255 point
    /// (or is the identity where the identity is not allowed).
    InvalidPoint,
    /// A scalar is not canonical (≥ the group order ℓ), or is zero where zero is
    /// not allowed (secret keys).
    InvalidScalar,
    /// The ballot or decryption context is inconsistent: zero options, or
    /// `min_selections > max_selections`, or `max_selections > options`.
    InvalidContext,
    /// The number of options (or selections, ciphertexts, counts) does not match.
    WrongOptionCount {
        /// Number the context or tally expects.
        expected: u32,
        /// Number that was supplied.
        got: u32,
    },
    /// More than [`crate::MAX_OPTIONS`] options.
    TooManyOptions,
    /// The selections are not allowed by the context (number of selected
    /// options outside `[min_selections, max_selections]`, or a choice index out
    /// of range).
    InvalidSelection,
    /// The disjunctive Chaum-Pedersen proof of option `option` (0-based) is invalid.
    OptionProofFailed {
        /// 0-based option index.
        option: u32,
    },
    /// The proof that the number of selections lies in `[min, max]` is invalid,
    /// or its shape does not match the context.
    SumProofFailed,
    /// The combined check of a ballot failed but no single equation could be
    /// blamed (negligible probability; treat as invalid).
    ProofFailed,
    /// The decrypted count of option `option` exceeds the search bound.
    CountAboveBound {
        /// 0-based option index.
        option: u32,
    },
    /// The decryption proof of option `option` is invalid.
    DecryptionProofFailed {
        /// 0-based option index.
        option: u32,
    },
    /// The number of counts or decryption proofs differs from the number of options.
    CountMismatch,
    /// The secret key does not match the public key named in the context.
    KeyMismatch,
}

impl core::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidEncoding => f.write_str("invalid encoding"),
            Self::InvalidPoint => f.write_str("invalid or non-canonical group element"),
            Self::InvalidScalar => f.write_str("invalid or non-canonical scalar"),
            Self::InvalidContext => f.write_str("inconsistent ballot context"),
            Self::WrongOptionCount { expected, got } => {
                write!(f, "wrong number of options: expected {expected}, got {got}")
            }
            Self::TooManyOptions => {
                write!(f, "more than {} options", crate::MAX_OPTIONS)
            }
            Self::InvalidSelection => f.write_str("selections not allowed by the context"),
            Self::OptionProofFailed { option } => {
                write!(f, "0/1 proof of option {option} is invalid")
            }
            Self::SumProofFailed => f.write_str("selection-count proof is invalid"),
            Self::ProofFailed => f.write_str("ballot proof is invalid"),
            Self::CountAboveBound { option } => {
                write!(f, "count of option {option} exceeds the search bound")
            }
            Self::DecryptionProofFailed { option } => {
                write!(f, "decryption proof of option {option} is invalid")
            }
            Self::CountMismatch => f.write_str("number of counts or proofs differs from options"),
            Self::KeyMismatch => f.write_str("secret key does not match the context's public key"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CryptoError {}

/// A failure in [`crate::verify_batch`], naming the first invalid ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchError {
    /// Index of the first invalid ballot in the batch.
    pub index: usize,
    /// Why it is invalid.
    pub error: CryptoError,
}

impl core::fmt::Display for BatchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ballot {} in batch: {}", self.index, self.error)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BatchError {}

impl From<CryptoError> for codec::Error {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::InvalidPoint => "electx-crypto: invalid group element".into(),
            CryptoError::InvalidScalar => "electx-crypto: invalid scalar".into(),
            CryptoError::TooManyOptions => "electx-crypto: too many options".into(),
            _ => "electx-crypto: invalid encoding".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_positions_only() {
        let e = CryptoError::OptionProofFailed { option: 3 };
        assert_eq!(alloc::format!("{e}"), "0/1 proof of option 3 is invalid");
        let b = BatchError { index: 7, error: CryptoError::SumProofFailed };
        assert_eq!(alloc::format!("{b}"), "ballot 7 in batch: selection-count proof is invalid");
    }

    #[test]
    fn scale_roundtrip() {
        let e = CryptoError::WrongOptionCount { expected: 5, got: 4 };
        assert_eq!(CryptoError::decode(&mut &e.encode()[..]).unwrap(), e);
    }
}
