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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::cbor::Cbor;
use super::eddsa_rdfc_2022::ProofOptions;
use super::json_pointer::{JsonPointer, select_json_ld};
use super::{KeyResolver, ProofError, PublicKeyMaterial, proof_config};
use crate::bbs::{self, Bls12381Sha256, DisclosedIndexes};
use crate::jsonld::to_quads;

/// The `cryptosuite` identifier.
pub const CRYPTOSUITE: &str = "bbs-2023";
/// CBOR tag header of a base proof value (§ 3.3.6).
const BASE_HEADER: [u8; 3] = [0xd9, 0x5d, 0x02];
/// CBOR tag header of a derived proof value (§ 3.3.9).
const DERIVED_HEADER: [u8; 3] = [0xd9, 0x5d, 0x03];
/// Skolem IRI prefix used while selecting (`urn:bnid:` + blank node label).
const SKOLEM_PREFIX: &str = "urn:bnid:";

/// Intermediate results, exposed for the conformance tests.
pub mod steps {
    use super::*;

    /// A document prepared for selection: blank nodes given skolem ids, its quads with those ids
    /// turned back into blank nodes, and the HMAC label of every blank node.
    #[derive(Debug, Clone)]
    pub struct Prepared {
        /// The document with an `@id` on every node object.
        pub skolemized: Value,
        /// The HMAC-relabelled canonical N-Quads, sorted (`addBaseDocHMACCanon`).
        pub quads: Vec<String>,
        /// Skolem blank-node label → HMAC label (`bN`).
        pub label_map: HashMap<String, String>,
    }

    /// Adds `"@id": "urn:bnid:_:sN"` to every node object (JSON object that is not a value
    /// object or a context) that has no id, so selections can be matched to the full quads.
    pub fn skolemize(doc: &Value) -> Value {
        fn walk(v: &mut Value, counter: &mut usize) {
            match v {
                Value::Object(m) => {
                    if m.contains_key("@value") {
                        return;
                    }
                    let has_id = m.contains_key("id") || m.contains_key("@id");
                    for (k, child) in m.iter_mut() {
                        if k != "@context" {
                            walk(child, counter);
                        }
                    }
                    if !has_id {
                        m.insert(
                            "@id".into(),
                            Value::String(format!("{SKOLEM_PREFIX}_:s{counter}")),
                        );
                        *counter += 1;
                    } else {
                        for key in ["id", "@id"] {
                            if let Some(Value::String(s)) = m.get_mut(key)
                                && s.starts_with("_:")
                            {
                                *s = format!("{SKOLEM_PREFIX}{s}");
                            }
                        }
                    }
                }
                Value::Array(a) => a.iter_mut().for_each(|x| walk(x, counter)),
                _ => {}
            }
        }
        let mut out = doc.clone();
        let mut counter = 0;
        walk(&mut out, &mut counter);
        out
    }

    fn deskolemize_subject(s: NamedOrBlankNode) -> NamedOrBlankNode {
        match s {
            NamedOrBlankNode::NamedNode(n) => match n.as_str().strip_prefix(SKOLEM_PREFIX) {
                Some(label) => BlankNode::new(label.trim_start_matches("_:"))
                    .map(NamedOrBlankNode::from)
                    .unwrap_or(NamedOrBlankNode::NamedNode(n)),
                None => NamedOrBlankNode::NamedNode(n),
            },
            b => b,
        }
    }

    /// JSON-LD → quads, with skolem IRIs turned back into blank nodes.
    pub fn deskolemized_quads(doc: &Value) -> Result<Vec<Quad>, ProofError> {
        Ok(to_quads(doc)?
            .into_iter()
            .map(|q| {
                let object = match q.object {
                    Term::NamedNode(n) => match deskolemize_subject(NamedOrBlankNode::NamedNode(n))
                    {
                        NamedOrBlankNode::NamedNode(n) => Term::NamedNode(n),
                        NamedOrBlankNode::BlankNode(b) => Term::BlankNode(b),
                    },
                    o => o,
                };
                let graph_name = match q.graph_name {
                    GraphName::NamedNode(n) => {
                        match deskolemize_subject(NamedOrBlankNode::NamedNode(n)) {
                            NamedOrBlankNode::NamedNode(n) => GraphName::NamedNode(n),
                            NamedOrBlankNode::BlankNode(b) => GraphName::BlankNode(b),
                        }
                    }
                    g => g,
                };
                Quad::new(
                    deskolemize_subject(q.subject),
                    q.predicate,
                    object,
                    graph_name,
                )
            })
            .collect())
    }

