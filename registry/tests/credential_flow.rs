//! Across crates: an issuer anchors its BBS key on the chain, issues a `bbs-2023` credential, the
//! holder derives a selective disclosure, and the verifier checks it with the key resolved from the
//! chain — then the key is revoked and the credential's status bit set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;

use registry::chain::DevChain;
use registry::contracts::Deployment;
use registry::identity::{PublishedKey, Registry, StatusPurpose};
use registry::resolver::EthrKeyResolver;
use serde_json::json;
use wallet_core::bbs::{Bls12381Sha256, SecretKey};
use wallet_core::di::bbs_2023::{derive, issue, verify_base_proof, verify_derived};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{KeyResolver, ProofError, ProofPurpose};

#[test]
fn issue_derive_verify_with_chain_keys_then_revoke() {
    let chain = Arc::new(DevChain::in_memory());
    let dep = Deployment::dev_default(&chain).unwrap();
    let reg = Registry::new(chain.clone(), dep);
    let bank = common::account("bank-kyc-desk");
    common::fund(&chain, &[&bank]);
    let issuer_did = format!("did:ethr:0x539:0x{}", hex::encode(bank.address()));
    let bbs_key = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let published = PublishedKey::Bls12381G2(bbs_key.public_key().to_bytes());
    let issued_at = reg
        .publish_key(&bank, bank.address(), &published, common::DAY)
        .unwrap()
        .block_number;
    let vm = format!("{issuer_did}#delegate-1");

    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": issuer_did,
        "validFrom": "2026-11-25T00:00:00Z",
        "credentialStatus": {"id": "urn:siegel:status:7", "type": "SiegelStatusBit", "statusIndex": "7"},
        "credentialSubject": {
            "name": "Ada Lovelace", "birthDate": "1990-12-10", "idNumber": "X1234567",
            "ageOver18": true, "incomeBand": "B"
        }
    });
    let options = ProofOptions {
        verification_method: vm.clone(),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some("2026-11-25T10:00:00Z".parse().unwrap()),
        challenge: None,
        domain: None,
    };
    let signed = issue(
        &credential,
        &bbs_key,
        &["/issuer".into(), "/validFrom".into()],
        &options,
    )
    .unwrap();
    // The holder checks the credential against the issuer's key on the chain before storing it.
    let keys = EthrKeyResolver::new(chain.clone(), dep.did_registry, None);
    assert_eq!(verify_base_proof(&signed, &keys).unwrap(), vm);
    let shown = derive(
        &signed,
        &[
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
        ],
        b"lender nonce 42",
    )
    .unwrap();
    // Only what the lender needs is in the presentation.
    let subject = shown["credentialSubject"].as_object().unwrap();
    assert_eq!(subject.len(), 2, "{subject:?}");
    assert!(
        !shown.to_string().contains("Ada Lovelace") && !shown.to_string().contains("1990-12-10")
    );

    let now = EthrKeyResolver::new(chain.clone(), dep.did_registry, None);
    let verified = verify_derived(&shown, &now).unwrap();
    assert_eq!(verified.verification_method, vm);
    assert!(verified.signed_by_issuer(), "{verified:?}");
    assert_eq!(verified.presentation_header, b"lender nonce 42");
    assert!(
        !reg.status(bank.address(), StatusPurpose::Revocation, 7)
            .unwrap()
    );

    // Key rotation: the old key is revoked on chain; verification "now" fails, "as of issuance"
    // still finds the key.
    let revoked_at = reg
        .revoke_key(&bank, bank.address(), &published)
        .unwrap()
        .block_number;
    assert!(revoked_at > issued_at);
    assert!(matches!(
        verify_derived(&shown, &now),
        Err(ProofError::VerificationMethod { .. })
    ));
    let then = EthrKeyResolver::new(chain.clone(), dep.did_registry, Some(issued_at));
    assert!(verify_derived(&shown, &then).is_ok());
    assert!(matches!(
        now.resolve(
            &format!("{issuer_did}#delegate-9"),
            ProofPurpose::AssertionMethod
        ),
        Err(ProofError::VerificationMethod { .. })
    ));

    // Revocation of the credential itself is a status bit the issuer sets, once it has named its
    // owner (the status registry refuses an empty ERC-1056 owner entry: it may be a deactivation).
    reg.change_owner(&bank, bank.address(), bank.address())
        .unwrap();
    reg.set_status(&bank, bank.address(), StatusPurpose::Revocation, 7, true)
        .unwrap();
    assert!(
        reg.status(bank.address(), StatusPurpose::Revocation, 7)
            .unwrap()
    );
}

