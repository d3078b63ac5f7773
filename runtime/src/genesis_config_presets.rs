//! Genesis presets: `development` (Alice alone) and `local_testnet` (Alice, Bob and
//! Charlie as Aura + GRANDPA authorities). The chain specs in `chain-spec/` are
//! generated from these; never edit those by hand.

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SudoConfig, VotingConfig, UNIT};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each well-known development account.
pub const DEV_ENDOWMENT: u128 = 1_000_000 * UNIT;

/// Builds a genesis patch from the given authorities, sudo key, endowed accounts and the
/// voter-roll registrars (the gateway's signing accounts).
fn testnet_genesis(
    initial_authorities: Vec<(AuraId, GrandpaId)>,
    endowed_accounts: Vec<AccountId>,
    root: AccountId,
    registrars: Vec<AccountId>,
) -> Value {
    build_struct_json_patch!(RuntimeGenesisConfig {
        balances: BalancesConfig {
            balances: endowed_accounts
                .iter()
                .cloned()
                .map(|k| (k, DEV_ENDOWMENT))
                .collect::<Vec<_>>(),
        },
        aura: pallet_aura::GenesisConfig {
            authorities: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
        },
        grandpa: pallet_grandpa::GenesisConfig {
            authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
        },
        sudo: SudoConfig { key: Some(root) },
        voting: VotingConfig { registrars },
    })
}

fn authority(keyring: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
    (keyring.public().into(), grandpa.public().into())
}

/// The `local_testnet` preset: three validators, Alice is sudo, Ferdie is the registrar.
pub fn local_testnet_genesis() -> Value {
    testnet_genesis(
        vec![
            authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
            authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
            authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
        ],
        Sr25519Keyring::iter()
            .filter(|v| v != &Sr25519Keyring::One && v != &Sr25519Keyring::Two)
            .map(|v| v.to_account_id())
            .collect::<Vec<_>>(),
        Sr25519Keyring::Alice.to_account_id(),
        vec![Sr25519Keyring::Ferdie.to_account_id()],
    )
}

/// The `development` preset: Alice alone authors and finalizes, is sudo, and Ferdie is
/// the registrar.
pub fn development_config_genesis() -> Value {
    testnet_genesis(
        vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
        vec![
            Sr25519Keyring::Alice.to_account_id(),
            Sr25519Keyring::Bob.to_account_id(),
            Sr25519Keyring::Charlie.to_account_id(),
            Sr25519Keyring::Dave.to_account_id(),
            Sr25519Keyring::Eve.to_account_id(),
            Sr25519Keyring::Ferdie.to_account_id(),
            Sr25519Keyring::AliceStash.to_account_id(),
            Sr25519Keyring::BobStash.to_account_id(),
        ],
        Sr25519Keyring::Alice.to_account_id(),
        vec![Sr25519Keyring::Ferdie.to_account_id()],
    )
}

/// Returns the JSON patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let patch = match id.as_ref() {
        sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
        sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
        _ => return None,
    };
    Some(serde_json::to_string(&patch).ok()?.into_bytes())
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
        PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildStorage;

    fn build(id: &str) -> sp_runtime::Storage {
        let patch = get_preset(&PresetId::from(id)).expect("preset exists");
        let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialise");
        let patch: Value = serde_json::from_slice(&patch).expect("preset is JSON");
        json_merge(&mut config, patch);
        let config: RuntimeGenesisConfig =
            serde_json::from_value(config).expect("preset matches the genesis config");
        config.build_storage().expect("genesis builds")
    }

    fn json_merge(a: &mut Value, b: Value) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in b {
                    json_merge(a.entry(k).or_insert(Value::Null), v);
                }
            }
            (a, b) => *a = b,
        }
    }

    #[test]
    fn every_preset_builds_a_valid_genesis() {
        for id in preset_names() {
            let storage = build(id.as_ref());
            assert!(!storage.top.is_empty(), "{id:?} produced empty storage");
        }
    }

    #[test]
    fn unknown_preset_is_none() {
        assert!(get_preset(&PresetId::from("mainnet")).is_none());
    }

    #[test]
    fn development_has_one_authority_and_local_has_three() {
        let dev: Value =
            serde_json::from_slice(&get_preset(&PresetId::from("development")).unwrap()).unwrap();
        let local: Value =
            serde_json::from_slice(&get_preset(&PresetId::from("local_testnet")).unwrap()).unwrap();
        assert_eq!(dev["aura"]["authorities"].as_array().unwrap().len(), 1);
        assert_eq!(local["aura"]["authorities"].as_array().unwrap().len(), 3);
        assert_eq!(local["grandpa"]["authorities"].as_array().unwrap().len(), 3);
    }
}
