//! A status-transaction workload for the DevChain persistence tests and benchmark: contracts
//! deployed, one issuer that named its owner, then status bits set one transaction at a time.
//!
//! It talks to the contracts through `send_call` and the ABI bindings only (not `Registry`), so it
//! does not depend on how the application layer holds its chain.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use alloy::primitives::{Address, Bytes, U256, keccak256};
use alloy::sol_types::SolCall;
use registry::chain::{Chain, Receipt, Request, Response, TxSigner, send_call};
use registry::contracts::{
    CredentialStatusRegistry as Status, Deployment, EthereumDIDRegistry as Erc1056,
};

/// A deterministic account.
pub(crate) fn account(name: &str) -> TxSigner {
    TxSigner::from_bytes(keccak256(format!("siegel devchain workload {name}")).as_slice()).unwrap()
}

/// The contracts and the issuer that writes status bits.
pub(crate) struct Workload {
    pub(crate) deployment: Deployment,
    pub(crate) issuer: TxSigner,
}

impl Workload {
    /// Deploys the contracts, funds the issuer and names it its own owner (the status registry
    /// refuses issuers without a named owner). Five journal entries: two credits and three transactions.
    pub(crate) fn setup(chain: &dyn Chain) -> Self {
        let deployer = account("deployer");
        let issuer = account("issuer");
        for a in [&deployer, &issuer] {
            chain
                .dev_fund(a.address(), U256::from(10u128.pow(24)))
                .unwrap();
        }
        let deployment = Deployment::deploy(chain, &deployer).unwrap();
        let call = Erc1056::changeOwnerCall {
            identity: issuer.address(),
            newOwner: issuer.address(),
        };
        send_call(
            chain,
            &issuer,
            deployment.did_registry,
            Bytes::from(call.abi_encode()),
        )
        .unwrap();
        Self { deployment, issuer }
    }

    /// Finds the workload's contracts on a chain that already ran [`Workload::setup`].
    pub(crate) fn existing() -> Self {
        let deployer = account("deployer").address();
        Self {
            deployment: Deployment {
                did_registry: deployer.create(0),
                status_registry: deployer.create(1),
            },
            issuer: account("issuer"),
        }
    }

    fn issuer(&self) -> Address {
        self.issuer.address()
    }

    /// Sets (or clears) suspension bit `index`: one transaction.
    pub(crate) fn set(&self, chain: &dyn Chain, index: u64, value: bool) -> Receipt {
        let call = Status::setStatusCall {
            issuer: self.issuer(),
            purpose: 1,
            index: U256::from(index),
            value,
        };
        let r = send_call(
            chain,
            &self.issuer,
            self.deployment.status_registry,
            Bytes::from(call.abi_encode()),
        )
        .unwrap();
        assert!(r.success);
        r
    }

    /// Reads suspension bit `index`.
    pub(crate) fn get(&self, chain: &dyn Chain, index: u64) -> bool {
        let call = Status::getStatusCall {
            issuer: self.issuer(),
            purpose: 1,
            index: U256::from(index),
        };
        let out = chain
            .batch(&[Request::Call {
                from: None,
                to: self.deployment.status_registry,
                data: Bytes::from(call.abi_encode()),
                block: registry::chain::BlockRef::Latest,
            }])
            .unwrap();
        let Some(Response::Bytes(b)) = out.into_iter().next() else {
            panic!("not bytes");
        };
        Status::getStatusCall::abi_decode_returns(&b).unwrap()
    }

    /// `n` status transactions: bit `i * 7 % 4096` set for even `i`, cleared again for odd `i`
    /// (so bits are written more than once and the storage stays small, as in real use).
    pub(crate) fn run(&self, chain: &dyn Chain, from: u64, n: u64) -> Vec<Receipt> {
        (from..from + n)
            .map(|i| self.set(chain, (i * 7) % 4096, i % 2 == 0))
            .collect()
    }
}
