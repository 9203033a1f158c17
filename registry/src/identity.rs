//! Writing to the ERC-1056 registry and the status registry: owner changes, delegates,
//! attributes (including published keys), status bits — directly, or as meta-transactions that a
//! relayer submits and pays for.

use std::sync::Arc;

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::sol_types::{SolCall, SolInterface, SolValue};

use wallet_core::di::{BLS12_381_G2_PUB, ED25519_PUB, Multikey};

use crate::chain::{
    BlockRef, Chain, ChainError, Receipt, Request, TxSigner, expect_bytes, send_call,
};
use crate::contracts::{
    CredentialStatusRegistry as Status, Deployment, EthereumDIDRegistry as Erc1056,
};

/// A key published as a `did/pub/Multikey/veriKey` attribute (did:ethr method spec): the value is
/// the multicodec-prefixed public key, shown as `publicKeyMultibase` in the DID document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishedKey {
    /// Ed25519 public key, multicodec `ed25519-pub` (0xed).
    Ed25519([u8; 32]),
    /// BLS12-381 G2 public key (a BBS issuer key), multicodec `bls12_381-g2-pub` (0xeb).
    Bls12381G2([u8; 96]),
}

/// The attribute name under which keys are published.
pub const MULTIKEY_ATTRIBUTE: &str = "did/pub/Multikey/veriKey";

impl PublishedKey {
    /// The multicodec-prefixed bytes (unsigned-varint code, then the key).
    pub fn multikey_bytes(&self) -> Vec<u8> {
        match self {
            PublishedKey::Ed25519(k) => [&ED25519_PUB[..], k].concat(),
            PublishedKey::Bls12381G2(k) => [&BLS12_381_G2_PUB[..], k].concat(),
        }
    }

    /// The `publicKeyMultibase` form (base58btc, `z` prefix).
    pub fn multibase(&self) -> String {
        Multikey::encode_prefixed(&self.multikey_bytes())
    }
}

/// Pads an attribute name or delegate type to `bytes32` as ERC-1056 tools do (UTF-8, zero-filled).
///
/// # Errors
/// [`ChainError::Rejected`] for names over 32 bytes.
pub fn bytes32_name(name: &str) -> Result<B256, ChainError> {
    let b = name.as_bytes();
    if b.len() > 32 {
        return Err(ChainError::Rejected(format!(
            "{name:?} is longer than 32 bytes"
        )));
    }
    let mut out = [0u8; 32];
    out[..b.len()].copy_from_slice(b);
    Ok(B256::from(out))
}

/// Status purposes of the status registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum StatusPurpose {
    /// Permanently revoked: the registry sets these bits and never clears them
    /// ([`StatusRefusal::RevocationIsPermanent`]).
    Revocation = 0,
    /// Temporarily suspended: set and cleared at will.
    Suspension = 1,
}

/// Why the status registry refused a change: its custom errors, one variant each, so that a caller
/// can tell a refusal that nothing will lift (a revocation) from one that another key, a named
/// owner or a fresh signature would.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusRefusal {
    /// A revocation bit was to be cleared; revocation is permanent. Suspension is the status that
    /// can be lifted.
    #[error(
        "credential {index} of issuer {issuer} is revoked, and revocation is permanent; use suspension for a status that can be lifted"
    )]
    RevocationIsPermanent {
        /// The issuer identity.
        issuer: Address,
        /// The credential's status index.
        index: U256,
    },
    /// The issuer's ERC-1056 owner entry is empty: its DID was deactivated, or it has not named
    /// an owner yet (see [`Registry::set_status`] for why the two look alike on chain).
    #[error(
        "issuer {issuer} has no named owner in the DID registry: its DID is deactivated, or it must first name its owner (changeOwner to its own address)"
    )]
    IssuerHasNoOwner {
        /// The issuer identity.
        issuer: Address,
    },
    /// The writer is neither the issuer's owner nor a valid `sigAuth` delegate of it.
    #[error(
        "{actor} may not change the status of issuer {issuer}'s credentials: it is neither the owner nor a valid sigAuth delegate"
    )]
    NotAuthorized {
        /// The issuer identity.
        issuer: Address,
        /// The key that tried to write.
        actor: Address,
    },
    /// A purpose the registry does not know.
    #[error("unknown status purpose {0}")]
    UnknownPurpose(u8),
    /// A signed change submitted after its deadline.
    #[error("the signed status change expired (deadline {deadline}); sign it again")]
    SignatureExpired {
        /// The deadline the signature carried (Unix seconds).
        deadline: U256,
    },
    /// A signed change whose signature is not the named signer's over the current digest (a
    /// wrong key, or a nonce used up by another change).
    #[error("the status change is not signed by the signer it names, or its nonce is used up")]
    BadSignature,
}

