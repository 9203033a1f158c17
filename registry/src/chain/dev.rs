//! `DevChain`: the embedded default chain. revm executes real signed EIP-1559 transactions,
//! one block per transaction, with receipts and logs kept and queryable by block.
//!
//! Persistence is an append-only journal (module `journal`): the genesis, then every
//! credit, clock change and signed transaction, in order, one checksummed record each, appended
//! and fsynced before the change is visible. The journal is the only truth; replaying it through
//! the same EVM rebuilds exactly the same state, blocks, receipts and logs. So that opening does
//! not replay everything, a snapshot of the state (`<path>.snapshot`) is written atomically every
//! [`SNAPSHOT_EVERY`] entries; opening loads it if it matches the journal and replays only the
//! entries after it. Journals of format 1 (one JSON document rewritten on every change) are
//! migrated on open.

mod journal;
mod snapshot;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy::consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable};
use alloy::eips::Typed2718;
use alloy::eips::eip2718::Decodable2718;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use revm::context::result::{ExecutionResult, Output};
use revm::context::{BlockEnv, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::state::EvmState;
use revm::{Context, DatabaseCommit, ExecuteEvm, MainBuilder, MainContext};
use serde::Deserialize;

use self::journal::{Entry, Header, Position, ScanError};
pub use self::snapshot::SnapshotRefusal;
use super::{
    BlockInfo, BlockRef, Chain, ChainError, LogEntry, Receipt, Request, Response, revert_reason,
};

/// Chain id of the embedded chain (`did:ethr:0x539:…`).
pub const DEV_CHAIN_ID: u64 = 1337;
/// Block gas limit.
const BLOCK_GAS_LIMIT: u64 = 30_000_000;
/// Gas for `eth_call`: the per-transaction cap of EIP-7825 (2^24).
const CALL_GAS_LIMIT: u64 = 1 << 24;
/// A snapshot is written after this many journal entries since the last one. Opening then
/// replays at most this many entries (tens of microseconds each: senders are journaled, so no
/// signature is recovered), while each transaction pays 1/256 of writing the snapshot (about
/// 3 MB at 10,000 status transactions). Measured in docs/BENCHMARKS.md (`devchain` bench).
pub const SNAPSHOT_EVERY: u64 = 256;

/// Why a persisted dev chain could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevChainError {
    /// Another process (or another `DevChain` in this one) has the chain open.
    #[error("{0}")]
    Locked(#[source] wallet_core::fs::LockError),
    /// Reading, writing or syncing a file failed.
    #[error("dev chain {}: cannot {op}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the journal in place (a new chain, or a migrated one) failed.
    #[error("dev chain: {0}")]
    Write(#[source] wallet_core::fs::FsError),
    /// The file is not a dev chain journal of a format this version reads.
    #[error(
        "dev chain {}: not a dev chain journal this version can read ({found}); move it away to start a new chain",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// A journal record before the end is damaged. Opening would lose it and everything after
    /// it, so it is refused: restore the file from a backup, or move it away to start over.
    #[error(
        "dev chain {}: journal record {record} at byte {offset} is damaged ({reason}); restore a backup or move the file away to start a new chain",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Record number (0 is the header, `n` is entry `n - 1`).
        record: u64,
        /// Byte offset of the record.
        offset: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry the journal holds intact does not execute again (a different EVM version?).
    #[error("dev chain {}: journal entry {entry} does not replay: {source}", path.display())]
    Replay {
        /// The file.
        path: PathBuf,
        /// Entry number, from 0.
        entry: u64,
        /// Why it failed.
        #[source]
        source: ChainError,
    },
}

impl From<DevChainError> for ChainError {
    fn from(e: DevChainError) -> Self {
        let path = match &e {
            DevChainError::Locked(wallet_core::fs::LockError::InUse(p)) => p.clone(),
            DevChainError::Locked(wallet_core::fs::LockError::Fs(f)) | DevChainError::Write(f) => {
                f.path.clone()
            }
            DevChainError::Io { path, .. }
            | DevChainError::UnknownFormat { path, .. }
            | DevChainError::Corrupt { path, .. }
            | DevChainError::Replay { path, .. } => path.clone(),
        };
        ChainError::State {
            path,
            message: e.to_string(),
        }
    }
}

/// What opening a persisted chain found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenReport {
    /// Entries in the journal (after dropping a torn tail).
    pub entries: u64,
    /// Entries executed again to rebuild the state (those after the snapshot used, or all).
    pub replayed: u64,
    /// Whether a snapshot was used.
    pub snapshot: SnapshotUse,
    /// Bytes of an interrupted append cut off the end of the journal.
    pub torn_bytes: u64,
    /// The journal format migrated from, if the file was of an older one.
    pub migrated_from: Option<u32>,
}

/// Whether opening used a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotUse {
    /// A new chain (or one kept in memory): nothing to load.
    NewChain,
    /// The snapshot covering this many entries was loaded.
    Loaded {
        /// Entries it covers.
        covers: u64,
    },
    /// There was no snapshot file.
    Missing,
    /// There was one, and it was not used.
    Refused(SnapshotRefusal),
}

