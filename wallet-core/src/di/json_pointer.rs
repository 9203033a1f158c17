//! JSON Pointers (RFC 6901), parsed once into a typed form, and the `selectJsonLd` operation of
//! the Data Integrity selective-disclosure primitives (vc-di-ecdsa § 3.4.x / vc-di-bbs § 3.3):
//! build the smallest JSON-LD document that contains the selected values plus, for every object
//! on the way to them, its `id` and `type`.

use serde_json::{Map, Value};

use super::ProofError;

/// A parsed JSON Pointer: its reference tokens, unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JsonPointer {
    tokens: Vec<String>,
}

impl std::str::FromStr for JsonPointer {
    type Err = ProofError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| ProofError::Malformed(format!("JSON pointer {s:?}: {why}"));
        if s.is_empty() {
            return Ok(Self { tokens: Vec::new() });
        }
        let rest = s
            .strip_prefix('/')
            .ok_or_else(|| bad("must start with /"))?;
        let tokens = rest
            .split('/')
            .map(|t| {
                let mut out = String::with_capacity(t.len());
                let mut chars = t.chars();
                while let Some(c) = chars.next() {
                    if c == '~' {
                        match chars.next() {
                            Some('0') => out.push('~'),
                            Some('1') => out.push('/'),
                            _ => return Err(bad("~ must be followed by 0 or 1")),
                        }
                    } else {
                        out.push(c);
                    }
                }
                Ok(out)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { tokens })
    }
}

/// The RFC 6901 string form: `/` before each token, `~` written `~0` and `/` written `~1`.
impl std::fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for t in &self.tokens {
            write!(f, "/{}", t.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

impl JsonPointer {
    /// The pointer made of these reference tokens (unescaped).
    pub fn from_tokens<S: Into<String>>(tokens: impl IntoIterator<Item = S>) -> Self {
        Self {
            tokens: tokens.into_iter().map(Into::into).collect(),
        }
    }

    /// The reference tokens.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The value this pointer refers to in `doc` (RFC 6901 § 4), if there is one.
    pub fn resolve<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        self.tokens.iter().try_fold(doc, |v, t| child(v, t))
    }
}

/// Marks array slots the selection has not filled; removed before the selection is returned.
const HOLE: &str = "\u{0}siegel:unselected\u{0}";

fn child<'a>(v: &'a Value, token: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m.get(token),
        // RFC 6901 § 4: an array index is "0" or digits without a leading zero.
        Value::Array(a) if token == "0" || !token.starts_with('0') => token
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| token.parse::<usize>().ok())
            .flatten()
            .and_then(|i| a.get(i)),
        Value::Array(_) => None,
        _ => None,
    }
}

fn initial_selection(source: &Value) -> Value {
    match source {
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(m) => {
            let mut sel = Map::new();
            for key in ["id", "@id", "type", "@type"] {
                if let Some(v) = m.get(key) {
                    // Blank node ids carry no information and are not selected.
                    if !(key.ends_with("id") && v.as_str().is_some_and(|s| s.starts_with("_:"))) {
                        sel.insert(key.to_owned(), v.clone());
                    }
                }
            }
            Value::Object(sel)
        }
        _ => Value::Object(Map::new()),
    }
}

fn slot<'a>(container: &'a mut Value, token: &str) -> Result<&'a mut Value, ProofError> {
    match container {
        Value::Object(m) => Ok(m.entry(token.to_owned()).or_insert(Value::Null)),
        Value::Array(a) => {
            let i: usize = token
                .parse()
                .map_err(|_| ProofError::Malformed(format!("array index {token:?}")))?;
            if a.len() <= i {
                a.resize(i + 1, Value::String(HOLE.into()));
            }
            Ok(&mut a[i])
        }
        _ => Err(ProofError::Malformed(
            "JSON pointer goes through a non-container".into(),
        )),
    }
}

fn remove_holes(v: &mut Value) {
    match v {
        Value::Array(a) => {
            a.retain(|x| x.as_str() != Some(HOLE));
            a.iter_mut().for_each(remove_holes);
        }
        Value::Object(m) => m.values_mut().for_each(remove_holes),
        _ => {}
    }
}

