//! Siegel's on-chain registry: the unmodified ERC-1056 `EthereumDIDRegistry` and Siegel's
//! `CredentialStatusRegistry`, the [`Chain`](chain::Chain) they run on (an embedded revm chain or
//! any JSON-RPC node), the `did:ethr` resolver, and `wallet-core`'s ledger traits on top
//! ([`ledger::ChainLedger`]).
#![forbid(unsafe_code)]

pub mod chain;
pub mod connect;
pub mod contracts;
pub mod did;
pub mod identity;
pub mod ledger;
pub mod resolver;
