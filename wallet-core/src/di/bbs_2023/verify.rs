//! The verifier's side: createVerifyData (§ 3.3.12) and derived-proof verification (§ 3.3.13).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::proof_value::{DerivedProofValue, parse_derived_proof_value};
use super::{issuer_bbs_key, open_assertion, steps};
use crate::bbs::{self, Bls12381Sha256};
use crate::di::claims::VerifiedClaims;
use crate::di::time::check_validity_period;
use crate::di::{Clock, KeyResolver, ProofError, SystemClock, controller_of};
use crate::jsonld::to_quads;

/// What a verifier reconstructs from a derived document before the BBS check
/// (`createVerifyData`, § 3.3.12).
#[derive(Debug, Clone)]
pub struct VerifyData {
    /// The reveal document's canonical N-Quads with the issuer's HMAC labels restored, in
    /// canonical order.
    pub quads: Vec<String>,
    /// The statements of the reveal document (its default graph), which the proof covers once
    /// it verifies.
    pub claims: VerifiedClaims,
    /// Canonical proof configuration (the derived proof's options).
    pub canonical_proof_config: String,
    /// SHA-256 over the mandatory quads.
    pub mandatory_hash: [u8; 32],
    /// The disclosed non-mandatory quads (the BBS messages the proof reveals), in order.
    pub non_mandatory: Vec<String>,
    /// The parsed proof value.
    pub proof_value: DerivedProofValue,
    /// The proof's `verificationMethod`.
    pub verification_method: String,
}

/// `createVerifyData` (§ 3.3.12): parses the derived proof, canonicalizes the reveal document,
/// restores the signed blank-node labels and splits mandatory from disclosed quads.
///
/// # Errors
/// [`ProofError`] naming the malformed part.
pub fn verify_data(document: &Value) -> Result<VerifyData, ProofError> {
    let (unsecured, proof, canonical_proof_config, verification_method) = open_assertion(document)?;
    let bad = |w: &str| ProofError::ProofValue(w.to_owned());
    let proof_value = parse_derived_proof_value(&proof)?;
    let label_map: HashMap<&str, &str> = proof_value
        .label_map
        .iter()
        .map(|(c, b)| (c.as_str(), b.as_str()))
        .collect();
    if label_map.len() != proof_value.label_map.len() {
        return Err(bad("the label map repeats a label"));
    }
    // Canonicalize the reveal document and restore the signed labels.
    let quads = to_quads(&unsecured)?;
    let claims = VerifiedClaims::from_quads(&quads);
    let map: HashMap<String, String> = steps::canonical_id_map(&quads)?
        .into_iter()
        .map(|(input, c14n)| {
            label_map
                .get(c14n.as_str())
                .map(|b| (input, (*b).to_owned()))
                .ok_or_else(|| bad("the label map does not cover the document"))
        })
        .collect::<Result<_, _>>()?;
    let lines = steps::relabel(&quads, &map)?;
    let mandatory: BTreeSet<usize> = proof_value.mandatory_indexes.iter().copied().collect();
    if mandatory.len() != proof_value.mandatory_indexes.len()
        || mandatory.iter().any(|&i| i >= lines.len())
    {
        return Err(bad("mandatory indexes out of range"));
    }
    let mandatory_hash = steps::mandatory_hash(&lines, &mandatory);
    let non_mandatory: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !mandatory.contains(i))
        .map(|(_, l)| l.clone())
        .collect();
    if non_mandatory.len() != proof_value.selective_indexes.len() {
        return Err(bad("selective indexes do not match the disclosed quads"));
    }
    Ok(VerifyData {
        claims,
        quads: lines,
        canonical_proof_config,
        mandatory_hash,
        non_mandatory,
        proof_value,
        verification_method,
    })
}

/// What a verifier learns from a valid derived proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDerived {
    /// The verification method of the issuer.
    pub verification_method: String,
    /// The presentation header the proof is bound to.
    pub presentation_header: Vec<u8>,
    /// The credential's `issuer` IRI as signed (read from the verified statements, not the
    /// JSON), if the credential names exactly one.
    pub issuer: Option<String>,
    /// Everything the proof verified: read claims here, never from the document's JSON.
    pub claims: VerifiedClaims,
}

impl VerifiedDerived {
    /// Whether the key that signed belongs to the credential's `issuer` (VC Data Model 2.0: the
    /// issuer must control the verification method). Data Integrity alone does not require it —
    /// the W3C vectors sign an `https:` issuer with a `did:key` — so a credential verifier must
    /// check this itself.
    pub fn signed_by_issuer(&self) -> bool {
        self.issuer.as_deref() == Some(controller_of(&self.verification_method))
    }
}

/// Verifies a derived `bbs-2023` proof (§ 3.3.10–3.3.13) now (the system clock). The caller
/// compares `presentation_header` with the nonce it issued.
///
/// # Errors
/// As [`verify_derived_at`].
pub fn verify_derived(
    document: &Value,
    resolver: &dyn KeyResolver,
) -> Result<VerifiedDerived, ProofError> {
    verify_derived_at(document, resolver, &SystemClock)
}

/// [`verify_derived`] at the time `clock` gives: the proof's `expires` (repeated from the base
/// proof) must be after it, and its `created` no more than
/// [`MAX_CLOCK_SKEW_SECONDS`](crate::di::MAX_CLOCK_SKEW_SECONDS) ahead of it.
///
/// # Errors
/// [`ProofError::InvalidSignature`] for a proof that does not verify;
/// [`ProofError::Expired`] / [`ProofError::NotYetValid`] outside the validity period;
/// [`ProofError::TooManyMessages`] for a proof over more than
/// [`MAX_MESSAGES`](super::MAX_MESSAGES) messages; other variants name the malformed part.
pub fn verify_derived_at(
    document: &Value,
    resolver: &dyn KeyResolver,
    clock: &dyn Clock,
) -> Result<VerifiedDerived, ProofError> {
    let data = verify_data(document)?;
    if let Some(proof) = document.get("proof").and_then(Value::as_object) {
        check_validity_period(proof, clock.now())?;
    }
    let vm = data.verification_method;
    let pk = issuer_bbs_key(resolver, &vm)?;
    let header = steps::bbs_header(&data.canonical_proof_config, &data.mandatory_hash);
    let value = data.proof_value;
    let bbs_proof = bbs::Proof::<Bls12381Sha256>::from_bytes(&value.bbs_proof)
        .map_err(|e| ProofError::ProofValue(e.to_string()))?;
    // Before any generator is made: the messages the proof claims to cover.
    let count = value
        .selective_indexes
        .len()
        .saturating_add(bbs_proof.undisclosed_count());
    if count > super::MAX_MESSAGES {
        return Err(ProofError::TooManyMessages {
            count,
            limit: super::MAX_MESSAGES,
        });
    }
    let pairs: Vec<(usize, &[u8])> = value
        .selective_indexes
        .iter()
        .copied()
        .zip(data.non_mandatory.iter().map(String::as_bytes))
        .collect();
    bbs_proof
        .verify(&pk, &header, &value.presentation_header, &pairs)
        .map_err(|_| ProofError::InvalidSignature)?;
    Ok(VerifiedDerived {
        verification_method: vm,
        presentation_header: value.presentation_header,
        issuer: data.claims.issuer().map(str::to_owned),
        claims: data.claims,
    })
}
