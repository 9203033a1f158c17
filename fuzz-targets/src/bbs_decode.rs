//! `bbs_decode`: the fuzz input decoded as a BBS `PublicKey`, `Signature` and `Proof` of both
//! ciphersuites (draft-irtf-cfrg-bbs-signatures § 4.2.4: octets_to_pubkey, octets_to_signature,
//! octets_to_proof), and every value that decodes is verified against the draft's fixtures.
//!
//! Invariants: decoding never panics; a decoded value encodes back to exactly the input bytes
//! (the encodings are canonical); nothing but a signature or proof from the fixture files
//! verifies for the fixture's key and messages, and the fixture's signature verifies under no
//! other key.

use std::sync::OnceLock;

use wallet_core::bbs::{
    Bls12381Sha256, Bls12381Shake256, Ciphersuite, Proof, PublicKey, Signature,
};

use crate::fixtures::{hex_field, hex_list, json};

/// One ciphersuite's fixtures: key, header, messages, a valid signature and a valid proof.
struct Suite {
    pk: PublicKey,
    header: Vec<u8>,
    messages: Vec<Vec<u8>>,
    signature: Vec<u8>,
    proof: Vec<u8>,
    proof_header: Vec<u8>,
    presentation_header: Vec<u8>,
    /// (index, message) pairs the fixture proof discloses.
    disclosed: Vec<(usize, Vec<u8>)>,
    /// Every signature and proof in the suite's fixture files: the only ones that may verify
    /// (several fixtures are valid for overlapping statements).
    known: Vec<Vec<u8>>,
}

/// The `signature` and `proof` values of every fixture file of a suite.
fn known_values(suite: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../wallet-core/tests/data/bbs")
        .join(suite);
    let mut out = Vec::new();
    for (sub, key) in [("signature", "signature"), ("proof", "proof")] {
        let entries = std::fs::read_dir(dir.join(sub))
            .unwrap_or_else(|e| panic!("fixtures {}: {e}", dir.display()));
        for entry in entries.filter_map(Result::ok) {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            out.push(hex_field(&json(&text), key));
        }
    }
    out
}

fn suite(name: &str, keypair: &str, signature: &str, proof: &str) -> Suite {
    let kp = json(keypair);
    let pk = PublicKey::from_bytes(&hex_field(&kp["keyPair"], "publicKey"))
        .unwrap_or_else(|e| panic!("fixture key: {e}"));
    let sig = json(signature);
    let prf = json(proof);
    let indexes = prf["disclosedIndexes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let messages = hex_list(&prf["messages"]);
    let disclosed = indexes
        .iter()
        .filter_map(|i| i.as_u64().and_then(|i| usize::try_from(i).ok()))
        .map(|i| (i, messages[i].clone()))
        .collect();
    Suite {
        pk,
        header: hex_field(&sig, "header"),
        messages: hex_list(&sig["messages"]),
        signature: hex_field(&sig, "signature"),
        proof: hex_field(&prf, "proof"),
        proof_header: hex_field(&prf, "header"),
        presentation_header: hex_field(&prf, "presentationHeader"),
        disclosed,
        known: known_values(name),
    }
}

fn sha256_suite() -> &'static Suite {
    static S: OnceLock<Suite> = OnceLock::new();
    S.get_or_init(|| {
        suite(
            "bls12-381-sha-256",
            include_str!("../../wallet-core/tests/data/bbs/bls12-381-sha-256/keypair.json"),
            include_str!(
                "../../wallet-core/tests/data/bbs/bls12-381-sha-256/signature/signature004.json"
            ),
            include_str!("../../wallet-core/tests/data/bbs/bls12-381-sha-256/proof/proof003.json"),
        )
    })
}

fn shake256_suite() -> &'static Suite {
    static S: OnceLock<Suite> = OnceLock::new();
    S.get_or_init(|| {
        suite(
            "bls12-381-shake-256",
            include_str!("../../wallet-core/tests/data/bbs/bls12-381-shake-256/keypair.json"),
            include_str!(
                "../../wallet-core/tests/data/bbs/bls12-381-shake-256/signature/signature004.json"
            ),
            include_str!(
                "../../wallet-core/tests/data/bbs/bls12-381-shake-256/proof/proof003.json"
            ),
        )
    })
}

/// The target.
pub fn bbs_decode(data: &[u8]) {
    check::<Bls12381Sha256>(sha256_suite(), data);
    check::<Bls12381Shake256>(shake256_suite(), data);
}

fn check<C: Ciphersuite>(s: &Suite, data: &[u8]) {
    if let Ok(pk) = PublicKey::from_bytes(data) {
        assert_eq!(
            pk.to_bytes().as_slice(),
            data,
            "public key does not round-trip"
        );
        if let Ok(sig) = Signature::<C>::from_bytes(&s.signature) {
            let ok = pk.verify(&sig, &s.header, &s.messages).is_ok();
            assert_eq!(ok, pk == s.pk, "signature verified under another key");
        }
    }
    if let Ok(sig) = Signature::<C>::from_bytes(data) {
        assert_eq!(
            sig.to_bytes().as_slice(),
            data,
            "signature does not round-trip"
        );
        let ok = s.pk.verify(&sig, &s.header, &s.messages).is_ok();
        assert!(
            !ok || s.known.iter().any(|k| k == data),
            "an unknown signature verified"
        );
    }
    if let Ok(proof) = Proof::<C>::from_bytes(data) {
        assert_eq!(proof.to_bytes(), data, "proof does not round-trip");
        // The fixture's disclosed messages when the hidden count fits them, otherwise only the
        // first message disclosed (still a well-formed statement, never a valid one).
        let disclosed: Vec<(usize, &[u8])> = if data.len() == s.proof.len() {
            s.disclosed
                .iter()
                .map(|(i, m)| (*i, m.as_slice()))
                .collect()
        } else {
            vec![(0, s.messages[0].as_slice())]
        };
        let ok = proof
            .verify(&s.pk, &s.proof_header, &s.presentation_header, &disclosed)
            .is_ok();
        assert!(
            !ok || s.known.iter().any(|k| k == data),
            "an unknown proof verified"
        );
    }
}
