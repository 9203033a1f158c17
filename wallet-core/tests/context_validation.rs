//! What a verifier reads is what was signed (issue 10, hole 1). Each forgery below verified on
//! the code before safe mode: the holder rewrites the JSON of an honestly derived credential so
//! that it *reads* differently while its RDF — which is what the signature covers — stays the same.
//! Every one must now be refused, by name and with the JSON pointer of the offending member.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use wallet_core::bbs::{Bls12381Sha256, SecretKey};
use wallet_core::di::eddsa_rdfc_2022::{self, Expectations, ProofOptions};
use wallet_core::di::{
    Multikey, ProofError, ProofPurpose, StaticResolver, derive, issue_bbs, verify_derived,
};
use wallet_core::jsonld::{ContextPolicy, JsonLdError, to_quads, to_quads_with};

const V2: &str = "https://www.w3.org/ns/credentials/v2";
const EXAMPLES: &str = "https://www.w3.org/ns/credentials/examples/v2";
const EX: &str = "https://www.w3.org/ns/credentials/examples#";

struct Fixture {
    /// A base credential (bbs-2023) with `ageOver18: false, incomeBand: "D"`.
    signed: Value,
    /// Its derivation disclosing both claims.
    derived: Value,
    /// The same claims under an eddsa-rdfc-2022 proof.
    eddsa: Value,
    eddsa_key: [u8; 32],
}

fn options(vm: String) -> ProofOptions {
    ProofOptions {
        verification_method: vm,
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some("2026-11-25T10:00:00Z".parse().unwrap()),
        challenge: None,
        domain: None,
    }
}

fn credential(issuer: &str) -> Value {
    json!({
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"name": "Ada", "ageOver18": false, "incomeBand": "D"}
    })
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = SecretKey::generate::<Bls12381Sha256>().unwrap();
        let mk = Multikey::encode_bls12_381_g2_public(key.public_key());
        let issuer = format!("did:key:{mk}");
        let signed = issue_bbs(
            &credential(&issuer),
            &key,
            &["/issuer".into()],
            &options(format!("{issuer}#{mk}")),
        )
        .unwrap();
        let derived = derive(
            &signed,
            &[
                "/credentialSubject/ageOver18".into(),
                "/credentialSubject/incomeBand".into(),
            ],
            b"nonce",
        )
        .unwrap();
        let ed = SigningKey::from_bytes(&[9; 32]);
        let emk = Multikey::encode_ed25519_public(&ed.verifying_key().to_bytes());
        let eissuer = format!("did:key:{emk}");
        let eddsa = eddsa_rdfc_2022::create_proof(
            &credential(&eissuer),
            &ed,
            &options(format!("{eissuer}#{emk}")),
        )
        .unwrap();
        Fixture {
            signed,
            derived,
            eddsa,
            eddsa_key: ed.verifying_key().to_bytes(),
        }
    })
}

fn verify_bbs(doc: &Value) -> Result<(), ProofError> {
    verify_derived(doc, &StaticResolver::new()).map(drop)
}

fn verify_eddsa(doc: &Value) -> Result<(), ProofError> {
    let _ = fixture().eddsa_key;
    eddsa_rdfc_2022::verify_proof(
        doc,
        &StaticResolver::new(),
        &Expectations {
            proof_purpose: ProofPurpose::AssertionMethod,
            challenge: None,
            domain: None,
        },
    )
    .map(drop)
}

/// The JSON-LD error inside a proof error, or a panic naming what came instead.
fn jsonld_error(r: Result<(), ProofError>) -> JsonLdError {
    match r {
        Err(ProofError::Canonicalization(e)) => e,
        other => panic!("expected a canonicalization refusal, got {other:?}"),
    }
}

