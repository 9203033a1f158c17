//! One run's surroundings: the data directory, the chain, the vault and where passphrases come
//! from. Commands get everything through a [`Context`], so the demo can run them for three
//! participants in one process.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use registry::connect::{ChainSpec, ConnectError, Connection};
use registry::ledger::ChainLedger;
use wallet_core::home::Home;
use wallet_core::vault::{self, KdfParams, Vault};

use crate::exit;
use crate::passphrase::{Kind, Source};
use crate::progress;

/// Selects the KDF parameters of new vaults: `minimum` is for tests only.
pub(crate) const KDF_ENV: &str = "SIEGEL_KDF";

/// Where a command runs.
pub(crate) struct Context {
    home: Home,
    chain_spec: ChainSpec,
    /// `--json`.
    pub(crate) json: bool,
    passphrases: Source,
    kdf: KdfParams,
    /// Whether a spinner may be shown (a person may be watching).
    spinner: bool,
    chain: OnceCell<Connection>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("data_dir", &self.home.dir())
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
            None => Home::platform_default().ok_or_else(|| {
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
            home: Home::new(data_dir),
            chain_spec,
            json,
            passphrases: Source::Interactive,
            kdf,
            spinner: !json,
            chain: OnceCell::new(),
        })
    }

    /// A context for the demo: fixed passphrase, minimum KDF, no spinner, and a chain shared
    /// with the other participants.
    pub(crate) fn for_demo(
        data_dir: PathBuf,
        passphrase: &str,
        connection: Connection,
        chain_path: &Path,
    ) -> Self {
        let cell = OnceCell::new();
        let _ = cell.set(connection);
        Self {
            home: Home::new(data_dir),
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
        self.home.dir()
    }

    /// The data directory's layout.
    pub(crate) fn home(&self) -> &Home {
        &self.home
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
        self.home.vault_path()
    }

    /// Creates the data directory (0700) if missing.
    ///
    /// # Errors
    /// The OS error, naming the directory.
    pub(crate) fn ensure_data_dir(&self) -> anyhow::Result<()> {
        self.home.ensure().map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                self.home.dir().display()
            )
        })
    }

    /// Human description of the chain in use.
    pub(crate) fn chain_label(&self) -> String {
        self.chain_spec.label(&self.home)
    }

    /// The chain with the Siegel contracts, opened on first use. On a development chain the
    /// contracts are deployed the first time; on a node they are found at the development
    /// addresses.
    ///
    /// # Errors
    /// Plain-language errors: a node that cannot be reached (retry), an embedded chain in use by
    /// another process, a damaged chain file.
    pub(crate) fn chain(&self) -> anyhow::Result<Connection> {
        if let Some(c) = self.chain.get() {
            return Ok(c.clone());
        }
        if self.chain_spec == ChainSpec::Dev {
            self.ensure_data_dir()?;
        }
        let connection = Connection::open(&self.chain_spec, &self.home).map_err(connect_error)?;
        let _ = self.chain.set(connection.clone());
        Ok(connection)
    }

    /// The chain as the application layer's [`Ledger`](wallet_core::ledger::Ledger).
    ///
    /// # Errors
    /// As [`Context::chain`].
    pub(crate) fn ledger(&self) -> anyhow::Result<ChainLedger> {
        self.chain()?.ledger().map_err(connect_error)
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
        vault.save().map_err(|e| vault_error(e, self.home.dir()))
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
                self.home.dir().display()
            )));
        }
        let pass = self.passphrases.existing(Kind::Vault)?;
        progress::with_spinner(self.spinner, "unlocking the wallet", || {
            Vault::unlock(&path, &pass)
        })
        .map_err(|e| vault_error(e, self.home.dir()))
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
                self.home.dir().display()
            )));
        }
        self.ensure_data_dir()?;
        let pass = self.passphrases.new_passphrase(Kind::Vault)?;
        progress::with_spinner(self.spinner, "creating the wallet", || {
            Vault::create(&path, &pass, self.kdf)
        })
        .map_err(|e| vault_error(e, self.home.dir()))
    }
}

/// A chain that cannot be opened: retry when the node or the other process may be done.
fn connect_error(e: ConnectError) -> anyhow::Error {
    if e.is_retryable() {
        exit::retry(e.to_string())
    } else {
        anyhow::Error::new(e)
    }
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
