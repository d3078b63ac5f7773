//! Builds, signs and submits ElectX extrinsics over JSON-RPC, and reads events: the small
//! Rust test client of the end-to-end tests (it uses the runtime's own types, so what it
//! sends is exactly what a wallet would).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use codec::{Decode, Encode};
use electx_runtime::{
    Runtime, RuntimeCall, RuntimeEvent, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION,
};
use serde_json::json;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{generic::Era, AccountId32, MultiSignature};

use super::Node;

/// A signing account for tests.
pub fn pair(uri: &str) -> sr25519::Pair {
    sr25519::Pair::from_string(uri, None).expect("valid dev URI")
}

/// The account id of a pair.
pub fn account(p: &sr25519::Pair) -> AccountId32 {
    AccountId32::from(p.public())
}

fn hex_to_bytes(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string").trim_start_matches("0x")).expect("hex")
}

/// The genesis hash of the node's chain.
pub fn genesis(node: &Node) -> H256 {
    H256::from_slice(&hex_to_bytes(&node.rpc("chain_getBlockHash", json!([0]))))
}

/// The next nonce of `who`, pool included.
pub fn nonce(node: &Node, who: &AccountId32) -> u32 {
    node.rpc("system_accountNextIndex", json!([who.to_string()])).as_u64().expect("nonce") as u32
}

fn tx_extension(nonce: u32) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::<Runtime>::new(),
        frame_system::CheckSpecVersion::<Runtime>::new(),
        frame_system::CheckTxVersion::<Runtime>::new(),
        frame_system::CheckGenesis::<Runtime>::new(),
        frame_system::CheckEra::<Runtime>::from(Era::Immortal),
        frame_system::CheckNonce::<Runtime>::from(nonce),
        frame_system::CheckWeight::<Runtime>::new(),
        pallet_voting::CheckBallot::<Runtime>::new(),
        pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
            pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
        ),
        frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
        frame_system::WeightReclaim::<Runtime>::new(),
    )
}

/// Signs `call` by `signer` with an immortal era.
pub fn signed(node: &Node, signer: &sr25519::Pair, call: RuntimeCall) -> UncheckedExtrinsic {
    let g = genesis(node);
    let who = account(signer);
    let ext = tx_extension(nonce(node, &who));
    let payload = SignedPayload::from_raw(
        call.clone(),
        ext.clone(),
        ((), VERSION.spec_version, VERSION.transaction_version, g, g, (), (), (), (), None, ()),
    );
    let sig = payload.using_encoded(|e| signer.sign(e));
    UncheckedExtrinsic::new_signed(call, who.into(), MultiSignature::Sr25519(sig), ext)
}

/// Submits an extrinsic; `Err` carries the pool's refusal as text.
pub fn submit(node: &Node, xt: &UncheckedExtrinsic) -> Result<H256, String> {
    let hex = format!("0x{}", hex::encode(xt.encode()));
    node.try_rpc("author_submitExtrinsic", json!([hex]))
        .map(|h| H256::from_slice(&hex_to_bytes(&h)))
}

/// The events of the block with `hash`.
pub fn events_at(node: &Node, hash: &str) -> Vec<RuntimeEvent> {
    let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
    let raw = node.rpc("state_getStorage", json!([format!("0x{}", hex::encode(key)), hash]));
    if raw.is_null() {
        return Vec::new();
    }
    let bytes = hex_to_bytes(&raw);
    let records = Vec::<frame_system::EventRecord<RuntimeEvent, H256>>::decode(&mut &bytes[..])
        .expect("events decode");
    records.into_iter().map(|r| r.event).collect()
}

/// Hash of block `n` (best chain).
pub fn block_hash(node: &Node, n: u64) -> Option<String> {
    node.rpc("chain_getBlockHash", json!([n])).as_str().map(str::to_owned)
}

/// Waits until an event matching `pred` is in a block, scanning blocks from `from`; returns
/// the event and the block number. Panics with the node log after `timeout`.
pub fn wait_for_event<T>(
    node: &Node,
    from: u64,
    timeout: Duration,
    mut pred: impl FnMut(&RuntimeEvent) -> Option<T>,
) -> (T, u64) {
    let start = Instant::now();
    let mut next = from;
    while start.elapsed() < timeout {
        let best = node.block_number(None);
        while next <= best {
            if let Some(hash) = block_hash(node, next) {
                for e in events_at(node, &hash) {
                    if let Some(found) = pred(&e) {
                        return (found, next);
                    }
                }
            }
            next += 1;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("event not seen in {timeout:?}; log:\n{}", node.log());
}

/// Waits until the best block is at least `n`.
pub fn wait_for_block(node: &Node, n: u64, timeout: Duration) {
    let start = Instant::now();
    while node.block_number(None) < n {
        assert!(start.elapsed() < timeout, "block {n} not reached; log:\n{}", node.log());
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Raw storage value at the best block.
pub fn storage(node: &Node, key: &[u8]) -> Option<Vec<u8>> {
    let raw = node.rpc("state_getStorage", json!([format!("0x{}", hex::encode(key))]));
    (!raw.is_null()).then(|| hex_to_bytes(&raw))
}
