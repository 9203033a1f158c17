//! Exit codes and error categories.
//!
//! - `0`: the command did what was asked; for `verifier verify`, the presentation is valid.
//! - `1`: the command ran but the answer is "no": an invalid presentation, a refusal by the chain or
//!   the vault, a chain node that cannot be reached (retry later), or an internal failure.
//! - `2`: the command could not run as given: a usage error (clap), a missing or unreadable input
//!   file, an oversize or malformed input, a wrong passphrase, no wallet where one is needed.

use std::fmt;
use std::process::ExitCode;

/// Success, or a valid presentation.
pub(crate) const OK: u8 = 0;
/// Invalid, refused, unreachable or internal.
pub(crate) const REFUSED: u8 = 1;
/// Usage or input error.
pub(crate) const INPUT: u8 = 2;

/// What kind of failure an error is: decides the exit code and the `category` of a JSON error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    /// Bad input or usage; fix the command and run it again.
    Input,
    /// Refused or invalid.
    Refused,
    /// Transport failure; retrying later may succeed.
    Retry,
    /// A failure that is neither (a bug or an OS error).
    Internal,
}

impl Category {
    /// The name used in JSON errors.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Input => "input",
            Self::Refused => "refused",
            Self::Retry => "retry",
            Self::Internal => "internal",
        }
    }

    /// The process exit code.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Self::Input => INPUT,
            Self::Refused | Self::Retry | Self::Internal => REFUSED,
        }
    }
}

/// An error that carries its category, for failures the CLI itself detects (a missing wallet, an
/// oversize file). Errors of the libraries are categorised in [`categorize`].
#[derive(Debug)]
pub(crate) struct Failure {
    /// The category.
    pub(crate) category: Category,
    /// The plain-language message (what happened and what to do).
    pub(crate) message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A bad-input failure with `message`.
pub(crate) fn input(message: impl Into<String>) -> anyhow::Error {
    Failure {
        category: Category::Input,
        message: message.into(),
    }
    .into()
}

/// A refusal with `message`.
pub(crate) fn refused(message: impl Into<String>) -> anyhow::Error {
    Failure {
        category: Category::Refused,
        message: message.into(),
    }
    .into()
}

/// A retryable failure with `message`.
pub(crate) fn retry(message: impl Into<String>) -> anyhow::Error {
    Failure {
        category: Category::Retry,
        message: message.into(),
    }
    .into()
}

/// The category of `err`: the first error in its chain that has one decides.
pub(crate) fn categorize(err: &anyhow::Error) -> Category {
    use wallet_core::vault::Error as VaultError;
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.category;
        }
        if let Some(e) = cause.downcast_ref::<wallet_core::app::AppError>() {
            return match e.category() {
                wallet_core::app::Category::Input => Category::Input,
                wallet_core::app::Category::Refused => Category::Refused,
                wallet_core::app::Category::Retry => Category::Retry,
                wallet_core::app::Category::Internal => Category::Internal,
            };
        }
        if let Some(e) = cause.downcast_ref::<wallet_core::ledger::LedgerError>() {
            return if e.is_retryable() {
                Category::Retry
            } else {
                Category::Refused
            };
        }
        if let Some(e) = cause.downcast_ref::<VaultError>() {
            return match e {
                VaultError::Io { .. } | VaultError::Rng => Category::Internal,
                VaultError::InUse(_) => Category::Retry,
                _ => Category::Input,
            };
        }
        if let Some(e) = cause.downcast_ref::<registry::chain::ChainError>() {
            return match e {
                registry::chain::ChainError::Transport(_) => Category::Retry,
                _ => Category::Refused,
            };
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return Category::Internal;
        }
    }
    Category::Internal
}

/// The exit code for a finished command.
pub(crate) fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
