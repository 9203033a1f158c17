//! The claims a proof verified, read from the signed RDF — never from the document's JSON.
//!
//! A signature covers the canonical RDF statements of a document. [`VerifiedClaims`] holds exactly
//! those statements (of the default graph: the credential itself, not the proofs or credentials
//! nested as named graphs) and answers the questions a verifier asks — who issued it, of what
//! type, and what the subject's claims are — by IRI, so no caller has to trust the JSON text.
//! Safe mode ([`crate::jsonld::safe`]) makes the JSON agree with these statements; this type makes
//! agreeing unnecessary.

use std::collections::BTreeMap;

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};

/// IRIs of the VC Data Model 2.0 vocabulary (<https://www.w3.org/2018/credentials#>).
pub mod vc {
    /// `VerifiableCredential` (class).
    pub const VERIFIABLE_CREDENTIAL: &str =
        "https://www.w3.org/2018/credentials#VerifiableCredential";
    /// `issuer`.
    pub const ISSUER: &str = "https://www.w3.org/2018/credentials#issuer";
    /// `credentialSubject`.
    pub const CREDENTIAL_SUBJECT: &str = "https://www.w3.org/2018/credentials#credentialSubject";
    /// `validFrom`.
    pub const VALID_FROM: &str = "https://www.w3.org/2018/credentials#validFrom";
    /// `validUntil`.
    pub const VALID_UNTIL: &str = "https://www.w3.org/2018/credentials#validUntil";
    /// `credentialStatus`.
    pub const CREDENTIAL_STATUS: &str = "https://www.w3.org/2018/credentials#credentialStatus";
    /// `VerifiablePresentation` (class).
    pub const VERIFIABLE_PRESENTATION: &str =
        "https://www.w3.org/2018/credentials#VerifiablePresentation";
    /// `holder`.
    pub const HOLDER: &str = "https://www.w3.org/2018/credentials#holder";
    /// `credentialSchema`.
    pub const CREDENTIAL_SCHEMA: &str = "https://www.w3.org/2018/credentials#credentialSchema";
}

/// `rdf:type`.
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// A node of the verified graph: an IRI or a blank node (its label is only meaningful within
/// one [`VerifiedClaims`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// A named node.
    Iri(String),
    /// A blank node label.
    Blank(String),
}

impl Node {
    /// The IRI, when the node is named.
    pub fn as_iri(&self) -> Option<&str> {
        match self {
            Self::Iri(i) => Some(i),
            Self::Blank(_) => None,
        }
    }
}

/// The value of a verified claim.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimValue {
    /// Another node (an IRI such as a DID, or a blank node with claims of its own).
    Node(Node),
    /// A literal: its lexical form, datatype IRI and language tag.
    Literal {
        /// Lexical form.
        value: String,
        /// Datatype IRI (`xsd:string` for plain strings, `rdf:langString` with a language).
        datatype: String,
        /// Language tag, for language-tagged strings.
        language: Option<String>,
    },
}

impl ClaimValue {
    /// The boolean, for an `xsd:boolean` literal.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Literal {
                value, datatype, ..
            } if datatype == "http://www.w3.org/2001/XMLSchema#boolean" => match value.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The lexical form of a literal, or the IRI of a named node.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Literal { value, .. } => Some(value),
            Self::Node(Node::Iri(i)) => Some(i),
            Self::Node(Node::Blank(_)) => None,
        }
    }
}

/// The statements a proof verified; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifiedClaims {
    /// (subject, predicate IRI, object), sorted.
    statements: Vec<(Node, String, ClaimValue)>,
}

fn node(n: &NamedOrBlankNode) -> Node {
    match n {
        NamedOrBlankNode::NamedNode(i) => Node::Iri(i.as_str().to_owned()),
        NamedOrBlankNode::BlankNode(b) => Node::Blank(b.as_str().to_owned()),
    }
}

impl VerifiedClaims {
    /// The default-graph statements of verified quads.
    pub(crate) fn from_quads(quads: &[Quad]) -> Self {
        let mut statements: Vec<_> = quads
            .iter()
            .filter(|q| q.graph_name == GraphName::DefaultGraph)
            .map(|q| {
                let object = match &q.object {
                    Term::NamedNode(i) => ClaimValue::Node(Node::Iri(i.as_str().to_owned())),
                    Term::BlankNode(b) => ClaimValue::Node(Node::Blank(b.as_str().to_owned())),
                    Term::Literal(l) => ClaimValue::Literal {
                        value: l.value().to_owned(),
                        datatype: l.datatype().as_str().to_owned(),
                        language: l.language().map(str::to_owned),
                    },
                };
                (node(&q.subject), q.predicate.as_str().to_owned(), object)
            })
            .collect();
        statements.sort();
        statements.dedup();
        Self { statements }
    }

    /// Every verified statement: (subject, predicate IRI, value).
    pub fn statements(&self) -> impl Iterator<Item = (&Node, &str, &ClaimValue)> {
        self.statements.iter().map(|(s, p, o)| (s, p.as_str(), o))
    }

    /// The statements about `subject`, in order: a binary search in the sorted statements, so
    /// that asking about every subject of a large graph does not cost the square of its size.
    fn about(&self, subject: &Node) -> &[(Node, String, ClaimValue)] {
        let start = self.statements.partition_point(|(s, _, _)| s < subject);
        let rest = &self.statements[start..];
        &rest[..rest.partition_point(|(s, _, _)| s == subject)]
    }

