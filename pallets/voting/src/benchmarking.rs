//! Benchmarks of the voting pallet (frame benchmarking v2).
//!
//! `cast_ballot` and `submit_tally` are measured with real ballots and proofs from
//! `electx-crypto`, so their weights include the proof verification they pay for.

use super::*;
use crate::pallet::{CountsOf, OptionsOf, ProofsOf, TitleOf, VotersOf};
use alloc::vec::Vec;
use electx_crypto::{BallotBytes, ElectionSecretKey, EncryptedBallot};
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{Get, Hooks},
    BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::Saturating;

/// A deterministic RNG for benchmarks: they run in the WASM runtime, which has no entropy
/// source, and need no secrecy.
fn bench_rng(seed: u64) -> crate::offchain::HashRng {
    crate::offchain::HashRng::new(sp_io::hashing::blake2_256(&seed.to_le_bytes()))
}

fn secret() -> ElectionSecretKey {
    let mut rng = bench_rng(0);
    ElectionSecretKey::generate(&mut rng)
}

fn options<T: Config>(n: u32) -> OptionsOf<T> {
    let name_len = T::MaxOptionNameLen::get() as usize;
    (0..n)
        .map(|i| BoundedVec::truncate_from(alloc::vec![b'a' + (i % 26) as u8; name_len]))
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or_default()
}

fn title<T: Config>() -> TitleOf<T> {
    BoundedVec::truncate_from(alloc::vec![b't'; T::MaxTitleLen::get() as usize])
}

fn now<T: Config>() -> BlockNumberFor<T> {
    frame_system::Pallet::<T>::block_number()
}

/// Creates an election opening 10 blocks from now and closing 10 blocks later. (The
/// benchmark harness may move to block 1 between setup and the call.)
fn setup_election<T: Config>(n: u32, revote: bool) -> ElectionId {
    let id = NextElectionId::<T>::get();
    let opens = now::<T>().saturating_add(10u32.into());
    let closes = opens.saturating_add(10u32.into());
    let result = Pallet::<T>::create_election(
        RawOrigin::Root.into(),
        title::<T>(),
        options::<T>(n),
        1,
        1,
        secret().public_key(),
        opens,
        closes,
        revote,
    );
    assert!(result.is_ok(), "create_election in benchmark setup");
    id
}

fn registrar<T: Config>() -> T::AccountId {
    let r: T::AccountId = account("registrar", 0, 0);
    Registrars::<T>::put(BoundedVec::truncate_from(alloc::vec![r.clone()]));
    r
}

fn roll<T: Config>(id: ElectionId, n: u32) -> Vec<T::AccountId> {
    let voters: Vec<T::AccountId> = (0..n).map(|i| account("voter", i, 0)).collect();
    let bounded: VotersOf<T> = BoundedVec::truncate_from(voters.clone());
    let result =
        Pallet::<T>::register_voters(RawOrigin::Signed(registrar::<T>()).into(), id, bounded);
    assert!(result.is_ok(), "register_voters in benchmark setup");
    voters
}

fn open<T: Config>(id: ElectionId) {
    if let Some(e) = Elections::<T>::get(id) {
        frame_system::Pallet::<T>::set_block_number(e.opens_at);
    }
}

fn close<T: Config>(id: ElectionId) {
    if let Some(e) = Elections::<T>::get(id) {
        frame_system::Pallet::<T>::set_block_number(e.closes_at);
    }
}

