//! The `bbs-2023` cryptosuite ([vc-di-bbs § 3]): selective disclosure over RDF quads with BBS
//! signatures.
//!
//! - **Base proof** (issuer, § 3.3.1–3.3.6): blank nodes are relabelled through an HMAC so that
//!   their labels leak nothing; the quads selected by the issuer's *mandatory* JSON pointers are
//!   hashed into the BBS header, every other quad is one BBS message.
//! - **Derived proof** (holder, § 3.3.7–3.3.9): the holder picks *selective* pointers; the reveal
//!   document holds the mandatory and selected parts; a BBS proof discloses the selected messages
//!   only, bound to a presentation header.
//! - **Verification** (§ 3.3.10–3.3.13) of a derived proof.
//!
//! The steps are public in [`steps`] so the conformance tests can compare each W3C step file.
//!
//! [vc-di-bbs § 3]: https://www.w3.org/TR/vc-di-bbs/#bbs-2023

use serde_json::{Map, Value};

use super::json_pointer::JsonPointer;
use super::{KeyResolver, ProofError, ProofPurpose, PublicKeyMaterial, proof_config};
use crate::bbs;

/// The `cryptosuite` identifier.
pub const CRYPTOSUITE: &str = "bbs-2023";
/// CBOR tag header of a base proof value (§ 3.3.6).
const BASE_HEADER: [u8; 3] = [0xd9, 0x5d, 0x02];
/// CBOR tag header of a derived proof value (§ 3.3.9).
const DERIVED_HEADER: [u8; 3] = [0xd9, 0x5d, 0x03];
/// Most BBS messages (non-mandatory statements) a `bbs-2023` credential may sign, and so a
/// derived proof may claim (disclosed plus hidden). A verifier hashes a generator for every
/// message, about 0.17 ms each the first time in a process, and multiplies every one: a forged
/// proof claiming the BBS maximum of 4,096 cost 0.5 s cold and 0.2 s warm before this limit
/// (issue 17). A Siegel KYC credential signs about 15; the W3C vectors fewer than 40.
pub const MAX_MESSAGES: usize = 256;
/// Skolem IRI prefix used while selecting (`urn:bnid:` + blank node label).
const SKOLEM_PREFIX: &str = "urn:bnid:";

#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        unreachable_pub,
        reason = "step-level items are public only with hazmat"
    )
)]
mod base;
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        unreachable_pub,
        reason = "step-level items are public only with hazmat"
    )
)]
mod disclosure;
mod proof_value;
// The individual algorithm steps and the step-level entry points (caller-chosen HMAC key,
// disclosure data, verify data) exist for the conformance tests, which compare each step with
// the W3C vectors. They are hazmat, as `bbs::hazmat` is: a caller who picks the HMAC key or
// assembles proofs from steps can produce linkable or broken proofs. Applications use `issue`,
// `derive`, `verify_base_proof` and `verify_derived`.
#[cfg(feature = "hazmat")]
pub mod steps;
#[cfg(not(feature = "hazmat"))]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "public only with the hazmat feature"
)]
mod steps;
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        unreachable_pub,
        reason = "step-level items are public only with hazmat"
    )
)]
mod verify;

#[cfg(feature = "hazmat")]
pub use base::create_base_proof;
pub use base::{issue, verify_base_proof};
#[cfg(feature = "hazmat")]
pub use disclosure::{DisclosureData, derive_mocked, disclosure_data};
pub use disclosure::{derive, revealed};
pub use proof_value::{
    BaseProofValue, DerivedProofValue, MAX_PROOF_VALUE_LEN, parse_base_proof_value,
    parse_derived_proof_value,
};
pub use verify::{VerifiedDerived, verify_derived, verify_derived_at};
#[cfg(feature = "hazmat")]
pub use verify::{VerifyData, verify_data};

fn parse_pointers(v: &[String]) -> Result<Vec<JsonPointer>, ProofError> {
    v.iter().map(|p| p.parse()).collect()
}

fn unsecured_and_proof(doc: &Value) -> Result<(Value, Map<String, Value>), ProofError> {
    let mut m = doc
        .as_object()
        .cloned()
        .ok_or_else(|| ProofError::Malformed("the document is not a JSON object".into()))?;
    let proof = m
        .remove("proof")
        .and_then(|p| p.as_object().cloned())
        .ok_or_else(|| ProofError::Malformed("the document has no proof object".into()))?;
    Ok((Value::Object(m), proof))
}

/// Splits a secured document into its unsecured part and its proof, and runs the checks every
/// bbs-2023 verification starts with — the cheap ones, and the clearest error for a proof of
/// another kind: proof type and cryptosuite (while building the proof configuration), then the
/// purpose (a bbs-2023 proof is the issuer's assertion). Returns the unsecured document, the
/// proof, the canonical proof configuration and the verification method.
fn open_assertion(
    document: &Value,
) -> Result<(Value, Map<String, Value>, String, String), ProofError> {
    let (unsecured, proof) = unsecured_and_proof(document)?;
    let mut options = proof.clone();
    options.remove("proofValue");
    let canonical_config = proof_config(&unsecured, &Value::Object(options), CRYPTOSUITE)?;
    if proof.get("proofPurpose").and_then(Value::as_str)
        != Some(ProofPurpose::AssertionMethod.as_str())
    {
        return Err(ProofError::ContextMismatch {
            what: "proofPurpose",
        });
    }
    let vm = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no verificationMethod".into()))?
        .to_owned();
    Ok((unsecured, proof, canonical_config, vm))
}

/// The issuer's BBS key for an assertion by `verification_method`.
fn issuer_bbs_key(
    resolver: &dyn KeyResolver,
    verification_method: &str,
) -> Result<Box<bbs::PublicKey>, ProofError> {
    match resolver.resolve(verification_method, ProofPurpose::AssertionMethod)? {
        PublicKeyMaterial::Bls12381G2(key) => Ok(key),
        PublicKeyMaterial::Ed25519(_) => Err(ProofError::VerificationMethod {
            id: verification_method.to_owned(),
            reason: "not a BBS (bls12_381-g2) key".into(),
        }),
    }
}
