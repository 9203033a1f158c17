//! Intermediate results of the `bbs-2023` algorithms (§ 3.3.x), public so the conformance
//! tests can compare each W3C step file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{CRYPTOSUITE, SKOLEM_PREFIX};
use crate::di::eddsa_rdfc_2022::ProofOptions;
use crate::di::json_pointer::{JsonPointer, select_json_ld};
use crate::di::{ProofError, proof_config};
use crate::jsonld::to_quads;

/// A document prepared for selection: blank nodes given skolem ids, its quads with those ids
/// turned back into blank nodes, and the HMAC label of every blank node. It holds the whole
/// signed document, so its `Debug` shows only counts.
#[derive(Clone)]
pub struct Prepared {
    /// The document with an `@id` on every node object.
    pub skolemized: Value,
    /// The HMAC-relabelled canonical N-Quads, sorted (`addBaseDocHMACCanon`).
    pub quads: Vec<String>,
    /// Skolem blank-node label → HMAC label (`bN`).
    pub label_map: HashMap<String, String>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("quads_len", &self.quads.len())
            .field("label_map_len", &self.label_map.len())
            .finish_non_exhaustive()
    }
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
                Term::NamedNode(n) => match deskolemize_subject(NamedOrBlankNode::NamedNode(n)) {
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
pub fn relabel(quads: &[Quad], map: &HashMap<String, String>) -> Result<Vec<String>, ProofError> {
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
pub fn group(prepared: &Prepared, pointers: &[JsonPointer]) -> Result<BTreeSet<usize>, ProofError> {
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
