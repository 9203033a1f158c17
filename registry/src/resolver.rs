//! The `did:ethr` resolver: folds the ERC-1056 event history of an identity into a W3C DID
//! document, now or as of a given block.
//!
//! Reads are batched so that resolution costs at most three round trips whatever the length of
//! the history: (1) head block, `changed(identity)` and the clock; (2) all of the identity's
//! events up to the target block in one `eth_getLogs`; (3) only when there is a version, the
//! timestamps of the version blocks for the metadata. The `previousChange` chain of the events is
//! still checked link by link, so a node that drops events is detected rather than trusted.

use std::time::{SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::{SolCall, SolEvent};
use serde_json::{Value, json};

use crate::chain::{
    BlockRef, Chain, ChainError, LogEntry, LogFilter, Request, expect_block, expect_bytes,
    expect_logs, expect_number,
};
use crate::contracts::EthereumDIDRegistry as Erc1056;
use crate::did::{DidEthr, InvalidDid};

/// Why a DID could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// Not a valid `did:ethr`.
    #[error(transparent)]
    InvalidDid(#[from] InvalidDid),
    /// The DID names another chain than the one this resolver reads.
    #[error("the DID is anchored on chain {did_chain}, but this resolver reads chain {chain}")]
    WrongNetwork {
        /// Chain in the DID.
        did_chain: u64,
        /// Chain of the resolver.
        chain: u64,
    },
    /// The chain could not be read.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The node's answers contradict each other (e.g. missing events).
    #[error("inconsistent registry history: {0}")]
    Inconsistent(String),
    /// A block in the future was asked for.
    #[error("block {requested} is beyond the chain head {head}")]
    FutureBlock {
        /// Requested block.
        requested: u64,
        /// Current head.
        head: u64,
    },
}

/// DID document metadata (W3C DID Core § 7.1.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    /// The identity's owner was set to the zero address.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deactivated: bool,
    /// Block of the last change included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<u64>,
    /// Unix time of that block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
    /// Block of the first change after the requested block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version_id: Option<u64>,
    /// Unix time of that block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<u64>,
}

/// A resolved DID.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// The DID document (JSON-LD).
    pub document: Value,
    /// Its metadata.
    pub metadata: DocumentMetadata,
    /// Round trips this resolution made.
    pub round_trips: u64,
}

#[derive(Clone, Debug)]
enum Change {
    Owner(Address),
    Delegate {
        kind: String,
        delegate: Address,
        valid_to: U256,
    },
    Attribute {
        name: String,
        value: Bytes,
        valid_to: U256,
    },
}

#[derive(Clone, Debug)]
struct Event {
    block: u64,
    previous_change: u64,
    change: Change,
}

fn bytes32_to_string(b: &B256) -> String {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn to_u64(v: U256) -> Result<u64, ResolveError> {
    u64::try_from(v)
        .map_err(|_| ResolveError::Inconsistent(format!("block number {v} out of range")))
}

fn decode_event(log: &LogEntry) -> Result<Event, ResolveError> {
    let topic0 = log.topics.first().copied().unwrap_or_default();
    let bad =
        |e: alloy::sol_types::Error| ResolveError::Inconsistent(format!("undecodable event: {e}"));
    let (previous, change) = if topic0 == Erc1056::DIDOwnerChanged::SIGNATURE_HASH {
        let e = Erc1056::DIDOwnerChanged::decode_raw_log(log.topics.iter().copied(), &log.data)
            .map_err(bad)?;
        (e.previousChange, Change::Owner(e.owner))
    } else if topic0 == Erc1056::DIDDelegateChanged::SIGNATURE_HASH {
        let e = Erc1056::DIDDelegateChanged::decode_raw_log(log.topics.iter().copied(), &log.data)
            .map_err(bad)?;
        (
            e.previousChange,
            Change::Delegate {
                kind: bytes32_to_string(&e.delegateType),
                delegate: e.delegate,
                valid_to: e.validTo,
            },
        )
    } else if topic0 == Erc1056::DIDAttributeChanged::SIGNATURE_HASH {
        let e = Erc1056::DIDAttributeChanged::decode_raw_log(log.topics.iter().copied(), &log.data)
            .map_err(bad)?;
        (
            e.previousChange,
            Change::Attribute {
                name: bytes32_to_string(&e.name),
                value: e.value,
                valid_to: e.validTo,
            },
        )
    } else {
        return Err(ResolveError::Inconsistent(format!(
            "unknown event {topic0}"
        )));
    };
    Ok(Event {
        block: log.block_number,
        previous_change: to_u64(previous)?,
        change,
    })
}

/// Reads DID documents from the ERC-1056 registry at `registry` on `chain`.
pub struct Resolver<'c> {
    chain: &'c dyn Chain,
    registry: Address,
}

