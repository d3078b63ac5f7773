//! Ballots and tallies as bytes: the forms a runtime keeps and passes on.
//!
//! Decoding an [`EncryptedBallot`] decompresses every group element it holds
//! (34 for five options), and in a WASM runtime each decompression costs tens of
//! microseconds. A chain that verifies ballots natively (through a host function,
//! see the `electx-crypto-host` crate) does not need the points inside the
//! runtime at all: it needs the bytes, their shape (option count, bounded
//! lengths) and the tracker. [`BallotBytes`] and [`TallyBytes`] are exactly that:
//!
//! * the same SCALE encoding and the same `TypeInfo` as [`EncryptedBallot`] and
//!   [`EncryptedTally`] (the metadata and every client see the same types);
//! * decoding checks the layout and every length bound, but not the points:
//!   **a `BallotBytes` is not a valid ballot until [`verify_ballot_bytes`] says
//!   so** (which decodes it fully, refusing non-canonical points and scalars);
//! * [`tally_update`] adds (and subtracts) ballots' ciphertexts to a tally from
//!   their bytes, decompressing only the ciphertexts.

use alloc::vec::Vec;
use codec::{
    Compact, Decode, DecodeAll, DecodeWithMemTracking, Encode, EncodeLike, Input, MaxEncodedLen,
    Output,
};
use scale_info::{Type, TypeInfo};

use crate::{
    ballot::tracker_of, ciphertext::Ciphertext, error::CryptoError, group::decode_bounded_vec,
    BallotContext, EncryptedBallot, EncryptedTally, MAX_OPTIONS,
};

/// Encoded size of one [`Ciphertext`].
const CIPHERTEXT_LEN: usize = 64;
/// Encoded size of one `DisjunctiveChaumPedersenProof`.
const OPTION_PROOF_LEN: usize = 224;
/// Encoded size of a `ConstantChaumPedersenProof`.
const CONSTANT_PROOF_LEN: usize = 96;
/// Encoded size of one `RangeBranch`.
const RANGE_BRANCH_LEN: usize = 128;

/// Decodes all of `bytes` as a `T` (nothing left over), or fails with `err`.
fn decode_exact<T: Decode>(mut bytes: &[u8], err: CryptoError) -> Result<T, CryptoError> {
    T::decode_all(&mut bytes).map_err(|_| err)
}

/// Appends the compact length prefix and `n * item` bytes read from `input`.
fn take_vec<I: Input>(
    input: &mut I,
    out: &mut Vec<u8>,
    max: u32,
    item: usize,
) -> Result<u32, codec::Error> {
    let n = <Compact<u32>>::decode(input)?.0;
    if n > max {
        return Err(CryptoError::TooManyOptions.into());
    }
    Compact(n).encode_to(out);
    take(input, out, (n as usize).saturating_mul(item))?;
    Ok(n)
}

/// Appends exactly `len` bytes read from `input`.
fn take<I: Input>(input: &mut I, out: &mut Vec<u8>, len: usize) -> Result<(), codec::Error> {
    if let Some(remaining) = input.remaining_len()? {
        if remaining < len {
            return Err("electx-crypto: ballot shorter than its lengths".into());
        }
    }
    input.on_before_alloc_mem(len)?;
    let start = out.len();
    out.resize(start.saturating_add(len), 0);
    let dest = out.get_mut(start..).ok_or(codec::Error::from("electx-crypto: length"))?;
    input.read(dest)
}

/// An encrypted ballot kept as its SCALE bytes, checked for layout only.
///
/// Same encoding and `TypeInfo` as [`EncryptedBallot`]. Decoding checks
/// 1 ≤ options ≤ [`MAX_OPTIONS`], one option proof per ciphertext, a known
/// sum-proof variant and its bounded length; it does **not** decompress points
/// or check scalars. Verify with [`verify_ballot_bytes`] (or decode with
/// [`BallotBytes::to_ballot`]) before trusting it.
#[derive(Clone, PartialEq, Eq)]
pub struct BallotBytes {
    bytes: Vec<u8>,
    options: u32,
}

impl BallotBytes {
    /// Parses the layout of an encoded ballot (see the type's documentation).
    pub fn from_encoded(bytes: &[u8]) -> Result<Self, CryptoError> {
        let ballot = decode_exact::<Self>(bytes, CryptoError::InvalidEncoding)?;
        Ok(ballot)
    }

