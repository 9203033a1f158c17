//! The compiled contracts (artifacts produced by `tools/evm/compile.mjs` with solc 0.8.37,
//! committed, and re-checked by the test script) and their ABI bindings.

use alloy::primitives::{Address, Bytes, U256, keccak256};
use alloy::sol_types::SolValue;

use crate::chain::{Chain, ChainError, Request, TxSigner, deploy, expect_number};

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

    /// The embedded chain's contracts, deployed on first use: a fixed development deployer key
    /// (derived from a public string, so it protects nothing and holds only gas money) deploys
    /// both contracts with its first two transactions, so their addresses are the same on every
    /// DevChain — and on a fresh anvil started with `--chain-id 1337`.
    ///
    /// # Errors
    /// Chain errors; [`ChainError::DevOnly`] on chains where the deployer cannot be funded.
    pub fn dev_default(chain: &dyn Chain) -> Result<Self, ChainError> {
        let deployer =
            TxSigner::from_bytes(keccak256(b"siegel development deployer v1").as_slice())?;
        let expected = Self {
            did_registry: deployer.address().create(0),
            status_registry: deployer.address().create(1),
        };
        let nonce = expect_number(
            chain
                .batch(&[Request::Nonce(deployer.address())])?
                .into_iter()
                .next(),
        )?;
        match nonce {
            0 => {
                chain.dev_fund(deployer.address(), U256::from(10u128.pow(18)))?;
                let deployed = Self::deploy(chain, &deployer)?;
                debug_assert_eq!(deployed, expected);
                Ok(deployed)
            }
            1 => Err(ChainError::Unexpected(
                "the development deployer deployed only one contract; start a fresh dev chain"
                    .into(),
            )),
            _ => Ok(expected),
        }
    }
}
