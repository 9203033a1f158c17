//! The `did:ethr` resolver: folds the ERC-1056 event history of an identity into a W3C DID
//! document, now or as of a given block.
//!
//! Documents are those of the [did:ethr method spec] as its reference resolver
//! (`ethr-did-resolver` 11) renders them — `#controller`, `#controllerKey`, `#delegate-N`
//! (`EcdsaSecp256k1RecoveryMethod2020` for delegates; `Ed25519VerificationKey2018`,
//! `EcdsaSecp256k1VerificationKey2019`, `X25519KeyAgreementKey2019`, … with `publicKeyHex`,
//! `publicKeyBase64`, `publicKeyBase58` or `publicKeyPem` for `did/pub/…` attributes),
//! `#service-N` — and `registry/tests/reference_resolver.rs` compares them with it on anvil.
//! Siegel's own `did/pub/Multikey/…` attributes are shown as `Multikey` with
//! `publicKeyMultibase`. Where Siegel departs from the reference resolver on purpose: validity is
//! `validTo > now` (the contract's own rule; the reference still lists a delegate revoked in the
//! current second), a revoked `enc` key also leaves `keyAgreement` (the reference leaves a
//! dangling reference), and attribute values longer than any key of their kind are reported in
//! [`Resolution::skipped`] instead of being encoded.
//!
//! # Round trips
//! Resolution costs at most three round trips whatever the length of the history (one more per
//! [`MAX_BATCH`] separate runs of blocks in the history beyond the first): (1) head block,
//! `changed(identity)` and the clock; (2) all of the identity's events up to `changed` in one
//! `eth_getLogs` filtered by the identity topic; (3) the blocks of that history again — one
//! `eth_getLogs` per run of consecutive blocks — this time with every identity's registry events,
//! and the timestamps of the version blocks for the metadata. [`Resolver::resolve_many`] does
//! the same for several DIDs at once, plus extra reads (a credential's status bits) in the first
//! round: still three round trips in all.
//!
//! # What is trusted from the node
//! A resolver that asks one node cannot be safer than the node's state: Siegel trusts
//! - its answers about state and blocks — `changed(identity)` (`eth_call`), the head number and the
//!   block timestamps;
//! - its list of the registry's events in given blocks (`eth_getLogs` over the blocks of the
//!   history for the registry address, not filtered by identity) to be complete. A node that
//!   leaves an event out of that list *and* out of the history alike — that is, one that lies
//!   consistently — is not detected; only checking receipts against block headers (a light
//!   client) would.
//!
//! It does not trust, and checks:
//! - every log's emitting contract, block range, topic count, event signature and identity topic
//!   against the query — a log from another contract or about another identity is refused
//!   ([`ResolveError::UnrequestedLog`]), not skipped, since the answer it came in is suspect;
//! - the history's completeness: each event's `previousChange` must name the block of the event
//!   before it and the last must sit in block `changed`, which finds a block left out; and each
//!   block the history names must hold exactly the identity's events the history holds for it,
//!   which finds an event left out of a block that still has others — a revocation next to the
//!   publication it revokes, say ([`ResolveError::Inconsistent`]);
//! - attribute values: one longer than any key or endpoint of its kind is not rendered but
//!   reported in [`Resolution::skipped`], so a hostile identity cannot make resolution slow
//!   (base58 is quadratic).
//!
//! [did:ethr method spec]: https://github.com/decentralized-identity/ethr-did-resolver/blob/master/doc/did-method-spec.md

mod document;
mod history;
mod keys;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, B256, Bytes};
use alloy::sol_types::SolCall;
use serde_json::Value;

use crate::chain::{
    BlockRef, Chain, ChainError, LogEntry, LogFilter, Request, Response, expect_block,
    expect_bytes, expect_logs, expect_number,
};
use crate::contracts::EthereumDIDRegistry as Erc1056;
use crate::did::{DidEthr, InvalidDid};

pub use document::{CONTEXT, MAX_SERVICE_LEN, MULTIKEY_CONTEXT, max_key_len};
pub use keys::EthrKeyResolver;
pub(crate) use keys::key_of;

