//! A mock runtime for the voting pallet's tests.

// Tests may panic: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate as pallet_voting;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Test;

    #[runtime::pallet_index(0)]
    pub type System = frame_system::Pallet<Test>;

    #[runtime::pallet_index(1)]
    pub type Voting = pallet_voting::Pallet<Test>;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

parameter_types! {
    pub const MaxOptions: u32 = 8;
}

impl pallet_voting::Config for Test {
    type AdminOrigin = EnsureRoot<u64>;
    type MaxOptions = MaxOptions;
    type MaxTitleLen = ConstU32<64>;
    type MaxOptionNameLen = ConstU32<32>;
    type MaxVotersPerCall = ConstU32<10>;
    type MaxElectionsPerBlock = ConstU32<2>;
    type MaxBallotsPerVoter = ConstU32<3>;
    type MaxRegistrars = ConstU32<4>;
    type WeightInfo = ();
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
    RuntimeCall: From<C>,
{
    type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;
    type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Test
where
    RuntimeCall: From<C>,
{
    fn create_bare(call: RuntimeCall) -> Self::Extrinsic {
        frame_system::mocking::MockUncheckedExtrinsic::<Test>::new_bare(call)
    }
}

/// The registrar account in tests.
pub const REGISTRAR: u64 = 100;

/// Test externalities with `REGISTRAR` as the only registrar, at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_voting::GenesisConfig::<Test> { registrars: vec![REGISTRAR] }
        .assimilate_storage(&mut storage)
        .unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    ext
}
