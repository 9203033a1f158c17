//! `RpcChain`: any EVM JSON-RPC node (anvil in tests; a testnet or mainnet for real use). Each
//! [`Chain::batch`] is sent as one JSON-RPC batch: one HTTP round trip.
//!
//! The JSON-RPC 2.0 envelope is written here over `reqwest` (HTTP/1.1, TLS by rustls with
//! the system's root certificates), so that every answer is bounded: in time
//! ([`DEFAULT_TIMEOUT`]) and in size ([`MAX_RESPONSE_BYTES`]). A verifier's only network peer is
//! its chain node, and it must not hang or run out of memory because of one.
//!
//! # Threads
//! The HTTP exchanges run on a dedicated I/O thread that owns its own single-threaded tokio
//! runtime; callers hand it a request over a channel and wait for the answer on another. So
//! [`RpcChain`] is a blocking API that works from any thread — also from inside a caller's tokio
//! runtime (a GUI's or a service's), where driving a second runtime with `block_on` would panic.
//! The I/O thread takes one exchange at a time; callers on several threads queue, each for at
//! most its own time limit once its turn comes. Inside async code, prefer calling it from
//! `spawn_blocking`, as for any blocking call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use alloy::primitives::{Address, B256, Bytes, U64, U256};
use serde_json::{Value, json};

use super::{
    BlockInfo, BlockRef, Chain, ChainError, LogEntry, Receipt, Request, Response, revert_reason,
};

/// How long [`RpcChain::connect`] waits for any one answer of the node.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Largest answer accepted from a node (bytes). The biggest answer the resolver asks for is the
/// logs of one DID's changes, a few KiB each.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A chain reached over JSON-RPC (HTTP or HTTPS). Blocking, and safe to call from any thread,
/// inside a tokio runtime or not (see the module docs).
pub struct RpcChain {
    jobs: mpsc::Sender<Job>,
    url: String,
    chain_id: u64,
    round_trips: AtomicU64,
    next_id: AtomicU64,
}

/// One HTTP exchange for the I/O thread: the JSON body, and where its answer goes.
struct Job {
    body: Vec<u8>,
    reply: mpsc::SyncSender<Result<Value, ChainError>>,
}

/// What the I/O thread owns: the HTTP client and the node's address.
struct Io {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    url: String,
    timeout: Duration,
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

/// An error with its sources: reqwest's own message is only "error sending request".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
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

/// A JSON-RPC error object: a revert with its reason when the node included it, else an RPC
/// error with code and message.
fn rpc_error(error: &Value) -> ChainError {
    let message = error["message"].as_str().unwrap_or_default();
    // Revert data: `data` as a hex string (anvil, geth) or `data.data` (some providers).
    let data = error["data"]
        .as_str()
        .or_else(|| error["data"]["data"].as_str())
        .and_then(|d| d.strip_prefix("0x"))
        .and_then(|d| hex::decode(d).ok());
    if let Some(bytes) = data.filter(|b| !b.is_empty()) {
        return ChainError::Reverted {
            reason: revert_reason(&bytes),
        };
    }
    if let Some(reason) = message.split("execution reverted").nth(1) {
        let reason = reason.trim_start_matches(':').trim();
        return ChainError::Reverted {
            reason: if reason.is_empty() {
                "reverted without a reason".into()
            } else {
                reason.to_owned()
            },
        };
    }
    ChainError::Rpc(format!("error code {}: {message}", error["code"]))
}

/// The `result` of one JSON-RPC response object, or its error.
fn result_of(response: &Value) -> Result<Value, ChainError> {
    if let Some(error) = response.get("error").filter(|e| !e.is_null()) {
        return Err(rpc_error(error));
    }
    response.get("result").cloned().ok_or_else(|| {
        ChainError::Unexpected(format!("a JSON-RPC answer without result: {response}"))
    })
}

impl Io {
    /// Serves jobs until every [`RpcChain`] handle is gone. The runtime is built and dropped on
    /// this thread, never on a caller's (dropping a runtime inside another one panics too).
    fn run(self, jobs: mpsc::Receiver<Job>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        while let Ok(job) = jobs.recv() {
            let answer = match &runtime {
                Ok(rt) => rt
                    .block_on(async {
                        tokio::time::timeout(self.timeout, self.post(job.body)).await
                    })
                    .map_err(|_| {
                        ChainError::Transport(format!(
                            "no answer from {} within {:?}",
                            self.url, self.timeout
                        ))
                    })
                    .and_then(|r| r),
                Err(e) => Err(transport(format!("cannot start the I/O runtime: {e}"))),
            };
            // The caller may have stopped waiting; nothing to do then.
            let _ = job.reply.send(answer);
        }
    }

