//! Siegel's on-chain registry: the unmodified ERC-1056 `EthereumDIDRegistry` and Siegel's
//! `CredentialStatusRegistry`, the [`Chain`](chain::Chain) they run on (an embedded revm chain or
//! any JSON-RPC node), and the `did:ethr` resolver.
#![forbid(unsafe_code)]

pub mod chain;
pub mod contracts;
pub mod did;
pub mod identity;
pub mod resolver;
