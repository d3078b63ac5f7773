//! Tests of the voting pallet on the mock runtime.

// Tests may panic: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
// The tests call `validate_unsigned` directly (see the note on its impl).
#![allow(deprecated)]

use crate::{mock::*, pallet::error_code, *};
use electx_crypto::{BallotBytes, ElectionSecretKey, EncryptedBallot};
use frame_support::{
    assert_noop, assert_ok,
    dispatch::{CheckIfFeeless, GetDispatchInfo},
    pallet_prelude::{InvalidTransaction, TransactionSource, ValidateUnsigned},
    traits::Hooks,
    BoundedVec,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sp_runtime::{
    traits::{DispatchTransaction, TransactionExtension, TxBaseImplication},
    DispatchError,
};

const OPEN: u64 = 3;
const CLOSE: u64 = 10;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn secret() -> ElectionSecretKey {
    ElectionSecretKey::from_bytes(&[7u8; 32]).expect("canonical scalar")
}

fn names(n: usize) -> OptionsOf<Test> {
    (0..n)
        .map(|i| BoundedVec::try_from(format!("Option {i}").into_bytes()).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

fn title() -> TitleOf<Test> {
    BoundedVec::try_from(b"General election".to_vec()).unwrap()
}

/// Creates an election with `n` options, single choice, opening at `OPEN`, closing at
/// `CLOSE`; returns its id.
fn create(n: usize, revote: bool) -> ElectionId {
    let id = NextElectionId::<Test>::get();
    assert_ok!(Voting::create_election(
        RuntimeOrigin::root(),
        title(),
        names(n),
        1,
        1,
        secret().public_key(),
        OPEN,
        CLOSE,
        revote,
    ));
    id
}

fn voters(v: &[u64]) -> VotersOf<Test> {
    v.to_vec().try_into().unwrap()
}

fn register(id: ElectionId, v: &[u64]) {
    assert_ok!(Voting::register_voters(RuntimeOrigin::signed(REGISTRAR), id, voters(v)));
}

/// Moves to block `n`, running `on_initialize` of every block on the way.
fn run_to(n: u64) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Voting::on_initialize(next);
    }
}

/// A valid single-choice ballot for `choice` by `voter` in election `id`.
fn ballot_for(id: ElectionId, voter: u64, choice: u32) -> BallotBytes {
    let e = Elections::<Test>::get(id).unwrap();
    let ctx = Voting::ballot_context(id, &e, &voter);
    EncryptedBallot::encrypt_choice(&ctx, choice, &mut rng()).unwrap().into()
}

fn tally_result(id: ElectionId) -> (CountsOf<Test>, ProofsOf<Test>) {
    let e = Elections::<Test>::get(id).unwrap();
    let ctx = Voting::decryption_context(id, &e);
    let tally = Tallies::<Test>::get(id).unwrap().to_tally().unwrap();
    let (counts, proofs) = secret().decrypt_tally(&ctx, &tally, 1_000, &mut rng()).unwrap();
    (counts.try_into().unwrap(), proofs.try_into().unwrap())
}

#[test]
fn create_election_works_and_emits_event() {
    new_test_ext().execute_with(|| {
        let id = create(3, false);
        assert_eq!(id, 0);
        assert_eq!(NextElectionId::<Test>::get(), 1);
        assert_eq!(Voting::phase(id), Some(Phase::Scheduled));
        assert!(Tallies::<Test>::contains_key(id));
        System::assert_last_event(
            Event::ElectionCreated { election: 0, opens_at: OPEN, closes_at: CLOSE, options: 3 }
                .into(),
        );
    });
}

#[test]
fn create_election_fails_for_non_admin() {
    new_test_ext().execute_with(|| {
        assert_noop!(
            Voting::create_election(
                RuntimeOrigin::signed(1),
                title(),
                names(2),
                1,
                1,
                secret().public_key(),
                OPEN,
                CLOSE,
                false
            ),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn create_election_checks_its_parameters() {
    new_test_ext().execute_with(|| {
        let pk = secret().public_key();
        let root = || RuntimeOrigin::root();
        assert_noop!(
            Voting::create_election(
                root(),
                title(),
                names(1),
                1,
                1,
                pk.clone(),
                OPEN,
                CLOSE,
                false
            ),
            Error::<Test>::TooFewOptions
        );
        assert_noop!(
            Voting::create_election(
                root(),
                BoundedVec::new(),
                names(2),
                1,
                1,
                pk.clone(),
                OPEN,
                CLOSE,
                false
            ),
            Error::<Test>::EmptyName
        );
        let mut with_empty = names(2);
        with_empty[1] = BoundedVec::new();
        assert_noop!(
            Voting::create_election(
                root(),
                title(),
                with_empty,
                1,
                1,
                pk.clone(),
                OPEN,
                CLOSE,
                false
            ),
            Error::<Test>::EmptyName
        );
        for (min, max) in [(2, 1), (0, 0), (1, 3)] {
            assert_noop!(
                Voting::create_election(
                    root(),
                    title(),
                    names(2),
                    min,
                    max,
                    pk.clone(),
                    OPEN,
                    CLOSE,
                    false
                ),
                Error::<Test>::InvalidSelectionBounds
            );
        }
        for (open, close) in [(1, 5), (0, 5), (5, 5), (6, 5)] {
            assert_noop!(
                Voting::create_election(
                    root(),
                    title(),
                    names(2),
                    1,
                    1,
                    pk.clone(),
                    open,
                    close,
                    false
                ),
                Error::<Test>::InvalidVotingWindow
            );
        }
    });
}

#[test]
fn create_election_fails_when_too_many_open_in_one_block() {
    new_test_ext().execute_with(|| {
        create(2, false);
        create(2, false);
        assert_noop!(
            Voting::create_election(
                RuntimeOrigin::root(),
                title(),
                names(2),
                1,
                1,
                secret().public_key(),
                OPEN,
                CLOSE + 1,
                false
            ),
            Error::<Test>::TooManyElectionsAtBlock
        );
    });
}

#[test]
fn phases_follow_block_numbers_and_emit_events() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        run_to(OPEN);
        assert_eq!(Voting::phase(id), Some(Phase::Open));
        System::assert_has_event(Event::VotingOpened { election: id }.into());
        run_to(CLOSE);
        assert_eq!(Voting::phase(id), Some(Phase::Closed));
        System::assert_has_event(Event::VotingClosed { election: id, ballots: 0 }.into());
        assert!(OpeningAt::<Test>::get(OPEN).is_empty());
        assert!(ClosingAt::<Test>::get(CLOSE).is_empty());
    });
}

#[test]
fn cancel_election_works_only_before_it_opens() {
    new_test_ext().execute_with(|| {
        let a = create(2, false);
        let b = create(2, false);
        assert_ok!(Voting::cancel_election(RuntimeOrigin::root(), a));
        assert_eq!(Voting::phase(a), Some(Phase::Cancelled));
        System::assert_last_event(Event::ElectionCancelled { election: a }.into());
        assert_eq!(OpeningAt::<Test>::get(OPEN).into_inner(), vec![b]);
        assert_noop!(
            Voting::cancel_election(RuntimeOrigin::root(), 9),
            Error::<Test>::UnknownElection
        );
        assert_noop!(
            Voting::cancel_election(RuntimeOrigin::signed(1), b),
            DispatchError::BadOrigin
        );
        run_to(OPEN);
        assert_noop!(
            Voting::cancel_election(RuntimeOrigin::root(), b),
            Error::<Test>::ElectionAlreadyOpened
        );
    });
}

#[test]
fn register_voters_adds_new_accounts_once_and_makes_them_able_to_sign() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        assert_eq!(System::sufficients(&1), 0);
        register(id, &[1, 2, 2]);
        System::assert_last_event(
            Event::VotersRegistered { election: id, added: 2, roll_size: 2 }.into(),
        );
        register(id, &[2, 3]);
        assert_eq!(RollSize::<Test>::get(id), 3);
        assert_eq!(System::sufficients(&1), 1);
        assert_eq!(System::sufficients(&2), 1);
        assert!(Roll::<Test>::contains_key(id, 3));
    });
}

