//! Structure-aware mutations of a JSON document for the verification targets: the fuzz input is
//! read as a list of edit operations — set or replace a value, add a key, add an `@context` entry
//! (a URL, bundled or not, or an inline object that remaps terms), duplicate or remove array
//! items, rename or swap members, wrap a value as a JSON-LD value object, change one character of
//! a `proofValue` — the moves of the forgeries in issue 10 and their neighbours.

use serde_json::{Map, Value, json};

/// Reads the fuzz input front to back; zeros once it runs out.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub(crate) fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[usize::from(self.u8()) % items.len()]
    }
    /// A short string taken from the input (length byte, then bytes, lossy UTF-8).
    fn text(&mut self) -> String {
        let n = usize::from(self.u8() % 24).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        String::from_utf8_lossy(head).into_owned()
    }
}

/// The examples vocabulary the test credentials use.
const EX: &str = "https://www.w3.org/ns/credentials/examples#";

/// Keys worth adding or renaming to: the credential's own claims, fresh terms, JSON-LD keywords
/// and keys that expand to no IRI (dropped by non-safe expansion).
const KEYS: [&str; 24] = [
    "ageOver18",
    "incomeBand",
    "name",
    "a",
    "b",
    "id",
    "type",
    "issuer",
    "credentialSubject",
    "@context",
    "@vocab",
    "@type",
    "@id",
    "@value",
    "@reverse",
    "@nest",
    "@graph",
    "@included",
    "@language",
    "@json",
    "key with space",
    "_:b0",
    "https://www.w3.org/ns/credentials/examples#ageOver18",
    "ex:incomeBand",
];

/// `@context` URLs: bundled ones, a bundled one in another spelling, and unknown ones.
const CONTEXT_URLS: [&str; 6] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://w3id.org/security/data-integrity/v2",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
    "https://www.w3.org/ns/credentials/v2/",
    "https://evil.example/context",
];

