//! What the application layer needs from the chain, as traits: reads for verification
//! ([`TrustSource`]) and writes for issuers and holders ([`Ledger`]). The `registry` crate
//! implements them on the embedded DevChain and on any JSON-RPC node; tests can implement them
//! with a table.
//!
//! A verification asks for everything it needs in one [`Lookup`] (the issuer's and the holder's
//! DID documents and the credential's status bits), so an implementation can fetch it all in a
//! fixed, small number of round trips instead of one resolution per DID.

use std::collections::{BTreeMap, BTreeSet};

use crate::credential::status::{ChainAccount, StatusEntry};
use crate::di::{KeyResolver, ProofError, ProofPurpose, PublicKeyMaterial, StaticResolver};
use crate::did::{Did, DidUrl};
use crate::keys::KeySecret;

/// Why the chain could not answer. The variants keep the category a front end needs: whether to
/// say "retry", "the chain refused" or "this input cannot work".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The node could not be reached or timed out: worth retrying.
    #[error("the chain node is unreachable ({0}); check the connection and retry")]
    Unreachable(String),
    /// The chain refused a transaction or call (revert, bad nonce, no funds).
    #[error("the chain refused: {0}")]
    Refused(String),
    /// The request cannot work on this chain (a DID of another network, another DID method,
    /// a status registry on another chain).
    #[error("{0}")]
    Unsupported(String),
    /// The chain answered something inconsistent (a broken event history, a malformed answer).
    #[error("the chain's answer is inconsistent: {0}")]
    Inconsistent(String),
    /// Local storage of the embedded chain failed.
    #[error("embedded chain storage: {0}")]
    Storage(String),
}

impl LedgerError {
    /// Whether retrying later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unreachable(_))
    }
}

/// The two status bits of a credential.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct StatusBits {
    /// Revoked (permanent).
    pub revoked: bool,
    /// Suspended (can be lifted).
    pub suspended: bool,
}

/// Everything one verification needs from the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// DIDs whose current documents are needed (issuer, holder).
    pub dids: Vec<Did>,
    /// Status entries whose bits are needed.
    pub statuses: Vec<StatusEntry>,
}

/// The answer to a [`Lookup`].
#[derive(Clone, Debug, Default)]
pub struct Fetched {
    /// The verification keys of the resolved DIDs (and why a DID could not be resolved).
    pub keys: KeySet,
    /// The bits of each requested status entry, in request order; `Err` says why one could not be
    /// read (e.g. the entry names another chain).
    pub statuses: Vec<Result<StatusBits, LedgerError>>,
    /// Round trips the fetch made.
    pub round_trips: u64,
}

/// Verification methods from resolved DID documents, each with the relationships that list it.
/// A [`KeyResolver`], so the proof checks run offline on what was fetched.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    methods: BTreeMap<DidUrl, (PublicKeyMaterial, BTreeSet<ProofPurpose>)>,
    failures: BTreeMap<Did, String>,
    resolved: BTreeSet<Did>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `did` resolved (even if it lists no usable key).
    pub fn mark_resolved(&mut self, did: Did) {
        self.resolved.insert(did);
    }

    /// Adds a verification method its document lists under `purposes`.
    pub fn insert(&mut self, method: DidUrl, key: PublicKeyMaterial, purposes: &[ProofPurpose]) {
        self.resolved.insert(method.did());
        let entry = self
            .methods
            .entry(method)
            .or_insert_with(|| (key, BTreeSet::new()));
        entry.1.extend(purposes.iter().copied());
    }

    /// Records why `did` could not be resolved.
    pub fn fail(&mut self, did: Did, reason: String) {
        self.failures.insert(did, reason);
    }

    /// Whether `did` was resolved.
    pub fn is_resolved(&self, did: &Did) -> bool {
        self.resolved.contains(did)
    }

    /// Why `did` could not be resolved, if it could not.
    pub fn failure(&self, did: &Did) -> Option<&str> {
        self.failures.get(did).map(String::as_str)
    }

    /// The methods of `did` listed for `purpose`.
    pub fn methods_for(&self, did: &Did, purpose: ProofPurpose) -> Vec<&DidUrl> {
        self.methods
            .iter()
            .filter(|(m, (_, ps))| m.did() == *did && ps.contains(&purpose))
            .map(|(m, _)| m)
            .collect()
    }
}

impl KeyResolver for KeySet {
    fn resolve(&self, vm: &str, purpose: ProofPurpose) -> Result<PublicKeyMaterial, ProofError> {
        let fail = |reason: String| ProofError::VerificationMethod {
            id: vm.chars().take(200).collect(),
            reason,
        };
        if vm.starts_with("did:key:") {
            return StaticResolver::new().resolve(vm, purpose);
        }
        let url = DidUrl::parse(vm).map_err(|e| fail(e.to_string()))?;
        let did = url.did();
        if let Some(reason) = self.failures.get(&did) {
            return Err(fail(format!("{did} could not be resolved: {reason}")));
        }
        if !self.resolved.contains(&did) {
            return Err(fail(format!("{did} was not resolved")));
        }
        let (key, purposes) = self.methods.get(&url).ok_or_else(|| {
            fail(format!(
                "{did} does not list it (revoked, expired or never published)"
            ))
        })?;
        if !purposes.contains(&purpose) {
            return Err(fail(format!("not authorised for {purpose} by {did}")));
        }
        Ok(key.clone())
    }
}