    /// RDFC-1.0: input blank-node label → canonical label (`c14nN`).
    ///
    /// # Errors
    /// [`ProofError::Canonicalization`] for a dataset too costly to canonicalize.
    pub fn canonical_id_map(quads: &[Quad]) -> Result<BTreeMap<String, String>, ProofError> {
        Ok(crate::jsonld::canonical_labels(quads)?)
    }

    /// `createShuffledIdLabelMapFunction` (§ 3.3.4): each canonical label is HMACed
    /// (`"u" + base64url(HMAC-SHA-256(key, label))`), the digests are sorted, and a label becomes
    /// `b` + the position of its digest.
    pub fn hmac_label_map(
        canonical: &BTreeMap<String, String>,
        hmac_key: &[u8],
    ) -> Result<HashMap<String, String>, ProofError> {
        let mut digests: Vec<(String, &String)> = canonical
            .iter()
            .map(|(input, c14n)| {
                let mut mac = Hmac::<Sha256>::new_from_slice(hmac_key)
                    .map_err(|_| ProofError::Malformed("bad HMAC key".into()))?;
                mac.update(c14n.as_bytes());
                Ok((
                    format!("u{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())),
                    input,
                ))
            })
            .collect::<Result<_, ProofError>>()?;
        digests.sort();
        Ok(digests
            .into_iter()
            .enumerate()
            .map(|(i, (_, input))| (input.clone(), format!("b{i}")))
            .collect())
    }

    /// Applies a label map to quads and serializes them as sorted canonical N-Quads lines.
    pub fn relabel(
        quads: &[Quad],
        map: &HashMap<String, String>,
    ) -> Result<Vec<String>, ProofError> {
        let mut lines = quads
            .iter()
            .map(|q| {
                crate::jsonld::relabelled_line(q, |l| {
                    let label = map.get(l).ok_or_else(|| {
                        ProofError::Malformed(format!("blank node _:{l} has no label"))
                    })?;
                    BlankNode::new(label.as_str())
                        .map(|b| b.into_string())
                        .map_err(|e| ProofError::Malformed(e.to_string()))
                })
            })
            .collect::<Result<Vec<_>, ProofError>>()?;
        lines.sort();
        lines.dedup();
        Ok(lines)
    }

    /// The canonical proof configuration (§ 3.3.4): `options` as a `bbs-2023` proof without
    /// `proofValue`, with the document's `@context`, as RDFC-1.0 N-Quads (`addProofConfigCanon`).
    ///
    /// # Errors
    /// [`ProofError`] from canonicalization.
    pub fn canonical_proof_config(
        document: &Value,
        options: &ProofOptions,
    ) -> Result<String, ProofError> {
        let proof = crate::di::proof_options_value(options, CRYPTOSUITE)?;
        proof_config(document, &proof, CRYPTOSUITE)
    }

    /// Canonicalizes `doc` (without proof) with the HMAC label map.
    pub fn prepare(doc: &Value, hmac_key: &[u8]) -> Result<Prepared, ProofError> {
        let skolemized = skolemize(doc);
        let quads = deskolemized_quads(&skolemized)?;
        let label_map = hmac_label_map(&canonical_id_map(&quads)?, hmac_key)?;
        let quads = relabel(&quads, &label_map)?;
        Ok(Prepared {
            skolemized,
            quads,
            label_map,
        })
    }

    /// The indexes (into `prepared.quads`) of the quads the pointers select.
    pub fn group(
        prepared: &Prepared,
        pointers: &[JsonPointer],
    ) -> Result<BTreeSet<usize>, ProofError> {
        let Some(selection) = select_json_ld(pointers, &prepared.skolemized)? else {
            return Ok(BTreeSet::new());
        };
        let lines = relabel(&deskolemized_quads(&selection)?, &prepared.label_map)?;
        lines
            .iter()
            .map(|l| {
                prepared.quads.binary_search(l).map_err(|_| {
                    ProofError::Malformed(format!("selected quad not in the document: {l}"))
                })
            })
            .collect()
    }

    /// `hashMandatoryNQuads`: SHA-256 of the mandatory quads joined in index order.
    pub fn mandatory_hash(quads: &[String], mandatory: &BTreeSet<usize>) -> [u8; 32] {
        let mut h = Sha256::new();
        for &i in mandatory {
            h.update(quads[i].as_bytes());
        }
        h.finalize().into()
    }

    /// The BBS header: `SHA-256(canonical proof config) ‖ mandatoryHash`.
    pub fn bbs_header(canonical_proof_config: &str, mandatory_hash: &[u8; 32]) -> Vec<u8> {
        let mut header = Vec::with_capacity(64);
        header.extend_from_slice(&Sha256::digest(canonical_proof_config.as_bytes()));
        header.extend_from_slice(mandatory_hash);
        header
    }

    /// The BBS messages: the non-mandatory quads in index order.
    pub fn non_mandatory(prepared: &Prepared, mandatory: &BTreeSet<usize>) -> Vec<(usize, String)> {
        prepared
            .quads
            .iter()
            .enumerate()
            .filter(|(i, _)| !mandatory.contains(i))
            .map(|(i, q)| (i, q.clone()))
            .collect()
    }
}

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

fn proof_value_bytes(proof: &Map<String, Value>, header: [u8; 3]) -> Result<Cbor, ProofError> {
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

fn encode_proof_value(header: [u8; 3], body: &Cbor) -> String {
    let mut out = header.to_vec();
    body.encode(&mut out);
    format!("u{}", URL_SAFE_NO_PAD.encode(out))
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
    let proof = super::proof_options_value(options, CRYPTOSUITE)?;
    let canonical_config = proof_config(&unsecured_value, &proof, CRYPTOSUITE)?;
    let prepared = steps::prepare(&unsecured_value, hmac_key)?;
    let mandatory = steps::group(&prepared, &parse_pointers(mandatory_pointers)?)?;
    let bbs_header = steps::bbs_header(
        &canonical_config,
        &steps::mandatory_hash(&prepared.quads, &mandatory),
    );
    let messages: Vec<String> = steps::non_mandatory(&prepared, &mandatory)
        .into_iter()
        .map(|(_, q)| q)
        .collect();
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

/// The parts of a base proof value (`parseBaseProofValue`, § 3.3.8).
#[derive(Debug, Clone)]
pub struct BaseProofValue {
    /// The BBS signature.
    pub signature: bbs::Signature<Bls12381Sha256>,
    /// `proofHash ‖ mandatoryHash`.
    pub bbs_header: Vec<u8>,
    /// The issuer's BBS public key.
    pub public_key: bbs::PublicKey,
    /// The HMAC key.
    pub hmac_key: Vec<u8>,
    /// The mandatory pointers.
    pub mandatory_pointers: Vec<String>,
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
        hmac_key: hmac.clone(),
        mandatory_pointers: ptrs
            .iter()
            .map(|p| match p {
                Cbor::Text(t) => Ok(t.clone()),
                _ => Err(bad("a mandatory pointer is not text")),
            })
            .collect::<Result<_, _>>()?,
    })
}

/// Everything a holder computes to derive a proof (`createDisclosureData`, § 3.3.7).
#[derive(Debug, Clone)]
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

fn label_number(label: &str, prefix: &str) -> Result<u64, ProofError> {
    label
        .strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ProofError::Malformed(format!("label {label:?} is not {prefix}N")))
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

/// [`derive`] with the IETF draft's *mocked* (deterministic, insecure) randomness, to reproduce
/// the W3C vectors.
///
/// # Errors
/// As [`derive`].
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

/// What a verifier reconstructs from a derived document before the BBS check
/// (`createVerifyData`, § 3.3.12).
#[derive(Debug, Clone)]
pub struct VerifyData {
    /// The reveal document's canonical N-Quads with the issuer's HMAC labels restored, in
    /// canonical order.
    pub quads: Vec<String>,
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
    let (unsecured, mut proof_options) = unsecured_and_proof(document)?;
    let bad = |w: &str| ProofError::ProofValue(w.to_owned());
    let proof_value = parse_derived_proof_value(&proof_options)?;
    proof_options.remove("proofValue");
    let verification_method = proof_options
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no verificationMethod".into()))?
        .to_owned();
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
    let canonical_proof_config =
        proof_config(&unsecured, &Value::Object(proof_options), CRYPTOSUITE)?;
    Ok(VerifyData {
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
}

/// Verifies a derived `bbs-2023` proof (§ 3.3.10–3.3.13). The caller compares
/// `presentation_header` with the nonce it issued.
///
/// # Errors
/// [`ProofError::InvalidSignature`] for a proof that does not verify; other variants name the
/// malformed part.
pub fn verify_derived(
    document: &Value,
    resolver: &dyn KeyResolver,
) -> Result<VerifiedDerived, ProofError> {
    let data = verify_data(document)?;
    let vm = data.verification_method;
    let PublicKeyMaterial::Bls12381G2(pk) = resolver.resolve(&vm)? else {
        return Err(ProofError::VerificationMethod {
            id: vm,
            reason: "not a BBS (bls12_381-g2) key".into(),
        });
    };
    let header = steps::bbs_header(&data.canonical_proof_config, &data.mandatory_hash);
    let value = data.proof_value;
    let bbs_proof = bbs::Proof::<Bls12381Sha256>::from_bytes(&value.bbs_proof)
        .map_err(|e| ProofError::ProofValue(e.to_string()))?;
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
    })
}
