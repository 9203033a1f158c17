//! Passphrase → key (Argon2id) and sealing/opening of the contents (AES-256-GCM, header as AAD).

use aes_gcm::{
    Aes256Gcm, KeyInit,
    aead::{AeadInOut, array::Array},
};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::error::Error;
use super::format::{Header, KdfParams, TAG_LEN};
use super::passphrase::Passphrase;

/// The 256-bit key derived from a passphrase. Zeroized on drop, never printed.
pub(crate) struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").finish_non_exhaustive()
    }
}

impl MasterKey {
    /// Argon2id(passphrase, salt) with `params` (validated first, so nothing is allocated for
    /// out-of-range parameters).
    pub(crate) fn derive(
        passphrase: &Passphrase,
        salt: &[u8; 16],
        params: &KdfParams,
    ) -> Result<Self, Error> {
        params.validate()?;
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            Some(32),
        )
        .map_err(|e| Error::KdfParamsOutOfRange(e.to_string()))?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
            .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
            .map_err(|e| Error::KdfParamsOutOfRange(e.to_string()))?;
        Ok(Self(key))
    }

    /// The value stored in the header to tell a wrong passphrase from a damaged file.
    pub(crate) fn check_value(&self) -> [u8; 16] {
        let digest = Sha256::new()
            .chain_update(b"siegel-vault-key-check-v1")
            .chain_update(&self.0[..])
            .finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }

    /// Constant-time comparison with a stored check value.
    pub(crate) fn matches(&self, stored: &[u8; 16]) -> bool {
        self.check_value().ct_eq(stored).into()
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Array::from(*self.0))
    }

    /// Encrypts `plaintext` in place; returns the ciphertext with the tag appended. `header`
    /// must already carry the nonce and the final ciphertext length.
    pub(crate) fn seal(
        &self,
        header: &Header,
        mut plaintext: Zeroizing<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let aad = header.to_bytes();
        let tag = self
            .cipher()
            .encrypt_inout_detached(
                &Array::from(header.nonce),
                &aad,
                plaintext.as_mut_slice().into(),
            )
            .map_err(|_| Error::InvalidContent("contents too large to encrypt".into()))?;
        // The buffer now holds ciphertext only, so copying it out leaves no plaintext behind.
        let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
        out.extend_from_slice(&plaintext);
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Decrypts and authenticates; a failure here (with a matching key check) means tampering.
    pub(crate) fn open(
        &self,
        header_bytes: &[u8],
        nonce: &[u8; 12],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let split = ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::Corrupted)?;
        let (body, tag) = ciphertext.split_at(split);
        let mut buf = Zeroizing::new(body.to_vec());
        let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| Error::Corrupted)?;
        self.cipher()
            .decrypt_inout_detached(
                &Array::from(*nonce),
                header_bytes,
                buf.as_mut_slice().into(),
                &Array::from(tag),
            )
            .map_err(|_| Error::Tampered)?;
        Ok(buf)
    }
}
