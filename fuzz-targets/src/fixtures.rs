//! Fixed inputs the targets check fuzzed data against, taken from the committed vectors at build
//! time so a run never depends on the working directory.

use ed25519_dalek::SigningKey;
use serde_json::Value;
use wallet_core::bbs::SecretKey;
use wallet_core::di::Multikey;

/// Parses a JSON fixture; a broken fixture is a bug in this crate, not a finding.
pub(crate) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture is not JSON: {e}"))
}

/// Hex string member `key` of `v`.
pub(crate) fn hex_field(v: &Value, key: &str) -> Vec<u8> {
    let s = v[key]
        .as_str()
        .unwrap_or_else(|| panic!("fixture has no {key}"));
    hex::decode(s).unwrap_or_else(|e| panic!("fixture {key} is not hex: {e}"))
}

/// A JSON array of hex strings.
pub(crate) fn hex_list(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .unwrap_or_else(|| panic!("fixture list is not an array"))
        .iter()
        .map(|m| hex::decode(m.as_str().unwrap_or_default()).unwrap_or_default())
        .collect()
}

/// The W3C bbs-2023 vectors' issuer key as a `did:key` issuer: the secret key, its Multikey and
/// the DID (its verification method is `DID#Multikey`).
pub(crate) fn bbs_issuer() -> (SecretKey, String, String) {
    let material = json(include_str!(
        "../../wallet-core/tests/data/di/bbs-2023/BBSKeyMaterial.json"
    ));
    let key = SecretKey::from_bytes(&hex_field(&material, "privateKeyHex"))
        .unwrap_or_else(|e| panic!("fixture issuer key: {e}"));
    let mk = Multikey::encode_bls12_381_g2_public(key.public_key());
    let did = format!("did:key:{mk}");
    (key, mk, did)
}

/// A fixed holder key (32 bytes of 1) and its Ed25519 Multikey (its DID is `did:key:` + it).
pub(crate) fn holder() -> (SigningKey, String) {
    let key = SigningKey::from_bytes(&[1; 32]);
    let mk = Multikey::encode_ed25519_public(&key.verifying_key().to_bytes());
    (key, mk)
}
