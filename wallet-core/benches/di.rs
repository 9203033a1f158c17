//! Data Integrity on a 30-claim credential: `bbs-2023` base proof, derive (5 of 30 claims
//! disclosed) and verify, with the canonicalization and the BBS parts measured on their own in the
//! same run; `eddsa-rdfc-2022` sign and verify for comparison; hostile encoded lengths, which
//! must be refused in milliseconds.
//!
//! Run: `cargo bench -p wallet-core --bench di`. Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use std::hint::black_box;
use wallet_core::bbs::{Bls12381Sha256, DisclosedIndexes, SecretKey};
use wallet_core::di::bbs_2023::{derive, disclosure_data, issue, steps, verify_derived};
use wallet_core::di::eddsa_rdfc_2022::{self, Expectations, ProofOptions};
use wallet_core::di::{Multikey, StaticResolver};
use wallet_core::jsonld::canonicalize;

fn credential(issuer: &str) -> Value {
    let mut subject = Map::new();
    for i in 0..30 {
        subject.insert(format!("claim{i:02}"), json!(format!("value of claim {i}")));
    }
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": issuer,
        "validFrom": "2026-11-25T00:00:00Z",
        "credentialSubject": subject,
    })
}

fn bench(c: &mut Criterion) {
    let sk = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let mk = Multikey::encode_bls12_381_g2_public(sk.public_key());
    let vm = format!("did:key:{mk}#{mk}");
    let doc = credential(&format!("did:key:{mk}"));
    let options = ProofOptions {
        verification_method: vm,
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some("2026-11-25T10:00:00Z".parse().unwrap()),
        challenge: None,
        domain: None,
    };
    let mandatory: Vec<String> = vec!["/issuer".into(), "/validFrom".into()];
    let selective: Vec<String> = (0..5)
        .map(|i| format!("/credentialSubject/claim{:02}", i * 6))
        .collect();
    let signed = issue(&doc, &sk, &mandatory, &options).unwrap();
    let derived = derive(&signed, &selective, b"nonce").unwrap();
    let resolver = StaticResolver::new();
    verify_derived(&derived, &resolver).unwrap();

    let mut g = c.benchmark_group("bbs_2023_30_claims");
    g.sample_size(20);
    g.bench_function("base_proof", |b| {
        b.iter(|| issue(black_box(&doc), &sk, &mandatory, &options).unwrap())
    });
    g.bench_function("derive_5_of_30", |b| {
        b.iter(|| derive(black_box(&signed), &selective, b"nonce").unwrap())
    });
    g.bench_function("verify_derived", |b| {
        b.iter(|| verify_derived(black_box(&derived), &resolver).unwrap())
    });
    g.bench_function("verify_base_proof_on_receipt", |b| {
        b.iter(|| wallet_core::di::verify_base_proof(black_box(&signed), &resolver).unwrap())
    });
    // The parts: canonicalization of the credential, the holder's full disclosure-data step
    // (canonicalization + grouping, no BBS), and the BBS operations alone on the same messages.
    g.bench_function("part_canonicalize_credential", |b| {
        b.iter(|| canonicalize(black_box(&doc)).unwrap())
    });
    g.bench_function("part_prepare_hmac_relabel", |b| {
        b.iter(|| steps::prepare(black_box(&doc), &[7u8; 32]).unwrap())
    });
    g.bench_function("part_disclosure_data", |b| {
        b.iter(|| disclosure_data(black_box(&signed), &selective).unwrap())
    });
    let data = disclosure_data(&signed, &selective).unwrap();
    let idx = DisclosedIndexes::new(
        data.adj_selective_indexes.iter().copied(),
        data.messages.len(),
    )
    .unwrap();
    g.bench_function("part_bbs_sign", |b| {
        b.iter(|| {
            sk.sign::<Bls12381Sha256, _>(&data.base.bbs_header, black_box(&data.messages))
                .unwrap()
        })
    });
    g.bench_function("part_bbs_proof_gen", |b| {
        b.iter(|| {
            data.base
                .signature
                .prove(
                    &data.base.public_key,
                    &data.base.bbs_header,
                    b"nonce",
                    black_box(&data.messages),
                    &idx,
                )
                .unwrap()
        })
    });
    g.finish();

    let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let edk = Multikey::encode_ed25519_public(&ed.verifying_key().to_bytes());
    let ed_opts = ProofOptions {
        verification_method: format!("did:key:{edk}#{edk}"),
        ..options.clone()
    };
    let ed_signed = eddsa_rdfc_2022::create_proof(&doc, &ed, &ed_opts).unwrap();
    let expect = Expectations {
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        challenge: None,
        domain: None,
    };
    let mut g = c.benchmark_group("eddsa_rdfc_2022_30_claims");
    g.sample_size(20);
    g.bench_function("create_proof", |b| {
        b.iter(|| eddsa_rdfc_2022::create_proof(black_box(&doc), &ed, &ed_opts).unwrap())
    });
    g.bench_function("verify_proof", |b| {
        b.iter(|| eddsa_rdfc_2022::verify_proof(black_box(&ed_signed), &resolver, &expect).unwrap())
    });
    g.finish();
}