#[test]
fn register_voters_fails_for_non_registrar_unknown_election_and_after_close() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        assert_noop!(
            Voting::register_voters(RuntimeOrigin::signed(1), id, voters(&[1])),
            Error::<Test>::NotRegistrar
        );
        assert_noop!(
            Voting::register_voters(RuntimeOrigin::signed(REGISTRAR), 7, voters(&[1])),
            Error::<Test>::UnknownElection
        );
        run_to(CLOSE);
        assert_noop!(
            Voting::register_voters(RuntimeOrigin::signed(REGISTRAR), id, voters(&[1])),
            Error::<Test>::RegistrationClosed
        );
    });
}

#[test]
fn remove_voters_works_but_not_for_a_voter_who_voted() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1, 2, 3]);
        run_to(OPEN);
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        assert_noop!(
            Voting::remove_voters(RuntimeOrigin::signed(REGISTRAR), id, voters(&[2, 1])),
            Error::<Test>::VoterHasVoted
        );
        assert_noop!(
            Voting::remove_voters(RuntimeOrigin::signed(5), id, voters(&[2])),
            Error::<Test>::NotRegistrar
        );
        assert_ok!(Voting::remove_voters(RuntimeOrigin::signed(REGISTRAR), id, voters(&[2, 9])));
        System::assert_last_event(
            Event::VotersRemoved { election: id, removed: 1, roll_size: 2 }.into(),
        );
        assert_eq!(System::sufficients(&2), 0);
        assert!(!Roll::<Test>::contains_key(id, 2));
    });
}

