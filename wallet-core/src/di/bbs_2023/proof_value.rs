//! The CBOR proof values of `bbs-2023`: base (header 0xd95d02, § 3.3.6 / 3.3.8) and derived
//! (header 0xd95d03, § 3.3.9 / 3.3.11), multibase base64url.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{BASE_HEADER, DERIVED_HEADER};
use crate::bbs::{self, Bls12381Sha256};
use crate::di::ProofError;
use crate::di::cbor::Cbor;

pub(super) fn proof_value_bytes(
    proof: &Map<String, Value>,
    header: [u8; 3],
) -> Result<Cbor, ProofError> {
    let pv = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no proofValue".into()))?;
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
/// [`ProofError::ProofValue`] naming what is malformed.
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
    Ok(DerivedProofValue {
        bbs_proof: bbs_proof.clone(),
        label_map: compressed
            .iter()
            .map(|(k, v)| Ok((format!("c14n{}", uint(k)?), format!("b{}", uint(v)?))))
            .collect::<Result<_, ProofError>>()?,
        mandatory_indexes: mandatory.iter().map(uint).collect::<Result<_, _>>()?,
        selective_indexes: selective.iter().map(uint).collect::<Result<_, _>>()?,
        presentation_header: ph.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

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
