//! What a presentation shows a verifier, as the holder's preview and the verifier's report both
//! list it: every verified statement of the credential, named by its path from the credential
//! (`issuer.name`, `credentialStatus.statusIndex`, `credentialSubject.ageOver18`).
//!
//! Both sides read the same thing — the statements of the reveal document, never its JSON — so a
//! hostile issuer cannot make a presentation reveal something (a top-level `id`, an id on the
//! status entry) that the holder was not shown before signing (issue 17 item 4). Blank-node
//! labels differ between the holder's and the verifier's copies; paths do not.

use std::collections::BTreeSet;

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
        "credentialSubject" => "subject (your DID)",
        "holder" => "holder (your DID, signing)",
        other => other.strip_prefix("credentialSubject.").unwrap_or(other),
    }
}

/// Everything `claims` shows, sorted by path then value. Statements about nodes the credential
/// does not reach (none in a well-formed credential) are listed under their subject's IRI, or
/// `(unlinked)`.
pub fn shown(claims: &VerifiedClaims) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut visited = BTreeSet::new();
    if let Some(root) = claims.credential() {
        if let Node::Iri(id) = root {
            out.push(Shown {
                path: "id".into(),
                value: id.clone(),
            });
        }
        walk(claims, root, "", &mut visited, &mut out);
    }
    // Anything left over still reaches the verifier: list it rather than hide it.
    let subjects: BTreeSet<&Node> = claims.statements().map(|(s, _, _)| s).collect();
    for s in subjects {
        if !visited.contains(s) {
            let prefix = match s {
                Node::Iri(i) => i.clone(),
                Node::Blank(_) => "(unlinked)".into(),
            };
            walk(claims, s, &prefix, &mut visited, &mut out);
        }
    }
    out.sort();
    out
}

fn walk<'a>(
    claims: &'a VerifiedClaims,
    node: &'a Node,
    prefix: &str,
    visited: &mut BTreeSet<&'a Node>,
    out: &mut Vec<Shown>,
) {
    if !visited.insert(node) {
        return;
    }
    for (_, predicate, object) in claims.statements().filter(|(s, _, _)| *s == node) {
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
                    let value = if predicate == RDF_TYPE {
                        short_name(iri)
                    } else {
                        iri
                    };
                    out.push(Shown {
                        path: path.clone(),
                        value: value.to_owned(),
                    });
                }
                walk(claims, n, &path, visited, out);
            }
        }
    }
}
