//! Vault unlock (Argon2id at the default parameters, and t = 3 for reference) and save of a vault
//! holding 1,000 credentials, on disk and on tmpfs (where fsync is nearly free), in one run.
//!
//! Run: `cargo bench -p wallet-core --bench vault`. Results: docs/BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark"
)]

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wallet_core::keys::KeyKind;
use wallet_core::vault::{KdfParams, Passphrase, Vault};

fn pass() -> Passphrase {
    Passphrase::try_from("correct horse battery staple").unwrap()
}

fn kyc_document(i: usize) -> String {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": "did:ethr:0x539:0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
        "validFrom": "2026-11-25T00:00:00Z",
        "credentialSubject": {
            "id": format!("did:example:holder-{i}"),
            "name": "Ada Lovelace", "birthDate": "1990-12-10", "ageOver18": true,
            "incomeBand": "B", "idNumber": format!("X{i:07}"),
        },
        "proof": { "type": "DataIntegrityProof", "cryptosuite": "bbs-2023",
                   "proofValue": "u2V0ChVhQ".repeat(40) }
    })
    .to_string()
}

fn vault_with_credentials(path: &Path, n: usize) -> Vault {
    let _ = std::fs::remove_file(path);
    let mut v = Vault::create(path, &pass(), KdfParams::MINIMUM).unwrap();
    v.generate_key(KeyKind::BbsBls12381Sha256, "issuer")
        .unwrap();
    v.generate_key(KeyKind::Ed25519, "holder").unwrap();
    for i in 0..n {
        v.add_credential(&format!("credential {i}"), "vc+bbs-2023", &kyc_document(i))
            .unwrap();
    }
    v.save().unwrap();
    v
}

fn bench(c: &mut Criterion) {
    let disk = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();

    let mut g = c.benchmark_group("vault_unlock");
    g.sample_size(10);
    for (name, params) in [
        ("default", KdfParams::DEFAULT),
        (
            "m64MiB_t3",
            KdfParams {
                iterations: 3,
                ..KdfParams::DEFAULT
            },
        ),
    ] {
        let path = disk.path().join(format!("unlock-{name}.siegel"));
        Vault::create(&path, &pass(), params).unwrap().lock();
        g.bench_function(BenchmarkId::new("argon2id", name), |b| {
            b.iter(|| Vault::unlock(&path, &pass()).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("vault_save_1000_credentials");
    g.sample_size(20);
    let shm = Path::new("/dev/shm");
    let mut places = vec![("disk", disk.path().to_path_buf())];
    if shm.is_dir() {
        places.push(("tmpfs", tempfile::tempdir_in(shm).unwrap().keep()));
    }
    for (name, dir) in &places {
        let v = vault_with_credentials(&dir.join("save.siegel"), 1000);
        let size = std::fs::metadata(v.path()).unwrap().len();
        g.bench_function(
            BenchmarkId::new(*name, format!("{} KiB", size / 1024)),
            |b| b.iter(|| v.save().unwrap()),
        );
    }
    g.finish();
    for (name, dir) in places {
        if name == "tmpfs" {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