impl std::fmt::Debug for Resolver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl<'c> Resolver<'c> {
    /// A resolver for the registry contract at `registry`.
    pub fn new(chain: &'c dyn Chain, registry: Address) -> Self {
        Self { chain, registry }
    }

    /// Parses and resolves a DID string.
    ///
    /// # Errors
    /// As [`Resolver::resolve`], plus [`ResolveError::InvalidDid`].
    pub fn resolve_str(
        &self,
        did: &str,
        at_block: Option<u64>,
    ) -> Result<Resolution, ResolveError> {
        self.resolve(&did.parse()?, at_block)
    }

    /// Resolves `did` as of the chain head, or as of `at_block`.
    ///
    /// # Errors
    /// [`ResolveError::WrongNetwork`], [`ResolveError::FutureBlock`], chain errors, and
    /// [`ResolveError::Inconsistent`] for a history with missing links.
    pub fn resolve(
        &self,
        did: &DidEthr,
        at_block: Option<u64>,
    ) -> Result<Resolution, ResolveError> {
        let start = self.chain.round_trips();
        let chain_id = self.chain.chain_id()?;
        if did.chain_id() != chain_id {
            return Err(ResolveError::WrongNetwork {
                did_chain: did.chain_id(),
                chain: chain_id,
            });
        }
        let identity = did.address();

        // Round trip 1: head, changed(identity), and the clock of the target block.
        let target_ref = at_block.map_or(BlockRef::Latest, BlockRef::Number);
        let first = self.chain.batch(&[
            Request::BlockNumber,
            Request::Call {
                from: None,
                to: self.registry,
                data: Bytes::from(Erc1056::changedCall(identity).abi_encode()),
                block: BlockRef::Latest,
            },
            Request::Block(target_ref),
        ]);
        let first = match first {
            Err(ChainError::UnknownBlock(n)) => {
                let head = expect_number(
                    self.chain
                        .batch(&[Request::BlockNumber])?
                        .into_iter()
                        .next(),
                )?;
                return Err(ResolveError::FutureBlock { requested: n, head });
            }
            other => other?,
        };
        let mut it = first.into_iter();
        let head = expect_number(it.next())?;
        let changed_raw = expect_bytes(it.next())?;
        let target_block = expect_block(it.next())?;
        if let Some(b) = at_block
            && b > head
        {
            return Err(ResolveError::FutureBlock { requested: b, head });
        }
        let changed = to_u64(
            Erc1056::changedCall::abi_decode_returns(&changed_raw)
                .map_err(|e| ResolveError::Inconsistent(format!("changed(): {e}")))?,
        )?;
        let target = at_block.unwrap_or(head);
        let now = if at_block.is_some() {
            target_block.timestamp
        } else {
            let wall = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            wall.max(target_block.timestamp)
        };

        // Round trip 2: the whole history in one query, checked link by link.
        let events = if changed == 0 {
            Vec::new()
        } else {
            let logs = expect_logs(
                self.chain
                    .batch(&[Request::Logs(LogFilter {
                        address: self.registry,
                        from: 0,
                        to: changed,
                        topic0: vec![
                            Erc1056::DIDOwnerChanged::SIGNATURE_HASH,
                            Erc1056::DIDDelegateChanged::SIGNATURE_HASH,
                            Erc1056::DIDAttributeChanged::SIGNATURE_HASH,
                        ],
                        topic1: Some(identity.into_word()),
                    })])?
                    .into_iter()
                    .next(),
            )?;
            let mut logs = logs;
            logs.sort_by_key(|l| (l.block_number, l.log_index));
            let events = logs
                .iter()
                .map(decode_event)
                .collect::<Result<Vec<_>, _>>()?;
            check_links(&events, changed)?;
            events
        };

        let (document, mut metadata) = build_document(did, chain_id, &events, target, now);

        // Round trip 3 (only when there is a version): timestamps for the metadata.
        let mut wanted = Vec::new();
        if let Some(v) = metadata.version_id {
            wanted.push(Request::Block(BlockRef::Number(v)));
        }
        if let Some(v) = metadata.next_version_id {
            wanted.push(Request::Block(BlockRef::Number(v)));
        }
        if !wanted.is_empty() {
            let mut blocks = self.chain.batch(&wanted)?.into_iter();
            if metadata.version_id.is_some() {
                metadata.updated = Some(expect_block(blocks.next())?.timestamp);
            }
            if metadata.next_version_id.is_some() {
                metadata.next_update = Some(expect_block(blocks.next())?.timestamp);
            }
        }
        Ok(Resolution {
            document,
            metadata,
            round_trips: self.chain.round_trips() - start,
        })
    }
}

