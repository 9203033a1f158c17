//! Safe mode: a document is turned into RDF only when its JSON and its RDF say the same thing.
//!
//! Signatures cover the canonical RDF, but people and programs read the JSON. The two agree only
//! when every `@context` is one we know and every key and value survives expansion. VC Data
//! Integrity § 4.5 ("Context Validation") asks verifiers to accept only known contexts, and
//! JSON-LD processors offer a "safe mode" that fails where expansion would silently drop data; this
//! module is both, for issuing, deriving and verifying alike:
//!
//! 1. **Contexts by URL only** ([`check_document`]): every `@context` value, at the top or
//!    nested, is a URL (or an array of URLs) of a bundled context that the [`ContextPolicy`]
//!    allows. Inline context objects and `null` (which resets the active context) are refused:
//!    they are how a document redefines a signed term (`"ageOver18": null`) and maps another key
//!    onto its IRI.
//! 2. **No keyword games in the body**: only `@context`, `@id`, `@type`, `@value`, `@language` and
//!    `@direction` may be written as keys. `@reverse`, `@nest`, `@graph`, `@included`, `@list`,
//!    `@set`, `@index`, `@json` and the context keywords restructure or hide statements; none of
//!    our credentials need them.
//! 3. **Nothing dropped**: `null` values, blank-node properties (`"_:x": …`) and keys or values
//!    that do not expand to valid IRIs (a key with a space, a relative `id`) vanish in
//!    expansion (JSON-LD 1.1 API § 13.3, § 13.4) while the JSON still shows them. The first two
//!    are refused here; the rest by [`super::to_quads_with`], which compares a strict conversion
//!    with a lenient one.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};
use serde_json::Value;

use super::{JsonLdError, bundled_context};

/// Which JSON-LD contexts a document may reference. The default allows every bundled context
/// and no inline context; a verifier that expects, say, only KYC attestations narrows it with
/// [`ContextPolicy::only`]. A context that is not bundled is never allowed: contexts are not
/// fetched. An inline context is allowed only when the caller pins it, value for value, with
/// [`ContextPolicy::trust_inline`] — as the W3C test vectors need, which define their vocabulary
/// inline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextPolicy {
    /// `None`: every bundled context.
    allowed: Option<BTreeSet<String>>,
    /// Inline context objects trusted exactly as written.
    inline: Vec<Value>,
}

impl ContextPolicy {
    /// Every bundled context ([`super::BUNDLED_CONTEXTS`]).
    pub fn bundled() -> Self {
        Self::default()
    }

    /// Only these context URLs.
    ///
    /// # Errors
    /// [`JsonLdError::UnknownContext`] for a URL that is not bundled (it could never load).
    pub fn only<I, S>(urls: I) -> Result<Self, JsonLdError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let allowed = urls
            .into_iter()
            .map(Into::into)
            .map(|url| match bundled_context(&url) {
                Some(_) => Ok(url),
                None => Err(JsonLdError::UnknownContext {
                    path: String::new(),
                    url,
                }),
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(Self {
            allowed: Some(allowed),
            inline: Vec::new(),
        })
    }

    /// Also accepts this inline context object wherever it appears, exactly as given (JSON
    /// equality). Only for contexts the caller has reviewed: an inline context can map any key
    /// to any IRI.
    #[must_use]
    pub fn trust_inline(mut self, context: Value) -> Self {
        self.inline.push(context);
        self
    }

    /// Whether a document may reference `url`.
    pub fn allows(&self, url: &str) -> bool {
        bundled_context(url).is_some() && self.allowed.as_ref().is_none_or(|a| a.contains(url))
    }
}

thread_local! {
    /// The policy of [`with_context_policy`] on this thread, if one is in force.
    static SCOPED: RefCell<Option<ContextPolicy>> = const { RefCell::new(None) };
}

/// Runs `f` with `policy` as the context policy of every conversion on this thread that does
/// not name one ([`super::to_quads`], [`super::canonicalize`], and so every issue, derive and
/// verify call of [`crate::di`] inside `f`). Scopes nest; the previous policy is restored when
/// `f` returns or unwinds. How a verifier narrows the contexts of a whole verification without
/// threading a parameter through every cryptosuite step.
pub fn with_context_policy<R>(policy: &ContextPolicy, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<ContextPolicy>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPED.with(|s| *s.borrow_mut() = previous);
        }
    }
    let previous = SCOPED.with(|s| s.replace(Some(policy.clone())));
    let _restore = Restore(previous);
    f()
}

