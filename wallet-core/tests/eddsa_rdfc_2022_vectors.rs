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
use wallet_core::di::{Multikey, ProofError, ProofPurpose, PublicKeyMaterial, StaticResolver};

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
        proof_purpose: config["proofPurpose"].as_str().unwrap().parse().unwrap(),
        created: config["created"].as_str().map(|c| c.parse().unwrap()),
        challenge: None,
        domain: None,
    }
}

fn assertion() -> Expectations {
    Expectations {
        proof_purpose: ProofPurpose::AssertionMethod,
        challenge: None,
        domain: None,
    }
}

/// One W3C example: its unsigned document and the folder of its step files.
struct Example {
    unsigned: &'static str,
    /// "" or "employ/".
    dir: &'static str,
}

/// The alumni credential (step files at the top level).
fn alumni() -> Example {
    Example {
        unsigned: "unsigned.json",
        dir: "",
    }
}

/// The employment-authorization document (`employ/`): its subject is typed
/// `["EmployablePerson", "Person"]`, two types with scoped contexts, which needs the vendored
/// oxjsonld fix (vendor/README.md).
fn employment_authorization() -> Example {
    Example {
        unsigned: "employmentAuth.json",
        dir: "employ/",
    }
}

impl Example {
    fn doc(&self) -> Value {
        json(self.unsigned)
    }

    fn config(&self) -> Value {
        json(&format!("{}proofConfigDataInt.json", self.dir))
    }

    fn expected(&self, name: &str) -> String {
        text(&format!("{}{name}", self.dir)).trim_end().to_owned()
    }

    fn canon_doc(&self) -> String {
        transform(&self.doc()).unwrap()
    }

    fn canon_config(&self) -> String {
        let mut proof_options = self.config();
        proof_options.as_object_mut().unwrap().remove("@context");
        configure(&self.doc(), &proof_options).unwrap()
    }

    fn hash(&self) -> Vec<u8> {
        hash_data(&self.canon_config(), &self.canon_doc()).to_vec()
    }

    fn signed(&self) -> Value {
        create_proof(&self.doc(), &key(), &options(&self.config())).unwrap()
    }
}

fn canon_doc_data_int(ex: &Example) {
    assert_eq!(
        ex.canon_doc().trim_end(),
        ex.expected("canonDocDataInt.txt")
    );
}

/// The proof configuration: our proof (without proofValue) is the file minus its `@context`,
/// which is the document's.
fn proof_config_data_int(ex: &Example) {
    let mut config = ex.config();
    let context = config.as_object_mut().unwrap().remove("@context").unwrap();
    assert_eq!(context, ex.doc()["@context"]);
    let mut proof = ex.signed()["proof"].clone();
    proof.as_object_mut().unwrap().remove("proofValue");
    assert_eq!(proof, config);
}

fn proof_canon_data_int(ex: &Example) {
    assert_eq!(
        ex.canon_config().trim_end(),
        ex.expected("proofCanonDataInt.txt")
    );
}

fn doc_hash_data_int(ex: &Example) {
    assert_eq!(
        hex::encode(&ex.hash()[32..]),
        ex.expected("docHashDataInt.txt")
    );
}

fn proof_hash_data_int(ex: &Example) {
    assert_eq!(
        hex::encode(&ex.hash()[..32]),
        ex.expected("proofHashDataInt.txt")
    );
}

fn combined_hash_data_int(ex: &Example) {
    assert_eq!(
        hex::encode(ex.hash()),
        ex.expected("combinedHashDataInt.txt")
    );
}

fn sig_hex_data_int(ex: &Example) {
    let signed = ex.signed();
    let proof_value = signed["proof"]["proofValue"].as_str().unwrap();
    let sig = bs58::decode(&proof_value[1..]).into_vec().unwrap();
    assert_eq!(hex::encode(&sig), ex.expected("sigHexDataInt.txt"));
}