#[test]
fn cast_ballot_counts_the_ballot_and_records_the_tracker() {
    new_test_ext().execute_with(|| {
        let id = create(3, false);
        register(id, &[1]);
        run_to(OPEN);
        let ballot = ballot_for(id, 1, 2);
        let tracker = ballot.tracker();
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot.clone()));
        System::assert_last_event(Event::BallotCast { election: id, voter: 1, tracker }.into());
        assert_eq!(BallotCount::<Test>::get(id), 1);
        assert_eq!(Ballots::<Test>::get(id, 1), Some(ballot));
        let record = VotesFor::<Test>::get(id, 1).unwrap();
        assert_eq!(record.tracker, tracker);
        assert_eq!(record.ballots, 1);
        assert_eq!(record.cast_at, OPEN);
    });
}

#[test]
fn cast_ballot_fails_when_not_open() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        let ballot = ballot_for(id, 1, 0);
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot.clone()),
            Error::<Test>::ElectionNotOpen
        );
        run_to(CLOSE);
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot),
            Error::<Test>::ElectionNotOpen
        );
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), 42, ballot_for(id, 1, 0)),
            Error::<Test>::UnknownElection
        );
    });
}

#[test]
fn cast_ballot_fails_for_a_voter_not_on_the_roll() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(2), id, ballot_for(id, 2, 0)),
            Error::<Test>::NotOnRoll
        );
    });
}

#[test]
fn cast_ballot_refuses_a_second_vote() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 1)),
            Error::<Test>::AlreadyVoted
        );
    });
}

#[test]
fn cast_ballot_refuses_a_ballot_copied_to_another_voter_or_election() {
    new_test_ext().execute_with(|| {
        let a = create(2, false);
        let b = create(2, false);
        register(a, &[1, 2]);
        register(b, &[1]);
        run_to(OPEN);
        let ballot = ballot_for(a, 1, 0);
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(2), a, ballot.clone()),
            Error::<Test>::InvalidBallot
        );
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), b, ballot),
            Error::<Test>::InvalidBallot
        );
    });
}

