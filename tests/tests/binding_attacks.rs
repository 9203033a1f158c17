//! Issue 17, items 1, 4, 5 and 7: an answer is bound to the verifier and the request it was made
//! for, a bearer credential is presented without the holder's DID, and the preview shows all a
//! verifier will see. Each attack is reproduced through the application layer, as the front ends
//! call it, and must now be refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use siegel_tests::{Party, World, failed, failures, sample_claims, sign_as_holder};
use wallet_core::credential::FORMAT_BBS_2023;
use wallet_core::holder::OptionalClaims;
use wallet_core::request::{ClientId, PresentationRequest};
use wallet_core::vault::CredentialId;
use wallet_core::verify::{CheckName, HolderBinding, NonceRefusal, Outcome};

/// Stores `doc` in the holder's vault (through `receive` when `checked`).
fn store(w: &mut World, doc: &Value, checked: bool) -> CredentialId {
    if checked {
        wallet_core::holder::receive(
            &mut w.holder.vault,
            &w.ledger,
            doc.to_string().as_bytes(),
            &w.clock,
        )
        .unwrap()
        .id
    } else {
        w.holder
            .vault
            .add_credential("crafted", FORMAT_BBS_2023, &doc.to_string())
            .unwrap()
            .id
            .clone()
    }
}

fn answer(w: &mut World, id: &CredentialId, request: &PresentationRequest) -> Value {
    wallet_core::holder::answer(
        &mut w.holder.vault,
        id,
        request,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap()
    .presentation
}

/// A throwaway identity of the attacker's own on the same chain, which signs `vp` (its proof
/// replaced) for `request`'s nonce and domain.
fn mallory_wraps(w: &World, vp: &Value, request: &PresentationRequest) -> Vec<u8> {
    let mut mallory = Party::new();
    let me = wallet_core::holder::setup(&mut mallory.vault, &w.ledger).unwrap();
    let mut vp = vp.clone();
    vp["holder"] = json!(me.did.as_str());
    sign_as_holder(&mallory.vault, &vp, request, w.clock.0)
        .to_string()
        .into_bytes()
}

/// The request as a malicious site shows it to the holder: the lender's, with its own client id.
fn relayed(request: &PresentationRequest) -> PresentationRequest {
    let mut evil = request.clone();
    evil.client_id = ClientId::parse("evil.example").unwrap();
    evil
}

/// Item 1 (high): the relay. The holder answers the lender's request as edited by a malicious
/// site; the site strips the holder's proof and re-wraps the derived credential for the lender,
/// signed by a throwaway identity. Refused under every policy, and the nonce stays unspent.
#[test]
fn item_1_a_derived_credential_relayed_to_another_verifier_is_refused() {
    let mut w = World::new();
    let doc = w.issue(sample_claims(), 365).document;
    let id = store(&mut w, &doc, true);
    let lender = w.request(&["ageOver18", "incomeBand"], &[]);
    let shown_to_holder = relayed(&lender);
    let answered = answer(&mut w, &id, &shown_to_holder);
    let wrapped = mallory_wraps(&w, &answered, &lender);
    for policy in [
        HolderBinding::default(),
        HolderBinding::NotRequired,
        HolderBinding::Required,
    ] {
        let report = w.verify(&wrapped, &lender, policy);
        assert!(!report.is_valid(), "{policy:?}: {report:#?}");
        assert!(
            failed(&report, CheckName::CredentialProof).contains("another verifier or nonce"),
            "{report:#?}"
        );
        assert!(failures(&report).contains(&CheckName::NonceFresh));
        assert!(report.disclosed.is_empty() || !report.is_valid());
    }
    // Stripped and sent unsigned: the same refusal, and the subject is not the (absent) signer.
    let mut bare = answered.clone();
    let map = bare.as_object_mut().unwrap();
    map.remove("proof");
    map.remove("holder");
    let report = w.verify(
        bare.to_string().as_bytes(),
        &lender,
        HolderBinding::default(),
    );
    assert!(failed(&report, CheckName::CredentialProof).contains("another verifier or nonce"));
    assert!(failed(&report, CheckName::HolderBinding).contains("not signed by it"));
    // The holder's honest answer to the lender's own request is still accepted: the nonce was
    // not spent by any refused attempt.
    let honest = answer(&mut w, &id, &lender);
    let report = w.verify(
        honest.to_string().as_bytes(),
        &lender,
        HolderBinding::default(),
    );
    assert!(report.is_valid(), "{report:#?}");
}

/// Item 1: the presentation header commits to both parts, unambiguously.
#[test]
fn item_1_the_presentation_header_commits_to_verifier_and_nonce() {
    let mut w = World::new();
    let r = w.request(&["ageOver18"], &[]);
    let header = r.presentation_header();
    assert!(header.starts_with(b"siegel-vp-binding/v1:"));
    assert_ne!(header, relayed(&r).presentation_header());
    let other = w.request(&["ageOver18"], &[]);
    assert_ne!(header, other.presentation_header());
    let mut tail = Vec::new();
    for part in [r.client_id.as_str(), r.nonce.as_str()] {
        tail.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
        tail.extend_from_slice(part.as_bytes());
    }
    let (fixed, digest) = header[21..].split_at(header.len() - 21 - 32);
    assert_eq!(fixed, tail.as_slice());
    let digest: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, r.digest().to_hex());
    // Any edit of the request (here: one more claim asked for) changes it.
    let mut more = r.clone();
    more.dcql_query.credentials[0]
        .claims
        .push(wallet_core::request::ClaimsQuery {
            id: Some("birthDate".into()),
            path: vec![json!("credentialSubject"), json!("birthDate")],
        });
    assert_ne!(header, more.presentation_header());
}

