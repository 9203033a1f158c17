//! Issue 10, items 2 and 5 (wallet-core): encoded values are bounded before they are decoded
//! (base58 decoding is quadratic), proofs are checked against their validity period at a time
//! the caller gives, and the holder's intermediate data does not print undisclosed claims.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use wallet_core::bbs::SecretKey;
use wallet_core::di::bbs_2023::{self, disclosure_data, steps};
use wallet_core::di::eddsa_rdfc_2022::{
    self, Expectations, MAX_PROOF_VALUE_LEN, ProofOptions, configure, hash_data, transform,
};
use wallet_core::di::{
    DateTime, KeyResolver, MAX_CLOCK_SKEW_SECONDS, MAX_MULTIKEY_LEN, Multikey, ProofError,
    ProofPurpose, StaticResolver, sign_presentation, verify_derived, verify_derived_at,
    verify_presentation, verify_presentation_at,
};

const SECRET: &str = "Secret-Claim-Value-7c1e";

fn at(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

fn ed_key() -> (SigningKey, String) {
    let key = SigningKey::from_bytes(&[4u8; 32]);
    let mk = Multikey::encode_ed25519_public(&key.verifying_key().to_bytes());
    (key, format!("did:key:{mk}#{mk}"))
}

fn credential(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"ageOver18": true, "name": SECRET}
    })
}

fn assertion() -> Expectations {
    Expectations {
        proof_purpose: ProofPurpose::AssertionMethod,
        challenge: None,
        domain: None,
    }
}

/// An eddsa-rdfc-2022 credential signed with the given proof options, built with the public
/// steps so that members `ProofOptions` has no field for (`expires`) can be signed.
fn eddsa_signed(created: &str, expires: Option<&str>) -> Value {
    let (key, vm) = ed_key();
    let doc = credential(vm.split('#').next().unwrap());
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": vm,
        "proofPurpose": "assertionMethod",
    });
    if let Some(e) = expires {
        proof["expires"] = e.into();
    }
    let hash = hash_data(&configure(&doc, &proof).unwrap(), &transform(&doc).unwrap());
    let signature = key.sign(&hash).to_bytes();
    proof["proofValue"] = format!("z{}", bs58::encode(signature).into_string()).into();
    let mut signed = doc;
    signed["proof"] = proof;
    signed
}

fn bbs_signed(created: &str) -> (Value, StaticResolver) {
    let sk = SecretKey::from_bytes(&[8u8; 32]).unwrap();
    let mk = Multikey::encode_bls12_381_g2_public(sk.public_key());
    let options = ProofOptions {
        verification_method: format!("did:key:{mk}#{mk}"),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some(created.parse().unwrap()),
        challenge: None,
        domain: None,
    };
    let signed = bbs_2023::issue(
        &credential(&format!("did:key:{mk}")),
        &sk,
        &["/issuer".into()],
        &options,
    )
    .unwrap();
    (signed, StaticResolver::new())
}

// ---- item 2: bounded decoding --------------------------------------------------------------

/// A 100 k-character eddsa `proofValue` (3.9 s of base58 decoding before the bound).
#[test]
fn a_100k_character_eddsa_proof_value_is_refused_by_its_length() {
    let mut signed = eddsa_signed("2026-01-01T00:00:00Z", None);
    let keys = StaticResolver::new();
    eddsa_rdfc_2022::verify_proof(&signed, &keys, &assertion()).unwrap();
    signed["proof"]["proofValue"] = format!("z{}", "2".repeat(99_999)).into();
    let r = eddsa_rdfc_2022::verify_proof(&signed, &keys, &assertion());
    assert!(
        matches!(
            r,
            Err(ProofError::TooLong {
                what: "proofValue",
                length: 100_000,
                limit: MAX_PROOF_VALUE_LEN
            })
        ),
        "{r:?}"
    );
    // Every signature fits: the longest base58 form of 64 bytes.
    let longest = format!("z{}", bs58::encode([0xff; 64]).into_string());
    assert!(longest.len() <= MAX_PROOF_VALUE_LEN);
    signed["proof"]["proofValue"] = longest.into();
    let r = eddsa_rdfc_2022::verify_proof(&signed, &keys, &assertion());
    assert!(matches!(r, Err(ProofError::InvalidSignature)), "{r:?}");
}