/// Most requests sent in one batch (geth refuses batches of more than 1,000 by default).
pub const MAX_BATCH: usize = 500;

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
    /// The node answered a log query with a log the query excludes.
    #[error(
        "the node returned a log it was not asked for (block {block}, index {log_index}): {mismatch}"
    )]
    UnrequestedLog {
        /// The log's block.
        block: u64,
        /// The log's position in its block.
        log_index: u64,
        /// How it differs from the query.
        mismatch: LogMismatch,
    },
    /// A block in the future was asked for.
    #[error("block {requested} is beyond the chain head {head}")]
    FutureBlock {
        /// Requested block.
        requested: u64,
        /// Current head.
        head: u64,
    },
}

/// How a log differs from the query it answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogMismatch {
    /// Emitted by another contract than the registry.
    #[error("emitted by {0}, not the registry")]
    Contract(Address),
    /// About another identity (topic 1).
    #[error("about identity topic {0}, not the one resolved")]
    Identity(B256),
    /// Not an ERC-1056 event (topic 0).
    #[error("event {0} is not an ERC-1056 event")]
    Event(B256),
    /// Not the two topics of an ERC-1056 event.
    #[error("{0} topics, ERC-1056 events have 2")]
    TopicCount(usize),
    /// Outside the blocks asked for.
    #[error("outside blocks {from}..={to}")]
    Block {
        /// First block asked for.
        from: u64,
        /// Last block asked for.
        to: u64,
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

/// A valid `did/pub/` or `did/svc/` attribute that the document does not show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedAttribute {
    /// The attribute name (`did/pub/Ed25519/veriKey/base58`, …).
    pub name: String,
    /// Block of the event that published it.
    pub block: u64,
    /// Position of that event in its block.
    pub log_index: u64,
    /// Why it is not shown.
    pub reason: SkipReason,
}

/// Why an attribute is not shown in the DID document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// Longer than any key of its algorithm ([`max_key_len`]) or any service endpoint
    /// ([`MAX_SERVICE_LEN`]).
    #[error("{len} bytes, at most {max} are shown")]
    TooLong {
        /// Length of the value.
        len: usize,
        /// The bound for its kind.
        max: usize,
    },
    /// A `pem` key or a service endpoint that is not UTF-8 (the reference resolver skips these
    /// too).
    #[error("not UTF-8 text")]
    NotUtf8,
}

/// A resolved DID.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// The DID document (JSON-LD).
    pub document: Value,
    /// Its metadata.
    pub metadata: DocumentMetadata,
    /// Valid attributes the document leaves out, oldest first.
    pub skipped: Vec<SkippedAttribute>,
    /// Round trips this resolution made (for one of [`Resolver::resolve_many`], the whole
    /// batch's).
    pub round_trips: u64,
}