/// The relay of the red-team review: a site passes the lender's request on with the lender's
/// client id and nonce but more claims asked for (and its own purpose); the holder answers what
/// it was shown; the site keeps the extra claims and forwards the answer. The lender, checking
/// against its own request, refuses it: the derived proof commits to the request it answered.
#[test]
fn item_1_an_answer_to_a_widened_request_is_refused() {
    let mut w = World::new();
    let doc = w.issue(sample_claims(), 365).document;
    let id = store(&mut w, &doc, true);
    let lender = w.request(&["ageOver18"], &[]);
    let mut widened = lender.clone();
    widened.dcql_query.credentials[0]
        .claims
        .push(wallet_core::request::ClaimsQuery {
            id: Some("birthDate".into()),
            path: vec![json!("credentialSubject"), json!("birthDate")],
        });
    let widened = widened.with_purpose("Age check").unwrap();
    let vp = answer(&mut w, &id, &widened);
    let report = w.verify(vp.to_string().as_bytes(), &lender, HolderBinding::default());
    assert!(failed(&report, CheckName::CredentialProof).contains("another verifier or nonce"));
    assert!(failures(&report).contains(&CheckName::NonceFresh));
    assert!(report.revealed.is_empty(), "{report:#?}");
}

/// Item 1: holder binding is required by default when the credential names its subject: a
/// credential presented (signed, for the right request) by someone else is refused.
#[test]
fn item_1_default_policy_binds_a_named_subject_to_the_signer() {
    let mut w = World::new();
    let doc = w.issue(sample_claims(), 365).document;
    let id = store(&mut w, &doc, true);
    let lender = w.request(&["ageOver18"], &[]);
    let answered = answer(&mut w, &id, &lender);
    let wrapped = mallory_wraps(&w, &answered, &lender);
    let report = w.verify(&wrapped, &lender, HolderBinding::default());
    assert_eq!(failures(&report), [CheckName::HolderBinding], "{report:#?}");
    assert!(failed(&report, CheckName::HolderBinding).contains("is not the presenting holder"));
    // Only with the explicit opt-out does anyone's signature do.
    let lender = w.request(&["ageOver18"], &[]);
    let answered = answer(&mut w, &id, &lender);
    let wrapped = mallory_wraps(&w, &answered, &lender);
    assert!(
        w.verify(&wrapped, &lender, HolderBinding::NotRequired)
            .is_valid()
    );
}