    /// The SCALE encoding (identical to the [`EncryptedBallot`]'s).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of options (ciphertexts) of the ballot.
    pub fn option_count(&self) -> u32 {
        self.options
    }

    /// The ballot tracker, equal to [`EncryptedBallot::tracker`] of the decoded ballot.
    pub fn tracker(&self) -> [u8; 32] {
        tracker_of(&self.bytes)
    }

    /// Decodes the full ballot, checking every point and scalar.
    pub fn to_ballot(&self) -> Result<EncryptedBallot, CryptoError> {
        let ballot =
            decode_exact::<EncryptedBallot>(self.bytes.as_slice(), CryptoError::InvalidEncoding)?;
        Ok(ballot)
    }
}

impl From<&EncryptedBallot> for BallotBytes {
    fn from(ballot: &EncryptedBallot) -> Self {
        Self { bytes: ballot.encode(), options: ballot.option_count() }
    }
}

impl From<EncryptedBallot> for BallotBytes {
    fn from(ballot: EncryptedBallot) -> Self {
        Self::from(&ballot)
    }
}

impl core::fmt::Debug for BallotBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BallotBytes({} options, {} bytes)", self.options, self.bytes.len())
    }
}

impl Encode for BallotBytes {
    fn size_hint(&self) -> usize {
        self.bytes.len()
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.bytes);
    }
    fn encoded_size(&self) -> usize {
        self.bytes.len()
    }
}

impl Decode for BallotBytes {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let mut bytes = Vec::new();
        let options = take_vec(input, &mut bytes, MAX_OPTIONS, CIPHERTEXT_LEN)?;
        let proofs = take_vec(input, &mut bytes, MAX_OPTIONS, OPTION_PROOF_LEN)?;
        if options == 0 || proofs != options {
            return Err("electx-crypto: one option proof per ciphertext".into());
        }
        let variant = input.read_byte()?;
        bytes.push(variant);
        match variant {
            0 => take(input, &mut bytes, CONSTANT_PROOF_LEN)?,
            1 => {
                take_vec(input, &mut bytes, MAX_OPTIONS + 1, RANGE_BRANCH_LEN)?;
            }
            _ => return Err("electx-crypto: unknown sum proof".into()),
        }
        Ok(Self { bytes, options })
    }
}

impl DecodeWithMemTracking for BallotBytes {}
impl EncodeLike for BallotBytes {}
impl EncodeLike<EncryptedBallot> for BallotBytes {}

impl MaxEncodedLen for BallotBytes {
    fn max_encoded_len() -> usize {
        EncryptedBallot::max_encoded_len()
    }
}

impl TypeInfo for BallotBytes {
    type Identity = EncryptedBallot;
    fn type_info() -> Type {
        EncryptedBallot::type_info()
    }
}

/// An encrypted tally kept as its SCALE bytes, checked for layout only.
///
/// Same encoding and `TypeInfo` as [`EncryptedTally`]: 1 ≤ options ≤
/// [`MAX_OPTIONS`] ciphertexts, points not decompressed.
#[derive(Clone, PartialEq, Eq)]
pub struct TallyBytes {
    bytes: Vec<u8>,
    options: u32,
}

impl TallyBytes {
    /// The SCALE encoding (identical to the [`EncryptedTally`]'s).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of options of the tally.
    pub fn option_count(&self) -> u32 {
        self.options
    }

    /// Decodes the full tally, checking every point.
    pub fn to_tally(&self) -> Result<EncryptedTally, CryptoError> {
        let tally =
            decode_exact::<EncryptedTally>(self.bytes.as_slice(), CryptoError::InvalidEncoding)?;
        Ok(tally)
    }

    /// Parses the layout of an encoded tally.
    pub fn from_encoded(bytes: &[u8]) -> Result<Self, CryptoError> {
        let tally = decode_exact::<Self>(bytes, CryptoError::InvalidEncoding)?;
        Ok(tally)
    }
}

impl From<&EncryptedTally> for TallyBytes {
    fn from(tally: &EncryptedTally) -> Self {
        Self { bytes: tally.encode(), options: tally.option_count() }
    }
}

