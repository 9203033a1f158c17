//! The application layer's error: what went wrong, in a category a front end can act on
//! (ask the user to fix the input, report a refusal, offer a retry).

use crate::di::ProofError;
use crate::ledger::LedgerError;
use crate::request::RequestError;
use crate::schema::SchemaError;

/// What a front end should do about an [`AppError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// The input (a file, a claim, an id, a passphrase) is wrong: fix it.
    Input,
    /// A proof, a signature or the chain refused it: the answer is "no".
    Refused,
    /// The chain node could not be reached: retry later.
    Retry,
    /// Local storage or an unexpected state.
    Internal,
}

/// Why an application-layer operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Bad input, with what to do about it.
    #[error("{0}")]
    Input(String),
    /// The wallet lacks the identity the operation needs (run the setup first).
    #[error("{0}")]
    NotSetUp(String),
    /// A proof or check refused the document.
    #[error("{0}")]
    Refused(String),
    /// The claims do not satisfy the credential schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The request cannot be used.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The chain failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] crate::vault::Error),
    /// An id prefix names no single stored credential.
    #[error(transparent)]
    IdPrefix(#[from] crate::holder::IdPrefixError),
    /// A proof could not be created or did not verify.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The operation did its main part, but a chain step after it failed: `done` says what
    /// stands and how to finish. Its category is the chain error's (a retry, usually).
    #[error("{done} ({source})")]
    Unfinished {
        /// What was done, what was not, and how to finish it.
        done: String,
        /// Why the chain step failed.
        source: LedgerError,
    },
    /// Something that should not happen (a stored record this build cannot read).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The category a front end acts on.
    pub fn category(&self) -> Category {
        use crate::vault::Error as V;
        match self {
            Self::Input(_)
            | Self::NotSetUp(_)
            | Self::Schema(_)
            | Self::Request(_)
            | Self::IdPrefix(_) => Category::Input,
            Self::Refused(_) => Category::Refused,
            Self::Proof(ProofError::Canonicalization(_) | ProofError::Malformed(_)) => {
                Category::Input
            }
            Self::Proof(_) => Category::Refused,
            Self::Unfinished { source, .. } if source.is_retryable() => Category::Retry,
            Self::Ledger(e) if e.is_retryable() => Category::Retry,
            Self::Ledger(LedgerError::Refused(_))
            | Self::Unfinished {
                source: LedgerError::Refused(_),
                ..
            } => Category::Refused,
            Self::Ledger(LedgerError::Unsupported(_))
            | Self::Unfinished {
                source: LedgerError::Unsupported(_),
                ..
            } => Category::Input,
            Self::Ledger(_) | Self::Unfinished { .. } => Category::Internal,
            Self::Vault(
                V::WrongPassphrase
                | V::EmptyPassphrase
                | V::NotFound(_)
                | V::AlreadyExists(_)
                | V::InUse(_)
                | V::UnknownId { .. }
                | V::InvalidDocument(_),
            ) => Category::Input,
            Self::Vault(_) | Self::Internal(_) => Category::Internal,
        }
    }
}

/// Reads an application record of the vault as `T`.
pub(crate) fn read_record<T: for<'de> serde::Deserialize<'de>>(
    vault: &crate::vault::Vault,
    name: &str,
) -> Result<Option<T>, AppError> {
    vault
        .record(name)
        .map(|text| {
            serde_json::from_str(text)
                .map_err(|e| AppError::Internal(format!("the vault's {name} record: {e}")))
        })
        .transpose()
}

/// Writes an application record of the vault.
pub(crate) fn write_record<T: serde::Serialize>(
    vault: &mut crate::vault::Vault,
    name: &str,
    value: &T,
) -> Result<(), AppError> {
    let text = serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))?;
    vault.set_record(name, &text)?;
    Ok(())
}

/// "now" as a whole-second timestamp (credentials and proofs carry seconds).
pub(crate) fn now_seconds(clock: &dyn crate::di::Clock) -> crate::di::DateTime {
    crate::di::DateTime::from_unix_seconds(clock.now().unix_seconds())
}
