//! Folding an identity's ERC-1056 events into its DID document, as the [did:ethr method spec]
//! describes and its reference resolver (`ethr-did-resolver` 11, `resolver.ts`
//! `wrapDidDocument`) renders it, so that both give the same document for the same chain.
//!
//! - `#controller`: an `EcdsaSecp256k1RecoveryMethod2020` with the current owner as
//!   `blockchainAccountId` (`eip155:<chain>:<checksummed address>`), listed under
//!   `authentication` and `assertionMethod`; for a public-key DID also `#controllerKey`
//!   (`EcdsaSecp256k1VerificationKey2019`, `publicKeyHex`) while the owner is the key's own address
//!   (spec § "Relationship to ERC1056").
//! - Delegates (§ "Delegate Keys"): a valid `veriKey` or `sigAuth` delegate becomes
//!   `#delegate-N`, an `EcdsaSecp256k1RecoveryMethod2020`; `sigAuth` also authenticates.
//! - Attributes `did/pub/<algorithm>[/<purpose>[/<encoding>]]` (§ "Public Keys"): the type is
//!   the legacy name of algorithm and purpose (`Ed25519` + `veriKey` → `Ed25519VerificationKey2018`,
//!   `Secp256k1` + `sigAuth` → `EcdsaSecp256k1VerificationKey2019`, `X25519` + `enc` →
//!   `X25519KeyAgreementKey2019`, …) or else the algorithm itself; the key is `publicKeyHex`
//!   (no encoding, or `hex`), `publicKeyBase64`, `publicKeyBase58`, `publicKeyPem` (the value as
//!   UTF-8), or `value` (hex) for any other encoding. `sigAuth` keys authenticate and assert, `enc`
//!   keys are `keyAgreement`, all others `assertionMethod`.
//! - `did/pub/Multikey/…` is Siegel's own form (the current method draft's Multikey): the value is
//!   the multicodec-prefixed key and is shown as `publicKeyMultibase`, which is what Data Integrity
//!   verifiers read. The reference resolver shows the same bytes as `publicKeyHex`.
//! - Attributes `did/svc/<type>` (§ "Service Endpoints"): `#service-N`, the endpoint parsed as
//!   JSON when it is JSON, else the text.
//! - Numbering (§ "`id` properties of entries"): every delegate event and every `did/pub/`
//!   attribute event advances `N` of `#delegate-N`, valid or not; every `did/svc/` event advances
//!   `#service-N`. A later event for the same (type, name, value) that is no longer valid removes
//!   the entry; an owner of `0x0` deactivates the DID.
//!
//! Where Siegel departs from the reference resolver, on purpose:
//! - validity is `validTo > now`, as the contract's own `validDelegate` decides, so a delegate's
//!   revocation (which sets `validTo` to its block's time) counts from its own block; the
//!   reference resolver uses `>=` and still lists a delegate revoked in the current second (or in
//!   the block a versioned resolution asks for);
//! - a revoked `enc` key also leaves `keyAgreement` (the reference resolver leaves a dangling
//!   reference there);
//! - attribute values longer than any key of their algorithm can be are not rendered: the
//!   reference resolver base58-encodes whatever an identity publishes, which is quadratic — one
//!   100 KB attribute cost 22 s per resolution. They are reported as [`SkippedAttribute`]s.
//!
//! [did:ethr method spec]: https://github.com/decentralized-identity/ethr-did-resolver/blob/master/doc/did-method-spec.md

use std::collections::HashMap;

use alloy::primitives::{Address, Bytes, U256};
use base64::Engine as _;
use serde_json::{Value, json};

use super::history::{Change, Event};
use super::{DocumentMetadata, SkipReason, SkippedAttribute};
use crate::did::DidEthr;

/// The `@context` of every did:ethr document, as the reference resolver writes it for
/// `application/did+ld+json`: DID Core, the secp256k1 recovery suite (`EcdsaSecp256k1RecoveryMethod2020`,
/// `blockchainAccountId`), and security v3-unstable (`publicKeyHex` and the 2018/2019 key types).
pub const CONTEXT: [&str; 3] = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
    "https://w3id.org/security/v3-unstable",
];