/// The issue's forgery: an inline context maps the signed terms to null and two new terms onto
/// their IRIs; the signed values move to the new terms and the old keys carry lies.
fn relabel_forgery(doc: &Value) -> Value {
    let mut d = doc.clone();
    d["@context"].as_array_mut().unwrap().push(json!({
        "ageOver18": null, "incomeBand": null,
        "a": format!("{EX}ageOver18"), "b": format!("{EX}incomeBand")
    }));
    let s = d["credentialSubject"].as_object_mut().unwrap();
    let (age, band) = (
        s.remove("ageOver18").unwrap(),
        s.remove("incomeBand").unwrap(),
    );
    s.insert("a".into(), age);
    s.insert("b".into(), band);
    s.insert("ageOver18".into(), json!(true));
    s.insert("incomeBand".into(), json!("A"));
    d
}

#[test]
fn honest_documents_still_verify() {
    let f = fixture();
    verify_bbs(&f.derived).unwrap();
    verify_eddsa(&f.eddsa).unwrap();
}

#[test]
fn inline_context_relabelling_is_refused_bbs_2023() {
    let e = jsonld_error(verify_bbs(&relabel_forgery(&fixture().derived)));
    assert!(
        matches!(&e, JsonLdError::InlineContext { path } if path == "/@context/2"),
        "{e:?}"
    );
}

#[test]
fn inline_context_relabelling_is_refused_eddsa_rdfc_2022() {
    let e = jsonld_error(verify_eddsa(&relabel_forgery(&fixture().eddsa)));
    assert!(
        matches!(&e, JsonLdError::InlineContext { path } if path == "/@context/2"),
        "{e:?}"
    );
}

#[test]
fn context_embedded_in_the_subject_is_refused() {
    for doc in [&fixture().derived, &fixture().eddsa] {
        let mut d = doc.clone();
        let s = d["credentialSubject"].as_object_mut().unwrap();
        let age = s.remove("ageOver18").unwrap();
        s.insert(
            "@context".into(),
            json!({"ageOver18": null, "a": format!("{EX}ageOver18")}),
        );
        s.insert("a".into(), age);
        s.insert("ageOver18".into(), json!(true));
        let r = if doc.get("proof").unwrap()["cryptosuite"] == "bbs-2023" {
            verify_bbs(&d)
        } else {
            verify_eddsa(&d)
        };
        let e = jsonld_error(r);
        assert!(
            matches!(&e, JsonLdError::InlineContext { path } if path == "/credentialSubject/@context"),
            "{e:?}"
        );
    }
}

/// Without any context: an extra claim whose key expands to no valid IRI is dropped by
/// expansion, so it was "verified" while no signature covered it.
#[test]
fn keys_that_expansion_drops_are_refused() {
    for (key, path) in [
        ("age over 18", "/credentialSubject/age over 18"),
        ("_:ageOver18", "/credentialSubject/_:ageOver18"),
    ] {
        for doc in [&fixture().derived, &fixture().eddsa] {
            let mut d = doc.clone();
            d["credentialSubject"][key] = json!(true);
            let r = if doc["proof"]["cryptosuite"] == "bbs-2023" {
                verify_bbs(&d)
            } else {
                verify_eddsa(&d)
            };
            let e = jsonld_error(r);
            assert!(
                matches!(&e, JsonLdError::Dropped { path: p, .. } if p == path),
                "{key}: {e:?}"
            );
        }
    }
}

#[test]
fn values_that_expansion_drops_are_refused() {
    let cases = [
        (json!({"ageOver18": null}), "/credentialSubject/ageOver18"),
        (json!({"id": "not an iri"}), "/credentialSubject/id"),
        (json!({"type": "Not A Type"}), "/credentialSubject/type"),
        (
            json!({"name": {"@value": "Ada", "@language": "not a tag!"}}),
            "/credentialSubject/name/@language",
        ),
    ];
    for (extra, path) in cases {
        let mut d = fixture().derived.clone();
        for (k, v) in extra.as_object().unwrap() {
            d["credentialSubject"][k] = v.clone();
        }
        let e = jsonld_error(verify_bbs(&d));
        // The language tag is located through its value; the other cases through their member.
        let ok = match &e {
            JsonLdError::Dropped { path: p, .. } => p == path || path.starts_with(p.as_str()),
            _ => false,
        };
        assert!(ok, "{extra}: {e:?}");
    }
}

