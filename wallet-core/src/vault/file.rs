//! Crash-safe file handling: the exclusive lock and the atomic replace.
//!
//! A save never overwrites the vault in place. It writes a temporary file in the same directory,
//! fsyncs it, renames it over the vault (atomic on POSIX file systems) and fsyncs the directory,
//! so after a crash at any instant the path holds either the old or the new file, never a mix.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::Error;

/// Prefix of temporary files, so stale ones from a crash can be recognised and removed.
const TMP_MARK: &str = ".tmp-";

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

fn open_private(path: &Path, create_new: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true);
    if create_new {
        o.create_new(true);
    } else {
        o.create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl VaultLock {
    /// Takes the lock or fails at once with [`Error::InUse`].
    pub(crate) fn acquire(vault: &Path) -> Result<Self, Error> {
        if let Some(dir) = vault.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        let path = lock_path(vault);
        let file = open_private(&path, false).map_err(Error::io("open lock file", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::InUse(vault.to_path_buf())),
            Err(TryLockError::Error(e)) => Err(Error::io("lock", &path)(e)),
        }
    }
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(Error::io("create directory", dir))
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

fn tmp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}{TMP_MARK}")
}

/// Write temp, fsync, rename, fsync dir. The file gets mode 0600 on Unix.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    let mut rand = [0u8; 8];
    getrandom::fill(&mut rand).map_err(|_| Error::Rng)?;
    let tmp = dir.join(format!("{}{}", tmp_prefix(path), hex::encode(rand)));
    let result = (|| {
        let mut f = open_private(&tmp, true).map_err(Error::io("create", &tmp))?;
        f.write_all(bytes).map_err(Error::io("write", &tmp))?;
        f.sync_all().map_err(Error::io("fsync", &tmp))?;
        drop(f);
        fs::rename(&tmp, path).map_err(Error::io("rename into place", path))?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io("fsync directory", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes temporary files a crashed save left beside `path`. Call with the lock held.
pub(crate) fn remove_stale_temps(path: &Path) {
    let Some(dir) = path.parent() else { return };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = tmp_prefix(path);
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}