/// Added after [`CONTEXT`] when the document has a `Multikey` method (Controlled Identifiers § 2.2.2).
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// Longest service endpoint rendered, in bytes. A URL or a DIDComm endpoint object is a few
/// hundred bytes.
pub const MAX_SERVICE_LEN: usize = 4096;

/// Longest key, in bytes, an attribute of `algorithm` may carry to be rendered: the raw key or its
/// DER `SubjectPublicKeyInfo` (the method spec's own X25519 example is the 44-byte DER form).
/// Base58 is quadratic in the length, so every bound is checked before any encoding.
pub fn max_key_len(algorithm: &str) -> usize {
    match algorithm {
        // 32-byte key; 44-byte SPKI (RFC 8410).
        "Ed25519" | "X25519" => 44,
        // 33- or 65-byte SEC1 point; 88-byte SPKI of the uncompressed point.
        "Secp256k1" => 88,
        // Multicodec varint + key: 2 + 96 for a BLS12-381 G2 key, at most 137 base58 characters.
        "Multikey" => 100,
        // SPKI of an RSA-4096 key is 550 bytes.
        "RSA" => 1024,
        // Anything else (e.g. a 96-byte BLS12-381 G2 key, a 133-byte P-521 point).
        _ => 256,
    }
}

/// Longest `publicKeyPem` text for `algorithm`: the PEM armour of a [`max_key_len`] DER key
/// (base64 is 4/3 of it, plus line breaks and the BEGIN/END lines).
fn max_pem_len(algorithm: &str) -> usize {
    2 * max_key_len(algorithm) + 80
}

/// Entries in first-insertion order, as the reference resolver's JavaScript objects keep their
/// (non-numeric) keys — which gives the order of `verificationMethod` and the relationships:
/// setting an existing key replaces its value in place, deleting it and setting it again moves it
/// to the end.
struct Ordered<T> {
    slots: Vec<Option<T>>,
    index: HashMap<String, usize>,
}

impl<T> Ordered<T> {
    fn new() -> Self {
        Self {
            slots: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn set(&mut self, key: &str, value: T) {
        match self.index.get(key) {
            Some(&i) => self.slots[i] = Some(value),
            None => {
                self.index.insert(key.to_owned(), self.slots.len());
                self.slots.push(Some(value));
            }
        }
    }

    fn delete(&mut self, key: &str) {
        if let Some(i) = self.index.remove(key) {
            self.slots[i] = None;
        }
    }

    fn values(self) -> Vec<T> {
        self.slots.into_iter().flatten().collect()
    }
}

/// A parsed `did/(pub|svc)/<algorithm>[/<purpose>[/<encoding>]]` name: the reference resolver's
/// `^did\/(pub|svc)\/(\w+)(\/(\w+))?(\/(\w+))?$` (`\w` is ASCII letters, digits and `_`).
struct AttributeName<'a> {
    section: &'a str,
    algorithm: &'a str,
    purpose: Option<&'a str>,
    encoding: Option<&'a str>,
}

fn parse_name(name: &str) -> Option<AttributeName<'_>> {
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        ["did", section @ ("pub" | "svc"), algorithm, rest @ ..]
            if rest.len() <= 2 && word(algorithm) && rest.iter().all(|p| word(p)) =>
        {
            Some(AttributeName {
                section,
                algorithm,
                purpose: rest.first().copied(),
                encoding: rest.get(1).copied(),
            })
        }
        _ => None,
    }
}

/// The verification method type of a `did/pub/` attribute (the reference resolver's
/// `legacyAttrTypes` and `legacyAlgoMap`): the algorithm's legacy type for the purpose, else the
/// algorithm itself.
fn method_type<'a>(algorithm: &'a str, purpose: Option<&str>) -> &'a str {
    match (algorithm, purpose) {
        ("Secp256k1", Some("veriKey" | "sigAuth")) => "EcdsaSecp256k1VerificationKey2019",
        ("Ed25519", Some("veriKey" | "sigAuth")) => "Ed25519VerificationKey2018",
        ("RSA", Some("veriKey")) => "RSAVerificationKey2018",
        ("X25519", Some("enc")) => "X25519KeyAgreementKey2019",
        _ => algorithm,
    }
}