/// A 200 k-character `did:key` verification method (14.7 s before the bound), resolved alone
/// and as the method of an eddsa and a bbs-2023 proof.
#[test]
fn a_200k_character_did_key_is_refused_by_its_length() {
    let mk = format!("z6Mk{}", "1".repeat(200_000 - 4));
    let vm = format!("did:key:{mk}#{mk}");
    fn too_long<T>(r: &Result<T, ProofError>) -> bool {
        matches!(
            r,
            Err(ProofError::TooLong {
                what: "Multikey",
                length: 200_000,
                limit: MAX_MULTIKEY_LEN
            })
        )
    }
    let keys = StaticResolver::new();
    let r = keys.resolve(&vm, ProofPurpose::AssertionMethod);
    assert!(too_long(&r), "{r:?}");

    let mut signed = eddsa_signed("2026-01-01T00:00:00Z", None);
    signed["proof"]["verificationMethod"] = vm.clone().into();
    let r = eddsa_rdfc_2022::verify_proof(&signed, &keys, &assertion());
    assert!(too_long(&r), "{r:?}");

    let (signed, keys) = bbs_signed("2026-01-01T00:00:00Z");
    let mut shown =
        bbs_2023::derive(&signed, &["/credentialSubject/ageOver18".into()], b"n").unwrap();
    shown["proof"]["verificationMethod"] = vm.into();
    let r = verify_derived(&shown, &keys);
    assert!(too_long(&r), "{r:?}");
}

// ---- item 5a: validity period ----------------------------------------------------------------

#[test]
fn eddsa_expires_is_checked_at_the_given_time() {
    let signed = eddsa_signed("2026-11-25T12:00:00Z", Some("2026-12-25T12:00:00Z"));
    let keys = StaticResolver::new();
    let verify =
        |now: &str| eddsa_rdfc_2022::verify_proof_at(&signed, &keys, &assertion(), &at(now));
    verify("2026-12-25T11:59:59Z").unwrap();
    verify("2026-12-25T11:59:59.999Z").unwrap();
    for now in [
        "2026-12-25T12:00:00Z",
        "2026-12-25T12:00:01Z",
        "2030-01-01T00:00:00Z",
    ] {
        let r = verify(now);
        assert!(
            matches!(r, Err(ProofError::Expired { expires, now: n })
                if expires == at("2026-12-25T12:00:00Z") && n == at(now)),
            "{now}: {r:?}"
        );
    }
    // A signed `expires` cannot be moved: it is part of the proof configuration.
    let mut later = signed.clone();
    later["proof"]["expires"] = "2099-01-01T00:00:00Z".into();
    let r =
        eddsa_rdfc_2022::verify_proof_at(&later, &keys, &assertion(), &at("2030-01-01T00:00:00Z"));
    assert!(matches!(r, Err(ProofError::InvalidSignature)), "{r:?}");
    // Not a dateTimeStamp.
    let mut bad = signed.clone();
    bad["proof"]["expires"] = "next year".into();
    let r =
        eddsa_rdfc_2022::verify_proof_at(&bad, &keys, &assertion(), &at("2026-12-01T00:00:00Z"));
    assert!(matches!(r, Err(ProofError::Malformed(_))), "{r:?}");
}

#[test]
fn eddsa_created_in_the_future_is_refused_beyond_the_skew() {
    let signed = eddsa_signed("2026-11-25T12:00:00Z", None);
    let keys = StaticResolver::new();
    let verify =
        |now: DateTime| eddsa_rdfc_2022::verify_proof_at(&signed, &keys, &assertion(), &now);
    let created = at("2026-11-25T12:00:00Z");
    verify(created).unwrap();
    verify(created.saturating_add_seconds(-MAX_CLOCK_SKEW_SECONDS)).unwrap();
    let early = created.saturating_add_seconds(-MAX_CLOCK_SKEW_SECONDS - 1);
    let r = verify(early);
    assert!(
        matches!(r, Err(ProofError::NotYetValid { created: c, now }) if c == created && now == early),
        "{r:?}"
    );
}

