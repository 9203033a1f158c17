//! What a presentation shows a verifier, as the holder's preview and the verifier's report both
//! list it: every verified statement of the credential, named by its path from the credential
//! (`issuer.name`, `credentialStatus.statusIndex`, `credentialSubject.ageOver18`).
//!
//! Both sides read the same thing — the statements of the reveal document, never its JSON — so a
//! hostile issuer cannot make a presentation reveal something (a top-level `id`, an id on the
//! status entry) that the holder was not shown before signing (issue 17 item 4). Blank-node
//! labels differ between the holder's and the verifier's copies; paths do not.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::kyc_term;
use crate::di::claims::{ClaimValue, Node, VerifiedClaims};

/// `rdf:type`.
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Vocabularies whose terms are shown by their short name.
const VOCABULARIES: [&str; 3] = [
    "https://www.w3.org/2018/credentials#",
    "https://schema.org/",
    "https://w3id.org/security#",
];

/// One thing a verifier sees: its path from the credential and its value (a literal's lexical
/// form or an IRI).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Shown {
    /// The path from the credential, by short term names joined with `.` (`id` for the
    /// credential's own IRI, `type` for its types).
    pub path: String,
    /// The value.
    pub value: String,
}

/// The short name of a predicate or type IRI: its term in a known vocabulary, else the IRI.
pub fn short_name(iri: &str) -> &str {
    if iri == RDF_TYPE {
        return "type";
    }
    VOCABULARIES
        .iter()
        .find_map(|v| iri.strip_prefix(v))
        .or_else(|| kyc_term(iri))
        .filter(|t| !t.is_empty())
        .unwrap_or(iri)
}

/// A reader's name for a path that [`shown`] lists: the wallet's own words for the parts every
/// Siegel credential has, the path itself for anything else (an issuer's extra member is shown
/// as what it is).
pub fn label(path: &str) -> &str {
    match path {
        "id" => "credential id",
        "issuer" => "issuer DID",
        "issuer.name" => "issuer",
        "validFrom" => "valid from",
        "validUntil" => "valid until",
        "credentialSchema" => "schema",
        "credentialSchema.type" => "schema type",
        "credentialStatus" => "status entry id",
        "credentialStatus.type" => "status type",
        "credentialStatus.statusIndex" => "status list entry",
        "credentialStatus.statusRegistry" => "status registry",
        "credentialStatus.statusIssuer" => "status issuer",
        "credentialSubject" => "subject id",
        "proof.verificationMethod" => "issuer key",
        "proof.created" => "signed at",
        "proof.expires" => "proof expires",
        "holder" => "holder (signs the presentation)",
        other => other.strip_prefix("credentialSubject.").unwrap_or(other),
    }
}

/// The most entries [`shown`] lists, and the deepest path it follows: far beyond any credential
/// Siegel takes (a KYC attestation shows about 20 entries, 2 levels deep). A hostile document
/// that chains thousands of nodes is cut off here instead of costing quadratic memory; the
/// listing then says so with a last `(more)` entry.
pub const MAX_SHOWN: usize = 1024;
/// See [`MAX_SHOWN`].
pub const MAX_DEPTH: usize = 8;

/// Everything `claims` shows, sorted by path then value, at most [`MAX_SHOWN`] entries and
/// [`MAX_DEPTH`] levels. Statements about nodes the credential does not reach (none in a
/// well-formed credential) are listed under their subject's IRI, or `(unlinked)`.
pub fn shown(claims: &VerifiedClaims) -> Vec<Shown> {
    // One pass groups the statements by subject; the walk below then visits each node once.
    let mut by_subject: BTreeMap<&Node, Vec<(&str, &ClaimValue)>> = BTreeMap::new();
    for (s, p, o) in claims.statements() {
        by_subject.entry(s).or_default().push((p, o));
    }
    let mut out = Vec::new();
    let mut visited = BTreeSet::new();
    let mut truncated = false;
    let mut roots: Vec<(&Node, String)> = Vec::new();
    if let Some(root) = claims.credential() {
        if let Node::Iri(id) = root {
            out.push(Shown {
                path: "id".into(),
                value: id.clone(),
            });
        }
        roots.push((root, String::new()));
    }
    // Anything the credential does not reach still reaches the verifier: list it too.
    roots.extend(by_subject.keys().map(|s| {
        let prefix = match s {
            Node::Iri(i) => i.clone(),
            Node::Blank(_) => "(unlinked)".into(),
        };
        (*s, prefix)
    }));
    for (root, prefix) in roots {
        walk(
            &by_subject,
            root,
            prefix,
            &mut visited,
            &mut out,
            &mut truncated,
        );
    }
    out.sort();
    if truncated {
        out.push(Shown {
            path: "(more)".into(),
            value: format!("more than {MAX_SHOWN} entries or {MAX_DEPTH} levels"),
        });
    }
    out
}

