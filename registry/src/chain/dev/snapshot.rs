//! The snapshot file: the whole state of a [`DevChain`](super::DevChain) after some journal
//! position, so that opening replays only the entries after it.
//!
//! The snapshot is a cache, never the truth: it names the journal position it covers (entry count,
//! byte length and the chained hash of the last record it includes), and opening uses it only if
//! the journal has exactly that record at exactly that position. A snapshot that is missing,
//! damaged, from another chain or from a longer history is ignored and the journal is replayed
//! from the start.
//!
//! Layout: [`MAGIC`], `keccak256(body)`, body. The body is the position, the chain's constants and
//! clock, the revm cache (accounts, storage, code) as JSON — small, and revm's own serde so it
//! round-trips exactly — then blocks and receipts in a fixed binary layout, because at 10,000
//! transactions they are most of the bytes and JSON would dominate the time to open.

use alloy::primitives::{Address, B256, Bytes, keccak256};
use revm::database::{Cache, CacheDB, EmptyDB};

use super::journal::Position;
use super::{BlockInfo, LogEntry, Receipt, State};

/// The first bytes of a snapshot file.
const MAGIC: &[u8; 16] = b"SIEGEL-DEVSNAP02";

/// Why a snapshot was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotRefusal {
    /// The file is not a snapshot, fails its checksum or does not parse.
    Damaged(&'static str),
    /// It covers more entries than the journal has (it belongs to a longer history).
    BeyondJournal {
        /// Entries it covers.
        covers: u64,
        /// Entries in the journal.
        journal: u64,
    },
    /// The journal differs at the position it covers: it was taken from another journal.
    OtherJournal,
}

impl std::fmt::Display for SnapshotRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Damaged(why) => write!(f, "damaged snapshot ({why})"),
            Self::BeyondJournal { covers, journal } => write!(
                f,
                "the snapshot covers {covers} entries, the journal has {journal}"
            ),
            Self::OtherJournal => write!(f, "the snapshot was taken from another journal"),
        }
    }
}

/// The snapshot of `s`, covering `s.journal`.
pub(super) fn encode(s: &State) -> Result<Vec<u8>, serde_json::Error> {
    let cache = serde_json::to_vec(&s.db.cache)?;
    let mut w = Vec::with_capacity(cache.len() + s.receipts.len() * 300 + 256);
    put_u64(&mut w, s.journal.entries);
    put_u64(&mut w, s.journal.len);
    w.extend_from_slice(s.journal.hash.as_slice());
    put_u64(&mut w, s.chain_id);
    put_u64(&mut w, s.genesis_timestamp);
    put_u64(&mut w, s.clock_offset);
    put_u64(&mut w, cache.len() as u64);
    w.extend_from_slice(&cache);
    put_u64(&mut w, s.blocks.len() as u64);
    for b in &s.blocks {
        put_u64(&mut w, b.timestamp);
        w.extend_from_slice(&b.base_fee.to_be_bytes());
    }
    // One transaction per block: receipt i belongs to block i + 1 (block 0 is genesis).
    for r in &s.receipts {
        w.extend_from_slice(r.tx_hash.as_slice());
        w.push(u8::from(r.success));
        put_u64(&mut w, r.gas_used);
        match r.contract_address {
            Some(a) => {
                w.push(1);
                w.extend_from_slice(a.as_slice());
            }
            None => w.push(0),
        }
        put_u64(&mut w, r.logs.len() as u64);
        for l in &r.logs {
            w.extend_from_slice(l.address.as_slice());
            put_u64(&mut w, l.topics.len() as u64);
            for t in &l.topics {
                w.extend_from_slice(t.as_slice());
            }
            put_u64(&mut w, l.data.len() as u64);
            w.extend_from_slice(&l.data);
        }
    }
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + w.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(keccak256(&w).as_slice());
    out.extend_from_slice(&w);
    Ok(out)
}

/// What a snapshot file holds, checked against itself (not yet against the journal).
pub(super) struct Decoded {
    pub(super) position: Position,
    pub(super) state: State,
}

