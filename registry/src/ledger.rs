//! [`ChainLedger`]: `wallet-core`'s ledger traits ([`TrustSource`], [`Ledger`]) on a [`Chain`] —
//! the embedded DevChain or any JSON-RPC node — with the ERC-1056 registry and Siegel's status
//! registry at a [`Deployment`].
//!
//! # Round trips
//! [`TrustSource::fetch`] resolves every DID of the lookup and reads every status entry's two
//! bits with one [`Resolver::resolve_many`]: at most three round trips in all, whatever the
//! number of DIDs (issue 11, part 9).
//!
//! # Keys in DID documents
//! A published key is a `did/pub/Multikey/<purpose>` attribute (did:ethr method spec § "Public
//! Keys"): `veriKey` for a key that signs credentials (the document lists it under
//! `assertionMethod`), `sigAuth` for one that signs presentations (`authentication`, and
//! `assertionMethod` too, as the method spec renders `sigAuth`).

use std::sync::Arc;

use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolCall;
use serde_json::Value;
use wallet_core::credential::status::{ChainAccount, StatusEntry};
use wallet_core::di::{BLS12_381_G2_PUB, ED25519_PUB, ProofPurpose, PublicKeyMaterial};
use wallet_core::did::{Did, DidUrl};
use wallet_core::keys::{KeyKind, KeySecret};
use wallet_core::ledger::{
    Fetched, KeySet, KeyUse, Ledger, LedgerError, Lookup, PublishKey, Registered, StatusBits,
    StatusChange, TrustSource,
};

use crate::chain::{BlockRef, Chain, ChainError, Request, Response, TxSigner, balance};
use crate::contracts::{CredentialStatusRegistry as Status, Deployment};
use crate::did::DidEthr;
use crate::identity::{Registry, StatusError, StatusPurpose};
use crate::resolver::{Resolution, ResolveError, Resolver, key_of};

/// The attribute name of a key that signs credentials (`assertionMethod`).
pub const ASSERTION_KEY_ATTRIBUTE: &str = "did/pub/Multikey/veriKey";

/// The attribute name of a key that signs presentations (`authentication`).
pub const AUTHENTICATION_KEY_ATTRIBUTE: &str = "did/pub/Multikey/sigAuth";

/// Below this balance (wei) a write on a development chain funds the account first: 0.1 ether,
/// about a thousand registry transactions at 1 gwei.
const LOW_BALANCE: u128 = 10u128.pow(17);

/// What a development chain credits then: 10 ether.
const DEV_FUNDING: u128 = 10u128.pow(19);

/// The relationships a verification method can be listed under.
const PURPOSES: [ProofPurpose; 4] = [
    ProofPurpose::AssertionMethod,
    ProofPurpose::Authentication,
    ProofPurpose::CapabilityInvocation,
    ProofPurpose::CapabilityDelegation,
];

/// The ledger traits on one chain and deployment. An owned handle: cloning it shares the chain,
/// and it can move to a worker thread.
#[derive(Clone)]
pub struct ChainLedger {
    chain: Arc<dyn Chain>,
    deployment: Deployment,
    chain_id: u64,
}

impl std::fmt::Debug for ChainLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainLedger")
            .field("chain_id", &self.chain_id)
            .field("deployment", &self.deployment)
            .finish_non_exhaustive()
    }
}

impl From<ChainError> for LedgerError {
    /// Keeps the category: transport → [`LedgerError::Unreachable`]; a revert, rejection or
    /// node error → [`LedgerError::Refused`]; the dev chain's file → [`LedgerError::Storage`];
    /// what cannot work on this chain → [`LedgerError::Unsupported`]; a malformed answer →
    /// [`LedgerError::Inconsistent`].
    fn from(e: ChainError) -> Self {
        match e {
            ChainError::Transport(m) => LedgerError::Unreachable(m),
            ChainError::Reverted { reason } => LedgerError::Refused(reason),
            ChainError::Rejected(m) | ChainError::Rpc(m) => LedgerError::Refused(m),
            ChainError::State { .. } => LedgerError::Storage(e.to_string()),
            ChainError::UnknownBlock(_) | ChainError::DevOnly(_) => {
                LedgerError::Unsupported(e.to_string())
            }
            ChainError::Unexpected(m) => LedgerError::Inconsistent(m),
        }
    }
}

impl From<ResolveError> for LedgerError {
    /// Chain errors as [`From<ChainError>`]; a DID or block this chain cannot answer for →
    /// [`LedgerError::Unsupported`]; a node's answers that fail the resolver's checks →
    /// [`LedgerError::Inconsistent`].
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::Chain(c) => c.into(),
            ResolveError::InvalidDid(_)
            | ResolveError::WrongNetwork { .. }
            | ResolveError::FutureBlock { .. } => LedgerError::Unsupported(e.to_string()),
            _ => LedgerError::Inconsistent(e.to_string()),
        }
    }
}

