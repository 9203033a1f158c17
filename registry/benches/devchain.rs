//! DevChain persistence: how long opening a chain file takes after 1,000 and 10,000 status
//! transactions, and how long one more status transaction takes on a 10,000-transaction chain
//! (execution, the journal append and its fsync, amortised snapshots included).
//!
//! The chain files are built once per run in a temporary directory, outside the measured loops.
//! Run: `cargo bench -p registry --bench devchain`; `SIEGEL_BENCH_DEVCHAIN_SIZES=1000` limits the
//! sizes (building 10,000 transactions takes a while). Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark"
)]

#[path = "../tests/support/devchain_workload.rs"]
mod workload;

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use registry::chain::DevChain;
use workload::Workload;

/// Builds a chain file with `n` status transactions (after the setup's three) in `dir`.
fn build(dir: &Path, n: u64) -> PathBuf {
    let path = dir.join(format!("chain-{n}.json"));
    let started = Instant::now();
    let chain = DevChain::open(&path).unwrap();
    let w = Workload::setup(&chain);
    w.run(&chain, 0, n);
    drop(chain);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut snapshot = path.clone().into_os_string();
    snapshot.push(".snapshot");
    eprintln!(
        "{n} status transactions: built in {:.1} s; journal {} KiB, snapshot {} KiB",
        started.elapsed().as_secs_f64(),
        size(&path) / 1024,
        size(Path::new(&snapshot)) / 1024,
    );
    path
}

fn sizes() -> Vec<u64> {
    std::env::var("SIEGEL_BENCH_DEVCHAIN_SIZES")
        .ok()
        .map(|s| s.split(',').map(|n| n.trim().parse().unwrap()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000])
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let chains: Vec<(u64, PathBuf)> = sizes()
        .into_iter()
        .map(|n| (n, build(dir.path(), n)))
        .collect();

    let mut g = c.benchmark_group("devchain_open");
    g.sample_size(10);
    for (n, path) in &chains {
        g.bench_with_input(BenchmarkId::from_parameter(n), path, |b, path| {
            b.iter(|| DevChain::open(path).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("devchain_status_tx");
    g.sample_size(50);
    if let Some((n, path)) = chains.last() {
        let chain = DevChain::open(path).unwrap();
        let w = Workload::existing();
        let mut i = *n;
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                w.set(&chain, (i * 7) % 4096, i % 2 == 0);
                i += 1;
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
