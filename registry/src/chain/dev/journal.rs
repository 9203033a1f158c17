//! The journal file: an append-only sequence of checksummed records, the source of truth of a
//! persisted [`DevChain`](super::DevChain).
//!
//! Layout: [`MAGIC`], then records. A record is the payload length (`u32`, little endian), its
//! bitwise complement (so a damaged length is seen as damage, not as a record cut short), the
//! chained hash `h_i = keccak256(h_{i-1} ‖ payload_i)` (with `h_{-1} = keccak256(MAGIC)`), and the
//! payload. Record 0 is the [`Header`]; every later record is one [`Entry`]. The chained hash
//! checks each record and also names the whole prefix up to it, which is how a snapshot proves
//! which journal, and which position in it, it was taken from.
//!
//! An append is one `write` of one record followed by `fdatasync`, at the end of the records
//! known to be whole. A crash in between can leave a *prefix* of the record (the length or
//! payload cut short) or, on file systems that extend the size before the data reaches the disk,
//! a zero-filled tail. Opening drops exactly those shapes at the end of the file. Anything else
//! that fails its check — in the middle, or a complete last record with wrong bytes — was
//! reported committed to its caller (after the fsync), so it is an error, never silently dropped.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use alloy::primitives::{Address, B256, Bytes, Keccak256, U256, keccak256};

/// The first bytes of a format-2 journal.
pub(super) const MAGIC: &[u8; 16] = b"SIEGEL-DEVCHAIN2";
/// Length, its complement and the chained hash before each payload.
const RECORD_HEADER: usize = 4 + 4 + 32;
/// The largest payload a record may declare. A transaction is bounded by the block gas limit
/// (calldata costs at least 4 gas a byte, so 30M gas is under 8 MB); 16 MiB leaves room and still
/// tells a damaged length from a real one.
pub(super) const MAX_PAYLOAD: usize = 16 << 20;

const TAG_HEADER: u8 = 0;
const TAG_FUND: u8 = 1;
const TAG_INCREASE_TIME: u8 = 2;
const TAG_TX: u8 = 3;

/// Record 0: what the chain is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Header {
    pub(super) chain_id: u64,
    pub(super) genesis_timestamp: u64,
}

/// One change to the chain, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// `dev_fund`.
    Fund { address: Address, amount: U256 },
    /// `dev_increase_time`.
    IncreaseTime { seconds: u64 },
    /// A mined transaction: its block time, its sender (recovered when it was accepted, so a
    /// replay need not recover the signature again) and the signed EIP-2718 bytes.
    Tx {
        timestamp: u64,
        sender: Address,
        raw: Bytes,
    },
}

/// How far a journal goes: entries after the header, bytes, and the chained hash of its last
/// record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub(super) entries: u64,
    pub(super) len: u64,
    pub(super) hash: B256,
}

/// Why a journal cannot be read. The caller adds the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ScanError {
    /// Not a format-2 journal.
    UnknownFormat,
    /// Record `record` (0 = header) at byte `offset` is damaged.
    Corrupt {
        record: u64,
        offset: u64,
        reason: &'static str,
    },
}

/// A journal read from disk.
#[derive(Debug)]
pub(super) struct Scanned {
    pub(super) header: Header,
    /// Position after each entry: `positions[k]` covers `k` entries (index 0 is the header).
    pub(super) positions: Vec<Position>,
    /// Byte offset of each entry's record, for decoding only the ones a snapshot does not cover.
    offsets: Vec<usize>,
    /// Bytes after the last whole record (a torn append), to be cut off.
    pub(super) torn: u64,
}

impl Scanned {
    /// The position after the last whole record.
    pub(super) fn end(&self) -> Position {
        self.positions[self.positions.len() - 1]
    }

