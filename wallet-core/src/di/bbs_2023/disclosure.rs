//! The holder's side: disclosure data (§ 3.3.7) and the derived proof (§ 3.3.9).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::proof_value::{BaseProofValue, encode_proof_value, label_number};
use super::{DERIVED_HEADER, parse_base_proof_value, parse_pointers, steps, unsecured_and_proof};
use crate::bbs::{self, Bls12381Sha256, DisclosedIndexes};
use crate::di::ProofError;
use crate::di::cbor::Cbor;
use crate::di::claims::VerifiedClaims;
use crate::di::json_pointer::{JsonPointer, select_json_ld};

/// Everything a holder computes to derive a proof (`createDisclosureData`, § 3.3.7). It holds
/// every signed claim, the undisclosed ones included, so its `Debug` shows only indexes and
/// counts.
#[derive(Clone)]
pub struct DisclosureData {
    /// Indexes (into the HMAC-relabelled quads) of the mandatory, selective and combined groups.
    pub mandatory_indexes: BTreeSet<usize>,
    /// See `mandatory_indexes`.
    pub selective_indexes: BTreeSet<usize>,
    /// See `mandatory_indexes`.
    pub combined_indexes: BTreeSet<usize>,
    /// Mandatory indexes relative to the combined list (`adjMandatoryIndexes`).
    pub adj_mandatory_indexes: Vec<usize>,
    /// Selective indexes relative to the non-mandatory list (`adjSelectiveIndexes`).
    pub adj_selective_indexes: Vec<usize>,
    /// Verifier's canonical label → HMAC label, in canonical order.
    pub label_map: Vec<(String, String)>,
    /// The reveal document (mandatory + selected parts, no proof).
    pub reveal_document: Value,
    /// The non-mandatory quads (the BBS messages).
    pub messages: Vec<String>,
    /// The parsed base proof.
    pub base: BaseProofValue,
    /// The base proof's options (everything but `proofValue`), which the derived proof repeats.
    pub proof_options: Map<String, Value>,
}

impl std::fmt::Debug for DisclosureData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisclosureData")
            .field("mandatory_indexes", &self.mandatory_indexes)
            .field("selective_indexes", &self.selective_indexes)
            .field("combined_indexes", &self.combined_indexes)
            .field("adj_mandatory_indexes", &self.adj_mandatory_indexes)
            .field("adj_selective_indexes", &self.adj_selective_indexes)
            .field("label_map_len", &self.label_map.len())
            .field("messages_len", &self.messages.len())
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// `createDisclosureData` (§ 3.3.7) without the BBS proof.
///
/// # Errors
/// [`ProofError`].
pub fn disclosure_data(
    credential: &Value,
    selective_pointers: &[String],
) -> Result<DisclosureData, ProofError> {
    let (unsecured, mut proof) = unsecured_and_proof(credential)?;
    let base = parse_base_proof_value(&proof)?;
    proof.remove("proofValue");
    let prepared = steps::prepare(&unsecured, &base.hmac_key)?;
    let mandatory_ptrs = parse_pointers(&base.mandatory_pointers)?;
    let selective_ptrs = parse_pointers(selective_pointers)?;
    let combined_ptrs: Vec<JsonPointer> = mandatory_ptrs
        .iter()
        .chain(&selective_ptrs)
        .cloned()
        .collect();
    let mandatory_indexes = steps::group(&prepared, &mandatory_ptrs)?;
    let selective_indexes = steps::group(&prepared, &selective_ptrs)?;
    let combined_indexes = steps::group(&prepared, &combined_ptrs)?;
    let combined: Vec<usize> = combined_indexes.iter().copied().collect();
    let adj_mandatory_indexes = mandatory_indexes
        .iter()
        .filter_map(|i| combined.binary_search(i).ok())
        .collect();
    let non_mandatory = steps::non_mandatory(&prepared, &mandatory_indexes);
    let non_mandatory_idx: Vec<usize> = non_mandatory.iter().map(|(i, _)| *i).collect();
    let adj_selective_indexes = selective_indexes
        .iter()
        .filter_map(|i| non_mandatory_idx.binary_search(i).ok())
        .collect();
    // The verifier will canonicalize the reveal document; map its canonical labels to ours.
    let combined_selection =
        select_json_ld(&combined_ptrs, &prepared.skolemized)?.unwrap_or(Value::Null);
    let combined_quads = steps::deskolemized_quads(&combined_selection)?;
    let mut label_map: Vec<(String, String)> = steps::canonical_id_map(&combined_quads)?
        .into_iter()
        .map(|(input, c14n)| {
            prepared
                .label_map
                .get(&input)
                .map(|b| (c14n, b.clone()))
                .ok_or_else(|| ProofError::Malformed(format!("no label for {input}")))
        })
        .collect::<Result<_, _>>()?;
    label_map.sort_by_key(|(c14n, _)| {
        c14n.trim_start_matches("c14n")
            .parse::<u64>()
            .unwrap_or(u64::MAX)
    });
    let reveal_document = select_json_ld(&combined_ptrs, &unsecured)?.unwrap_or(Value::Null);
    Ok(DisclosureData {
        mandatory_indexes,
        selective_indexes,
        combined_indexes,
        adj_mandatory_indexes,
        adj_selective_indexes,
        label_map,
        reveal_document,
        messages: non_mandatory.into_iter().map(|(_, q)| q).collect(),
        base,
        proof_options: proof,
    })
}