/// Reads DID documents from the ERC-1056 registry at `registry` on `chain`. An owned handle:
/// cloning it shares the chain, and it can move to a worker thread.
#[derive(Clone)]
pub struct Resolver {
    chain: Arc<dyn Chain>,
    registry: Address,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl Resolver {
    /// A resolver for the registry contract at `registry`.
    pub fn new(chain: Arc<dyn Chain>, registry: Address) -> Self {
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

    /// Resolves `did` as of the chain head, or as of `at_block`: [`Resolver::resolve_many`] with
    /// one DID.
    ///
    /// # Errors
    /// [`ResolveError::WrongNetwork`], [`ResolveError::FutureBlock`], chain errors,
    /// [`ResolveError::UnrequestedLog`] for a node that answers with logs it was not asked for, and
    /// [`ResolveError::Inconsistent`] for a history with missing events.
    pub fn resolve(
        &self,
        did: &DidEthr,
        at_block: Option<u64>,
    ) -> Result<Resolution, ResolveError> {
        let mut batch = self.resolve_many(std::slice::from_ref(did), at_block, Vec::new())?;
        batch.resolutions.pop().ok_or_else(|| {
            ResolveError::Inconsistent("no resolution for the one DID asked for".into())
        })?
    }

    /// Resolves several DIDs, as of the chain head or of `at_block`, and runs `extra` reads (as
    /// of the head) along with them, in at most three round trips in all (plus one per
    /// [`MAX_BATCH`] requests of a round beyond the first):
    /// 1. the head, the target block, `changed(identity)` of every DID, and `extra`;
    /// 2. the histories of all DIDs (one `eth_getLogs` each);
    /// 3. the version-block timestamps and the completeness queries of all DIDs.
    ///
    /// Each DID gets the same checks as [`Resolver::resolve`], and its own outcome: a DID of
    /// another network, or a node's answer about one DID that fails the checks, fails that DID
    /// only. Every [`Resolution::round_trips`] is the whole batch's.
    ///
    /// # Errors
    /// Chain errors (transport, or a request of the batch that failed, `extra` included) and
    /// [`ResolveError::FutureBlock`] fail the whole batch.
    pub fn resolve_many(
        &self,
        dids: &[DidEthr],
        at_block: Option<u64>,
        extra: Vec<Request>,
    ) -> Result<Resolutions, ResolveError> {
        let start = self.chain.round_trips();
        let chain_id = self.chain.chain_id()?;
        let mut outcomes: Vec<Outcome> = dids
            .iter()
            .map(|did| {
                if did.chain_id() == chain_id {
                    Outcome::Pending(Progress::default())
                } else {
                    Outcome::Failed(ResolveError::WrongNetwork {
                        did_chain: did.chain_id(),
                        chain: chain_id,
                    })
                }
            })
            .collect();
        let live = |outcomes: &[Outcome]| -> Vec<usize> {
            outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| matches!(o, Outcome::Pending(_)))
                .map(|(i, _)| i)
                .collect()
        };
        if live(&outcomes).is_empty() && extra.is_empty() {
            return Ok(Resolutions {
                resolutions: outcomes.into_iter().map(Outcome::finish).collect(),
                extra: Vec::new(),
                round_trips: 0,
            });
        }

        // Round trip 1: head, the clock of the target block, changed(identity) of each DID, and
        // the extra reads.
        let target_ref = at_block.map_or(BlockRef::Latest, BlockRef::Number);
        let pending = live(&outcomes);
        let mut requests = vec![Request::BlockNumber, Request::Block(target_ref)];
        requests.extend(pending.iter().map(|&i| Request::Call {
            from: None,
            to: self.registry,
            data: Bytes::from(Erc1056::changedCall(dids[i].address()).abi_encode()),
            block: BlockRef::Latest,
        }));
        requests.extend(extra);
        let first = match self.batch_all(&requests) {
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
        // Before the target block is read: a node answers a future block with `null`.
        if let Some(b) = at_block
            && b > head
        {
            return Err(ResolveError::FutureBlock { requested: b, head });
        }
        let target_block = expect_block(it.next())?;
        for &i in &pending {
            let raw = expect_bytes(it.next())?;
            outcomes[i].advance(|p| {
                p.changed = u64::try_from(
                    Erc1056::changedCall::abi_decode_returns(&raw)
                        .map_err(|e| ResolveError::Inconsistent(format!("changed(): {e}")))?,
                )
                .map_err(|_| ResolveError::Inconsistent("changed() is out of range".into()))?;
                Ok(())
            });
        }
        let extra_answers: Vec<Response> = it.collect();
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

        // Round trip 2: each history in one query, each log checked against its query and the
        // history link by link; then the documents.
        let with_history: Vec<usize> = live(&outcomes)
            .into_iter()
            .filter(|&i| matches!(&outcomes[i], Outcome::Pending(p) if p.changed != 0))
            .collect();
        let requests: Vec<Request> = with_history
            .iter()
            .filter_map(|&i| match &outcomes[i] {
                Outcome::Pending(p) => Some(Request::Logs(LogFilter {
                    address: self.registry,
                    from: 0,
                    to: p.changed,
                    topic0: history::EVENT_SIGNATURES.to_vec(),
                    topic1: Some(dids[i].address().into_word()),
                })),
                Outcome::Failed(_) => None,
            })
            .collect();
        let mut answers = self.batch_all(&requests)?.into_iter();
        for &i in &with_history {
            let logs = expect_logs(answers.next())?;
            let identity = dids[i].address();
            let registry = self.registry;
            outcomes[i].advance(|p| {
                for log in &logs {
                    history::check_requested(log, registry, Some(identity), 0, p.changed)?;
                }
                p.logs = history::in_chain_order(logs)?;
                Ok(())
            });
        }
        for i in live(&outcomes) {
            outcomes[i].advance(|p| {
                let events = p
                    .logs
                    .iter()
                    .map(history::decode)
                    .collect::<Result<Vec<_>, _>>()?;
                history::check_links(&events, p.changed)?;
                p.built = Some(document::build(&dids[i], chain_id, &events, target, now));
                Ok(())
            });
        }

        // Round trip 3: every block of each history again, now with all identities' events, and
        // the timestamps of the version blocks.
        let finishing = live(&outcomes);
        let mut requests = Vec::new();
        for &i in &finishing {
            if let Outcome::Pending(p) = &outcomes[i]
                && let Some(built) = &p.built
            {
                requests.extend(
                    built
                        .metadata
                        .version_id
                        .into_iter()
                        .chain(built.metadata.next_version_id)
                        .map(|b| Request::Block(BlockRef::Number(b))),
                );
                requests.extend(
                    history::runs(&p.logs)
                        .into_iter()
                        .map(|r| Request::Logs(history::range_filter(self.registry, r))),
                );
            }
        }
        let mut answers = self.batch_all(&requests)?.into_iter();
        for &i in &finishing {
            let Outcome::Pending(p) = &mut outcomes[i] else {
                continue;
            };
            let Some(built) = p.built.as_mut() else {
                continue;
            };
            // Take this DID's answers first (in the order asked), so a failed check of one DID
            // leaves the next DID's answers in place.
            let updated = built
                .metadata
                .version_id
                .map(|_| expect_block(answers.next()))
                .transpose()?;
            let next_update = built
                .metadata
                .next_version_id
                .map(|_| expect_block(answers.next()))
                .transpose()?;
            built.metadata.updated = updated.map(|b| b.timestamp);
            built.metadata.next_update = next_update.map(|b| b.timestamp);
            let runs = history::runs(&p.logs);
            let range_logs = runs
                .iter()
                .map(|_| expect_logs(answers.next()))
                .collect::<Result<Vec<_>, _>>()?;
            let identity = dids[i].address();
            let registry = self.registry;
            outcomes[i].advance(|p| {
                for (run, range) in runs.into_iter().zip(&range_logs) {
                    history::check_complete(&p.logs, run, range, registry, identity)?;
                }
                Ok(())
            });
        }

        let round_trips = self.chain.round_trips() - start;
        Ok(Resolutions {
            resolutions: outcomes
                .into_iter()
                .map(|o| {
                    o.finish().map(|mut r| {
                        r.round_trips = round_trips;
                        r
                    })
                })
                .collect(),
            extra: extra_answers,
            round_trips,
        })
    }

    /// Sends `requests` in batches of at most [`MAX_BATCH`]; answers in request order.
    fn batch_all(&self, requests: &[Request]) -> Result<Vec<Response>, ChainError> {
        let mut answers = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(MAX_BATCH) {
            answers.extend(self.chain.batch(chunk)?);
        }
        Ok(answers)
    }
}

/// What [`Resolver::resolve_many`] found.
#[derive(Debug)]
#[non_exhaustive]
pub struct Resolutions {
    /// Each DID's resolution or why it failed, in the order asked.
    pub resolutions: Vec<Result<Resolution, ResolveError>>,
    /// The answers to the extra reads, in the order asked.
    pub extra: Vec<Response>,
    /// Round trips the whole batch made.
    pub round_trips: u64,
}

/// One DID's resolution in progress.
#[derive(Default)]
struct Progress {
    changed: u64,
    logs: Vec<LogEntry>,
    built: Option<document::Built>,
}

/// Where one DID of a batch stands.
enum Outcome {
    Pending(Progress),
    Failed(ResolveError),
}

impl Outcome {
    /// Runs the next step of a pending resolution; a failed step fails this DID only.
    fn advance(&mut self, step: impl FnOnce(&mut Progress) -> Result<(), ResolveError>) {
        if let Outcome::Pending(p) = self
            && let Err(e) = step(p)
        {
            *self = Outcome::Failed(e);
        }
    }

    fn finish(self) -> Result<Resolution, ResolveError> {
        match self {
            Outcome::Pending(Progress {
                built: Some(built), ..
            }) => Ok(Resolution {
                document: built.document,
                metadata: built.metadata,
                skipped: built.skipped,
                round_trips: 0,
            }),
            Outcome::Pending(_) => Err(ResolveError::Inconsistent(
                "the resolution did not complete".into(),
            )),
            Outcome::Failed(e) => Err(e),
        }
    }
}
