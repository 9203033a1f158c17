//! `eddsa-rdfc-2022` against the W3C vc-di-eddsa test vectors (tests/data/di/eddsa-rdfc-2022,
//! see SOURCE.md): every step file reproduced byte for byte — Ed25519 is deterministic — plus
//! verification, tampering and presentation checks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use serde_json::Value;
use wallet_core::di::eddsa_rdfc_2022::{
    Expectations, ProofOptions, configure, create_proof, hash_data, sign_presentation, transform,
    verify_presentation, verify_proof,
};
use wallet_core::di::{Multikey, ProofError, PublicKeyMaterial, StaticResolver};

fn path(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/di/eddsa-rdfc-2022")
        .join(p)
}

fn json(p: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path(p)).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap()
}

fn text(p: &str) -> String {
    std::fs::read_to_string(path(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn key() -> SigningKey {
    let kp = json("keyPair.json");
    let Multikey::Ed25519Secret(seed) =
        Multikey::decode(kp["privateKeyMultibase"].as_str().unwrap()).unwrap()
    else {
        panic!("keyPair.json: not an Ed25519 secret key");
    };
    let sk = SigningKey::from_bytes(&seed);
    assert_eq!(
        Multikey::encode_ed25519_public(&sk.verifying_key().to_bytes()),
        kp["publicKeyMultibase"].as_str().unwrap(),
        "keyPair.json: public key"
    );
    sk
}

fn options(config: &Value) -> ProofOptions {
    ProofOptions {
        verification_method: config["verificationMethod"].as_str().unwrap().to_owned(),
        proof_purpose: config["proofPurpose"].as_str().unwrap().to_owned(),
        created: config["created"].as_str().map(str::to_owned),
        challenge: None,
        domain: None,
    }
}

fn assertion() -> Expectations {
    Expectations {
        proof_purpose: "assertionMethod".into(),
        challenge: None,
        domain: None,
    }
}

/// Runs every step of one example; `dir` is "" or "employ/".
fn example(unsigned: &str, dir: &str) {
    let doc = json(unsigned);
    let config = json(&format!("{dir}proofConfigDataInt.json"));
    let canon_doc = transform(&doc).unwrap();
    assert_eq!(
        canon_doc,
        text(&format!("{dir}canonDocDataInt.txt")),
        "{dir}canonDocDataInt.txt"
    );
    let mut proof_options = config.clone();
    proof_options.as_object_mut().unwrap().remove("@context");
    let canon_config = configure(&doc, &proof_options).unwrap();
    assert_eq!(
        canon_config,
        text(&format!("{dir}proofCanonDataInt.txt")),
        "{dir}proofCanonDataInt.txt"
    );
    let hash = hash_data(&canon_config, &canon_doc);
    assert_eq!(
        hex::encode(&hash[32..]),
        text(&format!("{dir}docHashDataInt.txt")).trim(),
        "{dir}docHashDataInt.txt"
    );
    assert_eq!(
        hex::encode(&hash[..32]),
        text(&format!("{dir}proofHashDataInt.txt")).trim(),
        "{dir}proofHashDataInt.txt"
    );
    assert_eq!(
        hex::encode(hash),
        text(&format!("{dir}combinedHashDataInt.txt")).trim(),
        "{dir}combinedHashDataInt.txt"
    );

    let signed = create_proof(&doc, &key(), &options(&config)).unwrap();
    let proof_value = signed["proof"]["proofValue"].as_str().unwrap();
    let sig = bs58::decode(&proof_value[1..]).into_vec().unwrap();
    assert_eq!(
        hex::encode(&sig),
        text(&format!("{dir}sigHexDataInt.txt")).trim(),
        "{dir}sigHexDataInt.txt"
    );
    assert_eq!(
        proof_value,
        text(&format!("{dir}sigBTC58DataInt.txt")).trim(),
        "{dir}sigBTC58DataInt.txt"
    );
    assert_eq!(
        signed,
        json(&format!("{dir}signedDataInt.json")),
        "{dir}signedDataInt.json"
    );

    // The published signed document verifies, through did:key resolution.
    let vm = verify_proof(
        &json(&format!("{dir}signedDataInt.json")),
        &StaticResolver::new(),
        &assertion(),
    )
    .unwrap();
    assert_eq!(vm, config["verificationMethod"].as_str().unwrap());
}

#[test]
fn alumni_credential_all_steps() {
    example("unsigned.json", "");
}

/// The employment-authorization example: two types with scoped contexts, which needs the
/// vendored oxjsonld fix (vendor/README.md).
#[test]
fn employment_authorization_all_steps() {
    example("employmentAuth.json", "employ/");
}

#[test]
fn every_single_character_change_of_the_proof_value_fails() {
    let signed = json("signedDataInt.json");
    let pv = signed["proof"]["proofValue"].as_str().unwrap().to_owned();
    let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    for i in 1..pv.len() {
        let mut chars: Vec<char> = pv.chars().collect();
        chars[i] = alphabet.chars().find(|&c| c != chars[i]).unwrap();
        let mut tampered = signed.clone();
        tampered["proof"]["proofValue"] = Value::String(chars.into_iter().collect());
        let r = verify_proof(&tampered, &StaticResolver::new(), &assertion());
        assert!(r.is_err(), "position {i} accepted");
    }
}

#[test]
fn changed_document_or_proof_options_fail() {
    let signed = json("signedDataInt.json");
    let resolver = StaticResolver::new();
    for (pointer, value) in [
        ("/credentialSubject/alumniOf", "Another School"),
        ("/issuer", "https://vc.example/issuers/0000"),
        ("/validFrom", "2024-01-01T00:00:00Z"),
        ("/proof/created", "2023-02-24T23:36:39Z"),
    ] {
        let mut t = signed.clone();
        *t.pointer_mut(pointer).unwrap() = Value::String(value.into());
        assert!(
            matches!(
                verify_proof(&t, &resolver, &assertion()),
                Err(ProofError::InvalidSignature)
            ),
            "{pointer}"
        );
    }
    // Another key under the same verification method id.
    let other = SigningKey::from_bytes(&[7u8; 32]);
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    let pinned = StaticResolver::new().with(
        vm,
        PublicKeyMaterial::Ed25519(other.verifying_key().to_bytes()),
    );
    assert!(matches!(
        verify_proof(&signed, &pinned, &assertion()),
        Err(ProofError::InvalidSignature)
    ));
    // Wrong purpose, missing proof, unsupported suite.
    let mut e = assertion();
    e.proof_purpose = "authentication".into();
    assert!(matches!(
        verify_proof(&signed, &resolver, &e),
        Err(ProofError::ContextMismatch {
            what: "proofPurpose"
        })
    ));
    assert!(matches!(
        verify_proof(&json("unsigned.json"), &resolver, &assertion()),
        Err(ProofError::Malformed(_))
    ));
    let mut t = signed.clone();
    t["proof"]["cryptosuite"] = "ecdsa-rdfc-2019".into();
    assert!(matches!(
        verify_proof(&t, &resolver, &assertion()),
        Err(ProofError::Unsupported { .. })
    ));
    let mut t = signed.clone();
    t["proof"]["proofValue"] = "u-not-base58".into();
    assert!(matches!(
        verify_proof(&t, &resolver, &assertion()),
        Err(ProofError::ProofValue(_))
    ));
}

#[test]
fn presentations_are_bound_to_challenge_and_domain() {
    let sk = key();
    let did = format!(
        "did:key:{0}#{0}",
        Multikey::encode_ed25519_public(&sk.verifying_key().to_bytes())
    );
    let vp = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did.split('#').next().unwrap(),
    });
    let signed = sign_presentation(
        &vp,
        &sk,
        &did,
        "2026-11-25T12:00:00Z",
        "nonce-123",
        "lender.example",
    )
    .unwrap();
    let resolver = StaticResolver::new();
    assert_eq!(
        verify_presentation(&signed, &resolver, "nonce-123", "lender.example").unwrap(),
        did
    );
    assert!(matches!(
        verify_presentation(&signed, &resolver, "nonce-124", "lender.example"),
        Err(ProofError::ContextMismatch { what: "challenge" })
    ));
    assert!(matches!(
        verify_presentation(&signed, &resolver, "nonce-123", "evil.example"),
        Err(ProofError::ContextMismatch { what: "domain" })
    ));
    // Editing the challenge in the proof to match breaks the signature.
    let mut t = signed.clone();
    t["proof"]["challenge"] = "nonce-124".into();
    assert!(matches!(
        verify_presentation(&t, &resolver, "nonce-124", "lender.example"),
        Err(ProofError::InvalidSignature)
    ));
    // Bad created timestamps are refused when signing.
    assert!(matches!(
        sign_presentation(&vp, &sk, &did, "yesterday", "n", "d"),
        Err(ProofError::Malformed(_))
    ));
}