#[test]
fn cast_ballot_refuses_malformed_points_that_pass_the_layout_check() {
    // The call argument is decoded for layout only (`BallotBytes`); the points are checked
    // by the native verification. A non-canonical point must be refused there, and the
    // call must change nothing.
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        let good = ballot_for(id, 1, 0);
        let mut bytes = good.as_bytes().to_vec();
        // The field prime 2^255 - 19: not a canonical ristretto255 encoding.
        let mut prime = [0xffu8; 32];
        prime[0] = 0xed;
        prime[31] = 0x7f;
        bytes[1..33].copy_from_slice(&prime);
        let bad = BallotBytes::from_encoded(&bytes).expect("layout is valid");
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, bad.clone()),
            Error::<Test>::InvalidBallot
        );
        let code = |e: Error<Test>| InvalidTransaction::Custom(error_code::<Test>(&e));
        assert_eq!(validate_ballot(1, id, bad), Err(code(Error::InvalidBallot)));
        // A flipped bit in the last response scalar: still well formed, proof fails.
        let mut bytes = good.as_bytes().to_vec();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x01;
        let bad = BallotBytes::from_encoded(&bytes).expect("layout is valid");
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, bad),
            Error::<Test>::InvalidBallot
        );
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, good));
    });
}

#[test]
fn cast_ballot_refuses_a_wrong_option_count() {
    new_test_ext().execute_with(|| {
        let a = create(2, false);
        let b = create(3, false);
        register(a, &[1]);
        register(b, &[1]);
        run_to(OPEN);
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), a, ballot_for(b, 1, 0)),
            Error::<Test>::WrongOptionCount
        );
    });
}

#[test]
fn revote_replaces_the_ballot_and_the_tally_counts_the_last_one() {
    new_test_ext().execute_with(|| {
        let id = create(3, true);
        register(id, &[1, 2]);
        run_to(OPEN);
        let first = ballot_for(id, 1, 0);
        // A first ballot refunds down to `cast_first_ballot`; a re-vote pays the full weight.
        let info = Voting::cast_ballot(RuntimeOrigin::signed(1), id, first.clone()).unwrap();
        assert_eq!(info.actual_weight, Some(<() as WeightInfo>::cast_first_ballot(3)));
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(2), id, ballot_for(id, 2, 2)));
        let second = ballot_for(id, 1, 1);
        let info = Voting::cast_ballot(RuntimeOrigin::signed(1), id, second.clone()).unwrap();
        assert_eq!(info.actual_weight, None);
        System::assert_last_event(
            Event::BallotReplaced {
                election: id,
                voter: 1,
                replaced: first.tracker(),
                tracker: second.tracker(),
            }
            .into(),
        );
        assert_eq!(BallotCount::<Test>::get(id), 2);
        assert_eq!(VotesFor::<Test>::get(id, 1).unwrap().ballots, 2);
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        assert_eq!(counts.clone().into_inner(), vec![0, 1, 1]);
        assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), id, counts, proofs));
    });
}

#[test]
fn revote_is_limited_by_max_ballots_per_voter() {
    new_test_ext().execute_with(|| {
        let id = create(2, true);
        register(id, &[1]);
        run_to(OPEN);
        for _ in 0..3 {
            assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        }
        assert_noop!(
            Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 1)),
            Error::<Test>::TooManyBallots
        );
    });
}

#[test]
fn submit_tally_stores_a_verified_result_once() {
    new_test_ext().execute_with(|| {
        let id = create(3, false);
        register(id, &[1, 2, 3]);
        run_to(OPEN);
        for (voter, choice) in [(1, 0), (2, 2), (3, 2)] {
            assert_ok!(Voting::cast_ballot(
                RuntimeOrigin::signed(voter),
                id,
                ballot_for(id, voter, choice)
            ));
        }
        let (early_counts, early_proofs) = tally_result(id);
        assert_noop!(
            Voting::submit_tally(RuntimeOrigin::none(), id, early_counts, early_proofs),
            Error::<Test>::ElectionNotClosed
        );
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        assert_eq!(counts.clone().into_inner(), vec![1, 0, 2]);
        assert_ok!(Voting::submit_tally(
            RuntimeOrigin::signed(9),
            id,
            counts.clone(),
            proofs.clone()
        ));
        System::assert_last_event(
            Event::ElectionTallied { election: id, counts: counts.clone(), ballots: 3 }.into(),
        );
        assert_eq!(Voting::phase(id), Some(Phase::Tallied));
        assert_eq!(Results::<Test>::get(id).unwrap().counts, counts);
        assert_noop!(
            Voting::submit_tally(RuntimeOrigin::none(), id, counts, proofs),
            Error::<Test>::AlreadyTallied
        );
    });
}