#[test]
fn body_keywords_that_restructure_statements_are_refused() {
    for (keyword, value) in [
        (
            "@reverse",
            json!({"https://example.org/p": {"id": "https://example.org/x"}}),
        ),
        ("@nest", json!({"ageOver18": true})),
        (
            "@graph",
            json!([{"id": "https://example.org/x", "ageOver18": true}]),
        ),
        (
            "@included",
            json!([{"id": "https://example.org/x", "ageOver18": true}]),
        ),
        ("@vocab", json!("https://example.org/")),
        ("@index", json!("x")),
        ("@list", json!([1])),
        ("@json", json!({})),
        ("@foo", json!(1)),
    ] {
        let mut d = fixture().derived.clone();
        d["credentialSubject"][keyword] = value;
        let e = jsonld_error(verify_bbs(&d));
        let expected_path = format!("/credentialSubject/{keyword}");
        assert!(
            matches!(&e, JsonLdError::KeywordNotAllowed { path, keyword: k } if *path == expected_path && k == keyword),
            "{keyword}: {e:?}"
        );
    }
}

#[test]
fn a_keyword_beside_its_alias_is_refused() {
    let mut d = fixture().derived.clone();
    d["credentialSubject"]["@type"] = json!("Person");
    d["credentialSubject"]["type"] = json!("Other");
    let e = jsonld_error(verify_bbs(&d));
    assert!(
        matches!(&e, JsonLdError::KeywordNotAllowed { path, .. } if path == "/credentialSubject"),
        "{e:?}"
    );
}

/// `@vocab` games, `@type` coercion and scoped contexts all need a context object.
#[test]
fn context_objects_of_every_kind_are_refused() {
    let objects = [
        json!({"@vocab": "https://evil.example/"}),
        json!({"ageOver18": {"@id": format!("{EX}ageOver18"), "@type": "@id"}}),
        json!({"credentialSubject": {"@id": "https://www.w3.org/2018/credentials#credentialSubject",
               "@context": {"ageOver18": null}}}),
        json!({"@version": 1.1, "@import": EXAMPLES}),
        json!({"@protected": false}),
    ];
    for object in objects {
        let mut d = fixture().derived.clone();
        d["@context"].as_array_mut().unwrap().push(object.clone());
        let e = jsonld_error(verify_bbs(&d));
        assert!(
            matches!(&e, JsonLdError::InlineContext { path } if path == "/@context/2"),
            "{object}: {e:?}"
        );
    }
    // A single context object or null instead of the array.
    for bad in [json!({"@vocab": EX}), Value::Null, json!(7)] {
        let mut d = fixture().derived.clone();
        d["@context"] = bad.clone();
        let e = jsonld_error(verify_bbs(&d));
        assert!(
            matches!(&e, JsonLdError::InlineContext { path } if path == "/@context"),
            "{bad}: {e:?}"
        );
    }
    // A nested null context resets the active context.
    let mut d = fixture().derived.clone();
    d["credentialSubject"]["@context"] = Value::Null;
    let e = jsonld_error(verify_bbs(&d));
    assert!(
        matches!(&e, JsonLdError::InlineContext { path } if path == "/credentialSubject/@context"),
        "{e:?}"
    );
}

