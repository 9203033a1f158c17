//! Hostile presentations for the verifier's cost (issue 17 item 3): an honest presentation with
//! one part blown up to the input caps — [`MAX_DOCUMENT_BYTES`] of JSON, [`MAX_JSON_VALUES`]
//! values, [`MAX_QUADS`] statements, [`MAX_CONTEXT_URLS`] context URLs — one input class
//! per [`Class`]. Used by the `worst_inputs` bench and the attack tests.

use serde_json::{Map, Value, json};
use wallet_core::credential::{KYC_CONTEXT, VC_V2_CONTEXT};
use wallet_core::jsonld::{
    MAX_CONTEXT_URLS, MAX_CONTEXTS, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_JSON_VALUES, MAX_QUADS,
};

/// Room left under each cap for the rest of the presentation (its own values and statements).
const MARGIN_VALUES: usize = 400;
const MARGIN_QUADS: usize = 200;
/// Bytes left under [`MAX_DOCUMENT_BYTES`] (the verifier reads at most that many).
const MARGIN_BYTES: usize = 64;

/// One class of hostile input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The red-team report's input: `givenName` as 48,000 distinct strings (about 375 KB).
    Strings48k,
    /// `givenName` as distinct short strings, up to the statement cap.
    Strings,
    /// `givenName` as one string filling the document.
    LongString,
    /// `givenName` as distinct objects (one blank node and two statements each).
    Objects,
    /// Blank nodes that RDFC-1.0 cannot tell apart at first degree (same statements, different
    /// `_:` ids), under one blank node.
    AlikeBlankNodes,
    /// Chains of objects nested to [`MAX_DEPTH`].
    DeepObjects,
    /// Arrays nested to [`MAX_DEPTH`], each level with a distinct item beside the deeper one.
    DeepArrays,
    /// The subject with tens of thousands of distinct keys (expanded through `@vocab`).
    ManyKeys,
    /// The presentation's `@context`: as many allowed context URLs as [`MAX_CONTEXT_URLS`] leaves.
    ContextArray,
    /// As many embedded `@context` entries as [`MAX_CONTEXTS`] leaves, sharing the URLs left.
    EmbeddedContexts,
    /// `givenName` as distinct language-tagged strings (`{"@value", "@language"}`).
    LanguageStrings,
    /// `givenName` as distinct floating-point numbers (canonical xsd:double forms).
    Numbers,
    /// The credential's `type` with tens of thousands of types.
    Types,
    /// `givenName` as distinct node references (`{"id": "urn:…"}`).
    NodeReferences,
    /// The credential's bbs-2023 `proofValue` filling the document (a CBOR array of indexes).
    LongProofValue,
    /// The credential's BBS proof claiming 4,096 hidden messages (generators for all of them).
    HiddenMessages,
    /// The presentation's proof with thousands of extra members (its proof configuration is
    /// canonicalized).
    ProofMembers,
    /// A complete graph of 6 indistinguishable blank nodes, the most RDFC-1.0 work accepted.
    PoisonGraph,
}

impl Class {
    /// Every class.
    pub const ALL: &[Class] = &[
        Class::Strings48k,
        Class::Strings,
        Class::LongString,
        Class::Objects,
        Class::AlikeBlankNodes,
        Class::DeepObjects,
        Class::DeepArrays,
        Class::ManyKeys,
        Class::ContextArray,
        Class::EmbeddedContexts,
        Class::LanguageStrings,
        Class::Numbers,
        Class::Types,
        Class::NodeReferences,
        Class::LongProofValue,
        Class::HiddenMessages,
        Class::ProofMembers,
        Class::PoisonGraph,
    ];