    /// The values of `predicate` on `subject`.
    pub fn values(&self, subject: &Node, predicate: &str) -> Vec<&ClaimValue> {
        let about = self.about(subject);
        let start = about.partition_point(|(_, p, _)| p.as_str() < predicate);
        about[start..]
            .iter()
            .take_while(|(_, p, _)| p == predicate)
            .map(|(_, _, o)| o)
            .collect()
    }

    /// Every `holder` of every node typed `VerifiablePresentation`, as signed.
    pub fn holders(&self) -> Vec<&ClaimValue> {
        let vp = ClaimValue::Node(Node::Iri(vc::VERIFIABLE_PRESENTATION.to_owned()));
        self.statements
            .iter()
            .filter(|(_, p, o)| p == RDF_TYPE && *o == vp)
            .flat_map(|(s, _, _)| self.values(s, vc::HOLDER))
            .collect()
    }

    /// The credential node: the one subject typed `VerifiableCredential`, if exactly one is.
    pub fn credential(&self) -> Option<&Node> {
        let mut it = self.statements.iter().filter(|(_, p, o)| {
            p == RDF_TYPE && *o == ClaimValue::Node(Node::Iri(vc::VERIFIABLE_CREDENTIAL.to_owned()))
        });
        let first = it.next().map(|(s, _, _)| s);
        if it.next().is_some() { None } else { first }
    }

    /// The single value of `predicate` on the credential node (`None` if absent or repeated).
    fn credential_value(&self, predicate: &str) -> Option<&ClaimValue> {
        match self.values(self.credential()?, predicate).as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The credential's issuer IRI (e.g. its DID), as signed.
    pub fn issuer(&self) -> Option<&str> {
        match self.credential_value(vc::ISSUER)? {
            ClaimValue::Node(Node::Iri(i)) => Some(i),
            _ => None,
        }
    }

    /// The credential's type IRIs, as signed.
    pub fn types(&self) -> Vec<&str> {
        self.credential()
            .map(|c| {
                self.values(c, RDF_TYPE)
                    .into_iter()
                    .filter_map(|v| match v {
                        ClaimValue::Node(Node::Iri(i)) => Some(i.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `validFrom` / `validUntil` (lexical forms), as signed.
    pub fn validity(&self) -> (Option<&str>, Option<&str>) {
        let text = |p| self.credential_value(p).and_then(ClaimValue::as_str);
        (text(vc::VALID_FROM), text(vc::VALID_UNTIL))
    }

    /// The credential's subjects (usually one).
    pub fn subjects(&self) -> Vec<&Node> {
        self.credential()
            .map(|c| {
                self.values(c, vc::CREDENTIAL_SUBJECT)
                    .into_iter()
                    .filter_map(|v| match v {
                        ClaimValue::Node(n) => Some(n),
                        ClaimValue::Literal { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The claims about the credential's subjects, by predicate IRI (several values when the
    /// subject has several, or there are several subjects).
    pub fn subject_claims(&self) -> BTreeMap<&str, Vec<&ClaimValue>> {
        let mut out: BTreeMap<&str, Vec<&ClaimValue>> = BTreeMap::new();
        for s in self.subjects() {
            for (_, p, o) in self.about(s) {
                out.entry(p.as_str()).or_default().push(o);
            }
        }
        out
    }

    /// The subject's single value of the claim `predicate` (`None` if absent or repeated).
    pub fn subject_claim(&self, predicate: &str) -> Option<&ClaimValue> {
        let claims = self.subject_claims();
        match claims.get(predicate).map(Vec::as_slice) {
            Some([one]) => Some(one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode};

    /// The binary searches answer what a scan of every statement answers.
    #[test]
    fn lookups_match_a_scan() {
        let iri = |s: &str| NamedNode::new(format!("https://example.com/{s}")).unwrap();
        let subjects: Vec<NamedOrBlankNode> = vec![
            iri("a").into(),
            iri("b").into(),
            BlankNode::new("x").unwrap().into(),
            BlankNode::new("y").unwrap().into(),
        ];
        let mut quads = Vec::new();
        for (i, s) in subjects.iter().enumerate() {
            for p in ["p", "q", "r"].iter().take(i + 1) {
                for v in 0..=i {
                    quads.push(Quad::new(
                        s.clone(),
                        iri(p),
                        Literal::new_simple_literal(v.to_string()),
                        GraphName::DefaultGraph,
                    ));
                }
            }
        }
        quads.push(Quad::new(
            iri("c"),
            NamedNode::new(vc::CREDENTIAL_SUBJECT).unwrap(),
            BlankNode::new("x").unwrap(),
            GraphName::DefaultGraph,
        ));
        quads.push(Quad::new(
            iri("c"),
            NamedNode::new(RDF_TYPE).unwrap(),
            NamedNode::new(vc::VERIFIABLE_CREDENTIAL).unwrap(),
            GraphName::DefaultGraph,
        ));
        let claims = VerifiedClaims::from_quads(&quads);
        let nodes: Vec<Node> = claims.statements().map(|(s, _, _)| s.clone()).collect();
        for s in nodes
            .iter()
            .chain([&Node::Iri("https://example.com/none".into())])
        {
            for p in ["p", "q", "r", "s"].map(|p| format!("https://example.com/{p}")) {
                let scan: Vec<&ClaimValue> = claims
                    .statements()
                    .filter(|(n, q, _)| *n == s && *q == p)
                    .map(|(_, _, o)| o)
                    .collect();
                assert_eq!(claims.values(s, &p), scan, "{s:?} {p}");
            }
        }
        let subject = claims.subject_claims();
        assert_eq!(subject.len(), 3, "{subject:?}");
        assert_eq!(subject["https://example.com/r"].len(), 3);
    }
}
