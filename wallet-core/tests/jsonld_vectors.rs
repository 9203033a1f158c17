//! RDFC-1.0 canonical N-Quads of the W3C Data Integrity test vectors, byte for byte, from the
//! bundled contexts only (`tests/data/di`, see the SOURCE.md files there).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::PathBuf;

use wallet_core::jsonld::{ContextPolicy, JsonLdError, canonicalize, canonicalize_with};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/di")
        .join(path)
}

fn json(path: &str) -> serde_json::Value {
    let p = data(path);
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(path: &str) -> String {
    std::fs::read_to_string(data(path)).unwrap()
}

fn check_text(doc: &str, expected: &str) {
    let lines = canonicalize(&json(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"));
    let ours = lines.concat();
    let expected = text(expected);
    assert_eq!(ours.trim_end(), expected.trim_end(), "{doc} vs {expected}");
}

#[test]
fn eddsa_canon_doc() {
    check_text(
        "eddsa-rdfc-2022/unsigned.json",
        "eddsa-rdfc-2022/canonDocDataInt.txt",
    );
}

/// Multiple types with type-scoped contexts (`["EmployablePerson", "Person"]`): needs the
/// vendored oxjsonld fix (vendor/README.md); unpatched 0.2.7 drops the
/// `employmentAuthorizationDocument` quads.
#[test]
fn eddsa_employ_canon_doc() {
    check_text(
        "eddsa-rdfc-2022/employmentAuth.json",
        "eddsa-rdfc-2022/employ/canonDocDataInt.txt",
    );
}

#[test]
fn eddsa_proof_config_canon() {
    check_text(
        "eddsa-rdfc-2022/proofConfigDataInt.json",
        "eddsa-rdfc-2022/proofCanonDataInt.txt",
    );
}

#[test]
fn eddsa_employ_proof_config_canon() {
    check_text(
        "eddsa-rdfc-2022/employ/proofConfigDataInt.json",
        "eddsa-rdfc-2022/employ/proofCanonDataInt.txt",
    );
}

#[test]
fn bbs_windsurf_base_doc_canon() {
    // The example defines its vocabulary inline: refused by default, canonical once trusted.
    let doc = json("bbs-2023/windDoc.json");
    assert!(matches!(
        canonicalize(&doc),
        Err(JsonLdError::InlineContext { ref path }) if path == "/@context/1"
    ));
    let trusted = ContextPolicy::bundled().trust_inline(doc["@context"][1].clone());
    let expected: Vec<String> =
        serde_json::from_value(json("bbs-2023/addBaseDocCanon.json")).unwrap();
    assert_eq!(canonicalize_with(&doc, &trusted).unwrap(), expected);
}

/// Two types with scoped contexts again (`["Person", "PermanentResident"]`). The input is the
/// signed base document of the `prc/` steps without its proof (the top-level
/// `prCredUnsigned.json` has another description text).
#[test]
fn bbs_permanent_resident_base_doc_canon() {
    let mut doc = json("bbs-2023/prc/addSignedSDBase.json");
    doc.as_object_mut().unwrap().remove("proof");
    let lines = canonicalize(&doc).unwrap();
    let expected: Vec<String> =
        serde_json::from_value(json("bbs-2023/prc/addBaseDocCanon.json")).unwrap();
    assert_eq!(lines, expected);
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn credential(claims: &[(String, String)], reversed: bool) -> Value {
        let subject: serde_json::Map<String, Value> =
            claims.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let mut subjects = vec![
            json!({"claims": subject}),
            json!({"other": "x"}),
            json!({"third": 3}),
        ];
        if reversed {
            subjects.reverse();
        }
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": subjects,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The canonical form does not depend on the order of array elements, and so not on the
        /// order in which the parser names the (blank-node) subjects.
        #[test]
        fn canonical_form_is_independent_of_array_order(
            claims in proptest::collection::btree_map("[a-z]{1,8}", "\\PC{0,12}", 1..8),
        ) {
            let claims: Vec<(String, String)> = claims.into_iter().collect();
            let a = canonicalize(&credential(&claims, false)).unwrap();
            let b = canonicalize(&credential(&claims, true)).unwrap();
            prop_assert_eq!(&a, &b);
            // Three blank-node subjects plus the credential itself: c14n0..c14n3.
            prop_assert!(a.iter().any(|l| l.contains("_:c14n3")));
        }
    }
}

/// JSON-LD 1.1 Expansion 11.2: the scoped contexts of all of a node's types apply, one after the
/// other in lexicographic order of the type terms, each on top of the previous result. The
/// regression test for the vendored oxjsonld fix (vendor/README.md).
#[test]
fn type_scoped_contexts_accumulate() {
    let context = serde_json::json!({
        "@version": 1.1,
        "A": {"@id": "http://example.org/A", "@context": {
            "a": "http://example.org/a", "x": "http://example.org/x-from-A"}},
        "B": {"@id": "http://example.org/B", "@context": {
            "b": "http://example.org/b", "x": "http://example.org/x-from-B"}},
    });
    for types in [["A", "B"], ["B", "A"]] {
        let doc = serde_json::json!({
            "@context": context, "@id": "http://example.org/s", "@type": types,
            "a": "1", "b": "2", "x": "3",
        });
        let lines = canonicalize_with(
            &doc,
            &ContextPolicy::bundled().trust_inline(context.clone()),
        )
        .unwrap();
        let s = "<http://example.org/s>";
        let mut expected = vec![
            format!("{s} <http://example.org/a> \"1\" .\n"),
            format!("{s} <http://example.org/b> \"2\" .\n"),
            // B comes after A, so B's definition of `x` wins, whatever the order in the document.
            format!("{s} <http://example.org/x-from-B> \"3\" .\n"),
            format!(
                "{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/A> .\n"
            ),
            format!(
                "{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/B> .\n"
            ),
        ];
        expected.sort();
        assert_eq!(lines, expected, "types {types:?}");
    }
}

/// A type's scoped context does not reach nested nodes (`@propagate` defaults to false for
/// type-scoped contexts, JSON-LD 1.1 Context Processing 5.1 / Expansion 7).
#[test]
fn type_scoped_contexts_do_not_propagate() {
    let context = serde_json::json!({
        "@version": 1.1,
        "child": {"@id": "http://example.org/child"},
        "A": {"@id": "http://example.org/A", "@context": {"a": "http://example.org/a"}},
    });
    let trusted = ContextPolicy::bundled().trust_inline(context.clone());
    let doc = serde_json::json!({
        "@context": context,
        "@id": "http://example.org/s", "@type": "A",
        "a": "1",
        "child": {"@id": "http://example.org/c", "a": "dropped"},
    });
    // Expansion drops the child's `a`; safe mode says so instead of signing a document whose
    // JSON shows a claim its RDF lacks.
    let r = canonicalize_with(&doc, &trusted);
    assert!(
        matches!(&r, Err(JsonLdError::Dropped { path, .. }) if path == "/child/a"),
        "{r:?}"
    );
    let mut without = doc.clone();
    without["child"].as_object_mut().unwrap().remove("a");
    let lines = canonicalize_with(&without, &trusted).unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
}
