//! One run's surroundings: the data directory, the chain, the vault and where passphrases come
//! from. Commands get everything through a [`Context`], so the demo can run them for three
//! participants in one process.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use registry::chain::{Chain, DevChain, RpcChain, dev::DevChainError};
use registry::contracts::Deployment;
use registry::ledger::ChainLedger;
use wallet_core::vault::{self, KdfParams, Vault};

use crate::cli::ChainSpec;
use crate::exit;
use crate::passphrase::{Kind, Source};
use crate::progress;

/// The vault file's name in the data directory.
pub(crate) const VAULT_FILE: &str = "vault.siegel";
/// Selects the KDF parameters of new vaults: `minimum` is for tests only.
pub(crate) const KDF_ENV: &str = "SIEGEL_KDF";

/// Where a command runs.
pub(crate) struct Context {
    data_dir: PathBuf,
    chain_spec: ChainSpec,
    /// `--json`.
    pub(crate) json: bool,
    passphrases: Source,
    kdf: KdfParams,
    /// Whether a spinner may be shown (a person may be watching).
    spinner: bool,
    chain: OnceCell<(Arc<dyn Chain>, Deployment)>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("data_dir", &self.data_dir)
            .field("chain", &self.chain_spec)
            .field("json", &self.json)
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// The context of a command line.
    ///
    /// # Errors
    /// An input error when no data directory can be found or `SIEGEL_KDF` is unknown.
    pub(crate) fn from_cli(
        data_dir: Option<PathBuf>,
        chain_spec: ChainSpec,
        json: bool,
    ) -> anyhow::Result<Self> {
        let data_dir = match data_dir {
            Some(d) => d,
            None => directories::ProjectDirs::from("", "", "siegel")
                .map(|p| p.data_dir().to_path_buf())
                .ok_or_else(|| {
                    exit::input(
                        "cannot find the platform's data directory; pass --data-dir DIR or set SIEGEL_HOME",
                    )
                })?,
        };
        let kdf = match std::env::var(KDF_ENV).as_deref() {
            Err(_) | Ok("" | "default") => KdfParams::DEFAULT,
            Ok("minimum") => KdfParams::MINIMUM,
            Ok(other) => {
                return Err(exit::input(format!(
                    "{KDF_ENV}={other} is not known: use `default`, or `minimum` for tests only"
                )));
            }
        };
        Ok(Self {
            data_dir,
            chain_spec,
            json,
            passphrases: Source::Interactive,
            kdf,
            spinner: !json,
            chain: OnceCell::new(),
        })
    }

    /// A context for the demo: fixed passphrase, minimum KDF, no spinner, and a chain (with its
    /// deployment) shared with the other participants.
    pub(crate) fn for_demo(
        data_dir: PathBuf,
        passphrase: &str,
        chain: Arc<dyn Chain>,
        deployment: Deployment,
        chain_path: &Path,
    ) -> Self {
        let cell = OnceCell::new();
        let _ = cell.set((chain, deployment));
        Self {
            data_dir,
            chain_spec: ChainSpec::DevAt(chain_path.to_path_buf()),
            json: false,
            passphrases: Source::Fixed(zeroize::Zeroizing::new(passphrase.to_owned())),
            kdf: KdfParams::MINIMUM,
            spinner: false,
            chain: cell,
        }
    }

    /// The data directory.
    pub(crate) fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where passphrases come from.
    pub(crate) fn passphrases(&self) -> &Source {
        &self.passphrases
    }

    /// KDF parameters for new vaults (and restored ones).
    pub(crate) fn kdf(&self) -> KdfParams {
        self.kdf
    }

    /// Whether slow work may show a spinner.
    pub(crate) fn spinner(&self) -> bool {
        self.spinner
    }

    /// The vault file.
    pub(crate) fn vault_path(&self) -> PathBuf {
        self.data_dir.join(VAULT_FILE)
    }

    /// The verifier's state directory (trust list, nonces).
    pub(crate) fn verifier_dir(&self) -> PathBuf {
        self.data_dir.join("verifier")
    }