    /// A short name for bench ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            Class::Strings48k => "strings_48k",
            Class::Strings => "strings",
            Class::LongString => "long_string",
            Class::Objects => "objects",
            Class::AlikeBlankNodes => "alike_blank_nodes",
            Class::DeepObjects => "deep_objects",
            Class::DeepArrays => "deep_arrays",
            Class::ManyKeys => "many_keys",
            Class::ContextArray => "context_array",
            Class::EmbeddedContexts => "embedded_contexts",
            Class::LanguageStrings => "language_strings",
            Class::Numbers => "numbers",
            Class::Types => "types",
            Class::NodeReferences => "node_references",
            Class::LongProofValue => "long_proof_value",
            Class::HiddenMessages => "hidden_messages",
            Class::ProofMembers => "proof_members",
            Class::PoisonGraph => "poison_graph",
        }
    }

    /// The presentation `vp` (an honest one, as JSON) made hostile, as the bytes a verifier
    /// receives: at most [`MAX_DOCUMENT_BYTES`].
    pub fn build(self, vp: &Value) -> Vec<u8> {
        let mut vp = vp.clone();
        let subject = "/verifiableCredential/0/credentialSubject";
        let given = "/verifiableCredential/0/credentialSubject/givenName";
        match self {
            Class::Strings48k => {
                set(
                    &mut vp,
                    given,
                    (0..48_000).map(|i| json!(format!("g{i}"))).collect(),
                );
            }
            Class::Strings => fill(&mut vp, given, 1, 1, |i| json!(format!("g{i}"))),
            Class::LongString => {
                let room = MAX_DOCUMENT_BYTES - MARGIN_BYTES - len(&vp);
                set(&mut vp, given, json!("x".repeat(room)));
            }
            Class::Objects => fill(
                &mut vp,
                given,
                2,
                2,
                |i| json!({ "urn:n": format!("o{i}") }),
            ),
            Class::AlikeBlankNodes => {
                fill(
                    &mut vp,
                    &format!("{subject}/urn:group/urn:items"),
                    3,
                    2,
                    |i| json!({"id": format!("_:b{i}"), "urn:n": "same"}),
                );
            }
            Class::DeepObjects => {
                let depth = MAX_DEPTH - 8;
                fill(&mut vp, given, depth, depth, |i| {
                    let mut v = json!(format!("leaf {i}"));
                    for d in 0..depth - 1 {
                        v = json!({ format!("urn:d{d}"): v });
                    }
                    v
                });
            }
            Class::DeepArrays => {
                // [[[…, "a2"], "a1"], "a0"]: each level a distinct string beside the deeper one.
                let depth = MAX_DEPTH - 8;
                fill(&mut vp, given, 2 * depth, depth, |i| {
                    let mut v = json!(format!("leaf {i}"));
                    for d in 0..depth - 1 {
                        v = json!([v, format!("{i}.{d}")]);
                    }
                    v
                });
            }
            Class::ManyKeys => {
                // "kN": "v", about 12 bytes and one statement each.
                let keys = (MAX_QUADS - MARGIN_QUADS).min(MAX_DOCUMENT_BYTES / 16);
                if let Value::Object(m) = pointer(&mut vp, subject) {
                    m.extend((0..keys).map(|i| (format!("urn:k{i}"), json!("v"))));
                }
            }
            Class::ContextArray => {
                // The credential's own `@context` counts too.
                let urls = (0..MAX_CONTEXT_URLS - 2)
                    .map(|i| {
                        json!(if i % 2 == 0 {
                            VC_V2_CONTEXT
                        } else {
                            KYC_CONTEXT
                        })
                    })
                    .collect();
                set(&mut vp, "/@context", urls);
            }
            Class::EmbeddedContexts => {
                let each = ((MAX_CONTEXT_URLS - 3) / (MAX_CONTEXTS - 2)).max(1);
                let urls: Vec<Value> = (0..each)
                    .map(|i| {
                        json!(if i % 2 == 0 {
                            VC_V2_CONTEXT
                        } else {
                            KYC_CONTEXT
                        })
                    })
                    .collect();
                let items = (0..MAX_CONTEXTS - 3)
                    .map(|i| json!({"@context": urls.clone(), "givenName": format!("c{i}")}))
                    .collect();
                set(&mut vp, &format!("{subject}/urn:nested"), items);
            }
            Class::LanguageStrings => fill(
                &mut vp,
                given,
                3,
                1,
                |i| json!({"@value": format!("l{i}"), "@language": "en"}),
            ),
            Class::Numbers => fill(&mut vp, given, 1, 1, |i| {
                json!(f64::from(u32::try_from(i).unwrap_or(u32::MAX)) * 1.000_001 + 0.5)
            }),
            Class::Types => fill(&mut vp, "/verifiableCredential/0/type", 1, 1, |i| match i {
                0 => json!("VerifiableCredential"),
                1 => json!("KycAttestation"),
                i => json!(format!("urn:t:{i}")),
            }),
            Class::NodeReferences => fill(
                &mut vp,
                given,
                2,
                1,
                |i| json!({"id": format!("urn:x:{i}")}),
            ),
            Class::LongProofValue => {
                let proof = "/verifiableCredential/0/proof/proofValue";
                set(&mut vp, proof, json!(""));
                let room = MAX_DOCUMENT_BYTES - MARGIN_BYTES - len(&vp);
                set(&mut vp, proof, json!(derived_proof_value(room, 0)));
            }
            Class::HiddenMessages => {
                let proof = "/verifiableCredential/0/proof/proofValue";
                let keep = pointer(&mut vp, proof).as_str().map(str::to_owned);
                let value = keep
                    .as_deref()
                    .and_then(|pv| with_hidden_messages(pv, wallet_core::bbs::MAX_MESSAGES));
                if let Some(value) = value {
                    set(&mut vp, proof, json!(value));
                }
            }
            Class::ProofMembers => {
                let proof = pointer(&mut vp, "/proof");
                if let Value::Object(m) = proof {
                    for i in 0..MAX_QUADS - MARGIN_QUADS {
                        m.insert(format!("urn:p{i}"), json!("v"));
                        if i * 12 > MAX_DOCUMENT_BYTES / 2 {
                            break;
                        }
                    }
                }
            }
            Class::PoisonGraph => {
                let n = 6;
                let links = |i: usize| -> Vec<Value> {
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| json!({"id": format!("_:n{j}")}))
                        .collect()
                };
                let others: Vec<Value> = (1..n)
                    .map(|i| json!({"id": format!("_:n{i}"), "urn:p": links(i)}))
                    .collect();
                set(
                    &mut vp,
                    &format!("{subject}/urn:group"),
                    json!({"id": "_:n0", "urn:p": others}),
                );
            }
        }
        let bytes = serde_json::to_vec(&vp).unwrap_or_default();
        assert!(
            bytes.len() <= MAX_DOCUMENT_BYTES,
            "{self:?}: {} bytes",
            bytes.len()
        );
        bytes
    }
}