/// Format 1: one JSON document holding the whole journal, rewritten on every change (up to
/// commit b544946). Read only to migrate.
#[derive(Deserialize)]
struct LegacyJournal {
    format: u32,
    chain_id: u64,
    genesis_timestamp: u64,
    entries: Vec<LegacyEntry>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum LegacyEntry {
    Fund { address: Address, amount: U256 },
    IncreaseTime { seconds: u64 },
    Tx { raw: Bytes, timestamp: u64 },
}

struct State {
    db: CacheDB<EmptyDB>,
    chain_id: u64,
    genesis_timestamp: u64,
    blocks: Vec<BlockInfo>,
    /// One transaction per block: `receipts[i]` is block `i + 1`'s, with its logs.
    receipts: Vec<Receipt>,
    /// Transaction hash to block number.
    tx_blocks: HashMap<B256, u64>,
    clock_offset: u64,
    /// How far the journal on disk goes (for an in-memory chain: how far it would).
    journal: Position,
    /// Entries covered by the last snapshot written or attempted.
    snapshot_at: u64,
}

/// A transaction executed but not yet committed: the journal append comes in between.
struct Executed {
    state: EvmState,
    receipt: Receipt,
    sender: Address,
}

/// The in-process chain. Cheap to share behind `&dyn Chain`; internally serialised by a mutex.
pub struct DevChain {
    state: Mutex<State>,
    path: Option<PathBuf>,
    batches: AtomicU64,
    report: OpenReport,
    /// Exclusive lock on `<state file>.lock` while open, so two processes never write one chain.
    _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for DevChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevChain")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `<path>.snapshot`.
fn snapshot_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".snapshot");
    path.with_file_name(name)
}

impl State {
    fn new(chain_id: u64, genesis_timestamp: u64) -> Self {
        let genesis = BlockInfo {
            number: 0,
            timestamp: genesis_timestamp,
            base_fee: 0,
        };
        Self {
            db: CacheDB::new(EmptyDB::default()),
            chain_id,
            genesis_timestamp,
            blocks: vec![genesis],
            receipts: Vec::new(),
            tx_blocks: HashMap::new(),
            clock_offset: 0,
            journal: Position {
                entries: 0,
                len: 0,
                hash: B256::ZERO,
            },
            snapshot_at: 0,
        }
    }

    fn head(&self) -> BlockInfo {
        self.blocks[self.blocks.len() - 1]
    }

    /// The account `address` after a credit of `amount` (not yet stored).
    fn funded(
        &mut self,
        address: Address,
        amount: U256,
    ) -> Result<revm::state::AccountInfo, ChainError> {
        let mut info = self
            .db
            .load_account(address)
            .map_err(|e| ChainError::Unexpected(format!("{e:?}")))?
            .info
            .clone();
        info.balance = info.balance.saturating_add(amount);
        Ok(info)
    }

