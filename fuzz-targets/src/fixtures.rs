//! Fixed inputs the targets check fuzzed data against, taken from the committed vectors at build
//! time so a run never depends on the working directory.

use serde_json::Value;

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
