//! The did:ethr resolver against hostile identities and dishonest nodes (issue 10, parts 2 and 3):
//! an identity that publishes a huge attribute, and a node — a [`Tampering`] wrapper around
//! DevChain — that forges, mixes in or leaves out logs. Each case here resolved without complaint
//! before the resolver checked logs against their query and blocks for completeness.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolEvent};
use registry::chain::{
    Chain, ChainError, DevChain, LogEntry, LogFilter, Receipt, Request, Response, send_call,
};
use registry::contracts::EthereumDIDRegistry as Erc1056;
use registry::did::DidEthr;
use registry::identity::{Registry, bytes32_name};
use registry::resolver::{
    LogMismatch, ResolveError, Resolver, SkipReason, SkippedAttribute, max_key_len,
};
use serde_json::Value;

/// What a dishonest node does to the logs of one answer.
type Tamper = dyn Fn(&LogFilter, &mut Vec<LogEntry>) + Send + Sync;

/// DevChain behind a node that rewrites log answers; everything else passes through.
struct Tampering {
    inner: Arc<DevChain>,
    tamper: Box<Tamper>,
}

impl Chain for Tampering {
    fn chain_id(&self) -> Result<u64, ChainError> {
        self.inner.chain_id()
    }

    fn batch(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        let mut answers = self.inner.batch(requests)?;
        for (request, answer) in requests.iter().zip(&mut answers) {
            if let (Request::Logs(filter), Response::Logs(logs)) = (request, answer) {
                (self.tamper)(filter, logs);
            }
        }
        Ok(answers)
    }

    fn send_raw_transaction(&self, raw: &[u8]) -> Result<Receipt, ChainError> {
        self.inner.send_raw_transaction(raw)
    }

    fn dev_fund(&self, address: Address, amount: U256) -> Result<(), ChainError> {
        self.inner.dev_fund(address, amount)
    }

    fn dev_increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        self.inner.dev_increase_time(seconds)
    }

    fn round_trips(&self) -> u64 {
        self.inner.round_trips()
    }
}

