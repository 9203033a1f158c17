//! Red-team tests of the verifier policy (`verify_presentation`), the holder's receive check and
//! `PresentationRequest::parse`: presentations and requests built to make the verifier accept
//! what it must refuse, decide on what was not signed, or panic. Each attack asserts the exact
//! check that refuses it and why; attacks that once succeeded are named "finding N" and were
//! fixed with the test.
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use std::time::{Duration, Instant};
use wallet_core::holder::OptionalClaims;
use wallet_core::vault::CredentialId;

use serde_json::{Value, json};
use siegel_tests::hostile::Class;
use siegel_tests::{
    World, bbs_sign, failed, failures, presentation_key, sample_claims, sign_as_holder,
};
use wallet_core::credential::FORMAT_BBS_2023;
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{DateTime, ProofPurpose, PublicKeyMaterial};
use wallet_core::jsonld::{MAX_DOCUMENT_BYTES, MAX_JSON_VALUES};
use wallet_core::keys::KeyKind;
use wallet_core::ledger::{KeyUse, Ledger, PublishKey};
use wallet_core::request::{ClaimsQuery, MAX_REQUEST_BYTES, PresentationRequest, RequestError};
use wallet_core::verify::{
    CheckName, FileNonceStore, HolderBinding, NonceRefusal, NonceStore, Policy, Report,
};

/// A world whose holder received an honest credential; returns the world, the credential's
/// vault id and the issued document.
fn received() -> (World, CredentialId, Value) {
    let mut w = World::new();
    let issued = w.issue(sample_claims(), 365);
    let s = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap();
    (w, s.id, issued.document)
}

/// The holder answers a fresh request for `required` with stored credential `id`.
fn answer(w: &mut World, id: &CredentialId, required: &[&str]) -> (PresentationRequest, Value) {
    let r = w.request(required, &[]);
    let a =
        wallet_core::holder::answer(&mut w.holder.vault, id, &r, &OptionalClaims::None, &w.clock)
            .unwrap();
    (r, a.presentation)
}

/// The holder (the attacker) signs an edited presentation for `request` with its own key.
fn holder_signs(w: &World, vp: &Value, request: &PresentationRequest) -> Vec<u8> {
    sign_as_holder(&w.holder.vault, vp, request, w.clock.0)
        .to_string()
        .into_bytes()
}

/// The issued document without its proof, to edit and sign again.
fn unsigned(doc: &Value) -> Value {
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("proof");
    d
}

/// The trusted bank signs `doc` (the bank is honest about its key, but the document is one
/// the verifier's policy must still judge).
fn bank_signs(w: &World, doc: &Value, mandatory: &[&str]) -> Value {
    w.bank_signs(doc, mandatory)
}

/// The bank's BBS secret key.
fn bank_key(w: &World) -> wallet_core::bbs::SecretKey {
    w.bank_key()
}

/// Stores `doc` in the holder's vault without the receive check and answers a request for
/// `required` with it.
fn present_stored(w: &mut World, doc: &Value, required: &[&str]) -> (PresentationRequest, Value) {
    let id = w
        .holder
        .vault
        .add_credential("crafted", FORMAT_BBS_2023, &doc.to_string())
        .unwrap()
        .id
        .clone();
    answer(w, &id, required)
}

// ---------------------------------------------------------------------------------------------
// The presentation's shape
// ---------------------------------------------------------------------------------------------

#[test]
fn two_credentials_are_refused() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let (_, other) = answer(&mut w, &id, &["incomeBand"]);
    let mut two = vp.clone();
    two["verifiableCredential"] = json!([
        vp["verifiableCredential"][0].clone(),
        other["verifiableCredential"][0].clone()
    ]);
    let bytes = holder_signs(&w, &two, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::PresentationProof),
        "the presentation holds 2 credentials; exactly one was requested"
    );
    // Nothing else was checked, and the nonce is not spent.
    assert!(failed(&report, CheckName::NonceFresh).starts_with("not checked"));
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert!(report.is_valid(), "{report:#?}");
}

/// Finding 1: a second credential under the expanded IRI of `verifiableCredential` (which the
/// JSON reading of the verifier does not see) rode along in a presentation the verifier reported
/// valid with "exactly one" credential. The verifier now refuses members of the presentation it
/// does not read.
#[test]
fn finding_1_a_credential_under_the_expanded_iri_is_refused() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let (_, other) = answer(&mut w, &id, &["incomeBand"]);
    let mut smuggled = vp.clone();
    smuggled["https://www.w3.org/2018/credentials#verifiableCredential"] =
        other["verifiableCredential"][0].clone();
    let bytes = holder_signs(&w, &smuggled, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::PresentationProof),
        "the presentation has a member \"https://www.w3.org/2018/credentials#verifiableCredential\" \
         that this verifier does not read (only @context, id, type, holder, verifiableCredential, proof)"
    );
    // The credential as an object rather than an array of one is still read.
    let mut object = vp.clone();
    object["verifiableCredential"] = vp["verifiableCredential"][0].clone();
    let bytes = holder_signs(&w, &object, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert!(report.is_valid(), "{report:#?}");
}

