//! `verify_derived_mutations` and `verify_presentation_mutations`: structure-aware mutations
//! ([`crate::mutate`]) of a real derived bbs-2023 credential and of a real signed presentation
//! that carries it, made once per process with fixed keys and the draft's mocked randomness.
//!
//! Invariants (issue 10, hole 1: what a verifier reads is what was signed):
//! 1. if the mutated document's canonical N-Quads differ from the original's, verification fails;
//! 2. if verification succeeds, what it reports (issuer, method, presentation header, verified
//!    claims) equals what it reports for the original;
//! 3. if verification succeeds, a caller that reads the JSON sees no `issuer`, `validFrom` or
//!    `credentialSubject` claim the original does not show (up to the equivalences of [`normal`])
//!    — the forgery of issue 10 keeps the RDF and changes the JSON.

use std::sync::OnceLock;

use serde_json::{Value, json};
use wallet_core::bbs::hazmat;
use wallet_core::bbs::hazmat::MockedRng;
use wallet_core::di::bbs_2023::{create_base_proof, derive_mocked};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{StaticResolver, sign_presentation, verify_derived, verify_presentation};
use wallet_core::jsonld::canonicalize;

use crate::mutate::{Reader, mutate};

/// The verifier's challenge and domain.
const NONCE: &str = "nonce-1";
const DOMAIN: &str = "lender.example";
/// Edits per input: enough to remap a term and move two values, as the forgery does.
const MAX_OPS: usize = 8;

/// The documents every input starts from.
struct Originals {
    derived: Value,
    presentation: Value,
    derived_canon: Vec<String>,
    presentation_canon: Vec<String>,
    derived_verified: String,
    presentation_verified: String,
}

fn originals() -> &'static Originals {
    static O: OnceLock<Originals> = OnceLock::new();
    O.get_or_init(make_originals)
}

fn make_originals() -> Originals {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("setup, {what}: {e}") };
    let (issuer_key, mk, issuer) = crate::fixtures::bbs_issuer();
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ada",
            "name": "Ada",
            "ageOver18": false,
            "incomeBand": "D",
            "address": {"city": "Zurich", "country": "CH"}
        }
    });
    let options = ProofOptions {
        verification_method: format!("{issuer}#{mk}"),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some(
            wallet_core::di::DateTime::from_unix_seconds(1795608000), /* 2026-11-25T12:00:00Z */
        ),
        challenge: None,
        domain: None,
    };
    let signed = create_base_proof(
        &credential,
        &issuer_key,
        &[7; 32],
        &["/issuer".into()],
        &options,
    )
    .unwrap_or_else(|e| fail("issue", &e));
    let dst = hazmat::map_message_dst::<wallet_core::bbs::Bls12381Sha256>();
    let derived = derive_mocked(
        &signed,
        &[
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
            "/credentialSubject/address/city".into(),
            "/validFrom".into(),
        ],
        NONCE.as_bytes(),
        MockedRng {
            seed: b"siegel fuzz seed",
            dst: &dst,
        },
    )
    .unwrap_or_else(|e| fail("derive", &e));
    let (holder, hk) = crate::fixtures::holder();
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": format!("did:key:{hk}"),
        "verifiableCredential": [derived.clone()],
    });
    let presentation = sign_presentation(
        &vp,
        &holder,
        &format!("did:key:{hk}#{hk}"),
        wallet_core::di::DateTime::from_unix_seconds(1795608000), /* 2026-11-25T12:00:00Z */
        &wallet_core::di::PresentationBinding {
            challenge: String::from(NONCE),
            domain: String::from(DOMAIN),
        },
    )
    .unwrap_or_else(|e| fail("sign presentation", &e));
    let derived_verified = check_derived(&derived).unwrap_or_else(|e| fail("verify derived", &e));
    let presentation_verified =
        check_presentation(&presentation).unwrap_or_else(|e| fail("verify presentation", &e));
    Originals {
        derived_canon: canonicalize(&derived).unwrap_or_else(|e| fail("canonicalize", &e)),
        presentation_canon: canonicalize(&presentation)
            .unwrap_or_else(|e| fail("canonicalize", &e)),
        derived,
        presentation,
        derived_verified,
        presentation_verified,
    }
}

/// Everything `verify_derived` reports, as text (so new fields, such as the verified claims,
/// are compared without this crate naming them), up to blank node labels.
fn check_derived(doc: &Value) -> Result<String, wallet_core::di::ProofError> {
    verify_derived(doc, &StaticResolver::new()).map(|v| report(&format!("{v:?}")))
}

/// A `Debug` report as a sorted list of its fields, with blank node labels erased: labels are
/// fresh on every parse ("only meaningful within one" result) and the statement lists are ordered
/// by them. Which node carries which claim is still compared through the canonical N-Quads
/// (invariant 1); this compares what was reported.
fn report(debug: &str) -> String {
    const OPEN: &str = "Blank(\"";
    let mut erased = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(OPEN) {
        erased.push_str(&rest[..i]);
        erased.push_str("Blank");
        rest = &rest[i + OPEN.len()..];
        rest = rest.find("\")").map_or("", |j| &rest[j + 2..]);
    }
    erased.push_str(rest);
    let flat: String = erased.chars().filter(|c| !"[](){}".contains(*c)).collect();
    let mut fields: Vec<&str> = flat.split(", ").collect();
    fields.sort_unstable();
    fields.join("\n")
}

