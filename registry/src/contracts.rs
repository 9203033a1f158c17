//! The compiled contracts (artifacts produced by `tools/evm/compile.mjs` with solc 0.8.37,
//! committed, and re-checked by the test script) and their ABI bindings.

use alloy::primitives::{Address, Bytes, U256, keccak256};
use alloy::sol_types::{SolCall, SolValue};

use crate::chain::{
    BlockRef, Chain, ChainError, Request, TxSigner, deploy, expect_bytes, expect_number,
};

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
    /// Calling it again on the same chain finds the deployment (one round trip) instead of
    /// deploying again.
    ///
    /// # Errors
    /// Chain errors; [`ChainError::DevOnly`] on chains where the deployer cannot be funded;
    /// [`ChainError::Unexpected`] when the deployer has been used but the contracts are not
    /// where it puts them.
    pub fn dev_default(chain: &dyn Chain) -> Result<Self, ChainError> {
        let deployer =
            TxSigner::from_bytes(keccak256(b"siegel development deployer v1").as_slice())?;
        let expected = Self {
            did_registry: deployer.address().create(0),
            status_registry: deployer.address().create(1),
        };
        // One round trip: the deployer's nonce, and what the expected status registry says its
        // DID registry is (an address without code answers nothing, which does not decode).
        let mut answers = chain
            .batch(&[
                Request::Nonce(deployer.address()),
                Request::Call {
                    from: None,
                    to: expected.status_registry,
                    data: Bytes::from(CredentialStatusRegistry::didRegistryCall {}.abi_encode()),
                    block: BlockRef::Latest,
                },
            ])?
            .into_iter();
        let nonce = expect_number(answers.next())?;
        let linked = expect_bytes(answers.next())?;
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
            // Deployed before (every command of the CLI opens the chain and asks again): found,
            // if the contracts really are there.
            _ => match CredentialStatusRegistry::didRegistryCall::abi_decode_returns(&linked) {
                Ok(did_registry) if did_registry == expected.did_registry => Ok(expected),
                _ => Err(ChainError::Unexpected(
                    "the development deployer has sent transactions, but its addresses hold no Siegel registry; this chain was not set up by Siegel"
                        .into(),
                )),
            },
        }
    }
}
