//! The [`Chain`] trait: what Siegel needs from an EVM chain, in batches, so that one batch is one
//! round trip to a JSON-RPC node.
//!
//! Two implementations: [`DevChain`] (revm in-process, the embedded default) and [`RpcChain`]
//! (any EVM JSON-RPC node). Both run the same compiled contracts and the same code above them.

pub mod dev;
pub mod rpc;
mod tx;

use std::sync::Arc;

use alloy::primitives::{Address, B256, Bytes, U256};

pub use dev::DevChain;
pub use rpc::RpcChain;
pub use tx::{Receipt, TxSigner, balance, deploy, send_call};

/// Which block a read refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockRef {
    /// The newest block.
    Latest,
    /// A block by number.
    Number(u64),
}

/// A log filter: one contract, blocks `from..=to`, and optionally topic 0 and topic 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFilter {
    /// Emitting contract.
    pub address: Address,
    /// First block.
    pub from: u64,
    /// Last block (inclusive).
    pub to: u64,
    /// Event signatures (topic 0) to keep; empty keeps all.
    pub topic0: Vec<B256>,
    /// Topic 1 to match (the indexed identity of ERC-1056 events).
    pub topic1: Option<B256>,
}

/// One log as a chain reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogEntry {
    /// Emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
    /// Block number.
    pub block_number: u64,
    /// Position in the block.
    pub log_index: u64,
}

/// Facts about one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// Number.
    pub number: u64,
    /// Unix seconds.
    pub timestamp: u64,
    /// Base fee per gas (wei).
    pub base_fee: u128,
}

/// One read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `eth_blockNumber`.
    BlockNumber,
    /// `eth_getBlockByNumber`.
    Block(BlockRef),
    /// `eth_call`.
    Call {
        /// Caller (affects `msg.sender` only).
        from: Option<Address>,
        /// Contract.
        to: Address,
        /// Calldata.
        data: Bytes,
        /// State to run against.
        block: BlockRef,
    },
    /// `eth_getLogs`.
    Logs(LogFilter),
    /// `eth_getTransactionCount` (pending nonce).
    Nonce(Address),
    /// `eth_getBalance`.
    Balance(Address),
}

/// The answer to one [`Request`], in the same position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    /// For `BlockNumber` and `Nonce`.
    Number(u64),
    /// For `Block`.
    Block(BlockInfo),
    /// For `Call`.
    Bytes(Bytes),
    /// For `Logs`.
    Logs(Vec<LogEntry>),
    /// For `Balance`.
    Amount(U256),
}

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The node could not be reached or answered with a transport error.
    #[error("chain node unreachable: {0}")]
    Transport(String),
    /// The node answered with a JSON-RPC error.
    #[error("chain node error: {0}")]
    Rpc(String),
    /// A call or transaction reverted; `reason` is the decoded `Error(string)` when there is one.
    #[error("reverted: {reason}")]
    Reverted {
        /// The revert reason.
        reason: String,
    },
    /// The transaction was rejected before execution (bad signature, nonce, funds, chain id...).
    #[error("transaction rejected: {0}")]
    Rejected(String),
    /// A block that does not exist (yet).
    #[error("unknown block {0}")]
    UnknownBlock(u64),
    /// An answer that does not fit the request.
    #[error("unexpected answer from the chain: {0}")]
    Unexpected(String),
    /// The operation exists only on development chains.
    #[error("{0} is only available on development chains")]
    DevOnly(&'static str),
    /// Reading or writing the dev chain's state file failed.
    #[error("dev chain state {path}: {message}")]
    State {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// An EVM chain. Each [`Chain::batch`] call is one round trip on a JSON-RPC node.
pub trait Chain: Send + Sync {
    /// The chain id (EIP-155).
    ///
    /// # Errors
    /// Transport errors.
    fn chain_id(&self) -> Result<u64, ChainError>;

    /// Runs several reads in one round trip; answers come in request order.
    ///
    /// # Errors
    /// Transport errors, or the first request that failed.
    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError>;

    /// Submits a signed EIP-2718 transaction and waits for its receipt.
    ///
    /// # Errors
    /// [`ChainError::Rejected`] if the chain refuses it.
    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError>;

    /// Development chains only: credits `amount` wei to `address`.
    ///
    /// # Errors
    /// [`ChainError::DevOnly`] elsewhere.
    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError>;

    /// Development chains only: moves the clock of the next block forward.
    ///
    /// # Errors
    /// [`ChainError::DevOnly`] elsewhere.
    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError>;

    /// Number of round trips made so far (for measurements; in-process chains count batches).
    fn round_trips(&self) -> u64;
}

/// A shared chain is a chain: an `Arc<DevChain>` or `Arc<dyn Chain>` can be passed wherever a
/// `&dyn Chain` is taken, and the owned handles ([`Registry`](crate::identity::Registry),
/// [`Resolver`](crate::resolver::Resolver)) hold one so they can move to a worker thread.
impl<C: Chain + ?Sized> Chain for Arc<C> {
    fn chain_id(&self) -> Result<u64, ChainError> {
        (**self).chain_id()
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        (**self).batch(requests)
    }

    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError> {
        (**self).send_raw_transaction(raw)
    }

    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError> {
        (**self).dev_fund(address, amount)
    }

    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        (**self).dev_increase_time(seconds)
    }

    fn round_trips(&self) -> u64 {
        (**self).round_trips()
    }
}

/// Unwraps a [`Response::Number`].
pub(crate) fn expect_number(r: Option<Response>) -> Result<u64, ChainError> {
    match r {
        Some(Response::Number(n)) => Ok(n),
        other => Err(ChainError::Unexpected(format!(
            "expected a number, got {other:?}"
        ))),
    }
}

/// Unwraps a [`Response::Bytes`].
pub(crate) fn expect_bytes(r: Option<Response>) -> Result<Bytes, ChainError> {
    match r {
        Some(Response::Bytes(b)) => Ok(b),
        other => Err(ChainError::Unexpected(format!(
            "expected bytes, got {other:?}"
        ))),
    }
}

/// Unwraps a [`Response::Block`].
pub(crate) fn expect_block(r: Option<Response>) -> Result<BlockInfo, ChainError> {
    match r {
        Some(Response::Block(b)) => Ok(b),
        other => Err(ChainError::Unexpected(format!(
            "expected a block, got {other:?}"
        ))),
    }
}

/// Unwraps a [`Response::Logs`].
pub(crate) fn expect_logs(r: Option<Response>) -> Result<Vec<LogEntry>, ChainError> {
    match r {
        Some(Response::Logs(l)) => Ok(l),
        other => Err(ChainError::Unexpected(format!(
            "expected logs, got {other:?}"
        ))),
    }
}

/// Decodes an `Error(string)` revert payload, or shows the raw bytes.
pub(crate) fn revert_reason(output: &[u8]) -> String {
    use alloy::sol_types::{Revert, SolError};
    match Revert::abi_decode(output) {
        Ok(r) => r.reason,
        Err(_) if output.is_empty() => "(no reason)".into(),
        Err(_) => format!("0x{}", hex::encode(output)),
    }
}