    fn evm_block(&self, number: u64, timestamp: u64) -> BlockEnv {
        BlockEnv {
            number: U256::from(number),
            timestamp: U256::from(timestamp),
            gas_limit: BLOCK_GAS_LIMIT,
            basefee: 0,
            prevrandao: Some(B256::ZERO),
            ..Default::default()
        }
    }

    /// Executes a raw transaction in a new block at `timestamp`, without committing it. The
    /// sender is recovered from the signature, or taken from the journal on replay.
    fn execute(
        &mut self,
        raw: &[u8],
        timestamp: u64,
        sender: Option<Address>,
    ) -> Result<Executed, ChainError> {
        let envelope = TxEnvelope::decode_2718(&mut &raw[..])
            .map_err(|e| ChainError::Rejected(format!("undecodable transaction: {e}")))?;
        let caller = match sender {
            Some(a) => a,
            None => envelope
                .recover_signer()
                .map_err(|e| ChainError::Rejected(format!("bad signature: {e}")))?,
        };
        if envelope.chain_id() != Some(self.chain_id) {
            return Err(ChainError::Rejected(format!(
                "wrong chain id {:?}, this chain is {}",
                envelope.chain_id(),
                self.chain_id
            )));
        }
        let tx = TxEnv {
            tx_type: envelope.ty(),
            caller,
            gas_limit: envelope.gas_limit(),
            gas_price: envelope.max_fee_per_gas(),
            gas_priority_fee: envelope.max_priority_fee_per_gas(),
            kind: envelope.kind(),
            value: envelope.value(),
            data: envelope.input().clone(),
            nonce: envelope.nonce(),
            chain_id: envelope.chain_id(),
            access_list: envelope.access_list().cloned().unwrap_or_default(),
            ..Default::default()
        };
        let number = self.head().number + 1;
        let block = self.evm_block(number, timestamp);
        let chain_id = self.chain_id;
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .with_block(block)
            .modify_cfg_chained(|c| c.chain_id = chain_id)
            .build_mainnet();
        // `transact` leaves the database as it was (apart from cached reads): the state changes
        // are committed by `commit`, once the journal holds the transaction.
        let out = evm
            .transact(tx)
            .map_err(|e| ChainError::Rejected(format!("{e:?}")))?;
        let result = out.result;
        let (success, contract_address) = match &result {
            ExecutionResult::Success { output, .. } => (
                true,
                match output {
                    Output::Create(_, addr) => *addr,
                    Output::Call(_) => None,
                },
            ),
            _ => (false, None),
        };
        let logs = result
            .logs()
            .iter()
            .enumerate()
            .map(|(i, l)| LogEntry {
                address: l.address,
                topics: l.data.topics().to_vec(),
                data: l.data.data.clone(),
                block_number: number,
                log_index: i as u64,
            })
            .collect();
        Ok(Executed {
            state: out.state,
            receipt: Receipt {
                tx_hash: *envelope.tx_hash(),
                block_number: number,
                success,
                gas_used: result.tx_gas_used(),
                contract_address,
                logs,
            },
            sender: caller,
        })
    }

    /// Commits an executed transaction as the next block.
    fn commit(&mut self, executed: Executed, timestamp: u64) -> Receipt {
        self.db.commit(executed.state);
        let receipt = executed.receipt;
        self.blocks.push(BlockInfo {
            number: receipt.block_number,
            timestamp,
            base_fee: 0,
        });
        self.tx_blocks.insert(receipt.tx_hash, receipt.block_number);
        self.receipts.push(receipt.clone());
        receipt
    }

    /// Applies a journal entry read back from disk.
    fn replay(&mut self, entry: Entry) -> Result<(), ChainError> {
        match entry {
            Entry::Fund { address, amount } => {
                let info = self.funded(address, amount)?;
                self.db.insert_account_info(address, info);
            }
            Entry::IncreaseTime { seconds } => {
                self.clock_offset = self.clock_offset.saturating_add(seconds);
            }
            Entry::Tx {
                timestamp,
                sender,
                raw,
            } => {
                let executed = self.execute(&raw, timestamp, Some(sender))?;
                self.commit(executed, timestamp);
            }
        }
        Ok(())
    }

