//! The committed chain specs are what `scripts/gen-chain-specs.sh` generates from the
//! runtime presets, and carry the token properties.
//!
//! Everything but the runtime code is compared byte for byte. The code is compared by the
//! runtime version embedded in it: the WASM build records the absolute source paths of
//! the workspace crates in panic locations, so the blob is reproducible only at the same
//! checkout path. A change of runtime logic must bump `spec_version` (as on any live
//! chain), and then this test asks for the specs to be regenerated.

mod common;

use std::process::Command;

use serde_json::Value;

fn exported(chain: &str) -> Value {
    let out = Command::new(common::node_binary())
        .args(["export-chain-spec", "--chain", chain])
        .output()
        .expect("run electx-node export-chain-spec");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("exported spec is JSON")
}

fn committed(chain: &str) -> Value {
    let path = format!("{}/../chain-spec/{chain}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("committed spec is JSON")
}

/// spec name, impl name, spec/impl/transaction/authoring versions, sorted APIs.
type VersionId = (String, String, u32, u32, u32, u32, Vec<([u8; 8], u32)>);

/// The fields of a runtime version that identify the runtime, with the API list sorted
/// (its order is not stable from one build to the next).
fn identity(v: sp_version::RuntimeVersion) -> VersionId {
    let mut apis = v.apis.to_vec();
    apis.sort();
    (
        v.spec_name.to_string(),
        v.impl_name.to_string(),
        v.spec_version,
        v.impl_version,
        v.transaction_version,
        v.authoring_version,
        apis,
    )
}

/// Takes the runtime code out of a spec and returns the runtime version embedded in it.
fn take_code_version(spec: &mut Value) -> sp_version::RuntimeVersion {
    let code = spec["genesis"]["runtimeGenesis"]
        .as_object_mut()
        .and_then(|g| g.remove("code"))
        .expect("spec has runtime code");
    let bytes = hex::decode(code.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
    let blob = sc_executor_common::runtime_blob::RuntimeBlob::uncompress_if_needed(&bytes)
        .expect("valid runtime blob");
    sc_executor::read_embedded_version(&blob).expect("readable").expect("version embedded")
}

#[test]
fn committed_chain_specs_match_the_generator() {
    for chain in ["dev", "local"] {
        let mut ours = committed(chain);
        let mut fresh = exported(chain);
        let committed_version = take_code_version(&mut ours);
        let fresh_version = take_code_version(&mut fresh);
        assert_eq!(
            ours, fresh,
            "chain-spec/{chain}.json differs from the runtime presets: run \
             scripts/gen-chain-specs.sh and commit the result"
        );
        assert_eq!(fresh_version.spec_version, electx_runtime::VERSION.spec_version);
        assert_eq!(
            identity(committed_version),
            identity(fresh_version),
            "chain-spec/{chain}.json carries another runtime version: run \
             scripts/gen-chain-specs.sh and commit the result"
        );
    }
}

#[test]
fn chain_specs_carry_token_properties_matching_the_runtime() {
    for chain in ["dev", "local"] {
        let spec = committed(chain);
        let props = &spec["properties"];
        assert_eq!(props["tokenSymbol"], electx_runtime::TOKEN_SYMBOL);
        assert_eq!(props["tokenDecimals"], electx_runtime::TOKEN_DECIMALS);
        assert_eq!(props["ss58Format"], electx_runtime::SS58_PREFIX);
    }
}

#[test]
fn local_spec_has_three_authorities_and_a_registrar() {
    let spec = committed("local");
    let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
    assert_eq!(patch["aura"]["authorities"].as_array().map(Vec::len), Some(3), "{patch}");
    assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(3));
    assert_eq!(patch["voting"]["registrars"].as_array().map(Vec::len), Some(1));
}
