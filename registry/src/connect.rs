//! Which chain a wallet uses, and opening it: the embedded development chain in the data
//! directory (the default), one at another path, or a JSON-RPC node. The `siegel` CLI and the
//! desktop app both open chains here, so a setting means the same in both.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use wallet_core::home::Home;

use crate::chain::dev::DevChainError;
use crate::chain::{Chain, ChainError, DevChain, RpcChain};
use crate::contracts::Deployment;
use crate::ledger::ChainLedger;

/// Which chain to use. Written as `dev`, `dev:PATH` or an `http(s)://` URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChainSpec {
    /// The embedded chain in the data directory.
    #[default]
    Dev,
    /// The embedded chain with its journal at this path.
    DevAt(PathBuf),
    /// A JSON-RPC node at this URL.
    Rpc(String),
}

/// A chain setting that is none of `dev`, `dev:PATH`, `http(s)://…`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadChainSpec(String);

impl FromStr for ChainSpec {
    type Err = BadChainSpec;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "dev" {
            Ok(Self::Dev)
        } else if let Some(path) = s.strip_prefix("dev:") {
            if path.is_empty() {
                Err(BadChainSpec(
                    "`dev:` needs a path, e.g. dev:/tmp/shared/chain".into(),
                ))
            } else {
                Ok(Self::DevAt(PathBuf::from(path)))
            }
        } else if s.starts_with("http://") || s.starts_with("https://") {
            Ok(Self::Rpc(s.to_owned()))
        } else {
            Err(BadChainSpec(format!(
                "`{s}` is not a chain: use `dev`, `dev:PATH` or an http(s):// URL"
            )))
        }
    }
}

impl fmt::Display for ChainSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dev => f.write_str("dev"),
            Self::DevAt(p) => write!(f, "dev:{}", p.display()),
            Self::Rpc(url) => f.write_str(url),
        }
    }
}

impl ChainSpec {
    /// The embedded chain's journal, when this is one.
    pub fn dev_path(&self, home: &Home) -> Option<PathBuf> {
        match self {
            Self::Dev => Some(home.dev_chain_path()),
            Self::DevAt(p) => Some(p.clone()),
            Self::Rpc(_) => None,
        }
    }

    /// How to name the chain to a person: "embedded chain at PATH" or "chain node at URL".
    pub fn label(&self, home: &Home) -> String {
        match self.dev_path(home) {
            Some(p) => format!("embedded chain at {}", p.display()),
            None => format!("chain node at {self}"),
        }
    }
}

/// Why a chain could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The node does not answer (retry later).
    #[error("the {what} is unreachable — is it running? retry ({detail})")]
    Unreachable {
        /// The chain, as [`ChainSpec::label`] names it.
        what: String,
        /// The transport error.
        detail: String,
    },
    /// Another process has the embedded chain open (retry when it is done).
    #[error(
        "the embedded chain at {} is in use by another Siegel program (the desktop wallet, or another siegel command); quit it or wait for it to finish, then retry",
        .0.display()
    )]
    InUse(PathBuf),
    /// The embedded chain cannot be opened (damaged, unreadable, or its directory cannot be
    /// made).
    #[error("the embedded chain cannot be opened: {0}")]
    Embedded(String),
    /// The chain answers but the Siegel contracts are not on it.
    #[error("the Siegel contracts are not available on the {what}: {detail}")]
    NoContracts {
        /// The chain.
        what: String,
        /// Why.
        detail: String,
    },
}

impl ConnectError {
    /// Whether trying again later can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::InUse(_))
    }
}

