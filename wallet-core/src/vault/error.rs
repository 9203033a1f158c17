//! Errors of the vault. Each failure a person can run into has its own variant and a message that
//! says what happened and, where there is one, what to do.

use std::path::PathBuf;

use crate::keys::KeyError;

/// Why a vault operation failed. No variant is produced after the vault file was modified: every
/// failing operation leaves the file as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file has no bytes at all.
    #[error("the file is empty; restore it from a backup")]
    Empty,
    /// The file ends before its header says it should.
    #[error("the vault file is truncated ({actual} of {expected} bytes); restore it from a backup")]
    Truncated {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// The file does not start with a Siegel signature.
    #[error("not a Siegel {expected} file (unknown file signature)")]
    UnknownMagic {
        /// "vault" or "backup".
        expected: &'static str,
    },
    /// A Siegel file of the other kind (a backup where a vault was expected, or vice versa).
    #[error("this is a Siegel {found} file, not a {expected} file")]
    WrongFileKind {
        /// The kind that was expected.
        expected: &'static str,
        /// The kind found.
        found: &'static str,
    },
    /// Written by a newer Siegel whose format this build cannot read.
    #[error(
        "the file was written by a newer Siegel (format version {found}; this build reads up to {supported}); upgrade Siegel"
    )]
    FutureVersion {
        /// Version in the file.
        found: u16,
        /// Newest version this build reads.
        supported: u16,
    },
    /// A format version that never existed.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u16),
    /// The checksum over the file does not match: the file was damaged on disk or in transit.
    #[error("the file is damaged (checksum mismatch); restore it from a backup")]
    Corrupted,
    /// The file names a key derivation function this build does not know.
    #[error("unsupported key derivation function (id {0})")]
    UnsupportedKdf(u8),
    /// The file names a cipher this build does not know.
    #[error("unsupported cipher (id {0})")]
    UnsupportedCipher(u8),
    /// KDF parameters outside the accepted range — refused before any memory is allocated.
    #[error("key derivation parameters out of the accepted range: {0}")]
    KdfParamsOutOfRange(String),
    /// The passphrase does not open this file.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The passphrase is right but authenticated decryption failed: the file was altered by
    /// someone who recomputed its checksum.
    #[error(
        "the file was tampered with (authenticated decryption failed); restore it from a backup"
    )]
    Tampered,
    /// The decrypted contents are not a valid vault.
    #[error("the vault contents are invalid: {0}")]
    InvalidContent(String),
    /// The decrypted contents use a newer schema than this build knows.
    #[error(
        "the vault contents were written by a newer Siegel (schema {found}; this build reads up to {supported}); upgrade Siegel"
    )]
    FutureSchema {
        /// Schema in the file.
        found: u32,
        /// Newest schema this build reads.
        supported: u32,
    },
    /// Another process has this vault open.
    #[error(
        "the vault {0} is in use by another process; close the other Siegel window or command first"
    )]
    InUse(PathBuf),
    /// Creating or restoring would replace an existing file without the caller asking for it.
    #[error("{0} already exists; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// There is no vault at the path.
    #[error("no vault at {0}")]
    NotFound(PathBuf),
    /// An empty passphrase was given.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
    /// No key or credential with that id.
    #[error("no {what} with id {id}")]
    UnknownId {
        /// "key" or "credential".
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A credential document that is not JSON.
    #[error("the credential is not valid JSON: {0}")]
    InvalidDocument(String),
    /// Key material rejected.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The operating system random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl From<crate::fs::FsError> for Error {
    fn from(e: crate::fs::FsError) -> Self {
        Error::Io {
            op: e.op,
            path: e.path,
            source: e.source,
        }
    }
}

impl Error {
    pub(crate) fn io(
        op: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Error::Io { op, path, source }
    }
}
