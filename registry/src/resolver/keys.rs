//! [`EthrKeyResolver`]: Data Integrity verification keys from did:ethr documents.

use std::sync::Arc;

use alloy::primitives::Address;
use base64::Engine as _;
use serde_json::Value;
use wallet_core::di::{
    KeyResolver, Multikey, ProofError, ProofPurpose, PublicKeyMaterial, StaticResolver,
};

use super::Resolver;
use crate::chain::Chain;

/// Longest key property read from a verification method, in characters: a Multikey of the
/// largest accepted key is 138, an Ed25519 key in hex 64. Checked before decoding (base58 is
/// quadratic).
const MAX_KEY_PROPERTY_LEN: usize = 160;

/// Resolves `did:ethr` verification methods to keys for Data Integrity verification: the DID
/// document is read from the chain (now, or as of `at_block`) and the method's key decoded — a
/// `Multikey`'s `publicKeyMultibase`, or an `Ed25519VerificationKey2018`'s `publicKeyHex`,
/// `publicKeyBase58` or `publicKeyBase64` (legacy `did/pub/Ed25519/…` attributes). Other DID
/// methods fall back to `did:key` handling.
///
/// An owned handle: cloning it shares the chain, and it can move to a worker thread.
#[derive(Clone)]
pub struct EthrKeyResolver {
    resolver: Resolver,
    at_block: Option<u64>,
}

impl std::fmt::Debug for EthrKeyResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EthrKeyResolver")
            .field("at_block", &self.at_block)
            .finish_non_exhaustive()
    }
}

impl EthrKeyResolver {
    /// Keys as the registry at `registry` on `chain` says now (`at_block = None`) or then.
    pub fn new(chain: Arc<dyn Chain>, registry: Address, at_block: Option<u64>) -> Self {
        Self {
            resolver: Resolver::new(chain, registry),
            at_block,
        }
    }
}

/// The key of a verification method, or why there is none.
pub(crate) fn key_of(method: &Value) -> Result<PublicKeyMaterial, String> {
    let property = |name: &str| -> Result<Option<&str>, String> {
        match method[name].as_str() {
            Some(s) if s.len() > MAX_KEY_PROPERTY_LEN => Err(format!(
                "{name} is {} characters long, no supported key is over {MAX_KEY_PROPERTY_LEN}",
                s.len()
            )),
            other => Ok(other),
        }
    };
    match method["type"].as_str() {
        Some("Multikey") => {
            let multibase = property("publicKeyMultibase")?
                .ok_or("the verification method carries no publicKeyMultibase")?;
            Multikey::decode(multibase)
                .map_err(|e| e.to_string())?
                .into_public()
                .map_err(|e| e.to_string())
        }
        // did:ethr method spec § "Public Keys": legacy Ed25519 attributes.
        Some("Ed25519VerificationKey2018") => {
            let bytes = if let Some(h) = property("publicKeyHex")? {
                hex::decode(h).map_err(|e| format!("publicKeyHex: {e}"))?
            } else if let Some(b) = property("publicKeyBase58")? {
                bs58::decode(b)
                    .into_vec()
                    .map_err(|e| format!("publicKeyBase58: {e}"))?
            } else if let Some(b) = property("publicKeyBase64")? {
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| format!("publicKeyBase64: {e}"))?
            } else {
                return Err(
                    "the Ed25519 key is in no encoding Siegel reads (hex, base58, base64)".into(),
                );
            };
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|b: Vec<u8>| format!("an Ed25519 key is 32 bytes, not {}", b.len()))?;
            Ok(PublicKeyMaterial::Ed25519(key))
        }
        other => Err(format!(
            "verification method type {} is not one Siegel verifies with",
            other.unwrap_or("(none)")
        )),
    }
}

impl KeyResolver for EthrKeyResolver {
    fn resolve(&self, vm: &str, purpose: ProofPurpose) -> Result<PublicKeyMaterial, ProofError> {
        let fail = |reason: String| ProofError::VerificationMethod {
            id: vm.to_owned(),
            reason,
        };
        if !vm.starts_with("did:ethr:") {
            return StaticResolver::new().resolve(vm, purpose);
        }
        let did = wallet_core::di::controller_of(vm);
        let resolution = self
            .resolver
            .resolve_str(did, self.at_block)
            .map_err(|e| fail(e.to_string()))?;
        let method = resolution.document["verificationMethod"]
            .as_array()
            .and_then(|vms| vms.iter().find(|m| m["id"].as_str() == Some(vm)))
            .ok_or_else(|| {
                fail("not in the DID document (revoked, expired or never published)".into())
            })?;
        // The DID document must list the method under the proof's purpose (a veriKey is an
        // assertionMethod, a sigAuth key also authentication).
        let authorised = resolution.document[purpose.as_str()]
            .as_array()
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| wallet_core::di::party_id(r) == Some(vm))
            });
        if !authorised {
            return Err(fail(format!("not authorised for {purpose} by {did}")));
        }
        key_of(method).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::json;

    const KEY: &str = "b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71";

    #[test]
    fn legacy_ed25519_encodings_give_the_same_key() {
        let want = PublicKeyMaterial::Ed25519(hex::decode(KEY).unwrap().try_into().unwrap());
        for (property, value) in [
            ("publicKeyHex", KEY),
            (
                "publicKeyBase58",
                "DV4G2kpBKjE6zxKor7Cj21iL9x9qyXb6emqjszBXcuhz",
            ),
            (
                "publicKeyBase64",
                "uXww3nZ/CEzjCAFo7ikwU7ozsjXXEWoyY9KfFFCTa3E=",
            ),
        ] {
            let vm = json!({"type": "Ed25519VerificationKey2018", property: value});
            assert_eq!(key_of(&vm).unwrap(), want, "{property}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let long = "1".repeat(MAX_KEY_PROPERTY_LEN + 1);
        for (vm, reason) in [
            (
                json!({"type": "Ed25519VerificationKey2018", "publicKeyBase58": long}),
                "publicKeyBase58 is 161 characters long, no supported key is over 160",
            ),
            (
                json!({"type": "Ed25519VerificationKey2018", "publicKeyHex": "00"}),
                "an Ed25519 key is 32 bytes, not 1",
            ),
            (
                json!({"type": "Ed25519VerificationKey2018", "publicKeyPem": "x"}),
                "the Ed25519 key is in no encoding Siegel reads (hex, base58, base64)",
            ),
            (
                json!({"type": "EcdsaSecp256k1RecoveryMethod2020"}),
                "verification method type EcdsaSecp256k1RecoveryMethod2020 is not one Siegel verifies with",
            ),
            (
                json!({"type": "Multikey"}),
                "the verification method carries no publicKeyMultibase",
            ),
        ] {
            assert_eq!(key_of(&vm).unwrap_err(), reason, "{vm}");
        }
    }
}
