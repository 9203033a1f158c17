//! JSON-LD to RDF and RDF Dataset Canonicalization (RDFC-1.0), offline.
//!
//! Every JSON-LD context is bundled (`assets/contexts/`, compiled in); an unknown context URL is
//! an error, never a network fetch. Hostile input is bounded before and during processing: size,
//! JSON nesting depth, number of JSON values, and number of quads. And a document is converted
//! only when its JSON says what its RDF says ([`safe`]): contexts by allowed URL only, no inline
//! contexts, nothing that expansion would drop.

mod rdfc_work;
pub mod safe;

pub use safe::{ContextPolicy, current_policy, parse_json, with_context_policy};

use std::collections::BTreeMap;

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, Quad};

// The limits below bound what a received document can cost before its proof is checked: a
// verifier converts a presentation to RDF and canonicalizes it on two threads, twice each (strict
// and lenient conversion), at about 10–20 µs per statement in all. Issue 17 measured 0.8–1.4 s
// for documents at the former limits (100,000 values, 50,000 quads); at these, no input costs
// more than 100 ms of CPU (docs/BENCHMARKS.md, "Hostile presentations"). Honest documents are
// far below them: a Siegel KYC presentation has about 120 JSON values and 40 statements, the
// largest W3C vector document about 100 values.

/// Largest JSON-LD document accepted (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// Most JSON values (objects, arrays, scalars) in one document.
pub const MAX_JSON_VALUES: usize = 4_096;
/// Deepest nesting of arrays and objects.
pub const MAX_DEPTH: usize = 64;
/// Most RDF quads one document may produce.
pub const MAX_QUADS: usize = 2_048;

