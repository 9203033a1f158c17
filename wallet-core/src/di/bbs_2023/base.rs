//! The issuer's base proof (§ 3.3.1–3.3.6), and the holder's check of it on receipt.

use serde_json::Value;

use super::proof_value::encode_proof_value;
use super::{
    BASE_HEADER, CRYPTOSUITE, issuer_bbs_key, open_assertion, parse_base_proof_value,
    parse_pointers, steps,
};
use crate::bbs::{self, Bls12381Sha256};
use crate::di::cbor::Cbor;
use crate::di::eddsa_rdfc_2022::ProofOptions;
use crate::di::{KeyResolver, ProofError, proof_config};

/// What the issuer's BBS signature covers (§ 3.3.2–3.3.5): the header `proofHash ‖
/// mandatoryHash` and, as messages, the HMAC-relabelled quads the mandatory pointers leave out.
fn signing_input(
    unsecured: &Value,
    hmac_key: &[u8],
    mandatory_pointers: &[String],
    canonical_config: &str,
) -> Result<(Vec<u8>, Vec<String>), ProofError> {
    let prepared = steps::prepare(unsecured, hmac_key)?;
    let mandatory = steps::group(&prepared, &parse_pointers(mandatory_pointers)?)?;
    let header = steps::bbs_header(
        canonical_config,
        &steps::mandatory_hash(&prepared.quads, &mandatory),
    );
    let messages = steps::non_mandatory(&prepared, &mandatory)
        .into_iter()
        .map(|(_, q)| q)
        .collect();
    Ok((header, messages))
}

/// Creates a base proof (issuer). `hmac_key` must be 32 fresh random bytes per credential
/// ([`issue`] draws one); the vectors fix it to reproduce the W3C files.
///
/// # Errors
/// [`ProofError`] naming the failing step.
pub fn create_base_proof(
    document: &Value,
    key: &bbs::SecretKey,
    hmac_key: &[u8; 32],
    mandatory_pointers: &[String],
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    let proof = crate::di::proof_options_value(options, CRYPTOSUITE)?;
    sign_base(document, key, hmac_key, mandatory_pointers, proof)
}

/// [`create_base_proof`] with the proof options as a JSON object (the tests add members
/// [`ProofOptions`] has no field for, such as `expires`).
fn sign_base(
    document: &Value,
    key: &bbs::SecretKey,
    hmac_key: &[u8; 32],
    mandatory_pointers: &[String],
    proof: Value,
) -> Result<Value, ProofError> {
    let mut unsecured = document
        .as_object()
        .cloned()
        .ok_or_else(|| ProofError::Malformed("the document is not a JSON object".into()))?;
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed(
            "the document already has a proof".into(),
        ));
    }
    let unsecured_value = Value::Object(unsecured.clone());
    let canonical_config = proof_config(&unsecured_value, &proof, CRYPTOSUITE)?;
    let (bbs_header, messages) = signing_input(
        &unsecured_value,
        hmac_key,
        mandatory_pointers,
        &canonical_config,
    )?;
    if messages.len() > super::MAX_MESSAGES {
        return Err(ProofError::TooManyMessages {
            count: messages.len(),
            limit: super::MAX_MESSAGES,
        });
    }
    let signature = key
        .sign::<Bls12381Sha256, _>(&bbs_header, &messages)
        .map_err(|e| ProofError::Malformed(format!("BBS signing failed: {e}")))?;
    let body = Cbor::Array(vec![
        Cbor::Bytes(signature.to_bytes().to_vec()),
        Cbor::Bytes(bbs_header),
        Cbor::Bytes(key.public_key().to_bytes().to_vec()),
        Cbor::Bytes(hmac_key.to_vec()),
        Cbor::Array(
            mandatory_pointers
                .iter()
                .map(|p| Cbor::Text(p.clone()))
                .collect(),
        ),
    ]);
    let mut proof = proof.as_object().cloned().unwrap_or_default();
    proof.insert(
        "proofValue".into(),
        encode_proof_value(BASE_HEADER, &body).into(),
    );
    unsecured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(unsecured))
}

