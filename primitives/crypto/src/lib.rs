//! # ElectX ballot cryptography
//!
//! Exponential ElGamal on ristretto255 with the proofs an end-to-end
//! verifiable election needs, in the vocabulary of ElectionGuard:
//!
//! * an election key pair ([`ElectionSecretKey`], [`ElectionPublicKey`] = x·G);
//! * ballots ([`EncryptedBallot`]): one [`Ciphertext`] (R, C) = (r·G, m·G + r·PK)
//!   per option with m ∈ {0,1}, a [`DisjunctiveChaumPedersenProof`] per option
//!   (CDS94 OR-composition of CP92), and a [`SumProof`] that the number of
//!   selections lies in `[min_selections, max_selections]`;
//! * every Fiat-Shamir challenge bound to a [`BallotContext`] (protocol
//!   `electx-ballot-v1`, genesis hash, election id, public key, voter, option
//!   count, min/max, all ciphertexts) — see [`transcript`];
//! * verification without an RNG as **one multi-scalar multiplication** per
//!   ballot ([`EncryptedBallot::verify`]) or per batch ([`verify_batch`]), with
//!   weights derived by hashing the complete proofs;
//! * the byte forms a runtime keeps ([`BallotBytes`], [`TallyBytes`]: same
//!   encoding and type, decoded for layout only) and the functions a node runs
//!   natively for it ([`verify_ballot_bytes`], [`cast_ballot_bytes`]; exposed as
//!   host functions by `electx-crypto-host`);
//! * homomorphic tallying ([`EncryptedTally`]), decryption by baby-step
//!   giant-step ([`BsgsTable`]) with a Chaum-Pedersen [`DecryptionProof`] per
//!   option, and public verification ([`verify_tally`]).
//!
//! `no_std` + `alloc` (builds for `wasm32v1-none`); `std` (default) adds
//! `serde` (hex strings for group elements and scalars) and `std::error::Error`.
//!
//! ## Example
//!
//! ```
//! use electx_crypto::*;
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//!
//! let mut rng = ChaCha20Rng::from_seed([42u8; 32]); // use OsRng in production
//! let sk = ElectionSecretKey::generate(&mut rng);
//! let ctx = BallotContext {
//!     genesis_hash: [0u8; 32],
//!     election_id: 1,
//!     public_key: sk.public_key(),
//!     voter: [7u8; 32],
//!     options: 5,
//!     min_selections: 1,
//!     max_selections: 1,
//! };
//! let ballot = EncryptedBallot::encrypt_choice(&ctx, 3, &mut rng)?;
//! ballot.verify(&ctx)?;
//!
//! let mut tally = EncryptedTally::new(5)?;
//! tally.add_ballot(&ballot)?;
//!
//! let dctx = DecryptionContext { genesis_hash: [0u8; 32], election_id: 1, public_key: sk.public_key() };
//! let (counts, proofs) = sk.decrypt_tally(&dctx, &tally, 1_000, &mut rng)?;
//! assert_eq!(counts, [0, 0, 0, 1, 0]);
//! verify_tally(&dctx, &tally, &counts, &proofs)?;
//! # Ok::<(), CryptoError>(())
//! ```
//!
//! ## Encoded sizes (SCALE)
//!
//! | type | bytes |
//! |---|---|
//! | [`ElectionPublicKey`], [`GroupElement`], [`ScalarElement`] | 32 |
//! | [`Ciphertext`] | 64 |
//! | [`DisjunctiveChaumPedersenProof`] | 224 (a₀, b₀, a₁, b₁, c₀, s₀, s₁) |
//! | [`ConstantChaumPedersenProof`], [`DecryptionProof`] | 96 (a, b, s) |
//! | [`RangeBranch`] | 128 (a, b, c, s) |
//! | [`EncryptedBallot`], k options, min = max | 288·k + 99 for k ≤ 63 (k = 5: **1539**) |
//! | [`EncryptedBallot`], k options, L = max − min + 1 | 288·k + 3 + 1 + 128·L for k ≤ 63, L ≤ 63 |
//! | [`EncryptedBallot`] `max_encoded_len` (64 options, L = 65) | 26759 |
//! | [`EncryptedTally`], k options | 64·k + 1 for k ≤ 63; max 4098 |
//!
//! Per option a ballot costs 64 bytes of ciphertext plus 224 bytes of proof =
//! **288 bytes**. The proofs keep their commitments (instead of the compact
//! (c₀, c₁, s₀, s₁) form, which would be 160–192 bytes per option) because
//! only the commitment form can be checked as one multi-scalar multiplication:
//! the compact form must recompute four commitments per option with separate
//! double-scalar multiplications, which measured about 2× slower.
//! `tests/sizes.rs` asserts these numbers.
//!
//! ## Ballot tracker
//!
//! [`EncryptedBallot::tracker`] = SHA-256(`b"electx-ballot-tracker-v1"` ‖
//! SCALE(ballot)).
//!
//! ## Security notes
//!
//! * Decoding refuses non-canonical points and scalars, the identity as a
//!   public key, more than [`MAX_OPTIONS`] options; ballots and tallies hold
//!   decompressed points, so each point is decompressed once. Every decodable
//!   type implements `DecodeWithMemTracking` (FRAME call arguments) and
//!   reports its allocations.
//! * Provers are constant time in the vote (branch selection with `subtle`).
//! * Secret keys and nonces are zeroized; [`ElectionSecretKey`] has no `Debug`,
//!   `Clone`, `Encode` or `Serialize`.
//! * Batch weights are 128-bit and derived from a hash of every proof in the
//!   batch (after all challenges), so verification needs no RNG.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing))]
#![forbid(unsafe_code)]

extern crate alloc;

mod ballot;
mod bsgs;
mod ciphertext;
mod error;
mod group;
mod keys;
mod msm;
mod proofs;
mod tally;
pub mod transcript;
mod wire;

pub use ballot::{verify_batch, BallotContext, EncryptedBallot, TRACKER_DOMAIN};
pub use bsgs::{BsgsTable, MAX_BABY_STEPS};
pub use ciphertext::Ciphertext;
pub use curve25519_dalek::ristretto::RistrettoPoint;
pub use error::{BatchError, CryptoError};
pub use group::{GroupElement, ScalarElement};
pub use keys::{ElectionPublicKey, ElectionSecretKey};
pub use proofs::{
    ConstantChaumPedersenProof, DecryptionProof, DisjunctiveChaumPedersenProof, RangeBranch,
    RangeChaumPedersenProof, SumProof,
};
pub use tally::{verify_tally, DecryptionContext, EncryptedTally};
pub use wire::{cast_ballot_bytes, tally_update, verify_ballot_bytes, BallotBytes, TallyBytes};

/// Maximum number of options of a ballot (and of a tally).
pub const MAX_OPTIONS: u32 = 64;