/// The bundled contexts: (URL, document). Must agree with `assets/contexts/index.json`.
pub const BUNDLED_CONTEXTS: &[(&str, &str)] = &[
    (
        "https://contexts.siegel.example/kyc/v1",
        include_str!("../../assets/contexts/contexts.siegel.example_kyc_v1.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v4rc1",
        include_str!("../../assets/contexts/citizenship-v4rc1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../../assets/contexts/w3id.org_security_data-integrity_v2.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../../assets/contexts/w3id.org_security_multikey_v1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/aamva/v1",
        include_str!("../../assets/contexts/w3id.org_vdl_aamva_v1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/v1",
        include_str!("../../assets/contexts/w3id.org_vdl_v1.jsonld"),
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        include_str!("../../assets/contexts/www.w3.org_2018_credentials_v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("../../assets/contexts/www.w3.org_ns_credentials_examples_v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("../../assets/contexts/www.w3.org_ns_credentials_undefined-terms_v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("../../assets/contexts/www.w3.org_ns_credentials_v2.jsonld"),
    ),
];

/// Why a JSON-LD document could not be turned into canonical RDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// Not JSON, or JSON beyond the accepted bounds.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Larger than [`MAX_DOCUMENT_BYTES`], deeper than [`MAX_DEPTH`], more values than
    /// [`MAX_JSON_VALUES`], more quads than [`MAX_QUADS`], or more `@context` entries, context
    /// values or context URLs than [`MAX_CONTEXTS`], [`MAX_CONTEXT_VALUES`] and
    /// [`MAX_CONTEXT_URLS`] allow.
    #[error("document too large: {0}")]
    TooLarge(String),
    /// A context URL that is not bundled.
    #[error("unknown JSON-LD context {url} at {path:?} (contexts are bundled and never fetched)")]
    UnknownContext {
        /// JSON pointer of the `@context` entry (empty: the document itself).
        path: String,
        /// The URL.
        url: String,
    },
    /// A bundled context that the caller's [`ContextPolicy`] does not allow.
    #[error("JSON-LD context {url} at {path:?} is not allowed here")]
    ContextNotAllowed {
        /// JSON pointer of the `@context` entry.
        path: String,
        /// The URL.
        url: String,
    },
    /// An inline context object (or `null`) instead of a context URL: it could redefine signed
    /// terms (VC Data Integrity § 4.5, Context Validation).
    #[error("inline JSON-LD context at {path:?}: only URLs of bundled contexts are accepted")]
    InlineContext {
        /// JSON pointer of the `@context` value.
        path: String,
    },
    /// A JSON-LD keyword that documents may not use as a key (e.g. `@reverse`, `@nest`,
    /// `@graph`, `@included`), or a keyword next to its alias.
    #[error("JSON-LD keyword {keyword} at {path:?} is not accepted")]
    KeywordNotAllowed {
        /// JSON pointer of the member.
        path: String,
        /// The keyword.
        keyword: String,
    },
    /// A member that JSON-LD expansion would drop: the JSON would show what no signature covers.
    #[error("{path:?} is not part of the signed data: {reason}")]
    Dropped {
        /// JSON pointer of the member (empty when it could not be located).
        path: String,
        /// Why expansion drops it.
        reason: String,
    },
    /// JSON-LD processing failed.
    #[error("JSON-LD error: {0}")]
    JsonLd(String),
    /// The blank nodes cannot be told apart without more than
    /// [`MAX_CANONICALIZATION_WORK`] steps of RDFC-1.0's N-degree hashing (a "poison" dataset,
    /// RDFC-1.0 § 4.3).
    #[error(
        "blank nodes too alike to canonicalize within {MAX_CANONICALIZATION_WORK} steps (RDFC-1.0 dataset poisoning)"
    )]
    CanonicalizationTooComplex,
}

/// Most units of RDFC-1.0 N-degree hashing work (calls plus permutations) one dataset may need;
/// see [`JsonLdError::CanonicalizationTooComplex`].
pub const MAX_CANONICALIZATION_WORK: usize = rdfc_work::MAX_WORK;

/// The document of a bundled context.
pub fn bundled_context(url: &str) -> Option<&'static str> {
    BUNDLED_CONTEXTS
        .iter()
        .find(|(u, _)| *u == url)
        .map(|(_, d)| *d)
}

/// Most `@context` entries in one document (the top-level one included). A credential has one;
/// a presentation one per credential it carries.
pub const MAX_CONTEXTS: usize = 16;
/// Most context URLs referenced in one document, counting every entry (a URL, or each URL of an
/// array) every time it appears. Each reference is loaded and processed again by every
/// conversion (about 0.2 ms for the VC 2.0 context); 5,000 of them cost 3.5 s before this limit.
/// A Siegel presentation references three.
pub const MAX_CONTEXT_URLS: usize = 32;
/// Most JSON values inside all of a document's own (`@context`) entries together. Bundled contexts
/// are referenced by URL and do not count. Below [`MAX_JSON_VALUES`], so that it still binds (the
/// inline contexts of the W3C vectors have about 250).
pub const MAX_CONTEXT_VALUES: usize = 2_000;

/// Counts kept while checking the bounds of a document.
#[derive(Default)]
struct Budget {
    values: usize,
    contexts: usize,
    context_values: usize,
    context_urls: usize,
}

/// Checks the bounds before any JSON-LD processing. The context limits matter for time, not
/// memory: every embedded context copies the whole active context, so N embedded contexts under
/// a context of N terms cost N² (5,000 of each took 3.4 s before these limits).
fn check_bounds(
    v: &serde_json::Value,
    depth: usize,
    in_context: bool,
    budget: &mut Budget,
) -> Result<(), JsonLdError> {
    budget.values += 1;
    if budget.values > MAX_JSON_VALUES {
        return Err(JsonLdError::TooLarge(format!(
            "more than {MAX_JSON_VALUES} JSON values"
        )));
    }
    if in_context {
        budget.context_values += 1;
        if budget.context_values > MAX_CONTEXT_VALUES {
            return Err(JsonLdError::TooLarge(format!(
                "more than {MAX_CONTEXT_VALUES} JSON values in embedded contexts"
            )));
        }
    }
    if depth > MAX_DEPTH {
        return Err(JsonLdError::TooLarge(format!(
            "nested deeper than {MAX_DEPTH}"
        )));
    }
    match v {
        serde_json::Value::Array(a) => a
            .iter()
            .try_for_each(|x| check_bounds(x, depth + 1, in_context, budget)),
        serde_json::Value::Object(o) => o.iter().try_for_each(|(k, x)| {
            let context = k == "@context";
            if context && !in_context {
                budget.contexts += 1;
                if budget.contexts > MAX_CONTEXTS {
                    return Err(JsonLdError::TooLarge(format!(
                        "more than {MAX_CONTEXTS} @context entries"
                    )));
                }
                budget.context_urls += match x {
                    serde_json::Value::String(_) => 1,
                    serde_json::Value::Array(a) => a.iter().filter(|u| u.is_string()).count(),
                    _ => 0,
                };
                if budget.context_urls > MAX_CONTEXT_URLS {
                    return Err(JsonLdError::TooLarge(format!(
                        "more than {MAX_CONTEXT_URLS} context URLs in @context entries"
                    )));
                }
            }
            check_bounds(x, depth + 1, in_context || context, budget)
        }),
        _ => Ok(()),
    }
}

/// JSON-LD → RDF quads (JSON-LD 1.1 Deserialize-to-RDF) in safe mode, under the thread's
/// [`current_policy`] (every bundled context unless a [`with_context_policy`] scope says
/// otherwise): see [`to_quads_with`].
///
/// # Errors
/// [`JsonLdError`].
pub fn to_quads(document: &serde_json::Value) -> Result<Vec<Quad>, JsonLdError> {
    to_quads_with(document, &current_policy())
}

/// JSON-LD → RDF quads (JSON-LD 1.1 Deserialize-to-RDF) in safe mode: bounds first, then the
/// contexts, keywords and values ([`safe::check_document`]), then the conversion — once strictly
/// and once leniently, so that a statement strict conversion drops (an invalid IRI from a key or
/// value) is an error rather than a silent difference between the JSON and the RDF.
///
/// # Errors
/// [`JsonLdError`]; errors about the document's content name the JSON pointer of the member.
pub fn to_quads_with(
    document: &serde_json::Value,
    policy: &ContextPolicy,
) -> Result<Vec<Quad>, JsonLdError> {
    check_bounds(document, 0, false, &mut Budget::default())?;
    safe::check_document(document, policy)?;
    let bytes = serde_json::to_vec(document).map_err(|e| JsonLdError::Json(e.to_string()))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(JsonLdError::TooLarge(format!("{} bytes", bytes.len())));
    }
    let strict = convert(&bytes, false)?;
    let lenient = convert(&bytes, true)?;
    match safe::dropped_term(document, &strict, &lenient) {
        Some(e) => Err(e),
        None => Ok(strict),
    }
}