impl From<EncryptedTally> for TallyBytes {
    fn from(tally: EncryptedTally) -> Self {
        Self::from(&tally)
    }
}

impl core::fmt::Debug for TallyBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TallyBytes({} options)", self.options)
    }
}

impl Encode for TallyBytes {
    fn size_hint(&self) -> usize {
        self.bytes.len()
    }
    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.bytes);
    }
    fn encoded_size(&self) -> usize {
        self.bytes.len()
    }
}

impl Decode for TallyBytes {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let mut bytes = Vec::new();
        let options = take_vec(input, &mut bytes, MAX_OPTIONS, CIPHERTEXT_LEN)?;
        if options == 0 {
            return Err("electx-crypto: empty tally".into());
        }
        Ok(Self { bytes, options })
    }
}

impl DecodeWithMemTracking for TallyBytes {}
impl EncodeLike for TallyBytes {}
impl EncodeLike<EncryptedTally> for TallyBytes {}

impl MaxEncodedLen for TallyBytes {
    fn max_encoded_len() -> usize {
        EncryptedTally::max_encoded_len()
    }
}

impl TypeInfo for TallyBytes {
    type Identity = EncryptedTally;
    fn type_info() -> Type {
        EncryptedTally::type_info()
    }
}

/// Verifies an encoded ballot under an encoded [`BallotContext`]: decodes both
/// fully (canonical points and scalars only, nothing left over) and runs
/// [`EncryptedBallot::verify`]. This is what the `electx-crypto-host` host
/// function runs natively.
pub fn verify_ballot_bytes(ctx: &[u8], ballot: &[u8]) -> Result<(), CryptoError> {
    let ctx = decode_exact::<BallotContext>(ctx, CryptoError::InvalidContext)?;
    let ballot = decode_exact::<EncryptedBallot>(ballot, CryptoError::InvalidEncoding)?;
    ballot.verify(&ctx)
}

/// Everything `cast_ballot` needs from the cryptography, in one pass over the ballot:
/// verifies the encoded ballot under the encoded context (as [`verify_ballot_bytes`]),
/// then returns the encoded tally plus this ballot minus `replaced` (a voter's previous
/// ballot, not decoded beyond its ciphertexts), and the ballot's tracker. The ballot is
/// decoded once; its ciphertexts go to the tally as they are.
pub fn cast_ballot_bytes(
    ctx: &[u8],
    tally: &[u8],
    ballot: &[u8],
    replaced: Option<&[u8]>,
) -> Result<(Vec<u8>, [u8; 32]), CryptoError> {
    let ctx = decode_exact::<BallotContext>(ctx, CryptoError::InvalidContext)?;
    let decoded = decode_exact::<EncryptedBallot>(ballot, CryptoError::InvalidEncoding)?;
    decoded.verify(&ctx)?;
    let mut sum = decode_exact::<EncryptedTally>(tally, CryptoError::InvalidEncoding)?;
    if let Some(old) = replaced {
        sum.sub_ciphertexts(&ballot_ciphertexts(old)?)?;
    }
    sum.add_ciphertexts(decoded.ciphertexts())?;
    Ok((sum.encode(), tracker_of(ballot)))
}

/// The ciphertexts at the head of an encoded ballot (the rest is not read).
fn ballot_ciphertexts(ballot: &[u8]) -> Result<Vec<Ciphertext>, CryptoError> {
    let mut input = ballot;
    decode_bounded_vec(&mut input, MAX_OPTIONS).map_err(|_| CryptoError::InvalidEncoding)
}

/// Adds the ciphertexts of the encoded ballot `add` to the encoded tally, and
/// subtracts those of `sub` (a replaced ballot), returning the new encoded
/// tally. Only the ciphertexts are decoded; the caller has verified the ballots.
pub fn tally_update(tally: &[u8], add: &[u8], sub: Option<&[u8]>) -> Result<Vec<u8>, CryptoError> {
    let mut tally = decode_exact::<EncryptedTally>(tally, CryptoError::InvalidEncoding)?;
    if let Some(old) = sub {
        tally.sub_ciphertexts(&ballot_ciphertexts(old)?)?;
    }
    tally.add_ciphertexts(&ballot_ciphertexts(add)?)?;
    Ok(tally.encode())
}