/// Serialized length.
fn len(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX)
}

/// JSON values in `v`.
fn values(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(values).sum(),
        Value::Object(m) => m.values().map(values).sum(),
        _ => 0,
    }
}

/// The member at `pointer`, created (as an empty object) where missing.
fn pointer<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    pointer.split('/').skip(1).fold(doc, |v, token| match v {
        Value::Array(a) => {
            let i: usize = token.parse().unwrap_or(0);
            &mut a[i]
        }
        v => {
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
            match v {
                Value::Object(m) => m.entry(token).or_insert_with(|| json!({})),
                _ => unreachable!(),
            }
        }
    })
}

fn set(doc: &mut Value, at: &str, value: Value) {
    *pointer(doc, at) = value;
}

/// Sets the array at `at` to `item(0), item(1), …` for as long as the document stays within
/// the caps: bytes, JSON values (`values_per_item` each) and statements (`quads_per_item`).
fn fill(
    doc: &mut Value,
    at: &str,
    values_per_item: usize,
    quads_per_item: usize,
    item: impl Fn(usize) -> Value,
) {
    set(doc, at, json!([]));
    let mut size = len(doc);
    let mut count_values = values(doc);
    let mut count_quads = 0;
    let mut items = Vec::new();
    loop {
        let next = item(items.len());
        let bytes = len(&next) + 1;
        if size + bytes > MAX_DOCUMENT_BYTES - MARGIN_BYTES
            || count_values + values_per_item > MAX_JSON_VALUES - MARGIN_VALUES
            || count_quads + quads_per_item > MAX_QUADS - MARGIN_QUADS
        {
            break;
        }
        size += bytes;
        count_values += values_per_item;
        count_quads += quads_per_item;
        items.push(next);
    }
    set(doc, at, Value::Array(items));
}

