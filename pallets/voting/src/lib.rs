//! # Voting pallet
//!
//! The on-chain core of ElectX Chain: elections, the voter roll, encrypted ballots, the
//! one-vote-per-voter rule, the running encrypted tally and the verified result.
//!
//! ## Overview
//!
//! An election is created by the admin origin (Root in the ElectX runtime, so `sudo` and
//! Polkadot.js Apps can do it) with its options, selection bounds, the election public key
//! from the key ceremony and a voting window in blocks. Registrars (the gateway's signing
//! accounts, set in genesis or by the admin) put voters' accounts on the election's roll;
//! being on a roll gives the account a *sufficient* reference, so a voter with no tokens can
//! sign. A voter casts one encrypted ballot ([`electx_crypto::EncryptedBallot`]): the chain
//! verifies its zero-knowledge proofs, bound to this chain's genesis hash, the election and
//! the voter's account, so a ballot cannot be copied to another voter, election or chain. The
//! ballot's ciphertexts are added to the election's encrypted tally at once, so closing costs
//! nothing whatever the number of ballots. After the close, anyone holding the election
//! secret key (the tallier node's off-chain worker) submits the decrypted counts with
//! Chaum-Pedersen decryption proofs; the chain verifies them against the public key and the
//! on-chain tally before storing the result.
//!
//! Phases move by block number ([`Phase`]): `Scheduled` → `Open` (from `opens_at`) →
//! `Closed` (from `closes_at`) → `Tallied`; `Cancelled` before opening. Nothing is iterated
//! per block but the bounded lists of elections opening or closing at that block, whose
//! events (`VotingOpened`, `VotingClosed`) are emitted in `on_initialize`.
//!
//! ### Where ballots live
//!
//! Each counted ballot is kept in state ([`Ballots`]), not only in an event: re-voting must
//! subtract the replaced ballot from the tally, and the verifier can then read every ballot of
//! an election at any block from state alone (events are not kept by pruned nodes). The
//! per-voter [`VoteRecord`] keeps the ballot tracker a voter can check.
//!
//! ### Native cryptography (host functions)
//!
//! Inside the runtime a ballot stays bytes ([`electx_crypto::BallotBytes`], checked for
//! layout only; same encoding and metadata type as `EncryptedBallot`), and so does the tally
//! ([`electx_crypto::TallyBytes`]). Proof verification, the tally update and the tracker run
//! in the node's native code through `electx-crypto-host` (`ballot::verify` for the pool,
//! `ballot::cast` for dispatch), which every ElectX node registers; WASM curve arithmetic
//! is ~9.5× slower. A ballot with a non-canonical point passes the layout check and is
//! refused there with `InvalidBallot`. `cast_ballot` charges a re-vote's weight (the worst
//! case) and refunds a first ballot down to `cast_first_ballot`.
//!
//! ### Fees and spam
//!
//! An eligible voter's ballots are free (`#[pallet::feeless_if]` with the runtime's
//! `SkipCheckIfFeeless`), up to [`Config::MaxBallotsPerVoter`]. Ineligible, duplicate or
//! invalid ballots never reach a block: the [`CheckBallot`] transaction extension runs every
//! check of `cast_ballot`, proofs included, when the transaction pool validates it, and gives
//! each ballot a unique tag so a voter's duplicates are dropped from the pool.
//!
//! ### Who submits the result
//!
//! Anyone, as an unsigned transaction (or a signed one): the decryption proof is what counts,
//! and it is verified both when the pool validates the transaction and when it is applied.
//! Only the first valid result is stored; a duplicate fails with `AlreadyTallied` (and is
//! dropped by the pool, which sees the same tag).
//!
//! ## Dispatchable functions
//!
//! - [`Pallet::create_election`] — *Dispatch Origin*: `AdminOrigin`.
//! - [`Pallet::cancel_election`] — *Dispatch Origin*: `AdminOrigin`; before opening only.
//! - [`Pallet::register_voters`], [`Pallet::remove_voters`] — *Dispatch Origin*: a signed
//!   registrar; until the close.
//! - [`Pallet::cast_ballot`] — *Dispatch Origin*: a signed voter on the roll; while open.
//! - [`Pallet::submit_tally`] — *Dispatch Origin*: none (unsigned) or any signed account; after
//!   the close, once.
//! - [`Pallet::set_registrars`] — *Dispatch Origin*: `AdminOrigin`.
//! - [`Pallet::release_roll`] — *Dispatch Origin*: any signed account; after the tally or a
//!   cancellation, releases the voters' sufficient references in bounded batches.
//!
//! ## Errors
//!
//! See [`Error`]: each variant names the broken precondition and says how to avoid it.
//!
//! ## Events
//!
//! See [`Event`]: past-tense, named fields.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]
// `clippy::expect_used` is denied in each of our modules instead: FRAME's macros expand to
// `expect` calls on values they construct themselves.

extern crate alloc;

