//! End-to-end: a real `electx-node --dev` produces and finalizes blocks and tells
//! wallets its token properties.

mod common;

use std::time::{Duration, Instant};

use serde_json::json;

#[test]
fn dev_node_produces_and_finalizes_blocks_and_reports_properties() {
    let node = common::Node::dev(&[]);

    let props = node.rpc("system_properties", json!([]));
    assert_eq!(props["tokenSymbol"], "ELX", "{props}");
    assert_eq!(props["tokenDecimals"], 12, "{props}");
    assert_eq!(props["ss58Format"], electx_runtime::SS58_PREFIX, "{props}");

    let chain = node.rpc("system_chain", json!([]));
    assert_eq!(chain, "ElectX Development");

    let start = Instant::now();
    let mut finalized = 0;
    while start.elapsed() < Duration::from_secs(60) {
        finalized = node.finalized_number();
        if finalized >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        finalized >= 2,
        "finalized only #{finalized} in 60 s (best #{}); log:\n{}",
        node.block_number(None),
        node.log()
    );
    assert!(node.block_number(None) >= finalized);

    // The runtime reports the version this binary was built with.
    let version = node.rpc("state_getRuntimeVersion", json!([]));
    assert_eq!(version["specName"], "electx");
}
