//! A wallet's data directory: where the vault, the embedded chain and the verifier's state live.
//! The `siegel` CLI and the desktop app share it, so both open the same wallet.
//!
//! ```text
//! DIR/vault.siegel          the encrypted vault
//! DIR/chain/devchain        the embedded development chain (journal + snapshot)
//! DIR/verifier/trust.json   the issuers this verifier trusts
//! DIR/verifier/nonces.json  the nonces of the requests it made
//! ```

use std::path::{Component, Path, PathBuf};

use crate::app::AppError;
use crate::di::Clock;
use crate::fs::FsError;
use crate::ledger::TrustSource;
use crate::request::{ClientId, MAX_LIFETIME_SECONDS, PresentationRequest, RequestError};
use crate::vault::Overwrite;
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

    /// Checks that an output file (a credential, presentation, request or backup a person asked
    /// for) may be written at `path`: never inside this data directory, whose files (the vault,
    /// the chain, the verifier's state) an output must not replace or sit beside, however the
    /// path is spelled (relative, with `..`, through symbolic links); and over an existing file
    /// only with [`Overwrite::Replace`]. Front ends check before doing the work whose result
    /// they write, so a refused path spends no nonce and records no disclosure.
    ///
    /// # Errors
    /// [`OutputError::InsideDataDir`], [`OutputError::Exists`], or [`OutputError::Write`] when
    /// the current directory cannot be read.
    pub fn check_output(&self, path: &Path, overwrite: Overwrite) -> Result<(), OutputError> {
        let cwd = |e| FsError {
            op: "resolve",
            path: path.to_path_buf(),
            source: e,
        };
        let target = resolved(path).map_err(cwd)?;
        let dir = resolved(&self.dir).map_err(cwd)?;
        if target.starts_with(&dir) {
            return Err(OutputError::InsideDataDir {
                path: path.to_path_buf(),
                dir: self.dir.clone(),
            });
        }
        if overwrite == Overwrite::Refuse && path.symlink_metadata().is_ok() {
            return Err(OutputError::Exists(path.to_path_buf()));
        }
        Ok(())
    }

    /// Writes an output file at `path` under the rule of [`Home::check_output`], atomically (see
    /// [`crate::fs`]): with [`Overwrite::Refuse`] a file that appears at `path` meanwhile is not
    /// replaced either.
    ///
    /// # Errors
    /// As [`Home::check_output`]; [`OutputError::Write`].
    pub fn write_output(
        &self,
        path: &Path,
        bytes: &[u8],
        overwrite: Overwrite,
    ) -> Result<(), OutputError> {
        self.check_output(path, overwrite)?;
        match overwrite {
            Overwrite::Replace => crate::fs::write_atomic(path, bytes)?,
            Overwrite::Refuse => crate::fs::write_new_atomic(path, bytes).map_err(|e| {
                if e.source.kind() == std::io::ErrorKind::AlreadyExists && e.path == path {
                    OutputError::Exists(path.to_path_buf())
                } else {
                    OutputError::Write(e)
                }
            })?,
        }
        Ok(())
    }
}

/// Why an output file was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The path lies inside the data directory.
    #[error(
        "{} is inside the data directory {}; write it elsewhere",
        path.display(),
        dir.display()
    )]
    InsideDataDir {
        /// The path asked for.
        path: PathBuf,
        /// The data directory.
        dir: PathBuf,
    },
    /// A file is there and replacing it was not asked for.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] FsError),
}

/// `path` made absolute, with symbolic links resolved as far as it exists and `.` and `..`
/// applied to the rest (which does not exist yet, so holds no link).
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let parts: Vec<Component<'_>> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let Ok(mut out) = parts[..existing].iter().collect::<PathBuf>().canonicalize() else {
            continue;
        };
        for part in &parts[existing..] {
            match part {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return Ok(out);
    }
    Ok(absolute)
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
    /// `valid_for` seconds (at most [`MAX_LIFETIME_SECONDS`]) from `clock`'s now, stating
    /// `purpose` (empty: none). Its nonce is recorded, so [`VerifierDesk::verify`] accepts one
    /// answer to it.
    ///
    /// # Errors
    /// [`AppError::Request`] ([`RequestError::Lifetime`]) for a lifetime of zero or beyond the
    /// maximum; [`AppError::Input`] for a bad domain, claim or purpose; the nonce store's errors.
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
        if !(1..=MAX_LIFETIME_SECONDS).contains(&valid_for) {
            return Err(RequestError::Lifetime { seconds: valid_for }.into());
        }
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

    /// Changes the trusted issuers: `change` runs on the list as stored, under the file's lock,
    /// and its result is written back atomically before the lock is released (the only way to
    /// change the list, so concurrent changes from the CLI and the app never undo each other).
    /// Returns what `change` returned and the list as written.
    ///
    /// # Errors
    /// The file cannot be read, is damaged, or cannot be written; it is then unchanged.
    pub fn update_trust_list<T>(
        &self,
        change: impl FnOnce(&mut TrustList) -> T,
    ) -> Result<(T, TrustList), AppError> {
        TrustList::update(&self.trust_path()?, change).map_err(store_error)
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
    fn outputs_stay_out_of_the_data_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::new(tmp.path().join("w"));
        home.ensure().unwrap();
        std::fs::write(home.vault_path(), b"vault").unwrap();
        let inside = [
            home.vault_path(),
            home.dir().to_path_buf(),
            home.dir().join("verifier/nonces.json"),
            home.dir().join("new/../vault.siegel"),
            tmp.path().join("elsewhere/../w/x.json"),
        ];
        for path in &inside {
            for overwrite in [Overwrite::Refuse, Overwrite::Replace] {
                assert!(
                    matches!(
                        home.write_output(path, b"x", overwrite),
                        Err(OutputError::InsideDataDir { .. })
                    ),
                    "{}",
                    path.display()
                );
            }
        }
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(home.dir(), &link).unwrap();
            assert!(matches!(
                home.check_output(&link.join("vault.siegel"), Overwrite::Replace),
                Err(OutputError::InsideDataDir { .. })
            ));
            // A link to the vault is followed: forcing over it is refused too.
            let to_vault = tmp.path().join("to-vault");
            std::os::unix::fs::symlink(home.vault_path(), &to_vault).unwrap();
            assert!(matches!(
                home.check_output(&to_vault, Overwrite::Replace),
                Err(OutputError::InsideDataDir { .. })
            ));
        }
        assert_eq!(std::fs::read(home.vault_path()).unwrap(), b"vault");
        assert!(!home.dir().join("new").exists());

        let out = tmp.path().join("out/request.json");
        home.write_output(&out, b"one", Overwrite::Refuse).unwrap();
        assert!(matches!(
            home.write_output(&out, b"two", Overwrite::Refuse),
            Err(OutputError::Exists(_))
        ));
        home.write_output(&out, b"two", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
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
        for too_long in [
            0,
            MAX_LIFETIME_SECONDS + 1,
            100_000_000_000_000 * 86_400,
            u64::MAX,
        ] {
            assert!(matches!(
                desk.new_request("lender.example", &["ageOver18"], &[], "", too_long, &clock),
                Err(AppError::Request(RequestError::Lifetime { seconds })) if seconds == too_long
            ));
        }
        assert!(desk.trust_list().unwrap().iter().next().is_none());
    }
}