    /// Creates the data directory (0700) if missing.
    ///
    /// # Errors
    /// The OS error, naming the directory.
    pub(crate) fn ensure_data_dir(&self) -> anyhow::Result<()> {
        wallet_core::fs::create_private_dir(&self.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                self.data_dir.display()
            )
        })
    }

    /// Human description of the chain in use.
    pub(crate) fn chain_label(&self) -> String {
        match &self.chain_spec {
            ChainSpec::Dev => format!("embedded chain at {}", self.dev_chain_path().display()),
            ChainSpec::DevAt(p) => format!("embedded chain at {}", p.display()),
            ChainSpec::Rpc(url) => format!("chain node at {url}"),
        }
    }

    fn dev_chain_path(&self) -> PathBuf {
        self.data_dir.join("chain").join("devchain")
    }

    /// The chain and the contracts' deployment, opened on first use. On a development chain the
    /// contracts are deployed the first time; on a node they are found at the development
    /// addresses.
    ///
    /// # Errors
    /// Plain-language errors: a node that cannot be reached (retry), an embedded chain in use by
    /// another process, a damaged chain file.
    pub(crate) fn chain(&self) -> anyhow::Result<(Arc<dyn Chain>, Deployment)> {
        if let Some(c) = self.chain.get() {
            return Ok(c.clone());
        }
        let chain: Arc<dyn Chain> = match &self.chain_spec {
            ChainSpec::Dev => {
                self.ensure_data_dir()?;
                Arc::new(open_dev(&self.dev_chain_path())?)
            }
            ChainSpec::DevAt(path) => Arc::new(open_dev(path)?),
            ChainSpec::Rpc(url) => {
                Arc::new(RpcChain::connect(url).map_err(|e| unreachable(&self.chain_label(), &e))?)
            }
        };
        let deployment = Deployment::dev_default(chain.as_ref()).map_err(|e| match e {
            registry::chain::ChainError::Transport(_) => unreachable(&self.chain_label(), &e),
            other => anyhow::Error::new(other).context(format!(
                "the Siegel contracts are not available on the {}",
                self.chain_label()
            )),
        })?;
        let _ = self.chain.set((chain.clone(), deployment));
        Ok((chain, deployment))
    }

    /// The chain as the application layer's [`Ledger`](wallet_core::ledger::Ledger).
    ///
    /// # Errors
    /// As [`Context::chain`].
    pub(crate) fn ledger(&self) -> anyhow::Result<ChainLedger> {
        let (chain, deployment) = self.chain()?;
        ChainLedger::new(chain, deployment).map_err(|e| {
            if e.is_retryable() {
                unreachable(&self.chain_label(), &e)
            } else {
                anyhow::Error::new(e)
            }
        })
    }

    /// Opens the wallet's vault, or creates it when there is none (an issuer's desk needs no
    /// `siegel init`).
    ///
    /// # Errors
    /// As [`Context::unlock`] and [`Context::create_vault`].
    pub(crate) fn unlock_or_create(&self) -> anyhow::Result<Vault> {
        if self.vault_path().exists() {
            self.unlock()
        } else {
            self.create_vault()
        }
    }

    /// Saves the vault, with the data directory in the error.
    ///
    /// # Errors
    /// The vault's I/O errors.
    pub(crate) fn save(&self, vault: &Vault) -> anyhow::Result<()> {
        vault.save().map_err(|e| vault_error(e, &self.data_dir))
    }

    /// Opens the wallet's vault, asking for its passphrase.
    ///
    /// # Errors
    /// "no wallet in DIR — run `siegel init` first", "wrong passphrase", and the vault's errors.
    pub(crate) fn unlock(&self) -> anyhow::Result<Vault> {
        let path = self.vault_path();
        if !path.exists() {
            return Err(exit::input(format!(
                "no wallet in {} — run `siegel init` first (or pass --data-dir)",
                self.data_dir.display()
            )));
        }
        let pass = self.passphrases.existing(Kind::Vault)?;
        progress::with_spinner(self.spinner, "unlocking the wallet", || {
            Vault::unlock(&path, &pass)
        })
        .map_err(|e| vault_error(e, &self.data_dir))
    }

    /// Creates the wallet's vault, asking for a new passphrase.
    ///
    /// # Errors
    /// "a wallet already exists in DIR", and the vault's errors.
    pub(crate) fn create_vault(&self) -> anyhow::Result<Vault> {
        let path = self.vault_path();
        if path.exists() {
            return Err(exit::input(format!(
                "a wallet already exists in {}; use it, or pick another --data-dir",
                self.data_dir.display()
            )));
        }
        self.ensure_data_dir()?;
        let pass = self.passphrases.new_passphrase(Kind::Vault)?;
        progress::with_spinner(self.spinner, "creating the wallet", || {
            Vault::create(&path, &pass, self.kdf)
        })
        .map_err(|e| vault_error(e, &self.data_dir))
    }
}

/// Opens an embedded chain, turning its errors into advice.
fn open_dev(path: &Path) -> anyhow::Result<DevChain> {
    if let Some(parent) = path.parent() {
        wallet_core::fs::create_private_dir(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    DevChain::try_open(path).map_err(|e| match e {
        DevChainError::Locked(_) => exit::retry(format!(
            "the embedded chain at {} is in use by another siegel process; wait for it to finish and retry",
            path.display()
        )),
        other => anyhow::Error::new(other),
    })
}

/// "the chain node at URL is unreachable — is it running? retry".
fn unreachable(what: &str, e: &dyn std::fmt::Display) -> anyhow::Error {
    exit::retry(format!(
        "the {what} is unreachable — is it running? retry ({e})"
    ))
}

/// The vault's errors, with the advice a person at a terminal needs.
pub(crate) fn vault_error(e: vault::Error, data_dir: &Path) -> anyhow::Error {
    match e {
        vault::Error::WrongPassphrase => exit::input("wrong passphrase"),
        vault::Error::NotFound(_) => exit::input(format!(
            "no wallet in {} — run `siegel init` first (or pass --data-dir)",
            data_dir.display()
        )),
        vault::Error::InUse(p) => exit::retry(format!(
            "the wallet {} is open in another siegel process; close it and retry",
            p.display()
        )),
        other => anyhow::Error::new(other),
    }
}
