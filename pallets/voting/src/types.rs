//! The pallet's on-chain types.

#![deny(clippy::expect_used)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use electx_crypto::{DecryptionProof, ElectionPublicKey};
use frame_support::{
    traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Identifies an election. Sequential, starting at 0.
pub type ElectionId = u32;

/// A 32-byte hash of an encrypted ballot (see [`electx_crypto::EncryptedBallot::tracker`]):
/// what a voter keeps as a receipt and finds on chain.
pub type Tracker = [u8; 32];

/// Where an election stands. Derived from block numbers and what happened, so no per-block
/// work is needed to move an election along.
#[derive(
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
)]
pub enum Phase {
    /// Created; voting has not opened yet. Voters can be registered; it can be cancelled.
    Scheduled,
    /// Ballots are accepted.
    Open,
    /// Voting is over; the result is awaited.
    Closed,
    /// The verified result is on chain.
    Tallied,
    /// Cancelled before it opened.
    Cancelled,
}

/// An election as stored on chain.
#[derive(
    Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxTitle, MaxOptions, MaxName))]
pub struct Election<BlockNumber, MaxTitle, MaxOptions, MaxName>
where
    BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
    MaxTitle: Get<u32>,
    MaxOptions: Get<u32>,
    MaxName: Get<u32>,
{
    /// Human-readable title (UTF-8).
    pub title: BoundedVec<u8, MaxTitle>,
    /// The options (candidates or parties), in ballot order (UTF-8 names).
    pub options: BoundedVec<BoundedVec<u8, MaxName>, MaxOptions>,
    /// The fewest options a ballot must select.
    pub min_selections: u32,
    /// The most options a ballot may select.
    pub max_selections: u32,
    /// The election public key that ballots are encrypted to.
    pub public_key: ElectionPublicKey,
    /// First block in which ballots are accepted.
    pub opens_at: BlockNumber,
    /// First block in which ballots are no longer accepted.
    pub closes_at: BlockNumber,
    /// Whether a voter may cast again; the last ballot counts.
    pub allow_revote: bool,
    /// Set when the election was cancelled before it opened.
    pub cancelled: bool,
}

impl<BlockNumber, MaxTitle, MaxOptions, MaxName>
    Election<BlockNumber, MaxTitle, MaxOptions, MaxName>
where
    BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug + PartialOrd,
    MaxTitle: Get<u32>,
    MaxOptions: Get<u32>,
    MaxName: Get<u32>,
{
    /// The phase at block `now`, given whether the result is on chain.
    pub fn phase(&self, now: &BlockNumber, tallied: bool) -> Phase {
        if self.cancelled {
            Phase::Cancelled
        } else if tallied {
            Phase::Tallied
        } else if *now < self.opens_at {
            Phase::Scheduled
        } else if *now < self.closes_at {
            Phase::Open
        } else {
            Phase::Closed
        }
    }

    /// Number of options, as the ballot cryptography counts them.
    pub fn option_count(&self) -> u32 {
        // Bounded by `MaxOptions`, a `u32`.
        self.options.len() as u32
    }
}

/// What the chain records about a voter's participation in an election.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct VoteRecord<BlockNumber> {
    /// Tracker of the ballot that counts (the last one cast).
    pub tracker: Tracker,
    /// How many ballots this voter has cast in the election.
    pub ballots: u32,
    /// Block of the last ballot.
    pub cast_at: BlockNumber,
}

/// The verified result of an election.
#[derive(
    Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxOptions))]
pub struct ElectionResult<BlockNumber, MaxOptions>
where
    BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
    MaxOptions: Get<u32>,
{
    /// Votes per option, in ballot order.
    pub counts: BoundedVec<u64, MaxOptions>,
    /// Per-option Chaum-Pedersen proofs that `counts` decrypt the on-chain tally.
    pub proofs: BoundedVec<DecryptionProof, MaxOptions>,
    /// Number of ballots counted.
    pub ballots: u32,
    /// Block in which the result was accepted.
    pub tallied_at: BlockNumber,
}
