//! The vault's file handling: the exclusive lock, reads, and atomic replaces (via
//! [`crate::fs::write_atomic`]: after a crash at any instant the path holds the old or the new
//! file, never a mix).

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use super::error::Error;

/// An exclusive advisory lock on `<vault>.lock`, held while a [`Vault`](super::Vault) is open.
/// Released when dropped or when the process dies (also by SIGKILL).
#[derive(Debug)]
pub(crate) struct VaultLock {
    _file: File,
}

pub(crate) fn lock_path(vault: &Path) -> PathBuf {
    let mut name = vault.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    vault.with_file_name(name)
}

impl VaultLock {
    /// Takes the lock or fails at once with [`Error::InUse`].
    pub(crate) fn acquire(vault: &Path) -> Result<Self, Error> {
        if let Some(dir) = vault.parent() {
            crate::fs::create_private_dir(dir)?;
        }
        let path = lock_path(vault);
        let file = crate::fs::open_private(&path, false)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::InUse(vault.to_path_buf())),
            Err(TryLockError::Error(e)) => Err(Error::io("lock", &path)(e)),
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

/// Removes temporary files a crashed save left beside `path`. Call with the lock held.
pub(crate) fn remove_stale_temps(path: &Path) {
    crate::fs::remove_stale_temps(path);
}