/// The quads of a complete graph of `n` blank nodes no step of RDFC-1.0 can tell apart
/// (`_:ni <https://example.org/p> _:nj` for every i ≠ j), built directly: JSON-LD safe mode
/// refuses the `@graph` and inline context a document would need.
fn complete_graph(n: usize) -> Vec<oxrdf::Quad> {
    use oxrdf::{BlankNode, GraphName, NamedNode, Quad};
    let p = NamedNode::new("https://example.org/p").unwrap();
    let node = |i: usize| BlankNode::new(format!("n{i}")).unwrap();
    (0..n)
        .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
        .map(|(i, j)| Quad::new(node(i), p.clone(), node(j), GraphName::DefaultGraph))
        .collect()
}

/// The cost of the RDFC-1.0 work guard: blank-node labelling by oxrdf alone and through
/// `jsonld::canonical_labels` (counted dry run, then oxrdf), side by side.
fn bench_rdfc_guard(c: &mut Criterion) {
    use oxrdf::Dataset;
    use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
    let mut g = c.benchmark_group("rdfc_guard");
    let nested = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"items": (0..10).map(|i| json!({"name": format!("item {i}")})).collect::<Vec<_>>()},
    });
    let to_quads = |doc: &Value| wallet_core::jsonld::to_quads(doc).unwrap();
    for (name, quads) in [
        (
            "credential_30_claims",
            to_quads(&credential("did:example:issuer")),
        ),
        ("credential_11_blank_nodes", to_quads(&nested)),
        ("complete_graph_5", complete_graph(5)),
        ("complete_graph_6", complete_graph(6)),
    ] {
        g.bench_function(format!("{name}/oxrdf_only"), |b| {
            b.iter(|| {
                let d: Dataset = quads.iter().cloned().collect();
                black_box(
                    d.canonicalize_blank_nodes(CanonicalizationAlgorithm::Rdfc10 {
                        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
                    }),
                )
                .len()
            });
        });
        g.bench_function(format!("{name}/guarded"), |b| {
            b.iter(|| wallet_core::jsonld::canonical_labels(black_box(&quads)).unwrap());
        });
    }
    let k7 = complete_graph(7);
    g.bench_function("complete_graph_7/guarded_refusal", |b| {
        b.iter(|| wallet_core::jsonld::canonical_labels(black_box(&k7)).unwrap_err());
    });
    g.finish();
}

/// Hostile encoded lengths (issue 10, item 2): each is refused by its length before any base58
/// decoding. Before the bounds: a 100 k-character eddsa `proofValue` cost 4.1 s to verify, a
/// 200 k-character `did:key` 15.2 s to resolve and 15.5 s inside a bbs-2023 verification.
fn bench_hostile_encodings(c: &mut Criterion) {
    use wallet_core::di::{KeyResolver, ProofError, ProofPurpose};
    let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let edk = Multikey::encode_ed25519_public(&ed.verifying_key().to_bytes());
    let options = |vm: String| ProofOptions {
        verification_method: vm,
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some("2026-01-01T00:00:00Z".parse().unwrap()),
        challenge: None,
        domain: None,
    };
    let ed_signed = eddsa_rdfc_2022::create_proof(
        &credential(&format!("did:key:{edk}")),
        &ed,
        &options(format!("did:key:{edk}#{edk}")),
    )
    .unwrap();
    let expect = Expectations {
        proof_purpose: ProofPurpose::AssertionMethod,
        challenge: None,
        domain: None,
    };
    let keys = StaticResolver::new();
    let mut long_proof_value = ed_signed.clone();
    long_proof_value["proof"]["proofValue"] = format!("z{}", "2".repeat(99_999)).into();
    let mk = format!("z6Mk{}", "1".repeat(200_000 - 4));
    let long_vm = format!("did:key:{mk}#{mk}");
    let mut ed_long_vm = ed_signed.clone();
    ed_long_vm["proof"]["verificationMethod"] = long_vm.clone().into();
    let sk = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let bk = Multikey::encode_bls12_381_g2_public(sk.public_key());
    let signed = issue(
        &credential(&format!("did:key:{bk}")),
        &sk,
        &["/issuer".into()],
        &options(format!("did:key:{bk}#{bk}")),
    )
    .unwrap();
    let mut bbs_long_vm = derive(&signed, &["/credentialSubject/claim00".into()], b"n").unwrap();
    bbs_long_vm["proof"]["verificationMethod"] = long_vm.clone().into();
    let too_long =
        |r: Result<(), ProofError>| assert!(matches!(r, Err(ProofError::TooLong { .. })));

    let mut g = c.benchmark_group("hostile_encodings");
    g.sample_size(20);
    g.bench_function("eddsa_verify_100k_proof_value", |b| {
        b.iter(|| {
            too_long(
                eddsa_rdfc_2022::verify_proof(black_box(&long_proof_value), &keys, &expect)
                    .map(drop),
            )
        })
    });
    g.bench_function("resolve_200k_did_key", |b| {
        b.iter(|| {
            too_long(
                keys.resolve(black_box(&long_vm), ProofPurpose::AssertionMethod)
                    .map(drop),
            )
        })
    });
    g.bench_function("eddsa_verify_200k_did_key", |b| {
        b.iter(|| {
            too_long(
                eddsa_rdfc_2022::verify_proof(black_box(&ed_long_vm), &keys, &expect).map(drop),
            )
        })
    });
    g.bench_function("bbs_verify_derived_200k_did_key", |b| {
        b.iter(|| too_long(verify_derived(black_box(&bbs_long_vm), &keys).map(drop)))
    });
    g.finish();
}

criterion_group!(benches, bench, bench_rdfc_guard, bench_hostile_encodings);
criterion_main!(benches);