fn sig_btc58_data_int(ex: &Example) {
    assert_eq!(
        ex.signed()["proof"]["proofValue"].as_str().unwrap(),
        ex.expected("sigBTC58DataInt.txt")
    );
}

fn signed_data_int(ex: &Example) {
    assert_eq!(ex.signed(), json(&format!("{}signedDataInt.json", ex.dir)));
}

/// The published signed document verifies, through did:key resolution.
fn signed_data_int_verifies(ex: &Example) {
    let vm = verify_proof(
        &json(&format!("{}signedDataInt.json", ex.dir)),
        &StaticResolver::new(),
        &assertion(),
    )
    .unwrap();
    assert_eq!(vm, ex.config()["verificationMethod"].as_str().unwrap());
}

/// One `#[test]` per step file, for each example.
macro_rules! example_tests {
    ($example:ident) => {
        mod $example {
            #[test]
            fn canon_doc_data_int() {
                super::canon_doc_data_int(&super::$example());
            }
            #[test]
            fn proof_config_data_int() {
                super::proof_config_data_int(&super::$example());
            }
            #[test]
            fn proof_canon_data_int() {
                super::proof_canon_data_int(&super::$example());
            }
            #[test]
            fn doc_hash_data_int() {
                super::doc_hash_data_int(&super::$example());
            }
            #[test]
            fn proof_hash_data_int() {
                super::proof_hash_data_int(&super::$example());
            }
            #[test]
            fn combined_hash_data_int() {
                super::combined_hash_data_int(&super::$example());
            }
            #[test]
            fn sig_hex_data_int() {
                super::sig_hex_data_int(&super::$example());
            }
            #[test]
            fn sig_btc58_data_int() {
                super::sig_btc58_data_int(&super::$example());
            }
            #[test]
            fn signed_data_int() {
                super::signed_data_int(&super::$example());
            }
            #[test]
            fn signed_data_int_verifies() {
                super::signed_data_int_verifies(&super::$example());
            }
        }
    };
}

example_tests!(alumni);
example_tests!(employment_authorization);

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
    e.proof_purpose = ProofPurpose::Authentication;
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
        "2026-11-25T12:00:00Z".parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("nonce-123"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    let resolver = StaticResolver::new();
    assert_eq!(
        verify_presentation(
            &signed,
            &resolver,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-123"),
                domain: String::from("lender.example")
            }
        )
        .unwrap(),
        did
    );
    assert!(matches!(
        verify_presentation(
            &signed,
            &resolver,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-124"),
                domain: String::from("lender.example")
            }
        ),
        Err(ProofError::ContextMismatch { what: "challenge" })
    ));
    assert!(matches!(
        verify_presentation(
            &signed,
            &resolver,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-123"),
                domain: String::from("evil.example")
            }
        ),
        Err(ProofError::ContextMismatch { what: "domain" })
    ));
    // Another DID's key cannot sign for this holder, even with a valid signature.
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let other_did = format!(
        "did:key:{0}#{0}",
        Multikey::encode_ed25519_public(&other.verifying_key().to_bytes())
    );
    let forged = sign_presentation(
        &vp,
        &other,
        &other_did,
        "2026-11-25T12:00:00Z".parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("nonce-123"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    assert!(matches!(
        verify_presentation(
            &forged,
            &resolver,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-123"),
                domain: String::from("lender.example")
            }
        ),
        Err(ProofError::ContextMismatch { what: "holder" })
    ));
    // Editing the challenge in the proof to match breaks the signature.
    let mut t = signed.clone();
    t["proof"]["challenge"] = "nonce-124".into();
    assert!(matches!(
        verify_presentation(
            &t,
            &resolver,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-124"),
                domain: String::from("lender.example")
            }
        ),
        Err(ProofError::InvalidSignature)
    ));
    // A bad created timestamp cannot even be expressed: `created` is a DateTime.
    assert!("yesterday".parse::<wallet_core::di::DateTime>().is_err());
}
