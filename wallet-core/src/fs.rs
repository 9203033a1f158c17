//! Crash-safe file writes for every file that holds user data, and bounded reads for every file
//! read.
//!
//! [`write_atomic`] never overwrites a file in place: it writes a temporary file in the same
//! directory, fsyncs it, renames it over the target (atomic on POSIX file systems) and fsyncs the
//! directory, so after a crash at any instant the path holds either the old or the new file.
//!
//! [`read_capped`] reads at most one byte past a limit and refuses the file if that byte exists,
//! so an endless (`/dev/zero`), huge or growing file cannot exhaust memory. It never trusts the
//! file's metadata: devices, pipes and `/proc` files report a length of 0.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Marker in the names of temporary files, so stale ones from a crash can be found.
const TMP_MARK: &str = ".tmp-";

/// A failed file operation: what was done, on which path, and the OS error.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", path.display())]
pub struct FsError {
    /// What was being done.
    pub op: &'static str,
    /// On which path.
    pub path: PathBuf,
    /// The OS error.
    #[source]
    pub source: std::io::Error,
}

/// Why [`read_capped`] returned no bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read (`source.kind()` tells a missing file apart).
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The file holds more than the limit; nothing past the limit was read.
    #[error("{} is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl ReadError {
    /// Whether the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Fs(e) if e.source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Reads the whole file at `path` if it holds at most `limit` bytes.
///
/// # Errors
/// [`ReadError::TooLarge`] after reading `limit + 1` bytes at most; [`ReadError::Fs`].
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path).map_err(err("open", path))?;
    read_capped_from(file, path, limit)
}

/// Reads `reader` (the file at `path`, for messages) to its end if that is at most `limit`
/// bytes away: for a file already open, or read in parts.
///
/// # Errors
/// As [`read_capped`].
pub fn read_capped_from(reader: impl Read, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(err("read", path))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

fn err(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FsError {
    let path = path.to_path_buf();
    move |source| FsError { op, path, source }
}

/// Opens `path` for writing with mode 0600 on Unix; `create_new` refuses an existing file.
///
/// # Errors
/// The OS error.
pub fn open_private(path: &Path, create_new: bool) -> Result<File, FsError> {
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
    o.open(path).map_err(err("open", path))
}

/// Creates `dir` and its parents with mode 0700 on Unix, if missing.
///
/// # Errors
/// The OS error.
pub fn create_private_dir(dir: &Path) -> Result<(), FsError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(err("create directory", dir))
}

/// Why [`lock_exclusive`] failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process (or another open file in this one) holds the lock.
    #[error("{} is in use by another process", .0.display())]
    InUse(PathBuf),
    /// The lock file could not be created or locked.
    #[error(transparent)]
    Fs(#[from] FsError),
}

/// Takes an exclusive advisory lock on `<path>.lock` (created 0600, its directory 0700), without
/// waiting. The lock lives as long as the returned file, and ends with the process.
///
/// # Errors
/// [`LockError::InUse`] when held elsewhere; [`LockError::Fs`] for I/O failures.
pub fn lock_exclusive(path: &Path) -> Result<File, LockError> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    let lock_path = path.with_file_name(name);
    let file = open_private(&lock_path, false)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::InUse(path.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(err("lock", &lock_path)(e).into()),
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn tmp_prefix(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}{TMP_MARK}")
}

/// Write temp, fsync, rename, fsync dir. The file gets mode 0600 on Unix; the directory is created
/// (0700) if missing. On error the target is untouched and the temporary file removed.
///
/// # Errors
/// The failing step and its OS error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = parent_dir(path);
    create_private_dir(&dir)?;
    let tmp = temp_path(path)?;
    let result = (|| {
        write_synced(&tmp, bytes)?;
        fs::rename(&tmp, path).map_err(err("rename into place", path))?;
        sync_dir(&dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_atomic`], but never replaces a file: if `path` exists — even one created by
/// another process a moment ago — nothing is written and the error's `source` is
/// [`std::io::ErrorKind::AlreadyExists`] with `path` as its path. The bytes go to a temporary
/// file first (fsynced), which is then hard-linked to `path`: `link(2)` fails if the name exists,
/// atomically, where `rename(2)` would replace it. On a file system without hard links the bytes
/// are written straight to `path`, opened `O_CREAT | O_EXCL`; that still never replaces a file,
/// but a crash mid-write can leave a partial file there (which a reader's checksum detects).
///
/// # Errors
/// As above; otherwise the failing step and its OS error. The temporary file is removed.
pub fn write_new_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = parent_dir(path);
    create_private_dir(&dir)?;
    let tmp = temp_path(path)?;
    let result = (|| {
        write_synced(&tmp, bytes)?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(err("link into place", path)(e));
            }
            // No hard links here (FAT, some network file systems): exclusive create instead.
            Err(_) => {
                let mut f = open_private(path, true)?;
                let written = f
                    .write_all(bytes)
                    .and_then(|()| f.sync_all())
                    .map_err(err("write", path));
                if written.is_err() {
                    // The file is ours (created just now): do not leave a partial one.
                    let _ = fs::remove_file(path);
                }
                written?;
            }
        }
        sync_dir(&dir)
    })();
    let _ = fs::remove_file(&tmp);
    if result.is_ok() {
        // The temporary name is gone from the directory too, durably.
        let _ = sync_dir(&dir);
    }
    result
}

/// Creates the temporary file `tmp` (mode 0600) with `bytes`, fsynced: the first half of both
/// atomic writes, which differ only in how the file is put into place.
fn write_synced(tmp: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let mut f = open_private(tmp, true)?;
    f.write_all(bytes).map_err(err("write", tmp))?;
    f.sync_all().map_err(err("fsync", tmp))
}

fn temp_path(path: &Path) -> Result<PathBuf, FsError> {
    let mut rand = [0u8; 8];
    getrandom::fill(&mut rand).map_err(|e| FsError {
        op: "draw a temporary name for",
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(parent_dir(path).join(format!("{}{}", tmp_prefix(path), hex::encode(rand))))
}

fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err("fsync directory", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes temporary files that a crashed [`write_atomic`] of `path` left behind. Call it while
/// holding whatever lock serialises writers of `path`.
pub fn remove_stale_temps(path: &Path) {
    let prefix = tmp_prefix(path);
    if let Ok(entries) = fs::read_dir(parent_dir(path)) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn reads_are_capped_without_trusting_metadata() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f");
        fs::write(&path, [7u8; 10]).unwrap();
        assert_eq!(read_capped(&path, 10).unwrap().len(), 10);
        assert!(matches!(
            read_capped(&path, 9),
            Err(ReadError::TooLarge { limit: 9, .. })
        ));
        assert!(
            read_capped(&d.path().join("missing"), 9)
                .unwrap_err()
                .is_not_found()
        );
        // A device that never ends and reports a length of 0.
        #[cfg(unix)]
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 1024),
            Err(ReadError::TooLarge { limit: 1024, .. })
        ));
    }

    #[test]
    fn write_new_atomic_never_replaces_a_file() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("backup.siegel");
        write_new_atomic(&path, b"first").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first");
        let e = write_new_atomic(&path, b"second").unwrap_err();
        assert_eq!(e.source.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(e.path, path);
        assert_eq!(fs::read(&path).unwrap(), b"first");
        // No temporary file is left behind, on success or failure.
        let names: Vec<_> = fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