/// Item 5: a credential without a subject id is presented without the holder's DID and without
/// a presentation signature; the preview says nothing of the DID; a bearer answer is still bound
/// to its request.
#[test]
fn item_5_a_bearer_credential_is_presented_without_the_holder_did() {
    let mut w = World::new();
    let holder_did = w.holder_did();
    let doc = w.issue_to(sample_claims(), None, 365).document;
    let id = store(&mut w, &doc, true);
    let lender = w.request(&["ageOver18"], &[]);
    let preview = wallet_core::holder::preview(
        &w.holder.vault,
        &id,
        &lender,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    assert!(
        !preview
            .always
            .iter()
            .any(|s| s.value.contains(holder_did.as_str())),
        "{preview:#?}"
    );
    let vp = answer(&mut w, &id, &lender);
    let text = vp.to_string();
    assert!(!text.contains(holder_did.as_str()), "{text}");
    assert!(vp.get("proof").is_none() && vp.get("holder").is_none());
    let report = w.verify(text.as_bytes(), &lender, HolderBinding::default());
    assert!(report.is_valid(), "{report:#?}");
    assert_eq!(report.holder, None);
    // A verifier that insists on binding refuses it, saying why.
    let lender = w.request(&["ageOver18"], &[]);
    let vp = answer(&mut w, &id, &lender);
    let report = w.verify(vp.to_string().as_bytes(), &lender, HolderBinding::Required);
    assert_eq!(failures(&report), [CheckName::HolderBinding]);
    assert!(failed(&report, CheckName::HolderBinding).contains("names no subject"));
    // Relayed to another verifier, unsigned as it is: refused by its presentation header.
    let lender = w.request(&["ageOver18"], &[]);
    let vp = answer(&mut w, &id, &relayed(&lender));
    let report = w.verify(vp.to_string().as_bytes(), &lender, HolderBinding::default());
    assert!(failed(&report, CheckName::CredentialProof).contains("another verifier or nonce"));
    // An unsigned presentation may not name a holder or carry anything unsigned besides.
    let lender = w.request(&["ageOver18"], &[]);
    let vp = answer(&mut w, &id, &lender);
    for (member, value) in [
        ("holder", json!(holder_did.as_str())),
        ("id", json!("urn:uuid:1")),
    ] {
        let mut edited = vp.clone();
        edited[member] = value;
        let report = w.verify(
            edited.to_string().as_bytes(),
            &lender,
            HolderBinding::default(),
        );
        assert!(
            failed(&report, CheckName::PresentationProof).contains("not signed"),
            "{report:#?}"
        );
    }
    let report = w.verify(vp.to_string().as_bytes(), &lender, HolderBinding::default());
    assert!(report.is_valid(), "{report:#?}");
}

/// Item 7: an edited request (a required claim dropped, a later expiry) answered by the holder
/// does not verify against the edited copy: the verifier checks the request it issued.
#[test]
fn item_7_an_edited_request_is_refused() {
    let mut w = World::new();
    let doc = w.issue(sample_claims(), 365).document;
    let id = store(&mut w, &doc, true);
    let lender = w.request(&["ageOver18", "incomeBand"], &[]);
    let mut dropped = lender.clone();
    dropped.dcql_query.credentials[0].claims.pop();
    let mut later = lender.clone();
    later.exp += 3600;
    for edited in [dropped, later] {
        let vp = answer(&mut w, &id, &edited);
        let report = w.verify(vp.to_string().as_bytes(), &edited, HolderBinding::default());
        assert_eq!(failures(&report), [CheckName::NonceFresh], "{report:#?}");
        assert_eq!(
            failed(&report, CheckName::NonceFresh),
            NonceRefusal::OtherRequest.to_string()
        );
    }
    let vp = answer(&mut w, &id, &lender);
    let report = w.verify(vp.to_string().as_bytes(), &lender, HolderBinding::default());
    assert!(report.is_valid(), "{report:#?}");
}

/// What a hostile (but trusted) issuer may add to a credential's always-disclosed parts.
#[derive(Clone, Debug)]
struct Extras {
    top_level_id: bool,
    status_id: bool,
    schema_name: bool,
    description: bool,
    subject_id: bool,
}

fn hostile(w: &mut World, e: &Extras) -> Value {
    let subject = e.subject_id.then(|| w.holder_did());
    let mut doc = w.issue_to_unsigned(sample_claims(), subject, 365);
    if e.top_level_id {
        doc["id"] = json!("urn:kyc:ada-lovelace:1990-12-10:passport-123456789");
    }
    if e.status_id {
        doc["credentialStatus"]["id"] = json!("urn:status:ada-lovelace");
    }
    if e.schema_name {
        doc["credentialSchema"]["name"] = json!("Ada's own schema");
    }
    if e.description {
        doc["description"] = json!("KYC of Ada Lovelace, born 1990-12-10");
    }
    w.bank_signs(&doc, &wallet_core::issuer::MANDATORY_POINTERS)
}

/// Item 4: for hostile issuer documents — Siegel's exact mandatory pointers plus members that
/// identify the holder — the holder's preview lists exactly what the verifier's report reads
/// from the verified statements, and everything a verifier sees besides the chosen claims is in
/// the preview's "always" list.
#[test]
fn item_4_the_preview_shows_everything_the_verifier_sees() {
    let world = std::cell::RefCell::new(World::new());
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        any::<[bool; 5]>(),
        proptest::sample::subsequence(
            vec!["ageOver18", "incomeBand", "givenName", "nationality"],
            1..=4,
        ),
    );
    runner
        .run(&strategy, |(flags, claims)| {
            let mut w = world.borrow_mut();
            let w = &mut *w;
            let e = Extras {
                top_level_id: flags[0],
                status_id: flags[1],
                schema_name: flags[2],
                description: flags[3],
                subject_id: flags[4],
            };
            let doc = hostile(w, &e);
            let id = store(w, &doc, false);
            let request = w.request(&claims, &[]);
            let preview = wallet_core::holder::preview(
                &w.holder.vault,
                &id,
                &request,
                &OptionalClaims::None,
                &w.clock,
            )
            .unwrap();
            let answered = wallet_core::holder::answer(
                &mut w.holder.vault,
                &id,
                &request,
                &OptionalClaims::None,
                &w.clock,
            )
            .unwrap();
            // What the CLI prints after signing is what the preview showed before.
            prop_assert_eq!(&answered.also_shown, &preview.always);
            let report = w.verify(
                answered.presentation.to_string().as_bytes(),
                &request,
                HolderBinding::NotRequired,
            );
            prop_assert!(
                report
                    .outcome(CheckName::CredentialProof)
                    .is_some_and(|o| matches!(o, Outcome::Passed(_))),
                "{report:#?}"
            );
            prop_assert_eq!(&preview.revealed, &report.revealed);
            for shown in &report.revealed {
                let chosen = claims
                    .iter()
                    .any(|c| shown.path == format!("credentialSubject.{c}"));
                prop_assert!(
                    chosen || preview.always.contains(shown),
                    "{shown:?} is seen by the verifier but not in the preview"
                );
            }
            let has = |path: &str| preview.always.iter().any(|s| s.path == path);
            prop_assert_eq!(has("id"), e.top_level_id);
            prop_assert_eq!(has("credentialStatus"), e.status_id);
            // Not under a mandatory pointer nor chosen: a top-level member other than `id`
            // stays hidden, and the preview does not claim otherwise.
            prop_assert!(!has("description"));
            prop_assert_eq!(has("credentialSubject"), e.subject_id);
            Ok(())
        })
        .unwrap();
}