#[test]
fn unknown_and_disallowed_context_urls_are_refused_with_their_path() {
    let mut d = fixture().derived.clone();
    d["credentialSubject"]["@context"] = json!(["https://evil.example/ctx"]);
    let e = jsonld_error(verify_bbs(&d));
    assert!(
        matches!(&e, JsonLdError::UnknownContext { path, url }
            if path == "/credentialSubject/@context/0" && url == "https://evil.example/ctx"),
        "{e:?}"
    );
    // A verifier that narrowed its allow-list refuses a bundled context it did not list.
    let unsecured = {
        let mut u = fixture().derived.clone();
        u.as_object_mut().unwrap().remove("proof");
        u
    };
    let only_v2 = ContextPolicy::only([V2]).unwrap();
    let e = to_quads_with(&unsecured, &only_v2).unwrap_err();
    assert!(
        matches!(&e, JsonLdError::ContextNotAllowed { path, url } if path == "/@context/1" && url == EXAMPLES),
        "{e:?}"
    );
    let both = ContextPolicy::only([V2, EXAMPLES]).unwrap();
    assert_eq!(
        to_quads_with(&unsecured, &both).unwrap().len(),
        to_quads(&unsecured).unwrap().len()
    );
    assert!(matches!(
        ContextPolicy::only(["https://evil.example/ctx"]),
        Err(JsonLdError::UnknownContext { .. })
    ));
}

