//! Chain specifications built from the runtime's genesis presets.
//!
//! `dev` and `local` are generated from the presets `development` and `local_testnet`;
//! `chain-spec/*.json` are exported from them by `scripts/gen-chain-specs.sh`.

use electx_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::ChainType;

/// The chain specification of ElectX: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The `properties` every ElectX chain spec carries, so that wallets and explorers
/// (Polkadot.js Apps) show the token and addresses correctly.
pub fn properties() -> sc_chain_spec::Properties {
    let mut properties = sc_chain_spec::Properties::new();
    properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
    properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
    properties.insert("ss58Format".into(), SS58_PREFIX.into());
    properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
    WASM_BINARY.ok_or_else(|| {
        "The runtime WASM is not available: this binary was built with SKIP_WASM_BUILD.".into()
    })
}

/// A single-validator development chain (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("ElectX Development")
        .with_id("electx_dev")
        .with_protocol_id("electx-dev")
        .with_chain_type(ChainType::Development)
        .with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
        .with_properties(properties())
        .build())
}

/// A local three-validator testnet (Alice, Bob, Charlie).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("ElectX Local Testnet")
        .with_id("electx_local")
        .with_protocol_id("electx-local")
        .with_chain_type(ChainType::Local)
        .with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
        .with_properties(properties())
        .build())
}