impl From<StatusError> for LedgerError {
    /// The status registry's refusal, in its plain words, as [`LedgerError::Refused`].
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::Refused(r) => LedgerError::Refused(r.to_string()),
            StatusError::Chain(c) => c.into(),
        }
    }
}

/// The multicodec-prefixed bytes of a public key: the value of its `did/pub/Multikey/…`
/// attribute.
pub fn multikey_bytes(key: &PublicKeyMaterial) -> Vec<u8> {
    match key {
        PublicKeyMaterial::Ed25519(k) => [&ED25519_PUB[..], k].concat(),
        PublicKeyMaterial::Bls12381G2(k) => [&BLS12_381_G2_PUB[..], k.as_bytes()].concat(),
    }
}

/// The transaction signer of a secp256k1 account key.
///
/// # Errors
/// [`LedgerError::Unsupported`] for other kinds of key.
pub fn signer_of(account: &KeySecret) -> Result<TxSigner, LedgerError> {
    if account.kind() != KeyKind::Secp256k1 {
        return Err(LedgerError::Unsupported(format!(
            "a {} key cannot sign Ethereum transactions; an account is a secp256k1 key",
            account.kind()
        )));
    }
    TxSigner::from_bytes(account.expose_bytes())
        .map_err(|e| LedgerError::Unsupported(format!("not a usable account key: {e}")))
}

/// Whether `document[purpose]` lists the method `id` (by reference or embedded).
fn lists(document: &Value, purpose: ProofPurpose, id: &str) -> bool {
    document[purpose.as_str()].as_array().is_some_and(|refs| {
        refs.iter()
            .any(|r| wallet_core::di::party_id(r) == Some(id))
    })
}

