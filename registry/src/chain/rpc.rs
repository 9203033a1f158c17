//! `RpcChain`: any EVM JSON-RPC node (anvil in tests; a testnet or mainnet for real use). Each
//! [`Chain::batch`] is sent as one JSON-RPC batch: one HTTP round trip.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy::primitives::{Address, B256, Bytes, U64, U256};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use serde_json::{Value, json};

use super::{
    BlockInfo, BlockRef, Chain, ChainError, LogEntry, Receipt, Request, Response, revert_reason,
};

/// How long [`RpcChain::connect`] waits for any one answer of the node.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// A chain reached over JSON-RPC (HTTP).
pub struct RpcChain {
    client: RpcClient,
    runtime: tokio::runtime::Runtime,
    url: String,
    timeout: Duration,
    chain_id: u64,
    round_trips: AtomicU64,
}

impl std::fmt::Debug for RpcChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcChain")
            .field("url", &self.url)
            .field("chain_id", &self.chain_id)
            .finish_non_exhaustive()
    }
}

fn tag(b: BlockRef) -> Value {
    match b {
        BlockRef::Latest => json!("latest"),
        BlockRef::Number(n) => json!(format!("0x{n:x}")),
    }
}

fn transport(e: impl std::fmt::Display) -> ChainError {
    ChainError::Transport(e.to_string())
}

fn parse_u64(v: &Value) -> Result<u64, ChainError> {
    serde_json::from_value::<U64>(v.clone())
        .map(|n| n.to::<u64>())
        .map_err(|e| ChainError::Unexpected(format!("not a quantity: {v}: {e}")))
}

fn parse_logs(v: Value) -> Result<Vec<LogEntry>, ChainError> {
    let arr = v
        .as_array()
        .ok_or_else(|| ChainError::Unexpected(format!("logs are not a list: {v}")))?;
    arr.iter()
        .map(|l| {
            Ok(LogEntry {
                address: serde_json::from_value(l["address"].clone())
                    .map_err(|e| ChainError::Unexpected(e.to_string()))?,
                topics: serde_json::from_value::<Vec<B256>>(l["topics"].clone())
                    .map_err(|e| ChainError::Unexpected(e.to_string()))?,
                data: serde_json::from_value(l["data"].clone())
                    .map_err(|e| ChainError::Unexpected(e.to_string()))?,
                block_number: parse_u64(&l["blockNumber"])?,
                log_index: parse_u64(&l["logIndex"])?,
            })
        })
        .collect()
}

fn parse_block(v: &Value) -> Result<BlockInfo, ChainError> {
    if v.is_null() {
        return Err(ChainError::Unexpected("no such block".into()));
    }
    Ok(BlockInfo {
        number: parse_u64(&v["number"])?,
        timestamp: parse_u64(&v["timestamp"])?,
        base_fee: if v["baseFeePerGas"].is_null() {
            0
        } else {
            u128::from(parse_u64(&v["baseFeePerGas"])?)
        },
    })
}