/// The policy in force on this thread: the innermost [`with_context_policy`], else
/// [`ContextPolicy::bundled`].
pub fn current_policy() -> ContextPolicy {
    SCOPED.with(|s| s.borrow().clone()).unwrap_or_default()
}

/// Keywords a document body may use as keys (JSON-LD 1.1 § 1.7). Everything else starting with
/// `@` is refused.
/// `@direction` is not among them: JSON-LD to RDF drops it unless `rdfDirection` is set (JSON-LD
/// 1.1 API § 8.6), so the direction a reader renders would not be signed.
const BODY_KEYWORDS: &[&str] = &["@context", "@id", "@type", "@value", "@language"];

/// Largest magnitude of a JSON number accepted: every integer up to 2^53 is exact in the f64
/// that serde_json, JavaScript and JCS (the canonical form of JSON literals) all use; beyond
/// it, two different texts can be one signed number.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// 2^53 as an integer.
const MAX_EXACT_INTEGER_U64: u64 = 1 << 53;

/// Whether a JSON number is exactly what every reader reads. Integers are compared as integers
/// (2^53 + 1 rounds to 2^53 as an f64).
fn exact_number(n: &serde_json::Number) -> bool {
    if let Some(u) = n.as_u64() {
        u <= MAX_EXACT_INTEGER_U64
    } else if let Some(i) = n.as_i64() {
        i.unsigned_abs() <= MAX_EXACT_INTEGER_U64
    } else {
        n.as_f64().is_some_and(|f| f.abs() <= MAX_EXACT_INTEGER)
    }
}

/// Checks the document's contexts, keywords and values before any JSON-LD processing; see the
/// module documentation. Errors name the JSON pointer (RFC 6901) of the offending member.
///
/// Linear in the size of the document: the repeated-value check compares hashes of the array
/// items, each computed once from its children's (a comparison of every item with every earlier
/// one took seconds on an array of 48,000 strings).
///
/// # Errors
/// [`JsonLdError::InlineContext`], [`JsonLdError::UnknownContext`],
/// [`JsonLdError::ContextNotAllowed`], [`JsonLdError::KeywordNotAllowed`],
/// [`JsonLdError::Dropped`].
pub fn check_document(document: &Value, policy: &ContextPolicy) -> Result<(), JsonLdError> {
    let mut walker = Walker {
        policy,
        hashes: RandomState::new(),
        path: String::new(),
    };
    walker.walk(document).map(|_| ())
}

/// Appends one RFC 6901 reference token to `path`.
fn push_token(path: &mut String, token: &str) {
    path.push('/');
    for c in token.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// One [`check_document`] pass.
struct Walker<'a> {
    policy: &'a ContextPolicy,
    /// Keyed with per-process random keys, so that no document can be built whose distinct
    /// items collide (every collision costs a full comparison).
    hashes: RandomState,
    /// JSON pointer of the value being checked.
    path: String,
}