fn method_ids(doc: &Value) -> Vec<String> {
    doc["verificationMethod"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["id"]
                .as_str()
                .unwrap()
                .rsplit('#')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Sends `data` to `to` from the test account `name` with a gas limit large enough for 100 KB of
/// calldata (the registry helpers cap gas at what real keys need).
fn send_large(chain: &dyn Chain, name: &str, to: Address, data: Vec<u8>) -> Receipt {
    let key =
        PrivateKeySigner::from_bytes(&keccak256(format!("siegel test account {name}"))).unwrap();
    let nonce = match chain
        .batch(&[Request::Nonce(key.address())])
        .unwrap()
        .remove(0)
    {
        Response::Number(n) => n,
        other => panic!("{other:?}"),
    };
    // DevChain's base fee is zero.
    let mut tx = TxEip1559 {
        chain_id: chain.chain_id().unwrap(),
        nonce,
        gas_limit: 12_000_000,
        max_fee_per_gas: 0,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(to),
        value: U256::ZERO,
        access_list: Default::default(),
        input: Bytes::from(data),
    };
    let sig = key.sign_transaction_sync(&mut tx).unwrap();
    let raw = TxEnvelope::Eip1559(tx.into_signed(sig)).encoded_2718();
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert!(receipt.success);
    receipt
}

fn set_attribute_call(identity: Address, name: &str, value: Vec<u8>) -> Vec<u8> {
    Erc1056::setAttributeCall {
        identity,
        name: bytes32_name(name).unwrap(),
        value: Bytes::from(value),
        validity: U256::from(common::DAY),
    }
    .abi_encode()
}

/// Part 2: one 100 KB attribute made each resolution of its identity base58-encode it — 21.7 s
/// (release build) before the bound. It is now skipped, reported, and costs what its bytes cost to
/// read. The time is printed, not asserted.
#[test]
fn a_100_kb_attribute_is_skipped_not_encoded() {
    let chain = Arc::new(DevChain::in_memory());
    let dep = common::deploy(&chain);
    let mallory = common::account("mallory");
    common::fund(&chain, &[&mallory]);
    let id = mallory.address();
    let huge: Vec<u8> = (0..100_000u32).map(|i| (i % 251 + 1) as u8).collect();
    let mut blocks = Vec::new();
    for name in [
        "did/pub/Ed25519/veriKey/base58",
        "did/pub/Multikey/veriKey",
        "did/svc/Hub",
    ] {
        let r = send_large(
            &chain,
            "mallory",
            dep.did_registry,
            set_attribute_call(id, name, huge.clone()),
        );
        blocks.push(r.block_number);
    }
    // A real key after them: its id counts the skipped keys, as every resolver numbers them.
    let key =
        hex::decode("b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71").unwrap();
    Registry::new(chain.clone(), dep)
        .set_attribute(
            &mallory,
            id,
            "did/pub/Ed25519/veriKey/base58",
            &key,
            common::DAY,
        )
        .unwrap();

    let resolver = Resolver::new(chain.clone(), dep.did_registry);
    let did = DidEthr::new(chain.chain_id().unwrap(), id);
    let started = Instant::now();
    let r = resolver.resolve(&did, None).unwrap();
    eprintln!(
        "resolving an identity with three 100 KB attributes took {:?}",
        started.elapsed()
    );

    assert_eq!(method_ids(&r.document), ["controller", "delegate-3"]);
    let vm = &r.document["verificationMethod"][1];
    assert_eq!(vm["type"], "Ed25519VerificationKey2018");
    assert_eq!(
        vm["publicKeyBase58"],
        "DV4G2kpBKjE6zxKor7Cj21iL9x9qyXb6emqjszBXcuhz"
    );
    assert!(r.document.get("service").is_none());
    let too_long = |max| SkipReason::TooLong {
        len: huge.len(),
        max,
    };
    assert_eq!(
        r.skipped,
        [
            SkippedAttribute {
                name: "did/pub/Ed25519/veriKey/base58".into(),
                block: blocks[0],
                log_index: 0,
                reason: too_long(max_key_len("Ed25519")),
            },
            SkippedAttribute {
                name: "did/pub/Multikey/veriKey".into(),
                block: blocks[1],
                log_index: 0,
                reason: too_long(max_key_len("Multikey")),
            },
            SkippedAttribute {
                name: "did/svc/Hub".into(),
                block: blocks[2],
                log_index: 0,
                reason: too_long(registry::resolver::MAX_SERVICE_LEN),
            },
        ]
    );
}

/// A key an attacker would like an identity's document to list, as a forged
/// `DIDAttributeChanged` log in `block` after the identity's real event there.
fn forged_key_log(
    emitter: Address,
    identity_topic: B256,
    subject: Address,
    block: u64,
    log_index: u64,
) -> LogEntry {
    let event = Erc1056::DIDAttributeChanged {
        identity: subject,
        name: bytes32_name("did/pub/Ed25519/veriKey/hex").unwrap(),
        value: Bytes::from(vec![0xee; 32]),
        validTo: U256::from(u64::MAX),
        // A later event in the same block points to its own block.
        previousChange: U256::from(block),
    };
    let data = event.encode_log_data();
    LogEntry {
        address: emitter,
        topics: vec![Erc1056::DIDAttributeChanged::SIGNATURE_HASH, identity_topic],
        data: data.data,
        block_number: block,
        log_index,
    }
}

/// Alice with one published key: the registry, her DID, and the block of the key.
fn alice_with_a_key(chain: &Arc<DevChain>) -> (Address, DidEthr, u64) {
    let dep = common::deploy(chain);
    let alice = common::account("alice");
    common::fund(chain, &[&alice]);
    let block = Registry::new(chain.clone(), dep)
        .publish_key(
            &alice,
            alice.address(),
            &common::ed25519_key("alice"),
            common::DAY,
        )
        .unwrap()
        .block_number;
    (
        dep.did_registry,
        DidEthr::new(chain.chain_id().unwrap(), alice.address()),
        block,
    )
}

/// Part 3: a node that mixes in a log emitted by another contract (one that copies the
/// registry's events, say) at a position the `previousChange` walk accepts.
#[test]
fn a_log_from_another_contract_is_refused() {
    let chain = Arc::new(DevChain::in_memory());
    let (registry, did, block) = alice_with_a_key(&chain);
    let impostor = Address::repeat_byte(0x66);
    let alice = did.address();
    let node = Tampering {
        inner: chain.clone(),
        tamper: Box::new(move |filter, logs| {
            if filter.topic1.is_some() {
                logs.push(forged_key_log(impostor, alice.into_word(), alice, block, 1));
            }
        }),
    };
    let r = Resolver::new(Arc::new(node), registry).resolve(&did, None);
    match r {
        Err(ResolveError::UnrequestedLog {
            block: b,
            log_index: 1,
            mismatch: LogMismatch::Contract(a),
        }) if b == block && a == impostor => {}
        other => panic!("expected the impostor's log refused, got {other:?}"),
    }
    // The honest chain resolves.
    let honest = Resolver::new(chain.clone(), registry)
        .resolve(&did, None)
        .unwrap();
    assert_eq!(method_ids(&honest.document), ["controller", "delegate-1"]);
}

/// Part 3: a node that answers Alice's query with an event about Mallory (its identity topic is
/// Mallory's, its data names Alice so the ABI decoding alone would accept it).
#[test]
fn a_log_about_another_identity_is_refused() {
    let chain = Arc::new(DevChain::in_memory());
    let (registry, did, block) = alice_with_a_key(&chain);
    let mallory = common::account("mallory").address();
    let alice = did.address();
    let node = Tampering {
        inner: chain.clone(),
        tamper: Box::new(move |filter, logs| {
            if filter.topic1.is_some() {
                logs.push(forged_key_log(
                    registry,
                    mallory.into_word(),
                    alice,
                    block,
                    1,
                ));
            }
        }),
    };
    match Resolver::new(Arc::new(node), registry).resolve(&did, None) {
        Err(ResolveError::UnrequestedLog {
            log_index: 1,
            mismatch: LogMismatch::Identity(t),
            ..
        }) if t == mallory.into_word() => {}
        other => panic!("expected Mallory's log refused, got {other:?}"),
    }
}

/// Creation code of a contract that makes two calls in one transaction: calldata is
/// `target (word) ‖ len1 (word) ‖ len2 (word) ‖ payload1 ‖ payload2`; it calls `target` with each
/// payload in turn and reverts if either call fails. As its own ERC-1056 identity it can publish
/// and revoke a key in one block — what a multicall wallet or a batched meta-transaction does.
fn two_calls_contract() -> Vec<u8> {
    // Runtime code, with offsets.
    #[rustfmt::skip]
    let runtime: [u8; 62] = [
        // 0x00: calldatacopy(0, 0x60, len1)
        0x60, 0x20, 0x35, 0x80, 0x60, 0x60, 0x60, 0x00, 0x37,
        // 0x09: call(gas, target, 0, 0, len1, 0, 0); if failed jump to 0x39
        0x60, 0x00, 0x60, 0x00, 0x82, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x35, 0x5a, 0xf1,
        0x15, 0x60, 0x39, 0x57,
        // 0x1b: calldatacopy(0, 0x60 + len1, len2)
        0x60, 0x40, 0x35, 0x80, 0x82, 0x60, 0x60, 0x01, 0x60, 0x00, 0x37,
        // 0x26: call(gas, target, 0, 0, len2, 0, 0); if failed jump to 0x39
        0x60, 0x00, 0x60, 0x00, 0x82, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x35, 0x5a, 0xf1,
        0x15, 0x60, 0x39, 0x57,
        // 0x38: stop
        0x00,
        // 0x39: revert(0, 0)
        0x5b, 0x60, 0x00, 0x80, 0xfd,
    ];
    // Constructor: codecopy(0, 0x0b, 62); return(0, 62).
    let mut code = vec![
        0x60, 62, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(&runtime);
    code
}

/// Part 3: a key published and revoked in one block (two events of the identity in that block).
/// A node that leaves the revocation out of the history leaves every `previousChange` link intact
/// — the publication points to the block before, `changed` is this block — so only comparing the
/// block's own event list finds it.
#[test]
fn an_event_left_out_of_a_busy_block_is_found() {
    let chain = Arc::new(DevChain::in_memory());
    let dep = common::deploy(&chain);
    let deployer = common::account("deployer");
    let helper =
        registry::chain::deploy(&chain, &deployer, Bytes::from(two_calls_contract())).unwrap();
    let name = "did/pub/Ed25519/veriKey/hex";
    let key = vec![0x5a; 32];
    let publish = set_attribute_call(helper, name, key.clone());
    let revoke = Erc1056::revokeAttributeCall {
        identity: helper,
        name: bytes32_name(name).unwrap(),
        value: Bytes::from(key),
    }
    .abi_encode();
    let mut data = dep.did_registry.into_word().to_vec();
    data.extend(U256::from(publish.len()).to_be_bytes::<32>());
    data.extend(U256::from(revoke.len()).to_be_bytes::<32>());
    data.extend(&publish);
    data.extend(&revoke);
    let receipt = send_call(&chain, &deployer, helper, Bytes::from(data)).unwrap();
    assert_eq!(
        receipt.logs.len(),
        2,
        "publication and revocation in one block"
    );
    let block = receipt.block_number;

    let did = DidEthr::new(chain.chain_id().unwrap(), helper);
    // Honestly answered, the key is revoked.
    let honest = Resolver::new(chain.clone(), dep.did_registry)
        .resolve(&did, None)
        .unwrap();
    assert_eq!(method_ids(&honest.document), ["controller"]);

    // The node drops the revocation (the block's last event of the identity) from the history.
    let node = Tampering {
        inner: chain.clone(),
        tamper: Box::new(move |filter, logs| {
            if filter.topic1.is_some() {
                logs.retain(|l| !(l.block_number == block && l.log_index == 1));
            }
        }),
    };
    match Resolver::new(Arc::new(node), dep.did_registry).resolve(&did, None) {
        Err(ResolveError::Inconsistent(why)) => assert_eq!(
            why,
            format!(
                "the node left the identity's event at block {block} index 1 out of its history"
            )
        ),
        other => panic!("expected the omission found, got {other:?}"),
    }
}

/// Part 3: the same event twice in one answer is a forgery, not a second event.
#[test]
fn a_repeated_log_is_refused() {
    let chain = Arc::new(DevChain::in_memory());
    let (registry, did, block) = alice_with_a_key(&chain);
    let node = Tampering {
        inner: chain.clone(),
        tamper: Box::new(|filter, logs| {
            if filter.topic1.is_some()
                && let Some(first) = logs.first().cloned()
            {
                logs.push(first);
            }
        }),
    };
    match Resolver::new(Arc::new(node), registry).resolve(&did, None) {
        Err(ResolveError::Inconsistent(why)) => {
            assert_eq!(why, format!("two logs at block {block} index 0"));
        }
        other => panic!("expected the repeated log refused, got {other:?}"),
    }
}

/// Part 3: the completeness query (the history's blocks, every identity) is checked against its
/// filter too: a node that ignores the contract address there is refused.
#[test]
fn a_foreign_log_in_the_block_query_is_refused() {
    let chain = Arc::new(DevChain::in_memory());
    let (registry, did, block) = alice_with_a_key(&chain);
    let impostor = Address::repeat_byte(0x66);
    let alice = did.address();
    let node = Tampering {
        inner: chain.clone(),
        tamper: Box::new(move |filter, logs| {
            if filter.topic1.is_none() {
                logs.push(forged_key_log(impostor, alice.into_word(), alice, block, 1));
            }
        }),
    };
    match Resolver::new(Arc::new(node), registry).resolve(&did, None) {
        Err(ResolveError::UnrequestedLog {
            mismatch: LogMismatch::Contract(a),
            ..
        }) if a == impostor => {}
        other => panic!("expected the impostor's log refused, got {other:?}"),
    }
}
