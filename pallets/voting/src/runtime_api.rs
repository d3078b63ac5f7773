//! `VotingApi`: what the gateway, the verifier and explorers read from the runtime.

#![deny(clippy::expect_used)]

use crate::types::{ElectionId, Phase, Tracker};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use electx_crypto::{DecryptionProof, ElectionPublicKey, EncryptedTally};
use scale_info::TypeInfo;

/// An election as the API shows it: stored fields plus its phase and counters.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ElectionInfo<BlockNumber> {
    /// Title (UTF-8).
    pub title: Vec<u8>,
    /// Option names (UTF-8), in ballot order.
    pub options: Vec<Vec<u8>>,
    /// Fewest selections per ballot.
    pub min_selections: u32,
    /// Most selections per ballot.
    pub max_selections: u32,
    /// The election public key.
    pub public_key: ElectionPublicKey,
    /// First block that accepts ballots.
    pub opens_at: BlockNumber,
    /// First block that no longer accepts ballots.
    pub closes_at: BlockNumber,
    /// Whether re-voting is allowed.
    pub allow_revote: bool,
    /// Phase at the block the API is called at.
    pub phase: Phase,
    /// Accounts on the roll.
    pub roll_size: u32,
    /// Voters who have voted.
    pub ballots: u32,
}

/// A verified result as the API shows it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ResultInfo<BlockNumber> {
    /// Votes per option.
    pub counts: Vec<u64>,
    /// Decryption proofs per option.
    pub proofs: Vec<DecryptionProof>,
    /// Ballots counted.
    pub ballots: u32,
    /// Block in which the result was accepted.
    pub tallied_at: BlockNumber,
}

sp_api::decl_runtime_apis! {
    /// Read access to elections for off-chain clients.
    pub trait VotingApi<AccountId, BlockNumber> where
        AccountId: Codec,
        BlockNumber: Codec,
    {
        /// The chain's genesis hash as ballots bind it.
        fn genesis_hash() -> [u8; 32];
        /// Ids of all elections (at most `limit`, from `start`).
        fn elections(start: ElectionId, limit: u32) -> Vec<ElectionId>;
        /// An election with its phase and counters.
        fn election(id: ElectionId) -> Option<ElectionInfo<BlockNumber>>;
        /// The running encrypted tally.
        fn encrypted_tally(id: ElectionId) -> Option<EncryptedTally>;
        /// Whether `voter` is on the roll of `id`.
        fn is_on_roll(id: ElectionId, voter: AccountId) -> bool;
        /// The tracker of the ballot that counts for `voter`, if they voted.
        fn tracker(id: ElectionId, voter: AccountId) -> Option<Tracker>;
        /// The verified result, once tallied.
        fn result(id: ElectionId) -> Option<ResultInfo<BlockNumber>>;
    }
}

impl<T: crate::Config> crate::Pallet<T> {
    /// [`VotingApi::elections`].
    pub fn api_elections(start: ElectionId, limit: u32) -> Vec<ElectionId> {
        let next = crate::NextElectionId::<T>::get();
        let end = start.saturating_add(limit.min(1000)).min(next);
        (start..end).collect()
    }

    /// [`VotingApi::election`].
    pub fn api_election(
        id: ElectionId,
    ) -> Option<ElectionInfo<frame_system::pallet_prelude::BlockNumberFor<T>>> {
        let e = crate::Elections::<T>::get(id)?;
        let now = frame_system::Pallet::<T>::block_number();
        let phase = e.phase(&now, crate::Results::<T>::contains_key(id));
        Some(ElectionInfo {
            title: e.title.into_inner(),
            options: e.options.into_iter().map(|o| o.into_inner()).collect(),
            min_selections: e.min_selections,
            max_selections: e.max_selections,
            public_key: e.public_key,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            allow_revote: e.allow_revote,
            phase,
            roll_size: crate::RollSize::<T>::get(id),
            ballots: crate::BallotCount::<T>::get(id),
        })
    }

    /// [`VotingApi::result`].
    pub fn api_result(
        id: ElectionId,
    ) -> Option<ResultInfo<frame_system::pallet_prelude::BlockNumberFor<T>>> {
        let r = crate::Results::<T>::get(id)?;
        Some(ResultInfo {
            counts: r.counts.into_inner(),
            proofs: r.proofs.into_inner(),
            ballots: r.ballots,
            tallied_at: r.tallied_at,
        })
    }
}