impl StatusRefusal {
    /// Decodes a custom error of the status registry from a revert payload.
    fn from_revert_data(data: &[u8]) -> Option<Self> {
        use Status::CredentialStatusRegistryErrors as E;
        Some(match E::abi_decode(data).ok()? {
            E::RevocationIsPermanent(e) => Self::RevocationIsPermanent {
                issuer: e.issuer,
                index: e.index,
            },
            E::IssuerHasNoOwner(e) => Self::IssuerHasNoOwner { issuer: e.issuer },
            E::NotAuthorized(e) => Self::NotAuthorized {
                issuer: e.issuer,
                actor: e.actor,
            },
            E::UnknownPurpose(e) => Self::UnknownPurpose(e.purpose),
            E::SignatureExpired(e) => Self::SignatureExpired {
                deadline: e.deadline,
            },
            E::BadSignature(_) => Self::BadSignature,
        })
    }
}

/// Why a status change failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The status registry refused the change.
    #[error("the status registry refused the change: {0}")]
    Refused(StatusRefusal),
    /// Any other chain failure (transport, a rejected transaction, ...).
    #[error(transparent)]
    Chain(ChainError),
}

impl From<ChainError> for StatusError {
    /// A revert that carries one of the status registry's custom errors becomes
    /// [`StatusError::Refused`]; everything else stays a [`ChainError`].
    fn from(e: ChainError) -> Self {
        // Reverts that are not `Error(string)` reach us as "0x" + the hex payload
        // (`chain::revert_reason`), on DevChain and on JSON-RPC nodes alike.
        let refusal = match &e {
            ChainError::Reverted { reason } => reason
                .strip_prefix("0x")
                .and_then(|h| hex::decode(h).ok())
                .and_then(|data| StatusRefusal::from_revert_data(&data)),
            _ => None,
        };
        match refusal {
            Some(r) => Self::Refused(r),
            None => Self::Chain(e),
        }
    }
}

/// The registry contracts on one chain. An owned handle: cloning it shares the chain, and it can
/// move to a worker thread.
#[derive(Clone)]
pub struct Registry {
    chain: Arc<dyn Chain>,
    deployment: Deployment,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("deployment", &self.deployment)
            .finish_non_exhaustive()
    }
}

fn decode<T>(r: Result<T, alloy::sol_types::Error>) -> Result<T, ChainError> {
    r.map_err(|e| ChainError::Unexpected(format!("undecodable contract answer: {e}")))
}

impl Registry {
    /// The contracts at `deployment` on `chain`.
    pub fn new(chain: Arc<dyn Chain>, deployment: Deployment) -> Self {
        Self { chain, deployment }
    }

    /// The chain.
    pub fn chain(&self) -> &Arc<dyn Chain> {
        &self.chain
    }

    /// The contract addresses.
    pub fn deployment(&self) -> Deployment {
        self.deployment
    }

    fn erc1056(&self, signer: &TxSigner, data: Vec<u8>) -> Result<Receipt, ChainError> {
        send_call(
            &*self.chain,
            signer,
            self.deployment.did_registry,
            Bytes::from(data),
        )
    }

    /// Runs a view function at the chain head and decodes its result.
    fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, ChainError> {
        let answers = self.chain.batch(&[Request::Call {
            from: None,
            to,
            data: Bytes::from(call.abi_encode()),
            block: BlockRef::Latest,
        }])?;
        let out = expect_bytes(answers.into_iter().next())?;
        decode(C::abi_decode_returns(&out))
    }

    // ---- reads -----------------------------------------------------------------------------------

