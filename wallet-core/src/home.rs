//! A wallet's data directory: where the vault, the embedded chain and the verifier's state live.
//! The `siegel` CLI and the desktop app share it, so both open the same wallet.
//!
//! ```text
//! DIR/vault.siegel          the encrypted vault
//! DIR/chain/devchain        the embedded development chain (journal + snapshot)
//! DIR/verifier/trust.json   the issuers this verifier trusts
//! DIR/verifier/nonces.json  the nonces of the requests it made
//! ```

use std::path::{Path, PathBuf};

use crate::app::AppError;
use crate::di::Clock;
use crate::ledger::TrustSource;
use crate::request::{ClientId, PresentationRequest};
use crate::verify::{
    self, FileNonceStore, HolderBinding, NonceStore, Policy, Report, StoreError, TrustList,
};

/// A wallet's data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// The data directory at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform's data directory for Siegel (`~/.local/share/siegel` on Linux), if the
    /// platform has one.
    pub fn platform_default() -> Option<PathBuf> {
        project_dirs().map(|p| p.data_dir().to_path_buf())
    }

    /// The platform's configuration directory for Siegel (`~/.config/siegel` on Linux): for
    /// front-end settings, which are not part of a wallet's data directory.
    pub fn platform_config_dir() -> Option<PathBuf> {
        project_dirs().map(|p| p.config_dir().to_path_buf())
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The vault file.
    pub fn vault_path(&self) -> PathBuf {
        self.dir.join("vault.siegel")
    }

    /// Whether a vault exists here.
    pub fn has_vault(&self) -> bool {
        self.vault_path().exists()
    }

    /// The embedded chain's journal.
    pub fn dev_chain_path(&self) -> PathBuf {
        self.dir.join("chain").join("devchain")
    }

    /// The verifier's state directory.
    pub fn verifier_dir(&self) -> PathBuf {
        self.dir.join("verifier")
    }

    /// Creates the data directory (owner-only) if it is missing.
    ///
    /// # Errors
    /// The OS error.
    pub fn ensure(&self) -> Result<(), crate::fs::FsError> {
        crate::fs::create_private_dir(&self.dir)
    }

    /// The verifier's desk in this directory.
    pub fn verifier(&self) -> VerifierDesk {
        VerifierDesk {
            dir: self.verifier_dir(),
        }
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "siegel")
}

/// A verifier's state: the issuers it trusts and the nonces it issued. It holds no secret, so it
/// needs no vault and no passphrase.
#[derive(Clone, Debug)]
pub struct VerifierDesk {
    dir: PathBuf,
}

impl VerifierDesk {
    fn file(&self, name: &str) -> Result<PathBuf, AppError> {
        crate::fs::create_private_dir(&self.dir)
            .map_err(|e| AppError::Input(format!("cannot create {}: {e}", self.dir.display())))?;
        Ok(self.dir.join(name))
    }

    fn trust_path(&self) -> Result<PathBuf, AppError> {
        self.file("trust.json")
    }

    fn nonces(&self) -> Result<FileNonceStore, AppError> {
        Ok(FileNonceStore::new(&self.file("nonces.json")?))
    }

    /// A new KYC request from `domain` for `required` and `optional` claims, valid for
    /// `valid_for` seconds from `clock`'s now, stating `purpose` (empty: none). Its nonce is
    /// recorded, so [`VerifierDesk::verify`] accepts one answer to it.
    ///
    /// # Errors
    /// [`AppError::Input`] for a bad domain, claim or purpose; the nonce store's errors.
    pub fn new_request(
        &self,
        domain: &str,
        required: &[&str],
        optional: &[&str],
        purpose: &str,
        valid_for: u64,
        clock: &dyn Clock,
    ) -> Result<PresentationRequest, AppError> {
        let client_id = ClientId::parse(domain)
            .map_err(|e| AppError::Input(format!("the domain {domain:?}: {e}")))?;
        let expires = clock
            .now()
            .saturating_add_seconds(i64::try_from(valid_for).unwrap_or(i64::MAX));
        let request = PresentationRequest::kyc(client_id, required, optional, expires)
            .and_then(|r| r.with_purpose(purpose))
            .map_err(|e| AppError::Input(format!("the request cannot be made: {e}")))?;
        self.nonces()?
            .issue(&request)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(request)
    }

    /// Verifies a presentation's `bytes` as the answer to `request`, under this desk's trust
    /// list, spending the request's nonce when the presentation is accepted.
    ///
    /// # Errors
    /// The trust list or nonce store cannot be read; the verification's own failures are in
    /// the [`Report`].
    pub fn verify(
        &self,
        bytes: &[u8],
        request: &PresentationRequest,
        holder_binding: HolderBinding,
        trust: &dyn TrustSource,
        clock: &dyn Clock,
    ) -> Result<Report, AppError> {
        let policy = Policy {
            trusted_issuers: self.trust_list()?,
            holder_binding,
        };
        let mut nonces = self.nonces()?;
        Ok(verify::verify_presentation(
            bytes,
            request,
            &policy,
            trust,
            &mut nonces,
            clock,
        ))
    }

    /// The trusted issuers.
    ///
    /// # Errors
    /// The file cannot be read or is damaged.
    pub fn trust_list(&self) -> Result<TrustList, AppError> {
        TrustList::load(&self.trust_path()?).map_err(store_error)
    }

    /// Replaces the trusted issuers (atomically).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn save_trust_list(&self, list: &TrustList) -> Result<(), AppError> {
        list.save(&self.trust_path()?).map_err(store_error)
    }
}

fn store_error(e: StoreError) -> AppError {
    AppError::Input(e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::di::DateTime;

    struct FixedClock(DateTime);
    impl Clock for FixedClock {
        fn now(&self) -> DateTime {
            self.0
        }
    }

    #[test]
    fn layout_and_requests() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::new(tmp.path().join("w"));
        assert!(!home.has_vault());
        assert_eq!(home.vault_path(), tmp.path().join("w/vault.siegel"));
        let desk = home.verifier();
        let clock = FixedClock(DateTime::from_unix_seconds(1_800_000_000));
        let r = desk
            .new_request(
                "lender.example",
                &["ageOver18"],
                &["incomeBand"],
                "a loan",
                600,
                &clock,
            )
            .unwrap();
        assert_eq!(r.expires_at(), DateTime::from_unix_seconds(1_800_000_600));
        assert_eq!(r.purpose.as_deref(), Some("a loan"));
        let nonces = std::fs::read_to_string(home.verifier_dir().join("nonces.json")).unwrap();
        assert!(nonces.contains(r.nonce.as_str()), "{nonces}");
        assert!(matches!(
            desk.new_request("not a domain", &["ageOver18"], &[], "", 600, &clock),
            Err(AppError::Input(_))
        ));
        assert!(matches!(
            desk.new_request("lender.example", &["shoeSize"], &[], "", 600, &clock),
            Err(AppError::Input(_))
        ));
        assert!(desk.trust_list().unwrap().iter().next().is_none());
    }
}