/// The red-team review: a trusted issuer puts identifying data in the base proof's options,
/// which every derived proof repeats in the clear. The wallet refuses such a credential; the
/// options it does take are in the preview.
#[test]
fn item_4_identifying_proof_options_are_refused_and_the_rest_previewed() {
    let mut w = World::new();
    let issued = w.issue(sample_claims(), 365).document;
    for (member, value) in [
        ("nonce", json!("Ada Lovelace")),
        ("id", json!("urn:passport:123456789")),
    ] {
        let mut doc = issued.clone();
        doc["proof"][member] = value;
        let err = wallet_core::holder::receive(
            &mut w.holder.vault,
            &w.ledger,
            doc.to_string().as_bytes(),
            &w.clock,
        )
        .unwrap_err();
        assert!(err.to_string().contains(member), "{err}");
    }
    let id = store(&mut w, &issued, true);
    let request = w.request(&["ageOver18"], &[]);
    let preview = wallet_core::holder::preview(
        &w.holder.vault,
        &id,
        &request,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    for path in ["proof.verificationMethod", "proof.created"] {
        let want = issued["proof"][path.trim_start_matches("proof.")]
            .as_str()
            .unwrap();
        assert!(
            preview
                .always
                .iter()
                .any(|s| s.path == path && s.value == want),
            "{path}: {preview:#?}"
        );
    }
}