impl Walker<'_> {
    /// Checks `v` (at `self.path`) and returns its hash: equal JSON values (`Value::eq`, as
    /// `serde_json` compares them: objects regardless of member order, `0.0 == -0.0`) have equal
    /// hashes. Each value is hashed once, from its children's hashes, so a whole document costs
    /// time linear in its size however deeply it nests.
    fn walk(&mut self, v: &Value) -> Result<u64, JsonLdError> {
        match v {
            Value::Null => Err(JsonLdError::Dropped {
                path: self.path.clone(),
                reason: "a null value is dropped by JSON-LD expansion".into(),
            }),
            // An empty array expands to nothing (JSON-LD 1.1 API § 13.4), and a repeated value
            // is one statement: the JSON would show a member, or a count, that no signature
            // covers.
            Value::Array(items) if items.is_empty() => Err(JsonLdError::Dropped {
                path: self.path.clone(),
                reason: "an empty array is dropped by JSON-LD expansion".into(),
            }),
            Value::Array(items) => self.array(items),
            // A value object is accepted only for what plain JSON cannot say, a language-tagged
            // string: `{"@value": false}`, `{"@value": "false", "@type": "xsd:boolean"}` or a
            // typed date sign the same statement as the plain value while a JSON reader sees an
            // object.
            Value::Object(members) if members.contains_key("@value") => {
                let language_string = members.len() == 2
                    && members.get("@value").is_some_and(Value::is_string)
                    && members.get("@language").is_some_and(Value::is_string);
                if language_string {
                    Ok(self.hashes.hash_one((Tag::LanguageString, v)))
                } else {
                    Err(JsonLdError::KeywordNotAllowed {
                        path: self.path.clone(),
                        keyword: "@value (only a string with @language may be a value object)"
                            .into(),
                    })
                }
            }
            Value::Object(members) => self.object(members),
            Value::Number(n) if !exact_number(n) => Err(JsonLdError::Dropped {
                path: self.path.clone(),
                reason: "a number beyond 2^53 is not read the same by every reader".into(),
            }),
            Value::Bool(b) => Ok(self.hashes.hash_one((Tag::Bool, b))),
            Value::Number(n) => Ok(self.hashes.hash_one((Tag::Number, n))),
            Value::String(s) => Ok(self.hashes.hash_one((Tag::String, s.as_str()))),
        }
    }

    /// The items in order; the first one equal to an earlier one is refused. An item equal to an
    /// earlier one passes every other check that one passed, so checking it before comparing
    /// reports the same error as comparing first.
    fn array(&mut self, items: &[Value]) -> Result<u64, JsonLdError> {
        // Hash of an item → indexes of the earlier items with that hash (nearly always one).
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(items.len());
        let mut hasher = self.hashes.build_hasher();
        Tag::Array.hash(&mut hasher);
        for (i, x) in items.iter().enumerate() {
            let len = self.path.len();
            push_token(&mut self.path, &i.to_string());
            let h = self.walk(x)?;
            let earlier = seen.entry(h).or_default();
            if earlier.iter().any(|&j| items[j] == *x) {
                return Err(JsonLdError::Dropped {
                    path: self.path.clone(),
                    reason: "a repeated value is one statement".into(),
                });
            }
            earlier.push(i);
            self.path.truncate(len);
            hasher.write_u64(h);
        }
        Ok(hasher.finish())
    }

    /// The members of a node object (not a value object).
    fn object(&mut self, members: &serde_json::Map<String, Value>) -> Result<u64, JsonLdError> {
        // `id`/`type` are the VC contexts' aliases of `@id`/`@type`; with both, one of the two
        // is not what the JSON reader sees (JSON-LD 1.1 § 4.1.3, colliding keywords).
        for (alias, keyword) in [("id", "@id"), ("type", "@type")] {
            if members.contains_key(alias) && members.contains_key(keyword) {
                return Err(JsonLdError::KeywordNotAllowed {
                    path: self.path.clone(),
                    keyword: format!("{keyword} beside its alias {alias}"),
                });
            }
        }
        // Members are combined by a sum, which does not depend on their order: equal maps are
        // equal whatever order they iterate in.
        let mut sum = 0u64;
        for (key, x) in members {
            let len = self.path.len();
            push_token(&mut self.path, key);
            let h = if key == "@context" {
                check_context(x, &mut self.path, self.policy)?;
                self.hashes.hash_one((Tag::Context, x))
            } else if key.starts_with('@') && !BODY_KEYWORDS.contains(&key.as_str()) {
                return Err(JsonLdError::KeywordNotAllowed {
                    path: self.path.clone(),
                    keyword: key.clone(),
                });
            } else if key.starts_with("_:") {
                return Err(JsonLdError::Dropped {
                    path: self.path.clone(),
                    reason: "a blank-node property is dropped by JSON-LD to RDF".into(),
                });
            } else {
                self.walk(x)?
            };
            self.path.truncate(len);
            sum = sum.wrapping_add(self.hashes.hash_one((key.as_str(), h)));
        }
        Ok(self.hashes.hash_one((Tag::Object, members.len(), sum)))
    }
}

/// What kind of value a hash is of, hashed first so that values of different kinds differ.
#[derive(Clone, Copy, Hash)]
enum Tag {
    Bool,
    Number,
    String,
    Array,
    Object,
    LanguageString,
    Context,
}

/// An `@context` value: a URL or an array of URLs, each allowed by the policy.
fn check_context(v: &Value, path: &mut String, policy: &ContextPolicy) -> Result<(), JsonLdError> {
    let url = |u: &str, path: &str| {
        if bundled_context(u).is_none() {
            Err(JsonLdError::UnknownContext {
                path: path.to_owned(),
                url: u.to_owned(),
            })
        } else if !policy.allows(u) {
            Err(JsonLdError::ContextNotAllowed {
                path: path.to_owned(),
                url: u.to_owned(),
            })
        } else {
            Ok(())
        }
    };
    match v {
        Value::String(u) => url(u, path),
        v if policy.inline.contains(v) => Ok(()),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, x)| {
            let len = path.len();
            push_token(path, &i.to_string());
            let r = match x {
                Value::String(u) => url(u, path),
                x if policy.inline.contains(x) => Ok(()),
                _ => Err(JsonLdError::InlineContext { path: path.clone() }),
            };
            path.truncate(len);
            r
        }),
        _ => Err(JsonLdError::InlineContext { path: path.clone() }),
    }
}

