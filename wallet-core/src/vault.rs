//! The holder's encrypted vault: keys, credentials and the disclosure history in one file,
//! encrypted with AES-256-GCM under a key derived from a passphrase with Argon2id.
//!
//! The format is documented in `docs/vault-format.md`. Guarantees:
//! - **Nothing is lost**: every save is an atomic replace (temp file, fsync, rename, fsync dir);
//!   after a crash the vault holds the old or the new contents. A failed operation never changes
//!   the file.
//! - **One writer**: an exclusive lock on `<vault>.lock` is held while a [`Vault`] is open; a
//!   second process gets [`Error::InUse`].
//! - **Secrets stay secret**: key material and the derived key are zeroized when the vault is
//!   locked or dropped, and never appear in `Debug` output.
//!
//! ```
//! use wallet_core::keys::KeyKind;
//! use wallet_core::vault::{KdfParams, Passphrase, Vault};
//!
//! # fn main() -> Result<(), wallet_core::vault::Error> {
//! let dir = tempfile::tempdir().map_err(|e| wallet_core::vault::Error::Io {
//!     op: "tempdir", path: ".".into(), source: e })?;
//! let path = dir.path().join("wallet.siegel");
//! let pass = Passphrase::try_from("correct horse battery staple")?;
//! # let params = KdfParams::MINIMUM; // keep the doctest fast; real vaults use KdfParams::DEFAULT
//! let mut vault = Vault::create(&path, &pass, params)?;
//! let key = vault.generate_key(KeyKind::Ed25519, "presentations")?;
//! vault.save()?;
//! vault.lock();
//!
//! let vault = Vault::unlock(&path, &pass)?;
//! assert_eq!(vault.keys()[0].id, key.id);
//! # Ok(()) }
//! ```

mod backup;
mod content;
mod crypto;
mod error;
mod file;
mod format;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod passphrase;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

pub use backup::Overwrite;
pub use content::{
    CONTENT_SCHEMA, CredentialId, CredentialRecord, DisclosureRecord, KeyId, KeyInfo,
};
pub use error::Error;
pub use format::{FORMAT_VERSION, KdfParams};
pub use passphrase::Passphrase;

use crate::keys::{KeyKind, KeySecret};
use content::{Content, KeyEntry};
use crypto::MasterKey;
use file::VaultLock;
use format::{FileKind, Header, TAG_LEN};

/// An unlocked vault. Holds the lock on its file until dropped or [`Vault::lock`]ed.
pub struct Vault {
    path: PathBuf,
    kdf: KdfParams,
    salt: [u8; 16],
    key: MasterKey,
    content: Content,
    // Declared last: dropped after the secrets above are zeroized.
    _lock: VaultLock,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("keys", &self.content.keys.len())
            .field("credentials", &self.content.credentials.len())
            .field("history", &self.content.history.len())
            .finish_non_exhaustive()
    }
}

pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| Error::Rng)?;
    Ok(b)
}

fn new_id() -> Result<String, Error> {
    Ok(hex::encode(random_bytes::<16>()?))
}

/// Encrypts `content` into container bytes of `kind` under `key`.
fn seal_container(
    kind: FileKind,
    kdf: KdfParams,
    salt: [u8; 16],
    key: &MasterKey,
    content: &Content,
) -> Result<Vec<u8>, Error> {
    let plaintext = content.to_bytes()?;
    let header = Header {
        kind,
        kdf,
        salt,
        key_check: key.check_value(),
        nonce: random_bytes::<12>()?,
        ciphertext_len: (plaintext.len() + TAG_LEN) as u64,
    };
    let ciphertext = key.seal(&header, plaintext)?;
    Ok(format::assemble(&header, &ciphertext))
}

/// Decrypts container bytes of `kind` with `passphrase`.
fn open_container(
    bytes: &[u8],
    kind: FileKind,
    passphrase: &Passphrase,
) -> Result<(KdfParams, [u8; 16], MasterKey, Content), Error> {
    let c = format::parse(bytes, kind)?;
    let key = MasterKey::derive(passphrase, &c.header.salt, &c.header.kdf)?;
    if !key.matches(&c.header.key_check) {
        return Err(Error::WrongPassphrase);
    }
    let plaintext = key.open(c.header_bytes, &c.header.nonce, c.ciphertext)?;
    let content = Content::from_bytes(&plaintext)?;
    Ok((c.header.kdf, c.header.salt, key, content))
}

impl Vault {
    /// Creates a new, empty vault at `path` and writes it.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] if a file is there, [`Error::InUse`], [`Error::KdfParamsOutOfRange`],
    /// I/O errors.
    pub fn create(path: &Path, passphrase: &Passphrase, kdf: KdfParams) -> Result<Self, Error> {
        let lock = VaultLock::acquire(path)?;
        if path.exists() {
            return Err(Error::AlreadyExists(path.to_path_buf()));
        }
        Self::init(path, lock, passphrase, kdf, Content::default())
    }