/// Why a `did/pub/` value is not rendered, or `None` when it is.
fn key_too_long(algorithm: &str, encoding: Option<&str>, value: &[u8]) -> Option<SkipReason> {
    let max = if algorithm != "Multikey" && encoding == Some("pem") {
        max_pem_len(algorithm)
    } else {
        max_key_len(algorithm)
    };
    (value.len() > max).then_some(SkipReason::TooLong {
        len: value.len(),
        max,
    })
}

/// The key property of a `did/pub/` verification method, or why the value cannot be shown.
/// Only called on values within [`key_too_long`]'s bounds.
fn key_property(
    algorithm: &str,
    encoding: Option<&str>,
    value: &[u8],
) -> Result<(&'static str, String), SkipReason> {
    if algorithm == "Multikey" {
        return Ok((
            "publicKeyMultibase",
            wallet_core::di::Multikey::encode_prefixed(value),
        ));
    }
    Ok(match encoding {
        None | Some("hex") => ("publicKeyHex", hex::encode(value)),
        Some("base64") => (
            "publicKeyBase64",
            base64::engine::general_purpose::STANDARD.encode(value),
        ),
        Some("base58") => ("publicKeyBase58", bs58::encode(value).into_string()),
        Some("pem") => (
            "publicKeyPem",
            std::str::from_utf8(value)
                .map_err(|_| SkipReason::NotUtf8)?
                .to_owned(),
        ),
        Some(_) => ("value", hex::encode(value)),
    })
}

/// The reference resolver's key for an event's entries: event name, type or name, delegate or
/// value (`${eventName}-${delegateType || name}-${delegate || value}`, an empty string counting
/// as absent).
fn entry_key(event: &str, kind: &str, subject: &str) -> String {
    let kind = if kind.is_empty() { "undefined" } else { kind };
    format!("{event}-{kind}-{subject}")
}

/// What [`build`] makes of a history.
pub(super) struct Built {
    pub(super) document: Value,
    pub(super) metadata: DocumentMetadata,
    pub(super) skipped: Vec<SkippedAttribute>,
}

/// The document's entries while the events are folded.
struct Entries {
    methods: Ordered<Value>,
    authentication: Ordered<String>,
    assertion: Ordered<String>,
    agreement: Ordered<String>,
    services: Ordered<Value>,
}

impl Entries {
    fn remove(&mut self, key: &str) {
        self.methods.delete(key);
        self.authentication.delete(key);
        self.assertion.delete(key);
        self.agreement.delete(key);
        self.services.delete(key);
    }
}

