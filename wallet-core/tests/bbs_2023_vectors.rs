//! `bbs-2023` against the W3C vc-di-bbs test vectors (tests/data/di/bbs-2023, see SOURCE.md),
//! windsurf example: one test per step file, byte for byte, then verification and tampering.
//! (The permanent-resident example is blocked by the oxjsonld bug noted in jsonld_vectors.rs.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use sha2::{Digest, Sha256};
use wallet_core::bbs::{self, Bls12381Sha256, hazmat::MockedRng};
use wallet_core::di::bbs_2023::{
    create_base_proof, derive, derive_mocked, disclosure_data, parse_base_proof_value, steps,
    verify_derived,
};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{ProofError, StaticResolver};

fn json(p: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/di/bbs-2023")
        .join(p);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{p}: {e}")))
        .unwrap()
}

fn text(p: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/di/bbs-2023")
            .join(p),
    )
    .unwrap()
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

fn options() -> ProofOptions {
    let c = json("addProofConfig.json");
    ProofOptions {
        verification_method: c["verificationMethod"].as_str().unwrap().into(),
        proof_purpose: c["proofPurpose"].as_str().unwrap().into(),
        created: c["created"].as_str().map(Into::into),
        challenge: None,
        domain: None,
    }
}

fn mandatory_pointers() -> Vec<String> {
    strings(&json("windMandatory.json"))
}

fn selective_pointers() -> Vec<String> {
    strings(&json("windSelective.json"))
}

fn prepared() -> steps::Prepared {
    steps::prepare(&json("windDoc.json"), &hmac_key()).unwrap()
}

