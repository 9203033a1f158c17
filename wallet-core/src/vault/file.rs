//! The vault's file handling: the exclusive lock, reads, and atomic replaces (via
//! [`crate::fs::write_atomic`]: after a crash at any instant the path holds the old or the new
//! file, never a mix).

use std::fs::{self, File};
use std::path::Path;

use super::error::Error;

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

/// Reads a whole file, mapping "not found" to [`Error::NotFound`].
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    match fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::NotFound(path.to_path_buf()))
        }
        Err(e) => Err(Error::io("read", path)(e)),
    }
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