/// Parses a snapshot file.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, SnapshotRefusal> {
    let damaged = SnapshotRefusal::Damaged;
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or(damaged("not a snapshot"))?;
    if rest.len() < 32 || keccak256(&rest[32..]).as_slice() != &rest[..32] {
        return Err(damaged("checksum mismatch"));
    }
    let mut r = Reader(&rest[32..]);
    let position = Position {
        entries: r.u64()?,
        len: r.u64()?,
        hash: r.b256()?,
    };
    let chain_id = r.u64()?;
    let genesis_timestamp = r.u64()?;
    let clock_offset = r.u64()?;
    let cache_len = r.len()?;
    let cache: Cache =
        serde_json::from_slice(r.take(cache_len)?).map_err(|_| damaged("state does not parse"))?;
    let n_blocks = r.len()?;
    if n_blocks == 0 {
        return Err(damaged("no genesis block"));
    }
    // Each block takes at least 24 bytes: a count beyond the file is damage, not an allocation.
    let mut blocks = Vec::with_capacity(n_blocks.min(r.0.len() / 24));
    for number in 0..n_blocks as u64 {
        let timestamp = r.u64()?;
        let base_fee = u128::from_be_bytes(r.array()?);
        blocks.push(BlockInfo {
            number,
            timestamp,
            base_fee,
        });
    }
    let mut receipts = Vec::with_capacity(n_blocks - 1);
    for block_number in 1..n_blocks as u64 {
        let tx_hash = r.b256()?;
        let success = match r.byte()? {
            0 => false,
            1 => true,
            _ => return Err(damaged("bad flag")),
        };
        let gas_used = r.u64()?;
        let contract_address = match r.byte()? {
            0 => None,
            1 => Some(Address::from(r.array::<20>()?)),
            _ => return Err(damaged("bad flag")),
        };
        let n_logs = r.len()?;
        let mut logs = Vec::with_capacity(n_logs.min(r.0.len() / 36));
        for log_index in 0..n_logs as u64 {
            let address = Address::from(r.array::<20>()?);
            let n_topics = r.len()?;
            if n_topics > 4 {
                return Err(damaged("more than four topics"));
            }
            let topics = (0..n_topics).map(|_| r.b256()).collect::<Result<_, _>>()?;
            let data_len = r.len()?;
            let data = Bytes::copy_from_slice(r.take(data_len)?);
            logs.push(LogEntry {
                address,
                topics,
                data,
                block_number,
                log_index,
            });
        }
        receipts.push(Receipt {
            tx_hash,
            block_number,
            success,
            gas_used,
            contract_address,
            logs,
        });
    }
    if !r.0.is_empty() {
        return Err(damaged("trailing bytes"));
    }
    let mut state = State::new(chain_id, genesis_timestamp);
    state.db = CacheDB {
        cache,
        db: EmptyDB::default(),
    };
    state.blocks = blocks;
    state.tx_blocks = receipts
        .iter()
        .map(|r| (r.tx_hash, r.block_number))
        .collect();
    state.receipts = receipts;
    state.clock_offset = clock_offset;
    state.journal = position;
    Ok(Decoded { position, state })
}

fn put_u64(w: &mut Vec<u8>, v: u64) {
    w.extend_from_slice(&v.to_be_bytes());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotRefusal> {
        if self.0.len() < n {
            return Err(SnapshotRefusal::Damaged("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotRefusal> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8, SnapshotRefusal> {
        Ok(self.array::<1>()?[0])
    }

    fn u64(&mut self) -> Result<u64, SnapshotRefusal> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    fn b256(&mut self) -> Result<B256, SnapshotRefusal> {
        Ok(B256::from(self.array::<32>()?))
    }

    /// A length or count; never more than the bytes left could hold.
    fn len(&mut self) -> Result<usize, SnapshotRefusal> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.0.len())
            .ok_or(SnapshotRefusal::Damaged("length out of range"))
    }
}
