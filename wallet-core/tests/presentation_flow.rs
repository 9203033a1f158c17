//! A holder's presentation that carries a selectively disclosed credential: the bbs-2023 derived
//! credential inside an eddsa-rdfc-2022 `VerifiablePresentation` bound to the verifier's
//! challenge and domain. The presentation proof covers the embedded credential *with* its proof
//! (a named graph in RDF), so nothing inside can be swapped without breaking it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use wallet_core::bbs::{Bls12381Sha256, SecretKey};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{
    Multikey, ProofError, StaticResolver, derive, issue_bbs, sign_presentation, verify_derived,
    verify_presentation,
};

struct Setup {
    presentation: Value,
    holder_did: String,
}

fn setup() -> Setup {
    let issuer_key = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let issuer_mk = Multikey::encode_bls12_381_g2_public(issuer_key.public_key());
    let issuer = format!("did:key:{issuer_mk}");
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": issuer,
        "validFrom": "2026-11-25T00:00:00Z",
        "credentialSubject": {"name": "Ada Lovelace", "ageOver18": true, "incomeBand": "B"}
    });
    let signed = issue_bbs(
        &credential,
        &issuer_key,
        &["/issuer".into(), "/validFrom".into()],
        &ProofOptions {
            verification_method: format!("{issuer}#{issuer_mk}"),
            proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
            created: Some("2026-11-25T10:00:00Z".parse().unwrap()),
            challenge: None,
            domain: None,
        },
    )
    .unwrap();
    let shown = derive(
        &signed,
        &[
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
        ],
        b"nonce-123",
    )
    .unwrap();
    let holder = SigningKey::from_bytes(&[5u8; 32]);
    let holder_mk = Multikey::encode_ed25519_public(&holder.verifying_key().to_bytes());
    let holder_did = format!("did:key:{holder_mk}");
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [shown],
    });
    let presentation = sign_presentation(
        &vp,
        &holder,
        &format!("{holder_did}#{holder_mk}"),
        "2026-11-25T12:00:00Z".parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("nonce-123"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    Setup {
        presentation,
        holder_did,
    }
}

#[test]
fn presentation_with_a_derived_credential_verifies_both_ways() {
    let s = setup();
    let keys = StaticResolver::new();
    let vm = verify_presentation(
        &s.presentation,
        &keys,
        &wallet_core::di::PresentationBinding {
            challenge: String::from("nonce-123"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    assert!(vm.starts_with(&s.holder_did));
    let credential = &s.presentation["verifiableCredential"][0];
    let verified = verify_derived(credential, &keys).unwrap();
    assert!(verified.signed_by_issuer());
    assert_eq!(verified.presentation_header, b"nonce-123");
    assert!(!s.presentation.to_string().contains("Ada Lovelace"));
}

#[test]
fn changing_the_embedded_credential_breaks_the_presentation_proof() {
    let s = setup();
    let keys = StaticResolver::new();
    for (pointer, value) in [
        (
            "/verifiableCredential/0/credentialSubject/incomeBand",
            json!("A"),
        ),
        (
            "/verifiableCredential/0/credentialSubject/ageOver18",
            json!(false),
        ),
        (
            "/verifiableCredential/0/validFrom",
            json!("2020-01-01T00:00:00Z"),
        ),
        // The embedded credential's own proof is part of what the holder signed.
        (
            "/verifiableCredential/0/proof/created",
            json!("2026-11-25T10:00:01Z"),
        ),
    ] {
        let mut t = s.presentation.clone();
        *t.pointer_mut(pointer).unwrap() = value;
        assert!(
            matches!(
                verify_presentation(
                    &t,
                    &keys,
                    &wallet_core::di::PresentationBinding {
                        challenge: String::from("nonce-123"),
                        domain: String::from("lender.example")
                    }
                ),
                Err(ProofError::InvalidSignature)
            ),
            "{pointer}"
        );
    }
    // Replaying it to another verifier or with another challenge fails on the binding.
    assert!(matches!(
        verify_presentation(
            &s.presentation,
            &keys,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-124"),
                domain: String::from("lender.example")
            }
        ),
        Err(ProofError::ContextMismatch { what: "challenge" })
    ));
    assert!(matches!(
        verify_presentation(
            &s.presentation,
            &keys,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("nonce-123"),
                domain: String::from("other.example")
            }
        ),
        Err(ProofError::ContextMismatch { what: "domain" })
    ));
}
