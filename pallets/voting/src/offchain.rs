//! The off-chain tallier: on a node that holds an election's secret key, decrypts the
//! encrypted tally once voting has closed and submits the result with its proofs.
//!
//! The secret key lives in the node's off-chain persistent storage under
//! [`secret_key_storage_key`] (installed by `electx-node election-key install`), never on
//! chain. Every validator may run the worker; nodes without the key do nothing. A lock in
//! off-chain storage keeps one node from submitting twice, and a submission is retried when
//! the result is not on chain [`RETRY_AFTER_BLOCKS`] blocks later. A duplicate from another
//! key holder is harmless: the pool and the runtime accept only the first valid result.

#![deny(clippy::expect_used)]

use crate::{pallet::*, types::*, ElectionId, LOG_TARGET};
use alloc::vec::Vec;
use electx_crypto::{ElectionPublicKey, ElectionSecretKey};
use frame_support::BoundedVec;
use frame_system::{
    offchain::{CreateBare, SubmitTransaction},
    pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
    offchain::storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
    traits::UniqueSaturatedInto,
};

/// How many of the most recent elections the worker looks at each block.
pub const ELECTION_WINDOW: u32 = 64;

/// Blocks after a submission before the worker tries again if no result is on chain.
pub const RETRY_AFTER_BLOCKS: u32 = 5;

/// Prefix of the off-chain storage key that holds an election secret key.
pub const SECRET_KEY_PREFIX: &[u8] = b"electx/tallier/secret/";

/// Prefix of the off-chain storage key of the per-election submission lock.
pub const LOCK_PREFIX: &[u8] = b"electx/tallier/submitted/";

/// The off-chain (persistent, node-local) storage key under which the secret key of the
/// elections using `public_key` is kept.
pub fn secret_key_storage_key(public_key: &ElectionPublicKey) -> Vec<u8> {
    let mut key = SECRET_KEY_PREFIX.to_vec();
    key.extend_from_slice(&public_key.to_bytes());
    key
}

fn lock_key(election: ElectionId) -> Vec<u8> {
    let mut key = LOCK_PREFIX.to_vec();
    key.extend_from_slice(&election.to_le_bytes());
    key
}

/// A BLAKE2-256 counter-mode random stream from a 32-byte seed. The worker seeds it from
/// the node's entropy ([`HashRng::from_node_entropy`]); there the randomness only blinds
/// the decryption proofs' commitments. Benchmarks, which run in the WASM runtime with no
/// entropy source, seed it with a constant ([`HashRng::new`]).
pub struct HashRng {
    seed: [u8; 32],
    counter: u64,
}

impl HashRng {
    /// A stream from `seed`.
    pub fn new(seed: [u8; 32]) -> Self {
        Self { seed, counter: 0 }
    }

    /// Seeds from the node's entropy source (off-chain context only).
    pub fn from_node_entropy() -> Self {
        Self::new(sp_io::offchain::random_seed())
    }
}

impl rand_core::RngCore for HashRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            self.counter = self.counter.wrapping_add(1);
            let mut input = Vec::with_capacity(40);
            input.extend_from_slice(&self.seed);
            input.extend_from_slice(&self.counter.to_le_bytes());
            let block = sp_io::hashing::blake2_256(&input);
            for (d, b) in chunk.iter_mut().zip(block.iter()) {
                *d = *b;
            }
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for HashRng {}

/// What the worker did for one election (for tests and logs).
#[derive(Debug, PartialEq, Eq)]
pub enum TallierAction {
    /// This node does not hold the election's key.
    NoKey,
    /// A submission is recent; waiting before retrying.
    Waiting,
    /// The result was submitted.
    Submitted,
    /// Something failed (logged).
    Failed,
}

impl<T: Config + CreateBare<Call<T>>> Pallet<T> {
    /// The off-chain worker entry point: looks at the last [`ELECTION_WINDOW`] elections
    /// and tallies those that are closed and have no result.
    pub fn run_tallier(now: BlockNumberFor<T>) -> Vec<(ElectionId, TallierAction)> {
        let next = NextElectionId::<T>::get();
        let start = next.saturating_sub(ELECTION_WINDOW);
        let mut actions = Vec::new();
        for id in start..next {
            let Some(e) = Elections::<T>::get(id) else { continue };
            let tallied = Results::<T>::contains_key(id);
            if e.phase(&now, tallied) != Phase::Closed {
                continue;
            }
            let action = Self::tally_one(id, &e, now);
            actions.push((id, action));
        }
        actions
    }

    fn tally_one(id: ElectionId, e: &ElectionOf<T>, now: BlockNumberFor<T>) -> TallierAction {
        let storage_key = secret_key_storage_key(&e.public_key);
        let key_ref = StorageValueRef::persistent(&storage_key);
        let secret = match key_ref.get::<[u8; 32]>() {
            Ok(Some(bytes)) => match ElectionSecretKey::from_bytes(&bytes) {
                Ok(sk) if sk.public_key() == e.public_key => sk,
                _ => {
                    log::error!(target: LOG_TARGET, "election {id}: the installed key is invalid or does not match");
                    return TallierAction::Failed;
                }
            },
            Ok(None) => return TallierAction::NoKey,
            Err(StorageRetrievalError::Undecodable) => {
                log::error!(target: LOG_TARGET, "election {id}: the installed key is unreadable");
                return TallierAction::Failed;
            }
        };

        // Take the lock: at most one submission per RETRY_AFTER_BLOCKS blocks.
        let now_u32: u32 = now.unique_saturated_into();
        let lock_storage_key = lock_key(id);
        let lock = StorageValueRef::persistent(&lock_storage_key);
        let taken = lock.mutate(|last: Result<Option<u32>, StorageRetrievalError>| match last {
            Ok(Some(at)) if now_u32 < at.saturating_add(RETRY_AFTER_BLOCKS) => Err(()),
            _ => Ok(now_u32),
        });
        match taken {
            Ok(_) => {}
            Err(MutateStorageError::ValueFunctionFailed(())) => return TallierAction::Waiting,
            Err(MutateStorageError::ConcurrentModification(_)) => return TallierAction::Waiting,
        }

        let Some(tally) = Tallies::<T>::get(id).and_then(|t| t.to_tally().ok()) else {
            return TallierAction::Failed;
        };
        let ballots = u64::from(BallotCount::<T>::get(id));
        let ctx = Self::decryption_context(id, e);
        let mut rng = HashRng::from_node_entropy();
        let (counts, proofs) = match secret.decrypt_tally(&ctx, &tally, ballots, &mut rng) {
            Ok(r) => r,
            Err(err) => {
                log::error!(target: LOG_TARGET, "election {id}: decryption failed: {err:?}");
                return TallierAction::Failed;
            }
        };
        let (Ok(counts), Ok(proofs)) = (
            BoundedVec::<u64, T::MaxOptions>::try_from(counts),
            BoundedVec::<_, T::MaxOptions>::try_from(proofs),
        ) else {
            return TallierAction::Failed;
        };
        let call = Call::<T>::submit_tally { election: id, counts, proofs };
        let xt = T::create_bare(call.into());
        match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
            Ok(()) => {
                log::info!(target: LOG_TARGET, "election {id}: result submitted ({ballots} ballots)");
                TallierAction::Submitted
            }
            Err(()) => {
                log::warn!(target: LOG_TARGET, "election {id}: the pool refused the result; will retry");
                TallierAction::Failed
            }
        }
    }
}
