//! The small part of CBOR (RFC 8949) that `bbs-2023` proof values use: unsigned integers, byte
//! strings, text strings, arrays and maps, definite lengths only. Decoding is strict and bounded:
//! every length is checked against the remaining input before anything is allocated.

/// A CBOR value of the supported subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cbor {
    Uint(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(Cbor, Cbor)>),
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

impl Cbor {
    /// Appends the encoding (preferred, shortest-form heads).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Uint(n) => head(out, 0, *n),
            Cbor::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Cbor::Text(t) => {
                head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Cbor::Array(items) => {
                head(out, 4, items.len() as u64);
                for i in items {
                    i.encode(out);
                }
            }
            Cbor::Map(entries) => {
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }

    /// Decodes exactly one value that fills `bytes`.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Cbor, String> {
        let mut pos = 0;
        let v = decode_at(bytes, &mut pos, 0)?;
        if pos != bytes.len() {
            return Err(format!("{} trailing bytes", bytes.len() - pos));
        }
        Ok(v)
    }
}

const MAX_DEPTH: usize = 8;

fn take<'a>(bytes: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], String> {
    let end = pos
        .checked_add(n)
        .filter(|&e| e <= bytes.len())
        .ok_or("truncated CBOR")?;
    let s = &bytes[*pos..end];
    *pos = end;
    Ok(s)
}

fn decode_at(bytes: &[u8], pos: &mut usize, depth: usize) -> Result<Cbor, String> {
    if depth > MAX_DEPTH {
        return Err("CBOR nested too deeply".into());
    }
    let first = take(bytes, pos, 1)?[0];
    let (major, info) = (first >> 5, first & 0x1f);
    let n: u64 = match info {
        0..=23 => u64::from(info),
        24 => u64::from(take(bytes, pos, 1)?[0]),
        25 => u64::from(u16::from_be_bytes(
            take(bytes, pos, 2)?.try_into().map_err(|_| "truncated")?,
        )),
        26 => u64::from(u32::from_be_bytes(
            take(bytes, pos, 4)?.try_into().map_err(|_| "truncated")?,
        )),
        27 => u64::from_be_bytes(take(bytes, pos, 8)?.try_into().map_err(|_| "truncated")?),
        _ => return Err("indefinite lengths and reserved values are not supported".into()),
    };
    let remaining = (bytes.len() - *pos) as u64;
    match major {
        0 => Ok(Cbor::Uint(n)),
        2 | 3 => {
            if n > remaining {
                return Err("truncated CBOR string".into());
            }
            let s = take(bytes, pos, n as usize)?.to_vec();
            if major == 2 {
                Ok(Cbor::Bytes(s))
            } else {
                String::from_utf8(s)
                    .map(Cbor::Text)
                    .map_err(|_| "CBOR text is not UTF-8".into())
            }
        }
        4 | 5 => {
            // Each item takes at least one byte: a count beyond the input is a lie.
            let per = if major == 5 { 2 } else { 1 };
            if n.saturating_mul(per) > remaining {
                return Err("CBOR container longer than its input".into());
            }
            if major == 4 {
                (0..n)
                    .map(|_| decode_at(bytes, pos, depth + 1))
                    .collect::<Result<_, _>>()
                    .map(Cbor::Array)
            } else {
                (0..n)
                    .map(|_| {
                        Ok((
                            decode_at(bytes, pos, depth + 1)?,
                            decode_at(bytes, pos, depth + 1)?,
                        ))
                    })
                    .collect::<Result<_, String>>()
                    .map(Cbor::Map)
            }
        }
        _ => Err(format!("unsupported CBOR major type {major}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Cbor> {
        let leaf = prop_oneof![
            any::<u64>().prop_map(Cbor::Uint),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Cbor::Bytes),
            "\\PC{0,20}".prop_map(Cbor::Text),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Cbor::Array),
                proptest::collection::vec((inner.clone(), inner), 0..4).prop_map(Cbor::Map),
            ]
        })
    }

    proptest! {
        #[test]
        fn round_trip(v in value()) {
            let mut out = Vec::new();
            v.encode(&mut out);
            prop_assert_eq!(Cbor::decode(&out).unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Cbor::decode(&b);
        }
    }

    #[test]
    fn hostile_lengths_are_refused() {
        // An array claiming 2^64-1 items, a byte string claiming 4 GiB.
        assert!(Cbor::decode(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Cbor::decode(&[0x5a, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Cbor::decode(&[0x9f]).is_err()); // indefinite
        let deep = vec![0x81u8; 20];
        assert!(Cbor::decode(&deep).is_err());
    }
}
