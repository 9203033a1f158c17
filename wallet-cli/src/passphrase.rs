//! Where passphrases come from: an environment variable for scripts, else a prompt on the
//! terminal (never echoed). A new passphrase is asked twice.

use wallet_core::vault::Passphrase;
use zeroize::Zeroizing;

use crate::exit;

/// The vault passphrase variable.
pub(crate) const VAULT_ENV: &str = "SIEGEL_PASSPHRASE";
/// The backup passphrase variable.
pub(crate) const BACKUP_ENV: &str = "SIEGEL_BACKUP_PASSPHRASE";

/// Which passphrase is asked for, for the prompts and the variable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The wallet's vault.
    Vault,
    /// A backup file.
    Backup,
}

impl Kind {
    fn env(self) -> &'static str {
        match self {
            Self::Vault => VAULT_ENV,
            Self::Backup => BACKUP_ENV,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Vault => "wallet passphrase",
            Self::Backup => "backup passphrase",
        }
    }
}

/// Where passphrases come from for one run.
#[derive(Debug, Default)]
pub(crate) enum Source {
    /// The environment, else the terminal.
    #[default]
    Interactive,
    /// Fixed values (the demo): the vault passphrase and the backup passphrase.
    Fixed(Zeroizing<String>),
}

impl Source {
    /// The passphrase of an existing vault or backup.
    ///
    /// # Errors
    /// An input error when there is no terminal to ask and no variable set, or the passphrase is
    /// empty.
    pub(crate) fn existing(&self, kind: Kind) -> anyhow::Result<Passphrase> {
        self.get(kind, false)
    }

    /// A new passphrase (asked twice on a terminal).
    ///
    /// # Errors
    /// As [`Source::existing`], and an input error when the two entries differ.
    pub(crate) fn new_passphrase(&self, kind: Kind) -> anyhow::Result<Passphrase> {
        self.get(kind, true)
    }

    fn get(&self, kind: Kind, confirm: bool) -> anyhow::Result<Passphrase> {
        let text = match self {
            Self::Fixed(p) => Zeroizing::new(format!("{}{}", p.as_str(), suffix(kind))),
            Self::Interactive => match std::env::var(kind.env()) {
                Ok(v) => Zeroizing::new(v),
                Err(_) => prompt(kind, confirm)?,
            },
        };
        Passphrase::new(text.to_string()).map_err(|_| {
            exit::input(format!(
                "the {} must not be empty (set {} or type one at the prompt)",
                kind.noun(),
                kind.env()
            ))
        })
    }
}

/// The demo's backup passphrase differs from its vault passphrase, as a real one should.
fn suffix(kind: Kind) -> &'static str {
    match kind {
        Kind::Vault => "",
        Kind::Backup => " (backup)",
    }
}

fn prompt(kind: Kind, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(exit::input(format!(
            "a {} is needed and there is no terminal to ask on; set {}",
            kind.noun(),
            kind.env()
        )));
    }
    let read = |label: &str| -> anyhow::Result<Zeroizing<String>> {
        rpassword::prompt_password(label)
            .map(Zeroizing::new)
            .map_err(|e| exit::input(format!("cannot read the {}: {e}", kind.noun())))
    };
    let first = read(&format!("{}: ", capitalise(kind.noun())))?;
    if confirm {
        let second = read(&format!("Repeat the {}: ", kind.noun()))?;
        if *first != *second {
            return Err(exit::input(format!(
                "the two {} entries differ; run the command again",
                kind.noun()
            )));
        }
    }
    Ok(first)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
