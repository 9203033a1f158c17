//! `resolver_logs`: the did:ethr resolver (`registry::resolver::Resolver` and `EthrKeyResolver`,
//! public API only) over a fake chain whose every answer the fuzzer chooses: head, `changed()`,
//! block clocks, and the event logs — well-formed ERC-1056 events with chosen fields, foreign
//! contracts or identities, raw topics and data — optionally linked through `previousChange` as
//! an honest node would, and optionally filtered as the request asks or not at all.
//!
//! Invariants: no panic, bounded time (`-timeout=10`); a resolved document is an object whose
//! `id` is the DID; each `verificationMethod` id starts with the DID.

use std::sync::atomic::{AtomicU64, Ordering};

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::{SolCall, SolEvent};
use registry::chain::{
    BlockInfo, BlockRef, Chain, ChainError, LogEntry, Receipt, Request, Response,
};
use registry::contracts::EthereumDIDRegistry as Erc1056;
use registry::did::DidEthr;
use registry::resolver::{EthrKeyResolver, Resolver};
use wallet_core::di::{KeyResolver, ProofPurpose};

/// The chain id of the fake chain (DevChain's).
const CHAIN_ID: u64 = 1337;
/// Where the fake registry lives.
const REGISTRY: Address = Address::repeat_byte(0x42);
/// The identity being resolved.
const IDENTITY: Address = Address::repeat_byte(0x11);
/// Other addresses the events can name.
const OTHERS: [Address; 3] = [
    Address::ZERO,
    Address::repeat_byte(0x22),
    Address::repeat_byte(0x33),
];
/// Attribute names the resolver has rules for, and a few it must ignore.
const NAMES: [&str; 12] = [
    "did/pub/Ed25519/veriKey/hex",
    "did/pub/Ed25519/veriKey/base64",
    "did/pub/Secp256k1/sigAuth/base58",
    "did/pub/Secp256k1/veriKey/hex",
    "did/pub/X25519/enc/base64",
    "did/pub/Ed25519/sigAuth/pem",
    "did/pub/Bls12381G2/veriKey/multikey",
    "did/pub/Ed25519/veriKey/multikey",
    "did/svc/HubService",
    "did/svc/LinkedDomains",
    "did/pub/Unknown/veriKey/hex",
    "not/a/did/attribute",
];

/// Reads the fuzz input front to back; zeros once it runs out.
struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head.to_vec()
    }
    fn b256(&mut self) -> B256 {
        let mut b = [0u8; 32];
        let got = self.bytes(32);
        b[..got.len()].copy_from_slice(&got);
        B256::from(b)
    }
    fn address(&mut self) -> Address {
        match self.u8() % 5 {
            0 | 1 => IDENTITY,
            n => OTHERS[usize::from(n - 2)],
        }
    }
    fn valid_to(&mut self) -> U256 {
        match self.u8() % 4 {
            0 => U256::ZERO,
            1 => U256::MAX,
            2 => U256::from(4_000_000_000u64),
            _ => U256::from(u64::from_le_bytes(pad8(&self.bytes(8)))),
        }
    }
}

fn pad8(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a[..b.len()].copy_from_slice(b);
    a
}

fn name32(name: &[u8]) -> B256 {
    let mut b = [0u8; 32];
    let n = name.len().min(32);
    b[..n].copy_from_slice(&name[..n]);
    B256::from(b)
}

/// A chain that answers from a fixed, fuzz-chosen history.
#[derive(Debug)]
struct FakeChain {
    head: u64,
    changed: Bytes,
    clock: u64,
    logs: Vec<LogEntry>,
    /// Whether `eth_getLogs` honours the filter (an honest node) or returns everything.
    filters: bool,
    round_trips: AtomicU64,
}