/// A key is only good for the purposes its DID document lists it under: a `veriKey` signs
/// credentials (assertionMethod) but cannot log in (authentication); a `sigAuth` key can do both.
#[test]
fn keys_are_authorised_per_proof_purpose() {
    use ed25519_dalek::SigningKey;
    use wallet_core::di::{sign_presentation, verify_presentation};
    let chain = Arc::new(DevChain::in_memory());
    let dep = Deployment::dev_default(&chain).unwrap();
    let reg = Registry::new(chain.clone(), dep);
    let holder = common::account("holder-purposes");
    common::fund(&chain, &[&holder]);
    let did = format!("did:ethr:0x539:0x{}", hex::encode(holder.address()));
    let veri = SigningKey::from_bytes(&[3u8; 32]);
    let auth = SigningKey::from_bytes(&[4u8; 32]);
    reg.publish_key(
        &holder,
        holder.address(),
        &PublishedKey::Ed25519(veri.verifying_key().to_bytes()),
        common::DAY,
    )
    .unwrap();
    reg.set_attribute(
        &holder,
        holder.address(),
        "did/pub/Multikey/sigAuth",
        &PublishedKey::Ed25519(auth.verifying_key().to_bytes()).multikey_bytes(),
        common::DAY,
    )
    .unwrap();
    let doc = registry::resolver::Resolver::new(chain.clone(), dep.did_registry)
        .resolve_str(&did, None)
        .unwrap()
        .document;
    let find = |key: &SigningKey| {
        let mb = PublishedKey::Ed25519(key.verifying_key().to_bytes()).multibase();
        doc["verificationMethod"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["publicKeyMultibase"] == mb.as_str())
            .unwrap_or_else(|| panic!("{mb} not in {doc:#}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (veri_vm, auth_vm) = (find(&veri), find(&auth));
    let keys = EthrKeyResolver::new(chain.clone(), dep.did_registry, None);
    assert!(
        keys.resolve(&veri_vm, ProofPurpose::AssertionMethod)
            .is_ok()
    );
    assert!(matches!(
        keys.resolve(&veri_vm, ProofPurpose::Authentication),
        Err(ProofError::VerificationMethod { .. })
    ));
    assert!(keys.resolve(&auth_vm, ProofPurpose::Authentication).is_ok());
    assert!(
        keys.resolve(&auth_vm, ProofPurpose::AssertionMethod)
            .is_ok()
    );

    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
    });
    let created = "2026-11-25T12:00:00Z";
    let by_auth = sign_presentation(
        &vp,
        &auth,
        &auth_vm,
        created.parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("n-1"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    assert_eq!(
        verify_presentation(
            &by_auth,
            &keys,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("n-1"),
                domain: String::from("lender.example")
            }
        )
        .unwrap(),
        auth_vm
    );
    // Signed with the assertion-only key: a valid signature, but not an authentication key.
    let by_veri = sign_presentation(
        &vp,
        &veri,
        &veri_vm,
        created.parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("n-1"),
            domain: String::from("lender.example"),
        },
    )
    .unwrap();
    assert!(matches!(
        verify_presentation(
            &by_veri,
            &keys,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("n-1"),
                domain: String::from("lender.example")
            }
        ),
        Err(ProofError::VerificationMethod { .. })
    ));
}