    /// POSTs one JSON-RPC message and returns the parsed answer, reading at most
    /// [`MAX_RESPONSE_BYTES`].
    async fn post(&self, body: Vec<u8>) -> Result<Value, ChainError> {
        let too_big = || {
            ChainError::Transport(format!(
                "the answer of {} is larger than {MAX_RESPONSE_BYTES} bytes",
                self.url
            ))
        };
        let mut response = self
            .http
            .post(self.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport(error_chain(&e)))?;
        if !response.status().is_success() {
            return Err(transport(format!(
                "{} answered HTTP {}",
                self.url,
                response.status()
            )));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_big());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(error_chain(&e)))?
        {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| ChainError::Unexpected(format!("{} answered non-JSON: {e}", self.url)))
    }
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
        let endpoint: reqwest::Url = url
            .parse()
            .map_err(|e| transport(format!("bad URL {url}: {e}")))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(transport(format!("bad URL {url}: not http or https")));
        }
        // reqwest's rustls takes the process-wide crypto provider; ring is ours. Installing fails
        // harmlessly when one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .map_err(transport)?;
        let io = Io {
            http,
            endpoint,
            url: url.to_owned(),
            timeout,
        };
        let (jobs, inbox) = mpsc::channel();
        std::thread::Builder::new()
            .name("siegel-rpc-io".into())
            .spawn(move || io.run(inbox))
            .map_err(|e| transport(format!("cannot start the I/O thread: {e}")))?;
        let mut chain = Self {
            jobs,
            url: url.to_owned(),
            chain_id: 0,
            round_trips: AtomicU64::new(0),
            next_id: AtomicU64::new(1),
        };
        let id: Value = chain.request("eth_chainId", json!([]))?;
        chain.chain_id = parse_u64(&id)?;
        Ok(chain)
    }

    fn envelope(&self, method: &str, params: &Value) -> (u64, Value) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (
            id,
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
    }

    /// Has the I/O thread POST `body` and waits for the parsed answer (or the time limit).
    fn exchange(&self, body: Vec<u8>) -> Result<Value, ChainError> {
        let stopped = || transport(format!("the I/O thread for {} stopped", self.url));
        let (reply, answer) = mpsc::sync_channel(1);
        self.jobs.send(Job { body, reply }).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }

    fn request(&self, method: &'static str, params: Value) -> Result<Value, ChainError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let (_, message) = self.envelope(method, &params);
        let body =
            serde_json::to_vec(&message).map_err(|e| ChainError::Unexpected(e.to_string()))?;
        let answer = self.exchange(body)?;
        result_of(&answer)
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
        // A node answers a block it does not have (yet) with `null`; DevChain says the same.
        Request::Block(BlockRef::Number(n)) if v.is_null() => {
            return Err(ChainError::UnknownBlock(*n));
        }
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
        let (ids, messages): (Vec<u64>, Vec<Value>) = requests
            .iter()
            .map(|r| {
                let (method, params) = to_call(r);
                self.envelope(method, &params)
            })
            .unzip();
        let body =
            serde_json::to_vec(&messages).map_err(|e| ChainError::Unexpected(e.to_string()))?;
        let answer = self.exchange(body)?;
        // JSON-RPC 2.0 § 6: the answers of a batch may come in any order; match them by id.
        let mut by_id: std::collections::HashMap<u64, Value> = answer
            .as_array()
            .ok_or_else(|| {
                ChainError::Unexpected(format!("a batch answer that is not a list: {answer}"))
            })?
            .iter()
            .filter_map(|a| a["id"].as_u64().map(|id| (id, a.clone())))
            .collect();
        let answers: Vec<Value> = ids
            .iter()
            .map(|id| {
                by_id
                    .remove(id)
                    .ok_or_else(|| ChainError::Unexpected(format!("no answer for request {id}")))
                    .and_then(|a| result_of(&a))
            })
            .collect::<Result<_, _>>()?;
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
