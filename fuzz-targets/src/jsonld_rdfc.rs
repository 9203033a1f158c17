//! `jsonld_rdfc`: arbitrary JSON through JSON-LD → RDF (`wallet_core::jsonld::to_quads`, bundled
//! contexts only) and RDFC-1.0 canonicalization (`canonicalize_quads`).
//!
//! Invariants: no panic and bounded time (the runs use `-timeout=10`): every input ends in quads
//! or a typed error; canonical output is sorted, free of duplicates, one `… .\n` N-Quads line
//! each, with no more lines than quads and only `c14nN` blank node labels.

use wallet_core::jsonld::{canonicalize_quads, to_quads};

/// The target.
pub fn jsonld_rdfc(data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(quads) = to_quads(&doc) else {
        return;
    };
    let Ok(lines) = canonicalize_quads(&quads) else {
        return;
    };
    assert!(lines.len() <= quads.len());
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "not sorted and unique"
    );
    for line in &lines {
        assert!(line.ends_with(" .\n"), "not an N-Quads line: {line:?}");
        assert!(
            blank_labels(line).all(|l| l.starts_with("_:c14n")),
            "non-canonical blank node in {line:?}"
        );
    }
}

/// The blank node terms of an N-Quads line: `_:` at the start of a term, outside literals
/// (a literal may contain `_:`, and `\"` inside it does not end it).
fn blank_labels(line: &str) -> impl Iterator<Item = &str> {
    let b = line.as_bytes();
    let mut starts = Vec::new();
    let (mut in_literal, mut i) = (false, 0);
    while i < b.len() {
        match (in_literal, b[i]) {
            (true, b'\\') => i += 1,
            (_, b'"') => in_literal = !in_literal,
            (false, b'_') if (i == 0 || b[i - 1] == b' ') && b.get(i + 1) == Some(&b':') => {
                starts.push(i);
            }
            _ => {}
        }
        i += 1;
    }
    starts.into_iter().map(move |s| &line[s..])
}