    fn init(
        path: &Path,
        lock: VaultLock,
        passphrase: &Passphrase,
        kdf: KdfParams,
        content: Content,
    ) -> Result<Self, Error> {
        let salt = random_bytes::<16>()?;
        let key = MasterKey::derive(passphrase, &salt, &kdf)?;
        let vault = Self {
            path: path.to_path_buf(),
            kdf,
            salt,
            key,
            content,
            _lock: lock,
        };
        vault.save()?;
        Ok(vault)
    }

    /// Opens and decrypts the vault at `path`. Reads only: the file is never modified here.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::InUse`], [`Error::WrongPassphrase`], and one variant for each
    /// way the file can be damaged or foreign (see [`Error`]).
    pub fn unlock(path: &Path, passphrase: &Passphrase) -> Result<Self, Error> {
        let lock = VaultLock::acquire(path)?;
        let bytes = file::read(path, FileKind::Vault)?;
        let (kdf, salt, key, content) = open_container(&bytes, FileKind::Vault, passphrase)?;
        file::remove_stale_temps(path);
        Ok(Self {
            path: path.to_path_buf(),
            kdf,
            salt,
            key,
            content,
            _lock: lock,
        })
    }

    /// Encrypts the current contents with a fresh nonce and atomically replaces the file.
    ///
    /// # Errors
    /// I/O errors; on any error the previous file is untouched.
    pub fn save(&self) -> Result<(), Error> {
        let bytes = seal_container(
            FileKind::Vault,
            self.kdf,
            self.salt,
            &self.key,
            &self.content,
        )?;
        file::write_atomic(&self.path, &bytes)
    }

    /// Re-keys the vault under a new passphrase (fresh salt, the same or new KDF parameters) and
    /// saves it.
    ///
    /// # Errors
    /// As [`Vault::save`]; on error the vault keeps its old passphrase, in memory and on disk.
    pub fn change_passphrase(
        &mut self,
        new: &Passphrase,
        kdf: Option<KdfParams>,
    ) -> Result<(), Error> {
        let kdf = kdf.unwrap_or(self.kdf);
        let salt = random_bytes::<16>()?;
        let key = MasterKey::derive(new, &salt, &kdf)?;
        let bytes = seal_container(FileKind::Vault, kdf, salt, &key, &self.content)?;
        file::write_atomic(&self.path, &bytes)?;
        self.kdf = kdf;
        self.salt = salt;
        self.key = key;
        Ok(())
    }

    /// Locks the vault: zeroizes every secret in memory and releases the file lock.
    pub fn lock(self) {
        drop(self);
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The KDF parameters the file is stored with.
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    // ---- keys ----------------------------------------------------------------------------------

    /// The stored keys (public facts only).
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.content.keys.iter().map(|k| k.info.clone()).collect()
    }

    /// Generates a key of `kind` from the OS CSPRNG and adds it (call [`Vault::save`] to persist).
    ///
    /// # Errors
    /// [`Error::Rng`] / [`Error::Key`].
    pub fn generate_key(&mut self, kind: KeyKind, label: &str) -> Result<KeyInfo, Error> {
        let secret = KeySecret::generate(kind)?;
        self.add_key(secret, label)
    }

    /// Adds existing key material (an import).
    ///
    /// # Errors
    /// [`Error::Rng`] if no id can be drawn.
    pub fn add_key(&mut self, secret: KeySecret, label: &str) -> Result<KeyInfo, Error> {
        let info = KeyInfo {
            id: new_id()?.into(),
            label: label.to_owned(),
            kind: secret.kind(),
            public_key: secret.public_bytes(),
            created_at: now_unix(),
        };
        self.content.keys.push(KeyEntry {
            info: info.clone(),
            secret,
        });
        Ok(info)
    }

    /// The secret of key `id`.
    ///
    /// # Errors
    /// [`Error::UnknownId`].
    pub fn key_secret(&self, id: &KeyId) -> Result<&KeySecret, Error> {
        self.content
            .keys
            .iter()
            .find(|k| k.info.id == *id)
            .map(|k| &k.secret)
            .ok_or_else(|| Error::UnknownId {
                what: "key",
                id: id.to_string(),
            })
    }

    /// Removes key `id` (its secret is zeroized).
    ///
    /// # Errors
    /// [`Error::UnknownId`].
    pub fn remove_key(&mut self, id: &KeyId) -> Result<KeyInfo, Error> {
        let pos = self
            .content
            .keys
            .iter()
            .position(|k| k.info.id == *id)
            .ok_or_else(|| Error::UnknownId {
                what: "key",
                id: id.to_string(),
            })?;
        Ok(self.content.keys.remove(pos).info.clone())
    }

    // ---- credentials ---------------------------------------------------------------------------

    /// The stored credentials.
    pub fn credentials(&self) -> &[CredentialRecord] {
        &self.content.credentials
    }