#[test]
fn submit_tally_refuses_a_forged_or_malformed_result() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        let forged: CountsOf<Test> = vec![0, 1].try_into().unwrap();
        assert_noop!(
            Voting::submit_tally(RuntimeOrigin::none(), id, forged, proofs.clone()),
            Error::<Test>::InvalidTallyProof
        );
        let short: CountsOf<Test> = vec![1].try_into().unwrap();
        assert_noop!(
            Voting::submit_tally(RuntimeOrigin::none(), id, short, proofs.clone()),
            Error::<Test>::WrongResultLength
        );
        // A proof made with another key does not verify either.
        let other = ElectionSecretKey::from_bytes(&[9u8; 32]).unwrap();
        let e = Elections::<Test>::get(id).unwrap();
        let ctx = Voting::decryption_context(id, &e);
        let tally = Tallies::<Test>::get(id).unwrap().to_tally().unwrap();
        let bad = other.decrypt_tally(&ctx, &tally, 100, &mut rng());
        if let Ok((_, bad_proofs)) = bad {
            assert_noop!(
                Voting::submit_tally(
                    RuntimeOrigin::none(),
                    id,
                    counts.clone(),
                    bad_proofs.try_into().unwrap()
                ),
                Error::<Test>::InvalidTallyProof
            );
        }
        assert_noop!(
            Voting::submit_tally(RuntimeOrigin::root(), id, counts, proofs),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn release_roll_releases_references_after_the_tally() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1, 2]);
        assert_noop!(
            Voting::release_roll(RuntimeOrigin::signed(5), id),
            Error::<Test>::RollNotReleasable
        );
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), id, counts, proofs));
        assert_ok!(Voting::release_roll(RuntimeOrigin::signed(5), id));
        System::assert_last_event(
            Event::RollReleased { election: id, released: 2, remaining: 0 }.into(),
        );
        assert_eq!(System::sufficients(&1), 0);
        assert_eq!(RollSize::<Test>::get(id), 0);
    });
}