    /// `identityOwner(identity)`.
    ///
    /// # Errors
    /// Chain errors.
    pub fn owner(&self, identity: Address) -> Result<Address, ChainError> {
        self.view(
            self.deployment.did_registry,
            &Erc1056::identityOwnerCall { identity },
        )
    }

    /// `owners(identity)`: the owner entry itself — the zero address until the identity names
    /// an owner (and again after a deactivation), where [`Registry::owner`] answers the identity.
    /// The status registry requires a named owner ([`Registry::set_status`]).
    ///
    /// # Errors
    /// Chain errors.
    pub fn named_owner(&self, identity: Address) -> Result<Address, ChainError> {
        self.view(self.deployment.did_registry, &Erc1056::ownersCall(identity))
    }

    /// The meta-transaction nonce of `signer`.
    ///
    /// # Errors
    /// Chain errors.
    pub fn nonce(&self, signer: Address) -> Result<U256, ChainError> {
        self.view(self.deployment.did_registry, &Erc1056::nonceCall(signer))
    }

    /// `validDelegate(identity, delegateType, delegate)`.
    ///
    /// # Errors
    /// Chain errors.
    pub fn valid_delegate(
        &self,
        identity: Address,
        delegate_type: &str,
        delegate: Address,
    ) -> Result<bool, ChainError> {
        let call = Erc1056::validDelegateCall {
            identity,
            delegateType: bytes32_name(delegate_type)?,
            delegate,
        };
        self.view(self.deployment.did_registry, &call)
    }

    // ---- direct transactions (the owner pays) ------------------------------------------------------

    /// `changeOwner(identity, newOwner)`, sent by the current owner.
    ///
    /// # Errors
    /// [`ChainError::Reverted`] (`bad_actor`) if `owner` does not own the identity.
    pub fn change_owner(
        &self,
        owner: &TxSigner,
        identity: Address,
        new_owner: Address,
    ) -> Result<Receipt, ChainError> {
        self.erc1056(
            owner,
            Erc1056::changeOwnerCall {
                identity,
                newOwner: new_owner,
            }
            .abi_encode(),
        )
    }

