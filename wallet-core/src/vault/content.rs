//! What the ciphertext holds: a JSON document with a schema number, keys, credentials, the
//! disclosure history, and any record kinds a newer Siegel added (kept verbatim).
//!
//! Schema history (docs/vault-format.md):
//! - 1: credential documents stored as embedded JSON objects; no disclosure history.
//! - 2: credential documents stored as JSON text (held zeroizable in memory, byte-stable for
//!   hashing); `history` added.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::error::Error;
use crate::keys::{KeyKind, KeySecret};

/// Defines an opaque, vault-unique id type: its own type, so that a key id cannot be passed where
/// a credential id is expected (or the reverse). Serialized as the plain string.
macro_rules! vault_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Zeroize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id written as `text` (as shown to the user, or stored).
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

vault_id!(
    /// The id of a key in the vault (random, hex).
    KeyId
);
vault_id!(
    /// The id of a credential in the vault (random, hex).
    CredentialId
);

/// Newest content schema this build writes and reads.
pub const CONTENT_SCHEMA: u32 = 2;

/// Public facts about a stored key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct KeyInfo {
    /// Vault-unique id (random, hex).
    pub id: KeyId,
    /// The holder's name for it.
    pub label: String,
    /// Algorithm.
    #[zeroize(skip)]
    pub kind: KeyKind,
    /// Public key bytes where the kind defines them here (Ed25519, BBS).
    pub public_key: Option<Vec<u8>>,
    /// Unix seconds.
    pub created_at: u64,
}

/// A key held in the unlocked vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyEntry {
    pub(crate) info: KeyInfo,
    pub(crate) secret: KeySecret,
}

/// A credential held by the holder.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct CredentialRecord {
    /// Vault-unique id (random, hex).
    pub id: CredentialId,
    /// The holder's name for it.
    pub label: String,
    /// Its format, e.g. `vc+bbs-2023`.
    pub format: String,
    /// The credential document as JSON text.
    pub document: String,
    /// Unix seconds.
    pub added_at: u64,
}

impl std::fmt::Debug for CredentialRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: print the label, not the document.
        f.debug_struct("CredentialRecord")
            .field("id", &self.id)
            .field("label", &self.label)
            .field("format", &self.format)
            .field("document_len", &self.document.len())
            .finish_non_exhaustive()
    }
}

/// One entry of the disclosure history: what was shown to whom, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct DisclosureRecord {
    /// Unix seconds.
    pub at: u64,
    /// The verifier (a DID, a domain, or the name the holder gave it).
    pub verifier: String,
    /// Which credential.
    pub credential_id: CredentialId,
    /// What was disclosed (claim names or JSON pointers).
    pub disclosed: Vec<String>,
    /// Why, as the verifier stated it.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// Everything the vault holds, in memory.
#[derive(Default)]
pub(crate) struct Content {
    pub(crate) keys: Vec<KeyEntry>,
    pub(crate) credentials: Vec<CredentialRecord>,
    pub(crate) history: Vec<DisclosureRecord>,
    /// Top-level record kinds this build does not know, as raw JSON, so that saving does not
    /// drop what a newer Siegel wrote.
    pub(crate) other: BTreeMap<String, Zeroizing<String>>,
}

impl Drop for Content {
    fn drop(&mut self) {
        // Keys, credentials and history zeroize themselves; the unknown records are Zeroizing.
        self.other.clear();
    }
}

// ---- serialized form --------------------------------------------------------------------------

/// Secret bytes as hex inside the ciphertext. Only this module can build or read it.
struct SecretHex(Zeroizing<Vec<u8>>);

impl Serialize for SecretHex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hex = Zeroizing::new(hex::encode(&self.0[..]));
        s.serialize_str(&hex)
    }
}

impl<'de> Deserialize<'de> for SecretHex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretHex;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("hex-encoded secret key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretHex, E> {
                let mut out = Zeroizing::new(vec![0u8; v.len() / 2]);
                hex::decode_to_slice(v, &mut out[..]).map_err(E::custom)?;
                Ok(SecretHex(out))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Serialize)]
struct StoredKeyRef<'a> {
    id: &'a str,
    label: &'a str,
    kind: KeyKind,
    secret: SecretHex,
    created_at: u64,
}

