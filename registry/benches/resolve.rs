//! did:ethr resolution time and round trips for identities with 1, 20 and 100 attribute changes,
//! on the embedded DevChain and on a real anvil node, in one run; and for a hostile identity that
//! published one 100 KB key attribute (before the resolver bounded attribute values, base58
//! encoding it took 21.7 s per resolution); and what one verification reads — the issuer's and
//! the holder's DIDs and a status entry through `ChainLedger::fetch` (group
//! `fetch_issuer_holder_status`).
//!
//! Run: `cargo bench -p registry --bench resolve` (anvil from tools/evm, installed by
//! scripts/test.sh). Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Bytes, TxKind, U256, keccak256};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolCall;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use registry::chain::{Chain, DevChain, Request, Response};
use registry::contracts::Deployment;
use registry::contracts::EthereumDIDRegistry as Erc1056;
use registry::did::DidEthr;
use registry::identity::bytes32_name;
use registry::ledger::ChainLedger;
use registry::resolver::Resolver;
use wallet_core::credential::status::StatusEntry;
use wallet_core::di::PublicKeyMaterial;
use wallet_core::keys::{KeyKind, KeySecret};
use wallet_core::ledger::{KeyUse, Ledger, Lookup, PublishKey, TrustSource};

fn bench(c: &mut Criterion) {
    let dev: Arc<dyn Chain> = Arc::new(DevChain::in_memory());
    let anvil = common::start_anvil();
    let mut chains: Vec<(&str, Arc<dyn Chain>)> = vec![("devchain", dev)];
    if let Some((_, rpc)) = &anvil {
        chains.push(("anvil", rpc.clone()));
    }
    let mut g = c.benchmark_group("did_ethr_resolve");
    g.sample_size(20);
    for (name, chain) in &chains {
        let dep = common::deploy(chain);
        let resolver = Resolver::new(chain.clone(), dep.did_registry);
        for n in [1usize, 20, 100] {
            let did = common::identity_with_changes(chain.clone(), dep, &format!("bench-{n}"), n);
            let r = resolver.resolve(&did, None).unwrap();
            assert_eq!(
                r.document["verificationMethod"].as_array().unwrap().len(),
                n + 1
            );
            eprintln!(
                "{name}, {n} changes: {} round trips per resolution",
                r.round_trips
            );
            g.bench_with_input(BenchmarkId::new(*name, n), &did, |b, did| {
                b.iter(|| resolver.resolve(did, None).unwrap())
            });
        }
    }
    g.finish();
}

/// A DevChain identity whose only change is a 100 KB `did/pub/Ed25519/veriKey/base58` attribute
/// (sent with a gas limit the registry helpers do not allow).
fn hostile_identity(chain: &Arc<DevChain>) -> (Resolver, DidEthr) {
    let dep = common::deploy(chain);
    let owner = common::account("bench-hostile");
    common::fund(chain, &[&owner]);
    let key =
        PrivateKeySigner::from_bytes(&keccak256("siegel test account bench-hostile")).unwrap();
    let value: Vec<u8> = (0..100_000u32).map(|i| (i % 251 + 1) as u8).collect();
    let call = Erc1056::setAttributeCall {
        identity: owner.address(),
        name: bytes32_name("did/pub/Ed25519/veriKey/base58").unwrap(),
        value: Bytes::from(value),
        validity: U256::from(common::DAY),
    };
    let nonce = match chain
        .batch(&[Request::Nonce(owner.address())])
        .unwrap()
        .remove(0)
    {
        Response::Number(n) => n,
        other => panic!("{other:?}"),
    };
    let mut tx = TxEip1559 {
        chain_id: chain.chain_id().unwrap(),
        nonce,
        gas_limit: 12_000_000,
        max_fee_per_gas: 0,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(dep.did_registry),
        value: U256::ZERO,
        access_list: Default::default(),
        input: Bytes::from(call.abi_encode()),
    };
    let sig = key.sign_transaction_sync(&mut tx).unwrap();
    let raw = TxEnvelope::Eip1559(tx.into_signed(sig)).encoded_2718();
    assert!(chain.send_raw_transaction(&raw).unwrap().success);
    (
        Resolver::new(chain.clone(), dep.did_registry),
        DidEthr::new(chain.chain_id().unwrap(), owner.address()),
    )
}

fn bench_hostile(c: &mut Criterion) {
    let dev = Arc::new(DevChain::in_memory());
    let (resolver, did) = hostile_identity(&dev);
    let r = resolver.resolve(&did, None).unwrap();
    assert_eq!(r.skipped.len(), 1, "the 100 KB attribute is skipped");
    let mut g = c.benchmark_group("did_ethr_resolve_hostile");
    g.bench_function("devchain/100kb_attribute", |b| {
        b.iter(|| resolver.resolve(&did, None).unwrap())
    });
    g.finish();
}

/// What one verification reads from the chain: the issuer's and the holder's DID documents and
/// one credential's status bits, through `ChainLedger::fetch` (one batched resolution).
fn bench_fetch(c: &mut Criterion) {
    let dev: Arc<dyn Chain> = Arc::new(DevChain::in_memory());
    let anvil = common::start_anvil();
    let mut chains: Vec<(&str, Arc<dyn Chain>)> = vec![("devchain", dev)];
    if let Some((_, rpc)) = &anvil {
        chains.push(("anvil", rpc.clone()));
    }
    let mut g = c.benchmark_group("fetch_issuer_holder_status");
    g.sample_size(50);
    for (name, chain) in chains {
        let deployment = Deployment::dev_default(&chain).unwrap();
        let ledger = ChainLedger::new(chain, deployment).unwrap();
        let bbs = KeySecret::generate(KeyKind::BbsBls12381Sha256).unwrap();
        let ed = KeySecret::generate(KeyKind::Ed25519).unwrap();
        let issuer = ledger
            .register(
                &KeySecret::generate(KeyKind::Secp256k1).unwrap(),
                &[PublishKey {
                    key: PublicKeyMaterial::Bls12381G2(Box::new(
                        bbs.bbs().unwrap().public_key().clone(),
                    )),
                    use_: KeyUse::Assertion,
                }],
                common::DAY,
            )
            .unwrap();
        let holder = ledger
            .register(
                &KeySecret::generate(KeyKind::Secp256k1).unwrap(),
                &[PublishKey {
                    key: PublicKeyMaterial::Ed25519(ed.public_bytes().unwrap().try_into().unwrap()),
                    use_: KeyUse::Authentication,
                }],
                common::DAY,
            )
            .unwrap();
        let lookup = Lookup {
            dids: vec![issuer.did.clone(), holder.did.clone()],
            statuses: vec![StatusEntry {
                registry: ledger.status_registry(),
                issuer: issuer.did,
                index: 0,
            }],
        };
        let fetched = ledger.fetch(&lookup).unwrap();
        assert!(fetched.statuses[0].is_ok());
        eprintln!(
            "{name}: issuer + holder + status in {} round trips",
            fetched.round_trips
        );
        g.bench_function(name, |b| b.iter(|| ledger.fetch(&lookup).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, bench, bench_hostile, bench_fetch);
criterion_main!(benches);
