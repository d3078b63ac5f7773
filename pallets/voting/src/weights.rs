//! Weights for `pallet_voting`.
//!
//! PROVISIONAL: hand-set until `scripts/bench-pallet.sh` regenerates this file from the
//! benchmarks on the reference machine (see docs/BENCHMARKS.md). Do not edit by hand once
//! generated.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
    traits::Get,
    weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions needed for `pallet_voting`.
pub trait WeightInfo {
    fn create_election(o: u32) -> Weight;
    fn cancel_election() -> Weight;
    fn register_voters(v: u32) -> Weight;
    fn remove_voters(v: u32) -> Weight;
    fn cast_ballot(o: u32) -> Weight;
    fn submit_tally(o: u32) -> Weight;
    fn set_registrars() -> Weight;
    fn release_roll(v: u32) -> Weight;
    fn on_initialize(e: u32) -> Weight;
}

/// Weights for `pallet_voting` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
    fn create_election(o: u32) -> Weight {
        Weight::from_parts(30_000_000, 4_000)
            .saturating_add(Weight::from_parts(200_000, 0).saturating_mul(o.into()))
            .saturating_add(T::DbWeight::get().reads_writes(3, 5))
    }
    fn cancel_election() -> Weight {
        Weight::from_parts(25_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
    }
    fn register_voters(v: u32) -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(Weight::from_parts(12_000_000, 2_600).saturating_mul(v.into()))
            .saturating_add(T::DbWeight::get().reads_writes(3, 1))
            .saturating_add(T::DbWeight::get().reads_writes(2, 2).saturating_mul(v.into()))
    }
    fn remove_voters(v: u32) -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(Weight::from_parts(12_000_000, 2_600).saturating_mul(v.into()))
            .saturating_add(T::DbWeight::get().reads_writes(3, 1))
            .saturating_add(T::DbWeight::get().reads_writes(3, 2).saturating_mul(v.into()))
    }
    fn cast_ballot(o: u32) -> Weight {
        Weight::from_parts(40_000_000, 12_000)
            .saturating_add(Weight::from_parts(60_000_000, 300).saturating_mul(o.into()))
            .saturating_add(T::DbWeight::get().reads_writes(6, 4))
    }
    fn submit_tally(o: u32) -> Weight {
        Weight::from_parts(40_000_000, 8_000)
            .saturating_add(Weight::from_parts(200_000_000, 200).saturating_mul(o.into()))
            .saturating_add(T::DbWeight::get().reads_writes(5, 1))
    }
    fn set_registrars() -> Weight {
        Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
    }
    fn release_roll(v: u32) -> Weight {
        Weight::from_parts(20_000_000, 4_000)
            .saturating_add(Weight::from_parts(12_000_000, 2_600).saturating_mul(v.into()))
            .saturating_add(T::DbWeight::get().reads_writes(3, 1))
            .saturating_add(T::DbWeight::get().reads_writes(1, 2).saturating_mul(v.into()))
    }
    fn on_initialize(e: u32) -> Weight {
        Weight::from_parts(3_000_000, 1_000)
            .saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(e.into()))
            .saturating_add(T::DbWeight::get().reads_writes(2, 2))
            .saturating_add(T::DbWeight::get().reads(1).saturating_mul(e.into()))
    }
}

impl WeightInfo for () {
    fn create_election(_o: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn cancel_election() -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn register_voters(_v: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn remove_voters(_v: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn cast_ballot(_o: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn submit_tally(_o: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn set_registrars() -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn release_roll(_v: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
    fn on_initialize(_e: u32) -> Weight {
        Weight::from_parts(10_000, 0)
    }
}
