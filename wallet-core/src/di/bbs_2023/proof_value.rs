//! The CBOR proof values of `bbs-2023`: base (header 0xd95d02, § 3.3.6 / 3.3.8) and derived
//! (header 0xd95d03, § 3.3.9 / 3.3.11), multibase base64url.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{BASE_HEADER, DERIVED_HEADER};
use crate::bbs::{self, Bls12381Sha256};
use crate::di::ProofError;
use crate::di::cbor::Cbor;

/// The longest `proofValue` read, base or derived. Base64url decoding is linear, but nothing
/// should be decoded that cannot be valid: a proof value sits inside a document, and no document
/// over [`MAX_DOCUMENT_BYTES`](crate::jsonld::MAX_DOCUMENT_BYTES) is canonicalized. (The largest
/// derived proof, hiding [`MAX_MESSAGES`](crate::bbs::MAX_MESSAGES) messages, is about 128 KiB of
/// BBS proof, 175 k characters.)
pub const MAX_PROOF_VALUE_LEN: usize = crate::jsonld::MAX_DOCUMENT_BYTES;

pub(super) fn proof_value_bytes(
    proof: &Map<String, Value>,
    header: [u8; 3],
) -> Result<Cbor, ProofError> {
    let pv = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no proofValue".into()))?;
    if pv.len() > MAX_PROOF_VALUE_LEN {
        return Err(ProofError::TooLong {
            what: "proofValue",
            length: pv.len(),
            limit: MAX_PROOF_VALUE_LEN,
        });
    }
    let bytes = pv
        .strip_prefix('u')
        .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
        .ok_or_else(|| ProofError::ProofValue("not base64url multibase".into()))?;
    let body = bytes
        .strip_prefix(&header[..])
        .ok_or_else(|| ProofError::ProofValue("wrong bbs-2023 proof header".into()))?;
    Cbor::decode(body).map_err(ProofError::ProofValue)
}

pub(super) fn encode_proof_value(header: [u8; 3], body: &Cbor) -> String {
    let mut out = header.to_vec();
    body.encode(&mut out);
    format!("u{}", URL_SAFE_NO_PAD.encode(out))
}

/// The parts of a base proof value (`parseBaseProofValue`, § 3.3.8).
#[derive(Clone)]
pub struct BaseProofValue {
    /// The BBS signature.
    pub signature: bbs::Signature<Bls12381Sha256>,
    /// `proofHash ‖ mandatoryHash`.
    pub bbs_header: Vec<u8>,
    /// The issuer's BBS public key.
    pub public_key: bbs::PublicKey,
    /// The HMAC key.
    pub hmac_key: zeroize::Zeroizing<Vec<u8>>,
    /// The mandatory pointers.
    pub mandatory_pointers: Vec<String>,
}

/// The HMAC key is the holder's secret (it would let a verifier link the blank-node labels of
/// different presentations), so `Debug` leaves it out.
impl std::fmt::Debug for BaseProofValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseProofValue")
            .field("signature", &self.signature)
            .field("bbs_header", &hex::encode(&self.bbs_header))
            .field("public_key", &self.public_key)
            .field("mandatory_pointers", &self.mandatory_pointers)
            .finish_non_exhaustive()
    }
}

/// Parses the proof value of a base proof.
///
/// # Errors
/// [`ProofError::ProofValue`].
pub fn parse_base_proof_value(proof: &Map<String, Value>) -> Result<BaseProofValue, ProofError> {
    let bad = |w: &str| ProofError::ProofValue(w.to_owned());
    let Cbor::Array(items) = proof_value_bytes(proof, BASE_HEADER)? else {
        return Err(bad("not an array"));
    };
    let [
        Cbor::Bytes(sig),
        Cbor::Bytes(header),
        Cbor::Bytes(pk),
        Cbor::Bytes(hmac),
        Cbor::Array(ptrs),
    ] = &items[..]
    else {
        return Err(bad("unexpected base proof layout"));
    };
    Ok(BaseProofValue {
        signature: bbs::Signature::from_bytes(sig)
            .map_err(|e| ProofError::ProofValue(e.to_string()))?,
        bbs_header: header.clone(),
        public_key: bbs::PublicKey::from_bytes(pk)
            .map_err(|e| ProofError::ProofValue(e.to_string()))?,
        hmac_key: zeroize::Zeroizing::new(hmac.clone()),
        mandatory_pointers: ptrs
            .iter()
            .map(|p| match p {
                Cbor::Text(t) => Ok(t.clone()),
                _ => Err(bad("a mandatory pointer is not text")),
            })
            .collect::<Result<_, _>>()?,
    })
}

