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

/// Newest content schema this build writes and reads.
pub const CONTENT_SCHEMA: u32 = 2;

/// Public facts about a stored key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct KeyInfo {
    /// Vault-unique id (random, hex).
    pub id: String,
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
    pub id: String,
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
    pub credential_id: String,
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

#[derive(Deserialize)]
struct StoredCredential {
    id: String,
    label: String,
    format: String,
    document: String,
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
                    id: &k.info.id,
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
                    id: &c.id,
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
    /// from the (zeroizing) plaintext buffer without intermediate copies.
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
        if schema < CONTENT_SCHEMA {
            let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(invalid)?;
            migrate(&mut value, schema)?;
            let mut migrated =
                ZeroizingWriter(Zeroizing::new(Vec::with_capacity(bytes.len() + 64)));
            serde_json::to_writer(&mut migrated, &value).map_err(invalid)?;
            return Self::from_bytes(&migrated.0);
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
        let stored_credentials: Vec<StoredCredential> = field(&top, "credentials")?;
        let history: Vec<DisclosureRecord> = field(&top, "history")?;

        let mut keys = Vec::with_capacity(stored_keys.len());
        for k in stored_keys {
            let secret = KeySecret::from_bytes(k.kind, &k.secret.0)?;
            let public_key = secret.public_bytes();
            keys.push(KeyEntry {
                info: KeyInfo {
                    id: k.id,
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
            .map(|c| CredentialRecord {
                id: c.id,
                label: c.label,
                format: c.format,
                document: c.document,
                added_at: c.added_at,
            })
            .collect();
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

/// Upgrades a parsed document from schema `from` to [`CONTENT_SCHEMA`], one step at a time.
fn migrate(value: &mut serde_json::Value, from: u32) -> Result<(), Error> {
    let mut schema = from;
    while schema < CONTENT_SCHEMA {
        match schema {
            1 => migrate_1_to_2(value)?,
            other => return Err(invalid(format!("unknown content schema {other}"))),
        }
        schema += 1;
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("schema".into(), CONTENT_SCHEMA.into());
    }
    Ok(())
}

/// Schema 1 → 2: credential documents become JSON text; the history list appears.
fn migrate_1_to_2(value: &mut serde_json::Value) -> Result<(), Error> {
    let obj = value
        .as_object_mut()
        .ok_or_else(|| invalid("contents are not a JSON object"))?;
    if let Some(creds) = obj.get_mut("credentials").and_then(|c| c.as_array_mut()) {
        for c in creds {
            let doc = c
                .get_mut("document")
                .ok_or_else(|| invalid("schema 1 credential without a document"))?;
            if !doc.is_string() {
                *doc = serde_json::Value::String(doc.to_string());
            }
        }
    }
    obj.entry("history")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    Ok(())
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