    /// Decodes entries `from..` (0-based, after the header) of the journal `bytes` this scan read.
    pub(super) fn entries_from<'a>(
        &'a self,
        bytes: &'a [u8],
        from: u64,
    ) -> impl Iterator<Item = Result<(u64, Entry), ScanError>> + 'a {
        let from = usize::try_from(from).unwrap_or(usize::MAX);
        self.offsets
            .iter()
            .enumerate()
            .skip(from.saturating_add(1))
            .map(move |(record, &offset)| {
                let (payload, _) = split_record(bytes, offset);
                let entry = decode_entry(payload).map_err(|reason| ScanError::Corrupt {
                    record: record as u64,
                    offset: offset as u64,
                    reason,
                })?;
                Ok((record as u64 - 1, entry))
            })
    }
}

fn split_record(bytes: &[u8], offset: usize) -> (&[u8], usize) {
    let len = le_u32(&bytes[offset..offset + 4]) as usize;
    let start = offset + RECORD_HEADER;
    (&bytes[start..start + len], start + len)
}

/// The hash before the first record.
fn initial_hash() -> B256 {
    keccak256(MAGIC)
}

fn chain_hash(previous: &B256, payload: &[u8]) -> B256 {
    let mut h = Keccak256::new();
    h.update(previous);
    h.update(payload);
    h.finalize()
}

/// Reads every record of `bytes`, checking each hash. A torn tail is measured, not an error.
pub(super) fn scan(bytes: &[u8]) -> Result<Scanned, ScanError> {
    let Some(mut rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(ScanError::UnknownFormat);
    };
    let mut offset = MAGIC.len();
    let mut hash = initial_hash();
    let mut header = None;
    let mut positions = Vec::new();
    let mut offsets = Vec::new();
    let mut torn = 0u64;
    while !rest.is_empty() {
        let record = offsets.len() as u64;
        let corrupt = |reason| ScanError::Corrupt {
            record,
            offset: offset as u64,
            reason,
        };
        // A crash between extending the file and writing its data leaves zeros to the end.
        if rest.iter().all(|&b| b == 0) {
            torn = rest.len() as u64;
            break;
        }
        if rest.len() < RECORD_HEADER {
            torn = rest.len() as u64;
            break;
        }
        let (len, check) = (le_u32(&rest[..4]), le_u32(&rest[4..8]));
        if len != !check {
            return Err(corrupt("length check mismatch"));
        }
        let len = len as usize;
        if len > MAX_PAYLOAD {
            return Err(corrupt("declared length out of range"));
        }
        if rest.len() < RECORD_HEADER + len {
            // The record runs past the end of the file: the last append was cut short.
            torn = rest.len() as u64;
            break;
        }
        let payload = &rest[RECORD_HEADER..RECORD_HEADER + len];
        let next = chain_hash(&hash, payload);
        if next.as_slice() != &rest[8..RECORD_HEADER] {
            return Err(corrupt("checksum mismatch"));
        }
        if header.is_none() {
            header = Some(decode_header(payload).map_err(corrupt)?);
        } else if payload.first().is_none_or(|&t| t == TAG_HEADER) {
            return Err(corrupt("a second header"));
        }
        hash = next;
        offsets.push(offset);
        offset += RECORD_HEADER + len;
        rest = &rest[RECORD_HEADER + len..];
        positions.push(Position {
            entries: record,
            len: offset as u64,
            hash,
        });
    }
    let Some(header) = header else {
        // The header is written with the file, atomically: a journal without one was never ours.
        return Err(ScanError::Corrupt {
            record: 0,
            offset: MAGIC.len() as u64,
            reason: "no header record",
        });
    };
    Ok(Scanned {
        header,
        positions,
        offsets,
        torn,
    })
}

/// The bytes of a new journal: magic, header, and `entries`; and its end position.
pub(super) fn encode_new(header: Header, entries: &[Entry]) -> (Vec<u8>, Position) {
    let mut bytes = MAGIC.to_vec();
    let mut pos = Position {
        entries: 0,
        len: MAGIC.len() as u64,
        hash: initial_hash(),
    };
    let (record, next) = encode_record(&pos, &encode_header(header));
    bytes.extend_from_slice(&record);
    pos = next;
    pos.entries = 0;
    for e in entries {
        let (record, next) = encode_record(&pos, &encode_entry(e));
        bytes.extend_from_slice(&record);
        pos = next;
    }
    (bytes, pos)
}