/// An open chain with the Siegel contracts on it.
#[derive(Clone)]
pub struct Connection {
    /// The chain.
    pub chain: Arc<dyn Chain>,
    /// Where the contracts are.
    pub deployment: Deployment,
    /// The chain as a person reads it.
    pub label: String,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("label", &self.label)
            .field("deployment", &self.deployment)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Opens the chain `spec` names for the wallet in `home`. An embedded chain is created (and
    /// the contracts deployed) the first time; on a node the contracts are found at the
    /// development addresses.
    ///
    /// # Errors
    /// [`ConnectError`], in words a person can act on.
    pub fn open(spec: &ChainSpec, home: &Home) -> Result<Self, ConnectError> {
        let label = spec.label(home);
        let chain: Arc<dyn Chain> = match spec {
            ChainSpec::Dev => Arc::new(open_dev(&home.dev_chain_path())?),
            ChainSpec::DevAt(path) => Arc::new(open_dev(path)?),
            ChainSpec::Rpc(url) => {
                Arc::new(
                    RpcChain::connect(url).map_err(|e| ConnectError::Unreachable {
                        what: label.clone(),
                        detail: e.to_string(),
                    })?,
                )
            }
        };
        Self::with_chain(chain, label)
    }

    /// A connection to a chain already open (the demo shares one among its participants).
    ///
    /// # Errors
    /// [`ConnectError::Unreachable`], [`ConnectError::NoContracts`].
    pub fn with_chain(chain: Arc<dyn Chain>, label: String) -> Result<Self, ConnectError> {
        let deployment = Deployment::dev_default(chain.as_ref()).map_err(|e| match e {
            ChainError::Transport(_) => ConnectError::Unreachable {
                what: label.clone(),
                detail: e.to_string(),
            },
            other => ConnectError::NoContracts {
                what: label.clone(),
                detail: other.to_string(),
            },
        })?;
        Ok(Self {
            chain,
            deployment,
            label,
        })
    }

    /// The chain's head block number.
    ///
    /// # Errors
    /// The chain's transport errors; an answer that is not a number.
    pub fn head(&self) -> Result<u64, ChainError> {
        crate::chain::expect_number(
            self.chain
                .batch(&[crate::chain::Request::BlockNumber])?
                .into_iter()
                .next(),
        )
    }

    /// The chain as `wallet-core`'s ledger.
    ///
    /// # Errors
    /// [`ConnectError::Unreachable`] when the chain id cannot be read.
    pub fn ledger(&self) -> Result<ChainLedger, ConnectError> {
        ChainLedger::new(self.chain.clone(), self.deployment).map_err(|e| {
            ConnectError::Unreachable {
                what: self.label.clone(),
                detail: e.to_string(),
            }
        })
    }
}

fn open_dev(path: &Path) -> Result<DevChain, ConnectError> {
    if let Some(parent) = path.parent() {
        wallet_core::fs::create_private_dir(parent).map_err(|e| {
            ConnectError::Embedded(format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    DevChain::try_open(path).map_err(|e| match e {
        DevChainError::Locked(_) => ConnectError::InUse(path.to_path_buf()),
        other => ConnectError::Embedded(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for text in [
            "dev",
            "dev:/tmp/c",
            "http://127.0.0.1:8545",
            "https://node.example/rpc",
        ] {
            let spec: ChainSpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), text);
        }
        assert_eq!(
            "dev:/tmp/c".parse::<ChainSpec>().unwrap(),
            ChainSpec::DevAt("/tmp/c".into())
        );
        for bad in ["", "dev:", "ftp://x", "DEV", "localhost:8545"] {
            assert!(bad.parse::<ChainSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn opens_the_embedded_chain_once_per_process_at_a_time() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::new(tmp.path());
        let first = Connection::open(&ChainSpec::Dev, &home).unwrap();
        assert!(first.label.contains("embedded chain at"), "{}", first.label);
        assert!(home.dev_chain_path().exists());
        let second = Connection::open(&ChainSpec::Dev, &home).unwrap_err();
        assert!(matches!(second, ConnectError::InUse(_)), "{second}");
        assert!(second.is_retryable());
        drop(first);
        let again = Connection::open(&ChainSpec::Dev, &home).unwrap();
        assert!(again.ledger().is_ok());
        // The contracts were deployed in blocks of their own.
        assert!(again.head().unwrap() > 0);
    }

    #[test]
    fn an_absent_node_is_unreachable_and_retryable() {
        let tmp = tempfile::tempdir().unwrap();
        let e = Connection::open(
            &ChainSpec::Rpc("http://127.0.0.1:9".into()),
            &Home::new(tmp.path()),
        )
        .unwrap_err();
        assert!(matches!(e, ConnectError::Unreachable { .. }), "{e}");
        assert!(e.is_retryable());
    }
}
