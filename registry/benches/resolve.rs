//! did:ethr resolution time and round trips for identities with 1, 20 and 100 attribute changes,
//! on the embedded DevChain and on a real anvil node, in one run.
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

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use registry::chain::{Chain, DevChain};
use registry::resolver::Resolver;

fn bench(c: &mut Criterion) {
    let dev = DevChain::in_memory();
    let anvil = common::start_anvil();
    let mut chains: Vec<(&str, &dyn Chain)> = vec![("devchain", &dev)];
    if let Some((_, rpc)) = &anvil {
        chains.push(("anvil", rpc));
    }
    let mut g = c.benchmark_group("did_ethr_resolve");
    g.sample_size(20);
    for (name, chain) in &chains {
        let dep = common::deploy(*chain);
        let resolver = Resolver::new(*chain, dep.did_registry);
        for n in [1usize, 20, 100] {
            let did = common::identity_with_changes(*chain, dep, &format!("bench-{n}"), n);
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

criterion_group!(benches, bench);
criterion_main!(benches);