    fn receipt(&self, tx_hash: &B256) -> Option<&Receipt> {
        let n = *self.tx_blocks.get(tx_hash)?;
        self.receipts.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }

    fn call(
        &mut self,
        from: Option<Address>,
        to: Address,
        data: &Bytes,
    ) -> Result<Bytes, ChainError> {
        let head = self.head();
        let block = self.evm_block(head.number + 1, head.timestamp + 1);
        let chain_id = self.chain_id;
        let caller = from.unwrap_or(Address::ZERO);
        let nonce = self
            .db
            .load_account(caller)
            .map(|a| a.info.nonce)
            .unwrap_or(0);
        let tx = TxEnv {
            caller,
            gas_limit: CALL_GAS_LIMIT,
            gas_price: 0,
            kind: TxKind::Call(to),
            data: data.clone(),
            nonce,
            chain_id: Some(chain_id),
            ..Default::default()
        };
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .with_block(block)
            .modify_cfg_chained(|c| c.chain_id = chain_id)
            .build_mainnet();
        // `transact` executes without committing: a read.
        let out = evm
            .transact(tx)
            .map_err(|e| ChainError::Rejected(format!("{e:?}")))?;
        match out.result {
            ExecutionResult::Success { output, .. } => Ok(output.into_data()),
            ExecutionResult::Revert { output, .. } => Err(ChainError::Reverted {
                reason: revert_reason(&output),
            }),
            ExecutionResult::Halt { reason, .. } => Err(ChainError::Reverted {
                reason: format!("halted: {reason:?}"),
            }),
        }
    }

    fn answer(&mut self, r: &Request) -> Result<Response, ChainError> {
        let head = self.head().number;
        Ok(match r {
            Request::BlockNumber => Response::Number(head),
            Request::Block(BlockRef::Latest) => Response::Block(self.head()),
            Request::Block(BlockRef::Number(n)) => Response::Block(
                *self
                    .blocks
                    .get(usize::try_from(*n).unwrap_or(usize::MAX))
                    .ok_or(ChainError::UnknownBlock(*n))?,
            ),
            Request::Call {
                from,
                to,
                data,
                block,
            } => {
                match block {
                    BlockRef::Number(n) if *n != head => {
                        return Err(ChainError::Rpc(format!(
                            "the dev chain keeps only the latest state; block {n} requested, head is {head}"
                        )));
                    }
                    _ => {}
                }
                Response::Bytes(self.call(*from, *to, data)?)
            }
            Request::Logs(f) => {
                // Blocks hold one transaction each, so the receipts of blocks `from..=to` are
                // the slice `from - 1..to`: the work is the range asked for, not the history.
                let first = usize::try_from(f.from.max(1) - 1).unwrap_or(usize::MAX);
                let last = usize::try_from(f.to)
                    .unwrap_or(usize::MAX)
                    .min(self.receipts.len());
                let receipts = self.receipts.get(first..last).unwrap_or_default();
                Response::Logs(
                    receipts
                        .iter()
                        .flat_map(|r| &r.logs)
                        .filter(|l| {
                            l.address == f.address
                                && (f.topic0.is_empty()
                                    || l.topics.first().is_some_and(|t| f.topic0.contains(t)))
                                && f.topic1.is_none_or(|t1| l.topics.get(1) == Some(&t1))
                        })
                        .cloned()
                        .collect(),
                )
            }
            Request::Nonce(a) => Response::Number(
                self.db
                    .load_account(*a)
                    .map(|acc| acc.info.nonce)
                    .unwrap_or(0),
            ),
            Request::Balance(a) => Response::Amount(
                self.db
                    .load_account(*a)
                    .map(|acc| acc.info.balance)
                    .unwrap_or(U256::ZERO),
            ),
        })
    }
}

