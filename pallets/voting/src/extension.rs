//! [`CheckBallot`]: the transaction extension that keeps bad ballots out of the pool.

#![deny(clippy::expect_used)]

use crate::{pallet::error_code, Call, Config, Pallet};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
    pallet_prelude::{TransactionSource, ValidTransaction},
    traits::{IsSubType, OriginTrait},
    weights::Weight,
    DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
    impl_tx_ext_default,
    traits::{DispatchInfoOf, Dispatchable, TransactionExtension, ValidateResult},
    transaction_validity::InvalidTransaction,
};

/// Runs every check of `Voting::cast_ballot` (election open, voter on the roll, not voted
/// or allowed to vote again, proofs valid) when the transaction pool validates a ballot, so
/// that free ballots cannot flood the pool or blocks.
///
/// A rejected ballot is reported as `InvalidTransaction::Custom(i)`, where `i` is the
/// index of the [`crate::Error`] variant dispatch would have returned (e.g. `NotOnRoll`).
/// A valid ballot provides the tag `(election, voter, ballots cast so far)`, so the pool
/// keeps one ballot per voter and turn.
///
/// Other calls pass through untouched, and so do ballots being applied in a block
/// (`TransactionSource::InBlock`): dispatch repeats every check, and `cast_ballot`'s
/// benchmarked weight covers exactly one verification.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckBallot<T>(PhantomData<T>);

impl<T> CheckBallot<T> {
    /// Creates the extension.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> core::fmt::Debug for CheckBallot<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        write!(f, "CheckBallot")
    }
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
    for CheckBallot<T>
where
    <T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>> + Dispatchable,
{
    const IDENTIFIER: &'static str = "CheckBallot";
    type Implicit = ();
    type Val = ();
    type Pre = ();

    fn weight(&self, _call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
        // The checks run again, and are paid for, in `cast_ballot`'s own weight.
        Weight::zero()
    }

    fn validate(
        &self,
        origin: <T as frame_system::Config>::RuntimeOrigin,
        call: &<T as frame_system::Config>::RuntimeCall,
        _info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
        _len: usize,
        _self_implicit: Self::Implicit,
        _inherited_implication: &impl Encode,
        source: TransactionSource,
    ) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
        let Some(Call::cast_ballot { election, ballot }) = call.is_sub_type() else {
            return Ok((ValidTransaction::default(), (), origin));
        };
        // In a block, `cast_ballot` itself runs every check and its weight pays for them:
        // verifying the proofs here too would double the block's real cost.
        if source == TransactionSource::InBlock {
            return Ok((ValidTransaction::default(), (), origin));
        }
        let Some(who) = origin.as_signer() else {
            return Err(InvalidTransaction::BadSigner.into());
        };
        let (_, record) = Pallet::<T>::check_ballot(who, *election, ballot)
            .map_err(|e| InvalidTransaction::Custom(error_code::<T>(&e)))?;
        let turn = record.map(|r| r.ballots).unwrap_or(0);
        let valid = ValidTransaction::with_tag_prefix("ElectxBallot")
            .and_provides((*election, who.clone(), turn))
            .build()?;
        Ok((valid, (), origin))
    }

    impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}