/// Each event's `previousChange` must name the block of the event before it (0 for the first),
/// and the last event must sit in block `changed`: otherwise the node left events out.
fn check_links(events: &[Event], changed: u64) -> Result<(), ResolveError> {
    let mut previous_block = 0u64;
    for e in events {
        if e.previous_change != previous_block {
            return Err(ResolveError::Inconsistent(format!(
                "event in block {} points back to block {}, but the previous event is in block {}",
                e.block, e.previous_change, previous_block
            )));
        }
        previous_block = e.block;
    }
    if previous_block != changed {
        return Err(ResolveError::Inconsistent(format!(
            "the registry says the last change was in block {changed}, the node returned events up to block {previous_block}"
        )));
    }
    Ok(())
}

/// Folds the events (oldest first) up to block `target` into a DID document, as the did:ethr
/// method specifies: an owner change replaces the controller (the zero address deactivates); a
/// delegate or attribute counts while `validTo > now` — strictly, as the contract's own
/// `validDelegate` does, so a revocation (which sets `validTo` to its block's time) takes effect
/// in its own block (ethr-did-resolver 11 uses `>=` and shows a delegate revoked in the current
/// second as still valid); a later event for the same
/// (type, name, value) that is no longer valid removes the earlier one. Each delegate and `pub`
/// attribute event advances the `#delegate-N` counter, each `svc` attribute the `#service-N` one.
fn build_document(
    did: &DidEthr,
    chain_id: u64,
    events: &[Event],
    target: u64,
    now: u64,
) -> (Value, DocumentMetadata) {
    use std::collections::BTreeMap;
    let id = did.to_string();
    let mut controller = did.address();
    let mut meta = DocumentMetadata::default();
    let mut delegate_count = 0u32;
    let mut service_count = 0u32;
    // Keyed by event identity, in insertion order (index as first key component).
    let mut methods: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    let mut auth: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut assertion: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut agreement: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut services: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    let now = U256::from(now);

    for (seq, e) in events.iter().enumerate() {
        if e.block > target {
            meta.next_version_id = Some(meta.next_version_id.map_or(e.block, |n| n.min(e.block)));
            continue;
        }
        meta.version_id = Some(meta.version_id.map_or(e.block, |v| v.max(e.block)));
        match &e.change {
            Change::Owner(owner) => {
                controller = *owner;
                if owner.is_zero() {
                    meta.deactivated = true;
                    break;
                }
            }
            Change::Delegate {
                kind,
                delegate,
                valid_to,
            } => {
                delegate_count += 1;
                let key = format!("delegate-{kind}-{delegate}");
                if *valid_to > now {
                    let vm_id = format!("{id}#delegate-{delegate_count}");
                    if kind == "sigAuth" || kind == "veriKey" {
                        methods.insert(
                            key.clone(),
                            (
                                seq,
                                json!({
                                    "id": vm_id,
                                    "type": "EcdsaSecp256k1RecoveryMethod2020",
                                    "controller": id,
                                    "blockchainAccountId": format!("eip155:{chain_id}:{}", delegate.to_checksum(None)),
                                }),
                            ),
                        );
                        assertion.insert(key.clone(), (seq, vm_id.clone()));
                        if kind == "sigAuth" {
                            auth.insert(key, (seq, vm_id));
                        }
                    }
                } else {
                    for m in [&mut auth, &mut assertion] {
                        m.remove(&key);
                    }
                    methods.remove(&key);
                }
            }
            Change::Attribute {
                name,
                value,
                valid_to,
            } => {
                let key = format!("attribute-{name}-{value}");
                let parts: Vec<&str> = name.split('/').collect();
                let (section, algorithm, purpose) = match parts.as_slice() {
                    ["did", section, algorithm, rest @ ..] => {
                        (*section, *algorithm, rest.first().copied())
                    }
                    _ => ("", "", None),
                };
                match section {
                    "pub" => delegate_count += 1,
                    "svc" => service_count += 1,
                    _ => continue,
                }
                if *valid_to <= now {
                    methods.remove(&key);
                    services.remove(&key);
                    for m in [&mut auth, &mut assertion, &mut agreement] {
                        m.remove(&key);
                    }
                    continue;
                }
                if section == "svc" {
                    let text = String::from_utf8_lossy(value).into_owned();
                    let endpoint =
                        serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
                    services.insert(
                        key,
                        (
                            seq,
                            json!({ "id": format!("{id}#service-{service_count}"), "type": algorithm, "serviceEndpoint": endpoint }),
                        ),
                    );
                    continue;
                }
                let vm_id = format!("{id}#delegate-{delegate_count}");
                let mut vm = json!({ "id": vm_id, "type": algorithm, "controller": id });
                match algorithm {
                    "Multikey" => {
                        vm["publicKeyMultibase"] =
                            json!(wallet_core::di::Multikey::encode_prefixed(value));
                    }
                    "Ed25519" | "Ed25519VerificationKey2020" => {
                        vm["type"] = json!("Ed25519VerificationKey2020");
                        let prefixed = [&wallet_core::di::ED25519_PUB[..], value].concat();
                        vm["publicKeyMultibase"] =
                            json!(wallet_core::di::Multikey::encode_prefixed(&prefixed));
                    }
                    "Bls12381G2Key2020" => {
                        vm["publicKeyBase58"] = json!(bs58::encode(value).into_string());
                    }
                    _ => {
                        vm["publicKeyHex"] = json!(hex::encode(value));
                    }
                }
                methods.insert(key.clone(), (seq, vm));
                match purpose {
                    Some("sigAuth") => {
                        auth.insert(key.clone(), (seq, vm_id.clone()));
                        assertion.insert(key, (seq, vm_id));
                    }
                    Some("enc") => {
                        agreement.insert(key, (seq, vm_id));
                    }
                    _ => {
                        assertion.insert(key, (seq, vm_id));
                    }
                }
            }
        }
    }

    fn ordered<T: Clone>(m: &BTreeMap<String, (usize, T)>) -> Vec<T> {
        let mut v: Vec<&(usize, T)> = m.values().collect();
        v.sort_by_key(|(seq, _)| *seq);
        v.into_iter().map(|(_, t)| t.clone()).collect()
    }

    if meta.deactivated {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": id,
            "verificationMethod": [],
            "authentication": [],
            "assertionMethod": [],
        });
        return (doc, meta);
    }
    let controller_vm = json!({
        "id": format!("{id}#controller"),
        "type": "EcdsaSecp256k1RecoveryMethod2020",
        "controller": id,
        "blockchainAccountId": format!("eip155:{chain_id}:{}", controller.to_checksum(None)),
    });
    let mut vms = vec![controller_vm];
    vms.extend(ordered(&methods));
    let mut context = vec![
        json!("https://www.w3.org/ns/did/v1"),
        json!("https://w3id.org/security/suites/secp256k1recovery-2020/v2"),
    ];
    let types: Vec<&str> = vms.iter().filter_map(|v| v["type"].as_str()).collect();
    if types.contains(&"Multikey") {
        context.push(json!("https://w3id.org/security/multikey/v1"));
    }
    if types.contains(&"Ed25519VerificationKey2020") {
        context.push(json!("https://w3id.org/security/suites/ed25519-2020/v1"));
    }
    if types.contains(&"Bls12381G2Key2020") {
        context.push(json!("https://w3id.org/security/suites/bls12381-2020/v1"));
    }
    let controller_ref = format!("{id}#controller");
    let mut authentication = vec![controller_ref.clone()];
    authentication.extend(ordered(&auth));
    let mut assertion_method = vec![controller_ref];
    assertion_method.extend(ordered(&assertion));
    let mut doc = json!({
        "@context": context,
        "id": id,
        "verificationMethod": vms,
        "authentication": authentication,
        "assertionMethod": assertion_method,
    });
    let services = ordered(&services);
    if !services.is_empty() {
        doc["service"] = json!(services);
    }
    let agreement = ordered(&agreement);
    if !agreement.is_empty() {
        doc["keyAgreement"] = json!(agreement);
    }
    (doc, meta)
}