/// One record after `pos`, and the position after it (counting it as an entry).
pub(super) fn encode_record(pos: &Position, payload: &[u8]) -> (Vec<u8>, Position) {
    let hash = chain_hash(&pos.hash, payload);
    let mut record = Vec::with_capacity(RECORD_HEADER + payload.len());
    // Payloads are bounded by MAX_PAYLOAD (< 2^32) where they are made.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    record.extend_from_slice(&len.to_le_bytes());
    record.extend_from_slice(&(!len).to_le_bytes());
    record.extend_from_slice(hash.as_slice());
    record.extend_from_slice(payload);
    let next = Position {
        entries: pos.entries + 1,
        len: pos.len + record.len() as u64,
        hash,
    };
    (record, next)
}

/// Writes `record` at `pos` in the journal at `path` and syncs it. On any failure the file is cut
/// back to `pos` (best effort), so a later append never lands after a partial record.
pub(super) fn append(path: &Path, pos: &Position, record: &[u8]) -> std::io::Result<()> {
    // Opened per append, not kept: the file lock already excludes other writers, and a handle
    // kept open would keep writing to a file that was replaced or removed under the chain.
    let mut f = File::options().write(true).open(path)?;
    let len = f.metadata()?.len();
    if len < pos.len {
        return Err(std::io::Error::other(format!(
            "the journal is {len} bytes, shorter than the {} this chain wrote: it was replaced",
            pos.len
        )));
    }
    let result = (|| {
        if len > pos.len {
            // The remains of an append that failed half way.
            f.set_len(pos.len)?;
        }
        f.seek(SeekFrom::Start(pos.len))?;
        f.write_all(record)?;
        f.sync_data()
    })();
    if result.is_err() {
        let _ = f.set_len(pos.len);
    }
    result
}

fn encode_header(h: Header) -> Vec<u8> {
    let mut p = vec![TAG_HEADER];
    p.extend_from_slice(&h.chain_id.to_be_bytes());
    p.extend_from_slice(&h.genesis_timestamp.to_be_bytes());
    p
}

fn decode_header(p: &[u8]) -> Result<Header, &'static str> {
    match p {
        [TAG_HEADER, rest @ ..] if rest.len() == 16 => Ok(Header {
            chain_id: be_u64(&rest[..8]),
            genesis_timestamp: be_u64(&rest[8..]),
        }),
        _ => Err("not a header record"),
    }
}

/// The payload of one entry.
pub(super) fn encode_entry(e: &Entry) -> Vec<u8> {
    match e {
        Entry::Fund { address, amount } => {
            let mut p = vec![TAG_FUND];
            p.extend_from_slice(address.as_slice());
            p.extend_from_slice(&amount.to_be_bytes::<32>());
            p
        }
        Entry::IncreaseTime { seconds } => {
            let mut p = vec![TAG_INCREASE_TIME];
            p.extend_from_slice(&seconds.to_be_bytes());
            p
        }
        Entry::Tx {
            timestamp,
            sender,
            raw,
        } => {
            let mut p = Vec::with_capacity(1 + 8 + 20 + raw.len());
            p.push(TAG_TX);
            p.extend_from_slice(&timestamp.to_be_bytes());
            p.extend_from_slice(sender.as_slice());
            p.extend_from_slice(raw);
            p
        }
    }
}

/// Parses one entry payload (whose checksum has passed).
pub(super) fn decode_entry(p: &[u8]) -> Result<Entry, &'static str> {
    match p {
        [TAG_FUND, rest @ ..] if rest.len() == 20 + 32 => Ok(Entry::Fund {
            address: Address::from_slice(&rest[..20]),
            amount: U256::from_be_slice(&rest[20..]),
        }),
        [TAG_INCREASE_TIME, rest @ ..] if rest.len() == 8 => Ok(Entry::IncreaseTime {
            seconds: be_u64(rest),
        }),
        [TAG_TX, rest @ ..] if rest.len() > 8 + 20 => Ok(Entry::Tx {
            timestamp: be_u64(&rest[..8]),
            sender: Address::from_slice(&rest[8..28]),
            raw: Bytes::copy_from_slice(&rest[28..]),
        }),
        [TAG_FUND | TAG_INCREASE_TIME | TAG_TX, ..] => Err("entry of the wrong length"),
        _ => Err("unknown entry kind"),
    }
}