pub mod extension;
pub mod offchain;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::CheckBallot;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::voting";

// The generated `Call` constructors take every argument of `create_election` (8), and the
// `Call` enum holds a ballot inline.
#[allow(clippy::too_many_arguments, clippy::large_enum_variant)]
#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use electx_crypto::{
        BallotBytes, BallotContext, DecryptionContext, DecryptionProof, ElectionPublicKey,
        EncryptedTally, TallyBytes, MAX_OPTIONS,
    };
    use frame_support::{
        dispatch::DispatchResult,
        pallet_prelude::*,
        traits::{BuildGenesisConfig, EnsureOrigin},
    };
    use frame_system::{pallet_prelude::*, RawOrigin};
    use sp_runtime::traits::Zero;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    /// The pallet's configuration.
    #[pallet::config]
    pub trait Config:
        frame_system::Config<RuntimeEvent: From<Event<Self>>>
        + frame_system::offchain::CreateBare<Call<Self>>
    {
        /// Origin that creates and cancels elections and sets the registrars (Root in the
        /// ElectX runtime).
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// Most options an election may have (at most [`electx_crypto::MAX_OPTIONS`]).
        #[pallet::constant]
        type MaxOptions: Get<u32>;

        /// Longest election title, in bytes.
        #[pallet::constant]
        type MaxTitleLen: Get<u32>;

        /// Longest option name, in bytes.
        #[pallet::constant]
        type MaxOptionNameLen: Get<u32>;

        /// Most voters added or removed by one `register_voters`/`remove_voters`/
        /// `release_roll` call.
        #[pallet::constant]
        type MaxVotersPerCall: Get<u32>;

        /// Most elections that may open (or close) in the same block.
        #[pallet::constant]
        type MaxElectionsPerBlock: Get<u32>;

        /// Most ballots one voter may cast in one election (relevant when re-voting is on).
        #[pallet::constant]
        type MaxBallotsPerVoter: Get<u32>;

        /// Most registrar accounts.
        #[pallet::constant]
        type MaxRegistrars: Get<u32>;

        /// Weights of this pallet's calls, from its benchmarks.
        type WeightInfo: WeightInfo;
    }

    /// A stored election of this runtime.
    pub type ElectionOf<T> = Election<
        BlockNumberFor<T>,
        <T as Config>::MaxTitleLen,
        <T as Config>::MaxOptions,
        <T as Config>::MaxOptionNameLen,
    >;
    /// A stored result of this runtime.
    pub type ResultOf<T> = ElectionResult<BlockNumberFor<T>, <T as Config>::MaxOptions>;
    /// Bounded title.
    pub type TitleOf<T> = BoundedVec<u8, <T as Config>::MaxTitleLen>;
    /// Bounded option names.
    pub type OptionsOf<T> =
        BoundedVec<BoundedVec<u8, <T as Config>::MaxOptionNameLen>, <T as Config>::MaxOptions>;
    /// Bounded list of voters for one call.
    pub type VotersOf<T> =
        BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxVotersPerCall>;
    /// Bounded per-option counts.
    pub type CountsOf<T> = BoundedVec<u64, <T as Config>::MaxOptions>;
    /// What [`Pallet::check_ballot`] returns: the election and the voter's record, if any.
    pub type CheckedBallot<T> = (ElectionOf<T>, Option<VoteRecord<BlockNumberFor<T>>>);
    /// Bounded per-option decryption proofs.
    pub type ProofsOf<T> = BoundedVec<DecryptionProof, <T as Config>::MaxOptions>;

    /// The id the next election will get.
    // Single value: no hasher.
    #[pallet::storage]
    pub type NextElectionId<T> = StorageValue<_, ElectionId, ValueQuery>;

    /// Elections by id.
    // `Twox64Concat`: ids are sequential and chosen by the chain, not by users.
    #[pallet::storage]
    pub type Elections<T: Config> = StorageMap<_, Twox64Concat, ElectionId, ElectionOf<T>>;

    /// The voter roll: who may vote in which election.
    // Election ids are chain-chosen (`Twox64Concat`); accounts are user-influenced, so
    // `Blake2_128Concat` keeps the trie balanced against crafted keys.
    #[pallet::storage]
    pub type Roll<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        ElectionId,
        Blake2_128Concat,
        T::AccountId,
        (),
        OptionQuery,
    >;

    /// Number of accounts on each election's roll.
    // `Twox64Concat`: chain-chosen ids.
    #[pallet::storage]
    pub type RollSize<T> = StorageMap<_, Twox64Concat, ElectionId, u32, ValueQuery>;

    /// The ballot that counts for each voter who has voted.
    // As `Roll`.
    #[pallet::storage]
    pub type Ballots<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        ElectionId,
        Blake2_128Concat,
        T::AccountId,
        BallotBytes,
        OptionQuery,
    >;

    /// What the chain records of each voter's participation: tracker, number of ballots.
    // As `Roll`.
    #[pallet::storage]
    pub type VotesFor<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        ElectionId,
        Blake2_128Concat,
        T::AccountId,
        VoteRecord<BlockNumberFor<T>>,
        OptionQuery,
    >;

    /// Number of voters who have voted in each election (a re-vote does not count again).
    // `Twox64Concat`: chain-chosen ids.
    #[pallet::storage]
    pub type BallotCount<T> = StorageMap<_, Twox64Concat, ElectionId, u32, ValueQuery>;

    /// The running encrypted tally of each election: the sum of the counted ballots.
    // `Twox64Concat`: chain-chosen ids.
    #[pallet::storage]
    pub type Tallies<T> = StorageMap<_, Twox64Concat, ElectionId, TallyBytes>;

    /// Verified results.
    // `Twox64Concat`: chain-chosen ids.
    #[pallet::storage]
    pub type Results<T: Config> = StorageMap<_, Twox64Concat, ElectionId, ResultOf<T>>;

    /// Elections whose voting opens at a block (for the `VotingOpened` event).
    // `Twox64Concat`: block numbers are chosen by the admin origin only.
    #[pallet::storage]
    pub type OpeningAt<T: Config> = StorageMap<
        _,
        Twox64Concat,
        BlockNumberFor<T>,
        BoundedVec<ElectionId, T::MaxElectionsPerBlock>,
        ValueQuery,
    >;

    /// Elections whose voting closes at a block (for the `VotingClosed` event).
    // As `OpeningAt`.
    #[pallet::storage]
    pub type ClosingAt<T: Config> = StorageMap<
        _,
        Twox64Concat,
        BlockNumberFor<T>,
        BoundedVec<ElectionId, T::MaxElectionsPerBlock>,
        ValueQuery,
    >;

    /// Accounts allowed to put voters on a roll (the gateway's signers).
    // Single value: no hasher.
    #[pallet::storage]
    pub type Registrars<T: Config> =
        StorageValue<_, BoundedVec<T::AccountId, T::MaxRegistrars>, ValueQuery>;

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The initial registrars.
        pub registrars: Vec<T::AccountId>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            // Genesis is built off chain, before the chain exists: a bad config must stop it.
            let bounded: BoundedVec<_, _> = match self.registrars.clone().try_into() {
                Ok(b) => b,
                Err(_) => panic!("genesis: more registrars than MaxRegistrars"),
            };
            Registrars::<T>::put(bounded);
        }
    }

    /// Events of the voting pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An election was created.
        ElectionCreated {
            election: ElectionId,
            opens_at: BlockNumberFor<T>,
            closes_at: BlockNumberFor<T>,
            options: u32,
        },
        /// An election was cancelled before it opened.
        ElectionCancelled { election: ElectionId },
        /// Voting opened.
        VotingOpened { election: ElectionId },
        /// Voting closed; the result is awaited.
        VotingClosed { election: ElectionId, ballots: u32 },
        /// Voters were added to an election's roll.
        VotersRegistered { election: ElectionId, added: u32, roll_size: u32 },
        /// Voters were removed from an election's roll.
        VotersRemoved { election: ElectionId, removed: u32, roll_size: u32 },
        /// A voter's first ballot was counted.
        BallotCast { election: ElectionId, voter: T::AccountId, tracker: Tracker },
        /// A voter cast again (re-voting is on): the new ballot replaced the old one.
        BallotReplaced {
            election: ElectionId,
            voter: T::AccountId,
            replaced: Tracker,
            tracker: Tracker,
        },
        /// The verified result was stored.
        ElectionTallied { election: ElectionId, counts: CountsOf<T>, ballots: u32 },
        /// The registrar accounts were replaced.
        RegistrarsSet { count: u32 },
        /// Roll entries of a finished election were removed and their references released.
        RollReleased { election: ElectionId, released: u32, remaining: u32 },
    }

    /// Errors of the voting pallet. Each names the precondition a call broke.
    #[pallet::error]
    pub enum Error<T> {
        /// No election has this id. Check the id (`Voting::Elections` lists them).
        UnknownElection,
        /// An election needs at least two options.
        TooFewOptions,
        /// An election title or option name is empty.
        EmptyName,
        /// The selection bounds must satisfy `min ≤ max`, `1 ≤ max ≤ number of options`.
        InvalidSelectionBounds,
        /// The voting window must start after the current block and end after it starts.
        InvalidVotingWindow,
        /// Too many elections already open or close at that block; pick another one.
        TooManyElectionsAtBlock,
        /// The election id counter is exhausted.
        ElectionIdOverflow,
        /// Only an election that has not opened yet can be cancelled.
        ElectionAlreadyOpened,
        /// The signer is not a registrar (see `Voting::Registrars`).
        NotRegistrar,
        /// Voters can only be added or removed before the election closes (and not to a
        /// cancelled one).
        RegistrationClosed,
        /// A voter who has already voted cannot be removed from the roll.
        VoterHasVoted,
        /// The roll size counter would overflow.
        RollOverflow,
        /// The election is not open for ballots: it has not opened yet, or it has closed, or it
        /// was cancelled. Check `opens_at`/`closes_at`.
        ElectionNotOpen,
        /// The signer is not on this election's roll. Registration goes through a registrar
        /// (the gateway).
        NotOnRoll,
        /// The voter has already voted and this election does not allow re-voting.
        AlreadyVoted,
        /// The voter has cast the most ballots allowed in one election (`MaxBallotsPerVoter`).
        TooManyBallots,
        /// The ballot has a different number of options than the election.
        WrongOptionCount,
        /// The ballot's proofs do not verify for this chain, election and voter: it was
        /// altered, made for another voter or election, or selects a disallowed number of
        /// options.
        InvalidBallot,
        /// The ballot count would overflow.
        BallotCountOverflow,
        /// The result can only be submitted after voting closed.
        ElectionNotClosed,
        /// The election already has its result.
        AlreadyTallied,
        /// The result must have one count and one proof per option.
        WrongResultLength,
        /// The decryption proofs do not verify against the election key and the on-chain
        /// encrypted tally.
        InvalidTallyProof,
        /// Too many registrars (`MaxRegistrars`).
        TooManyRegistrars,
        /// The roll can only be released once the election is tallied or cancelled.
        RollNotReleasable,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            let opening = OpeningAt::<T>::take(now);
            let closing = ClosingAt::<T>::take(now);
            for election in opening.iter() {
                Self::deposit_event(Event::VotingOpened { election: *election });
            }
            for election in closing.iter() {
                let ballots = BallotCount::<T>::get(election);
                Self::deposit_event(Event::VotingClosed { election: *election, ballots });
            }
            let n = opening.len().saturating_add(closing.len()) as u32;
            T::WeightInfo::on_initialize(n)
        }

        /// The off-chain tallier (see [`crate::offchain`]).
        fn offchain_worker(now: BlockNumberFor<T>) {
            for (election, action) in Self::run_tallier(now) {
                log::debug!(target: LOG_TARGET, "tallier: election {election}: {action:?}");
            }
        }

        fn integrity_test() {
            assert!(T::MaxOptions::get() <= MAX_OPTIONS, "MaxOptions above electx_crypto's bound");
            assert!(T::MaxOptions::get() >= 2, "MaxOptions must allow two options");
            assert!(T::MaxBallotsPerVoter::get() >= 1, "a voter must be able to vote");
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Creates an election.
        ///
        /// ## Dispatch Origin
        /// `AdminOrigin` (Root in the ElectX runtime: use `sudo`).
        ///
        /// ## Errors
        /// `TooFewOptions`, `EmptyName`, `InvalidSelectionBounds`, `InvalidVotingWindow`,
        /// `TooManyElectionsAtBlock`, `ElectionIdOverflow`.
        ///
        /// ## Events
        /// `ElectionCreated`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::create_election(options.len() as u32))]
        #[allow(clippy::too_many_arguments)]
        pub fn create_election(
            origin: OriginFor<T>,
            title: TitleOf<T>,
            options: OptionsOf<T>,
            min_selections: u32,
            max_selections: u32,
            public_key: ElectionPublicKey,
            opens_at: BlockNumberFor<T>,
            closes_at: BlockNumberFor<T>,
            allow_revote: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::try_create_election(Election {
                title,
                options,
                min_selections,
                max_selections,
                public_key,
                opens_at,
                closes_at,
                allow_revote,
                cancelled: false,
            })
        }

        /// Cancels an election that has not opened yet.
        ///
        /// ## Dispatch Origin
        /// `AdminOrigin`.
        ///
        /// ## Errors
        /// `UnknownElection`, `ElectionAlreadyOpened`.
        ///
        /// ## Events
        /// `ElectionCancelled`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::cancel_election())]
        pub fn cancel_election(origin: OriginFor<T>, election: ElectionId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::try_cancel_election(election)
        }

        /// Adds voters to an election's roll. Accounts already on it are skipped.
        ///
        /// ## Dispatch Origin
        /// Signed by a registrar.
        ///
        /// ## Errors
        /// `NotRegistrar`, `UnknownElection`, `RegistrationClosed`, `RollOverflow`.
        ///
        /// ## Events
        /// `VotersRegistered`.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::register_voters(voters.len() as u32))]
        pub fn register_voters(
            origin: OriginFor<T>,
            election: ElectionId,
            voters: VotersOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::ensure_registrar(&who)?;
            Self::try_register_voters(election, voters)
        }

        /// Removes voters from an election's roll. Accounts not on it are skipped.
        ///
        /// ## Dispatch Origin
        /// Signed by a registrar.
        ///
        /// ## Errors
        /// `NotRegistrar`, `UnknownElection`, `RegistrationClosed`, `VoterHasVoted`.
        ///
        /// ## Events
        /// `VotersRemoved`.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::remove_voters(voters.len() as u32))]
        pub fn remove_voters(
            origin: OriginFor<T>,
            election: ElectionId,
            voters: VotersOf<T>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::ensure_registrar(&who)?;
            Self::try_remove_voters(election, voters)
        }

        /// Casts an encrypted ballot. Free for a voter on the roll.
        ///
        /// ## Dispatch Origin
        /// Signed by the voter (an account on the election's roll).
        ///
        /// ## Errors
        /// `UnknownElection`, `ElectionNotOpen`, `NotOnRoll`, `AlreadyVoted`,
        /// `TooManyBallots`, `WrongOptionCount`, `InvalidBallot`, `BallotCountOverflow`.
        ///
        /// ## Events
        /// `BallotCast`, or `BallotReplaced` for a re-vote.
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::cast_ballot(ballot.option_count()))]
        #[pallet::feeless_if(|origin: &OriginFor<T>, election: &ElectionId, _ballot: &BallotBytes| -> bool {
            match ensure_signed(origin.clone()) {
                Ok(who) => Pallet::<T>::is_eligible(&who, *election),
                Err(_) => false,
            }
        })]
        pub fn cast_ballot(
            origin: OriginFor<T>,
            election: ElectionId,
            ballot: BallotBytes,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let options = ballot.option_count();
            let replaced = Self::try_cast_ballot(who, election, ballot)?;
            // The weight charged up front is a re-vote's (the worst case); a first ballot
            // subtracts nothing and refunds the difference, so blocks fit more of them.
            let actual = (!replaced).then(|| T::WeightInfo::cast_first_ballot(options));
            Ok(actual.into())
        }

        /// Submits the decrypted result of a closed election with its decryption proofs.
        ///
        /// ## Dispatch Origin
        /// None (an unsigned transaction, as the tallier's off-chain worker sends it) or any
        /// signed account: the proofs are what is checked.
        ///
        /// ## Errors
        /// `UnknownElection`, `ElectionNotClosed`, `AlreadyTallied`, `WrongResultLength`,
        /// `InvalidTallyProof`.
        ///
        /// ## Events
        /// `ElectionTallied`.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::submit_tally(counts.len() as u32))]
        pub fn submit_tally(
            origin: OriginFor<T>,
            election: ElectionId,
            counts: CountsOf<T>,
            proofs: ProofsOf<T>,
        ) -> DispatchResult {
            match origin.into() {
                Ok(RawOrigin::None) | Ok(RawOrigin::Signed(_)) => {}
                _ => return Err(DispatchError::BadOrigin),
            }
            Self::try_submit_tally(election, counts, proofs)
        }

        /// Replaces the registrar accounts.
        ///
        /// ## Dispatch Origin
        /// `AdminOrigin`.
        ///
        /// ## Errors
        /// `TooManyRegistrars`.
        ///
        /// ## Events
        /// `RegistrarsSet`.
        #[pallet::call_index(6)]
        #[pallet::weight(T::WeightInfo::set_registrars())]
        pub fn set_registrars(
            origin: OriginFor<T>,
            registrars: Vec<T::AccountId>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let bounded: BoundedVec<_, T::MaxRegistrars> =
                registrars.try_into().map_err(|_| Error::<T>::TooManyRegistrars)?;
            let count = bounded.len() as u32;
            Registrars::<T>::put(bounded);
            Self::deposit_event(Event::RegistrarsSet { count });
            Ok(())
        }

        /// Removes up to `MaxVotersPerCall` roll entries of a tallied or cancelled election
        /// and releases the sufficient references they gave the voters' accounts.
        ///
        /// ## Dispatch Origin
        /// Signed by any account.
        ///
        /// ## Errors
        /// `UnknownElection`, `RollNotReleasable`.
        ///
        /// ## Events
        /// `RollReleased`.
        #[pallet::call_index(7)]
        #[pallet::weight(T::WeightInfo::release_roll(T::MaxVotersPerCall::get()))]
        pub fn release_roll(origin: OriginFor<T>, election: ElectionId) -> DispatchResult {
            ensure_signed(origin)?;
            Self::try_release_roll(election)
        }
    }

    // `ValidateUnsigned` is deprecated upstream in favour of `#[pallet::authorize]`, which
    // needs the new "general" transaction format; Polkadot.js and subxt clients handle plain
    // unsigned transactions everywhere today. Revisit before April 2027.
    #[allow(deprecated)]
    #[pallet::validate_unsigned]
    impl<T: Config> ValidateUnsigned for Pallet<T> {
        type Call = Call<T>;

        /// Only `submit_tally` may come unsigned, and only with a result that verifies: the
        /// pool runs the same checks as dispatch, so a bad or late result never gets in.
        fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
            let Call::submit_tally { election, counts, proofs } = call else {
                return InvalidTransaction::Call.into();
            };
            Self::check_tally(*election, counts, proofs)
                .map_err(|e| InvalidTransaction::Custom(error_code::<T>(&e)))?;
            ValidTransaction::with_tag_prefix("ElectxTally")
                .priority(TransactionPriority::MAX)
                .and_provides(*election)
                .longevity(64)
                .propagate(true)
                .build()
        }
    }

    impl<T: Config> Pallet<T> {
        /// The phase of an election now, if it exists.
        pub fn phase(election: ElectionId) -> Option<Phase> {
            let e = Elections::<T>::get(election)?;
            let now = frame_system::Pallet::<T>::block_number();
            Some(e.phase(&now, Results::<T>::contains_key(election)))
        }

        /// This chain's genesis hash, which every ballot's proofs are bound to.
        pub fn genesis_hash() -> [u8; 32] {
            let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
            to_32_bytes(hash.as_ref())
        }

        /// The 32 bytes a voter's account contributes to the ballot context: the account id
        /// itself when it is 32 bytes (as on ElectX), its BLAKE2-256 hash otherwise.
        pub fn voter_id(who: &T::AccountId) -> [u8; 32] {
            who.using_encoded(to_32_bytes)
        }

        /// The context a ballot for `election` by `voter` is bound to.
        pub fn ballot_context(
            election: ElectionId,
            e: &ElectionOf<T>,
            voter: &T::AccountId,
        ) -> BallotContext {
            BallotContext {
                genesis_hash: Self::genesis_hash(),
                election_id: election,
                public_key: e.public_key.clone(),
                voter: Self::voter_id(voter),
                options: e.option_count(),
                min_selections: e.min_selections,
                max_selections: e.max_selections,
            }
        }

        /// The context of the decryption proofs of `election`.
        pub fn decryption_context(election: ElectionId, e: &ElectionOf<T>) -> DecryptionContext {
            DecryptionContext {
                genesis_hash: Self::genesis_hash(),
                election_id: election,
                public_key: e.public_key.clone(),
            }
        }

        /// Whether `who` may cast a (free) ballot in `election` now, proofs aside.
        pub fn is_eligible(who: &T::AccountId, election: ElectionId) -> bool {
            Elections::<T>::get(election)
                .map(|e| Self::check_eligible(who, election, &e).is_ok())
                .unwrap_or(false)
        }

        fn ensure_registrar(who: &T::AccountId) -> DispatchResult {
            ensure!(Registrars::<T>::get().contains(who), Error::<T>::NotRegistrar);
            Ok(())
        }

        fn try_create_election(e: ElectionOf<T>) -> DispatchResult {
            let options = e.option_count();
            ensure!(options >= 2, Error::<T>::TooFewOptions);
            ensure!(!e.title.is_empty(), Error::<T>::EmptyName);
            ensure!(e.options.iter().all(|o| !o.is_empty()), Error::<T>::EmptyName);
            ensure!(
                e.min_selections <= e.max_selections
                    && e.max_selections >= 1
                    && e.max_selections <= options,
                Error::<T>::InvalidSelectionBounds
            );
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(e.opens_at > now && e.closes_at > e.opens_at, Error::<T>::InvalidVotingWindow);
            let id = NextElectionId::<T>::get();
            let next = id.checked_add(1).ok_or(Error::<T>::ElectionIdOverflow)?;
            let mut opening = OpeningAt::<T>::get(e.opens_at);
            opening.try_push(id).map_err(|_| Error::<T>::TooManyElectionsAtBlock)?;
            let mut closing = ClosingAt::<T>::get(e.closes_at);
            closing.try_push(id).map_err(|_| Error::<T>::TooManyElectionsAtBlock)?;
            let tally = EncryptedTally::new(options).map_err(|_| Error::<T>::TooFewOptions)?;

            // All checks passed: write.
            OpeningAt::<T>::insert(e.opens_at, opening);
            ClosingAt::<T>::insert(e.closes_at, closing);
            Tallies::<T>::insert(id, TallyBytes::from(tally));
            NextElectionId::<T>::put(next);
            Self::deposit_event(Event::ElectionCreated {
                election: id,
                opens_at: e.opens_at,
                closes_at: e.closes_at,
                options,
            });
            Elections::<T>::insert(id, e);
            Ok(())
        }

        fn try_cancel_election(election: ElectionId) -> DispatchResult {
            let mut e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(e.phase(&now, false) == Phase::Scheduled, Error::<T>::ElectionAlreadyOpened);
            OpeningAt::<T>::mutate(e.opens_at, |ids| ids.retain(|id| *id != election));
            ClosingAt::<T>::mutate(e.closes_at, |ids| ids.retain(|id| *id != election));
            e.cancelled = true;
            Elections::<T>::insert(election, e);
            Self::deposit_event(Event::ElectionCancelled { election });
            Ok(())
        }

        fn registration_open(election: ElectionId) -> Result<ElectionOf<T>, DispatchError> {
            let e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(
                matches!(e.phase(&now, false), Phase::Scheduled | Phase::Open),
                Error::<T>::RegistrationClosed
            );
            Ok(e)
        }

        fn try_register_voters(election: ElectionId, voters: VotersOf<T>) -> DispatchResult {
            Self::registration_open(election)?;
            let mut new: Vec<&T::AccountId> = Vec::with_capacity(voters.len());
            for v in voters.iter() {
                if !Roll::<T>::contains_key(election, v) && !new.contains(&v) {
                    new.push(v);
                }
            }
            let added = new.len() as u32;
            let roll_size =
                RollSize::<T>::get(election).checked_add(added).ok_or(Error::<T>::RollOverflow)?;

            for v in new {
                Roll::<T>::insert(election, v, ());
                // A sufficient reference lets an account with no tokens sign its ballot
                // (`CheckNonce` refuses accounts with neither provider nor sufficient).
                frame_system::Pallet::<T>::inc_sufficients(v);
            }
            RollSize::<T>::insert(election, roll_size);
            Self::deposit_event(Event::VotersRegistered { election, added, roll_size });
            Ok(())
        }

        fn try_remove_voters(election: ElectionId, voters: VotersOf<T>) -> DispatchResult {
            Self::registration_open(election)?;
            let mut gone: Vec<&T::AccountId> = Vec::with_capacity(voters.len());
            for v in voters.iter() {
                ensure!(!VotesFor::<T>::contains_key(election, v), Error::<T>::VoterHasVoted);
                if Roll::<T>::contains_key(election, v) && !gone.contains(&v) {
                    gone.push(v);
                }
            }
            let removed = gone.len() as u32;
            let roll_size = RollSize::<T>::get(election).saturating_sub(removed);
            for v in gone {
                Roll::<T>::remove(election, v);
                let _ = frame_system::Pallet::<T>::dec_sufficients(v);
            }
            RollSize::<T>::insert(election, roll_size);
            Self::deposit_event(Event::VotersRemoved { election, removed, roll_size });
            Ok(())
        }

        /// Eligibility checks of a ballot, without the proofs: the election is open, the
        /// voter is on its roll, and may vote (again). Returns the voter's record, if any.
        pub(crate) fn check_eligible(
            who: &T::AccountId,
            election: ElectionId,
            e: &ElectionOf<T>,
        ) -> Result<Option<VoteRecord<BlockNumberFor<T>>>, Error<T>> {
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(e.phase(&now, false) == Phase::Open, Error::<T>::ElectionNotOpen);
            ensure!(Roll::<T>::contains_key(election, who), Error::<T>::NotOnRoll);
            let record = VotesFor::<T>::get(election, who);
            if let Some(r) = &record {
                ensure!(e.allow_revote, Error::<T>::AlreadyVoted);
                ensure!(r.ballots < T::MaxBallotsPerVoter::get(), Error::<T>::TooManyBallots);
            }
            Ok(record)
        }

        /// Every check of `cast_ballot`, proofs included: used by dispatch and by the
        /// transaction pool (through [`CheckBallot`]).
        pub fn check_ballot(
            who: &T::AccountId,
            election: ElectionId,
            ballot: &BallotBytes,
        ) -> Result<CheckedBallot<T>, Error<T>> {
            let e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let record = Self::check_eligible(who, election, &e)?;
            ensure!(ballot.option_count() == e.option_count(), Error::<T>::WrongOptionCount);
            let ctx = Self::ballot_context(election, &e, who);
            // Natively, through the node's host function (see `electx-crypto-host`): decodes
            // every point and scalar of the ballot and checks all its proofs.
            match electx_crypto_host::ballot::verify(&ctx.encode(), ballot.as_bytes()) {
                electx_crypto_host::VERIFY_OK => Ok((e, record)),
                electx_crypto_host::VERIFY_WRONG_OPTION_COUNT => Err(Error::<T>::WrongOptionCount),
                _ => Err(Error::<T>::InvalidBallot),
            }
        }

        /// Casts the ballot; returns whether it replaced an earlier one.
        fn try_cast_ballot(
            who: T::AccountId,
            election: ElectionId,
            ballot: BallotBytes,
        ) -> Result<bool, DispatchError> {
            let e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let record = Self::check_eligible(&who, election, &e)?;
            ensure!(ballot.option_count() == e.option_count(), Error::<T>::WrongOptionCount);
            let tally = Tallies::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let (replaced, old) = match &record {
                Some(r) => {
                    let old =
                        Ballots::<T>::get(election, &who).ok_or(Error::<T>::UnknownElection)?;
                    (Some(r.tracker), Some(old))
                }
                None => (None, None),
            };
            // Natively, through the node's host function (see `electx-crypto-host`): decodes
            // the ballot (every point and scalar), checks all its proofs, and returns the
            // tally + this ballot (− the replaced one) and the tracker.
            let ctx = Self::ballot_context(election, &e, &who);
            let old_bytes = old.as_ref().map(|b| b.as_bytes()).unwrap_or_default();
            let (tally, tracker) = electx_crypto_host::ballot::cast(
                &ctx.encode(),
                tally.as_bytes(),
                ballot.as_bytes(),
                old_bytes,
            )
            .map_err(|code| match code {
                electx_crypto_host::VERIFY_WRONG_OPTION_COUNT => Error::<T>::WrongOptionCount,
                _ => Error::<T>::InvalidBallot,
            })?;
            let tally = TallyBytes::from_encoded(&tally).map_err(|_| Error::<T>::InvalidBallot)?;
            let ballots = match &record {
                Some(r) => r.ballots.checked_add(1).ok_or(Error::<T>::TooManyBallots)?,
                None => 1,
            };
            let count = if replaced.is_none() {
                BallotCount::<T>::get(election)
                    .checked_add(1)
                    .ok_or(Error::<T>::BallotCountOverflow)?
            } else {
                BallotCount::<T>::get(election)
            };

            // All checks passed: write.
            let now = frame_system::Pallet::<T>::block_number();
            Tallies::<T>::insert(election, tally);
            Ballots::<T>::insert(election, &who, ballot);
            VotesFor::<T>::insert(election, &who, VoteRecord { tracker, ballots, cast_at: now });
            BallotCount::<T>::insert(election, count);
            match replaced {
                None => Self::deposit_event(Event::BallotCast { election, voter: who, tracker }),
                Some(replaced) => Self::deposit_event(Event::BallotReplaced {
                    election,
                    voter: who,
                    replaced,
                    tracker,
                }),
            }
            Ok(replaced.is_some())
        }

        /// Every check of `submit_tally`: used by dispatch and by `validate_unsigned`.
        pub fn check_tally(
            election: ElectionId,
            counts: &CountsOf<T>,
            proofs: &ProofsOf<T>,
        ) -> Result<ElectionOf<T>, Error<T>> {
            let e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            ensure!(!Results::<T>::contains_key(election), Error::<T>::AlreadyTallied);
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(e.phase(&now, false) == Phase::Closed, Error::<T>::ElectionNotClosed);
            let options = e.option_count() as usize;
            ensure!(
                counts.len() == options && proofs.len() == options,
                Error::<T>::WrongResultLength
            );
            let tally = Tallies::<T>::get(election)
                .ok_or(Error::<T>::UnknownElection)?
                .to_tally()
                .map_err(|_| Error::<T>::InvalidTallyProof)?;
            let ctx = Self::decryption_context(election, &e);
            electx_crypto::verify_tally(&ctx, &tally, counts, proofs)
                .map_err(|_| Error::<T>::InvalidTallyProof)?;
            Ok(e)
        }

        fn try_submit_tally(
            election: ElectionId,
            counts: CountsOf<T>,
            proofs: ProofsOf<T>,
        ) -> DispatchResult {
            Self::check_tally(election, &counts, &proofs)?;
            let ballots = BallotCount::<T>::get(election);
            let tallied_at = frame_system::Pallet::<T>::block_number();
            Results::<T>::insert(
                election,
                ElectionResult { counts: counts.clone(), proofs, ballots, tallied_at },
            );
            Self::deposit_event(Event::ElectionTallied { election, counts, ballots });
            Ok(())
        }

        fn try_release_roll(election: ElectionId) -> DispatchResult {
            let e = Elections::<T>::get(election).ok_or(Error::<T>::UnknownElection)?;
            let now = frame_system::Pallet::<T>::block_number();
            ensure!(
                matches!(
                    e.phase(&now, Results::<T>::contains_key(election)),
                    Phase::Tallied | Phase::Cancelled
                ),
                Error::<T>::RollNotReleasable
            );
            let limit = T::MaxVotersPerCall::get() as usize;
            let voters: Vec<T::AccountId> =
                Roll::<T>::iter_key_prefix(election).take(limit).collect();
            for v in voters.iter() {
                Roll::<T>::remove(election, v);
                let _ = frame_system::Pallet::<T>::dec_sufficients(v);
            }
            let released = voters.len() as u32;
            let remaining = RollSize::<T>::get(election).saturating_sub(released);
            RollSize::<T>::insert(election, remaining);
            Self::deposit_event(Event::RollReleased { election, released, remaining });
            Ok(())
        }
    }

    /// The `InvalidTransaction::Custom` code for a pallet error: its index in [`Error`].
    pub fn error_code<T: Config>(e: &Error<T>) -> u8 {
        let encoded = e.encode();
        encoded.first().copied().unwrap_or(u8::MAX)
    }

    fn to_32_bytes(bytes: &[u8]) -> [u8; 32] {
        match <[u8; 32]>::try_from(bytes) {
            Ok(b) => b,
            Err(_) => sp_io::hashing::blake2_256(bytes),
        }
    }
}