/// Resolves `did:ethr` verification methods to keys for Data Integrity verification: the DID
/// document is read from the chain (now, or as of `at_block`) and the method's
/// `publicKeyMultibase` decoded. Other DID methods fall back to `did:key` handling.
pub struct EthrKeyResolver<'c> {
    resolver: Resolver<'c>,
    at_block: Option<u64>,
}

impl std::fmt::Debug for EthrKeyResolver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EthrKeyResolver")
            .field("at_block", &self.at_block)
            .finish_non_exhaustive()
    }
}

impl<'c> EthrKeyResolver<'c> {
    /// Keys as the registry at `registry` on `chain` says now (`at_block = None`) or then.
    pub fn new(chain: &'c dyn Chain, registry: Address, at_block: Option<u64>) -> Self {
        Self {
            resolver: Resolver::new(chain, registry),
            at_block,
        }
    }
}

impl wallet_core::di::KeyResolver for EthrKeyResolver<'_> {
    fn resolve(
        &self,
        vm: &str,
        purpose: wallet_core::di::ProofPurpose,
    ) -> Result<wallet_core::di::PublicKeyMaterial, wallet_core::di::ProofError> {
        use wallet_core::di::{Multikey, ProofError, StaticResolver};
        let fail = |reason: String| ProofError::VerificationMethod {
            id: vm.to_owned(),
            reason,
        };
        if !vm.starts_with("did:ethr:") {
            return StaticResolver::new().resolve(vm, purpose);
        }
        let did = wallet_core::di::controller_of(vm);
        let resolution = self
            .resolver
            .resolve_str(did, self.at_block)
            .map_err(|e| fail(e.to_string()))?;
        let method = resolution.document["verificationMethod"]
            .as_array()
            .and_then(|vms| vms.iter().find(|m| m["id"].as_str() == Some(vm)))
            .ok_or_else(|| {
                fail("not in the DID document (revoked, expired or never published)".into())
            })?;
        // The DID document must list the method under the proof's purpose (a veriKey is an
        // assertionMethod, a sigAuth key also authentication).
        let authorised = resolution.document[purpose.as_str()]
            .as_array()
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| wallet_core::di::party_id(r) == Some(vm))
            });
        if !authorised {
            return Err(fail(format!("not authorised for {purpose} by {did}")));
        }
        let multibase = method["publicKeyMultibase"]
            .as_str()
            .ok_or_else(|| fail("the verification method carries no publicKeyMultibase".into()))?;
        Multikey::decode(multibase)
            .map_err(|e| fail(e.to_string()))?
            .into_public()
            .map_err(|e| fail(e.to_string()))
    }
}