/// Folds `events` (oldest first) up to block `target` into the DID document of `did`, with
/// delegates and attributes valid while `validTo > now`.
pub(super) fn build(
    did: &DidEthr,
    chain_id: u64,
    events: &[Event],
    target: u64,
    now: u64,
) -> Built {
    let id = did.to_string();
    let now = U256::from(now);
    let mut controller = did.address();
    let mut meta = DocumentMetadata::default();
    let mut skipped = Vec::new();
    let mut delegate_count = 0u64;
    let mut service_count = 0u64;
    let mut entries = Entries {
        methods: Ordered::new(),
        authentication: Ordered::new(),
        assertion: Ordered::new(),
        agreement: Ordered::new(),
        services: Ordered::new(),
    };
    let skip = |e: &Event, name: &str, reason: SkipReason| SkippedAttribute {
        name: name.to_owned(),
        block: e.block,
        log_index: e.log_index,
        reason,
    };

    for e in events {
        // Events whose type or name is not UTF-8 are no DID data (reference: `logParser.ts`).
        let valid_to = match &e.change {
            Change::Owner(_) => U256::ZERO,
            Change::Delegate { kind: None, .. } | Change::Attribute { name: None, .. } => continue,
            Change::Delegate { valid_to, .. } | Change::Attribute { valid_to, .. } => *valid_to,
        };
        if e.block > target {
            meta.next_version_id = Some(meta.next_version_id.map_or(e.block, |n| n.min(e.block)));
            continue;
        }
        meta.version_id = Some(meta.version_id.map_or(e.block, |v| v.max(e.block)));
        let valid = !valid_to.is_zero() && valid_to > now;
        match &e.change {
            Change::Owner(owner) => {
                controller = *owner;
                if owner.is_zero() {
                    meta.deactivated = true;
                    break;
                }
            }
            Change::Delegate {
                kind: Some(kind),
                delegate,
                ..
            } => {
                let key = entry_key("DIDDelegateChanged", kind, &delegate.to_checksum(None));
                delegate_count += 1;
                if !valid {
                    entries.remove(&key);
                    continue;
                }
                if kind == "sigAuth" || kind == "veriKey" {
                    let vm_id = format!("{id}#delegate-{delegate_count}");
                    if kind == "sigAuth" {
                        entries.authentication.set(&key, vm_id.clone());
                    }
                    entries.assertion.set(&key, vm_id.clone());
                    entries.methods.set(
                        &key,
                        json!({
                            "id": vm_id,
                            "type": "EcdsaSecp256k1RecoveryMethod2020",
                            "controller": id,
                            "blockchainAccountId": blockchain_account_id(chain_id, *delegate),
                        }),
                    );
                }
            }
            Change::Attribute {
                name: Some(name),
                value,
                ..
            } => {
                let key = entry_key("DIDAttributeChanged", name, &value.to_string());
                if !valid {
                    // The reference resolver counts these by prefix, whatever follows it.
                    if name.starts_with("did/pub/") {
                        delegate_count += 1;
                    } else if name.starts_with("did/svc/") {
                        service_count += 1;
                    }
                    entries.remove(&key);
                    continue;
                }
                let Some(parsed) = parse_name(name) else {
                    continue;
                };
                if parsed.section == "svc" {
                    service_count += 1;
                    match service_endpoint(value) {
                        Ok(endpoint) => entries.services.set(
                            &key,
                            json!({
                                "id": format!("{id}#service-{service_count}"),
                                "type": parsed.algorithm,
                                "serviceEndpoint": endpoint,
                            }),
                        ),
                        Err(reason) => skipped.push(skip(e, name, reason)),
                    }
                    continue;
                }
                delegate_count += 1;
                let vm_id = format!("{id}#delegate-{delegate_count}");
                let property = match key_too_long(parsed.algorithm, parsed.encoding, value) {
                    Some(reason) => Err(reason),
                    None => key_property(parsed.algorithm, parsed.encoding, value),
                };
                let (property, encoded) = match property {
                    Ok(p) => p,
                    Err(reason) => {
                        skipped.push(skip(e, name, reason));
                        continue;
                    }
                };
                let mut vm = json!({
                    "id": vm_id,
                    "type": method_type(parsed.algorithm, parsed.purpose),
                    "controller": id,
                });
                vm[property] = Value::String(encoded);
                entries.methods.set(&key, vm);
                match parsed.purpose {
                    Some("sigAuth") => {
                        entries.authentication.set(&key, vm_id.clone());
                        entries.assertion.set(&key, vm_id);
                    }
                    Some("enc") => entries.agreement.set(&key, vm_id),
                    _ => entries.assertion.set(&key, vm_id),
                }
            }
            // Filtered out above.
            Change::Delegate { kind: None, .. } | Change::Attribute { name: None, .. } => {}
        }
    }

    let document = if meta.deactivated {
        // Method spec § "Delete (Revoke)": nothing remains.
        json!({
            "@context": CONTEXT,
            "id": id,
            "verificationMethod": [],
            "authentication": [],
            "assertionMethod": [],
        })
    } else {
        render(did, chain_id, &id, controller, entries)
    };
    Built {
        document,
        metadata: meta,
        skipped,
    }
}