#[test]
fn malformed_shapes_fail_closed_without_panicking() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["verifiableCredential"] = json!([])),
            "the presentation holds 0 credentials; exactly one was requested",
        ),
        (
            Box::new(|v| v["verifiableCredential"] = json!("a string")),
            "the presentation holds no credential",
        ),
        (
            Box::new(|v| v["verifiableCredential"] = json!([1])),
            "the credential has no proof with a verificationMethod",
        ),
        (
            Box::new(|v| {
                let p = v["proof"].clone();
                v["proof"] = json!([p.clone(), p]);
            }),
            "the presentation has no proof with a verificationMethod",
        ),
        (
            Box::new(|v| v["verifiableCredential"][0]["issuer"] = json!(7)),
            "the credential names no issuer",
        ),
        (
            Box::new(|v| {
                v["verifiableCredential"][0]["credentialStatus"]["statusIndex"] = json!(-1);
            }),
            "the credential's status entry",
        ),
        (
            Box::new(|v| v["proof"]["verificationMethod"] = json!("not a did url")),
            "the presentation's verificationMethod",
        ),
    ];
    for (edit, reason) in cases {
        let mut v = vp.clone();
        edit(&mut v);
        let report = w.verify(v.to_string().as_bytes(), &r, HolderBinding::Required);
        let got = failed(&report, CheckName::PresentationProof);
        assert!(
            got.starts_with(reason),
            "{got:?} does not start with {reason:?}"
        );
        assert!(!report.is_valid());
    }
    // Deep nesting is an input error, not a stack overflow.
    let deep = "[".repeat(200_000);
    let report = w.verify(deep.as_bytes(), &r, HolderBinding::Required);
    assert!(failed(&report, CheckName::PresentationProof).contains("not usable JSON"));
    // The nonce is still unspent: none of those was a valid answer.
    assert!(
        w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required)
            .is_valid()
    );
}

#[test]
fn holder_member_naming_another_identity_is_refused() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let bank = wallet_core::issuer::profile(&w.bank.vault)
        .unwrap()
        .unwrap();
    for holder in [json!(bank.did.as_str()), json!({"id": bank.did.as_str()})] {
        let mut v = vp.clone();
        v["holder"] = holder;
        let bytes = holder_signs(&w, &v, &r);
        let report = w.verify(&bytes, &r, HolderBinding::Required);
        assert!(
            failed(&report, CheckName::PresentationProof).contains("holder"),
            "{report:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The credential inside
// ---------------------------------------------------------------------------------------------

#[test]
fn a_status_entry_edited_in_the_json_breaks_the_credential_proof() {
    let (mut w, id, doc) = received();
    // A second credential, whose index exists and is clear; the first is revoked.
    let first = doc["credentialStatus"]["statusIndex"].as_u64().unwrap();
    let second = w.issue(sample_claims(), 365);
    assert_ne!(second.index, first);
    wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &wallet_core::issuer::StatusTarget::Index(first),
        wallet_core::ledger::StatusChange::Revoke,
    )
    .unwrap();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let mut v = vp.clone();
    v["verifiableCredential"][0]["credentialStatus"]["statusIndex"] = json!(second.index);
    let bytes = holder_signs(&w, &v, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::CredentialProof),
        "invalid signature"
    );
    assert!(failed(&report, CheckName::Status).starts_with("not checked"));
    // Only an answer whose proofs both verify spends the nonce. Unedited, the revocation shows.
    assert!(failed(&report, CheckName::NonceFresh).starts_with("not checked"));
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let bytes = vp.to_string().into_bytes();
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::Status]);
    assert!(
        failed(&report, CheckName::Status)
            .starts_with(&format!("revoked by the issuer (index {first} ")),
        "{report:#?}"
    );
}