/// `bytes` is at least 4 long at every call site.
fn le_u32(bytes: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(b)
}

/// `bytes` is at least 8 long at every call site.
fn be_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn header() -> Header {
        Header {
            chain_id: 1337,
            genesis_timestamp: 1_700_000_000,
        }
    }

    fn entry() -> impl Strategy<Value = Entry> {
        prop_oneof![
            (any::<[u8; 20]>(), any::<[u8; 32]>()).prop_map(|(a, v)| Entry::Fund {
                address: Address::from(a),
                amount: U256::from_be_bytes(v),
            }),
            any::<u64>().prop_map(|seconds| Entry::IncreaseTime { seconds }),
            (
                any::<u64>(),
                any::<[u8; 20]>(),
                proptest::collection::vec(any::<u8>(), 1..300)
            )
                .prop_map(|(timestamp, s, raw)| Entry::Tx {
                    timestamp,
                    sender: Address::from(s),
                    raw: raw.into(),
                }),
        ]
    }

    fn decoded(bytes: &[u8], s: &Scanned) -> Vec<Entry> {
        s.entries_from(bytes, 0).map(|r| r.unwrap().1).collect()
    }

    proptest! {
        #[test]
        fn entries_round_trip(entries in proptest::collection::vec(entry(), 0..20)) {
            let (bytes, end) = encode_new(header(), &entries);
            let s = scan(&bytes).unwrap();
            prop_assert_eq!(s.header, header());
            prop_assert_eq!(s.end(), end);
            prop_assert_eq!(s.torn, 0);
            prop_assert_eq!(decoded(&bytes, &s), entries);
        }

        /// Any cut inside the last record drops that record and nothing else; any single flipped
        /// bit before the last record is reported, never dropped.
        #[test]
        fn torn_tails_drop_corruption_reports(
            entries in proptest::collection::vec(entry(), 2..8),
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
        ) {
            let (bytes, _) = encode_new(header(), &entries);
            let (before, before_end) = encode_new(header(), &entries[..entries.len() - 1]);
            let last = before.len()..bytes.len();
            let at = last.start + 1 + cut.index(last.len() - 1);
            let s = scan(&bytes[..at]).unwrap();
            prop_assert_eq!(s.end(), before_end);
            prop_assert_eq!(s.torn, (at - last.start) as u64);
            prop_assert_eq!(decoded(&bytes, &s), entries[..entries.len() - 1].to_vec());

            let mut damaged = bytes.clone();
            let i = MAGIC.len() + flip.index(last.start - MAGIC.len());
            damaged[i] ^= 1;
            let r = scan(&damaged);
            prop_assert!(matches!(r, Err(ScanError::Corrupt { .. })), "{:?}", r);
        }

        #[test]
        fn arbitrary_payloads_do_not_panic(p in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = decode_entry(&p);
            let _ = decode_header(&p);
        }
    }

    #[test]
    fn a_zero_filled_tail_is_torn_and_a_wrong_last_record_is_corrupt() {
        let entries = [Entry::IncreaseTime { seconds: 5 }];
        let (mut bytes, end) = encode_new(header(), &entries);
        bytes.extend_from_slice(&[0u8; 300]);
        let s = scan(&bytes).unwrap();
        assert_eq!((s.end(), s.torn), (end, 300));

        let (mut bytes, _) = encode_new(header(), &entries);
        let n = bytes.len();
        bytes[n - 1] ^= 0x80;
        assert_eq!(
            scan(&bytes).unwrap_err(),
            ScanError::Corrupt {
                record: 1,
                offset: (n - RECORD_HEADER - 9) as u64,
                reason: "checksum mismatch"
            }
        );
        assert_eq!(
            scan(b"{\"format\":1}").unwrap_err(),
            ScanError::UnknownFormat
        );
    }
}