#[test]
fn set_registrars_replaces_them() {
    new_test_ext().execute_with(|| {
        assert_ok!(Voting::set_registrars(RuntimeOrigin::root(), vec![7, 8]));
        System::assert_last_event(Event::RegistrarsSet { count: 2 }.into());
        let id = create(2, false);
        assert_noop!(
            Voting::register_voters(RuntimeOrigin::signed(REGISTRAR), id, voters(&[1])),
            Error::<Test>::NotRegistrar
        );
        assert_ok!(Voting::register_voters(RuntimeOrigin::signed(7), id, voters(&[1])));
        assert_noop!(
            Voting::set_registrars(RuntimeOrigin::root(), vec![1, 2, 3, 4, 5]),
            Error::<Test>::TooManyRegistrars
        );
        assert_noop!(
            Voting::set_registrars(RuntimeOrigin::signed(1), vec![]),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn an_eligible_ballot_is_feeless_and_an_ineligible_one_is_not() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        let call = Call::<Test>::cast_ballot { election: id, ballot: ballot_for(id, 1, 0) };
        assert!(call.is_feeless(&RuntimeOrigin::signed(1)));
        assert!(!call.is_feeless(&RuntimeOrigin::signed(2)));
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        assert!(!call.is_feeless(&RuntimeOrigin::signed(1)));
        assert!(call.get_dispatch_info().call_weight.ref_time() > 0);
    });
}

fn validate_ballot(
    who: u64,
    id: ElectionId,
    ballot: BallotBytes,
) -> Result<(), InvalidTransaction> {
    let call: RuntimeCall = Call::<Test>::cast_ballot { election: id, ballot }.into();
    let info = call.get_dispatch_info();
    CheckBallot::<Test>::new()
        .validate_only(Some(who).into(), &call, &info, 0, TransactionSource::External, 0)
        .map(|_| ())
        .map_err(|e| match e {
            sp_runtime::transaction_validity::TransactionValidityError::Invalid(i) => i,
            other => panic!("unexpected {other:?}"),
        })
}

#[test]
fn check_ballot_extension_rejects_bad_ballots_in_the_pool() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1, 2]);
        let code = |e: Error<Test>| InvalidTransaction::Custom(error_code::<Test>(&e));
        assert_eq!(validate_ballot(1, id, ballot_for(id, 1, 0)), Err(code(Error::ElectionNotOpen)));
        run_to(OPEN);
        assert_eq!(validate_ballot(1, id, ballot_for(id, 1, 0)), Ok(()));
        assert_eq!(validate_ballot(3, id, ballot_for(id, 3, 0)), Err(code(Error::NotOnRoll)));
        assert_eq!(validate_ballot(2, id, ballot_for(id, 1, 0)), Err(code(Error::InvalidBallot)));
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 0)));
        assert_eq!(validate_ballot(1, id, ballot_for(id, 1, 1)), Err(code(Error::AlreadyVoted)));
        // In a block, dispatch does the checks (and is weighed for them).
        let call: RuntimeCall =
            Call::<Test>::cast_ballot { election: id, ballot: ballot_for(id, 3, 0) }.into();
        let info = call.get_dispatch_info();
        assert_ok!(CheckBallot::<Test>::new().validate_only(
            Some(3).into(),
            &call,
            &info,
            0,
            TransactionSource::InBlock,
            0
        ));
        // Other calls pass through.
        let other: RuntimeCall = Call::<Test>::release_roll { election: id }.into();
        let info = other.get_dispatch_info();
        assert_ok!(CheckBallot::<Test>::new().validate(
            Some(1).into(),
            &other,
            &info,
            0,
            (),
            &TxBaseImplication(&other),
            TransactionSource::External
        ));
    });
}

#[test]
fn unsigned_results_are_validated_before_the_pool_accepts_them() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        run_to(OPEN);
        assert_ok!(Voting::cast_ballot(RuntimeOrigin::signed(1), id, ballot_for(id, 1, 1)));
        let (counts, proofs) = tally_result(id);
        let call = Call::<Test>::submit_tally {
            election: id,
            counts: counts.clone(),
            proofs: proofs.clone(),
        };
        assert!(Voting::validate_unsigned(TransactionSource::Local, &call).is_err());
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        let call = Call::<Test>::submit_tally { election: id, counts, proofs: proofs.clone() };
        assert!(Voting::validate_unsigned(TransactionSource::Local, &call).is_ok());
        let forged = Call::<Test>::submit_tally {
            election: id,
            counts: vec![1, 0].try_into().unwrap(),
            proofs,
        };
        assert_eq!(
            Voting::validate_unsigned(TransactionSource::External, &forged),
            Err(InvalidTransaction::Custom(error_code::<Test>(&Error::InvalidTallyProof)).into())
        );
        let other = Call::<Test>::release_roll { election: id };
        assert_eq!(
            Voting::validate_unsigned(TransactionSource::External, &other),
            Err(InvalidTransaction::Call.into())
        );
    });
}

