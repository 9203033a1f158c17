//! Conformance of `wallet_core::bbs` with the draft-irtf-cfrg-bbs-signatures fixtures in
//! `tests/data/bbs` (see SOURCE.md there): one test per fixture file and ciphersuite, loaded as
//! data, every failure naming its fixture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::PathBuf;

use serde::Deserialize;
use wallet_core::bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, DisclosedIndexes, Proof, PublicKey, SecretKey,
    Signature, hazmat,
};

type Hex = Vec<u8>;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bbs")
}

fn load<T: for<'de> Deserialize<'de>>(suite_dir: &str, file: &str) -> T {
    let path = data_dir().join(suite_dir).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

mod fixture {
    use super::Hex;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct KeyPairFile {
        #[serde(with = "hex")]
        pub(crate) key_material: Hex,
        #[serde(with = "hex")]
        pub(crate) key_info: Hex,
        #[serde(with = "hex")]
        pub(crate) key_dst: Hex,
        pub(crate) key_pair: KeyPair,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct KeyPair {
        #[serde(with = "hex")]
        pub(crate) secret_key: Hex,
        #[serde(with = "hex")]
        pub(crate) public_key: Hex,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub(crate) struct Generators {
        #[serde(rename = "P1", with = "hex")]
        pub(crate) p1: Hex,
        #[serde(rename = "Q1", with = "hex")]
        pub(crate) q1: Hex,
        pub(crate) msg_generators: Vec<String>,
    }

    #[derive(Deserialize)]
    pub(crate) struct H2s {
        #[serde(with = "hex")]
        pub(crate) message: Hex,
        #[serde(with = "hex")]
        pub(crate) dst: Hex,
        #[serde(with = "hex")]
        pub(crate) scalar: Hex,
    }

    #[derive(Deserialize)]
    pub(crate) struct MapToScalar {
        #[serde(with = "hex")]
        pub(crate) dst: Hex,
        pub(crate) cases: Vec<MapCase>,
    }

    #[derive(Deserialize)]
    pub(crate) struct MapCase {
        #[serde(with = "hex")]
        pub(crate) message: Hex,
        #[serde(with = "hex")]
        pub(crate) scalar: Hex,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct MockedRng {
        #[serde(with = "hex")]
        pub(crate) seed: Hex,
        #[serde(with = "hex")]
        pub(crate) dst: Hex,
        pub(crate) count: usize,
        pub(crate) mocked_scalars: Vec<String>,
    }

    #[derive(Deserialize)]
    pub(crate) struct Outcome {
        pub(crate) valid: bool,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct SignatureCase {
        pub(crate) signer_key_pair: KeyPair,
        #[serde(with = "hex")]
        pub(crate) header: Hex,
        pub(crate) messages: Vec<String>,
        #[serde(with = "hex")]
        pub(crate) signature: Hex,
        pub(crate) result: Outcome,
        pub(crate) trace: SignatureTrace,
    }

    #[derive(Deserialize)]
    pub(crate) struct SignatureTrace {
        #[serde(with = "hex")]
        pub(crate) domain: Hex,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct ProofCase {
        #[serde(with = "hex")]
        pub(crate) signer_public_key: Hex,
        #[serde(with = "hex")]
        pub(crate) signature: Hex,
        #[serde(with = "hex")]
        pub(crate) header: Hex,
        #[serde(with = "hex")]
        pub(crate) presentation_header: Hex,
        pub(crate) messages: Vec<String>,
        pub(crate) disclosed_indexes: Vec<usize>,
        #[serde(with = "hex")]
        pub(crate) proof: Hex,
        pub(crate) result: Outcome,
        pub(crate) trace: ProofTrace,
    }

    #[derive(Deserialize)]
    pub(crate) struct ProofTrace {
        pub(crate) random_scalars: RandomScalars,
        #[serde(with = "hex")]
        pub(crate) domain: Hex,
        #[serde(with = "hex")]
        pub(crate) challenge: Hex,
    }

    #[derive(Deserialize)]
    pub(crate) struct RandomScalars {
        pub(crate) r1: String,
        pub(crate) r2: String,
        pub(crate) e_tilde: String,
        pub(crate) r1_tilde: String,
        pub(crate) r3_tilde: String,
        pub(crate) m_tilde_scalars: Vec<String>,
    }
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

fn unhex_all(v: &[String]) -> Vec<Vec<u8>> {
    v.iter().map(|s| unhex(s)).collect()
}

fn check_keypair<C: Ciphersuite>(dir: &str) {
    let f: fixture::KeyPairFile = load(dir, "keypair.json");
    let sk = SecretKey::from_key_material::<C>(&f.key_material, &f.key_info, Some(&f.key_dst))
        .unwrap_or_else(|e| panic!("{dir}/keypair.json: KeyGen failed: {e}"));
    assert_eq!(
        &sk.to_bytes()[..],
        &f.key_pair.secret_key[..],
        "{dir}/keypair.json: SK"
    );
    assert_eq!(
        &sk.public_key().to_bytes()[..],
        &f.key_pair.public_key[..],
        "{dir}/keypair.json: SkToPk"
    );
    // The fixture's key_dst is the suite default: omitting it must give the same key.
    let default = SecretKey::from_key_material::<C>(&f.key_material, &f.key_info, None).unwrap();
    assert_eq!(default, sk, "{dir}/keypair.json: default key_dst");
    // And decoding the SK bytes round-trips to the same public key.
    let decoded = SecretKey::from_bytes(&f.key_pair.secret_key).unwrap();
    assert_eq!(
        decoded.public_key(),
        sk.public_key(),
        "{dir}/keypair.json: from_bytes"
    );
    assert_eq!(
        PublicKey::from_bytes(&f.key_pair.public_key).unwrap(),
        *sk.public_key(),
        "{dir}/keypair.json: PK decode"
    );
}

fn check_generators<C: Ciphersuite>(dir: &str) {
    let f: fixture::Generators = load(dir, "generators.json");
    assert_eq!(
        &hazmat::p1::<C>()[..],
        &f.p1[..],
        "{dir}/generators.json: P1 constant"
    );
    assert_eq!(
        &hazmat::derive_p1::<C>().unwrap()[..],
        &f.p1[..],
        "{dir}/generators.json: P1 derivation"
    );
    let gens = hazmat::create_generators::<C>(f.msg_generators.len() + 1).unwrap();
    assert_eq!(&gens[0][..], &f.q1[..], "{dir}/generators.json: Q1");
    for (i, (ours, theirs)) in gens[1..].iter().zip(&f.msg_generators).enumerate() {
        assert_eq!(
            hex::encode(ours),
            *theirs,
            "{dir}/generators.json: H_{}",
            i + 1
        );
    }
}

fn check_h2s<C: Ciphersuite>(dir: &str) {
    let f: fixture::H2s = load(dir, "h2s.json");
    let s = hazmat::hash_to_scalar::<C>(&f.message, &f.dst).unwrap();
    assert_eq!(&s[..], &f.scalar[..], "{dir}/h2s.json");
}

fn check_map_to_scalar<C: Ciphersuite>(dir: &str) {
    let f: fixture::MapToScalar = load(dir, "MapMessageToScalarAsHash.json");
    assert_eq!(
        hazmat::map_message_dst::<C>(),
        f.dst,
        "{dir}/MapMessageToScalarAsHash.json: dst"
    );
    let messages: Vec<&[u8]> = f.cases.iter().map(|c| &c.message[..]).collect();
    let scalars = hazmat::messages_to_scalars::<C, _>(&messages).unwrap();
    assert_eq!(scalars.len(), f.cases.len());
    for (i, (ours, case)) in scalars.iter().zip(&f.cases).enumerate() {
        assert_eq!(
            &ours[..],
            &case.scalar[..],
            "{dir}/MapMessageToScalarAsHash.json: case {i}"
        );
    }
}

fn check_mocked_rng<C: Ciphersuite>(dir: &str) {
    let f: fixture::MockedRng = load(dir, "mockedRng.json");
    let ours = hazmat::mocked_random_scalars::<C>(&f.seed, &f.dst, f.count).unwrap();
    assert_eq!(ours.len(), f.mocked_scalars.len(), "{dir}/mockedRng.json");
    for (i, (a, b)) in ours.iter().zip(&f.mocked_scalars).enumerate() {
        assert_eq!(hex::encode(a), *b, "{dir}/mockedRng.json: scalar {i}");
    }
}

fn check_signature<C: Ciphersuite>(dir: &str, file: &str) {
    let name = format!("{dir}/signature/{file}");
    let f: fixture::SignatureCase = load(dir, &format!("signature/{file}"));
    let messages = unhex_all(&f.messages);
    let pk = PublicKey::from_bytes(&f.signer_key_pair.public_key)
        .unwrap_or_else(|e| panic!("{name}: public key: {e}"));
    let verdict = Signature::<C>::from_bytes(&f.signature)
        .and_then(|sig| pk.verify(&sig, &f.header, &messages));
    assert_eq!(
        verdict.is_ok(),
        f.result.valid,
        "{name}: Verify returned {verdict:?}, fixture expects valid = {}",
        f.result.valid
    );
    if f.result.valid {
        let sk = SecretKey::from_bytes(&f.signer_key_pair.secret_key).unwrap();
        assert_eq!(sk.public_key(), &pk, "{name}: SK/PK mismatch");
        let domain = hazmat::calculate_domain::<C>(&pk, messages.len(), &f.header).unwrap();
        assert_eq!(&domain[..], &f.trace.domain[..], "{name}: domain");
        let resigned = sk.sign::<C, _>(&f.header, &messages).unwrap();
        assert_eq!(
            hex::encode(resigned.to_bytes()),
            hex::encode(&f.signature),
            "{name}: re-signing is not byte-exact"
        );
    }
}

fn check_proof<C: Ciphersuite>(dir: &str, file: &str) {
    let name = format!("{dir}/proof/{file}");
    let f: fixture::ProofCase = load(dir, &format!("proof/{file}"));
    let messages = unhex_all(&f.messages);
    let pk = PublicKey::from_bytes(&f.signer_public_key)
        .unwrap_or_else(|e| panic!("{name}: public key: {e}"));
    let disclosed: Vec<(usize, &[u8])> = f
        .disclosed_indexes
        .iter()
        .map(|&i| (i, messages.get(i).map_or(&[][..], |m| &m[..])))
        .collect();
    let verdict = Proof::<C>::from_bytes(&f.proof)
        .and_then(|p| p.verify(&pk, &f.header, &f.presentation_header, &disclosed));
    assert_eq!(
        verdict.is_ok(),
        f.result.valid,
        "{name}: ProofVerify returned {verdict:?}, fixture expects valid = {}",
        f.result.valid
    );
    if !f.result.valid {
        return;
    }
    // The signature the proof was made from verifies over the full message list.
    let signature = Signature::<C>::from_bytes(&f.signature).unwrap();
    pk.verify(&signature, &f.header, &messages)
        .unwrap_or_else(|e| panic!("{name}: signature: {e}"));

    // The trace's random scalars are the mocked RNG's output for 5 + U scalars.
    let rng: fixture::MockedRng = load(dir, "mockedRng.json");
    let u = messages.len() - f.disclosed_indexes.len();
    let mocked = hazmat::mocked_random_scalars::<C>(&rng.seed, &rng.dst, 5 + u).unwrap();
    let t = &f.trace.random_scalars;
    let mut expected = vec![&t.r1, &t.r2, &t.e_tilde, &t.r1_tilde, &t.r3_tilde];
    expected.extend(&t.m_tilde_scalars);
    let mocked_hex: Vec<String> = mocked.iter().map(hex::encode).collect();
    assert_eq!(
        mocked_hex.iter().collect::<Vec<_>>(),
        expected,
        "{name}: mocked random scalars"
    );
    let domain = hazmat::calculate_domain::<C>(&pk, messages.len(), &f.header).unwrap();
    assert_eq!(&domain[..], &f.trace.domain[..], "{name}: domain");

    // Byte-exact regeneration with the mocked RNG.
    let indexes =
        DisclosedIndexes::new(f.disclosed_indexes.iter().copied(), messages.len()).unwrap();
    let proof = hazmat::prove_mocked(
        &signature,
        &pk,
        &f.header,
        &f.presentation_header,
        &messages,
        &indexes,
        hazmat::MockedRng {
            seed: &rng.seed,
            dst: &rng.dst,
        },
    )
    .unwrap_or_else(|e| panic!("{name}: ProofGen: {e}"));
    let bytes = proof.to_bytes();
    assert_eq!(
        hex::encode(&bytes[bytes.len() - 32..]),
        hex::encode(&f.trace.challenge),
        "{name}: challenge"
    );
    assert_eq!(
        hex::encode(&bytes),
        hex::encode(&f.proof),
        "{name}: proof bytes"
    );
}

macro_rules! suite_tests {
    ($module:ident, $suite:ty, $dir:literal) => {
        mod $module {
            use super::*;
            type C = $suite;
            const DIR: &str = $dir;

            #[test]
            fn keypair() {
                check_keypair::<C>(DIR);
            }
            #[test]
            fn generators() {
                check_generators::<C>(DIR);
            }
            #[test]
            fn h2s() {
                check_h2s::<C>(DIR);
            }
            #[test]
            fn map_message_to_scalar_as_hash() {
                check_map_to_scalar::<C>(DIR);
            }
            #[test]
            fn mocked_rng() {
                check_mocked_rng::<C>(DIR);
            }
            suite_tests!(@signatures DIR, signature001, signature002, signature003, signature004,
                signature005, signature006, signature007, signature008, signature009, signature010);
            suite_tests!(@proofs DIR, proof001, proof002, proof003, proof004, proof005, proof006,
                proof007, proof008, proof009, proof010, proof011, proof012, proof013, proof014,
                proof015);

            /// Every fixture file in the suite's folders has a test above.
            #[test]
            fn every_fixture_file_is_tested() {
                for (sub, expected) in [("signature", 10), ("proof", 15)] {
                    let n = std::fs::read_dir(data_dir().join(DIR).join(sub)).unwrap().count();
                    assert_eq!(n, expected, "{DIR}/{sub}: fixture count changed");
                }
            }
        }
    };
    (@signatures $dir:ident, $($name:ident),*) => {
        $(#[test] fn $name() { check_signature::<C>($dir, concat!(stringify!($name), ".json")); })*
    };
    (@proofs $dir:ident, $($name:ident),*) => {
        $(#[test] fn $name() { check_proof::<C>($dir, concat!(stringify!($name), ".json")); })*
    };
}

suite_tests!(sha256, Bls12381Sha256, "bls12-381-sha-256");
suite_tests!(shake256, Bls12381Shake256, "bls12-381-shake-256");
