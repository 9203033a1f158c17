//! `json_pointer`: RFC 6901 JSON Pointers — parse, display, resolve, and the `selectJsonLd`
//! selection that derives a bbs-2023 disclosure from holder-chosen pointers.
//!
//! Input: UTF-8 text, one pointer per line, applied to the W3C windsurf credential.
//!
//! Invariants: no panic; `parse(s).to_string() == s` for every pointer that parses (the only
//! escapes are `~0` and `~1`, so the text form is canonical); `select_json_ld` succeeds exactly
//! when every pointer resolves in the document.

use std::sync::OnceLock;

use serde_json::Value;
use wallet_core::di::json_pointer::{JsonPointer, select_json_ld};

use crate::fixtures::json;

fn document() -> &'static Value {
    static D: OnceLock<Value> = OnceLock::new();
    D.get_or_init(|| {
        json(include_str!(
            "../../wallet-core/tests/data/di/bbs-2023/windDoc.json"
        ))
    })
}

/// The target.
pub fn json_pointer(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc = document();
    let mut pointers = Vec::new();
    for line in text.split('\n') {
        let Ok(p) = line.parse::<JsonPointer>() else {
            continue;
        };
        assert_eq!(p.to_string(), line, "pointer text does not round-trip");
        assert_eq!(p.to_string().parse::<JsonPointer>().ok(), Some(p.clone()));
        pointers.push(p);
    }
    let all_resolve = pointers.iter().all(|p| p.resolve(doc).is_some());
    match select_json_ld(&pointers, doc) {
        Ok(_) => assert!(all_resolve, "selected a pointer that does not resolve"),
        Err(e) => assert!(
            !all_resolve,
            "every pointer resolves but selection failed: {e}"
        ),
    }
}