    /// `addDelegate(identity, delegateType, delegate, validity)`.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn add_delegate(
        &self,
        owner: &TxSigner,
        identity: Address,
        delegate_type: &str,
        delegate: Address,
        validity_secs: u64,
    ) -> Result<Receipt, ChainError> {
        let call = Erc1056::addDelegateCall {
            identity,
            delegateType: bytes32_name(delegate_type)?,
            delegate,
            validity: U256::from(validity_secs),
        };
        self.erc1056(owner, call.abi_encode())
    }

    /// `revokeDelegate(identity, delegateType, delegate)`.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn revoke_delegate(
        &self,
        owner: &TxSigner,
        identity: Address,
        delegate_type: &str,
        delegate: Address,
    ) -> Result<Receipt, ChainError> {
        let call = Erc1056::revokeDelegateCall {
            identity,
            delegateType: bytes32_name(delegate_type)?,
            delegate,
        };
        self.erc1056(owner, call.abi_encode())
    }

    /// `setAttribute(identity, name, value, validity)`.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn set_attribute(
        &self,
        owner: &TxSigner,
        identity: Address,
        name: &str,
        value: &[u8],
        validity_secs: u64,
    ) -> Result<Receipt, ChainError> {
        let call = Erc1056::setAttributeCall {
            identity,
            name: bytes32_name(name)?,
            value: Bytes::copy_from_slice(value),
            validity: U256::from(validity_secs),
        };
        self.erc1056(owner, call.abi_encode())
    }

    /// `revokeAttribute(identity, name, value)`.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn revoke_attribute(
        &self,
        owner: &TxSigner,
        identity: Address,
        name: &str,
        value: &[u8],
    ) -> Result<Receipt, ChainError> {
        let call = Erc1056::revokeAttributeCall {
            identity,
            name: bytes32_name(name)?,
            value: Bytes::copy_from_slice(value),
        };
        self.erc1056(owner, call.abi_encode())
    }

    /// Publishes `key` as a Multikey verification method for `validity_secs`.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn publish_key(
        &self,
        owner: &TxSigner,
        identity: Address,
        key: &PublishedKey,
        validity_secs: u64,
    ) -> Result<Receipt, ChainError> {
        self.set_attribute(
            owner,
            identity,
            MULTIKEY_ATTRIBUTE,
            &key.multikey_bytes(),
            validity_secs,
        )
    }

    /// Withdraws a published key.
    ///
    /// # Errors
    /// As [`Registry::change_owner`].
    pub fn revoke_key(
        &self,
        owner: &TxSigner,
        identity: Address,
        key: &PublishedKey,
    ) -> Result<Receipt, ChainError> {
        self.revoke_attribute(owner, identity, MULTIKEY_ATTRIBUTE, &key.multikey_bytes())
    }

    // ---- meta-transactions (a relayer pays) ---------------------------------------------------------

    /// The ERC-1056 signed-message hash:
    /// `keccak256(0x19 0x00 registry nonce(owner) identity <action> <args...>)`.
    fn meta_hash(
        &self,
        owner: &TxSigner,
        identity: Address,
        tail: &[u8],
    ) -> Result<B256, ChainError> {
        let nonce = self.nonce(owner.address())?;
        let mut msg = vec![0x19, 0x00];
        msg.extend_from_slice(self.deployment.did_registry.as_slice());
        msg.extend_from_slice(&nonce.to_be_bytes::<32>());
        msg.extend_from_slice(identity.as_slice());
        msg.extend_from_slice(tail);
        Ok(keccak256(msg))
    }

    /// `setAttributeSigned`: `owner` signs, `relayer` submits and pays.
    ///
    /// # Errors
    /// [`ChainError::Reverted`] (`bad_signature`) if `owner` does not own the identity.
    pub fn set_attribute_signed(
        &self,
        relayer: &TxSigner,
        owner: &TxSigner,
        identity: Address,
        name: &str,
        value: &[u8],
        validity_secs: u64,
    ) -> Result<Receipt, ChainError> {
        let name = bytes32_name(name)?;
        let validity = U256::from(validity_secs);
        let tail = [
            b"setAttribute".as_slice(),
            name.as_slice(),
            value,
            &validity.to_be_bytes::<32>(),
        ]
        .concat();
        let (v, r, s) = owner.sign_digest(self.meta_hash(owner, identity, &tail)?)?;
        let call = Erc1056::setAttributeSignedCall {
            identity,
            sigV: v,
            sigR: r,
            sigS: s,
            name,
            value: Bytes::copy_from_slice(value),
            validity,
        };
        self.erc1056(relayer, call.abi_encode())
    }

    /// `changeOwnerSigned`.
    ///
    /// # Errors
    /// As [`Registry::set_attribute_signed`].
    pub fn change_owner_signed(
        &self,
        relayer: &TxSigner,
        owner: &TxSigner,
        identity: Address,
        new_owner: Address,
    ) -> Result<Receipt, ChainError> {
        let tail = [b"changeOwner".as_slice(), new_owner.as_slice()].concat();
        let (v, r, s) = owner.sign_digest(self.meta_hash(owner, identity, &tail)?)?;
        let call = Erc1056::changeOwnerSignedCall {
            identity,
            sigV: v,
            sigR: r,
            sigS: s,
            newOwner: new_owner,
        };
        self.erc1056(relayer, call.abi_encode())
    }

    /// `addDelegateSigned`.
    ///
    /// # Errors
    /// As [`Registry::set_attribute_signed`].
    pub fn add_delegate_signed(
        &self,
        relayer: &TxSigner,
        owner: &TxSigner,
        identity: Address,
        delegate_type: &str,
        delegate: Address,
        validity_secs: u64,
    ) -> Result<Receipt, ChainError> {
        let delegate_type = bytes32_name(delegate_type)?;
        let validity = U256::from(validity_secs);
        let tail = [
            b"addDelegate".as_slice(),
            delegate_type.as_slice(),
            delegate.as_slice(),
            &validity.to_be_bytes::<32>(),
        ]
        .concat();
        let (v, r, s) = owner.sign_digest(self.meta_hash(owner, identity, &tail)?)?;
        let call = Erc1056::addDelegateSignedCall {
            identity,
            sigV: v,
            sigR: r,
            sigS: s,
            delegateType: delegate_type,
            delegate,
            validity,
        };
        self.erc1056(relayer, call.abi_encode())
    }

    // ---- credential status ---------------------------------------------------------------------------

    /// Reads one status bit.
    ///
    /// # Errors
    /// Chain errors.
    pub fn status(
        &self,
        issuer: Address,
        purpose: StatusPurpose,
        index: u64,
    ) -> Result<bool, ChainError> {
        let call = Status::getStatusCall {
            issuer,
            purpose: purpose as u8,
            index: U256::from(index),
        };
        self.view(self.deployment.status_registry, &call)
    }

    /// Sets or clears one status bit, sent by the issuer's owner or a `sigAuth` delegate.
    ///
    /// The registry's rules (its NatSpec has the full text):
    /// - a revocation bit can be set, never cleared; suspension bits can be set and cleared;
    /// - the issuer's ERC-1056 owner entry (`owners(issuer)`, not `identityOwner`) must name an
    ///   owner, and the writer must be that owner or a valid `sigAuth` delegate.
    ///
    /// Why a named owner: ERC-1056 deactivates a DID with `changeOwner(identity, 0)`, after which
    /// `identityOwner` answers the identity itself and unexpired delegates stay valid, so neither
    /// shows the deactivation. The only trace in storage is the empty owner entry — which an
    /// identity that never changed its owner has too (its `changed` block moves with attribute and
    /// delegate changes as well, so it cannot tell them apart). The registry therefore refuses
    /// every issuer with an empty entry: a deactivated one, and one that has not yet named its
    /// owner, which does so once with [`Registry::change_owner`]`(owner, identity, identity)`.
    /// Limit: the contract sees ERC-1056 as it is now, not its history. The identity's own key can
    /// name an owner again after a deactivation (ERC-1056 allows it; did:ethr resolvers still report
    /// the DID deactivated), and then writes — its own and its unexpired delegates' — resume.
    ///
    /// # Errors
    /// [`StatusError::Refused`] with [`StatusRefusal::RevocationIsPermanent`] for clearing a
    /// revocation, [`StatusRefusal::IssuerHasNoOwner`] for a deactivated or ownerless issuer,
    /// [`StatusRefusal::NotAuthorized`] for anyone but the owner and `sigAuth` delegates;
    /// [`StatusError::Chain`] for chain failures.
    pub fn set_status(
        &self,
        signer: &TxSigner,
        issuer: Address,
        purpose: StatusPurpose,
        index: u64,
        value: bool,
    ) -> Result<Receipt, StatusError> {
        let call = Status::setStatusCall {
            issuer,
            purpose: purpose as u8,
            index: U256::from(index),
            value,
        };
        Ok(send_call(
            &*self.chain,
            signer,
            self.deployment.status_registry,
            Bytes::from(call.abi_encode()),
        )?)
    }

    /// Sets or clears a status bit with an EIP-712 signature by `signer`, submitted by `relayer`.
    /// The same rules as [`Registry::set_status`] apply to `signer`.
    ///
    /// # Errors
    /// As [`Registry::set_status`], and [`StatusRefusal::SignatureExpired`] after `deadline`.
    #[allow(clippy::too_many_arguments, reason = "mirrors the contract function")]
    pub fn set_status_signed(
        &self,
        relayer: &TxSigner,
        signer: &TxSigner,
        issuer: Address,
        purpose: StatusPurpose,
        index: u64,
        value: bool,
        deadline: u64,
    ) -> Result<Receipt, StatusError> {
        let digest_call = Status::setStatusDigestCall {
            issuer,
            purpose: purpose as u8,
            index: U256::from(index),
            value,
            signer: signer.address(),
            deadline: U256::from(deadline),
        };
        let digest = self.view(self.deployment.status_registry, &digest_call)?;
        let (v, r, s) = signer.sign_digest(digest)?;
        let call = Status::setStatusSignedCall {
            issuer,
            purpose: purpose as u8,
            index: U256::from(index),
            value,
            signer: signer.address(),
            deadline: U256::from(deadline),
            v,
            r,
            s,
        };
        Ok(send_call(
            &*self.chain,
            relayer,
            self.deployment.status_registry,
            Bytes::from(call.abi_encode()),
        )?)
    }
}

/// ABI-encodes a value (re-exported convenience for tests and tools).
pub fn abi_encode<T: SolValue>(v: &T) -> Vec<u8> {
    v.abi_encode()
}