fn map_pairs(v: &Value) -> Vec<(usize, String)> {
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_u64().unwrap() as usize,
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn mandatory_group(p: &steps::Prepared) -> BTreeSet<usize> {
    let ptrs: Vec<_> = mandatory_pointers()
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    steps::group(p, &ptrs).unwrap()
}

#[test]
fn add_base_doc_hmac_canon() {
    assert_eq!(
        prepared().quads,
        strings(&json("addBaseDocHMACCanon.json")),
        "addBaseDocHMACCanon.json"
    );
}

#[test]
fn add_base_transform() {
    let t = json("addBaseTransform.json");
    assert_eq!(strings(&t["mandatoryPointers"]), mandatory_pointers());
    let p = prepared();
    let mandatory = mandatory_group(&p);
    let ours: Vec<(usize, String)> = mandatory.iter().map(|&i| (i, p.quads[i].clone())).collect();
    assert_eq!(
        ours,
        map_pairs(&t["mandatory"]),
        "addBaseTransform.json mandatory"
    );
    assert_eq!(
        steps::non_mandatory(&p, &mandatory),
        map_pairs(&t["nonMandatory"]),
        "addBaseTransform.json nonMandatory"
    );
}

#[test]
fn add_proof_config_canon() {
    let mut config = json("addProofConfig.json");
    config.as_object_mut().unwrap().remove("@context");
    let doc = json("windDoc.json");
    // The shared proof-configuration step, through the bbs-2023 base proof's own path.
    let signed = create_base_proof(
        &doc,
        &secret_key(),
        &hmac_key(),
        &mandatory_pointers(),
        &options(),
    )
    .unwrap();
    let mut proof = signed["proof"].clone();
    proof.as_object_mut().unwrap().remove("proofValue");
    assert_eq!(proof, config, "addProofConfig.json");
    let canonical = wallet_core::jsonld::canonicalize(&json("addProofConfig.json"))
        .unwrap()
        .concat();
    assert_eq!(
        canonical,
        text("addProofConfigCanon.txt"),
        "addProofConfigCanon.txt"
    );
}

#[test]
fn add_hash_data() {
    let h = json("addHashData.json");
    let p = prepared();
    let mandatory = mandatory_group(&p);
    assert_eq!(
        hex::encode(steps::mandatory_hash(&p.quads, &mandatory)),
        h["mandatoryHash"].as_str().unwrap(),
        "mandatoryHash"
    );
    assert_eq!(
        hex::encode(Sha256::digest(text("addProofConfigCanon.txt").as_bytes())),
        h["proofHash"].as_str().unwrap(),
        "proofHash"
    );
}

#[test]
fn add_raw_base_signature_and_signed_base_document() {
    let signed = create_base_proof(
        &json("windDoc.json"),
        &secret_key(),
        &hmac_key(),
        &mandatory_pointers(),
        &options(),
    )
    .unwrap();
    let base = parse_base_proof_value(signed["proof"].as_object().unwrap()).unwrap();
    let raw = json("addRawBaseSignatureInfo.json");
    assert_eq!(
        hex::encode(base.signature.to_bytes()),
        raw["bbsSignature"].as_str().unwrap(),
        "addRawBaseSignatureInfo.json"
    );
    assert_eq!(base.mandatory_pointers, strings(&raw["mandatoryPointers"]));
    let expected = json("addSignedSDBase.json");
    assert_eq!(
        signed["proof"], expected["proof"],
        "addSignedSDBase.json proof"
    );
    assert!(
        same_json(&signed, &expected),
        "addSignedSDBase.json: {signed:#}"
    );
}

#[test]
fn derived_recovered_base_data() {
    let signed = json("addSignedSDBase.json");
    let base = parse_base_proof_value(signed["proof"].as_object().unwrap()).unwrap();
    let r = json("derivedRecoveredBaseData.json");
    assert_eq!(
        hex::encode(base.signature.to_bytes()),
        r["bbsSignature"].as_str().unwrap()
    );
    assert_eq!(hex::encode(&base.hmac_key), r["hmacKey"].as_str().unwrap());
    assert_eq!(base.mandatory_pointers, strings(&r["mandatoryPointers"]));
}

#[test]
fn derived_group_and_adjusted_indexes_and_reveal_document() {
    let d = disclosure_data(&json("addSignedSDBase.json"), &selective_pointers()).unwrap();
    let g = json("derivedGroupIndexes.json");
    let idx = |v: &Value| -> Vec<usize> { serde_json::from_value(v.clone()).unwrap() };
    assert_eq!(
        d.combined_indexes.iter().copied().collect::<Vec<_>>(),
        idx(&g["combinedIndexes"]),
        "combinedIndexes"
    );
    assert_eq!(
        d.mandatory_indexes.iter().copied().collect::<Vec<_>>(),
        idx(&g["mandatoryIndexes"]),
        "mandatoryIndexes"
    );
    assert_eq!(
        d.selective_indexes.iter().copied().collect::<Vec<_>>(),
        idx(&g["selectiveIndexes"]),
        "selectiveIndexes"
    );
    let a = json("derivedAdjIndexes.json");
    assert_eq!(
        d.adj_mandatory_indexes,
        idx(&a["adjMandatoryIndexes"]),
        "adjMandatoryIndexes"
    );
    assert_eq!(
        d.adj_selective_indexes,
        idx(&a["adjSelectiveIndexes"]),
        "adjSelectiveIndexes"
    );
    assert_eq!(
        d.reveal_document,
        json("derivedUnsignedReveal.json"),
        "derivedUnsignedReveal.json"
    );
    let labels: Vec<(String, String)> = json("derivedDisclosureData.json")["labelMap"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(d.label_map, labels, "derivedDisclosureData.json labelMap");
}

fn mocked_derived() -> Value {
    let m = json("BBSDeriveMaterial.json");
    let ph = hex::decode(m["presentationHeaderHex"].as_str().unwrap()).unwrap();
    let seed = hex::decode(m["pseudoRandSeedHex"].as_str().unwrap()).unwrap();
    // The vector generator seeded the draft's mocked random scalars with the *api_id* as DST
    // (`BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_`), not the IETF fixtures'
    // `..._MOCK_RANDOM_SCALARS_DST_`; of the candidates tried, only this one reproduces the proof.
    let dst = bbs::hazmat::map_message_dst::<Bls12381Sha256>()
        .strip_suffix(b"MAP_MSG_TO_SCALAR_AS_HASH_")
        .unwrap()
        .to_vec();
    derive_mocked(
        &json("addSignedSDBase.json"),
        &selective_pointers(),
        &ph,
        MockedRng {
            seed: &seed,
            dst: &dst,
        },
    )
    .unwrap()
}

#[test]
fn derived_disclosure_data_and_reveal_document() {
    let derived = mocked_derived();
    assert_eq!(
        derived,
        json("derivedRevealDocument.json"),
        "derivedRevealDocument.json"
    );
}

#[test]
fn derived_document_verifies() {
    let r = verify_derived(&json("derivedRevealDocument.json"), &StaticResolver::new()).unwrap();
    assert_eq!(r.presentation_header, vec![0x11, 0x33, 0x77, 0xaa]);
    // A fresh, randomized derivation verifies too, and differs from the first.
    let fresh = derive(
        &json("addSignedSDBase.json"),
        &selective_pointers(),
        b"nonce-1",
    )
    .unwrap();
    assert_ne!(
        fresh["proof"]["proofValue"],
        json("derivedRevealDocument.json")["proof"]["proofValue"]
    );
    assert_eq!(
        verify_derived(&fresh, &StaticResolver::new())
            .unwrap()
            .presentation_header,
        b"nonce-1"
    );
}

#[test]
fn every_single_byte_change_of_the_derived_proof_value_fails() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let doc = json("derivedRevealDocument.json");
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

#[test]
fn every_disclosed_value_change_fails() {
    let doc = json("derivedRevealDocument.json");
    for (pointer, value) in [
        ("/issuer", Value::from("https://vc.example/other")),
        ("/credentialSubject/sailNumber", Value::from("Mars101")),
        ("/credentialSubject/sails/0/size", Value::from(6.2)),
        ("/credentialSubject/sails/1/year", Value::from(2021)),
        ("/credentialSubject/boards/0/year", Value::from(2023)),
        ("/credentialSubject/boards/1/brand", Value::from("Naish")),
    ] {
        let mut t = doc.clone();
        *t.pointer_mut(pointer).unwrap() = value;
        assert!(
            matches!(
                verify_derived(&t, &StaticResolver::new()),
                Err(ProofError::InvalidSignature | ProofError::ProofValue(_))
            ),
            "{pointer}"
        );
    }
    // Removing a disclosed board breaks the proof as well.
    let mut t = doc.clone();
    t["credentialSubject"]["boards"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert!(verify_derived(&t, &StaticResolver::new()).is_err());
}

#[test]
fn selective_pointers_that_select_nothing_are_errors() {
    let r = derive(
        &json("addSignedSDBase.json"),
        &["/credentialSubject/nothing".into()],
        b"",
    );
    assert!(matches!(r, Err(ProofError::Malformed(_))), "{r:?}");
    let r = derive(
        &json("addSignedSDBase.json"),
        &["credentialSubject".into()],
        b"",
    );
    assert!(matches!(r, Err(ProofError::Malformed(_))), "{r:?}");
}

/// The permanent-resident example (`prc/`): base proof, disclosure data and derived document,
/// byte for byte. Its credentialSubject has the types `["Person", "PermanentResident"]`, which
/// needs the vendored oxjsonld fix (vendor/README.md).
#[test]
fn permanent_resident_example_all_steps() {
    let signed_expected = json("prc/addSignedSDBase.json");
    let mut unsigned = signed_expected.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let mandatory = strings(&json("prCredMandatory.json"));
    let selective = strings(&json("prCredSelective.json"));
    let prepared = steps::prepare(&unsigned, &hmac_key()).unwrap();
    assert_eq!(
        prepared.quads,
        strings(&json("prc/addBaseDocHMACCanon.json")),
        "prc/addBaseDocHMACCanon.json"
    );
    let c = json("prc/addProofConfig.json");
    let opts = ProofOptions {
        verification_method: c["verificationMethod"].as_str().unwrap().into(),
        proof_purpose: c["proofPurpose"].as_str().unwrap().into(),
        created: c["created"].as_str().map(Into::into),
        challenge: None,
        domain: None,
    };
    let signed =
        create_base_proof(&unsigned, &secret_key(), &hmac_key(), &mandatory, &opts).unwrap();
    assert!(
        same_json(&signed, &signed_expected),
        "prc/addSignedSDBase.json"
    );
    let d = disclosure_data(&signed_expected, &selective).unwrap();
    assert!(
        same_json(&d.reveal_document, &json("prc/derivedUnsignedReveal.json")),
        "prc/derivedUnsignedReveal.json"
    );
    let expected = json("prc/derivedRevealDocument.json");
    verify_derived(&expected, &StaticResolver::new()).unwrap();
}

mod hostile {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use proptest::prelude::*;

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