/// The service endpoint in `value`: its JSON when it is JSON, else the text; values that are not
/// UTF-8 or too long are not rendered.
fn service_endpoint(value: &Bytes) -> Result<Value, SkipReason> {
    if value.len() > MAX_SERVICE_LEN {
        return Err(SkipReason::TooLong {
            len: value.len(),
            max: MAX_SERVICE_LEN,
        });
    }
    let text = std::str::from_utf8(value).map_err(|_| SkipReason::NotUtf8)?;
    Ok(serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned())))
}

fn blockchain_account_id(chain_id: u64, account: Address) -> String {
    format!("eip155:{chain_id}:{}", account.to_checksum(None))
}

fn render(did: &DidEthr, chain_id: u64, id: &str, controller: Address, entries: Entries) -> Value {
    let controller_ref = format!("{id}#controller");
    let mut methods = vec![json!({
        "id": controller_ref,
        "type": "EcdsaSecp256k1RecoveryMethod2020",
        "controller": id,
        "blockchainAccountId": blockchain_account_id(chain_id, controller),
    })];
    let mut authentication = vec![controller_ref.clone()];
    let mut assertion = vec![controller_ref];
    // A public-key DID lists its key while the key's address still controls the identity.
    if let Some(key) = did.public_key()
        && controller == did.address()
    {
        let key_ref = format!("{id}#controllerKey");
        methods.push(json!({
            "id": key_ref,
            "type": "EcdsaSecp256k1VerificationKey2019",
            "controller": id,
            "publicKeyHex": hex::encode(key),
        }));
        authentication.push(key_ref.clone());
        assertion.push(key_ref);
    }
    methods.extend(entries.methods.values());
    authentication.extend(entries.authentication.values());
    assertion.extend(entries.assertion.values());
    let mut context: Vec<&str> = CONTEXT.to_vec();
    if methods.iter().any(|m| m["type"] == "Multikey") {
        context.push(MULTIKEY_CONTEXT);
    }
    let mut doc = json!({
        "@context": context,
        "id": id,
        "verificationMethod": methods,
        "authentication": authentication,
        "assertionMethod": assertion,
    });
    let services = entries.services.values();
    if !services.is_empty() {
        doc["service"] = Value::Array(services);
    }
    let agreement = entries.agreement.values();
    if !agreement.is_empty() {
        doc["keyAgreement"] = json!(agreement);
    }
    doc
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_parse_like_the_reference_pattern() {
        let p = parse_name("did/pub/Ed25519/veriKey/base58").unwrap();
        assert_eq!(
            (p.section, p.algorithm, p.purpose, p.encoding),
            ("pub", "Ed25519", Some("veriKey"), Some("base58"))
        );
        let p = parse_name("did/svc/LinkedDomains").unwrap();
        assert_eq!(
            (p.section, p.algorithm, p.purpose),
            ("svc", "LinkedDomains", None)
        );
        for bad in [
            "did/pub/Ed25519/veriKey/base58/x",
            "did/pub/Ed-25519/veriKey",
            "did/pub/",
            "did/pub",
            "did/auth/Ed25519",
            "did/pub/Ed25519//hex",
            "did/pub/Ed25519/veriKey\0",
            "xdid/pub/Ed25519",
        ] {
            assert!(parse_name(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn legacy_types() {
        assert_eq!(
            method_type("Ed25519", Some("veriKey")),
            "Ed25519VerificationKey2018"
        );
        assert_eq!(
            method_type("Ed25519", Some("sigAuth")),
            "Ed25519VerificationKey2018"
        );
        assert_eq!(method_type("Ed25519", Some("enc")), "Ed25519");
        assert_eq!(
            method_type("Secp256k1", Some("sigAuth")),
            "EcdsaSecp256k1VerificationKey2019"
        );
        assert_eq!(method_type("Secp256k1", Some("enc")), "Secp256k1");
        assert_eq!(
            method_type("X25519", Some("enc")),
            "X25519KeyAgreementKey2019"
        );
        assert_eq!(method_type("X25519", Some("veriKey")), "X25519");
        assert_eq!(
            method_type("RSA", Some("veriKey")),
            "RSAVerificationKey2018"
        );
        assert_eq!(method_type("RSA", Some("sigAuth")), "RSA");
        assert_eq!(method_type("Ed25519", None), "Ed25519");
        assert_eq!(method_type("Multikey", Some("veriKey")), "Multikey");
    }

    #[test]
    fn oversized_values_are_refused_before_encoding() {
        assert_eq!(key_too_long("Ed25519", Some("base58"), &[1; 32]), None);
        assert_eq!(key_too_long("Ed25519", Some("base58"), &[1; 44]), None);
        assert_eq!(
            key_too_long("Ed25519", Some("base58"), &[1; 45]),
            Some(SkipReason::TooLong { len: 45, max: 44 })
        );
        assert_eq!(
            key_too_long("Multikey", Some("pem"), &[1; 101]),
            Some(SkipReason::TooLong { len: 101, max: 100 })
        );
        assert_eq!(key_too_long("Secp256k1", Some("pem"), &[b'a'; 256]), None);
        assert_eq!(
            service_endpoint(&Bytes::from(vec![b'a'; MAX_SERVICE_LEN + 1])),
            Err(SkipReason::TooLong {
                len: MAX_SERVICE_LEN + 1,
                max: MAX_SERVICE_LEN
            })
        );
        assert_eq!(
            key_property("Ed25519", Some("pem"), &[0xff]),
            Err(SkipReason::NotUtf8)
        );
        assert_eq!(
            service_endpoint(&Bytes::from(vec![0xc0, 0x80])),
            Err(SkipReason::NotUtf8)
        );
    }

    #[test]
    fn encodings() {
        let key = hex::decode("b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71")
            .unwrap();
        // The method spec's examples (§ "Public Keys").
        assert_eq!(
            key_property("Ed25519", Some("base58"), &key).unwrap(),
            (
                "publicKeyBase58",
                "DV4G2kpBKjE6zxKor7Cj21iL9x9qyXb6emqjszBXcuhz".into()
            )
        );
        assert_eq!(
            key_property("Ed25519", Some("base64"), &key).unwrap(),
            (
                "publicKeyBase64",
                "uXww3nZ/CEzjCAFo7ikwU7ozsjXXEWoyY9KfFFCTa3E=".into()
            )
        );
        assert_eq!(
            key_property("Ed25519", None, &key).unwrap().0,
            "publicKeyHex"
        );
        assert_eq!(
            key_property("Ed25519", Some("jwk"), &key).unwrap().0,
            "value"
        );
        assert_eq!(
            service_endpoint(&Bytes::from_static(b"{\"uri\":\"https://x\"}")),
            Ok(json!({"uri": "https://x"}))
        );
        assert_eq!(
            service_endpoint(&Bytes::from_static(b"https://hubs.uport.me")),
            Ok(json!("https://hubs.uport.me"))
        );
    }

    #[test]
    fn ordered_keeps_javascript_object_order() {
        let mut o = Ordered::new();
        o.set("a", 1);
        o.set("b", 2);
        o.set("a", 3);
        assert_eq!(
            Ordered::values(std::mem::replace(&mut o, Ordered::new())),
            vec![3, 2]
        );
        o.set("a", 1);
        o.set("b", 2);
        o.delete("a");
        o.set("a", 3);
        assert_eq!(o.values(), vec![2, 3]);
    }

    proptest! {
        #[test]
        fn parse_name_never_panics(s in "\\PC{0,40}") {
            let _ = parse_name(&s);
        }

        #[test]
        fn rendering_is_bounded(algorithm in "(Ed25519|X25519|Secp256k1|Multikey|RSA|Bls)", encoding in proptest::option::of("(hex|base64|base58|pem|jwk)"), len in 0usize..3000) {
            let value = vec![b'a'; len];
            if key_too_long(&algorithm, encoding.as_deref(), &value).is_none() {
                let (_, out) = key_property(&algorithm, encoding.as_deref(), &value).unwrap();
                prop_assert!(out.len() <= 2 * max_pem_len(&algorithm) + 4);
            }
        }
    }
}