#[test]
fn a_status_entry_naming_another_issuer_is_refused_by_holder_and_verifier() {
    let (mut w, _, doc) = received();
    let holder = w.holder_did();
    let mut d = unsigned(&doc);
    d["credentialStatus"]["statusIssuer"] = json!(holder.as_str());
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let err = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        signed.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if m == "the status entry belongs to another identity than the issuer"),
        "{err}"
    );
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::Status]);
    let bank = wallet_core::issuer::profile(&w.bank.vault)
        .unwrap()
        .unwrap();
    assert_eq!(
        failed(&report, CheckName::Status),
        format!(
            "the status entry names {holder} as its issuer, not {}",
            bank.did
        )
    );
}

/// The holder publishes a BBS key of its own (anyone may add keys to their own DID) and signs
/// a KYC attestation about itself.
fn holder_bbs_key(w: &mut World) -> (wallet_core::bbs::SecretKey, String) {
    let account = w
        .holder
        .vault
        .keys()
        .into_iter()
        .find(|k| k.label.ends_with("did:ethr account"))
        .unwrap()
        .id
        .clone();
    let bbs = w
        .holder
        .vault
        .generate_key(KeyKind::BbsBls12381Sha256, "self-issuing key")
        .unwrap();
    let secret = w.holder.vault.key_secret(&bbs.id).unwrap().bbs().unwrap();
    let registered = w
        .ledger
        .register(
            w.holder.vault.key_secret(&account).unwrap(),
            &[PublishKey {
                key: PublicKeyMaterial::Bls12381G2(Box::new(secret.public_key().clone())),
                use_: KeyUse::Assertion,
            }],
            3600,
        )
        .unwrap();
    assert_eq!(registered.did, w.holder_did());
    (secret, registered.methods[0].to_string())
}

#[test]
fn a_self_issued_credential_is_refused_by_the_trust_list() {
    let (mut w, _, doc) = received();
    let (key, method) = holder_bbs_key(&mut w);
    let me = w.holder_did();
    let mut d = unsigned(&doc);
    d["issuer"] = json!(me.as_str());
    d["credentialStatus"]["statusIssuer"] = json!(me.as_str());
    let signed = bbs_sign(
        &key,
        &method,
        &d,
        &wallet_core::issuer::MANDATORY_POINTERS,
        w.clock.0,
    );
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18", "incomeBand"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    // Every other check passes: the key is the issuer's (the holder's own) on the chain. Only a
    // trusted issuer's credential spends the nonce (the red-team review: anyone's self-issued
    // credential bound to a request seen in passing would otherwise burn it).
    assert_eq!(
        failures(&report),
        [CheckName::NonceFresh, CheckName::TrustedIssuer]
    );
    assert!(failed(&report, CheckName::NonceFresh).starts_with("not checked"));
    assert_eq!(
        failed(&report, CheckName::TrustedIssuer),
        format!("{me} is not on this verifier's trust list")
    );

    // The holder's key signing a credential that names the trusted bank as issuer.
    let bank = wallet_core::issuer::profile(&w.bank.vault)
        .unwrap()
        .unwrap();
    let forged = bbs_sign(
        &key,
        &method,
        &unsigned(&doc),
        &wallet_core::issuer::MANDATORY_POINTERS,
        w.clock.0,
    );
    let err = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        forged.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if m.starts_with("the credential's proof does not verify")),
        "{err}"
    );
    let (r, vp) = present_stored(&mut w, &forged, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(
        failures(&report),
        [CheckName::NonceFresh, CheckName::IssuerKeyOnChain]
    );
    assert_eq!(
        failed(&report, CheckName::IssuerKeyOnChain),
        format!(
            "signed with {method}, which is not a key of the issuer {}",
            bank.did
        )
    );
}

#[test]
fn a_credential_signed_with_the_holders_ed25519_key_is_refused() {
    // did:ethr lists the holder's sigAuth key under assertionMethod too: an eddsa-rdfc-2022
    // "credential" the holder signs about itself must not pass as a bbs-2023 one.
    let (mut w, id, doc) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let (kid, method) = presentation_key(&w.holder.vault);
    let key = w.holder.vault.key_secret(&kid).unwrap().ed25519().unwrap();
    let me = w.holder_did();
    let mut d = unsigned(&doc);
    d["issuer"] = json!(me.as_str());
    let self_signed = wallet_core::di::eddsa_rdfc_2022::create_proof(
        &d,
        &key,
        &ProofOptions {
            verification_method: method,
            proof_purpose: ProofPurpose::AssertionMethod,
            created: Some(w.clock.0),
            challenge: None,
            domain: None,
        },
    )
    .unwrap();
    let mut v = vp.clone();
    v["verifiableCredential"] = json!([self_signed]);
    let bytes = holder_signs(&w, &v, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::CredentialProof),
        "unsupported proof: type \"DataIntegrityProof\", cryptosuite \"eddsa-rdfc-2022\""
    );
}

