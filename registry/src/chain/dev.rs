//! `DevChain`: the embedded default chain. revm executes real signed EIP-1559 transactions,
//! one block per transaction, with receipts and logs kept and queryable by block.
//!
//! Persistence is a journal: the genesis time, every credit, clock change and raw signed
//! transaction, in order, rewritten atomically after each change. Reopening replays the journal
//! through the same EVM, which rebuilds exactly the same state, blocks, receipts and logs — there
//! is no second state format that could drift from what execution produces.

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
use revm::{Context, ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};
use serde::{Deserialize, Serialize};

use super::{
    BlockInfo, BlockRef, Chain, ChainError, LogEntry, Receipt, Request, Response, revert_reason,
};

/// Chain id of the embedded chain (`did:ethr:0x539:…`).
pub const DEV_CHAIN_ID: u64 = 1337;
/// Block gas limit.
const BLOCK_GAS_LIMIT: u64 = 30_000_000;
/// Gas for `eth_call`: the per-transaction cap of EIP-7825 (2^24).
const CALL_GAS_LIMIT: u64 = 1 << 24;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum JournalEntry {
    Fund { address: Address, amount: U256 },
    IncreaseTime { seconds: u64 },
    Tx { raw: Bytes, timestamp: u64 },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Journal {
    format: u32,
    chain_id: u64,
    genesis_timestamp: u64,
    entries: Vec<JournalEntry>,
}

struct State {
    db: CacheDB<EmptyDB>,
    blocks: Vec<BlockInfo>,
    logs: Vec<LogEntry>,
    receipts: HashMap<B256, Receipt>,
    clock_offset: u64,
    journal: Journal,
}

/// The in-process chain. Cheap to share behind `&dyn Chain`; internally serialised by a mutex.
pub struct DevChain {
    state: Mutex<State>,
    path: Option<PathBuf>,
    batches: AtomicU64,
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

impl State {
    fn new(journal: Journal) -> Self {
        let genesis = BlockInfo {
            number: 0,
            timestamp: journal.genesis_timestamp,
            base_fee: 0,
        };
        Self {
            db: CacheDB::new(EmptyDB::default()),
            blocks: vec![genesis],
            logs: Vec::new(),
            receipts: HashMap::new(),
            clock_offset: 0,
            journal,
        }
    }

    fn head(&self) -> BlockInfo {
        self.blocks[self.blocks.len() - 1]
    }

    fn fund(&mut self, address: Address, amount: U256) -> Result<(), ChainError> {
        let mut info = self
            .db
            .load_account(address)
            .map_err(|e| ChainError::Unexpected(format!("{e:?}")))?
            .info
            .clone();
        info.balance = info.balance.saturating_add(amount);
        // Inserting (rather than editing in place) marks a new account as existing.
        self.db.insert_account_info(address, info);
        Ok(())
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

    /// Executes a raw transaction in a new block at `timestamp`.
    fn apply_tx(&mut self, raw: &[u8], timestamp: u64) -> Result<Receipt, ChainError> {
        let envelope = TxEnvelope::decode_2718(&mut &raw[..])
            .map_err(|e| ChainError::Rejected(format!("undecodable transaction: {e}")))?;
        let caller = envelope
            .recover_signer()
            .map_err(|e| ChainError::Rejected(format!("bad signature: {e}")))?;
        if envelope.chain_id() != Some(self.journal.chain_id) {
            return Err(ChainError::Rejected(format!(
                "wrong chain id {:?}, this chain is {}",
                envelope.chain_id(),
                self.journal.chain_id
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
        let chain_id = self.journal.chain_id;
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .with_block(block)
            .modify_cfg_chained(|c| c.chain_id = chain_id)
            .build_mainnet();
        let result = evm
            .transact_commit(tx)
            .map_err(|e| ChainError::Rejected(format!("{e:?}")))?;
        let tx_hash = *envelope.tx_hash();
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
        let logs: Vec<LogEntry> = result
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
        self.logs.extend(logs.iter().cloned());
        self.blocks.push(BlockInfo {
            number,
            timestamp,
            base_fee: 0,
        });
        let receipt = Receipt {
            tx_hash,
            block_number: number,
            success,
            gas_used: result.tx_gas_used(),
            contract_address,
            logs,
        };
        self.receipts.insert(tx_hash, receipt.clone());
        Ok(receipt)
    }

    /// The state a journal describes: genesis, then every entry replayed in order. `Err((i, e))`
    /// if entry `i` does not replay.
    fn replayed(journal: &Journal) -> Result<Self, (usize, ChainError)> {
        let mut s = Self::new(Journal {
            entries: Vec::new(),
            ..journal.clone()
        });
        for (i, e) in journal.entries.iter().enumerate() {
            s.replay(e).map_err(|err| (i, err))?;
            s.journal.entries.push(e.clone());
        }
        Ok(s)
    }

    fn replay(&mut self, entry: &JournalEntry) -> Result<(), ChainError> {
        match entry {
            JournalEntry::Fund { address, amount } => self.fund(*address, *amount),
            JournalEntry::IncreaseTime { seconds } => {
                self.clock_offset = self.clock_offset.saturating_add(*seconds);
                Ok(())
            }
            JournalEntry::Tx { raw, timestamp } => self.apply_tx(raw, *timestamp).map(|_| ()),
        }
    }

    fn call(
        &mut self,
        from: Option<Address>,
        to: Address,
        data: &Bytes,
    ) -> Result<Bytes, ChainError> {
        let head = self.head();
        let block = self.evm_block(head.number + 1, head.timestamp + 1);
        let chain_id = self.journal.chain_id;
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
            Request::Logs(f) => Response::Logs(
                self.logs
                    .iter()
                    .filter(|l| {
                        l.address == f.address
                            && l.block_number >= f.from
                            && l.block_number <= f.to
                            && (f.topic0.is_empty()
                                || l.topics.first().is_some_and(|t| f.topic0.contains(t)))
                            && f.topic1.is_none_or(|t1| l.topics.get(1) == Some(&t1))
                    })
                    .cloned()
                    .collect(),
            ),
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
        Self::from_journal(
            Journal {
                format: 1,
                chain_id: DEV_CHAIN_ID,
                genesis_timestamp: now(),
                entries: Vec::new(),
            },
            None,
            None,
        )
    }

    fn from_journal(journal: Journal, path: Option<PathBuf>, lock: Option<std::fs::File>) -> Self {
        Self {
            state: Mutex::new(State::new(journal)),
            path,
            batches: AtomicU64::new(0),
            _lock: lock,
        }
    }

    /// The receipt of a transaction this chain mined.
    pub fn receipt(&self, tx_hash: B256) -> Option<Receipt> {
        self.lock().receipts.get(&tx_hash).cloned()
    }

    /// Opens the chain persisted at `path`, replaying its journal, or starts a new one there.
    ///
    /// # Errors
    /// [`ChainError::State`] if the file cannot be read or does not replay.
    pub fn open(path: &Path) -> Result<Self, ChainError> {
        let state_err = |message: String| ChainError::State {
            path: path.to_path_buf(),
            message,
        };
        let lock = wallet_core::fs::lock_exclusive(path).map_err(|e| ChainError::State {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let journal = match std::fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice::<Journal>(&bytes).map_err(|e| state_err(e.to_string()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let chain = Self::from_journal(
                    Journal {
                        format: 1,
                        chain_id: DEV_CHAIN_ID,
                        genesis_timestamp: now(),
                        entries: Vec::new(),
                    },
                    Some(path.to_path_buf()),
                    Some(lock),
                );
                chain.persist(&chain.lock())?;
                return Ok(chain);
            }
            Err(e) => return Err(state_err(e.to_string())),
        };
        if journal.format != 1 {
            return Err(state_err(format!(
                "unknown journal format {}",
                journal.format
            )));
        }
        let state = State::replayed(&journal)
            .map_err(|(i, err)| state_err(format!("journal entry {i} does not replay: {err}")))?;
        let chain = Self::from_journal(journal, Some(path.to_path_buf()), Some(lock));
        *chain.lock() = state;
        Ok(chain)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Persists the journal after `s` took a new entry; if that fails, puts `s` back to the
    /// state of the journal without it, so memory never runs ahead of the file (what a reopen
    /// would see).
    fn commit(&self, s: &mut State) -> Result<(), ChainError> {
        let Err(err) = self.persist(s) else {
            return Ok(());
        };
        let mut journal = s.journal.clone();
        journal.entries.pop();
        match State::replayed(&journal) {
            Ok(previous) => *s = previous,
            // Cannot happen: every entry replayed when it was added. Keep the memory state.
            Err((i, e)) => {
                return Err(ChainError::Unexpected(format!(
                    "rollback failed at entry {i}: {e}; after {err}"
                )));
            }
        }
        Err(err)
    }

    fn persist(&self, s: &State) -> Result<(), ChainError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(&s.journal).map_err(|e| ChainError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        wallet_core::fs::write_atomic(path, &bytes).map_err(|e| ChainError::State {
            path: path.clone(),
            message: e.to_string(),
        })
    }

    /// Where the chain is persisted, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Chain for DevChain {
    fn chain_id(&self) -> Result<u64, ChainError> {
        Ok(self.lock().journal.chain_id)
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
        // A rejected transaction (bad nonce, funds, signature) is not committed and adds no block.
        let receipt = s.apply_tx(raw, timestamp)?;
        s.journal.entries.push(JournalEntry::Tx {
            raw: Bytes::copy_from_slice(raw),
            timestamp,
        });
        self.commit(&mut s)?;
        Ok(receipt)
    }

    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError> {
        let mut s = self.lock();
        s.fund(address, amount)?;
        s.journal
            .entries
            .push(JournalEntry::Fund { address, amount });
        self.commit(&mut s)
    }

    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        let mut s = self.lock();
        s.clock_offset = s.clock_offset.saturating_add(seconds);
        s.journal
            .entries
            .push(JournalEntry::IncreaseTime { seconds });
        self.commit(&mut s)
    }

    fn round_trips(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }
}
