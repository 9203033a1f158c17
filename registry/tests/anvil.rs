//! The same transaction script against a real anvil node, and the DID documents compared with the
//! embedded DevChain's. anvil comes from npm (`tools/evm`, installed by scripts/test.sh); when it
//! is missing the test is skipped, unless REQUIRE_EVM_NODE=1, which makes that a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;

use registry::chain::{Chain, DevChain};
use registry::resolver::Resolver;

#[test]
fn lifecycle_on_anvil_matches_devchain() {
    let Some((_anvil, rpc)) = common::start_anvil() else {
        return;
    };
    assert_eq!(rpc.chain_id().unwrap(), 1337);
    let on_anvil = common::lifecycle(rpc.clone());
    let on_dev = common::lifecycle(Arc::new(DevChain::in_memory()));
    assert_eq!(on_anvil.len(), on_dev.len());
    for ((label_a, doc_a), (label_d, doc_d)) in on_anvil.iter().zip(&on_dev) {
        assert_eq!(label_a, label_d);
        assert_eq!(doc_a, doc_d, "DID documents differ at step {label_a:?}");
    }
}

#[test]
fn resolution_on_anvil_takes_few_round_trips() {
    let Some((_anvil, rpc)) = common::start_anvil() else {
        return;
    };
    let dep = common::deploy(&rpc);
    let resolver = Resolver::new(rpc.clone(), dep.did_registry);
    for n in [1, 20] {
        let did = common::identity_with_changes(rpc.clone(), dep, &format!("anvil-rt-{n}"), n);
        let r = resolver.resolve(&did, None).unwrap();
        assert_eq!(
            r.document["verificationMethod"].as_array().unwrap().len(),
            n + 1
        );
        assert!(
            r.round_trips <= 3,
            "{n} changes: {} round trips",
            r.round_trips
        );
    }
}
