//! Shared helpers for the integration tests.
#![allow(dead_code)]

use electx_crypto::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

pub fn context(pk: ElectionPublicKey, options: u32, min: u32, max: u32) -> BallotContext {
    BallotContext {
        genesis_hash: [0x11; 32],
        election_id: 42,
        public_key: pk,
        voter: [0x22; 32],
        options,
        min_selections: min,
        max_selections: max,
    }
}

/// Selections with exactly `n` options set, at positions chosen by `order`.
pub fn selections(k: u32, n: u32, order: &[u32]) -> Vec<bool> {
    let mut s = vec![false; k as usize];
    let mut set = 0;
    for &i in order {
        if set == n {
            break;
        }
        let i = (i % k) as usize;
        if !s[i] {
            s[i] = true;
            set += 1;
        }
    }
    // Fill deterministically if `order` did not reach n distinct positions.
    for slot in s.iter_mut() {
        if set == n {
            break;
        }
        if !*slot {
            *slot = true;
            set += 1;
        }
    }
    s
}
