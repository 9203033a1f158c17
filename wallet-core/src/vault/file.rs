//! The vault's file handling: the exclusive lock, reads, and atomic replaces (via
//! [`crate::fs::write_atomic`]: after a crash at any instant the path holds the old or the new
//! file, never a mix).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::error::Error;
use super::format::{self, FileKind, HEADER_LEN};

/// An exclusive advisory lock on `<vault>.lock`, held while a [`Vault`](super::Vault) is open.
/// Released when dropped or when the process dies (also by SIGKILL).
#[derive(Debug)]
pub(crate) struct VaultLock {
    _file: File,
}

impl VaultLock {
    /// Takes the lock or fails at once with [`Error::InUse`].
    pub(crate) fn acquire(vault: &Path) -> Result<Self, Error> {
        match crate::fs::lock_exclusive(vault) {
            Ok(file) => Ok(Self { _file: file }),
            Err(crate::fs::LockError::InUse(_)) => Err(Error::InUse(vault.to_path_buf())),
            Err(crate::fs::LockError::Fs(e)) => Err(e.into()),
        }
    }
}

/// Reads a whole vault or backup file of `kind`, mapping "not found" to [`Error::NotFound`].
/// The header is read first: a foreign file (`/dev/zero`, a large file of another kind) is
/// refused after [`HEADER_LEN`] bytes, and no more than the length the header announces (at
/// most [`MAX_CIPHERTEXT`](super::format) plus the header and checksum) is ever read.
pub(crate) fn read(path: &Path, kind: FileKind) -> Result<Vec<u8>, Error> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotFound(path.to_path_buf()));
        }
        Err(e) => return Err(Error::io("open", path)(e)),
    };
    let read_error = |e: crate::fs::ReadError| match e {
        crate::fs::ReadError::Fs(e) => Error::from(e),
        // More than the header announces: damaged (or another file appended).
        _ => Error::Corrupted,
    };
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    (&mut file)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut bytes)
        .map_err(Error::io("read", path))?;
    let total = format::announced_len(&bytes, kind)?;
    let rest = total.saturating_sub(HEADER_LEN as u64);
    bytes.extend(crate::fs::read_capped_from(file, path, rest).map_err(read_error)?);
    Ok(bytes)
}

/// Write temp, fsync, rename, fsync dir (see [`crate::fs::write_atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::fs::write_atomic(path, bytes).map_err(Error::from)
}

/// Write temp, fsync, then link into place: never replaces a file, even one created after a
/// check (see [`crate::fs::write_new_atomic`]); an existing `path` is [`Error::AlreadyExists`].
pub(crate) fn write_new_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::fs::write_new_atomic(path, bytes).map_err(|e| {
        if e.source.kind() == std::io::ErrorKind::AlreadyExists && e.path == path {
            Error::AlreadyExists(path.to_path_buf())
        } else {
            e.into()
        }
    })
}

/// Removes temporary files a crashed save left beside `path`. Call with the lock held.
pub(crate) fn remove_stale_temps(path: &Path) {
    crate::fs::remove_stale_temps(path);
}