/// Reads what a verification needs, together.
pub trait TrustSource: Send + Sync {
    /// Resolves every DID of `lookup` and reads every status entry, as of the chain head.
    ///
    /// # Errors
    /// [`LedgerError::Unreachable`] when the node cannot be reached; per-DID and per-entry
    /// problems go into [`Fetched`] instead.
    fn fetch(&self, lookup: &Lookup) -> Result<Fetched, LedgerError>;
}

/// What a published key is for: the `did:ethr` attribute purposes (`veriKey` for
/// assertionMethod, `sigAuth` for authentication and assertionMethod).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyUse {
    /// `did/pub/Multikey/veriKey`: signs credentials (assertionMethod).
    Assertion,
    /// `did/pub/Multikey/sigAuth`: signs presentations (authentication).
    Authentication,
}

/// A key to publish in a DID document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishKey {
    /// The public key.
    pub key: PublicKeyMaterial,
    /// What it is for.
    pub use_: KeyUse,
}

/// What [`Ledger::register`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The new identity's DID.
    pub did: Did,
    /// The verification method id of each published key, in the order given.
    pub methods: Vec<DidUrl>,
    /// The block of the last transaction.
    pub block: u64,
}

/// A change to a credential's status bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusChange {
    /// Sets the revocation bit (permanent).
    Revoke,
    /// Sets the suspension bit.
    Suspend,
    /// Clears the suspension bit.
    Unsuspend,
}

/// Chain writes for issuers and holders, plus the reads of [`TrustSource`].
pub trait Ledger: TrustSource {
    /// The chain id.
    ///
    /// # Errors
    /// [`LedgerError::Unreachable`].
    fn chain_id(&self) -> Result<u64, LedgerError>;

    /// The status contract new credentials name.
    fn status_registry(&self) -> ChainAccount;

    /// The DID of the secp256k1 `account` on this chain.
    ///
    /// # Errors
    /// [`LedgerError::Unsupported`] if `account` is not a secp256k1 key.
    fn did_of(&self, account: &KeySecret) -> Result<Did, LedgerError>;

    /// Makes `account`'s did:ethr identity usable: names its owner (the status registry needs
    /// it), publishes `keys` (valid for `validity_seconds`), and returns the DID and the method
    /// ids of the keys. On a development chain the account is funded first.
    ///
    /// # Errors
    /// [`LedgerError`].
    fn register(
        &self,
        account: &KeySecret,
        keys: &[PublishKey],
        validity_seconds: u64,
    ) -> Result<Registered, LedgerError>;

    /// Withdraws a key [`Ledger::register`] published for `account`'s identity (ERC-1056
    /// `revokeAttribute`): resolvers no longer list it from the returned block on.
    ///
    /// # Errors
    /// [`LedgerError`].
    fn revoke_key(&self, account: &KeySecret, key: &PublishKey) -> Result<u64, LedgerError>;

    /// Changes the status bits of `entry`, signed by `account` (the issuer's owner key).
    ///
    /// # Errors
    /// [`LedgerError::Refused`] when the contract refuses (not the owner, lifting a
    /// revocation).
    fn set_status(
        &self,
        account: &KeySecret,
        entry: &StatusEntry,
        change: StatusChange,
    ) -> Result<(), LedgerError>;

    /// The DID document of `did`, now or as of `at_block`, as JSON.
    ///
    /// # Errors
    /// [`LedgerError`].
    fn resolve_document(
        &self,
        did: &Did,
        at_block: Option<u64>,
    ) -> Result<serde_json::Value, LedgerError>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn key_set_checks_purpose_and_resolution() {
        let did = Did::parse("did:ethr:0x539:0x01").unwrap();
        let vm = did.with_fragment("delegate-1").unwrap();
        let key = PublicKeyMaterial::Ed25519([9; 32]);
        let mut set = KeySet::new();
        set.insert(vm.clone(), key.clone(), &[ProofPurpose::Authentication]);
        assert_eq!(
            set.resolve(vm.as_str(), ProofPurpose::Authentication)
                .unwrap(),
            key
        );
        let err = set
            .resolve(vm.as_str(), ProofPurpose::AssertionMethod)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("not authorised for assertionMethod"),
            "{err}"
        );
        let err = set
            .resolve(
                "did:ethr:0x539:0x01#delegate-2",
                ProofPurpose::Authentication,
            )
            .unwrap_err();
        assert!(err.to_string().contains("does not list it"), "{err}");
        let err = set
            .resolve(
                "did:ethr:0x539:0x02#delegate-1",
                ProofPurpose::Authentication,
            )
            .unwrap_err();
        assert!(err.to_string().contains("was not resolved"), "{err}");
        set.fail(
            Did::parse("did:ethr:0x1:0x02").unwrap(),
            "wrong network".into(),
        );
        let err = set
            .resolve("did:ethr:0x1:0x02#delegate-1", ProofPurpose::Authentication)
            .unwrap_err();
        assert!(err.to_string().contains("wrong network"), "{err}");
        assert_eq!(
            set.methods_for(&did, ProofPurpose::Authentication),
            vec![&vm]
        );
    }
}