impl DevChain {
    /// A fresh chain kept only in memory.
    pub fn in_memory() -> Self {
        Self {
            state: Mutex::new(State::new(DEV_CHAIN_ID, now())),
            path: None,
            batches: AtomicU64::new(0),
            report: OpenReport {
                entries: 0,
                replayed: 0,
                snapshot: SnapshotUse::NewChain,
                torn_bytes: 0,
                migrated_from: None,
            },
            _lock: None,
        }
    }

    /// The receipt of a transaction this chain mined.
    pub fn receipt(&self, tx_hash: B256) -> Option<Receipt> {
        self.lock().receipt(&tx_hash).cloned()
    }

    /// Opens the chain persisted at `path` (its journal; the snapshot is `<path>.snapshot`), or
    /// starts a new one there.
    ///
    /// # Errors
    /// [`ChainError::State`] with the message of the [`DevChainError`] that
    /// [`DevChain::try_open`] returns.
    pub fn open(path: &Path) -> Result<Self, ChainError> {
        Ok(Self::try_open(path)?)
    }

    /// [`DevChain::open`], with the precise error.
    ///
    /// Opening takes the file lock, cuts an interrupted append off the end of the journal, loads
    /// the snapshot if it matches the journal and replays the entries after it (all of them if it
    /// does not), and migrates a format-1 journal. [`DevChain::open_report`] says which happened.
    ///
    /// # Errors
    /// [`DevChainError::Locked`] while another process has the chain open;
    /// [`DevChainError::Corrupt`] for a damaged record before the end of the journal;
    /// [`DevChainError::UnknownFormat`], [`DevChainError::Replay`], and I/O errors.
    pub fn try_open(path: &Path) -> Result<Self, DevChainError> {
        let lock = wallet_core::fs::lock_exclusive(path).map_err(DevChainError::Locked)?;
        let snap_path = snapshot_path(path);
        // Under the lock: no other writer of these files is running.
        wallet_core::fs::remove_stale_temps(path);
        wallet_core::fs::remove_stale_temps(&snap_path);
        let io = |op: &'static str, p: &Path| {
            let path = p.to_path_buf();
            move |source| DevChainError::Io { path, op, source }
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let header = Header {
                    chain_id: DEV_CHAIN_ID,
                    genesis_timestamp: now(),
                };
                let (bytes, end) = journal::encode_new(header, &[]);
                wallet_core::fs::write_atomic(path, &bytes).map_err(DevChainError::Write)?;
                let mut state = State::new(header.chain_id, header.genesis_timestamp);
                state.journal = end;
                return Ok(Self::opened(
                    state,
                    path,
                    lock,
                    SnapshotUse::NewChain,
                    0,
                    0,
                    None,
                ));
            }
            Err(e) => return Err(io("read", path)(e)),
        };
        if bytes.trim_ascii_start().starts_with(b"{") {
            return Self::migrate(&bytes, path, lock);
        }
        let scanned = journal::scan(&bytes).map_err(|e| {
            scan_failure(path, e, || {
                format!(
                    "it starts with {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(16)])
                )
            })
        })?;
        let end = scanned.end();
        if scanned.torn > 0 {
            // An append that never completed was never reported as done: drop it, durably, before
            // anything is appended after it.
            let f = std::fs::File::options()
                .write(true)
                .open(path)
                .map_err(io("open for repair", path))?;
            f.set_len(end.len)
                .map_err(io("truncate a torn append", path))?;
            f.sync_all().map_err(io("sync", path))?;
        }
        let loaded = match std::fs::read(&snap_path) {
            Ok(b) => snapshot::decode(&b).and_then(|d| {
                match scanned
                    .positions
                    .get(usize::try_from(d.position.entries).unwrap_or(usize::MAX))
                {
                    None => Err(SnapshotRefusal::BeyondJournal {
                        covers: d.position.entries,
                        journal: end.entries,
                    }),
                    Some(p)
                        if *p == d.position
                            && d.state.chain_id == scanned.header.chain_id
                            && d.state.genesis_timestamp == scanned.header.genesis_timestamp =>
                    {
                        Ok(d.state)
                    }
                    Some(_) => Err(SnapshotRefusal::OtherJournal),
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(SnapshotRefusal::Damaged("missing"))
            }
            Err(_) => Err(SnapshotRefusal::Damaged("unreadable")),
        };
        let (mut state, snapshot_use) = match loaded {
            Ok(state) => {
                let covers = state.journal.entries;
                (state, SnapshotUse::Loaded { covers })
            }
            Err(refusal) => {
                let use_ = if refusal == SnapshotRefusal::Damaged("missing") {
                    SnapshotUse::Missing
                } else {
                    SnapshotUse::Refused(refusal)
                };
                let h = scanned.header;
                (State::new(h.chain_id, h.genesis_timestamp), use_)
            }
        };
        let from = state.journal.entries;
        state.snapshot_at = from;
        for entry in scanned.entries_from(&bytes, from) {
            let (n, entry) =
                entry.map_err(|e| scan_failure(path, e, || "an unreadable entry".into()))?;
            state
                .replay(entry)
                .map_err(|source| DevChainError::Replay {
                    path: path.to_path_buf(),
                    entry: n,
                    source,
                })?;
        }
        state.journal = end;
        let replayed = end.entries - from;
        let chain = Self::opened(
            state,
            path,
            lock,
            snapshot_use,
            replayed,
            scanned.torn,
            None,
        );
        chain.snapshot_if_due(&mut chain.lock());
        Ok(chain)
    }

    fn opened(
        state: State,
        path: &Path,
        lock: std::fs::File,
        snapshot: SnapshotUse,
        replayed: u64,
        torn_bytes: u64,
        migrated_from: Option<u32>,
    ) -> Self {
        Self {
            report: OpenReport {
                entries: state.journal.entries,
                replayed,
                snapshot,
                torn_bytes,
                migrated_from,
            },
            state: Mutex::new(state),
            path: Some(path.to_path_buf()),
            batches: AtomicU64::new(0),
            _lock: Some(lock),
        }
    }

    /// Replays a format-1 journal and replaces it, atomically, by the same entries in format 2.
    fn migrate(bytes: &[u8], path: &Path, lock: std::fs::File) -> Result<Self, DevChainError> {
        let legacy: LegacyJournal =
            serde_json::from_slice(bytes).map_err(|e| DevChainError::UnknownFormat {
                path: path.to_path_buf(),
                found: format!("JSON that is not a format-1 journal: {e}"),
            })?;
        if legacy.format != 1 {
            return Err(DevChainError::UnknownFormat {
                path: path.to_path_buf(),
                found: format!("a JSON journal of format {}", legacy.format),
            });
        }
        let header = Header {
            chain_id: legacy.chain_id,
            genesis_timestamp: legacy.genesis_timestamp,
        };
        let mut state = State::new(header.chain_id, header.genesis_timestamp);
        let mut entries = Vec::with_capacity(legacy.entries.len());
        for (n, e) in legacy.entries.into_iter().enumerate() {
            let replay_err = |source| DevChainError::Replay {
                path: path.to_path_buf(),
                entry: n as u64,
                source,
            };
            // Format 1 did not record senders: recover each once, here.
            let entry = match e {
                LegacyEntry::Fund { address, amount } => Entry::Fund { address, amount },
                LegacyEntry::IncreaseTime { seconds } => Entry::IncreaseTime { seconds },
                LegacyEntry::Tx { raw, timestamp } => {
                    let executed = state.execute(&raw, timestamp, None).map_err(replay_err)?;
                    let sender = executed.sender;
                    state.commit(executed, timestamp);
                    entries.push(Entry::Tx {
                        timestamp,
                        sender,
                        raw,
                    });
                    continue;
                }
            };
            state.replay(entry.clone()).map_err(replay_err)?;
            entries.push(entry);
        }
        let (bytes, end) = journal::encode_new(header, &entries);
        wallet_core::fs::write_atomic(path, &bytes).map_err(DevChainError::Write)?;
        state.journal = end;
        let replayed = end.entries;
        let chain = Self::opened(
            state,
            path,
            lock,
            SnapshotUse::Missing,
            replayed,
            0,
            Some(1),
        );
        chain.write_snapshot(&mut chain.lock());
        Ok(chain)
    }

    /// What opening found and did (for a chain in memory: nothing).
    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `entry` to the journal and syncs it. The caller changes the state in memory only
    /// after this succeeded, so memory never runs ahead of the file (what a reopen would see).
    fn append(&self, s: &mut State, entry: &Entry) -> Result<(), ChainError> {
        let (record, next) = journal::encode_record(&s.journal, &journal::encode_entry(entry));
        if let Some(path) = &self.path {
            journal::append(path, &s.journal, &record).map_err(|e| ChainError::State {
                path: path.clone(),
                message: format!("cannot append to the journal: {e}"),
            })?;
        }
        s.journal = next;
        Ok(())
    }

    /// Writes a snapshot once [`SNAPSHOT_EVERY`] entries accumulated since the last one.
    fn snapshot_if_due(&self, s: &mut State) {
        if s.journal.entries >= s.snapshot_at + SNAPSHOT_EVERY {
            self.write_snapshot(s);
        }
    }

    /// Writes the snapshot of `s`. A failure is not an error of the change that triggered it:
    /// that change is in the journal already, and the snapshot only shortens the next open. It
    /// is retried after another [`SNAPSHOT_EVERY`] entries.
    fn write_snapshot(&self, s: &mut State) {
        let Some(path) = &self.path else {
            return;
        };
        s.snapshot_at = s.journal.entries;
        if let Ok(bytes) = snapshot::encode(s) {
            let _ = wallet_core::fs::write_atomic(&snapshot_path(path), &bytes);
        }
    }

    /// Where the chain is persisted, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Chain for DevChain {
    fn chain_id(&self) -> Result<u64, ChainError> {
        Ok(self.lock().chain_id)
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        self.batches.fetch_add(1, Ordering::Relaxed);
        let mut s = self.lock();
        requests.iter().map(|r| s.answer(r)).collect()
    }

    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError> {
        self.batches.fetch_add(1, Ordering::Relaxed);
        let mut s = self.lock();
        let timestamp = (now() + s.clock_offset).max(s.head().timestamp + 1);
        // A rejected transaction (bad nonce, funds, signature) is not journaled and adds no block.
        let executed = s.execute(raw, timestamp, None)?;
        self.append(
            &mut s,
            &Entry::Tx {
                timestamp,
                sender: executed.sender,
                raw: Bytes::copy_from_slice(raw),
            },
        )?;
        let receipt = s.commit(executed, timestamp);
        self.snapshot_if_due(&mut s);
        Ok(receipt)
    }

    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError> {
        let mut s = self.lock();
        let info = s.funded(address, amount)?;
        self.append(&mut s, &Entry::Fund { address, amount })?;
        // Inserting (rather than editing in place) marks a new account as existing.
        s.db.insert_account_info(address, info);
        self.snapshot_if_due(&mut s);
        Ok(())
    }

    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        let mut s = self.lock();
        self.append(&mut s, &Entry::IncreaseTime { seconds })?;
        s.clock_offset = s.clock_offset.saturating_add(seconds);
        self.snapshot_if_due(&mut s);
        Ok(())
    }

    fn round_trips(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
}

/// The open error for a journal scan failure of the file at `path`; `found` describes an
/// unknown format.
fn scan_failure(path: &Path, e: ScanError, found: impl FnOnce() -> String) -> DevChainError {
    match e {
        ScanError::UnknownFormat => DevChainError::UnknownFormat {
            path: path.to_path_buf(),
            found: found(),
        },
        ScanError::Corrupt {
            record,
            offset,
            reason,
        } => DevChainError::Corrupt {
            path: path.to_path_buf(),
            record,
            offset,
            reason,
        },
    }
}
