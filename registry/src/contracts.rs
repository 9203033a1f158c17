//! The compiled contracts (artifacts produced by `tools/evm/compile.mjs` with solc 0.8.37,
//! committed, and re-checked by the test script) and their ABI bindings.

use alloy::primitives::{Address, Bytes};
use alloy::sol_types::SolValue;

use crate::chain::{Chain, ChainError, TxSigner, deploy};

alloy::sol!(
    #[allow(missing_docs)]
    EthereumDIDRegistry,
    "artifacts/EthereumDIDRegistry.json"
);

alloy::sol!(
    #[allow(missing_docs)]
    CredentialStatusRegistry,
    "artifacts/CredentialStatusRegistry.json"
);

const DID_REGISTRY_ARTIFACT: &str = include_str!("../artifacts/EthereumDIDRegistry.json");
const STATUS_REGISTRY_ARTIFACT: &str = include_str!("../artifacts/CredentialStatusRegistry.json");

fn creation_code(artifact: &str) -> Result<Bytes, ChainError> {
    let v: serde_json::Value =
        serde_json::from_str(artifact).map_err(|e| ChainError::Unexpected(e.to_string()))?;
    serde_json::from_value(v["bytecode"].clone()).map_err(|e| ChainError::Unexpected(e.to_string()))
}

/// Where the two contracts live on a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    /// The ERC-1056 `EthereumDIDRegistry`.
    pub did_registry: Address,
    /// Siegel's `CredentialStatusRegistry`.
    pub status_registry: Address,
}

impl Deployment {
    /// Deploys both contracts from `deployer` (the status registry is bound to the DID registry).
    ///
    /// # Errors
    /// Chain errors.
    pub fn deploy(chain: &dyn Chain, deployer: &TxSigner) -> Result<Self, ChainError> {
        let did_registry = deploy(chain, deployer, creation_code(DID_REGISTRY_ARTIFACT)?)?;
        let mut init = creation_code(STATUS_REGISTRY_ARTIFACT)?.to_vec();
        init.extend_from_slice(&did_registry.abi_encode());
        let status_registry = deploy(chain, deployer, Bytes::from(init))?;
        Ok(Self {
            did_registry,
            status_registry,
        })
    }
}