/// One conversion of already-checked bytes; `lenient` keeps statements with invalid terms.
fn convert(bytes: &[u8], lenient: bool) -> Result<Vec<Quad>, JsonLdError> {
    let parser = if lenient {
        JsonLdParser::new().lenient()
    } else {
        JsonLdParser::new()
    };
    let parser =
        parser
            .for_slice(bytes)
            .with_load_document_callback(|url, _| match bundled_context(url) {
                Some(doc) => Ok(JsonLdRemoteDocument {
                    document: doc.as_bytes().to_vec(),
                    document_url: url.to_owned(),
                }),
                // Unreachable after `check_document`, unless a bundled context imports another.
                None => Err(Box::new(JsonLdError::UnknownContext {
                    path: String::new(),
                    url: url.to_owned(),
                })),
            });
    let mut quads = Vec::new();
    for q in parser {
        let q = q.map_err(|e| JsonLdError::JsonLd(e.to_string()))?;
        if quads.len() >= MAX_QUADS {
            return Err(JsonLdError::TooLarge(format!(
                "more than {MAX_QUADS} quads"
            )));
        }
        quads.push(q);
    }
    Ok(quads)
}

/// The quad as one N-Quads line (ending in ` .\n`) with every blank node label `l` replaced by
/// `rename(l)`: how canonical, HMAC-relabelled and verifier-side quads are all written.
///
/// # Errors
/// Whatever `rename` returns.
pub fn relabelled_line<E>(
    quad: &Quad,
    mut rename: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let mut node = |b: &oxrdf::BlankNode| rename(b.as_str()).map(oxrdf::BlankNode::new_unchecked);
    let subject = match &quad.subject {
        oxrdf::NamedOrBlankNode::BlankNode(b) => node(b)?.into(),
        other => other.clone(),
    };
    let object = match &quad.object {
        oxrdf::Term::BlankNode(b) => node(b)?.into(),
        other => other.clone(),
    };
    let graph_name = match &quad.graph_name {
        oxrdf::GraphName::BlankNode(b) => node(b)?.into(),
        other => other.clone(),
    };
    Ok(format!(
        "{} .\n",
        Quad::new(subject, quad.predicate.clone(), object, graph_name)
    ))
}