#[test]
fn a_derived_credential_bound_to_another_nonce_is_refused() {
    let (mut w, id, _) = received();
    let (_, old) = answer(&mut w, &id, &["ageOver18"]);
    let (r, fresh) = answer(&mut w, &id, &["ageOver18"]);
    // The fresh presentation, its credential swapped for the one derived for the old nonce,
    // signed again by the holder for the fresh request.
    let mut v = fresh.clone();
    v["verifiableCredential"] = old["verifiableCredential"].clone();
    let bytes = holder_signs(&w, &v, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failures(&report),
        [CheckName::NonceFresh, CheckName::CredentialProof]
    );
    assert!(
        failed(&report, CheckName::CredentialProof).contains("another verifier or nonce"),
        "{report:#?}"
    );
    // Swapped without signing again: the presentation proof covers its credential.
    let (r2, fresh2) = answer(&mut w, &id, &["ageOver18"]);
    let mut v = fresh2.clone();
    v["verifiableCredential"] = fresh["verifiableCredential"].clone();
    let report = w.verify(v.to_string().as_bytes(), &r2, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::PresentationProof),
        "invalid signature"
    );
}

#[test]
fn validity_edges() {
    let (mut w, _, doc) = received();
    // validFrom in the future.
    let mut d = unsigned(&doc);
    d["validFrom"] = json!(w.clock.0.saturating_add_seconds(86_400).to_string());
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::ValidityPeriod]);
    assert!(
        failed(&report, CheckName::ValidityPeriod).starts_with("not valid before"),
        "{report:#?}"
    );
    // validFrom left out (the schema requires it too).
    let mut d = unsigned(&doc);
    d.as_object_mut().unwrap().remove("validFrom");
    let signed = bank_signs(
        &w,
        &d,
        &[
            "/issuer",
            "/validUntil",
            "/credentialSchema",
            "/credentialStatus",
        ],
    );
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::ValidityPeriod),
        "the credential has no validFrom"
    );
    failed(&report, CheckName::Schema);
}

/// Finding 2: `validUntil` is optional in VCDM 2.0, and a credential whose issuer did not make
/// it mandatory lets the holder hide it: the verifier then saw "no end" and reported an expired
/// credential valid. Siegel's issuer always signs `validUntil` as mandatory, so the verifier
/// now requires it.
#[test]
fn finding_2_a_hidden_valid_until_is_refused() {
    let (mut w, _, doc) = received();
    let mut d = unsigned(&doc);
    let past = w.clock.0.saturating_add_seconds(-86_400);
    d["validFrom"] = json!(past.saturating_add_seconds(-86_400).to_string());
    d["validUntil"] = json!(past.to_string());
    // The bank signed with validUntil selectively disclosable.
    let signed = bank_signs(
        &w,
        &d,
        &[
            "/issuer",
            "/validFrom",
            "/credentialSchema",
            "/credentialStatus",
        ],
    );
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let text = vp.to_string();
    assert!(!text.contains("validUntil"), "validUntil was disclosed");
    let report = w.verify(text.as_bytes(), &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::ValidityPeriod]);
    assert_eq!(
        failed(&report, CheckName::ValidityPeriod),
        "the credential discloses no validUntil"
    );
}

#[test]
fn unknown_schema_and_claims_outside_the_vocabulary_are_refused() {
    let (mut w, _, doc) = received();
    let mut d = unsigned(&doc);
    d["credentialSchema"]["id"] = json!("https://schemas.evil.example/anything.json");
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::Schema]);
    assert_eq!(
        failed(&report, CheckName::Schema),
        "unknown credential schema https://schemas.evil.example/anything.json"
    );
    // A claim the KYC vocabulary does not have cannot be signed as a plain term (expansion
    // would drop it, and canonicalization refuses that)...
    let mut d = unsigned(&doc);
    d["credentialSubject"]["favouriteColour"] = json!("blue");
    let err = wallet_core::di::issue_bbs(
        &d,
        &bank_key(&w),
        &[],
        &ProofOptions {
            verification_method: "did:example:x#k".into(),
            proof_purpose: ProofPurpose::AssertionMethod,
            created: None,
            challenge: None,
            domain: None,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("favouriteColour"), "{err}");
    // ...but under a full IRI it can: the bank signs it, the holder discloses it.
    let iri = "https://evil.example/favouriteColour";
    let mut d = unsigned(&doc);
    d["credentialSubject"][iri] = json!("blue");
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let r = w.request(&["ageOver18"], &[]);
    let derived = wallet_core::di::derive(
        &signed,
        &[
            "/credentialSubject/ageOver18".to_owned(),
            "/credentialSubject/https:~1~1evil.example~1favouriteColour".to_owned(),
        ],
        &r.presentation_header(),
    )
    .unwrap();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": w.holder_did().as_str(),
        "verifiableCredential": [derived],
    });
    let bytes = holder_signs(&w, &vp, &r);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::Schema]);
    assert!(
        failed(&report, CheckName::Schema).contains("favouriteColour"),
        "{report:#?}"
    );
    // It is reported by its full IRI, never as a KYC claim.
    assert!(
        report
            .disclosed
            .iter()
            .any(|c| c.claim == iri && c.value == "blue"),
        "{:?}",
        report.disclosed
    );
}

