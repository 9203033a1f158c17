//! `bbs-2023` against the W3C vc-di-bbs test vectors (tests/data/di/bbs-2023, see SOURCE.md):
//! both examples (windsurf racing, permanent resident card), one test per step file named after
//! it, byte for byte, in a module per example; then verification and tampering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;
use wallet_core::bbs::{self, Bls12381Sha256, hazmat::MockedRng};
use wallet_core::di::bbs_2023::{
    create_base_proof, derive, derive_mocked, disclosure_data, parse_base_proof_value,
    parse_derived_proof_value, steps, verify_base_proof, verify_data, verify_derived,
};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::json_pointer::JsonPointer;
use wallet_core::di::{ProofError, StaticResolver};

fn json(p: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/di/bbs-2023")
        .join(p);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn text(p: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/di/bbs-2023")
        .join(p);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// JSON equality where numbers compare by value: the vectors were written by JavaScript, which
/// prints the `7.0` of windDoc.json as `7`; both are the same JSON number.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn strings(v: &Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap()
}

fn indexes(v: &Value) -> Vec<usize> {
    serde_json::from_value(v.clone()).unwrap()
}

/// A JavaScript `Map` as the vectors serialise it: `{"dataType": "Map", "value": [[k, v], ...]}`.
fn js_map<K: serde::de::DeserializeOwned>(v: &Value) -> Vec<(K, String)> {
    assert_eq!(v["dataType"], "Map", "{v}");
    serde_json::from_value(v["value"].clone()).unwrap()
}

fn hmac_key() -> [u8; 32] {
    hex::decode(
        json("BBSKeyMaterial.json")["hmacKeyString"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .try_into()
    .unwrap()
}

fn secret_key() -> bbs::SecretKey {
    let km = json("BBSKeyMaterial.json");
    let sk =
        bbs::SecretKey::from_bytes(&hex::decode(km["privateKeyHex"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        hex::encode(sk.public_key().to_bytes()),
        km["publicKeyHex"].as_str().unwrap(),
        "BBSKeyMaterial.json"
    );
    sk
}

fn presentation_header() -> Vec<u8> {
    hex::decode(
        json("BBSDeriveMaterial.json")["presentationHeaderHex"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

/// One W3C example: its inputs and the folder of its step files.
struct Example {
    /// Folder of the step files, relative to bbs-2023/ ("" or "prc/").
    dir: &'static str,
    unsigned: Value,
    mandatory: Vec<String>,
    selective: Vec<String>,
    /// The windsurf generator evaluated its pointer values (`addPointerValues.json`) on the
    /// credentialSubject, not on the document; the permanent-resident one on the document.
    pointer_values_base: &'static str,
}

/// Example 1: the windsurf racing credential (`windDoc.json`, step files at the top level).
fn windsurf() -> Example {
    Example {
        dir: "",
        unsigned: json("windDoc.json"),
        mandatory: strings(&json("windMandatory.json")),
        selective: strings(&json("windSelective.json")),
        pointer_values_base: "/credentialSubject",
    }
}

/// Example 2: the permanent resident card (`prc/`). Its input is the signed base document
/// without its proof: the top-level `prCredUnsigned.json` has another description text. Its
/// credentialSubject is typed `["Person", "PermanentResident"]`, two types with scoped contexts,
/// which needs the vendored oxjsonld fix (vendor/README.md).
fn permanent_resident() -> Example {
    let mut unsigned = json("prc/addSignedSDBase.json");
    unsigned.as_object_mut().unwrap().remove("proof");
    Example {
        dir: "prc/",
        unsigned,
        mandatory: strings(&json("prCredMandatory.json")),
        selective: strings(&json("prCredSelective.json")),
        pointer_values_base: "",
    }
}

impl Example {
    fn file(&self, name: &str) -> Value {
        json(&format!("{}{name}", self.dir))
    }

    fn text(&self, name: &str) -> String {
        text(&format!("{}{name}", self.dir))
    }

    fn options(&self) -> ProofOptions {
        let c = self.file("addProofConfig.json");
        ProofOptions {
            verification_method: c["verificationMethod"].as_str().unwrap().into(),
            proof_purpose: c["proofPurpose"].as_str().unwrap().parse().unwrap(),
            created: c["created"].as_str().map(|c| c.parse().unwrap()),
            challenge: None,
            domain: None,
        }
    }

    fn prepared(&self) -> steps::Prepared {
        steps::prepare(&self.unsigned, &hmac_key()).unwrap()
    }

    fn group(&self, prepared: &steps::Prepared, pointers: &[String]) -> BTreeSet<usize> {
        let ptrs: Vec<JsonPointer> = pointers.iter().map(|s| s.parse().unwrap()).collect();
        steps::group(prepared, &ptrs).unwrap()
    }

    /// Our base proof over the example, with the vectors' keys and options.
    fn signed(&self) -> Value {
        create_base_proof(
            &self.unsigned,
            &secret_key(),
            &hmac_key(),
            &self.mandatory,
            &self.options(),
        )
        .unwrap()
    }

    /// The published signed base document (the holder's input).
    fn published_signed(&self) -> Value {
        self.file("addSignedSDBase.json")
    }

    /// Our derived document with the draft's mocked randomness.
    fn mocked_derived(&self) -> Value {
        let seed = hex::decode(
            json("BBSDeriveMaterial.json")["pseudoRandSeedHex"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        // The vector generator seeded the draft's mocked random scalars with the *api_id* as DST
        // (`BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_`), not the IETF fixtures'
        // `..._MOCK_RANDOM_SCALARS_DST_`; of the candidates tried, only this one reproduces the
        // proofs.
        let dst = bbs::hazmat::map_message_dst::<Bls12381Sha256>()
            .strip_suffix(b"MAP_MSG_TO_SCALAR_AS_HASH_")
            .unwrap()
            .to_vec();
        derive_mocked(
            &self.published_signed(),
            &self.selective,
            &presentation_header(),
            MockedRng {
                seed: &seed,
                dst: &dst,
            },
        )
        .unwrap()
    }
}

// ---- base proof (issuer) steps ----

fn add_base_doc_canon(ex: &Example) {
    assert_eq!(
        wallet_core::jsonld::canonicalize(&ex.unsigned).unwrap(),
        strings(&ex.file("addBaseDocCanon.json")),
        "{}addBaseDocCanon.json",
        ex.dir
    );
}

fn add_base_doc_hmac_canon(ex: &Example) {
    assert_eq!(
        ex.prepared().quads,
        strings(&ex.file("addBaseDocHMACCanon.json")),
        "{}addBaseDocHMACCanon.json",
        ex.dir
    );
}

fn add_pointer_values(ex: &Example) {
    let entries = ex.file("addPointerValues.json");
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let pointer = format!(
            "{}{}",
            ex.pointer_values_base,
            e["pointer"].as_str().unwrap()
        );
        assert!(
            ex.mandatory.contains(&pointer),
            "{pointer} is not mandatory"
        );
        let parsed: JsonPointer = pointer.parse().unwrap();
        let ours = parsed
            .resolve(&ex.unsigned)
            .unwrap_or_else(|| panic!("{pointer} selects nothing"));
        assert!(
            same_json(ours, &e["value"]),
            "{pointer}: {ours} vs {}",
            e["value"]
        );
    }
}

fn add_base_transform(ex: &Example) {
    let t = ex.file("addBaseTransform.json");
    assert_eq!(strings(&t["mandatoryPointers"]), ex.mandatory);
    let p = ex.prepared();
    let mandatory = ex.group(&p, &ex.mandatory);
    let ours: Vec<(usize, String)> = mandatory.iter().map(|&i| (i, p.quads[i].clone())).collect();
    assert_eq!(ours, js_map::<usize>(&t["mandatory"]), "mandatory");
    assert_eq!(
        steps::non_mandatory(&p, &mandatory),
        js_map::<usize>(&t["nonMandatory"]),
        "nonMandatory"
    );
    // Upper-case hex here, lower-case in BBSKeyMaterial.json.
    assert_eq!(
        hex::decode(t["hmacKeyString"].as_str().unwrap()).unwrap(),
        hmac_key()
    );
}

fn add_proof_config(ex: &Example) {
    let mut config = ex.file("addProofConfig.json");
    let context = config.as_object_mut().unwrap().remove("@context").unwrap();
    assert_eq!(
        context, ex.unsigned["@context"],
        "the proof config carries the doc's @context"
    );
    let mut proof = ex.signed()["proof"].clone();
    proof.as_object_mut().unwrap().remove("proofValue");
    assert_eq!(proof, config, "{}addProofConfig.json", ex.dir);
}

fn add_proof_config_canon(ex: &Example) {
    assert_eq!(
        steps::canonical_proof_config(&ex.unsigned, &ex.options()).unwrap(),
        ex.text("addProofConfigCanon.txt"),
        "{}addProofConfigCanon.txt",
        ex.dir
    );
}

fn add_hash_data(ex: &Example) {
    let h = ex.file("addHashData.json");
    let p = ex.prepared();
    let mandatory = ex.group(&p, &ex.mandatory);
    let mandatory_hash = steps::mandatory_hash(&p.quads, &mandatory);
    assert_eq!(
        hex::encode(mandatory_hash),
        h["mandatoryHash"].as_str().unwrap()
    );
    // The BBS header of our base proof is proofHash ‖ mandatoryHash.
    let base = parse_base_proof_value(ex.signed()["proof"].as_object().unwrap()).unwrap();
    assert_eq!(
        hex::encode(&base.bbs_header[..32]),
        h["proofHash"].as_str().unwrap()
    );
    assert_eq!(base.bbs_header[32..], mandatory_hash);
}

fn add_raw_base_signature_info(ex: &Example) {
    let base = parse_base_proof_value(ex.signed()["proof"].as_object().unwrap()).unwrap();
    let raw = ex.file("addRawBaseSignatureInfo.json");
    assert_eq!(
        hex::encode(base.signature.to_bytes()),
        raw["bbsSignature"].as_str().unwrap(),
        "{}addRawBaseSignatureInfo.json",
        ex.dir
    );
    assert_eq!(base.mandatory_pointers, strings(&raw["mandatoryPointers"]));
}

/// A secured document equals the step file: the proof byte for byte, the rest as JSON values.
fn assert_same_secured_document(ours: &Value, ex: &Example, file: &str) {
    let expected = ex.file(file);
    assert_eq!(ours["proof"], expected["proof"], "{}{file}: proof", ex.dir);
    assert!(same_json(ours, &expected), "{}{file}: {ours:#}", ex.dir);
}

fn add_signed_sd_base(ex: &Example) {
    assert_same_secured_document(&ex.signed(), ex, "addSignedSDBase.json");
}

/// The holder's check on receipt: the published signed base document verifies; any change to a
/// claim (mandatory or not) or to the proof options does not.
fn add_signed_sd_base_verifies_on_receipt(ex: &Example) {
    let signed = ex.published_signed();
    let keys = StaticResolver::new();
    assert_eq!(
        verify_base_proof(&signed, &keys).unwrap(),
        ex.options().verification_method
    );
    let mut pointers = Vec::new();
    scalar_pointers(&signed, "", &mut pointers);
    pointers.retain(|p| {
        p.starts_with("/credentialSubject") || p == "/issuer" || p.starts_with("/issuer/")
    });
    assert!(pointers.len() >= 3, "{pointers:?}");
    for pointer in pointers.iter().chain(["/proof/created".to_owned()].iter()) {
        let mut t = signed.clone();
        let slot = t.pointer_mut(pointer).unwrap();
        *slot = match slot.clone() {
            _ if pointer == "/proof/created" => Value::from("2023-08-15T23:36:39Z"),
            Value::String(s) => Value::from(format!("{s}x")),
            Value::Number(n) => Value::from(n.as_f64().unwrap() + 1.0),
            Value::Bool(b) => Value::from(!b),
            other => panic!("not a scalar: {other}"),
        };
        let r = verify_base_proof(&t, &keys);
        // A changed type name may no longer expand to an IRI: safe mode refuses the document
        // before the signature is even checked, naming the member.
        let dropped_here = matches!(&r,
            Err(ProofError::Canonicalization(wallet_core::jsonld::JsonLdError::Dropped { path, .. }))
                if path == pointer);
        assert!(
            matches!(r, Err(ProofError::InvalidSignature)) || dropped_here,
            "{}: changing {pointer}: {r:?}",
            ex.dir
        );
    }
}

// ---- derived proof (holder) steps ----

fn derived_recovered_base_data(ex: &Example) {
    let signed = ex.published_signed();
    let base = parse_base_proof_value(signed["proof"].as_object().unwrap()).unwrap();
    let r = ex.file("derivedRecoveredBaseData.json");
    assert_eq!(
        hex::encode(base.signature.to_bytes()),
        r["bbsSignature"].as_str().unwrap()
    );
    assert_eq!(hex::encode(&base.hmac_key), r["hmacKey"].as_str().unwrap());
    assert_eq!(base.mandatory_pointers, strings(&r["mandatoryPointers"]));
}

fn derived_group_indexes(ex: &Example) {
    let d = disclosure_data(&ex.published_signed(), &ex.selective).unwrap();
    let g = ex.file("derivedGroupIndexes.json");
    let v = |s: &BTreeSet<usize>| s.iter().copied().collect::<Vec<_>>();
    assert_eq!(
        v(&d.combined_indexes),
        indexes(&g["combinedIndexes"]),
        "combined"
    );
    assert_eq!(
        v(&d.mandatory_indexes),
        indexes(&g["mandatoryIndexes"]),
        "mandatory"
    );
    assert_eq!(
        v(&d.selective_indexes),
        indexes(&g["selectiveIndexes"]),
        "selective"
    );
}

fn derived_adj_indexes(ex: &Example) {
    let d = disclosure_data(&ex.published_signed(), &ex.selective).unwrap();
    let a = ex.file("derivedAdjIndexes.json");
    assert_eq!(d.adj_mandatory_indexes, indexes(&a["adjMandatoryIndexes"]));
    assert_eq!(d.adj_selective_indexes, indexes(&a["adjSelectiveIndexes"]));
}

fn derived_unsigned_reveal(ex: &Example) {
    let d = disclosure_data(&ex.published_signed(), &ex.selective).unwrap();
    let expected = ex.file("derivedUnsignedReveal.json");
    assert!(
        same_json(&d.reveal_document, &expected),
        "{}derivedUnsignedReveal.json: {:#}",
        ex.dir,
        d.reveal_document
    );
}

fn derived_disclosure_data(ex: &Example) {
    let d = disclosure_data(&ex.published_signed(), &ex.selective).unwrap();
    let expected = ex.file("derivedDisclosureData.json");
    let derived = ex.mocked_derived();
    let value = parse_derived_proof_value(derived["proof"].as_object().unwrap()).unwrap();
    assert_eq!(
        hex::encode(&value.bbs_proof),
        expected["bbsProof"].as_str().unwrap(),
        "bbsProof"
    );
    assert_eq!(
        d.label_map,
        js_map::<String>(&expected["labelMap"]),
        "labelMap"
    );
    assert_eq!(value.label_map, d.label_map);
    assert_eq!(
        d.adj_mandatory_indexes,
        indexes(&expected["mandatoryIndexes"])
    );
    assert_eq!(
        d.adj_selective_indexes,
        indexes(&expected["adjSelectiveIndexes"])
    );
    // A JavaScript Uint8Array: {"0": b0, "1": b1, ...}.
    let ph: BTreeMap<usize, u8> =
        serde_json::from_value(expected["presentationHeader"].clone()).unwrap();
    assert_eq!(ph.into_values().collect::<Vec<_>>(), presentation_header());
    assert_eq!(value.presentation_header, presentation_header());
}

fn derived_reveal_document(ex: &Example) {
    assert_same_secured_document(&ex.mocked_derived(), ex, "derivedRevealDocument.json");
}

// ---- verification and tampering ----

fn derived_document_verifies(ex: &Example) {
    let published = ex.file("derivedRevealDocument.json");
    let r = verify_derived(&published, &StaticResolver::new()).unwrap();
    assert_eq!(r.presentation_header, presentation_header());
    assert_eq!(r.verification_method, ex.options().verification_method);
    // The W3C examples sign an https: issuer with a did:key: valid Data Integrity, but not a
    // credential whose issuer controls the key — which a credential verifier must refuse.
    assert_eq!(
        r.issuer.as_deref(),
        ex.unsigned["issuer"]
            .as_str()
            .or(ex.unsigned["issuer"]["id"].as_str())
    );
    assert!(!r.signed_by_issuer());
    // A fresh, randomized derivation verifies too, and differs from the published one.
    let fresh = derive(&ex.published_signed(), &ex.selective, b"nonce-1").unwrap();
    assert_ne!(
        fresh["proof"]["proofValue"],
        published["proof"]["proofValue"]
    );
    let r = verify_derived(&fresh, &StaticResolver::new()).unwrap();
    assert_eq!(r.presentation_header, b"nonce-1");
}

fn every_single_byte_change_of_the_derived_proof_value_fails(ex: &Example) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let doc = ex.file("derivedRevealDocument.json");
    let pv = doc["proof"]["proofValue"].as_str().unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(&pv[1..]).unwrap();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        let mut t = doc.clone();
        t["proof"]["proofValue"] = format!("u{}", URL_SAFE_NO_PAD.encode(&b)).into();
        assert!(
            verify_derived(&t, &StaticResolver::new()).is_err(),
            "byte {i} accepted"
        );
    }
}

/// Every scalar the holder disclosed (outside `@context` and the proof), changed in turn.
fn scalar_pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if at.is_empty() && (k == "@context" || k == "proof") {
                    continue;
                }
                scalar_pointers(
                    c,
                    &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                scalar_pointers(c, &format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at.to_owned()),
    }
}

fn every_disclosed_value_change_fails(ex: &Example) {
    let doc = ex.file("derivedRevealDocument.json");
    let mut pointers = Vec::new();
    scalar_pointers(&doc, "", &mut pointers);
    assert!(pointers.len() >= 5, "{pointers:?}");
    for pointer in &pointers {
        let mut t = doc.clone();
        let slot = t.pointer_mut(pointer).unwrap();
        *slot = match slot.clone() {
            Value::String(s) => Value::from(format!("{s}x")),
            Value::Number(n) => Value::from(n.as_f64().unwrap() + 1.0),
            Value::Bool(b) => Value::from(!b),
            Value::Null => Value::from(0),
            other => panic!("not a scalar: {other}"),
        };
        let r = verify_derived(&t, &StaticResolver::new());
        assert!(r.is_err(), "{}: changing {pointer} verified", ex.dir);
    }
    // Dropping a disclosed claim breaks the proof as well.
    let mut t = doc.clone();
    let subject = t["credentialSubject"].as_object_mut().unwrap();
    let key = subject
        .keys()
        .find(|k| !["id", "type"].contains(&k.as_str()))
        .cloned()
        .unwrap();
    subject.remove(&key);
    assert!(
        verify_derived(&t, &StaticResolver::new()).is_err(),
        "dropping credentialSubject.{key} verified"
    );
}

fn selective_pointers_that_select_nothing_are_errors(ex: &Example) {
    for bad in [
        "/credentialSubject/nothing",
        "credentialSubject",
        "/credentialSubject/~2",
    ] {
        let r = derive(&ex.published_signed(), &[bad.into()], b"");
        assert!(matches!(r, Err(ProofError::Malformed(_))), "{bad}: {r:?}");
    }
}

/// The windsurf example defines its vocabulary in an inline context (`windDoc.json`), which safe
/// mode refuses unless the caller pins it: the tests trust exactly that one object.
fn vectors_policy() -> wallet_core::jsonld::ContextPolicy {
    wallet_core::jsonld::ContextPolicy::bundled()
        .trust_inline(json("windDoc.json")["@context"][1].clone())
}

/// One `#[test]` per step file and check, for each example, under [`vectors_policy`].
macro_rules! example_tests {
    ($example:ident: $($step:ident),+ $(,)?) => {
        mod $example {
            $(
                #[test]
                fn $step() {
                    wallet_core::jsonld::with_context_policy(&super::vectors_policy(), || {
                        super::$step(&super::$example())
                    });
                }
            )+
        }
    };
}

example_tests!(windsurf:
    add_base_doc_canon, add_base_doc_hmac_canon, add_pointer_values, add_base_transform,
    add_proof_config, add_proof_config_canon, add_hash_data, add_raw_base_signature_info,
    add_signed_sd_base, add_signed_sd_base_verifies_on_receipt, derived_recovered_base_data, derived_group_indexes, derived_adj_indexes,
    derived_unsigned_reveal, derived_disclosure_data, derived_reveal_document,
    derived_document_verifies, every_single_byte_change_of_the_derived_proof_value_fails,
    every_disclosed_value_change_fails, selective_pointers_that_select_nothing_are_errors,
);

example_tests!(permanent_resident:
    add_base_doc_canon, add_base_doc_hmac_canon, add_pointer_values, add_base_transform,
    add_proof_config, add_proof_config_canon, add_hash_data, add_raw_base_signature_info,
    add_signed_sd_base, add_signed_sd_base_verifies_on_receipt, derived_recovered_base_data, derived_group_indexes, derived_adj_indexes,
    derived_unsigned_reveal, derived_disclosure_data, derived_reveal_document,
    derived_document_verifies, every_single_byte_change_of_the_derived_proof_value_fails,
    every_disclosed_value_change_fails, selective_pointers_that_select_nothing_are_errors,
    derived_all_group_data, verify_derived_proof_value, verify_n_quads,
);

// ---- step files only the permanent-resident example has ----

/// `prc/derivedAllGroupData.json`: the matching / non-matching quads of the selective, mandatory
/// and combined groups, and the HMAC-relabelled quads. Its skolem ids are random UUIDs of the
/// generator's run, so the deskolemized group quads are compared after mapping them through the
/// file's own label map.
fn derived_all_group_data(ex: &Example) {
    let all = ex.file("derivedAllGroupData.json");
    let p = ex.prepared();
    assert_eq!(p.quads, strings(&all["nquads"]), "nquads");
    let base = parse_base_proof_value(ex.published_signed()["proof"].as_object().unwrap()).unwrap();
    let their_labels: BTreeMap<String, String> =
        js_map::<String>(&all["labelMap"]).into_iter().collect();
    let mut ours: Vec<&String> = p.label_map.values().collect();
    let mut theirs: Vec<&String> = their_labels.values().collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs, "HMAC labels");
    let combined: Vec<String> = base
        .mandatory_pointers
        .iter()
        .chain(&ex.selective)
        .cloned()
        .collect();
    for (name, pointers) in [
        ("selective", ex.selective.clone()),
        ("mandatory", base.mandatory_pointers.clone()),
        ("combined", combined),
    ] {
        let g = &all["groups"][name];
        let set = ex.group(&p, &pointers);
        let matching: Vec<(usize, String)> = set.iter().map(|&i| (i, p.quads[i].clone())).collect();
        let non_matching: Vec<(usize, String)> = (0..p.quads.len())
            .filter(|i| !set.contains(i))
            .map(|i| (i, p.quads[i].clone()))
            .collect();
        assert_eq!(matching, js_map::<usize>(&g["matching"]), "{name} matching");
        assert_eq!(
            non_matching,
            js_map::<usize>(&g["nonMatching"]),
            "{name} nonMatching"
        );
        let mut relabelled: Vec<String> = strings(&g["deskolemizedNQuads"])
            .iter()
            .map(|q| {
                their_labels.iter().fold(q.clone(), |q, (id, b)| {
                    q.replace(&format!("_:{id} "), &format!("_:{b} "))
                })
            })
            .collect();
        relabelled.sort();
        let mut matching_quads: Vec<String> = matching.into_iter().map(|(_, q)| q).collect();
        matching_quads.sort();
        assert_eq!(relabelled, matching_quads, "{name} deskolemizedNQuads");
    }
}

/// `prc/verifyDerivedProofValue.json`: the verifier's parse of the derived proof value.
fn verify_derived_proof_value(ex: &Example) {
    let expected = ex.file("verifyDerivedProofValue.json");
    let doc = ex.file("derivedRevealDocument.json");
    let value = parse_derived_proof_value(doc["proof"].as_object().unwrap()).unwrap();
    assert_eq!(
        hex::encode(&value.bbs_proof),
        expected["bbsProof"].as_str().unwrap()
    );
    let labels: Vec<(String, String)> =
        serde_json::from_value(expected["labelMap"].clone()).unwrap();
    assert_eq!(value.label_map, labels, "labelMap");
    assert_eq!(
        value.mandatory_indexes,
        indexes(&expected["mandatoryIndexes"])
    );
    assert_eq!(
        value.selective_indexes,
        indexes(&expected["adjSelectedIndexes"])
    );
    assert_eq!(value.presentation_header, presentation_header());
}

/// `prc/verifyNQuads.json`: the reveal document's quads as the verifier rebuilds them, with the
/// issuer's HMAC labels restored.
fn verify_n_quads(ex: &Example) {
    let data = verify_data(&ex.file("derivedRevealDocument.json")).unwrap();
    assert_eq!(data.quads, strings(&ex.file("verifyNQuads.json")));
}

mod hostile {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

    /// A derived proof is the issuer's assertion: any other proofPurpose is refused before the
    /// key is even looked up.
    #[test]
    fn other_proof_purposes_are_refused() {
        wallet_core::jsonld::with_context_policy(&vectors_policy(), || {
            for purpose in ["authentication", "capabilityInvocation", "assertion"] {
                let mut doc = json("derivedRevealDocument.json");
                doc["proof"]["proofPurpose"] = purpose.into();
                assert!(
                    matches!(
                        verify_derived(&doc, &StaticResolver::new()),
                        Err(ProofError::ContextMismatch {
                            what: "proofPurpose"
                        })
                    ),
                    "{purpose}"
                );
            }
        });
    }

    /// Another proof type or cryptosuite is refused as unsupported, before its proof value is
    /// parsed.
    #[test]
    fn other_suites_are_unsupported() {
        wallet_core::jsonld::with_context_policy(&vectors_policy(), || {
            for (key, value) in [
                ("cryptosuite", "ecdsa-sd-2023"),
                ("cryptosuite", "bbs-2022"),
                ("type", "Ed25519Signature2020"),
            ] {
                let mut doc = json("derivedRevealDocument.json");
                doc["proof"][key] = value.into();
                doc["proof"]["proofValue"] = "zNotEvenBase64url".into();
                let r = verify_derived(&doc, &StaticResolver::new());
                assert!(
                    matches!(r, Err(ProofError::Unsupported { .. })),
                    "{value}: {r:?}"
                );
            }
        });
    }

    /// On receipt, a base proof whose verification method resolves to another BBS key than the
    /// one in its proof value is refused: the holder must not store a credential the issuer's
    /// published key did not sign.
    #[test]
    fn base_proof_under_another_published_key_is_refused() {
        wallet_core::jsonld::with_context_policy(&vectors_policy(), || {
            use wallet_core::di::PublicKeyMaterial;
            let signed = json("addSignedSDBase.json");
            let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
            let other = bbs::SecretKey::from_bytes(&[9u8; 32]).unwrap();
            let pinned = StaticResolver::new().with(
                vm,
                PublicKeyMaterial::Bls12381G2(Box::new(other.public_key().clone())),
            );
            let r = verify_base_proof(&signed, &pinned);
            assert!(
                matches!(r, Err(ProofError::VerificationMethod { .. })),
                "{r:?}"
            );
        });
    }

    /// A presentation padded with blank nodes RDFC-1.0 cannot tell apart (a "poison" dataset)
    /// is refused by the verifier with a canonicalization error, not worked on for minutes.
    #[test]
    fn poisoned_reveal_documents_are_refused() {
        wallet_core::jsonld::with_context_policy(&vectors_policy(), || {
            let mut doc = json("derivedRevealDocument.json");
            let n = 10;
            let poison: Vec<Value> = (0..n)
                .map(|i| {
                    let links: Vec<Value> = (0..n)
                        .filter(|&j| j != i)
                        .map(|j| serde_json::json!({"@id": format!("_:p{j}")}))
                        .collect();
                    serde_json::json!({"@id": format!("_:p{i}"), "link": links})
                })
                .collect();
            doc["credentialSubject"]["extra"] = Value::Array(poison);
            let r = verify_derived(&doc, &StaticResolver::new());
            assert!(
                matches!(
                    r,
                    Err(ProofError::Canonicalization(
                        wallet_core::jsonld::JsonLdError::CanonicalizationTooComplex
                    ))
                ),
                "{r:?}"
            );
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary bytes after the derived-proof header never panic and never verify.
        #[test]
        fn arbitrary_derived_proof_values(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut doc = json("derivedRevealDocument.json");
            let bytes = [&[0xd9u8, 0x5d, 0x03][..], &tail].concat();
            doc["proof"]["proofValue"] = format!("u{}", URL_SAFE_NO_PAD.encode(bytes)).into();
            prop_assert!(verify_derived(&doc, &StaticResolver::new()).is_err());
        }

        /// Arbitrary selective pointers never panic: they select something or are an error.
        #[test]
        fn arbitrary_selective_pointers(p in "(/[a-zA-Z0-9~]{0,12}){0,4}") {
            let _ = disclosure_data(&json("addSignedSDBase.json"), &[p]);
        }
    }
}