/// [`relabelled_line`] with a renaming that cannot fail.
fn renamed_line(quad: &Quad, rename: impl Fn(&str) -> String) -> String {
    relabelled_line(quad, |l| Ok::<_, std::convert::Infallible>(rename(l)))
        .unwrap_or_else(|never| match never {})
}

/// RDFC-1.0 (SHA-256) blank-node labels of a set of quads: input label → canonical label
/// (`c14nN`).
///
/// # Errors
/// [`JsonLdError::CanonicalizationTooComplex`] for a dataset whose blank nodes need more than
/// [`MAX_CANONICALIZATION_WORK`] steps to tell apart; `oxrdf`, which computes the labels, has no
/// limit of its own, so a counted dry run of the same algorithm goes first.
pub fn canonical_labels(quads: &[Quad]) -> Result<BTreeMap<String, String>, JsonLdError> {
    // Only the quads that mention a blank node take part in labelling (RDFC-1.0 § 4.4 step 2: the
    // blank node to quads map), so the others are left out of both runs: a document of
    // thousands of plain statements and one blank node costs one small dataset, not an index of
    // every statement.
    let owned: Vec<Quad> = quads
        .iter()
        .filter(|q| has_blank_node(q))
        .cloned()
        .collect();
    if owned.is_empty() {
        return Ok(BTreeMap::new());
    }
    rdfc_work::canonical_labels(&owned).map_err(|_| JsonLdError::CanonicalizationTooComplex)?;
    let dataset: Dataset = owned.into_iter().collect();
    Ok(dataset
        .canonicalize_blank_nodes(CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
        })
        .into_iter()
        .map(|(from, to)| (from.as_str().to_owned(), to.as_str().to_owned()))
        .collect())
}

/// Whether a blank node is the quad's subject, object or graph name.
fn has_blank_node(q: &Quad) -> bool {
    matches!(q.subject, oxrdf::NamedOrBlankNode::BlankNode(_))
        || matches!(q.object, oxrdf::Term::BlankNode(_))
        || matches!(q.graph_name, oxrdf::GraphName::BlankNode(_))
}

/// RDFC-1.0 (SHA-256) of a set of quads: the canonical N-Quads lines, sorted, each ending in
/// `\n`.
///
/// # Errors
/// As [`canonical_labels`].
pub fn canonicalize_quads(quads: &[Quad]) -> Result<Vec<String>, JsonLdError> {
    let labels = canonical_labels(quads)?;
    let mut lines: Vec<String> = quads
        .iter()
        .map(|q| renamed_line(q, |l| labels.get(l).map_or(l, String::as_str).to_owned()))
        .collect();
    lines.sort();
    lines.dedup();
    Ok(lines)
}

/// JSON-LD document → canonical N-Quads lines (RDFC-1.0, SHA-256).
///
/// # Errors
/// [`JsonLdError`].
pub fn canonicalize(document: &serde_json::Value) -> Result<Vec<String>, JsonLdError> {
    canonicalize_quads(&to_quads(document)?)
}

