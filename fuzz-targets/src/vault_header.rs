//! `vault_header`: the vault and backup container parser (docs/vault-format.md), up to but not
//! including the KDF: magic, version, lengths, checksum, algorithm ids, Argon2id parameter ranges.
//!
//! Input: byte 0 picks vault or backup (bit 0) and whether the target appends the correct
//! SHA-256 checksum of the rest (bit 1), so the fuzzer gets past the checksum and into the fields
//! behind it; the rest is the file.
//!
//! Invariants: no panic, no allocation from a hostile length; an accepted header writes back to
//! the same 76 bytes, carries KDF parameters that pass `validate`, and its ciphertext length
//! accounts for the whole file.

use sha2::{Digest, Sha256};
use wallet_core::vault::fuzzing::parse_container;

/// Fixed header length (docs/vault-format.md).
const HEADER_LEN: usize = 76;
/// Trailing checksum length.
const CHECKSUM_LEN: usize = 32;

/// The target.
pub fn vault_header(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let backup = mode & 1 == 1;
    let file = if mode & 2 == 2 {
        let mut f = rest.to_vec();
        f.extend_from_slice(&Sha256::digest(rest));
        f
    } else {
        rest.to_vec()
    };
    if let Ok(h) = parse_container(&file, backup) {
        assert_eq!(
            &h.reencoded[..],
            &file[..HEADER_LEN],
            "header does not round-trip"
        );
        assert!(
            h.kdf.validate().is_ok(),
            "accepted KDF parameters out of range"
        );
        assert_eq!(HEADER_LEN + h.ciphertext_len + CHECKSUM_LEN, file.len());
        // The other kind must refuse the same bytes (a backup never opens as a vault).
        assert!(
            parse_container(&file, !backup).is_err(),
            "accepted as both kinds"
        );
    }
}