#[test]
fn runtime_api_helpers_report_elections_and_results() {
    new_test_ext().execute_with(|| {
        let id = create(2, false);
        register(id, &[1]);
        assert_eq!(Voting::api_elections(0, 10), vec![id]);
        let info = Voting::api_election(id).unwrap();
        assert_eq!(info.phase, Phase::Scheduled);
        assert_eq!(info.roll_size, 1);
        assert_eq!(info.options.len(), 2);
        assert!(Voting::api_result(id).is_none());
        run_to(CLOSE);
        let (counts, proofs) = tally_result(id);
        assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), id, counts, proofs));
        assert_eq!(Voting::api_result(id).unwrap().counts, vec![0, 0]);
    });
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// Random elections: the verified result equals the plaintext count of the last
        /// ballot of every voter.
        #[test]
        fn verified_result_equals_plaintext_count(
            options in 2usize..6,
            revote in any::<bool>(),
            choices in proptest::collection::vec((1u64..8, 0u32..6), 0..12),
        ) {
            new_test_ext().execute_with(|| {
                let id = create(options, revote);
                register(id, &(1..8).collect::<Vec<_>>());
                run_to(OPEN);
                let mut last: std::collections::BTreeMap<u64, u32> = Default::default();
                for (voter, choice) in choices {
                    let choice = choice % options as u32;
                    let prior = VotesFor::<Test>::get(id, voter).map(|r| r.ballots).unwrap_or(0);
                    let result = Voting::cast_ballot(
                        RuntimeOrigin::signed(voter), id, ballot_for(id, voter, choice));
                    match (last.contains_key(&voter), revote) {
                        (false, _) => { assert_ok!(result); last.insert(voter, choice); },
                        (true, false) => assert_eq!(result, Err(Error::<Test>::AlreadyVoted.into())),
                        (true, true) => {
                            if prior < 3 {
                                assert_ok!(result);
                                last.insert(voter, choice);
                            } else {
                                assert_eq!(result, Err(Error::<Test>::TooManyBallots.into()));
                            }
                        },
                    }
                }
                run_to(CLOSE);
                let (counts, proofs) = tally_result(id);
                let mut expected = vec![0u64; options];
                for c in last.values() { expected[*c as usize] += 1; }
                assert_eq!(counts.clone().into_inner(), expected);
                assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), id, counts, proofs));
                assert_eq!(Results::<Test>::get(id).unwrap().ballots as usize, last.len());
            });
        }
    }
}

mod offchain_tallier {
    use super::*;
    use crate::offchain::{secret_key_storage_key, TallierAction, RETRY_AFTER_BLOCKS};
    use codec::Decode;
    use sp_core::offchain::{
        testing::{PoolState, TestOffchainExt, TestTransactionPoolExt},
        OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
    };
    use std::sync::Arc;

    type Pool = Arc<parking_lot::RwLock<PoolState>>;

    fn offchain_ext() -> (sp_io::TestExternalities, Pool) {
        let mut ext = new_test_ext();
        let (offchain, _state) = TestOffchainExt::new();
        let (pool, pool_state) = TestTransactionPoolExt::new();
        ext.register_extension(OffchainDbExt::new(offchain.clone()));
        ext.register_extension(OffchainWorkerExt::new(offchain));
        ext.register_extension(TransactionPoolExt::new(pool));
        (ext, pool_state)
    }