/// Finding 6: receive ignored a status entry the chain could not read (here one naming another
/// chain) and stored the credential as if it were not revoked. It is now refused; the verifier
/// already refused it.
#[test]
fn finding_6_an_unreadable_status_is_refused_on_receive() {
    let (mut w, _, doc) = received();
    let mut d = unsigned(&doc);
    d["credentialStatus"]["statusRegistry"] =
        json!("eip155:1:0x00000000000000000000000000000000000000aa");
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let err = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        signed.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if m.starts_with("the credential's status could not be read:")),
        "{err}"
    );
    let (r, vp) = present_stored(&mut w, &signed, &["ageOver18"]);
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::Status]);
    assert!(
        failed(&report, CheckName::Status).starts_with("status could not be read:"),
        "{report:#?}"
    );
}

/// Issue 17 item 3: an unsigned presentation whose `givenName` is 48,000 distinct strings
/// (about 375 KB) took the verifier 10 s before it failed, because safe mode compared every array
/// item with every earlier one. Now it is refused by the bounds, before any JSON-LD processing
/// (how fast is the `worst_inputs` bench's business, not a test's); and a repeat at the end of
/// the longest array the bounds allow is still found.
#[test]
fn issue_17_a_long_array_is_refused() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let bytes = Class::Strings48k.build(&vp);
    assert!(bytes.len() <= MAX_DOCUMENT_BYTES, "{}", bytes.len());
    let sent: Value = serde_json::from_slice(&bytes).unwrap();
    let given = &sent["verifiableCredential"][0]["credentialSubject"]["givenName"];
    assert_eq!(given.as_array().map(Vec::len), Some(48_000));
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    let too_large = format!(
        "canonicalization failed: document too large: more than {MAX_JSON_VALUES} JSON values"
    );
    assert_eq!(failed(&report, CheckName::PresentationProof), too_large);
    assert_eq!(failed(&report, CheckName::CredentialProof), too_large);
    assert!(!report.is_valid());
    // As many strings as the bounds allow, then one of them again.
    let mut repeated = sent.clone();
    let n = MAX_JSON_VALUES - 500;
    let items: Vec<Value> = (0..n)
        .map(|i| json!(format!("g{i}")))
        .chain([json!("g17")])
        .collect();
    repeated["verifiableCredential"][0]["credentialSubject"]["givenName"] = Value::Array(items);
    let report = w.verify(repeated.to_string().as_bytes(), &r, HolderBinding::Required);
    assert_eq!(
        failed(&report, CheckName::PresentationProof),
        format!(
            "canonicalization failed: \"/verifiableCredential/0/credentialSubject/givenName/{n}\" \
             is not part of the signed data: a repeated value is one statement"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// Finding 3: `claim_sets` `[["ageOver18"], ["incomeBand"]]` (either claim) computed no
/// required claim at all, so RequestedClaims passed for an answer with neither. Alternatives
/// whose common core is not itself an acceptable set are now refused when a request is read,
/// and by RequestedClaims.
#[test]
fn finding_3_claim_sets_with_no_acceptable_core_are_refused() {
    let (mut w, id, _) = received();
    let (mut r, vp) = answer(&mut w, &id, &["kycLevel"]);
    let q = &mut r.dcql_query.credentials[0];
    q.claims = ["ageOver18", "incomeBand"]
        .iter()
        .map(|c| ClaimsQuery {
            id: Some((*c).to_owned()),
            path: vec![json!("credentialSubject"), json!(c)],
        })
        .collect();
    q.claim_sets = Some(vec![vec!["ageOver18".into()], vec!["incomeBand".into()]]);
    let text = serde_json::to_vec(&r).unwrap();
    assert!(
        matches!(
            PresentationRequest::parse(&text),
            Err(RequestError::Unsupported(ref m)) if m.starts_with("claim_sets")
        ),
        "{:?}",
        PresentationRequest::parse(&text)
    );
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    // The request was edited after the answer was made for it (issue 17 items 1 and 7): the
    // derived proof commits to the request as answered, so it is refused as well.
    assert_eq!(
        failures(&report),
        [
            CheckName::NonceFresh,
            CheckName::CredentialProof,
            CheckName::RequestedClaims
        ]
    );
    assert!(
        failed(&report, CheckName::RequestedClaims)
            .starts_with("unsupported DCQL query: claim_sets"),
        "{report:#?}"
    );
    // [[a, b], [a]] is what `siegel verifier request` writes: a required, b optional.
    let q = &mut r.dcql_query.credentials[0];
    q.claim_sets = Some(vec![
        vec!["ageOver18".into(), "incomeBand".into()],
        vec!["ageOver18".into()],
    ]);
    let sel = r.selection().unwrap();
    assert_eq!(sel.required, ["ageOver18"]);
    assert_eq!(sel.optional, ["incomeBand"]);
}

/// Finding 4: two claims with one `id` (DCQL requires ids to be unique) made `claim_sets`
/// name whichever came first; and claims without an id next to `claim_sets` were silently
/// dropped. Both are refused when a request is read.
#[test]
fn finding_4_claim_ids_must_be_unique_and_present_with_claim_sets() {
    let r = PresentationRequest::kyc(
        wallet_core::request::ClientId::parse("loans.lender.example").unwrap(),
        &["ageOver18"],
        &["incomeBand"],
        DateTime::from_unix_seconds(2_000_000_000),
    )
    .unwrap();
    let mut dup = r.clone();
    dup.dcql_query.credentials[0].claims[1].id = Some("ageOver18".into());
    assert_eq!(
        PresentationRequest::parse(&serde_json::to_vec(&dup).unwrap()),
        Err(RequestError::Malformed(
            "two claims have the id \"ageOver18\"".into()
        ))
    );
    let mut anonymous = r.clone();
    anonymous.dcql_query.credentials[0].claims[1].id = None;
    anonymous.dcql_query.credentials[0].claim_sets = Some(vec![vec!["ageOver18".into()]]);
    assert_eq!(
        PresentationRequest::parse(&serde_json::to_vec(&anonymous).unwrap()),
        Err(RequestError::Malformed(
            "claim [\"credentialSubject\",\"incomeBand\"] has no id, which claim_sets needs".into()
        ))
    );
}

#[test]
fn dcql_paths_with_escapes_and_wildcards_are_refused() {
    let base = PresentationRequest::kyc(
        wallet_core::request::ClientId::parse("loans.lender.example").unwrap(),
        &["ageOver18"],
        &[],
        DateTime::from_unix_seconds(2_000_000_000),
    )
    .unwrap();
    let path = |p: Value| {
        let mut r = serde_json::to_value(&base).unwrap();
        r["dcql_query"]["credentials"][0]["claims"][0]["path"] = p;
        PresentationRequest::parse(&serde_json::to_vec(&r).unwrap())
    };
    for name in [
        "age/Over18",
        "~1ageOver18",
        "ageOver18~0",
        "",
        "0age",
        "age Over18",
        "ageÖver18",
    ] {
        assert_eq!(
            path(json!(["credentialSubject", name])),
            Err(RequestError::Claim(name.to_owned())),
            "{name:?}"
        );
    }
    for p in [
        json!(["credentialSubject", null]),
        json!(["credentialSubject", 0]),
        json!(["credentialSubject"]),
        json!(["credentialSubject", "address", "street"]),
        json!(["credentialsubject", "ageOver18"]),
        json!(["/credentialSubject", "ageOver18"]),
        json!([]),
    ] {
        assert!(
            matches!(path(p.clone()), Err(RequestError::Unsupported(ref m)) if m.starts_with("claim path")),
            "{p}: {:?}",
            path(p.clone())
        );
    }
}

#[test]
fn huge_requests_are_bounded() {
    let (mut w, id, _) = received();
    let (mut r, vp) = answer(&mut w, &id, &["ageOver18"]);
    // As many claims as fit in a request file.
    let mut n = 0;
    let mut claims = Vec::new();
    loop {
        let name = format!("c{n}");
        claims.push(ClaimsQuery {
            id: Some(name.clone()),
            path: vec![json!("credentialSubject"), json!(name)],
        });
        r.dcql_query.credentials[0].claims = claims.clone();
        if serde_json::to_vec(&r).unwrap().len() > MAX_REQUEST_BYTES - 64 {
            break;
        }
        n += 1;
    }
    let text = serde_json::to_vec(&r).unwrap();
    let t = Instant::now();
    let parsed = PresentationRequest::parse(&text).unwrap();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(parsed.selection().unwrap().required.len(), claims.len());
    // claim_sets over all of them, repeated as often as fits.
    r.dcql_query.credentials[0].claims.truncate(200);
    let ids: Vec<String> = (0..200).map(|i| format!("c{i}")).collect();
    r.dcql_query.credentials[0].claim_sets = Some(vec![ids; 40]);
    let t = Instant::now();
    let _ = r.selection();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The verifier names what is missing, without panicking.
    r.dcql_query.credentials[0].claim_sets = None;
    let report = w.verify(vp.to_string().as_bytes(), &r, HolderBinding::Required);
    // Edited after it was answered (issue 17 items 1 and 7): the proof is refused too.
    assert_eq!(
        failures(&report),
        [
            CheckName::NonceFresh,
            CheckName::CredentialProof,
            CheckName::RequestedClaims
        ]
    );
    assert!(
        failed(&report, CheckName::RequestedClaims)
            .starts_with("required claims not disclosed: c0, c1")
    );
    // One byte over the limit, and deep nesting.
    let big = vec![b' '; MAX_REQUEST_BYTES + 1];
    assert!(matches!(
        PresentationRequest::parse(&big),
        Err(RequestError::Malformed(ref m)) if m.contains("at most") || m.contains("requests are at most")
    ));
    let deep = "[".repeat(60_000);
    assert!(matches!(
        PresentationRequest::parse(deep.as_bytes()),
        Err(RequestError::Malformed(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// The nonce store
// ---------------------------------------------------------------------------------------------

fn verify_with_store(
    w: &World,
    bytes: &[u8],
    r: &PresentationRequest,
    store: &mut dyn NonceStore,
) -> Report {
    wallet_core::verify::verify_presentation(
        bytes,
        r,
        &Policy {
            trusted_issuers: w.trust.clone(),
            holder_binding: HolderBinding::Required,
        },
        &w.ledger,
        store,
        &w.clock,
    )
}

#[test]
fn concurrent_consumers_accept_a_nonce_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nonces.json");
    let now = DateTime::from_unix_seconds(1_900_000_000);
    let nonces: Vec<_> = (0..6)
        .map(|_| {
            PresentationRequest::new(
                wallet_core::request::ClientId::parse("loans.lender.example").unwrap(),
                &["VerifiableCredential"],
                &["ageOver18"],
                &[],
                now.saturating_add_seconds(600),
            )
            .unwrap()
        })
        .collect();
    for n in &nonces {
        FileNonceStore::new(&path).issue(n).unwrap();
    }
    // Every thread tries every nonce, in a different order.
    let results: Vec<Vec<(usize, Result<(), NonceRefusal>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let path = &path;
                let nonces = &nonces;
                s.spawn(move || {
                    (0..nonces.len())
                        .map(|k| {
                            let i = (k + t) % nonces.len();
                            (i, FileNonceStore::new(path).consume(&nonces[i], now))
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, _) in nonces.iter().enumerate() {
        let outcomes: Vec<&Result<(), NonceRefusal>> = results
            .iter()
            .flatten()
            .filter(|(j, _)| *j == i)
            .map(|(_, r)| r)
            .collect();
        let accepted = outcomes.iter().filter(|r| r.is_ok()).count();
        assert_eq!(accepted, 1, "nonce {i}: {outcomes:?}");
        for o in outcomes.iter().filter(|r| r.is_err()) {
            assert!(
                matches!(
                    o,
                    Err(NonceRefusal::AlreadyUsed(_)) | Err(NonceRefusal::Store(_))
                ),
                "{o:?}"
            );
        }
    }
    // No update was lost: every nonce is remembered as used.
    for n in &nonces {
        assert!(matches!(
            FileNonceStore::new(&path).consume(n, now),
            Err(NonceRefusal::AlreadyUsed(_))
        ));
    }
}

/// Run by [`concurrent_processes_accept_a_nonce_once`] in child processes; does nothing alone.
#[test]
fn nonce_child() {
    let (Ok(path), Ok(request)) = (
        std::env::var("SIEGEL_ATTACK_NONCE_PATH"),
        std::env::var("SIEGEL_ATTACK_REQUEST"),
    ) else {
        return;
    };
    let request = PresentationRequest::parse(request.as_bytes()).unwrap();
    let now = DateTime::from_unix_seconds(1_900_000_000);
    let r = FileNonceStore::new(std::path::Path::new(&path)).consume(&request, now);
    println!("CONSUME={}", if r.is_ok() { "ok" } else { "refused" });
}

#[test]
fn concurrent_processes_accept_a_nonce_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nonces.json");
    let now = DateTime::from_unix_seconds(1_900_000_000);
    let n = PresentationRequest::new(
        wallet_core::request::ClientId::parse("loans.lender.example").unwrap(),
        &["VerifiableCredential"],
        &["ageOver18"],
        &[],
        now.saturating_add_seconds(600),
    )
    .unwrap();
    FileNonceStore::new(&path).issue(&n).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "nonce_child", "--nocapture", "--test-threads=1"])
                .env("SIEGEL_ATTACK_NONCE_PATH", &path)
                .env("SIEGEL_ATTACK_REQUEST", n.to_json_pretty())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<String> = children
        .into_iter()
        .map(|c| String::from_utf8(c.wait_with_output().unwrap().stdout).unwrap())
        .collect();
    let ok = outs.iter().filter(|o| o.contains("CONSUME=ok")).count();
    let refused = outs
        .iter()
        .filter(|o| o.contains("CONSUME=refused"))
        .count();
    assert_eq!((ok, refused), (1, 3), "{outs:#?}");
}

#[test]
fn a_damaged_nonce_file_fails_closed() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nonces.json");
    let bytes = vp.to_string().into_bytes();
    for damage in [
        &b""[..],
        b"{",
        b"{}",
        b"null",
        b"{\"nonces\": []}",
        b"\xff\xfe",
    ] {
        std::fs::write(&path, damage).unwrap();
        let report = verify_with_store(&w, &bytes, &r, &mut FileNonceStore::new(&path));
        assert_eq!(failures(&report), [CheckName::NonceFresh], "{damage:?}");
        let reason = failed(&report, CheckName::NonceFresh);
        assert!(
            reason.starts_with("the nonce store failed:") && reason.contains("is damaged"),
            "{reason}"
        );
        // The damaged file is left as it was (not "repaired" into an empty store).
        assert_eq!(std::fs::read(&path).unwrap(), damage);
    }
    // A store that never issued the nonce.
    std::fs::remove_file(&path).unwrap();
    let report = verify_with_store(&w, &bytes, &r, &mut FileNonceStore::new(&path));
    assert_eq!(
        failed(&report, CheckName::NonceFresh),
        "this verifier never issued the nonce"
    );
    // Issued into the file: accepted once, then refused after a "restart".
    FileNonceStore::new(&path).issue(&r).unwrap();
    assert!(verify_with_store(&w, &bytes, &r, &mut FileNonceStore::new(&path)).is_valid());
    let again = verify_with_store(&w, &bytes, &r, &mut FileNonceStore::new(&path));
    assert!(failed(&again, CheckName::NonceFresh).contains("already used"));
}

#[test]
fn expiry_is_inclusive_at_exp_and_refused_one_second_later() {
    let (mut w, id, _) = received();
    let (r, vp) = answer(&mut w, &id, &["ageOver18"]);
    let bytes = vp.to_string().into_bytes();
    let answered = w.clock.0;
    // One second late: both the request and the nonce are expired.
    w.clock.0 = r.expires_at().saturating_add_seconds(1);
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert_eq!(
        failures(&report),
        [CheckName::RequestUnexpired, CheckName::NonceFresh]
    );
    assert_eq!(
        failed(&report, CheckName::NonceFresh),
        format!("the nonce expired at {}", r.expires_at())
    );
    // Exactly at exp: accepted (the late attempt did not spend the nonce).
    w.clock.0 = r.expires_at();
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert!(report.is_valid(), "{report:#?}");
    assert!(answered < r.expires_at());
}

// ---------------------------------------------------------------------------------------------
// The holder's receive check
// ---------------------------------------------------------------------------------------------

/// Finding 5: receive promised "within its validity period" but checked only `validUntil`: a
/// credential not valid for a year was stored. It is now refused (with the clock skew allowed).
#[test]
fn finding_5_receive_refuses_a_credential_not_yet_valid() {
    let (mut w, _, doc) = received();
    let mut d = unsigned(&doc);
    let later = w.clock.0.saturating_add_seconds(365 * 86_400);
    d["validFrom"] = json!(later.to_string());
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    let err = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        signed.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if *m == format!("the credential is not valid before {later}")),
        "{err}"
    );
    // A few seconds ahead (the issuer's clock runs fast) is accepted.
    let mut d = unsigned(&doc);
    d["validFrom"] = json!(w.clock.0.saturating_add_seconds(5).to_string());
    let signed = bank_signs(&w, &d, &wallet_core::issuer::MANDATORY_POINTERS);
    wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        signed.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap();
}