pub(super) fn label_number(label: &str, prefix: &str) -> Result<u64, ProofError> {
    label
        .strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ProofError::Malformed(format!("label {label:?} is not {prefix}N")))
}

/// The parts of a derived proof value (`parseDerivedProofValue`, § 3.3.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedProofValue {
    /// The BBS proof bytes.
    pub bbs_proof: Vec<u8>,
    /// Verifier's canonical label (`c14nN`) → HMAC label (`bN`), in proof-value order.
    pub label_map: Vec<(String, String)>,
    /// Mandatory indexes, relative to the disclosed quads (`adjMandatoryIndexes`).
    pub mandatory_indexes: Vec<usize>,
    /// Selective indexes, relative to the signed non-mandatory quads (`adjSelectiveIndexes`).
    pub selective_indexes: Vec<usize>,
    /// The presentation header the proof is bound to.
    pub presentation_header: Vec<u8>,
}

/// Parses the proof value of a derived proof (§ 3.3.11).
///
/// # Errors
/// [`ProofError::ProofValue`] naming what is malformed; [`ProofError::LabelMapNotInjective`]
/// when two canonical labels map to one HMAC label or a canonical label is listed twice.
pub fn parse_derived_proof_value(
    proof: &Map<String, Value>,
) -> Result<DerivedProofValue, ProofError> {
    let bad = |w: &str| ProofError::ProofValue(w.to_owned());
    let Cbor::Array(items) = proof_value_bytes(proof, DERIVED_HEADER)? else {
        return Err(bad("not an array"));
    };
    let [
        Cbor::Bytes(bbs_proof),
        Cbor::Map(compressed),
        Cbor::Array(mandatory),
        Cbor::Array(selective),
        Cbor::Bytes(ph),
    ] = &items[..]
    else {
        return Err(bad("unexpected derived proof layout"));
    };
    let uint = |c: &Cbor| match c {
        Cbor::Uint(n) => usize::try_from(*n).map_err(|_| bad("index out of range")),
        _ => Err(bad("expected an unsigned integer")),
    };
    let label_map: Vec<(String, String)> = compressed
        .iter()
        .map(|(k, v)| Ok((format!("c14n{}", uint(k)?), format!("b{}", uint(v)?))))
        .collect::<Result<_, ProofError>>()?;
    // The map relabels the verifier's canonical blank nodes with the issuer's HMAC labels; it
    // must be one-to-one on both sides, or two revealed nodes would both stand for one signed
    // node (the relabelled quads would merge them).
    let mut c14n_seen = HashSet::with_capacity(label_map.len());
    let mut hmac_seen = HashSet::with_capacity(label_map.len());
    for (c14n, hmac) in &label_map {
        for (seen, label) in [(&mut c14n_seen, c14n), (&mut hmac_seen, hmac)] {
            if !seen.insert(label.as_str()) {
                return Err(ProofError::LabelMapNotInjective {
                    label: label.clone(),
                });
            }
        }
    }
    Ok(DerivedProofValue {
        bbs_proof: bbs_proof.clone(),
        label_map,
        mandatory_indexes: mandatory.iter().map(uint).collect::<Result<_, _>>()?,
        selective_indexes: selective.iter().map(uint).collect::<Result<_, _>>()?,
        presentation_header: ph.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
    use super::*;

    /// A real derived proof whose label map is re-encoded with `edit` applied, verified.
    fn verify_with_edited_label_map(
        edit: impl FnOnce(&mut Vec<(Cbor, Cbor)>),
    ) -> Result<crate::di::bbs_2023::VerifiedDerived, ProofError> {
        use crate::di::bbs_2023::{DERIVED_HEADER, derive, issue, verify_derived};
        use crate::di::eddsa_rdfc_2022::ProofOptions;
        use crate::di::{Multikey, StaticResolver};
        let sk = bbs::SecretKey::from_bytes(&[5u8; 32]).unwrap();
        let mk = Multikey::encode_bls12_381_g2_public(sk.public_key());
        // Two blank nodes: the credential and its subject.
        let credential = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential"],
            "issuer": format!("did:key:{mk}"),
            "credentialSubject": {"ageOver18": true, "name": "Ada"}
        });
        let options = ProofOptions {
            verification_method: format!("did:key:{mk}#{mk}"),
            proof_purpose: crate::di::ProofPurpose::AssertionMethod,
            created: None,
            challenge: None,
            domain: None,
        };
        let signed = issue(&credential, &sk, &["/issuer".into()], &options).unwrap();
        let mut shown = derive(&signed, &["/credentialSubject/ageOver18".into()], b"n").unwrap();
        let keys = StaticResolver::new();
        assert!(verify_derived(&shown, &keys).is_ok());
        let proof = shown["proof"].as_object_mut().unwrap();
        let Cbor::Array(mut items) = proof_value_bytes(proof, DERIVED_HEADER).unwrap() else {
            panic!("not an array")
        };
        let Cbor::Map(label_map) = &mut items[1] else {
            panic!("no label map")
        };
        assert_eq!(label_map.len(), 2, "{label_map:?}");
        edit(label_map);
        let value = encode_proof_value(DERIVED_HEADER, &Cbor::Array(items));
        proof.insert("proofValue".into(), value.into());
        verify_derived(&shown, &keys)
    }

    #[test]
    fn a_label_map_that_merges_two_blank_nodes_is_refused() {
        let mut merged = None;
        let r = verify_with_edited_label_map(|m| {
            m[1].1 = m[0].1.clone();
            merged = Some(m[0].1.clone());
        });
        let Some(Cbor::Uint(b)) = merged else {
            panic!("no label")
        };
        assert!(
            matches!(&r, Err(ProofError::LabelMapNotInjective { label }) if *label == format!("b{b}")),
            "{r:?}"
        );
        let r = verify_with_edited_label_map(|m| m[1].0 = m[0].0.clone());
        assert!(
            matches!(&r, Err(ProofError::LabelMapNotInjective { label }) if label.starts_with("c14n")),
            "{r:?}"
        );
    }

    #[test]
    fn proof_values_beyond_the_bound_are_refused_before_decoding() {
        let mut proof = Map::new();
        let long = format!("u{}", "A".repeat(MAX_PROOF_VALUE_LEN));
        proof.insert("proofValue".into(), long.into());
        for r in [
            parse_derived_proof_value(&proof).map(drop),
            parse_base_proof_value(&proof).map(drop),
        ] {
            assert!(
                matches!(
                    r,
                    Err(ProofError::TooLong {
                        what: "proofValue",
                        length,
                        limit: MAX_PROOF_VALUE_LEN
                    }) if length == MAX_PROOF_VALUE_LEN + 1
                ),
                "{r:?}"
            );
        }
    }

    #[test]
    fn debug_leaves_out_the_hmac_key() {
        let sk = bbs::SecretKey::from_bytes(&[7u8; 32]).unwrap();
        let signature = sk.sign::<Bls12381Sha256, &[u8]>(b"h", &[]).unwrap();
        let key = [0xabu8; 32];
        let value = BaseProofValue {
            signature,
            bbs_header: vec![1, 2],
            public_key: sk.public_key().clone(),
            hmac_key: zeroize::Zeroizing::new(key.to_vec()),
            mandatory_pointers: vec!["/issuer".into()],
        };
        let shown = format!("{value:?}");
        assert!(shown.contains("/issuer"), "{shown}");
        assert!(!shown.contains(&hex::encode(key)), "{shown}");
        assert!(!shown.contains("171, 171"), "{shown}");
    }
}