/// Issues a credential with a fresh HMAC key.
///
/// # Errors
/// As [`create_base_proof`], and [`ProofError::Malformed`] if the OS RNG fails.
pub fn issue(
    document: &Value,
    key: &bbs::SecretKey,
    mandatory_pointers: &[String],
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    let mut hmac_key = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut hmac_key[..])
        .map_err(|_| ProofError::Malformed("OS RNG failed".into()))?;
    create_base_proof(document, key, &hmac_key, mandatory_pointers, options)
}

/// The holder's check of a credential on receipt, before storing it: the base proof's BBS
/// signature verifies under the key its `verificationMethod` resolves to (for assertions), the
/// public key inside the proof value is that key, and the BBS header is the one this document and
/// these proof options give. The specification leaves base-proof verification to the holder's
/// discretion; without it a holder would only learn at the verifier that every proof it derives
/// is worthless. Returns the verification method.
///
/// # Errors
/// [`ProofError::InvalidSignature`] for a signature or header that does not match; other
/// variants name the malformed part.
pub fn verify_base_proof(
    credential: &Value,
    resolver: &dyn KeyResolver,
) -> Result<String, ProofError> {
    let (unsecured, proof, canonical_config, vm) = open_assertion(credential)?;
    let base = parse_base_proof_value(&proof)?;
    let key = issuer_bbs_key(resolver, &vm)?;
    if *key != base.public_key {
        return Err(ProofError::VerificationMethod {
            id: vm,
            reason: "the proof value carries another public key".into(),
        });
    }
    let (header, messages) = signing_input(
        &unsecured,
        &base.hmac_key,
        &base.mandatory_pointers,
        &canonical_config,
    )?;
    if header != base.bbs_header {
        return Err(ProofError::InvalidSignature);
    }
    key.verify(&base.signature, &header, &messages)
        .map_err(|_| ProofError::InvalidSignature)?;
    Ok(vm)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use serde_json::json;

    use super::*;
    use crate::di::bbs_2023::{derive, verify_derived, verify_derived_at};
    use crate::di::{DateTime, Multikey, StaticResolver};

    /// A bbs-2023 proof with `expires` (which [`ProofOptions`] cannot set yet) verifies before
    /// that instant and is refused from it on, the derived proof repeating the base's `expires`.
    #[test]
    fn derived_proofs_expire_with_their_base_proof() {
        let sk = bbs::SecretKey::from_bytes(&[3u8; 32]).unwrap();
        let mk = Multikey::encode_bls12_381_g2_public(sk.public_key());
        let credential = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential"],
            "issuer": format!("did:key:{mk}"),
            "credentialSubject": {"ageOver18": true, "name": "Ada"}
        });
        let proof = json!({
            "type": "DataIntegrityProof",
            "cryptosuite": CRYPTOSUITE,
            "created": "2020-06-01T12:00:00Z",
            "expires": "2021-01-01T00:00:00Z",
            "verificationMethod": format!("did:key:{mk}#{mk}"),
            "proofPurpose": "assertionMethod",
        });
        let signed = sign_base(&credential, &sk, &[9u8; 32], &["/issuer".into()], proof).unwrap();
        let shown = derive(&signed, &["/credentialSubject/ageOver18".into()], b"n").unwrap();
        assert_eq!(shown["proof"]["expires"], "2021-01-01T00:00:00Z");
        let keys = StaticResolver::new();
        let at = |s: &str| DateTime::parse(s).unwrap();
        assert!(verify_derived_at(&shown, &keys, &at("2020-12-31T23:59:59Z")).is_ok());
        for now in ["2021-01-01T00:00:00Z", "2021-01-01T00:00:01Z"] {
            assert!(matches!(
                verify_derived_at(&shown, &keys, &at(now)),
                Err(ProofError::Expired { expires, now: n })
                    if expires == at("2021-01-01T00:00:00Z") && n == at(now)
            ));
        }
        // The simple API reads the system clock, which is past 2021.
        assert!(matches!(
            verify_derived(&shown, &keys),
            Err(ProofError::Expired { .. })
        ));
    }
}