#[derive(Deserialize)]
struct StoredKey {
    id: String,
    label: String,
    kind: KeyKind,
    secret: SecretHex,
    created_at: u64,
}

#[derive(Serialize)]
struct CredentialRef<'a> {
    id: &'a str,
    label: &'a str,
    format: &'a str,
    document: &'a str,
    added_at: u64,
}

/// A credential as read: the document stays a borrowed slice of the (zeroizing) plaintext until
/// [`document_text`] decodes it into its one owned copy.
#[derive(Deserialize)]
struct StoredCredential<'a> {
    id: String,
    label: String,
    format: String,
    #[serde(borrow)]
    document: &'a RawValue,
    added_at: u64,
}

#[derive(Serialize)]
struct ContentRef<'a> {
    schema: u32,
    keys: Vec<StoredKeyRef<'a>>,
    credentials: Vec<CredentialRef<'a>>,
    history: &'a [DisclosureRecord],
    #[serde(flatten)]
    other: BTreeMap<&'a str, &'a RawValue>,
}

/// A `Vec` writer that never leaves a copy of its contents behind when it grows.
struct ZeroizingWriter(Zeroizing<Vec<u8>>);

impl std::io::Write for ZeroizingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let needed = self.0.len() + buf.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(4096) * 2));
            bigger.extend_from_slice(&self.0);
            self.0 = bigger; // the old buffer zeroizes on drop
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::InvalidContent(e.to_string())
}

impl Content {
    /// Serializes to JSON bytes in a buffer that zeroizes itself.
    pub(crate) fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let other = self
            .other
            .iter()
            .map(|(k, v)| {
                serde_json::from_str::<&RawValue>(v.as_str())
                    .map(|raw| (k.as_str(), raw))
                    .map_err(invalid)
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        let view = ContentRef {
            schema: CONTENT_SCHEMA,
            keys: self
                .keys
                .iter()
                .map(|k| StoredKeyRef {
                    id: k.info.id.as_str(),
                    label: &k.info.label,
                    kind: k.info.kind,
                    secret: SecretHex(Zeroizing::new(k.secret.expose_bytes().to_vec())),
                    created_at: k.info.created_at,
                })
                .collect(),
            credentials: self
                .credentials
                .iter()
                .map(|c| CredentialRef {
                    id: c.id.as_str(),
                    label: &c.label,
                    format: &c.format,
                    document: &c.document,
                    added_at: c.added_at,
                })
                .collect(),
            history: &self.history,
            other,
        };
        let mut w = ZeroizingWriter(Zeroizing::new(Vec::with_capacity(64 * 1024)));
        serde_json::to_writer(&mut w, &view).map_err(invalid)?;
        Ok(w.0)
    }

    /// Parses decrypted JSON, migrating older schemas.
    ///
    /// The top level is read as borrowed raw values, so the secret hex strings are decoded straight
    /// from the (zeroizing) plaintext buffer without intermediate copies, and each credential
    /// document is decoded once, into the record that zeroizes it ([`document_text`]). No
    /// `serde_json::Value` of the contents is ever built: its strings would be freed unzeroized.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let top: BTreeMap<&str, &RawValue> = serde_json::from_slice(bytes).map_err(invalid)?;
        let schema: u32 = match top.get("schema") {
            Some(raw) => serde_json::from_str(raw.get()).map_err(invalid)?,
            None => return Err(invalid("missing schema number")),
        };
        if schema > CONTENT_SCHEMA {
            return Err(Error::FutureSchema {
                found: schema,
                supported: CONTENT_SCHEMA,
            });
        }
        if schema == 0 {
            return Err(invalid("unknown content schema 0"));
        }
        fn field<'a, T: Deserialize<'a> + Default>(
            top: &BTreeMap<&str, &'a RawValue>,
            name: &str,
        ) -> Result<T, Error> {
            match top.get(name) {
                Some(raw) => {
                    serde_json::from_str(raw.get()).map_err(|e| invalid(format!("{name}: {e}")))
                }
                None => Ok(T::default()),
            }
        }
        let stored_keys: Vec<StoredKey> = field(&top, "keys")?;
        let stored_credentials: Vec<StoredCredential<'_>> = field(&top, "credentials")?;
        // Schema 1 had no history; `field` reads its absence as empty.
        let history: Vec<DisclosureRecord> = field(&top, "history")?;

        let mut keys = Vec::with_capacity(stored_keys.len());
        for k in stored_keys {
            let secret = KeySecret::from_bytes(k.kind, &k.secret.0)?;
            let public_key = secret.public_bytes();
            keys.push(KeyEntry {
                info: KeyInfo {
                    id: KeyId::new(k.id),
                    label: k.label,
                    kind: k.kind,
                    public_key,
                    created_at: k.created_at,
                },
                secret,
            });
        }
        let credentials = stored_credentials
            .into_iter()
            .map(|c| {
                Ok(CredentialRecord {
                    document: document_text(c.document, schema)?,
                    id: CredentialId::new(c.id),
                    label: c.label,
                    format: c.format,
                    added_at: c.added_at,
                })
            })
            .collect::<Result<_, Error>>()?;
        let other = top
            .iter()
            .filter(|(k, _)| !KNOWN_FIELDS.contains(k))
            .map(|(k, v)| ((*k).to_owned(), Zeroizing::new(v.get().to_owned())))
            .collect();
        Ok(Self {
            keys,
            credentials,
            history,
            other,
        })
    }
}