/// [`canonicalize`] with the contexts narrowed to `policy`.
///
/// # Errors
/// [`JsonLdError`].
pub fn canonicalize_with(
    document: &serde_json::Value,
    policy: &ContextPolicy,
) -> Result<Vec<String>, JsonLdError> {
    canonicalize_quads(&to_quads_with(document, policy)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn bundled_table_matches_index_json() {
        let index: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../assets/contexts/index.json")).unwrap();
        assert_eq!(index.len(), BUNDLED_CONTEXTS.len());
        for (url, file) in &index {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../assets/contexts")
                .join(file);
            assert_eq!(
                bundled_context(url),
                Some(std::fs::read_to_string(path).unwrap().as_str()),
                "{url}"
            );
        }
    }

    #[test]
    fn unknown_context_is_refused() {
        let doc = serde_json::json!({"@context": "https://example.com/not-bundled", "name": "x"});
        assert!(
            matches!(canonicalize(&doc), Err(JsonLdError::UnknownContext { .. })),
            "{:?}",
            canonicalize(&doc)
        );
        let import = serde_json::json!({"@context": {"@version": 1.1, "@import": "https://evil.example/ctx"}, "a": 1});
        assert!(canonicalize(&import).is_err());
    }

    #[test]
    fn hostile_shapes_are_bounded() {
        let mut deep = serde_json::json!("leaf");
        for _ in 0..(MAX_DEPTH + 2) {
            deep = serde_json::json!({ "https://example.com/p": deep });
        }
        assert!(matches!(canonicalize(&deep), Err(JsonLdError::TooLarge(_))));
        let wide = serde_json::Value::Array(vec![serde_json::json!(1); MAX_JSON_VALUES + 1]);
        assert!(matches!(canonicalize(&wide), Err(JsonLdError::TooLarge(_))));
        let many = serde_json::json!({
            "@context": EXAMPLES,
            "@id": "https://example.com/s",
            "p": (0..MAX_QUADS + 1).collect::<Vec<_>>(),
        });
        assert!(matches!(canonicalize(&many), Err(JsonLdError::TooLarge(_))));
    }

    const V2: &str = "https://www.w3.org/ns/credentials/v2";
    const EXAMPLES: &str = "https://www.w3.org/ns/credentials/examples/v2";

    /// Embedded contexts are limited in number, and inline ones in size, before safe mode
    /// refuses inline ones at all: the bounds come first and cost no JSON-LD processing.
    #[test]
    fn embedded_contexts_are_bounded() {
        let item = |i: usize| serde_json::json!({"@context": [EXAMPLES], "x": i});
        let doc = |items: usize| {
            serde_json::json!({"@context": [V2, EXAMPLES], "@id": "https://example.com/s",
                               "t0": (0..items).map(item).collect::<Vec<_>>()})
        };
        // Within the limits: a top-level context and 63 embedded ones (URLs).
        assert_eq!(
            to_quads(&doc(MAX_CONTEXTS - 1)).unwrap().len(),
            2 * (MAX_CONTEXTS - 1)
        );
        let r = to_quads(&doc(MAX_CONTEXTS));
        assert!(
            matches!(r, Err(JsonLdError::TooLarge(ref m)) if m.contains("@context")),
            "{r:?}"
        );
        let big: serde_json::Map<String, serde_json::Value> = (0..MAX_CONTEXT_VALUES)
            .map(|i| (format!("t{i}"), format!("https://example.com/t{i}").into()))
            .collect();
        let r = to_quads(&serde_json::json!({"@context": big, "t0": 1}));
        assert!(
            matches!(r, Err(JsonLdError::TooLarge(ref m)) if m.contains("contexts")),
            "{r:?}"
        );
        // Small inline contexts pass the bounds and are refused by safe mode.
        let r = to_quads(&serde_json::json!({"@context": {"x": "https://example.com/x"}, "x": 1}));
        assert!(
            matches!(r, Err(JsonLdError::InlineContext { ref path }) if path == "/@context"),
            "{r:?}"
        );
        // The W3C-shaped case: one context array of URLs.
        let vc = serde_json::json!({"@context": [V2],
            "type": "VerifiableCredential", "issuer": "did:example:1",
            "credentialSubject": {"name": "x"}});
        assert_eq!(
            to_quads(&vc).unwrap().len(),
            4,
            "type, issuer, subject link, name"
        );
    }

    /// RDFC-1.0 dataset poisoning: 8 blank nodes, each linked to all others (56 quads), take
    /// oxrdf seconds (10 nodes: minutes); refused after a bounded dry run instead.
    #[test]
    fn poison_datasets_are_refused() {
        for n in [8, 12] {
            // Without `@graph` (refused in safe mode): node n0 links to every other node, and each
            // of those, written inside n0's list, links to every node but itself.
            let links = |i: usize| -> Vec<serde_json::Value> {
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| serde_json::json!({"id": format!("_:n{j}")}))
                    .collect()
            };
            let others: Vec<serde_json::Value> = (1..n)
                .map(|i| serde_json::json!({"id": format!("_:n{i}"), "p": links(i)}))
                .collect();
            let doc = serde_json::json!({"@context": [V2, EXAMPLES], "id": "_:n0", "p": others});
            assert_eq!(to_quads(&doc).unwrap().len(), n * (n - 1), "K{n}");
            assert!(
                matches!(
                    canonicalize(&doc),
                    Err(JsonLdError::CanonicalizationTooComplex)
                ),
                "K{n}"
            );
        }
    }
}