impl FakeChain {
    fn from_fuzz(r: &mut Reader<'_>) -> Self {
        let flags = r.u8();
        let head = u64::from(r.u8());
        let clock = 1_700_000_000 + u64::from(r.u8()) * 1000;
        let count = usize::from(r.u8() % 32);
        let linked = flags & 2 == 2;
        let mut logs = Vec::with_capacity(count);
        let mut last_block = 0u64;
        for i in 0..count {
            let block = if linked {
                last_block + u64::from(r.u8() % 4)
            } else {
                u64::from(r.u8())
            };
            let previous = if linked {
                U256::from(last_block)
            } else {
                U256::from(r.u8())
            };
            let identity = if r.u8().is_multiple_of(8) {
                OTHERS[1]
            } else {
                IDENTITY
            };
            let kind = r.u8();
            let data = match kind % 4 {
                0 => Erc1056::DIDOwnerChanged {
                    identity,
                    owner: r.address(),
                    previousChange: previous,
                }
                .encode_log_data(),
                1 => {
                    let kinds: [&[u8]; 3] = [b"veriKey", b"sigAuth", b"enc"];
                    Erc1056::DIDDelegateChanged {
                        identity,
                        delegateType: name32(kinds[usize::from(r.u8() % 3)]),
                        delegate: r.address(),
                        validTo: r.valid_to(),
                        previousChange: previous,
                    }
                    .encode_log_data()
                }
                2 => {
                    let name = NAMES[usize::from(r.u8()) % NAMES.len()];
                    let len = usize::from(r.u8()) * 4;
                    Erc1056::DIDAttributeChanged {
                        identity,
                        name: name32(name.as_bytes()),
                        value: Bytes::from(r.bytes(len)),
                        validTo: r.valid_to(),
                        previousChange: previous,
                    }
                    .encode_log_data()
                }
                _ => {
                    let topics = (0..r.u8() % 4).map(|_| r.b256()).collect();
                    let len = usize::from(r.u8());
                    alloy::primitives::LogData::new_unchecked(topics, Bytes::from(r.bytes(len)))
                }
            };
            let address = if kind & 0x80 == 0x80 {
                OTHERS[1]
            } else {
                REGISTRY
            };
            let log_index = if flags & 4 == 4 {
                u64::from(r.u8())
            } else {
                u64::try_from(i).unwrap_or(u64::MAX)
            };
            logs.push(LogEntry {
                address,
                topics: data.topics().to_vec(),
                data: data.data.clone(),
                block_number: block,
                log_index,
            });
            last_block = block;
        }
        let changed = if linked && flags & 8 == 0 {
            last_block
        } else {
            u64::from(r.u8())
        };
        Self {
            head: head.max(if linked { last_block } else { 0 }),
            changed: Bytes::from(U256::from(changed).to_be_bytes::<32>().to_vec()),
            clock,
            logs,
            filters: flags & 1 == 1,
            round_trips: AtomicU64::new(0),
        }
    }

    fn block(&self, at: BlockRef) -> Result<Response, ChainError> {
        let number = match at {
            BlockRef::Latest => self.head,
            BlockRef::Number(n) if n > self.head => return Err(ChainError::UnknownBlock(n)),
            BlockRef::Number(n) => n,
        };
        Ok(Response::Block(BlockInfo {
            number,
            timestamp: self.clock + number * 12,
            base_fee: 1,
        }))
    }
}

impl Chain for FakeChain {
    fn chain_id(&self) -> Result<u64, ChainError> {
        Ok(CHAIN_ID)
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        requests
            .iter()
            .map(|req| match req {
                Request::BlockNumber => Ok(Response::Number(self.head)),
                Request::Block(at) => self.block(*at),
                Request::Call { data, .. } => {
                    if data.starts_with(&Erc1056::changedCall::SELECTOR) {
                        Ok(Response::Bytes(self.changed.clone()))
                    } else {
                        Ok(Response::Bytes(Bytes::from(IDENTITY.into_word().to_vec())))
                    }
                }
                Request::Logs(filter) => Ok(Response::Logs(
                    self.logs
                        .iter()
                        .filter(|l| {
                            !self.filters
                                || (l.address == filter.address
                                    && (filter.from..=filter.to).contains(&l.block_number)
                                    && (filter.topic0.is_empty()
                                        || l.topics
                                            .first()
                                            .is_some_and(|t| filter.topic0.contains(t)))
                                    && filter.topic1.is_none_or(|t1| l.topics.get(1) == Some(&t1)))
                        })
                        .cloned()
                        .collect(),
                )),
                _ => Ok(Response::Number(0)),
            })
            .collect()
    }

    fn send_raw_transaction(&self, _raw: &[u8]) -> Result<Receipt, ChainError> {
        Err(ChainError::Rejected("read-only fake chain".into()))
    }

    fn dev_fund(&self, _address: Address, _amount: U256) -> Result<(), ChainError> {
        Err(ChainError::DevOnly("dev_fund"))
    }

    fn dev_increase_time(&self, _seconds: u64) -> Result<(), ChainError> {
        Err(ChainError::DevOnly("dev_increase_time"))
    }

    fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }
}

/// The target.
pub fn resolver_logs(data: &[u8]) {
    let mut r = Reader { data };
    let at = r.u8();
    let chain = std::sync::Arc::new(FakeChain::from_fuzz(&mut r));
    let at_block = (at & 1 == 1).then_some(u64::from(at >> 1));
    let did = DidEthr::new(CHAIN_ID, IDENTITY);
    let did_text = did.to_string();
    if let Ok(res) = Resolver::new(chain.clone(), REGISTRY).resolve(&did, at_block) {
        assert_eq!(
            res.document["id"].as_str(),
            Some(did_text.as_str()),
            "document id is not the DID"
        );
        for vm in res.document["verificationMethod"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let id = vm["id"].as_str().unwrap_or_default();
            assert!(
                id.starts_with(&did_text),
                "foreign verification method {id}"
            );
        }
    }
    let keys = EthrKeyResolver::new(chain, REGISTRY, at_block);
    for fragment in ["controller", "delegate-1", "delegate-2"] {
        for purpose in [ProofPurpose::AssertionMethod, ProofPurpose::Authentication] {
            let _ = keys.resolve(&format!("{did_text}#{fragment}"), purpose);
        }
    }
}
