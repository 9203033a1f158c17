//! The registry on the embedded revm chain: the full DID lifecycle, status bits, persistence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;

use alloy::primitives::U256;
use registry::chain::{Chain, ChainError, DevChain, balance};
use registry::resolver::{ResolveError, Resolver};

#[test]
fn lifecycle_on_devchain() {
    let chain = Arc::new(DevChain::in_memory());
    let docs = common::lifecycle(chain.clone());
    assert_eq!(docs.len(), 9);
}

#[test]
fn devchain_state_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    let (dep, did, doc, head) = {
        let chain = Arc::new(DevChain::open(&path).unwrap());
        let dep = common::deploy(&chain);
        let did = common::identity_with_changes(chain.clone(), dep, "persisted", 3);
        let doc = Resolver::new(chain.clone(), dep.did_registry)
            .resolve(&did, None)
            .unwrap()
            .document;
        let head = chain
            .batch(&[registry::chain::Request::BlockNumber])
            .unwrap();
        (dep, did, doc, head)
    };
    let chain = Arc::new(DevChain::open(&path).unwrap());
    assert_eq!(
        chain
            .batch(&[registry::chain::Request::BlockNumber])
            .unwrap(),
        head
    );
    let again = Resolver::new(chain.clone(), dep.did_registry)
        .resolve(&did, None)
        .unwrap()
        .document;
    assert_eq!(again, doc);
    // The chain goes on from where it was: nonces continue, new transactions work.
    let more = common::identity_with_changes(chain.clone(), dep, "after-reopen", 1);
    assert!(
        Resolver::new(chain.clone(), dep.did_registry)
            .resolve(&more, None)
            .is_ok()
    );
    // A second process (here: a second open) is refused while the chain is open.
    assert!(matches!(
        DevChain::open(&path),
        Err(ChainError::State { .. })
    ));
    drop(chain);
    // A damaged state file is a clear error, not a silently empty chain.
    std::fs::write(&path, b"{not json").unwrap();
    assert!(matches!(
        DevChain::open(&path),
        Err(ChainError::State { .. })
    ));
}

/// When the state file cannot be written, the change is refused *and undone*: the chain in
/// memory stays what the file says, so a reopen sees exactly what the caller was told.
#[test]
fn a_change_that_cannot_be_persisted_is_undone() {
    use registry::chain::Request;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    let chain = Arc::new(DevChain::open(&path).unwrap());
    let dep = common::deploy(&chain);
    let owner = common::account("unpersisted");
    common::fund(&chain, &[&owner]);
    let reg = registry::identity::Registry::new(chain.clone(), dep);
    let snapshot = |chain: &DevChain| {
        chain
            .batch(&[
                Request::BlockNumber,
                Request::Balance(owner.address()),
                Request::Nonce(owner.address()),
            ])
            .unwrap()
    };
    let before = snapshot(&chain);
    let file_before = std::fs::read(&path).unwrap();

    // Make the atomic rename fail: the state file's name is now a non-empty directory.
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("blocker"), b"x").unwrap();
    let r = reg.set_attribute(&owner, owner.address(), "did/svc/Test", b"x", 60);
    assert!(matches!(r, Err(ChainError::State { .. })), "{r:?}");
    assert!(matches!(
        chain.dev_fund(owner.address(), U256::from(1)),
        Err(ChainError::State { .. })
    ));
    assert!(matches!(
        chain.dev_increase_time(3600),
        Err(ChainError::State { .. })
    ));
    assert_eq!(snapshot(&chain), before, "memory ran ahead of the file");

    // Once the file can be written again the chain goes on, and a reopen agrees with memory.
    std::fs::remove_dir_all(&path).unwrap();
    std::fs::write(&path, &file_before).unwrap();
    reg.set_attribute(&owner, owner.address(), "did/svc/Test", b"x", 60)
        .unwrap();
    let after = snapshot(&chain);
    assert_ne!(after, before);
    drop(reg);
    drop(chain);
    let reopened = DevChain::open(&path).unwrap();
    assert_eq!(snapshot(&reopened), after);
}

