//! # ElectX runtime
//!
//! The FRAME runtime of ElectX Chain: System, Timestamp, Aura, Grandpa, Balances,
//! TransactionPayment, Sudo and Voting. This file only composes the pallets; their
//! configuration lives in [`configs`], the runtime APIs in [`apis`] and the genesis
//! presets in [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to code that clippy flags.
#![allow(clippy::large_enum_variant)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;

extern crate alloc;

use alloc::vec::Vec;
use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

pub use pallet_voting;

/// Opaque types: what the node needs to know of blocks without knowing the runtime.
pub mod opaque {
    use super::*;
    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

    /// Opaque block header type.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// Opaque block type.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
    /// Opaque block identifier type.
    pub type BlockId = generic::BlockId<Block>;

    impl_opaque_keys! {
        /// The session keys of a validator: Aura for authoring, GRANDPA for finality.
        pub struct SessionKeys {
            /// Block authoring key.
            pub aura: super::Aura,
            /// Finality voting key.
            pub grandpa: super::Grandpa,
        }
    }
}

/// The runtime version. Bump `spec_version` on every runtime logic change.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("electx"),
    impl_name: alloc::borrow::Cow::Borrowed("electx-node"),
    authoring_version: 1,
    spec_version: 101,
    impl_version: 1,
    apis: apis::RUNTIME_API_VERSIONS,
    transaction_version: 1,
    system_version: 1,
};

mod block_times {
    /// Target block time. Slots, timestamps and election windows (in blocks) derive from it.
    pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
    /// Aura slot duration; cannot change once the chain has started.
    pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
}
pub use block_times::*;

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Block hash count for `frame_system` (mortal transactions' horizon).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// Units of the native token ELX, which has 12 decimals.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of an ELX.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of an ELX.
pub const MICRO_UNIT: Balance = 1_000_000;
/// Existential deposit.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Token symbol shown by wallets and explorers (chain spec `properties`).
pub const TOKEN_SYMBOL: &str = "ELX";
/// Token decimals (chain spec `properties`).
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix of ElectX Chain. 2026 is free in the SS58 registry (1.51) and
/// makes ElectX addresses visibly distinct from Substrate's generic `5…` (prefix 42).
pub const SS58_PREFIX: u16 = 2026;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;
/// An account id: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// An index to a block.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block for the node: the block number and hash.
pub type SignedBlock = generic::SignedBlock<Block>;
/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions checked on every signed transaction.
///
/// `CheckBallot` runs every check of `Voting::cast_ballot` (proofs included) in the
/// transaction pool, so bad ballots never reach a block; `SkipCheckIfFeeless` lets calls
/// marked `#[pallet::feeless_if]` (an eligible voter's ballot) skip the fee; everything else
/// pays as usual.
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_voting::CheckBallot<Runtime>,
    pallet_skip_feeless_payment::SkipCheckIfFeeless<
        Runtime,
        pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
    >,
    frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
    frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
    generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// All migrations of the runtime, aside from the ones declared in the pallets.
#[allow(unused_parens)]
type Migrations = ();

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
    Migrations,
>;

// Composes the runtime. Pallet indices are part of the call and event encoding: never
// reuse or renumber one.
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
    pub struct Runtime;

    #[runtime::pallet_index(0)]
    pub type System = frame_system;

    #[runtime::pallet_index(1)]
    pub type Timestamp = pallet_timestamp;

    #[runtime::pallet_index(2)]
    pub type Aura = pallet_aura;

    #[runtime::pallet_index(3)]
    pub type Grandpa = pallet_grandpa;

    #[runtime::pallet_index(4)]
    pub type Balances = pallet_balances;

    #[runtime::pallet_index(5)]
    pub type TransactionPayment = pallet_transaction_payment;

    #[runtime::pallet_index(6)]
    pub type Sudo = pallet_sudo;

    #[runtime::pallet_index(7)]
    pub type SkipFeelessPayment = pallet_skip_feeless_payment;

    #[runtime::pallet_index(20)]
    pub type Voting = pallet_voting;
}

#[cfg(test)]
mod tests {
    use super::*;
    use frame_support::traits::Get;

    #[test]
    fn ss58_prefix_is_the_one_in_the_chain_properties() {
        assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), SS58_PREFIX);
        assert_eq!(SS58_PREFIX, 2026);
    }

    #[test]
    fn the_wasm_runtime_is_built_and_has_our_version() {
        let wasm = WASM_BINARY.expect("built without SKIP_WASM_BUILD");
        assert!(wasm.len() > 100_000);
        assert_eq!(VERSION.spec_name, "electx");
    }

    #[test]
    fn voting_limits_fit_the_ballot_cryptography() {
        use pallet_voting::Config;
        let max: u32 = <<Runtime as Config>::MaxOptions as Get<u32>>::get();
        assert!(max <= electx_crypto::MAX_OPTIONS);
    }
}