/// Classifies an alloy error: no connection or no HTTP answer is a transport error; an error
/// the node answered with is an RPC error, or a revert with its reason when the node included it.
fn rpc_error(e: alloy::transports::TransportError) -> ChainError {
    use alloy::transports::RpcError;
    let text = match e {
        RpcError::Transport(kind) => return ChainError::Transport(kind.to_string()),
        RpcError::ErrorResp(payload) => payload.to_string(),
        other => return ChainError::Unexpected(other.to_string()),
    };
    if text.contains("revert") {
        // anvil: "execution reverted: reason" or data "0x08c379a0…"
        if let Some(pos) = text.find("0x08c379a0") {
            let hex_part: String = text[pos + 2..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
            if let Ok(bytes) = hex::decode(hex_part) {
                return ChainError::Reverted {
                    reason: revert_reason(&bytes),
                };
            }
        }
        let reason = text
            .split("execution reverted:")
            .nth(1)
            .map(|s| {
                s.trim()
                    .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    .to_string()
            })
            .unwrap_or(text);
        return ChainError::Reverted { reason };
    }
    ChainError::Rpc(text)
}

impl RpcChain {
    /// Connects to `url` and reads the chain id; every request gives up after
    /// [`DEFAULT_TIMEOUT`].
    ///
    /// # Errors
    /// [`ChainError::Transport`] for a bad URL or an unreachable or silent node.
    pub fn connect(url: &str) -> Result<Self, ChainError> {
        Self::connect_with_timeout(url, DEFAULT_TIMEOUT)
    }

    /// [`RpcChain::connect`] with another time limit per request: a verifier must not hang on a
    /// node that accepts the connection and never answers.
    ///
    /// # Errors
    /// As [`RpcChain::connect`].
    pub fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Self, ChainError> {
        let parsed = url
            .parse()
            .map_err(|e| transport(format!("bad URL {url}: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(transport)?;
        let client = runtime.block_on(async { ClientBuilder::default().http(parsed) });
        let mut chain = Self {
            client,
            runtime,
            url: url.to_owned(),
            timeout,
            chain_id: 0,
            round_trips: AtomicU64::new(0),
        };
        let id: Value = chain.request("eth_chainId", json!([]))?;
        chain.chain_id = parse_u64(&id)?;
        Ok(chain)
    }

    /// Runs `work` on the runtime, giving up after the time limit.
    fn within_timeout<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, ChainError>>,
    ) -> Result<T, ChainError> {
        self.runtime
            .block_on(async { tokio::time::timeout(self.timeout, work).await })
            .map_err(|_| {
                ChainError::Transport(format!(
                    "no answer from {} within {:?}",
                    self.url, self.timeout
                ))
            })?
    }

    fn request(&self, method: &'static str, params: Value) -> Result<Value, ChainError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        self.within_timeout(async {
            self.client
                .request::<_, Value>(method, params)
                .await
                .map_err(rpc_error)
        })
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn to_call(r: &Request) -> (&'static str, Value) {
    match r {
        Request::BlockNumber => ("eth_blockNumber", json!([])),
        Request::Block(b) => ("eth_getBlockByNumber", json!([tag(*b), false])),
        Request::Call {
            from,
            to,
            data,
            block,
        } => {
            let mut call = json!({ "to": to, "data": data });
            if let Some(f) = from {
                call["from"] = json!(f);
            }
            ("eth_call", json!([call, tag(*block)]))
        }
        Request::Logs(f) => {
            let t0 = if f.topic0.is_empty() {
                Value::Null
            } else {
                json!(f.topic0)
            };
            let mut topics = vec![t0];
            if let Some(t1) = f.topic1 {
                topics.push(json!(t1));
            }
            (
                "eth_getLogs",
                json!([{
                    "address": f.address,
                    "fromBlock": format!("0x{:x}", f.from),
                    "toBlock": format!("0x{:x}", f.to),
                    "topics": topics,
                }]),
            )
        }
        Request::Nonce(a) => ("eth_getTransactionCount", json!([a, "pending"])),
        Request::Balance(a) => ("eth_getBalance", json!([a, "latest"])),
    }
}

fn from_answer(r: &Request, v: Value) -> Result<Response, ChainError> {
    Ok(match r {
        Request::BlockNumber | Request::Nonce(_) => Response::Number(parse_u64(&v)?),
        Request::Block(_) => Response::Block(parse_block(&v)?),
        Request::Call { .. } => Response::Bytes(
            serde_json::from_value::<Bytes>(v)
                .map_err(|e| ChainError::Unexpected(e.to_string()))?,
        ),
        Request::Logs(_) => Response::Logs(parse_logs(v)?),
        Request::Balance(_) => Response::Amount(
            serde_json::from_value::<U256>(v).map_err(|e| ChainError::Unexpected(e.to_string()))?,
        ),
    })
}

impl Chain for RpcChain {
    fn chain_id(&self) -> Result<u64, ChainError> {
        Ok(self.chain_id)
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let answers: Vec<Value> = self.within_timeout(async {
            let mut batch = self.client.new_batch();
            let mut waiters = Vec::with_capacity(requests.len());
            for r in requests {
                let (method, params) = to_call(r);
                waiters.push(
                    batch
                        .add_call::<_, Value>(method, &params)
                        .map_err(rpc_error)?,
                );
            }
            batch.send().await.map_err(transport)?;
            let mut out = Vec::with_capacity(waiters.len());
            for w in waiters {
                out.push(w.await.map_err(rpc_error)?);
            }
            Ok::<_, ChainError>(out)
        })?;
        requests
            .iter()
            .zip(answers)
            .map(|(r, v)| from_answer(r, v))
            .collect()
    }

    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError> {
        let hash = self.request(
            "eth_sendRawTransaction",
            json!([Bytes::copy_from_slice(raw)]),
        )?;
        let hash: B256 =
            serde_json::from_value(hash).map_err(|e| ChainError::Unexpected(e.to_string()))?;
        // Poll for the receipt: immediate on an automining node, ~12 s on a public chain.
        for attempt in 0..600u32 {
            let r = self.request("eth_getTransactionReceipt", json!([hash]))?;
            if !r.is_null() {
                return Ok(Receipt {
                    tx_hash: hash,
                    block_number: parse_u64(&r["blockNumber"])?,
                    success: parse_u64(&r["status"])? == 1,
                    gas_used: parse_u64(&r["gasUsed"])?,
                    contract_address: serde_json::from_value::<Option<Address>>(
                        r["contractAddress"].clone(),
                    )
                    .map_err(|e| ChainError::Unexpected(e.to_string()))?,
                    logs: parse_logs(r["logs"].clone())?,
                });
            }
            std::thread::sleep(Duration::from_millis(if attempt < 10 { 20 } else { 500 }));
        }
        Err(ChainError::Transport(format!(
            "no receipt for {hash} after waiting"
        )))
    }

    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError> {
        let balance = super::tx::balance(self, address)?;
        self.request(
            "anvil_setBalance",
            json!([address, balance.saturating_add(amount)]),
        )
        .map_err(|_| ChainError::DevOnly("funding an account"))?;
        Ok(())
    }

    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        self.request("evm_increaseTime", json!([seconds]))
            .map_err(|_| ChainError::DevOnly("moving the clock"))?;
        Ok(())
    }

    fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }
}
