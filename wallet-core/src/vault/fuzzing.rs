//! # ⚠️ For fuzzing only
//!
//! The container parser of vault and backup files (the `format` module) without the
//! passphrase, the KDF or the cipher, exposed only with the `fuzzing` feature so the fuzz targets
//! can feed it hostile bytes at millions of inputs per minute (every real open path runs Argon2id
//! right after it). Not a stable API.

use super::KdfParams;
use super::error::Error;
use super::format::{self, FileKind, HEADER_LEN};

/// What the parser accepted: the KDF parameters it would run Argon2id with, and the header
/// written back from its parsed form (must equal the input's first 76 bytes).
#[derive(Debug)]
pub struct ParsedHeader {
    /// The validated KDF parameters.
    pub kdf: KdfParams,
    /// `Header::to_bytes` of the parsed header.
    pub reencoded: [u8; HEADER_LEN],
    /// Length of the ciphertext the container carries.
    pub ciphertext_len: usize,
}

/// Parses `bytes` as a vault (`backup == false`) or backup container, stopping before the KDF.
///
/// # Errors
/// The same [`Error`] that `Vault::unlock` / `Vault::restore_backup` return for these bytes
/// before asking for the passphrase's key.
pub fn parse_container(bytes: &[u8], backup: bool) -> Result<ParsedHeader, Error> {
    let kind = if backup {
        FileKind::Backup
    } else {
        FileKind::Vault
    };
    let c = format::parse(bytes, kind)?;
    Ok(ParsedHeader {
        kdf: c.header.kdf,
        reencoded: c.header.to_bytes(),
        ciphertext_len: c.ciphertext.len(),
    })
}