/// A bbs-2023 derived proof value (`u` + base64url of the header and a CBOR array) of about
/// `room` characters: an empty proof, an empty label map, no mandatory indexes, `count` (or as
/// many as fit) selective indexes, an empty presentation header.
fn derived_proof_value(room: usize, count: usize) -> String {
    use base64::Engine;
    let fit = if count == 0 { room * 3 / 4 - 32 } else { count };
    let mut out = vec![0xd9, 0x5d, 0x03, 0x85, 0x40, 0xa0, 0x80];
    cbor_head(&mut out, 4, fit as u64);
    for i in 0..fit {
        // One-byte unsigned integers (0..=23), so as many as possible fit.
        out.push(u8::try_from(i % 24).unwrap_or(0));
    }
    out.push(0x40);
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    )
}

fn cbor_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | u8::try_from(n).unwrap_or(0)),
        24..=0xff => out.extend_from_slice(&[m | 24, u8::try_from(n).unwrap_or(0)]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&u16::try_from(n).unwrap_or(0).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend_from_slice(&u32::try_from(n).unwrap_or(0).to_be_bytes());
        }
    }
}

/// The honest derived proof value `pv` with its BBS proof replaced by one that claims
/// `total` messages in all (the disclosed ones and `total - disclosed` hidden ones): the same
/// points, every scalar 1. `None` if `pv` is not what `bbs-2023` derives.
fn with_hidden_messages(pv: &str, total: usize) -> Option<String> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = engine.decode(pv.strip_prefix('u')?).ok()?;
    let (header, body) = bytes.split_at_checked(3)?;
    // [bytes proof, map labels, array mandatory, array selective, bytes ph]
    let mut pos = 0;
    let (major, n) = read_head(body, &mut pos)?;
    if (major, n) != (4, 5) {
        return None;
    }
    let (major, proof_len) = read_head(body, &mut pos)?;
    if major != 2 {
        return None;
    }
    let proof = body.get(pos..pos + usize::try_from(proof_len).ok()?)?;
    let rest = body.get(pos + proof.len()..)?;
    // The selective indexes: the disclosed messages.
    let disclosed = {
        let mut p = 0;
        skip_item(rest, &mut p)?; // label map
        skip_item(rest, &mut p)?; // mandatory
        let (_, n) = read_head(rest, &mut p)?;
        usize::try_from(n).ok()?
    };
    let hidden = total.checked_sub(disclosed)?;
    let mut fake = proof.get(..3 * 48)?.to_vec();
    let mut one = [0u8; 32];
    one[31] = 1;
    // e^, r1^, r3^, the hidden messages' m^, the challenge.
    for _ in 0..(3 + hidden + 1) {
        fake.extend_from_slice(&one);
    }
    let mut out = header.to_vec();
    cbor_head(&mut out, 4, 5);
    cbor_head(&mut out, 2, fake.len() as u64);
    out.extend_from_slice(&fake);
    out.extend_from_slice(rest);
    Some(format!("u{}", engine.encode(out)))
}

fn read_head(b: &[u8], pos: &mut usize) -> Option<(u8, u64)> {
    let first = *b.get(*pos)?;
    *pos += 1;
    let (major, info) = (first >> 5, first & 0x1f);
    let width = match info {
        0..=23 => return Some((major, u64::from(info))),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return None,
    };
    let mut n = 0u64;
    for &x in b.get(*pos..*pos + width)? {
        n = (n << 8) | u64::from(x);
    }
    *pos += width;
    Some((major, n))
}

fn skip_item(b: &[u8], pos: &mut usize) -> Option<()> {
    let (major, n) = read_head(b, pos)?;
    match major {
        0 => {}
        2 | 3 => *pos += usize::try_from(n).ok()?,
        4 => (0..n).try_for_each(|_| skip_item(b, pos))?,
        5 => (0..2 * n).try_for_each(|_| skip_item(b, pos))?,
        _ => return None,
    }
    Some(())
}