    /// Adds a credential document (JSON text, checked to be JSON).
    ///
    /// # Errors
    /// [`Error::InvalidDocument`] for text that is not JSON.
    pub fn add_credential(
        &mut self,
        label: &str,
        format: &str,
        document: &str,
    ) -> Result<&CredentialRecord, Error> {
        serde_json::from_str::<serde::de::IgnoredAny>(document)
            .map_err(|e| Error::InvalidDocument(e.to_string()))?;
        self.content.credentials.push(CredentialRecord {
            id: new_id()?.into(),
            label: label.to_owned(),
            format: format.to_owned(),
            document: document.to_owned(),
            added_at: now_unix(),
        });
        let last = self.content.credentials.len() - 1;
        Ok(&self.content.credentials[last])
    }

    /// Removes credential `id`.
    ///
    /// # Errors
    /// [`Error::UnknownId`].
    pub fn remove_credential(&mut self, id: &CredentialId) -> Result<CredentialRecord, Error> {
        let pos = self
            .content
            .credentials
            .iter()
            .position(|c| c.id == *id)
            .ok_or_else(|| Error::UnknownId {
                what: "credential",
                id: id.to_string(),
            })?;
        Ok(self.content.credentials.remove(pos))
    }

    // ---- history -------------------------------------------------------------------------------

    /// The disclosure history, oldest first.
    pub fn history(&self) -> &[DisclosureRecord] {
        &self.content.history
    }

    /// Appends a disclosure record.
    pub fn append_history(&mut self, record: DisclosureRecord) {
        self.content.history.push(record);
    }

    // ---- application records ----------------------------------------------------------------

    /// The top-level names the vault itself uses; [`Vault::set_record`] refuses them.
    pub const RESERVED_RECORDS: [&'static str; 4] = ["schema", "keys", "credentials", "history"];

    /// An application record (a JSON document the application layer keeps in the encrypted
    /// contents, e.g. the issuer profile), by name.
    pub fn record(&self, name: &str) -> Option<&str> {
        if Self::RESERVED_RECORDS.contains(&name) {
            return None;
        }
        self.content.other.get(name).map(|v| v.as_str())
    }

    /// Stores (replaces) application record `name`; `json` must be JSON text. Takes effect on
    /// the next [`Vault::save`].
    ///
    /// # Errors
    /// [`Error::InvalidDocument`] for a reserved name or text that is not JSON.
    pub fn set_record(&mut self, name: &str, json: &str) -> Result<(), Error> {
        if Self::RESERVED_RECORDS.contains(&name) || name.is_empty() {
            return Err(Error::InvalidDocument(format!(
                "{name:?} is not a usable record name"
            )));
        }
        serde_json::from_str::<serde::de::IgnoredAny>(json)
            .map_err(|e| Error::InvalidDocument(e.to_string()))?;
        self.content
            .other
            .insert(name.to_owned(), Zeroizing::new(json.to_owned()));
        Ok(())
    }

    // ---- backup --------------------------------------------------------------------------------

    /// Writes an encrypted backup of the current contents to `dest` under a separate backup
    /// passphrase (fresh salt; `kdf` defaults to [`KdfParams::DEFAULT`]).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] if `dest` exists and `overwrite` is [`Overwrite::Refuse`]; I/O.
    pub fn export_backup(
        &self,
        dest: &Path,
        backup_passphrase: &Passphrase,
        kdf: Option<KdfParams>,
        overwrite: Overwrite,
    ) -> Result<(), Error> {
        backup::export(&self.content, dest, backup_passphrase, kdf, overwrite)
    }

    /// Restores a backup into a vault at `vault_path`, protected by `vault_passphrase`.
    ///
    /// An existing vault at `vault_path` is replaced only with [`Overwrite::Replace`] (and only
    /// when no other process has it open).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`], [`Error::InUse`], [`Error::WrongPassphrase`] (for the backup
    /// passphrase), and the file errors of [`Vault::unlock`] for the backup file.
    pub fn restore_backup(
        backup_path: &Path,
        backup_passphrase: &Passphrase,
        vault_path: &Path,
        vault_passphrase: &Passphrase,
        kdf: KdfParams,
        overwrite: Overwrite,
    ) -> Result<Self, Error> {
        let bytes = file::read(backup_path, FileKind::Backup)?;
        let (_, _, _, content) = open_container(&bytes, FileKind::Backup, backup_passphrase)?;
        let lock = VaultLock::acquire(vault_path)?;
        if vault_path.exists() && overwrite == Overwrite::Refuse {
            return Err(Error::AlreadyExists(vault_path.to_path_buf()));
        }
        Self::init(vault_path, lock, vault_passphrase, kdf, content)
    }
}

/// Seals `content` as a backup container (used by `backup`).
pub(crate) fn seal_backup(
    content: &Content,
    passphrase: &Passphrase,
    kdf: KdfParams,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let salt = random_bytes::<16>()?;
    let key = MasterKey::derive(passphrase, &salt, &kdf)?;
    Ok(Zeroizing::new(seal_container(
        FileKind::Backup,
        kdf,
        salt,
        &key,
        content,
    )?))
}