/// Issuing and deriving refuse the same inputs, so no signature is ever made over a document
/// whose JSON and RDF disagree.
#[test]
fn issuing_and_deriving_refuse_the_same_inputs() {
    let key = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let mk = Multikey::encode_bls12_381_g2_public(key.public_key());
    let issuer = format!("did:key:{mk}");
    let mut bad = credential(&issuer);
    bad["credentialSubject"]["age over 18"] = json!(true);
    let e = issue_bbs(
        &bad,
        &key,
        &["/issuer".into()],
        &options(format!("{issuer}#{mk}")),
    );
    assert!(
        matches!(&e, Err(ProofError::Canonicalization(JsonLdError::Dropped { path, .. })) if path == "/credentialSubject/age over 18"),
        "{e:?}"
    );
    let bad = relabel_forgery(&credential(&issuer));
    let e = issue_bbs(
        &bad,
        &key,
        &["/issuer".into()],
        &options(format!("{issuer}#{mk}")),
    );
    assert!(
        matches!(
            &e,
            Err(ProofError::Canonicalization(
                JsonLdError::InlineContext { .. }
            ))
        ),
        "{e:?}"
    );
    // A holder deriving from a base credential someone tampered with.
    let mut signed = fixture().signed.clone();
    signed["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"@vocab": EX}));
    let e = derive(&signed, &["/credentialSubject/ageOver18".into()], b"n");
    assert!(
        matches!(
            &e,
            Err(ProofError::Canonicalization(
                JsonLdError::InlineContext { .. }
            ))
        ),
        "{e:?}"
    );
    let ed = SigningKey::from_bytes(&[3; 32]);
    let emk = Multikey::encode_ed25519_public(&ed.verifying_key().to_bytes());
    let e = eddsa_rdfc_2022::create_proof(
        &relabel_forgery(&credential("did:example:x")),
        &ed,
        &options(format!("did:key:{emk}#{emk}")),
    );
    assert!(
        matches!(
            &e,
            Err(ProofError::Canonicalization(
                JsonLdError::InlineContext { .. }
            ))
        ),
        "{e:?}"
    );
}

/// The verifier reads the claims from the verified statements: the disclosed values as signed,
/// nothing that was not disclosed, and the issuer as signed.
#[test]
fn verified_claims_come_from_the_signed_statements() {
    let f = fixture();
    let v = verify_derived(&f.derived, &StaticResolver::new()).unwrap();
    let age = v.claims.subject_claim(&format!("{EX}ageOver18")).unwrap();
    assert_eq!(age.as_bool(), Some(false));
    let band = v.claims.subject_claim(&format!("{EX}incomeBand")).unwrap();
    assert_eq!(band.as_str(), Some("D"));
    assert!(
        v.claims.subject_claim("https://schema.org/name").is_none(),
        "undisclosed"
    );
    assert_eq!(
        v.claims.subject_claims().len(),
        2,
        "{:?}",
        v.claims.subject_claims()
    );
    assert_eq!(v.claims.issuer(), f.derived["issuer"].as_str());
    assert_eq!(v.issuer.as_deref(), v.claims.issuer());
    assert!(v.signed_by_issuer());
    assert!(
        v.claims
            .types()
            .contains(&"https://www.w3.org/2018/credentials#VerifiableCredential")
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever key and scalar value are added to a subject, the document is either refused
        /// or gains exactly the one statement the JSON shows: expansion never drops it silently.
        #[test]
        fn an_added_member_is_a_statement_or_an_error(
            key in prop_oneof![
                "[a-zA-Z][a-zA-Z0-9]{0,8}",
                "[ -~]{0,12}",
                "(_:|@|http://|urn:)[ -~]{0,8}",
            ],
            value in prop_oneof![
                any::<bool>().prop_map(Value::from),
                any::<i32>().prop_map(Value::from),
                "[ -~]{0,12}".prop_map(Value::from),
            ],
        ) {
            let mut doc = credential("did:example:issuer");
            let before = to_quads(&doc).unwrap().len();
            prop_assume!(doc["credentialSubject"].get(&key).is_none());
            // An id names the subject rather than adding a statement about it.
            prop_assume!(!matches!(key.as_str(), "id" | "@id"));
            doc["credentialSubject"][key.as_str()] = value;
            match to_quads(&doc) {
                Ok(quads) => prop_assert_eq!(quads.len(), before + 1, "{}", key),
                Err(JsonLdError::Dropped { path, .. }) | Err(JsonLdError::KeywordNotAllowed { path, .. }) => {
                    prop_assert!(path.starts_with("/credentialSubject"), "{}", path);
                }
                Err(JsonLdError::InlineContext { .. } | JsonLdError::UnknownContext { .. }) => {
                    prop_assert_eq!(key.as_str(), "@context");
                }
                Err(JsonLdError::JsonLd(_)) => {} // e.g. "@id" with a non-IRI: refused by the processor
                Err(e) => prop_assert!(false, "{key}: {e:?}"),
            }
        }
    }
}

#[test]
fn eddsa_verified_claims_come_from_the_signed_statements() {
    let f = fixture();
    let v = eddsa_rdfc_2022::verify(
        &f.eddsa,
        &StaticResolver::new(),
        &Expectations {
            proof_purpose: ProofPurpose::AssertionMethod,
            challenge: None,
            domain: None,
        },
        &wallet_core::di::SystemClock,
    )
    .unwrap();
    assert_eq!(
        v.claims
            .subject_claim(&format!("{EX}ageOver18"))
            .and_then(|c| c.as_bool()),
        Some(false)
    );
    assert_eq!(
        v.claims
            .subject_claim("https://schema.org/name")
            .and_then(|c| c.as_str()),
        Some("Ada")
    );
    assert_eq!(v.claims.issuer(), f.eddsa["issuer"].as_str());
    assert!(
        v.verification_method
            .starts_with(v.claims.issuer().unwrap())
    );
}

/// Readers disagree on repeated keys (serde_json keeps the last one, others the first), so
/// received documents are parsed with `parse_json`, which refuses them.
#[test]
fn repeated_json_keys_are_refused_when_parsing() {
    let text = r#"{"credentialSubject": {"ageOver18": false, "ageOver18": true}}"#;
    let e = wallet_core::jsonld::parse_json(text.as_bytes()).unwrap_err();
    assert!(
        matches!(&e, JsonLdError::Json(m) if m.contains("\"ageOver18\" appears twice")),
        "{e:?}"
    );
    let honest = serde_json::to_vec(&fixture().derived).unwrap();
    assert_eq!(
        wallet_core::jsonld::parse_json(&honest).unwrap(),
        fixture().derived
    );
    let big = vec![b' '; wallet_core::jsonld::MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(
        wallet_core::jsonld::parse_json(&big),
        Err(JsonLdError::TooLarge(_))
    ));
    for bad in [&b"{"[..], b"[1,", b"\xff", b""] {
        assert!(matches!(
            wallet_core::jsonld::parse_json(bad),
            Err(JsonLdError::Json(_))
        ));
    }
}