/// `selectJsonLd(pointers, document)`: `None` for no pointers.
///
/// # Errors
/// [`ProofError::Malformed`] for a pointer that selects nothing.
pub fn select_json_ld(
    pointers: &[JsonPointer],
    document: &Value,
) -> Result<Option<Value>, ProofError> {
    if pointers.is_empty() {
        return Ok(None);
    }
    let mut selection = initial_selection(document);
    if let (Some(ctx), Value::Object(m)) = (document.get("@context"), &mut selection) {
        m.insert("@context".into(), ctx.clone());
    }
    // The empty pointer selects the whole document; the other pointers must still select
    // something (returning at once let a pointer to nothing pass unnoticed after it).
    let mut whole = false;
    for pointer in pointers {
        let tokens = pointer.tokens();
        let Some((last, path)) = tokens.split_last() else {
            whole = true;
            continue;
        };
        let mut value = document;
        let mut selected = &mut selection;
        for token in path {
            value = child(value, token).ok_or_else(|| {
                ProofError::Malformed(format!(
                    "JSON pointer {:?} selects nothing",
                    pointer.tokens()
                ))
            })?;
            let s = slot(selected, token)?;
            if s.is_null() || s.as_str() == Some(HOLE) {
                *s = initial_selection(value);
            }
            selected = s;
        }
        let leaf = child(value, last).ok_or_else(|| {
            ProofError::Malformed(format!(
                "JSON pointer {:?} selects nothing",
                pointer.tokens()
            ))
        })?;
        *slot(selected, last)? = leaf.clone();
    }
    if whole {
        return Ok(Some(document.clone()));
    }
    remove_holes(&mut selection);
    Ok(Some(selection))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> JsonPointer {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_unescapes() {
        assert_eq!(p("/a~1b/~0c/0").tokens(), ["a/b", "~c", "0"]);
        assert!("a/b".parse::<JsonPointer>().is_err());
        assert!("/a~2".parse::<JsonPointer>().is_err());
        assert!(p("").tokens().is_empty());
    }

    #[test]
    fn selects_with_ancestors_ids_and_types() {
        let doc = json!({
            "@context": ["x"], "id": "urn:a", "type": ["T"],
            "s": {"id": "urn:s", "type": "S", "name": "n", "list": [{"id": "_:b1", "v": 1}, {"v": 2}, {"v": 3}]}
        });
        let sel = select_json_ld(&[p("/s/list/2"), p("/s/name")], &doc)
            .unwrap()
            .unwrap();
        assert_eq!(
            sel,
            json!({"@context": ["x"], "id": "urn:a", "type": ["T"],
                   "s": {"id": "urn:s", "type": "S", "name": "n", "list": [{"v": 3}]}})
        );
        assert!(select_json_ld(&[p("/s/missing")], &doc).is_err());
        assert!(select_json_ld(&[p("/s/list/9")], &doc).is_err());
        assert_eq!(select_json_ld(&[], &doc).unwrap(), None);
    }

    /// Found by the `json_pointer` fuzz target (fuzz/regressions/json_pointer/): the empty
    /// pointer used to return the whole document at once, so a later pointer that selects nothing
    /// passed unnoticed.
    #[test]
    fn root_pointer_does_not_hide_a_pointer_to_nothing() {
        let doc = json!({"a": 1});
        assert_eq!(select_json_ld(&[p("")], &doc).unwrap(), Some(doc.clone()));
        assert_eq!(
            select_json_ld(&[p(""), p("/a")], &doc).unwrap(),
            Some(doc.clone())
        );
        for pointers in [[p(""), p("/x")], [p("/x"), p("")]] {
            let err = select_json_ld(&pointers, &doc).unwrap_err();
            assert!(
                matches!(&err, ProofError::Malformed(m) if m.contains("selects nothing")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn resolves_per_rfc_6901() {
        let doc = json!({"a/b": {"~c": [10, 11, {"": 5}]}, "01": 1});
        assert_eq!(p("").resolve(&doc), Some(&doc));
        assert_eq!(p("/a~1b/~0c/1").resolve(&doc), Some(&json!(11)));
        assert_eq!(p("/a~1b/~0c/2/").resolve(&doc), Some(&json!(5)));
        assert_eq!(
            p("/01").resolve(&doc),
            Some(&json!(1)),
            "object keys are not indexes"
        );
        for missing in [
            "/a~1b/~0c/01",
            "/a~1b/~0c/+1",
            "/a~1b/~0c/3",
            "/a~1b/~0c/-",
            "/x",
        ] {
            assert_eq!(p(missing).resolve(&doc), None, "{missing}");
        }
    }

    proptest::proptest! {
        /// Any tokens survive writing and parsing again; any string parses or is an error.
        #[test]
        fn round_trip_and_arbitrary_input(
            tokens in proptest::collection::vec("[a-z~/0-9]{0,6}", 0..5),
            junk in "\\PC{0,24}",
        ) {
            let p = JsonPointer { tokens: tokens.clone() };
            let text = p.to_string();
            let back: JsonPointer = text.parse().unwrap();
            proptest::prop_assert_eq!(back.tokens(), &tokens[..]);
            if let Ok(q) = junk.parse::<JsonPointer>() {
                proptest::prop_assert_eq!(q.to_string(), junk);
            }
        }
    }
}
