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

use super::ProofError;
use super::json_pointer::JsonPointer;

/// The `cryptosuite` identifier.
pub const CRYPTOSUITE: &str = "bbs-2023";
/// CBOR tag header of a base proof value (§ 3.3.6).
const BASE_HEADER: [u8; 3] = [0xd9, 0x5d, 0x02];
/// CBOR tag header of a derived proof value (§ 3.3.9).
const DERIVED_HEADER: [u8; 3] = [0xd9, 0x5d, 0x03];
/// Skolem IRI prefix used while selecting (`urn:bnid:` + blank node label).
const SKOLEM_PREFIX: &str = "urn:bnid:";

mod base;
mod disclosure;
mod proof_value;
pub mod steps;
mod verify;

pub use base::{create_base_proof, issue, verify_base_proof};
#[cfg(feature = "hazmat")]
pub use disclosure::derive_mocked;
pub use disclosure::{DisclosureData, derive, disclosure_data};
pub use proof_value::{
    BaseProofValue, DerivedProofValue, parse_base_proof_value, parse_derived_proof_value,
};
pub use verify::{VerifiedDerived, VerifyData, verify_data, verify_derived};

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