type Adjacency<'a> = BTreeMap<&'a Node, Vec<(&'a str, &'a ClaimValue)>>;

/// Lists what `root` shows under `prefix`, depth first, with an explicit stack (no recursion:
/// the depth is the attacker's to choose).
fn walk<'a>(
    by_subject: &Adjacency<'a>,
    root: &'a Node,
    prefix: String,
    visited: &mut BTreeSet<&'a Node>,
    out: &mut Vec<Shown>,
    truncated: &mut bool,
) {
    let mut stack = vec![(root, prefix, 0usize)];
    while let Some((node, prefix, depth)) = stack.pop() {
        if !visited.insert(node) {
            continue;
        }
        for (predicate, object) in by_subject.get(node).map(Vec::as_slice).unwrap_or(&[]) {
            if out.len() >= MAX_SHOWN {
                *truncated = true;
                return;
            }
            let name = short_name(predicate);
            let path = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            };
            match object {
                ClaimValue::Literal { value, .. } => out.push(Shown {
                    path,
                    value: value.clone(),
                }),
                ClaimValue::Node(n) => {
                    if let Node::Iri(iri) = n {
                        let value = if *predicate == RDF_TYPE {
                            short_name(iri)
                        } else {
                            iri
                        };
                        out.push(Shown {
                            path: path.clone(),
                            value: value.to_owned(),
                        });
                    }
                    if depth + 1 >= MAX_DEPTH {
                        *truncated |= by_subject.contains_key(n) && !visited.contains(n);
                    } else {
                        stack.push((n, path, depth + 1));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad};

    fn chain(n: usize) -> VerifiedClaims {
        let p = NamedNode::new("https://www.w3.org/2018/credentials#credentialSubject").unwrap();
        let vc =
            NamedNode::new("https://www.w3.org/2018/credentials#VerifiableCredential").unwrap();
        let ty = NamedNode::new(RDF_TYPE).unwrap();
        let node = |i: usize| BlankNode::new(format!("b{i}")).unwrap();
        let mut quads = vec![Quad::new(node(0), ty, vc, GraphName::DefaultGraph)];
        for i in 0..n {
            quads.push(Quad::new(
                node(i),
                p.clone(),
                node(i + 1),
                GraphName::DefaultGraph,
            ));
            quads.push(Quad::new(
                node(i),
                NamedNode::new("https://schema.org/name").unwrap(),
                Literal::new_simple_literal(format!("n{i}")),
                GraphName::DefaultGraph,
            ));
        }
        VerifiedClaims::from_quads(&quads)
    }

    /// The red-team review: a credential chaining thousands of nodes cost the verifier memory
    /// quadratic in its depth (and a stack frame per level). Now the listing is cut off.
    #[test]
    fn a_deep_chain_is_listed_within_bounds() {
        let out = shown(&chain(20_000));
        assert!(out.len() <= MAX_SHOWN + 1, "{}", out.len());
        assert_eq!(out.last().unwrap().path, "(more)");
        assert!(
            out.iter()
                .all(|s| s.path.split('.').count() <= MAX_DEPTH + 1)
        );
        // A shallow one is listed whole, paths by short names.
        let small = shown(&chain(2));
        assert!(small.iter().all(|s| s.path != "(more)"));
        assert!(small.contains(&Shown {
            path: "credentialSubject.name".into(),
            value: "n1".into()
        }));
        assert!(small.contains(&Shown {
            path: "type".into(),
            value: "VerifiableCredential".into()
        }));
    }
}
