//! `did`: `did:ethr` DIDs and DID URLs (registry `DidEthr::from_str`), and the DID URL helpers of
//! `wallet_core::di` (`controller_of`, `party_id`).
//!
//! Invariants: no panic; a parsed DID displays as a string that parses to the same DID, and that
//! display is a fixed point; the DID of a DID URL is the DID of its controller part
//! (`controller_of`), so a fragment cannot change whose key is meant; `party_id` of a string or an
//! `{"id": …}` object is that string.

use registry::did::DidEthr;
use serde_json::{Value, json};
use wallet_core::di::{controller_of, party_id};

/// The target.
pub fn did(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = text.parse::<DidEthr>();
    if let Ok(d) = &parsed {
        let shown = d.to_string();
        let again: DidEthr = shown
            .parse()
            .unwrap_or_else(|e| panic!("display {shown:?} of a parsed DID does not parse: {e}"));
        assert_eq!(&again, d, "DID does not round-trip");
        assert_eq!(again.to_string(), shown, "display is not a fixed point");
    }
    let controller = controller_of(text);
    assert!(text.starts_with(controller));
    assert!(!controller.contains('#'));
    assert_eq!(
        controller.parse::<DidEthr>().ok(),
        parsed.ok(),
        "the fragment changed which DID is meant"
    );
    assert_eq!(party_id(&Value::String(text.to_owned())), Some(text));
    assert_eq!(party_id(&json!({ "id": text })), Some(text));
}