#[test]
fn the_simple_api_uses_the_system_clock() {
    let keys = StaticResolver::new();
    let expired = eddsa_signed("2020-01-01T00:00:00Z", Some("2021-01-01T00:00:00Z"));
    let r = eddsa_rdfc_2022::verify_proof(&expired, &keys, &assertion());
    assert!(matches!(r, Err(ProofError::Expired { .. })), "{r:?}");
    let future = eddsa_signed("2999-01-01T00:00:00Z", None);
    let r = eddsa_rdfc_2022::verify_proof(&future, &keys, &assertion());
    assert!(matches!(r, Err(ProofError::NotYetValid { .. })), "{r:?}");
}

#[test]
fn presentations_are_checked_at_the_given_time() {
    let (key, vm) = ed_key();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": vm.split('#').next().unwrap(),
    });
    let signed = sign_presentation(
        &vp,
        &key,
        &vm,
        "2999-01-01T00:00:00Z".parse().unwrap(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from("n-1"),
            domain: String::from("v.example"),
        },
    )
    .unwrap();
    let keys = StaticResolver::new();
    let r = verify_presentation(
        &signed,
        &keys,
        &wallet_core::di::PresentationBinding {
            challenge: String::from("n-1"),
            domain: String::from("v.example"),
        },
    );
    assert!(matches!(r, Err(ProofError::NotYetValid { .. })), "{r:?}");
    let then = at("2999-01-01T00:00:00Z");
    assert_eq!(
        verify_presentation_at(
            &signed,
            &keys,
            &wallet_core::di::PresentationBinding {
                challenge: String::from("n-1"),
                domain: String::from("v.example")
            },
            &then
        )
        .unwrap(),
        vm
    );
    let r = verify_presentation_at(
        &signed,
        &keys,
        &wallet_core::di::PresentationBinding {
            challenge: String::from("n-1"),
            domain: String::from("v.example"),
        },
        &then.saturating_add_seconds(-MAX_CLOCK_SKEW_SECONDS - 1),
    );
    assert!(matches!(r, Err(ProofError::NotYetValid { .. })), "{r:?}");
}

#[test]
fn bbs_derived_created_in_the_future_is_refused_beyond_the_skew() {
    let (signed, keys) = bbs_signed("2999-01-01T00:00:00Z");
    let shown = bbs_2023::derive(&signed, &["/credentialSubject/ageOver18".into()], b"n").unwrap();
    let r = verify_derived(&shown, &keys);
    assert!(matches!(r, Err(ProofError::NotYetValid { .. })), "{r:?}");
    let created = at("2999-01-01T00:00:00Z");
    let ok = created.saturating_add_seconds(-MAX_CLOCK_SKEW_SECONDS);
    assert!(
        verify_derived_at(&shown, &keys, &ok)
            .unwrap()
            .signed_by_issuer()
    );
    let early = ok.saturating_add_seconds(-1);
    let r = verify_derived_at(&shown, &keys, &early);
    assert!(
        matches!(r, Err(ProofError::NotYetValid { created: c, now }) if c == created && now == early),
        "{r:?}"
    );
}

// ---- item 5b: Debug output -------------------------------------------------------------------

/// The holder's disclosure data and prepared document hold every signed quad; their `Debug`
/// must not print an undisclosed claim.
#[test]
fn debug_of_holder_data_leaves_out_undisclosed_claims() {
    let (signed, _) = bbs_signed("2026-01-01T00:00:00Z");
    let data = disclosure_data(&signed, &["/credentialSubject/ageOver18".into()]).unwrap();
    assert!(
        data.messages.iter().any(|m| m.contains(SECRET)),
        "the claim is signed"
    );
    let shown = format!("{data:?} {data:#?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("messages_len"), "{shown}");

    let unsecured = credential("did:example:issuer");
    let prepared = steps::prepare(&unsecured, &[1u8; 32]).unwrap();
    assert!(prepared.quads.iter().any(|q| q.contains(SECRET)));
    let shown = format!("{prepared:?} {prepared:#?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("quads_len"), "{shown}");
}