/// The first term of a leniently converted quad that strict conversion drops: an IRI that does
/// not parse (a key or value with a space, a relative IRI without base), a blank node used as a
/// predicate, a language tag that is not BCP 47. `None` when every term is valid.
pub(crate) fn invalid_term(quad: &Quad) -> Option<String> {
    let iri = |s: &str| oxrdf::NamedNode::new(s).is_err().then(|| s.to_owned());
    let blank = |s: &str| oxrdf::BlankNode::new(s).is_err().then(|| format!("_:{s}"));
    let subject = match &quad.subject {
        NamedOrBlankNode::NamedNode(n) => iri(n.as_str()),
        NamedOrBlankNode::BlankNode(b) => blank(b.as_str()),
    };
    let object = || match &quad.object {
        Term::NamedNode(n) => iri(n.as_str()),
        Term::BlankNode(b) => blank(b.as_str()),
        Term::Literal(l) => match l.language() {
            Some(lang) => oxrdf::Literal::new_language_tagged_literal(l.value(), lang)
                .is_err()
                .then(|| lang.to_owned()),
            None => iri(l.datatype().as_str()),
        },
    };
    let graph = || match &quad.graph_name {
        GraphName::NamedNode(n) => iri(n.as_str()),
        GraphName::BlankNode(b) => blank(b.as_str()),
        GraphName::DefaultGraph => None,
    };
    subject
        .or_else(|| iri(quad.predicate.as_str()))
        .or_else(object)
        .or_else(graph)
}