/// Everything `verify_presentation` and then `verify_derived` of the embedded credential report.
fn check_presentation(vp: &Value) -> Result<String, wallet_core::di::ProofError> {
    let holder = verify_presentation(
        vp,
        &StaticResolver::new(),
        &wallet_core::di::PresentationBinding {
            challenge: String::from(NONCE),
            domain: String::from(DOMAIN),
        },
    )?;
    let credential = check_derived(embedded(vp))?;
    Ok(format!("{holder:?}\n{credential}"))
}

/// The examples vocabulary (`@vocab` of the examples context): `ex#ageOver18` and `ageOver18`
/// name the same claim.
const EX: &str = "https://www.w3.org/ns/credentials/examples#";

/// The credential a presentation carries (a one-element array or the object itself).
fn embedded(vp: &Value) -> &Value {
    match &vp["verifiableCredential"] {
        Value::Array(a) => a.first().unwrap_or(&Value::Null),
        other => other,
    }
}

/// A JSON value as a JSON reader would take it, up to what JSON-LD treats as the same statement:
/// arrays as sets (sorted, without repeats; one element as itself), value objects as their
/// value, `@id`/`@type` as their `id`/`type` aliases, examples-vocabulary IRIs as their short
/// terms, and no `@context`.
fn normal(v: &Value) -> Value {
    match v {
        // Arrays are sets of statements: order and repeats say nothing.
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(normal).collect();
            items.sort_by_key(Value::to_string);
            items.dedup();
            match <[Value; 1]>::try_from(items) {
                Ok([one]) => one,
                Err(items) => Value::Array(items),
            }
        }
        Value::Object(m)
            if m.contains_key("@value")
                && m.keys().all(|k| {
                    [
                        "@value",
                        "@type",
                        "@language",
                        "@direction",
                        "@index",
                        "@context",
                    ]
                    .contains(&k.as_str())
                }) =>
        {
            normal(&m["@value"])
        }
        Value::Object(m) => Value::Object(
            m.iter()
                // A context entry is not a claim (which contexts are allowed is the verifier's
                // policy; what they do to the claims shows in the RDF).
                .filter(|(k, _)| k.as_str() != "@context")
                .map(|(k, x)| {
                    let k = match k.as_str() {
                        "@id" => "id",
                        "@type" => "type",
                        k => k.strip_prefix(EX).unwrap_or(k),
                    };
                    (k.to_owned(), normal(x))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Claims the JSON of `mutated` shows that the JSON of `original` does not: issuer, validity,
/// and every member of `credentialSubject`, compared after [`normal`]. Hidden claims are not
/// counted: hiding a disclosed claim changes the RDF, which invariant 1 covers.
fn unsigned_json_claims(mutated: &Value, original: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["issuer", "validFrom"] {
        if normal(&mutated[key]) != normal(&original[key]) {
            out.push(key.to_owned());
        }
    }
    let (m, o) = (
        normal(&mutated["credentialSubject"]),
        normal(&original["credentialSubject"]),
    );
    match (m.as_object(), o.as_object()) {
        (Some(m), Some(o)) => {
            for (k, v) in m {
                if o.get(k) != Some(v) {
                    out.push(format!("credentialSubject.{k}"));
                }
            }
        }
        _ if m != o => out.push("credentialSubject".into()),
        _ => {}
    }
    out
}

fn check(
    mutated: &Value,
    original: &Value,
    original_canon: &[String],
    original_verified: &str,
    verify: fn(&Value) -> Result<String, wallet_core::di::ProofError>,
    credential_of: fn(&Value) -> &Value,
) {
    if mutated == original {
        return;
    }
    let Ok(verified) = verify(mutated) else {
        return;
    };
    // Verification succeeded on a changed document.
    let canon = canonicalize(mutated).ok();
    assert_eq!(
        canon.as_deref(),
        Some(original_canon),
        "FORGERY: a document with other canonical N-Quads verified:\n{mutated:#}"
    );
    assert_eq!(
        verified, original_verified,
        "FORGERY: verification reports other claims:\n{mutated:#}"
    );
    let unsigned = unsigned_json_claims(credential_of(mutated), credential_of(original));
    assert!(
        unsigned.is_empty(),
        "FORGERY: the JSON shows claims that were not signed ({unsigned:?}):\n{mutated:#}"
    );
}

/// The `verify_derived_mutations` target.
pub fn verify_derived_mutations(data: &[u8]) {
    let o = originals();
    let mut doc = o.derived.clone();
    mutate(&mut doc, &mut Reader::new(data), MAX_OPS);
    check(
        &doc,
        &o.derived,
        &o.derived_canon,
        &o.derived_verified,
        check_derived,
        |d| d,
    );
}

/// The `verify_presentation_mutations` target.
pub fn verify_presentation_mutations(data: &[u8]) {
    let o = originals();
    let mut doc = o.presentation.clone();
    mutate(&mut doc, &mut Reader::new(data), MAX_OPS);
    check(
        &doc,
        &o.presentation,
        &o.presentation_canon,
        &o.presentation_verified,
        check_presentation,
        embedded,
    );
}