/// What a derived proof of `credential` disclosing `selective_pointers` would show a verifier:
/// the statements of its reveal document (mandatory and selected parts), exactly those that
/// [`super::verify_derived`] hands the verifier as [`VerifiedClaims`] — computed without
/// deriving a proof, so a holder can preview it.
///
/// # Errors
/// [`ProofError`] for a credential or pointers that [`derive()`] would also refuse.
pub fn revealed(
    credential: &Value,
    selective_pointers: &[String],
) -> Result<VerifiedClaims, ProofError> {
    let data = disclosure_data(credential, selective_pointers)?;
    Ok(VerifiedClaims::from_quads(&crate::jsonld::to_quads(
        &data.reveal_document,
    )?))
}

/// Derives a selective-disclosure proof (holder) with a given BBS proof generator, so the tests
/// can use the draft's mocked randomness.
fn derive_with(
    credential: &Value,
    selective_pointers: &[String],
    presentation_header: &[u8],
    prove: impl FnOnce(
        &DisclosureData,
        &DisclosedIndexes,
    ) -> Result<bbs::Proof<Bls12381Sha256>, bbs::Error>,
) -> Result<Value, ProofError> {
    let data = disclosure_data(credential, selective_pointers)?;
    let disclosed = DisclosedIndexes::new(
        data.adj_selective_indexes.iter().copied(),
        data.messages.len(),
    )
    .map_err(|e| ProofError::Malformed(e.to_string()))?;
    let proof = prove(&data, &disclosed)
        .map_err(|e| ProofError::Malformed(format!("BBS ProofGen failed: {e}")))?;
    let label_map = data
        .label_map
        .iter()
        .map(|(c, b)| {
            Ok((
                Cbor::Uint(label_number(c, "c14n")?),
                Cbor::Uint(label_number(b, "b")?),
            ))
        })
        .collect::<Result<Vec<_>, ProofError>>()?;
    let body = Cbor::Array(vec![
        Cbor::Bytes(proof.to_bytes()),
        Cbor::Map(label_map),
        Cbor::Array(
            data.adj_mandatory_indexes
                .iter()
                .map(|&i| Cbor::Uint(i as u64))
                .collect(),
        ),
        Cbor::Array(
            data.adj_selective_indexes
                .iter()
                .map(|&i| Cbor::Uint(i as u64))
                .collect(),
        ),
        Cbor::Bytes(presentation_header.to_vec()),
    ]);
    let mut new_proof = data.proof_options.clone();
    new_proof.insert(
        "proofValue".into(),
        encode_proof_value(DERIVED_HEADER, &body).into(),
    );
    let mut reveal = data
        .reveal_document
        .as_object()
        .cloned()
        .unwrap_or_default();
    reveal.insert("proof".into(), Value::Object(new_proof));
    Ok(Value::Object(reveal))
}

/// Derives a proof that discloses the mandatory parts plus `selective_pointers`, bound to
/// `presentation_header` (e.g. the verifier's nonce), with fresh randomness.
///
/// # Errors
/// [`ProofError`].
pub fn derive(
    credential: &Value,
    selective_pointers: &[String],
    presentation_header: &[u8],
) -> Result<Value, ProofError> {
    derive_with(
        credential,
        selective_pointers,
        presentation_header,
        |d, idx| {
            d.base.signature.prove(
                &d.base.public_key,
                &d.base.bbs_header,
                presentation_header,
                &d.messages,
                idx,
            )
        },
    )
}

/// [`derive()`] with the IETF draft's *mocked* (deterministic, insecure) randomness, to reproduce
/// the W3C vectors.
///
/// # Errors
/// As [`derive()`].
#[cfg(feature = "hazmat")]
pub fn derive_mocked(
    credential: &Value,
    selective_pointers: &[String],
    presentation_header: &[u8],
    rng: bbs::hazmat::MockedRng<'_>,
) -> Result<Value, ProofError> {
    derive_with(
        credential,
        selective_pointers,
        presentation_header,
        |d, idx| {
            bbs::hazmat::prove_mocked(
                &d.base.signature,
                &d.base.public_key,
                &d.base.bbs_header,
                presentation_header,
                &d.messages,
                idx,
                rng,
            )
        },
    )
}