fn ballot<T: Config>(id: ElectionId, voter: &T::AccountId, choice: u32, seed: u64) -> BallotBytes {
    let e = Elections::<T>::get(id).unwrap_or_else(|| panic!("election exists"));
    let ctx = Pallet::<T>::ballot_context(id, &e, voter);
    EncryptedBallot::encrypt_choice(&ctx, choice, &mut bench_rng(seed))
        .unwrap_or_else(|_| panic!("ballot encrypts"))
        .into()
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn create_election(o: Linear<2, { T::MaxOptions::get() }>) {
        let opens = now::<T>().saturating_add(10u32.into());
        let closes = opens.saturating_add(10u32.into());
        #[extrinsic_call]
        _(
            RawOrigin::Root,
            title::<T>(),
            options::<T>(o),
            1,
            1,
            secret().public_key(),
            opens,
            closes,
            true,
        );
        assert!(Elections::<T>::contains_key(0));
    }

    #[benchmark]
    fn cancel_election() {
        let id = setup_election::<T>(T::MaxOptions::get(), false);
        #[extrinsic_call]
        _(RawOrigin::Root, id);
        assert_eq!(Pallet::<T>::phase(id), Some(Phase::Cancelled));
    }

    #[benchmark]
    fn register_voters(v: Linear<1, { T::MaxVotersPerCall::get() }>) {
        let id = setup_election::<T>(2, false);
        let r = registrar::<T>();
        let voters: VotersOf<T> =
            BoundedVec::truncate_from((0..v).map(|i| account("voter", i, 0)).collect());
        #[extrinsic_call]
        _(RawOrigin::Signed(r), id, voters);
        assert_eq!(RollSize::<T>::get(id), v);
    }

    #[benchmark]
    fn remove_voters(v: Linear<1, { T::MaxVotersPerCall::get() }>) {
        let id = setup_election::<T>(2, false);
        let voters = roll::<T>(id, v);
        let r = registrar::<T>();
        #[extrinsic_call]
        _(RawOrigin::Signed(r), id, BoundedVec::truncate_from(voters));
        assert_eq!(RollSize::<T>::get(id), 0);
    }

    /// The worst case: a re-vote, which also reads the replaced ballot and subtracts it.
    #[benchmark]
    fn cast_ballot(o: Linear<2, { T::MaxOptions::get() }>) {
        let id = setup_election::<T>(o, true);
        let voters = roll::<T>(id, 1);
        let voter = voters.first().cloned().unwrap_or_else(|| account("voter", 0, 0));
        open::<T>(id);
        let first = ballot::<T>(id, &voter, 0, 1);
        assert!(
            Pallet::<T>::cast_ballot(RawOrigin::Signed(voter.clone()).into(), id, first).is_ok()
        );
        let second = ballot::<T>(id, &voter, o - 1, 2);
        let tracker = second.tracker();
        #[extrinsic_call]
        _(RawOrigin::Signed(voter.clone()), id, second);
        assert_eq!(VotesFor::<T>::get(id, &voter).map(|r| r.tracker), Some(tracker));
    }

    /// A voter's first ballot: nothing to subtract. `cast_ballot` refunds down to this.
    #[benchmark]
    fn cast_first_ballot(o: Linear<2, { T::MaxOptions::get() }>) {
        let id = setup_election::<T>(o, false);
        let voters = roll::<T>(id, 1);
        let voter = voters.first().cloned().unwrap_or_else(|| account("voter", 0, 0));
        open::<T>(id);
        let first = ballot::<T>(id, &voter, o - 1, 1);
        let tracker = first.tracker();
        #[extrinsic_call]
        cast_ballot(RawOrigin::Signed(voter.clone()), id, first);
        assert_eq!(VotesFor::<T>::get(id, &voter).map(|r| r.tracker), Some(tracker));
    }

    #[benchmark]
    fn submit_tally(o: Linear<2, { T::MaxOptions::get() }>) {
        let id = setup_election::<T>(o, false);
        let voters = roll::<T>(id, 3);
        open::<T>(id);
        for (i, v) in voters.iter().enumerate() {
            let b = ballot::<T>(id, v, (i as u32) % o, 10 + i as u64);
            assert!(Pallet::<T>::cast_ballot(RawOrigin::Signed(v.clone()).into(), id, b).is_ok());
        }
        close::<T>(id);
        let e = Elections::<T>::get(id).unwrap_or_else(|| panic!("election exists"));
        let ctx = Pallet::<T>::decryption_context(id, &e);
        let tally = Tallies::<T>::get(id)
            .and_then(|t| t.to_tally().ok())
            .unwrap_or_else(|| panic!("tally exists"));
        let (counts, proofs) = secret()
            .decrypt_tally(&ctx, &tally, 3, &mut bench_rng(99))
            .unwrap_or_else(|_| panic!("decrypts"));
        let counts: CountsOf<T> = BoundedVec::truncate_from(counts);
        let proofs: ProofsOf<T> = BoundedVec::truncate_from(proofs);
        #[extrinsic_call]
        _(RawOrigin::None, id, counts, proofs);
        assert!(Results::<T>::contains_key(id));
    }

    #[benchmark]
    fn set_registrars() {
        let rs: Vec<T::AccountId> =
            (0..T::MaxRegistrars::get()).map(|i| account("registrar", i, 0)).collect();
        #[extrinsic_call]
        _(RawOrigin::Root, rs);
        assert_eq!(Registrars::<T>::get().len() as u32, T::MaxRegistrars::get());
    }

    #[benchmark]
    fn release_roll(v: Linear<1, { T::MaxVotersPerCall::get() }>) {
        let id = setup_election::<T>(2, false);
        roll::<T>(id, v);
        assert!(Pallet::<T>::cancel_election(RawOrigin::Root.into(), id).is_ok());
        let caller: T::AccountId = whitelisted_caller();
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), id);
        assert_eq!(RollSize::<T>::get(id), 0);
    }

    #[benchmark]
    fn on_initialize(e: Linear<0, { T::MaxElectionsPerBlock::get() }>) {
        let mut at = now::<T>();
        for _ in 0..e {
            let id = setup_election::<T>(2, false);
            if let Some(el) = Elections::<T>::get(id) {
                at = el.opens_at;
            }
        }
        #[block]
        {
            Pallet::<T>::on_initialize(at);
        }
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
