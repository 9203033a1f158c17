//! Signing and sending EIP-1559 transactions through any [`Chain`].

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::signers::local::PrivateKeySigner;

use super::{
    BlockRef, Chain, ChainError, LogEntry, Request, Response, expect_block, expect_number,
};

/// Gas limit for contract calls (the registry's calls use < 150k).
const CALL_GAS: u64 = 1_000_000;
/// Gas limit for deployments.
const DEPLOY_GAS: u64 = 5_000_000;
/// Priority fee offered (1 gwei).
const TIP: u128 = 1_000_000_000;

/// The outcome of a mined transaction.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Block it was mined in.
    pub block_number: u64,
    /// Whether it succeeded (EIP-658 status).
    pub success: bool,
    /// Gas used.
    pub gas_used: u64,
    /// Address of a created contract.
    pub contract_address: Option<Address>,
    /// Logs emitted.
    pub logs: Vec<LogEntry>,
}

/// A secp256k1 account that signs transactions: the owner of a `did:ethr` identity, or a relayer.
///
/// The key is held by alloy's `PrivateKeySigner` (k256, zeroized on drop); `Debug` shows only the
/// address.
pub struct TxSigner {
    inner: PrivateKeySigner,
}

impl std::fmt::Debug for TxSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxSigner")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

impl TxSigner {
    /// From 32 secret bytes (e.g. a vault `secp256k1` key).
    ///
    /// # Errors
    /// [`ChainError::Rejected`] for bytes that are not a valid secp256k1 secret.
    pub fn from_bytes(secret: &[u8]) -> Result<Self, ChainError> {
        let b: [u8; 32] = secret
            .try_into()
            .map_err(|_| ChainError::Rejected("secp256k1 secret keys are 32 bytes".into()))?;
        let inner = PrivateKeySigner::from_bytes(&B256::from(b))
            .map_err(|e| ChainError::Rejected(format!("invalid secp256k1 key: {e}")))?;
        Ok(Self { inner })
    }

    /// A fresh random account.
    ///
    /// # Errors
    /// If the OS random number generator fails.
    pub fn random() -> Result<Self, ChainError> {
        let mut b = zeroize::Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(&mut b[..]).map_err(|e| ChainError::Rejected(e.to_string()))?;
            if let Ok(s) = Self::from_bytes(&b[..]) {
                return Ok(s);
            }
        }
    }

    /// The Ethereum address.
    pub fn address(&self) -> Address {
        self.inner.address()
    }

    /// Signs a 32-byte digest (for meta-transactions), returning (v, r, s) with v in {27, 28}.
    ///
    /// # Errors
    /// Signing failures (not expected with a valid key).
    pub fn sign_digest(&self, digest: B256) -> Result<(u8, B256, B256), ChainError> {
        use alloy::signers::SignerSync;
        let sig = self
            .inner
            .sign_hash_sync(&digest)
            .map_err(|e| ChainError::Rejected(e.to_string()))?;
        let v = 27 + u8::from(sig.v());
        Ok((v, B256::from(sig.r()), B256::from(sig.s())))
    }
}

fn sign_and_send(
    chain: &dyn Chain,
    signer: &TxSigner,
    to: TxKind,
    data: Bytes,
    gas_limit: u64,
) -> Result<Receipt, ChainError> {
    let chain_id = chain.chain_id()?;
    let answers = chain.batch(&[
        Request::Nonce(signer.address()),
        Request::Block(BlockRef::Latest),
    ])?;
    let mut it = answers.into_iter();
    let nonce = expect_number(it.next())?;
    let head = expect_block(it.next())?;
    let mut tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        // Enough for the base fee to double twice before inclusion.
        max_fee_per_gas: head.base_fee * 4 + TIP,
        max_priority_fee_per_gas: TIP,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input: data,
    };
    let sig = signer
        .inner
        .sign_transaction_sync(&mut tx)
        .map_err(|e| ChainError::Rejected(e.to_string()))?;
    let envelope = TxEnvelope::Eip1559(tx.into_signed(sig));
    let receipt = chain.send_raw_transaction(&envelope.encoded_2718())?;
    Ok(receipt)
}

/// Calls `to` with `data` as a transaction from `signer`. The call is simulated first, so a
/// revert is reported with its reason and costs nothing.
///
/// # Errors
/// [`ChainError::Reverted`] with the contract's reason, or transport/rejection errors.
pub fn send_call(
    chain: &dyn Chain,
    signer: &TxSigner,
    to: Address,
    data: Bytes,
) -> Result<Receipt, ChainError> {
    chain.batch(&[Request::Call {
        from: Some(signer.address()),
        to,
        data: data.clone(),
        block: BlockRef::Latest,
    }])?;
    let receipt = sign_and_send(chain, signer, TxKind::Call(to), data, CALL_GAS)?;
    if !receipt.success {
        return Err(ChainError::Reverted {
            reason: format!("transaction {} failed on chain", receipt.tx_hash),
        });
    }
    Ok(receipt)
}

/// Deploys `init_code` (creation bytecode with constructor arguments) from `signer`.
///
/// # Errors
/// As [`send_call`]; [`ChainError::Unexpected`] if no contract address comes back.
pub fn deploy(
    chain: &dyn Chain,
    signer: &TxSigner,
    init_code: Bytes,
) -> Result<Address, ChainError> {
    let receipt = sign_and_send(chain, signer, TxKind::Create, init_code, DEPLOY_GAS)?;
    if !receipt.success {
        return Err(ChainError::Reverted {
            reason: "contract creation failed".into(),
        });
    }
    receipt
        .contract_address
        .ok_or_else(|| ChainError::Unexpected("no contract address in receipt".into()))
}

/// Reads the balance of `address`.
///
/// # Errors
/// Transport errors.
pub fn balance(chain: &dyn Chain, address: Address) -> Result<U256, ChainError> {
    match chain
        .batch(&[Request::Balance(address)])?
        .into_iter()
        .next()
    {
        Some(Response::Amount(a)) => Ok(a),
        other => Err(ChainError::Unexpected(format!(
            "expected a balance, got {other:?}"
        ))),
    }
}
