//! BBS Sign, Verify, ProofGen and ProofVerify at 10 and 100 messages (half disclosed), SHA-256
//! suite, with `zkryptium` 0.8 measured in the same bench groups on the same inputs.
//!
//! Run: `cargo bench -p wallet-core --bench bbs`. Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark"
)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wallet_core::bbs::{Bls12381Sha256, DisclosedIndexes, Proof, SecretKey, Signature};
use zkryptium::{
    keys::pair::KeyPair,
    schemes::{
        algorithms::BbsBls12381Sha256 as Zk,
        generics::{PoKSignature, Signature as ZkSignature},
    },
};

const KEY_MATERIAL: &[u8; 32] = b"siegel-bench-key-material-000001";
const HEADER: &[u8] = b"bench header";
const PH: &[u8] = b"bench presentation header";
const SIZES: [usize; 2] = [10, 100];

struct Case {
    messages: Vec<Vec<u8>>,
    disclosed: Vec<usize>,
    disclosed_pairs: Vec<(usize, Vec<u8>)>,
    disclosed_messages: Vec<Vec<u8>>,
    sk: SecretKey,
    signature: Signature<Bls12381Sha256>,
    proof: Proof<Bls12381Sha256>,
    zk_keys: KeyPair<Zk>,
    zk_signature: ZkSignature<Zk>,
    zk_proof: PoKSignature<Zk>,
}

fn case(n: usize) -> Case {
    let messages: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("claim {i:03}: value-{:08x}", i * 2_654_435_761).into_bytes())
        .collect();
    let disclosed: Vec<usize> = (0..n).step_by(2).collect();
    let indexes = DisclosedIndexes::new(disclosed.iter().copied(), n).unwrap();
    let sk = SecretKey::from_key_material::<Bls12381Sha256>(KEY_MATERIAL, b"", None).unwrap();
    let signature = sk.sign::<Bls12381Sha256, _>(HEADER, &messages).unwrap();
    let proof = signature
        .prove(sk.public_key(), HEADER, PH, &messages, &indexes)
        .unwrap();

    let zk_keys = KeyPair::<Zk>::generate(KEY_MATERIAL, None, None).unwrap();
    assert_eq!(
        zk_keys.public_key().to_bytes().to_vec(),
        sk.public_key().to_bytes().to_vec(),
        "both implementations derive the same key"
    );
    let zk_signature = ZkSignature::<Zk>::sign(
        Some(&messages),
        zk_keys.private_key(),
        zk_keys.public_key(),
        Some(HEADER),
    )
    .unwrap();
    // Sign is deterministic: the peers must agree byte for byte.
    assert_eq!(
        zk_signature.to_bytes().to_vec(),
        signature.to_bytes().to_vec()
    );
    let zk_proof = PoKSignature::<Zk>::proof_gen(
        zk_keys.public_key(),
        &zk_signature.to_bytes(),
        Some(HEADER),
        Some(PH),
        Some(&messages),
        Some(&disclosed),
    )
    .unwrap();
    let disclosed_messages: Vec<Vec<u8>> = disclosed.iter().map(|&i| messages[i].clone()).collect();
    // Each side's proof verifies on the other side too.
    let ours_in_zk = PoKSignature::<Zk>::from_bytes(&proof.to_bytes()).unwrap();
    ours_in_zk
        .proof_verify(
            zk_keys.public_key(),
            Some(&disclosed_messages),
            Some(&disclosed),
            Some(HEADER),
            Some(PH),
        )
        .unwrap();
    let disclosed_pairs: Vec<(usize, Vec<u8>)> = disclosed
        .iter()
        .map(|&i| (i, messages[i].clone()))
        .collect();
    Proof::<Bls12381Sha256>::from_bytes(&zk_proof.to_bytes())
        .unwrap()
        .verify(sk.public_key(), HEADER, PH, &disclosed_pairs)
        .unwrap();
    Case {
        messages,
        disclosed,
        disclosed_pairs,
        disclosed_messages,
        sk,
        signature,
        proof,
        zk_keys,
        zk_signature,
        zk_proof,
    }
}

fn bench(c: &mut Criterion) {
    let cases: Vec<(usize, Case)> = SIZES.iter().map(|&n| (n, case(n))).collect();

    let mut g = c.benchmark_group("bbs_sign");
    g.sample_size(20);
    for (n, k) in &cases {
        g.bench_with_input(BenchmarkId::new("siegel", n), k, |b, k| {
            b.iter(|| {
                k.sk.sign::<Bls12381Sha256, _>(HEADER, black_box(&k.messages))
                    .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("zkryptium", n), k, |b, k| {
            b.iter(|| {
                ZkSignature::<Zk>::sign(
                    Some(black_box(&k.messages)),
                    k.zk_keys.private_key(),
                    k.zk_keys.public_key(),
                    Some(HEADER),
                )
                .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("bbs_verify");
    g.sample_size(20);
    for (n, k) in &cases {
        g.bench_with_input(BenchmarkId::new("siegel", n), k, |b, k| {
            b.iter(|| {
                k.sk.public_key()
                    .verify(&k.signature, HEADER, black_box(&k.messages))
                    .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("zkryptium", n), k, |b, k| {
            b.iter(|| {
                k.zk_signature
                    .verify(
                        k.zk_keys.public_key(),
                        Some(black_box(&k.messages)),
                        Some(HEADER),
                    )
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("bbs_proof_gen");
    g.sample_size(20);
    for (n, k) in &cases {
        let indexes = DisclosedIndexes::new(k.disclosed.iter().copied(), *n).unwrap();
        g.bench_with_input(BenchmarkId::new("siegel", n), k, |b, k| {
            b.iter(|| {
                k.signature
                    .prove(
                        k.sk.public_key(),
                        HEADER,
                        PH,
                        black_box(&k.messages),
                        &indexes,
                    )
                    .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("zkryptium", n), k, |b, k| {
            let sig = k.zk_signature.to_bytes();
            b.iter(|| {
                PoKSignature::<Zk>::proof_gen(
                    k.zk_keys.public_key(),
                    &sig,
                    Some(HEADER),
                    Some(PH),
                    Some(black_box(&k.messages)),
                    Some(&k.disclosed),
                )
                .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("bbs_proof_verify");
    g.sample_size(20);
    for (n, k) in &cases {
        g.bench_with_input(BenchmarkId::new("siegel", n), k, |b, k| {
            b.iter(|| {
                k.proof
                    .verify(k.sk.public_key(), HEADER, PH, black_box(&k.disclosed_pairs))
                    .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("zkryptium", n), k, |b, k| {
            b.iter(|| {
                k.zk_proof
                    .proof_verify(
                        k.zk_keys.public_key(),
                        Some(black_box(&k.disclosed_messages)),
                        Some(&k.disclosed),
                        Some(HEADER),
                        Some(PH),
                    )
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