#[test]
fn transactions_are_checked_like_a_real_chain() {
    let chain = Arc::new(DevChain::in_memory());
    let poor = common::account("poor");
    // No funds: rejected, no block added.
    let before = chain
        .batch(&[registry::chain::Request::BlockNumber])
        .unwrap();
    let dep_err = registry::contracts::Deployment::deploy(&chain, &poor);
    assert!(
        matches!(dep_err, Err(ChainError::Rejected(_))),
        "{dep_err:?}"
    );
    assert_eq!(
        chain
            .batch(&[registry::chain::Request::BlockNumber])
            .unwrap(),
        before
    );
    // Garbage bytes are not a transaction.
    assert!(matches!(
        chain.send_raw_transaction(b"\x02garbage"),
        Err(ChainError::Rejected(_))
    ));
    // Funded, it works, and gas is paid; the receipts are kept.
    common::fund(&chain, &[&poor]);
    let dep = registry::contracts::Deployment::deploy(&chain, &poor).unwrap();
    let owner = common::account("receipt-owner");
    common::fund(&chain, &[&owner]);
    let r = registry::identity::Registry::new(chain.clone(), dep)
        .set_attribute(&owner, owner.address(), "did/svc/Test", b"x", 60)
        .unwrap();
    assert_eq!(chain.receipt(r.tx_hash), Some(r.clone()));
    assert_eq!(r.logs.len(), 1);
    assert!(balance(&chain, poor.address()).unwrap() < U256::from(10u128.pow(20)));
}

#[test]
fn resolver_errors_are_clear() {
    let chain = Arc::new(DevChain::in_memory());
    let dep = common::deploy(&chain);
    let resolver = Resolver::new(chain.clone(), dep.did_registry);
    assert!(matches!(
        resolver.resolve_str("did:ethr:0x1234", None),
        Err(ResolveError::InvalidDid(_))
    ));
    assert!(matches!(
        resolver.resolve_str(
            "did:ethr:0x1:0xb9c5714089478a327f09197987f16f9e5d936e8a",
            None
        ),
        Err(ResolveError::WrongNetwork {
            did_chain: 1,
            chain: 1337
        })
    ));
    assert!(matches!(
        resolver.resolve_str(
            "did:ethr:0x539:0xb9c5714089478a327f09197987f16f9e5d936e8a",
            Some(10_000)
        ),
        Err(ResolveError::FutureBlock {
            requested: 10_000,
            ..
        })
    ));
}

#[test]
fn resolution_round_trips_do_not_grow_with_history() {
    let chain = Arc::new(DevChain::in_memory());
    let dep = common::deploy(&chain);
    let resolver = Resolver::new(chain.clone(), dep.did_registry);
    for n in [0, 1, 20, 60] {
        let did = common::identity_with_changes(chain.clone(), dep, &format!("rt-{n}"), n);
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

#[test]
fn contracts_are_deployed_on_first_use_and_found_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    let first = {
        let chain = Arc::new(DevChain::open(&path).unwrap());
        let dep = registry::contracts::Deployment::dev_default(&chain).unwrap();
        // Idempotent within a session.
        assert_eq!(
            registry::contracts::Deployment::dev_default(&chain).unwrap(),
            dep
        );
        let did = common::identity_with_changes(chain.clone(), dep, "first-use", 1);
        assert!(
            Resolver::new(chain.clone(), dep.did_registry)
                .resolve(&did, None)
                .is_ok()
        );
        dep
    };
    let chain = Arc::new(DevChain::open(&path).unwrap());
    let again = registry::contracts::Deployment::dev_default(&chain).unwrap();
    assert_eq!(again, first);
    // The reopened chain still has the code: resolving reads the earlier identity's key.
    let did = registry::did::DidEthr::new(1337, common::account("first-use").address());
    let doc = Resolver::new(chain.clone(), again.did_registry)
        .resolve(&did, None)
        .unwrap()
        .document;
    assert_eq!(doc["verificationMethod"].as_array().unwrap().len(), 2);
}