/// The JSON pointer of the member that produced `term` — a key the term ends with (a term
/// expanded against `@vocab`) or a string value it ends with (a relative IRI) — looked for first
/// in the node object whose `id` is `subject` (the statement's subject, when named), then
/// anywhere; the root when nothing matches.
pub(crate) fn locate(document: &Value, term: &str, subject: Option<&str>) -> String {
    /// Whether `v` (at `path`) produced the term; on success `path` points at the member.
    fn find(v: &Value, term: &str, path: &mut String, only_in: Option<&str>) -> bool {
        let descend = |x: &Value, token: &str, path: &mut String, only_in| {
            let len = path.len();
            push_token(path, token);
            let found = find(x, term, path, only_in);
            if !found {
                path.truncate(len);
            }
            found
        };
        match v {
            Value::String(s) => only_in.is_none() && !s.is_empty() && term.ends_with(s.as_str()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .any(|(i, x)| descend(x, &i.to_string(), path, only_in)),
            Value::Object(members) => {
                let id = members.get("id").or_else(|| members.get("@id"));
                let here = only_in.is_none_or(|s| id.and_then(Value::as_str) == Some(s));
                if here {
                    let key = members.keys().find(|k| {
                        !k.starts_with('@') && k.as_str() != "id" && term.ends_with(k.as_str())
                    });
                    if let Some(k) = key {
                        push_token(path, k);
                        return true;
                    }
                }
                members.iter().any(|(k, x)| {
                    k != "@context" && descend(x, k, path, if here { None } else { only_in })
                })
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
    let mut path = String::new();
    if subject.is_some_and(|s| find(document, term, &mut path, Some(s))) {
        return path;
    }
    path.clear();
    if find(document, term, &mut path, None) {
        path
    } else {
        String::new()
    }
}

/// Blank-node labels are random per conversion; two conversions of one document compare equal
/// once every blank node reads `_:b`.
pub(crate) fn shape(quad: &Quad) -> String {
    super::renamed_line(quad, |_| "b".to_owned())
}

/// Compares the strict conversion of a document with its lenient one and returns the error for
/// the first statement strict conversion dropped. Strict conversion never makes statements that
/// lenient conversion does not, so equal shapes mean nothing was dropped.
pub(crate) fn dropped_term(
    document: &Value,
    strict: &[Quad],
    lenient: &[Quad],
) -> Option<JsonLdError> {
    let mut kept: Vec<String> = strict.iter().map(shape).collect();
    kept.sort();
    let mut all: Vec<String> = lenient.iter().map(shape).collect();
    all.sort();
    if kept == all {
        return None;
    }
    let (culprit, subject) = lenient
        .iter()
        .find_map(|q| {
            let subject = match &q.subject {
                NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
                NamedOrBlankNode::BlankNode(_) => None,
            };
            invalid_term(q).map(|t| (t, subject))
        })
        .or_else(|| {
            let shape = all.iter().find(|l| kept.binary_search(l).is_err())?;
            Some((shape.clone(), None))
        })
        .unwrap_or_default();
    Some(JsonLdError::Dropped {
        path: locate(document, &culprit, subject.as_deref()),
        reason: format!("{culprit:?} is not a valid RDF term, so expansion drops the statement"),
    })
}

/// Parses a received JSON document for [`super::to_quads`] and friends: at most
/// [`super::MAX_DOCUMENT_BYTES`], and no object with the same key twice. RFC 8259 § 4 leaves
/// duplicate names to the parser, and parsers disagree (serde_json keeps the last, others the
/// first), so a document with `"ageOver18": false, "ageOver18": true` could be signed and
/// verified as one thing and displayed as the other by a different reader.
///
/// # Errors
/// [`JsonLdError::TooLarge`] for an oversized document; [`JsonLdError::Json`] for invalid JSON
/// or a repeated key, with its line and column.
pub fn parse_json(bytes: &[u8]) -> Result<Value, JsonLdError> {
    if bytes.len() > super::MAX_DOCUMENT_BYTES {
        return Err(JsonLdError::TooLarge(format!("{} bytes", bytes.len())));
    }
    serde_json::from_slice::<UniqueKeys>(bytes)
        .map(|v| v.0)
        .map_err(|e| JsonLdError::Json(e.to_string()))
}

/// A JSON value whose objects were read without repeated keys.
struct UniqueKeys(Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

/// `value`, or the error for a number that readers would read differently.
fn exact<E: serde::de::Error>(is_exact: bool, value: Value) -> Result<Value, E> {
    if is_exact {
        Ok(value)
    } else {
        Err(E::custom(
            "a number beyond 2^53 is not read the same by every reader",
        ))
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    // Numbers beyond 2^53 (and integers beyond u64, which serde_json reads as f64) are refused:
    // readers with exact integers would read another number than the one signed.
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        exact(exact_number(&v.into()), Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        exact(exact_number(&v.into()), Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        exact(v.abs() <= MAX_EXACT_INTEGER, Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key {key:?} appears twice in one object"
                )));
            }
            let UniqueKeys(v) = map.next_value()?;
            members.insert(key, v);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The check as it was before it was made linear (every array item compared with every
    /// earlier one), kept here as the definition the linear one must agree with.
    fn reference(v: &Value, path: &mut String, policy: &ContextPolicy) -> Result<(), JsonLdError> {
        let dropped = |path: &str, reason: &str| JsonLdError::Dropped {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        match v {
            Value::Null => Err(dropped(
                path,
                "a null value is dropped by JSON-LD expansion",
            )),
            Value::Array(items) if items.is_empty() => Err(dropped(
                path,
                "an empty array is dropped by JSON-LD expansion",
            )),
            Value::Array(items) => items.iter().enumerate().try_for_each(|(i, x)| {
                let len = path.len();
                push_token(path, &i.to_string());
                let r = if items[..i].contains(x) {
                    Err(dropped(path, "a repeated value is one statement"))
                } else {
                    reference(x, path, policy)
                };
                path.truncate(len);
                r
            }),
            Value::Object(members) if members.contains_key("@value") => {
                let language_string = members.len() == 2
                    && members.get("@value").is_some_and(Value::is_string)
                    && members.get("@language").is_some_and(Value::is_string);
                if language_string {
                    Ok(())
                } else {
                    Err(JsonLdError::KeywordNotAllowed {
                        path: path.clone(),
                        keyword: "@value (only a string with @language may be a value object)"
                            .into(),
                    })
                }
            }
            Value::Object(members) => {
                for (alias, keyword) in [("id", "@id"), ("type", "@type")] {
                    if members.contains_key(alias) && members.contains_key(keyword) {
                        return Err(JsonLdError::KeywordNotAllowed {
                            path: path.clone(),
                            keyword: format!("{keyword} beside its alias {alias}"),
                        });
                    }
                }
                members.iter().try_for_each(|(key, x)| {
                    let len = path.len();
                    push_token(path, key);
                    let r = if key == "@context" {
                        check_context(x, path, policy)
                    } else if key.starts_with('@') && !BODY_KEYWORDS.contains(&key.as_str()) {
                        Err(JsonLdError::KeywordNotAllowed {
                            path: path.clone(),
                            keyword: key.clone(),
                        })
                    } else if key.starts_with("_:") {
                        Err(dropped(
                            path,
                            "a blank-node property is dropped by JSON-LD to RDF",
                        ))
                    } else {
                        reference(x, path, policy)
                    };
                    path.truncate(len);
                    r
                })
            }
            Value::Number(n) if !exact_number(n) => Err(dropped(
                path,
                "a number beyond 2^53 is not read the same by every reader",
            )),
            Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(()),
        }
    }

    fn both(v: &Value) -> (String, String) {
        let policy = ContextPolicy::bundled();
        let new = format!("{:?}", check_document(v, &policy));
        let old = format!("{:?}", reference(v, &mut String::new(), &policy));
        (new, old)
    }

    fn repeated_at(v: &Value) -> Option<String> {
        match check_document(v, &ContextPolicy::bundled()) {
            Err(JsonLdError::Dropped { path, reason }) if reason.contains("repeated") => Some(path),
            _ => None,
        }
    }

    /// Repeats are found where they were, by JSON equality as `serde_json` defines it.
    #[test]
    fn repeated_values_are_found_as_before() {
        let cases = [
            (json!(["a", "b", "a"]), Some("/2")),
            (json!(["a", "b", "c"]), None),
            // Integers and floats are different JSON numbers; the two zeros are one.
            (json!([1, 1.0]), None),
            (json!([0.0, -0.0]), Some("/1")),
            (json!([true, "true"]), None),
            // Objects are equal whatever the order of their members.
            (json!([{"a": 1, "b": 2}, {"b": 2, "a": 1}]), Some("/1")),
            (json!([{"a": 1, "b": 2}, {"a": 1, "b": 3}]), None),
            (json!([[1, 2], [2, 1]]), None),
            (json!([[1, 2], [1, 2]]), Some("/1")),
            (json!({"p": [{"q": ["x", "y", "x"]}]}), Some("/p/0/q/2")),
            (
                json!([{"@value": "x", "@language": "en"}, {"@value": "x", "@language": "en"}]),
                Some("/1"),
            ),
            (
                json!([{"@value": "x", "@language": "en"}, {"@value": "x", "@language": "de"}]),
                None,
            ),
            (json!(["x", {"@value": "x", "@language": "en"}]), None),
            (json!([{"p": ["a", "b"]}, {"p": ["b", "a"]}]), None),
        ];
        for (doc, want) in cases {
            assert_eq!(repeated_at(&doc).as_deref(), want, "{doc}");
            let (new, old) = both(&doc);
            assert_eq!(new, old, "{doc}");
        }
        // An error inside an item comes first, in document order.
        let (new, old) = both(&json!(["a", null, "a"]));
        assert_eq!(new, old);
        assert!(new.contains("\"/1\"") && new.contains("null"), "{new}");
        let (new, old) = both(&json!(["a", "a", null]));
        assert_eq!(new, old);
        assert!(new.contains("\"/1\"") && new.contains("repeated"), "{new}");
    }

    /// The attack of issue 17: tens of thousands of strings, all different, then one repeat.
    #[test]
    fn long_arrays_are_checked_whole() {
        let mut items: Vec<Value> = (0..48_000).map(|i| format!("name {i}").into()).collect();
        assert!(check_document(&Value::Array(items.clone()), &ContextPolicy::bundled()).is_ok());
        items.push("name 17".into());
        assert_eq!(repeated_at(&Value::Array(items)).as_deref(), Some("/48000"));
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (0u8..3).prop_map(Value::from),
            prop::sample::select(vec![0.0, -0.0, 1.0, 1e300]).prop_map(Value::from),
            prop::sample::select(vec!["a", "b", "en", "_:b0"]).prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "a",
                        "b",
                        "id",
                        "@id",
                        "type",
                        "@type",
                        "@value",
                        "@language",
                        "_:x",
                        "@graph",
                    ]),
                    inner,
                    0..4,
                )
                .prop_map(|m| Value::Object(
                    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The linear check gives the verdict, and the error, of the quadratic one.
        #[test]
        fn linear_check_agrees_with_the_definition(doc in value()) {
            let (new, old) = both(&doc);
            prop_assert_eq!(new, old);
        }
    }
}