fn palette_value(r: &mut Reader<'_>) -> Value {
    match r.u8() % 16 {
        0 => Value::Bool(true),
        1 => Value::Bool(false),
        2 => Value::Null,
        3 => json!(18),
        4 => json!(1.5),
        5 => json!("A"),
        6 => json!("D"),
        7 => json!({}),
        8 => json!([]),
        9 => json!({ "@value": true }),
        10 => json!({ "@value": "true", "@type": "http://www.w3.org/2001/XMLSchema#boolean" }),
        11 => json!({ "@id": format!("{EX}x") }),
        12 => json!(format!("{EX}{}", r.text())),
        13 => json!("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
        _ => Value::String(r.text()),
    }
}

/// An inline context object: the term remappings of the forgeries and other context games.
fn inline_context(r: &mut Reader<'_>) -> Value {
    let mut m = Map::new();
    for _ in 0..=(r.u8() % 3) {
        let key = r.pick(&KEYS).to_string();
        let target = *r.pick(&["ageOver18", "incomeBand", "name", "a", "b"]);
        let v = match r.u8() % 10 {
            0 => Value::Null,
            1 => json!(format!("{EX}{target}")),
            2 => json!({ "@id": format!("{EX}{target}") }),
            3 => json!({ "@id": format!("{EX}{target}"), "@type": "@id" }),
            4 => json!({ "@reverse": format!("{EX}{target}") }),
            5 => json!(EX),
            6 => json!({ "@id": "@nest" }),
            7 => json!({ "@id": format!("{EX}{target}"), "@context": { "@vocab": EX } }),
            8 => json!(false),
            _ => json!(1.1),
        };
        m.insert(key, v);
    }
    if r.u8().is_multiple_of(4) {
        m.insert("@protected".into(), Value::Bool(false));
    }
    Value::Object(m)
}

/// One step of a path into a JSON value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every path in `v` (pre-order), the root included.
fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                prefix.push(Step::Key(k.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Step::Index(i));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, s| match (s, v) {
        (Step::Key(k), Value::Object(m)) => m.get_mut(k),
        (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
        _ => None,
    })
}

fn pick_path(r: &mut Reader<'_>, doc: &Value) -> Vec<Step> {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let i = usize::from(r.u16()) % all.len();
    all.swap_remove(i)
}

/// Applies the edit operations the input encodes to `doc`, at most `max_ops` of them.
pub(crate) fn mutate(doc: &mut Value, r: &mut Reader<'_>, max_ops: usize) {
    for _ in 0..max_ops {
        if r.is_empty() {
            return;
        }
        let op = r.u8() % 11;
        let path = pick_path(r, doc);
        let Some(target) = at(doc, &path) else {
            continue;
        };
        match op {
            // Replace the value at a path.
            0 => *target = palette_value(r),
            // Add (or overwrite) a key of an object.
            1 => {
                if let Value::Object(m) = target {
                    let k = r.pick(&KEYS).to_string();
                    let v = palette_value(r);
                    m.insert(k, v);
                }
            }
            // Add an @context entry (URL or inline object) to the object at the path.
            2 => {
                if let Value::Object(m) = target {
                    let entry = if r.u8().is_multiple_of(2) {
                        json!(*r.pick(&CONTEXT_URLS))
                    } else {
                        inline_context(r)
                    };
                    match m.get_mut("@context") {
                        Some(Value::Array(a)) => a.push(entry),
                        Some(other) => *other = json!([other.clone(), entry]),
                        None => {
                            m.insert("@context".into(), entry);
                        }
                    }
                }
            }
            // Duplicate an array item.
            3 => {
                if let Value::Array(a) = target
                    && !a.is_empty()
                {
                    let i = usize::from(r.u8()) % a.len();
                    let item = a[i].clone();
                    a.insert(i, item);
                }
            }
            // Remove an array item or an object member.
            4 => match target {
                Value::Array(a) if !a.is_empty() => {
                    let i = usize::from(r.u8()) % a.len();
                    a.remove(i);
                }
                Value::Object(m) if !m.is_empty() => {
                    let i = usize::from(r.u8()) % m.len();
                    if let Some(k) = m.keys().nth(i).cloned() {
                        m.remove(&k);
                    }
                }
                _ => {}
            },
            // Rename a member (moves its value to another term).
            5 => {
                if let Value::Object(m) = target
                    && !m.is_empty()
                {
                    let i = usize::from(r.u8()) % m.len();
                    if let Some(k) = m.keys().nth(i).cloned()
                        && let Some(v) = m.remove(&k)
                    {
                        m.insert(r.pick(&KEYS).to_string(), v);
                    }
                }
            }
            // Wrap a value: in an array, or as a JSON-LD value object.
            6 => {
                let v = target.take();
                *target = match r.u8() % 3 {
                    0 => json!([v]),
                    1 => json!({ "@value": v }),
                    _ => json!({ "@value": v, "@type": "http://www.w3.org/2001/XMLSchema#string" }),
                };
            }
            // Change one character of a proofValue (anywhere below the path).
            7 => change_proof_value(target, r),
            // Swap two members of an object.
            8 => {
                if let Value::Object(m) = target
                    && m.len() >= 2
                {
                    let keys: Vec<String> = m.keys().cloned().collect();
                    let a = keys[usize::from(r.u8()) % keys.len()].clone();
                    let b = keys[usize::from(r.u8()) % keys.len()].clone();
                    if let (Some(va), Some(vb)) = (m.remove(&a), m.remove(&b)) {
                        m.insert(a, vb);
                        m.insert(b, va);
                    }
                }
            }
            // Flip a boolean or change a string/number in place.
            9 => match target {
                Value::Bool(b) => *b = !*b,
                Value::String(s) => s.push_str(&r.text()),
                Value::Number(_) => *target = json!(0),
                _ => {}
            },
            // Move the value at the path into a fresh member of its parent object.
            _ => {
                let v = target.clone();
                if let Some((_, parent)) = path.split_last()
                    && let Some(Value::Object(m)) = at(doc, parent)
                {
                    m.insert(r.pick(&KEYS).to_string(), v);
                }
            }
        }
    }
}

/// Changes one character of each `proofValue` below `v` to another base64url one.
fn change_proof_value(v: &mut Value, r: &mut Reader<'_>) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_z";
    match v {
        Value::Object(m) => {
            if let Some(Value::String(pv)) = m.get_mut("proofValue") {
                let mut bytes = pv.clone().into_bytes();
                if !bytes.is_empty() {
                    let i = usize::from(r.u16()) % bytes.len();
                    bytes[i] = ALPHABET[usize::from(r.u8()) % ALPHABET.len()];
                    *pv = String::from_utf8_lossy(&bytes).into_owned();
                }
                return;
            }
            for x in m.values_mut() {
                change_proof_value(x, r);
            }
        }
        Value::Array(a) => {
            for x in a {
                change_proof_value(x, r);
            }
        }
        _ => {}
    }
}
