//! `bbs2023_proof_value`: bbs-2023 `proofValue` parsing (VC DI BBS § 3.3.8 parseBaseProofValue,
//! § 3.3.11 parseDerivedProofValue): the CBOR body behind the 3-byte header, then the values it
//! carries (BBS signature, public key, label map, index lists).
//!
//! Input: byte 0 picks base (even) or derived (odd); the rest is the CBOR body, wrapped in the
//! right header and multibase base64url so the fuzzer spends its time in the CBOR. The raw input
//! is also tried as the whole `proofValue` string.
//!
//! Invariants: no panic; what parses is well-formed (a base proof's key and signature encode back
//! to 96 and 80 bytes, a derived proof's label map names `c14nN` → `bN` labels).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use wallet_core::di::bbs_2023::{parse_base_proof_value, parse_derived_proof_value};

/// bbs-2023 base proof header (§ 3.3.6).
const BASE_HEADER: [u8; 3] = [0xd9, 0x5d, 0x02];
/// bbs-2023 derived proof header (§ 3.3.9).
const DERIVED_HEADER: [u8; 3] = [0xd9, 0x5d, 0x03];

/// The target.
pub fn bbs2023_proof_value(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let derived = selector & 1 == 1;
    let header = if derived { DERIVED_HEADER } else { BASE_HEADER };
    let value = format!("u{}", URL_SAFE_NO_PAD.encode([&header[..], body].concat()));
    parse(&value, derived);
    if let Ok(raw) = std::str::from_utf8(data) {
        parse(raw, false);
        parse(raw, true);
    }
}

fn parse(proof_value: &str, derived: bool) {
    let mut proof = Map::new();
    proof.insert("proofValue".into(), Value::String(proof_value.to_owned()));
    if derived {
        if let Ok(v) = parse_derived_proof_value(&proof) {
            for (from, to) in &v.label_map {
                assert!(from.starts_with("c14n"), "label map key {from:?}");
                assert!(to.starts_with('b'), "label map value {to:?}");
            }
        }
    } else if let Ok(v) = parse_base_proof_value(&proof) {
        assert_eq!(v.public_key.to_bytes().len(), 96);
        assert_eq!(v.signature.to_bytes().len(), 80);
    }
}