    fn install_key() {
        let key = secret_key_storage_key(&secret().public_key());
        sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &key, &secret().to_bytes());
    }

    /// An election with ballots for options 1, 1 and 0, now closed.
    fn closed_election() -> ElectionId {
        let id = create(3, false);
        register(id, &[1, 2, 3]);
        run_to(OPEN);
        for (voter, choice) in [(1, 1), (2, 1), (3, 0)] {
            assert_ok!(Voting::cast_ballot(
                RuntimeOrigin::signed(voter),
                id,
                ballot_for(id, voter, choice)
            ));
        }
        run_to(CLOSE);
        id
    }

    fn submitted_calls(pool: &Pool) -> Vec<RuntimeCall> {
        pool.read()
            .transactions
            .iter()
            .map(|raw| {
                frame_system::mocking::MockUncheckedExtrinsic::<Test>::decode(&mut &raw[..])
                    .expect("extrinsic decodes")
                    .function
            })
            .collect()
    }

    #[test]
    fn submits_a_result_that_the_runtime_accepts_when_it_holds_the_key() {
        let (mut ext, pool) = offchain_ext();
        ext.execute_with(|| {
            let id = closed_election();
            install_key();
            assert_eq!(Voting::run_tallier(CLOSE), vec![(id, TallierAction::Submitted)]);
            let calls = submitted_calls(&pool);
            assert_eq!(calls.len(), 1);
            let RuntimeCall::Voting(Call::submit_tally { election, counts, proofs }) =
                calls[0].clone()
            else {
                panic!("unexpected call {:?}", calls[0]);
            };
            assert_eq!(election, id);
            assert_eq!(counts.clone().into_inner(), vec![1, 2, 0]);
            assert!(Voting::validate_unsigned(
                TransactionSource::Local,
                &Call::submit_tally { election, counts: counts.clone(), proofs: proofs.clone() }
            )
            .is_ok());
            assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), election, counts, proofs));
        });
    }

    #[test]
    fn does_nothing_without_the_key() {
        let (mut ext, pool) = offchain_ext();
        ext.execute_with(|| {
            let id = closed_election();
            assert_eq!(Voting::run_tallier(CLOSE), vec![(id, TallierAction::NoKey)]);
            assert!(pool.read().transactions.is_empty());
        });
    }

    #[test]
    fn does_not_submit_twice_but_retries_later() {
        let (mut ext, pool) = offchain_ext();
        ext.execute_with(|| {
            let id = closed_election();
            install_key();
            assert_eq!(Voting::run_tallier(CLOSE), vec![(id, TallierAction::Submitted)]);
            assert_eq!(Voting::run_tallier(CLOSE + 1), vec![(id, TallierAction::Waiting)]);
            assert_eq!(pool.read().transactions.len(), 1);
            let retry = CLOSE + RETRY_AFTER_BLOCKS as u64;
            run_to(retry);
            assert_eq!(Voting::run_tallier(retry), vec![(id, TallierAction::Submitted)]);
            assert_eq!(pool.read().transactions.len(), 2);
        });
    }

    #[test]
    fn ignores_open_and_tallied_elections() {
        let (mut ext, pool) = offchain_ext();
        ext.execute_with(|| {
            install_key();
            let open = create(2, false);
            run_to(OPEN);
            assert!(Voting::run_tallier(OPEN).is_empty());
            run_to(CLOSE);
            let (counts, proofs) = tally_result(open);
            assert_ok!(Voting::submit_tally(RuntimeOrigin::none(), open, counts, proofs));
            assert!(Voting::run_tallier(CLOSE).is_empty());
            assert!(pool.read().transactions.is_empty());
        });
    }

    #[test]
    fn a_key_that_does_not_match_is_refused() {
        let (mut ext, pool) = offchain_ext();
        ext.execute_with(|| {
            let id = closed_election();
            let key = secret_key_storage_key(&secret().public_key());
            let other = ElectionSecretKey::from_bytes(&[9u8; 32]).unwrap();
            sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &key, &other.to_bytes());
            assert_eq!(Voting::run_tallier(CLOSE), vec![(id, TallierAction::Failed)]);
            assert!(pool.read().transactions.is_empty());
        });
    }
}

#[test]
fn error_codes_are_the_documented_ones() {
    // pallets/voting/README.md documents these pool rejection codes.
    let code = |e: Error<Test>| error_code::<Test>(&e);
    assert_eq!(code(Error::UnknownElection), 0);
    assert_eq!(code(Error::ElectionNotOpen), 12);
    assert_eq!(code(Error::NotOnRoll), 13);
    assert_eq!(code(Error::AlreadyVoted), 14);
    assert_eq!(code(Error::TooManyBallots), 15);
    assert_eq!(code(Error::WrongOptionCount), 16);
    assert_eq!(code(Error::InvalidBallot), 17);
    assert_eq!(code(Error::ElectionNotClosed), 19);
    assert_eq!(code(Error::AlreadyTallied), 20);
    assert_eq!(code(Error::InvalidTallyProof), 22);
    assert_eq!(code(Error::RollNotReleasable), 24);
}