/// Adds the usable keys of `did`'s resolved document to `keys`, each with the relationships
/// that list it.
fn add_document(keys: &mut KeySet, did: &Did, resolution: &Resolution) {
    if resolution.metadata.deactivated {
        keys.fail(did.clone(), "the DID is deactivated".into());
        return;
    }
    keys.mark_resolved(did.clone());
    let document = &resolution.document;
    let methods = document["verificationMethod"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for method in methods {
        let Some(id) = method["id"].as_str() else {
            continue;
        };
        // Methods without a key Siegel verifies with (the controller's recovery method) are no
        // verification keys here.
        let (Ok(url), Ok(key)) = (DidUrl::parse(id), key_of(method)) else {
            continue;
        };
        let purposes: Vec<ProofPurpose> = PURPOSES
            .into_iter()
            .filter(|p| lists(document, *p, id))
            .collect();
        keys.insert(url, key, &purposes);
    }
}

impl ChainLedger {
    /// The ledger of the contracts at `deployment` on `chain` (see
    /// [`Deployment::dev_default`] for a development chain's). Reads the chain id once.
    ///
    /// # Errors
    /// [`LedgerError::Unreachable`] if the chain id cannot be read.
    pub fn new(chain: Arc<dyn Chain>, deployment: Deployment) -> Result<Self, LedgerError> {
        let chain_id = chain.chain_id()?;
        Ok(Self {
            chain,
            deployment,
            chain_id,
        })
    }

    /// The chain.
    pub fn chain(&self) -> &Arc<dyn Chain> {
        &self.chain
    }

    /// The contract addresses.
    pub fn deployment(&self) -> Deployment {
        self.deployment
    }

    /// The registry contracts, for writes the traits do not cover (revoking a key, delegates).
    pub fn registry(&self) -> Registry {
        Registry::new(self.chain.clone(), self.deployment)
    }

    /// The did:ethr resolver of this chain's ERC-1056 registry.
    pub fn resolver(&self) -> Resolver {
        Resolver::new(self.chain.clone(), self.deployment.did_registry)
    }

    /// `did` as a did:ethr of this chain, or why it is not one. Only the canonical spelling
    /// (the one its own document's ids use) is accepted, so that the method ids a proof names
    /// and the ones fetched compare equal.
    fn ethr_did(&self, did: &Did) -> Result<DidEthr, String> {
        if did.method() != "ethr" {
            return Err(format!(
                "only did:ethr DIDs are resolved on the chain, not did:{}",
                did.method()
            ));
        }
        let ethr: DidEthr = did
            .as_str()
            .parse()
            .map_err(|e: crate::did::InvalidDid| format!("not a valid did:ethr: {}", e.reason))?;
        if ethr.chain_id() != self.chain_id {
            return Err(format!(
                "the DID is anchored on chain {}, but this ledger reads chain {}",
                ethr.chain_id(),
                self.chain_id
            ));
        }
        let canonical = ethr.to_string();
        if canonical != did.as_str() {
            return Err(format!("not in canonical form; write it as {canonical}"));
        }
        Ok(ethr)
    }

    /// The issuer identity of a status entry of this chain's status registry.
    fn status_issuer(&self, entry: &StatusEntry) -> Result<Address, LedgerError> {
        let ours = self.status_registry();
        if entry.registry != ours {
            return Err(LedgerError::Unsupported(format!(
                "the status entry names the registry {}, this ledger reads {ours}",
                entry.registry
            )));
        }
        self.ethr_did(&entry.issuer)
            .map(|d| d.address())
            .map_err(|reason| {
                LedgerError::Unsupported(format!("status issuer {}: {reason}", entry.issuer))
            })
    }

    fn status_read(&self, issuer: Address, purpose: StatusPurpose, index: u64) -> Request {
        Request::Call {
            from: None,
            to: self.deployment.status_registry,
            data: Bytes::from(
                Status::getStatusCall {
                    issuer,
                    purpose: purpose as u8,
                    index: U256::from(index),
                }
                .abi_encode(),
            ),
            block: BlockRef::Latest,
        }
    }

    /// Makes sure `address` can pay for a transaction: on a development chain an account low on
    /// funds is credited first; elsewhere an empty account is refused before it is tried.
    fn ensure_gas(&self, address: Address) -> Result<(), LedgerError> {
        let funds = balance(&*self.chain, address)?;
        if funds >= U256::from(LOW_BALANCE) {
            return Ok(());
        }
        match self.chain.dev_fund(address, U256::from(DEV_FUNDING)) {
            Ok(()) => Ok(()),
            Err(ChainError::DevOnly(_)) if funds.is_zero() => Err(LedgerError::Refused(format!(
                "account {address} has no funds to pay gas"
            ))),
            Err(ChainError::DevOnly(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The method id under which `key` is listed for `use_` in `document`: the newest such
    /// `#delegate-N`, matched by key bytes.
    fn method_of(document: &Value, key: &PublishKey) -> Option<DidUrl> {
        let purpose = match key.use_ {
            KeyUse::Assertion => ProofPurpose::AssertionMethod,
            KeyUse::Authentication => ProofPurpose::Authentication,
        };
        document["verificationMethod"]
            .as_array()?
            .iter()
            .rev()
            .filter(|m| m["type"] == "Multikey")
            .filter(|m| key_of(m).is_ok_and(|k| k == key.key))
            .filter_map(|m| m["id"].as_str())
            .find(|id| lists(document, purpose, id))
            .and_then(|id| DidUrl::parse(id).ok())
    }
}

impl TrustSource for ChainLedger {
    fn fetch(&self, lookup: &Lookup) -> Result<Fetched, LedgerError> {
        let start = self.chain.round_trips();
        let mut keys = KeySet::new();
        let mut asked: Vec<(&Did, DidEthr)> = Vec::new();
        for did in &lookup.dids {
            match self.ethr_did(did) {
                Ok(ethr) => asked.push((did, ethr)),
                Err(reason) => keys.fail(did.clone(), reason),
            }
        }
        // Two reads (revocation, suspension) per readable entry; the others fail on their own.
        let mut statuses: Vec<Result<StatusBits, LedgerError>> = Vec::new();
        let mut extra = Vec::new();
        for entry in &lookup.statuses {
            match self.status_issuer(entry) {
                Ok(issuer) => {
                    extra.push(self.status_read(issuer, StatusPurpose::Revocation, entry.index));
                    extra.push(self.status_read(issuer, StatusPurpose::Suspension, entry.index));
                    statuses.push(Ok(StatusBits::default()));
                }
                Err(e) => statuses.push(Err(e)),
            }
        }
        let dids: Vec<DidEthr> = asked.iter().map(|(_, e)| e.clone()).collect();
        let batch = self.resolver().resolve_many(&dids, None, extra)?;
        for ((did, _), resolution) in asked.iter().zip(batch.resolutions) {
            match resolution {
                Ok(r) => add_document(&mut keys, did, &r),
                Err(e) => keys.fail((*did).clone(), e.to_string()),
            }
        }
        let bit = |answer: Option<Response>| -> Result<bool, LedgerError> {
            match answer {
                Some(Response::Bytes(b)) => Status::getStatusCall::abi_decode_returns(&b)
                    .map_err(|e| LedgerError::Inconsistent(format!("getStatus(): {e}"))),
                other => Err(LedgerError::Inconsistent(format!(
                    "expected a status bit, got {other:?}"
                ))),
            }
        };
        let mut answers = batch.extra.into_iter();
        for status in statuses.iter_mut().filter(|s| s.is_ok()) {
            let revoked = bit(answers.next());
            let suspended = bit(answers.next());
            *status = revoked.and_then(|revoked| {
                Ok(StatusBits {
                    revoked,
                    suspended: suspended?,
                })
            });
        }
        Ok(Fetched {
            keys,
            statuses,
            round_trips: self.chain.round_trips() - start,
        })
    }
}

impl Ledger for ChainLedger {
    fn chain_id(&self) -> Result<u64, LedgerError> {
        Ok(self.chain_id)
    }

    fn status_registry(&self) -> ChainAccount {
        ChainAccount {
            chain_id: self.chain_id,
            address: self.deployment.status_registry.into_array(),
        }
    }

    fn did_of(&self, account: &KeySecret) -> Result<Did, LedgerError> {
        let address = signer_of(account)?.address();
        Did::parse(&DidEthr::new(self.chain_id, address).to_string())
            .map_err(|e| LedgerError::Inconsistent(e.to_string()))
    }

    fn register(
        &self,
        account: &KeySecret,
        keys: &[PublishKey],
        validity_seconds: u64,
    ) -> Result<Registered, LedgerError> {
        let signer = signer_of(account)?;
        let identity = signer.address();
        let did = self.did_of(account)?;
        self.ensure_gas(identity)?;
        let registry = self.registry();
        let mut block = None;
        // The status registry takes writes only for an identity with a named owner; name it
        // once (registering again, to add keys, leaves it).
        if registry.named_owner(identity)? != identity {
            block = Some(
                registry
                    .change_owner(&signer, identity, identity)?
                    .block_number,
            );
        }
        for key in keys {
            let name = match key.use_ {
                KeyUse::Assertion => ASSERTION_KEY_ATTRIBUTE,
                KeyUse::Authentication => AUTHENTICATION_KEY_ATTRIBUTE,
            };
            let receipt = registry.set_attribute(
                &signer,
                identity,
                name,
                &multikey_bytes(&key.key),
                validity_seconds,
            )?;
            block = Some(receipt.block_number);
        }
        let methods = if keys.is_empty() {
            Vec::new()
        } else {
            let ethr = DidEthr::new(self.chain_id, identity);
            let document = self.resolver().resolve(&ethr, None)?.document;
            keys.iter()
                .map(|key| {
                    Self::method_of(&document, key).ok_or_else(|| {
                        LedgerError::Inconsistent(format!(
                            "the key just published is not in {did}'s document"
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let block = match block {
            Some(b) => b,
            None => crate::chain::expect_number(
                self.chain
                    .batch(&[Request::BlockNumber])?
                    .into_iter()
                    .next(),
            )?,
        };
        Ok(Registered {
            did,
            methods,
            block,
        })
    }

    fn revoke_key(&self, account: &KeySecret, key: &PublishKey) -> Result<u64, LedgerError> {
        let signer = signer_of(account)?;
        let identity = signer.address();
        self.ensure_gas(identity)?;
        let name = match key.use_ {
            KeyUse::Assertion => ASSERTION_KEY_ATTRIBUTE,
            KeyUse::Authentication => AUTHENTICATION_KEY_ATTRIBUTE,
        };
        let receipt =
            self.registry()
                .revoke_attribute(&signer, identity, name, &multikey_bytes(&key.key))?;
        Ok(receipt.block_number)
    }

    fn set_status(
        &self,
        account: &KeySecret,
        entry: &StatusEntry,
        change: StatusChange,
    ) -> Result<(), LedgerError> {
        let issuer = self.status_issuer(entry)?;
        let signer = signer_of(account)?;
        let (purpose, value) = match change {
            StatusChange::Revoke => (StatusPurpose::Revocation, true),
            StatusChange::Suspend => (StatusPurpose::Suspension, true),
            StatusChange::Unsuspend => (StatusPurpose::Suspension, false),
        };
        self.ensure_gas(signer.address())?;
        self.registry()
            .set_status(&signer, issuer, purpose, entry.index, value)?;
        Ok(())
    }

    fn resolve_document(&self, did: &Did, at_block: Option<u64>) -> Result<Value, LedgerError> {
        let ethr = self.ethr_did(did).map_err(LedgerError::Unsupported)?;
        Ok(self.resolver().resolve(&ethr, at_block)?.document)
    }
}
