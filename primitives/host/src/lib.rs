//! # ElectX host functions
//!
//! The runtime verifies every ballot twice (when the transaction pool validates
//! it and when a block includes it) and adds it to the running encrypted tally.
//! Done in WASM, that is curve25519 arithmetic on a portable 64-bit backend,
//! about 9.5× slower than the node's native build. This crate exposes the two
//! hot operations of [`electx_crypto`] as a runtime interface, so a WASM runtime
//! calls the native code of the node it runs on:
//!
//! * [`ballot::verify`]: [`electx_crypto::verify_ballot_bytes`] (the transaction pool);
//! * [`ballot::cast`]: [`electx_crypto::cast_ballot_bytes`] (dispatch: verify, add to the
//!   tally, tracker — the ballot decoded once).
//!
//! Both are deterministic functions of their inputs (no randomness, no
//! externalities), so every node computes the same result; the runtime's
//! weights are benchmarked through this interface.
//!
//! **Every node running an ElectX runtime must register [`HostFunctions`]** in
//! its executor (and in the benchmark CLI); `electx-node` does. A node without
//! them refuses to instantiate the runtime (missing imports) instead of
//! diverging.
//!
//! Natively (pallet unit tests, `std` builds) the functions are plain calls.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use sp_runtime_interface::{
    pass_by::{AllocateAndReturnByCodec, PassFatPointerAndRead},
    runtime_interface,
};

/// Result of [`ballot::verify`]: the ballot and its proofs are valid for the context.
pub const VERIFY_OK: u32 = 0;
/// Result of [`ballot::verify`]: the ballot's option count differs from the context's.
pub const VERIFY_WRONG_OPTION_COUNT: u32 = 1;
/// Result of [`ballot::verify`]: malformed encoding (a non-canonical point or
/// scalar, trailing bytes), a malformed context, or a proof that does not verify.
pub const VERIFY_INVALID: u32 = 2;

/// Native ballot operations for the runtime (see the crate documentation).
#[runtime_interface]
pub trait Ballot {
    /// Verifies the SCALE-encoded `EncryptedBallot` under the SCALE-encoded
    /// `BallotContext`. Returns [`VERIFY_OK`], [`VERIFY_WRONG_OPTION_COUNT`] or
    /// [`VERIFY_INVALID`].
    fn verify(ctx: PassFatPointerAndRead<&[u8]>, ballot: PassFatPointerAndRead<&[u8]>) -> u32 {
        match electx_crypto::verify_ballot_bytes(ctx, ballot) {
            Ok(()) => VERIFY_OK,
            Err(err) => code(err),
        }
    }

    /// `cast_ballot`'s cryptography in one call: verifies the encoded ballot under the
    /// encoded context, and returns the encoded tally plus the ballot minus `replaced` (the
    /// voter's previous ballot, or empty) together with the ballot's tracker. On failure
    /// returns [`VERIFY_WRONG_OPTION_COUNT`] or [`VERIFY_INVALID`] (also for a malformed
    /// tally).
    fn cast(
        ctx: PassFatPointerAndRead<&[u8]>,
        tally: PassFatPointerAndRead<&[u8]>,
        ballot: PassFatPointerAndRead<&[u8]>,
        replaced: PassFatPointerAndRead<&[u8]>,
    ) -> AllocateAndReturnByCodec<Result<(Vec<u8>, [u8; 32]), u32>> {
        let replaced = if replaced.is_empty() { None } else { Some(replaced) };
        electx_crypto::cast_ballot_bytes(ctx, tally, ballot, replaced).map_err(code)
    }
}

#[cfg(not(substrate_runtime))]
fn code(err: electx_crypto::CryptoError) -> u32 {
    match err {
        electx_crypto::CryptoError::WrongOptionCount { .. } => VERIFY_WRONG_OPTION_COUNT,
        _ => VERIFY_INVALID,
    }
}

/// The host functions of this interface, for the node's executor:
/// `WasmExecutor<(sp_io::SubstrateHostFunctions, electx_crypto_host::HostFunctions)>`.
#[cfg(not(substrate_runtime))]
pub type HostFunctions = ballot::HostFunctions;