/// Top-level fields this build reads itself; everything else is kept verbatim.
const KNOWN_FIELDS: [&str; 4] = ["schema", "keys", "credentials", "history"];

/// The text of a stored credential document. Schema 2 stores JSON text (a JSON string); the
/// schema 1 → 2 migration turns a schema 1 document, an embedded JSON value, into its JSON text
/// as written in the file.
fn document_text(raw: &RawValue, schema: u32) -> Result<String, Error> {
    let text = raw.get();
    if text.starts_with('"') {
        unescape_json_string(text)
    } else if schema == 1 {
        Ok(text.to_owned())
    } else {
        Err(invalid("credentials: a document is not JSON text"))
    }
}

/// Decodes a JSON string literal (RFC 8259 § 7) into a `String` allocated once, at a capacity it
/// never outgrows (no escape decodes to more bytes than it takes), so no partial copy is left in
/// freed memory; on error the partial result is zeroized. serde_json's own decoding of escaped
/// strings goes through a scratch buffer that it frees without zeroizing.
fn unescape_json_string(literal: &str) -> Result<String, Error> {
    let body = literal
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(|| invalid("a document is not a JSON string"))?;
    let mut out = Zeroizing::new(String::with_capacity(body.len()));
    let mut chars = body.chars();
    let bad = || invalid("a document is not a valid JSON string");
    let hex4 = |chars: &mut std::str::Chars<'_>| -> Result<u32, Error> {
        (0..4).try_fold(0u32, |acc, _| {
            let d = chars.next().and_then(|c| c.to_digit(16)).ok_or_else(bad)?;
            Ok(acc * 16 + d)
        })
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            if c < ' ' || c == '"' {
                return Err(bad());
            }
            out.push(c);
            continue;
        }
        let decoded = match chars.next().ok_or_else(bad)? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let first = hex4(&mut chars)?;
                let code = match first {
                    // A high surrogate must be followed by an escaped low one.
                    0xd800..=0xdbff => {
                        if chars.next() != Some('\\') || chars.next() != Some('u') {
                            return Err(bad());
                        }
                        let low = hex4(&mut chars)?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(bad());
                        }
                        0x1_0000 + ((first - 0xd800) << 10) + (low - 0xdc00)
                    }
                    0xdc00..=0xdfff => return Err(bad()),
                    c => c,
                };
                char::from_u32(code).ok_or_else(bad)?
            }
            _ => return Err(bad()),
        };
        out.push(decoded);
    }
    Ok(std::mem::take(&mut *out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn schema_1_is_migrated() {
        let v1 = br#"{"schema":1,"keys":[],"credentials":[{"id":"c1","label":"KYC","format":"vc","document":{"a":[1,2]},"added_at":7}]}"#;
        let c = Content::from_bytes(v1).unwrap();
        assert_eq!(c.credentials.len(), 1);
        assert_eq!(c.credentials[0].document, r#"{"a":[1,2]}"#);
        assert!(c.history.is_empty());
        let saved: serde_json::Value = serde_json::from_slice(&c.to_bytes().unwrap()).unwrap();
        assert_eq!(saved["schema"], CONTENT_SCHEMA);
        assert_eq!(saved["credentials"][0]["document"], r#"{"a":[1,2]}"#);
        assert_eq!(saved["history"], serde_json::json!([]));
    }

    #[test]
    fn schema_1_documents_keep_their_text_and_strings_stay_strings() {
        let v1 = br#"{"schema":1,"keys":[],"credentials":[
            {"id":"c1","label":"a","format":"vc","document": { "b" : "\u00e9\"" } ,"added_at":1},
            {"id":"c2","label":"b","format":"vc","document":"{\"x\":1}","added_at":2}]}"#;
        let c = Content::from_bytes(v1).unwrap();
        assert_eq!(c.credentials[0].document, r#"{ "b" : "\u00e9\"" }"#);
        assert_eq!(c.credentials[1].document, r#"{"x":1}"#);
        // Schema 2 documents must be JSON text.
        let v2 = br#"{"schema":2,"credentials":[{"id":"c1","label":"a","format":"vc","document":{},"added_at":1}]}"#;
        assert!(matches!(
            Content::from_bytes(v2),
            Err(Error::InvalidContent(m)) if m.contains("not JSON text")
        ));
    }

    #[test]
    fn json_strings_decode_like_serde_json() {
        for literal in [
            r#""""#,
            r#""plain ünïcödé 🎉""#,
            r#""\"\\\/\b\f\n\r\t""#,
            r#""\u0041\u00e9\u20AC\ud83c\udf89""#,
            r#""{\"a\":[1,2],\"b\":\"x\\\"y\"}""#,
        ] {
            let ours = unescape_json_string(literal).unwrap();
            let theirs: String = serde_json::from_str(literal).unwrap();
            assert_eq!(ours, theirs, "{literal}");
            assert!(ours.capacity() <= literal.len(), "{literal}");
        }
        for bad in [
            r#""\ud83c""#,
            r#""\ud83c\u0041""#,
            r#""\udf89""#,
            r#""\x""#,
            r#""\u12""#,
            r#""\"#,
            "\"a\u{1}b\"",
            r#""a"b""#,
            r#"'a'"#,
        ] {
            assert!(
                matches!(unescape_json_string(bad), Err(Error::InvalidContent(_))),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips_through_json(s in "\\PC{0,40}|[\\x00-\\x1f\"\\\\]{0,8}") {
            let literal = serde_json::to_string(&s).unwrap();
            proptest::prop_assert_eq!(unescape_json_string(&literal).unwrap(), s);
        }
    }

    #[test]
    fn future_schema_is_refused() {
        let r = Content::from_bytes(br#"{"schema":3}"#);
        assert!(matches!(
            r,
            Err(Error::FutureSchema {
                found: 3,
                supported: 2
            })
        ));
        assert!(matches!(
            Content::from_bytes(br#"{"schema":0}"#),
            Err(Error::InvalidContent(_))
        ));
        assert!(matches!(
            Content::from_bytes(b"[]"),
            Err(Error::InvalidContent(_))
        ));
        assert!(matches!(
            Content::from_bytes(b"\xff"),
            Err(Error::InvalidContent(_))
        ));
    }

    #[test]
    fn unknown_record_kinds_survive_a_round_trip() {
        let newer = br#"{"schema":2,"keys":[],"credentials":[],"history":[],"pseudonyms":[{"nym":"x"}],"settings":{"theme":"dark"}}"#;
        let c = Content::from_bytes(newer).unwrap();
        assert_eq!(c.other.len(), 2);
        let saved: serde_json::Value = serde_json::from_slice(&c.to_bytes().unwrap()).unwrap();
        assert_eq!(saved["pseudonyms"], serde_json::json!([{"nym": "x"}]));
        assert_eq!(saved["settings"]["theme"], "dark");
    }

    /// A count of the places in this process's writable memory — heap, anonymous mappings and
    /// stacks, freed blocks included — that hold a secret marker, read through `/proc/self/mem`
    /// (no `unsafe`). The marker is held only XOR-masked here, so the search itself adds no copy.
    #[cfg(target_os = "linux")]
    mod memory {
        use std::os::unix::fs::FileExt;

        pub(super) const MASK: u8 = 0x5a;

        pub(super) fn occurrences(masked: &[u8], buf: &mut [u8]) -> usize {
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            let mem = std::fs::File::open("/proc/self/mem").unwrap();
            let mut found = 0;
            for line in maps.lines() {
                let f: Vec<&str> = line.split_whitespace().collect();
                let path = f.get(5).copied().unwrap_or("");
                if !f[1].starts_with("rw") || !(path.is_empty() || path.starts_with('[')) {
                    continue;
                }
                let (start, end) = f[0].split_once('-').unwrap();
                let start = u64::from_str_radix(start, 16).unwrap();
                let end = u64::from_str_radix(end, 16).unwrap();
                // Chunks overlap by the marker's length so none is missed at a boundary.
                let step = (buf.len() - masked.len()) as u64;
                let mut at = start;
                while at < end {
                    let want = buf.len().min((end - at) as usize);
                    if let Ok(n) = mem.read_at(&mut buf[..want], at) {
                        found += buf[..n]
                            .windows(masked.len())
                            .filter(|w| w.iter().zip(masked).all(|(b, m)| b ^ MASK == *m))
                            .count();
                    }
                    // Leave no copy behind for the next read (which may read this buffer).
                    buf.fill(0);
                    at += step;
                }
            }
            found
        }
    }

    /// Plaintext of `schema` with one credential whose document holds a random marker: as an
    /// embedded object (schema 1) or as JSON text (schema 2, the quotes escaped). Returns the
    /// masked marker and the plaintext, built in place in a zeroizing buffer.
    #[cfg(target_os = "linux")]
    fn plaintext_with_marker(schema: u32) -> (Vec<u8>, Zeroizing<Vec<u8>>) {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).unwrap();
        let masked: Vec<u8> = random
            .iter()
            .flat_map(|b| {
                [
                    b"0123456789abcdef"[usize::from(b >> 4)],
                    b"0123456789abcdef"[usize::from(b & 15)],
                ]
            })
            .map(|c| c ^ memory::MASK)
            .collect();
        let mut p = Zeroizing::new(Vec::with_capacity(4096));
        let (open, close): (&[u8], &[u8]) = if schema == 1 {
            (
                br#"{"name":"Ada","secret":"padding-padding-padding-"#,
                br#""}"#,
            )
        } else {
            (
                br#""{\"name\":\"Ada\",\"secret\":\"padding-padding-padding-"#,
                br#"\"}""#,
            )
        };
        p.extend_from_slice(
            format!(r#"{{"schema":{schema},"keys":[],"credentials":[{{"id":"c1","label":"KYC","format":"vc","document":"#)
                .as_bytes(),
        );
        p.extend_from_slice(open);
        p.extend(masked.iter().map(|c| c ^ memory::MASK));
        p.extend_from_slice(close);
        p.extend_from_slice(br#","added_at":7}]}"#);
        (masked, p)
    }

    /// Loading a vault — migrating schema 1, or reading schema 2 whose documents are escaped JSON
    /// text — leaves no copy of a credential document anywhere in memory once the plaintext and
    /// the contents are dropped.
    #[cfg(target_os = "linux")]
    #[test]
    fn loading_leaves_no_plaintext_copy_in_memory() {
        let mut buf = vec![0u8; 1 << 20];
        for schema in [1, 2] {
            let (masked, plaintext) = plaintext_with_marker(schema);
            let content = Content::from_bytes(&plaintext).unwrap();
            assert!(content.credentials[0].document.contains("\"name\":\"Ada\""));
            assert!(
                memory::occurrences(&masked, &mut buf) >= 2,
                "the scan finds live copies"
            );
            drop(content);
            drop(plaintext);
            assert_eq!(
                memory::occurrences(&masked, &mut buf),
                0,
                "schema {schema}: a copy of the credential survived in freed memory"
            );
        }
    }

    #[test]
    fn invalid_key_material_is_refused() {
        let bad = br#"{"schema":2,"keys":[{"id":"k","label":"l","kind":"secp256k1","secret":"00","created_at":1}]}"#;
        assert!(matches!(Content::from_bytes(bad), Err(Error::Key(_))));
        let odd = br#"{"schema":2,"keys":[{"id":"k","label":"l","kind":"ed25519","secret":"abc","created_at":1}]}"#;
        assert!(matches!(
            Content::from_bytes(odd),
            Err(Error::InvalidContent(_))
        ));
    }
}
