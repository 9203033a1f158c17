//! Encrypted backups: the vault's contents in the same container format, marked as a backup
//! (`SIEGELBK`) and encrypted under a separate backup passphrase with its own salt.

use std::path::Path;

use super::content::Content;
use super::error::Error;
use super::file;
use super::format::KdfParams;
use super::passphrase::Passphrase;

/// Whether an operation may replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Fail with [`Error::AlreadyExists`] (the default).
    #[default]
    Refuse,
    /// Replace it (atomically).
    Replace,
}

pub(crate) fn export(
    content: &Content,
    dest: &Path,
    passphrase: &Passphrase,
    kdf: Option<KdfParams>,
    overwrite: Overwrite,
) -> Result<(), Error> {
    // Early answer before the (slow) key derivation; the exclusive write below is what
    // guarantees it, also against a file created in the meantime.
    if dest.exists() && overwrite == Overwrite::Refuse {
        return Err(Error::AlreadyExists(dest.to_path_buf()));
    }
    let bytes = super::seal_backup(content, passphrase, kdf.unwrap_or_default())?;
    match overwrite {
        Overwrite::Replace => file::write_atomic(dest, &bytes),
        Overwrite::Refuse => file::write_new_atomic(dest, &bytes),
    }
}
