//! The verifier's own state: the nonces it issued (each accepted once, surviving restarts) and
//! the issuers it trusts. Plain JSON files written atomically; neither holds a secret, so a
//! verifier needs no passphrase to verify.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::di::{DateTime, MAX_CLOCK_SKEW_SECONDS};
use crate::did::Did;
use crate::fs::{LockError, ReadError, lock_exclusive, read_capped, write_atomic};
use crate::request::{Nonce, PresentationRequest};

/// The largest state file read, in bytes.
const MAX_STATE_BYTES: u64 = 16 * 1024 * 1024;

/// Why the verifier's state could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing the file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file is not what this build writes.
    #[error("{path} is damaged: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn read_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T, StoreError> {
    let bytes = match read_capped(path, MAX_STATE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(T::default()),
        Err(ReadError::TooLarge { limit, .. }) => {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                message: format!("more than {limit} bytes, more than any state file"),
            });
        }
        Err(e) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomic(path, &bytes).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Holds the file's lock for a read-modify-write; retries briefly while another process holds
/// it (each holder keeps it for one small file write).
fn locked(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut tries = 0;
    loop {
        match lock_exclusive(path) {
            Ok(f) => return Ok(f),
            Err(LockError::InUse(_)) if tries < 200 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
        }
    }
}

/// Why a nonce was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonceRefusal {
    /// This verifier never issued it.
    #[error("this verifier never issued the nonce")]
    Unknown,
    /// It was accepted before: a replay.
    #[error("the nonce was already used at {0} (a replayed presentation)")]
    AlreadyUsed(DateTime),
    /// Its request expired.
    #[error("the nonce expired at {0}")]
    Expired(DateTime),
    /// The request presented with it is not the one this verifier issued the nonce for (an
    /// edited copy: claims dropped, another `client_id`, a later expiry).
    #[error("the request is not the one this verifier issued the nonce for (it was altered)")]
    OtherRequest,
    /// The store could not be read or written (fail closed).
    #[error("the nonce store failed: {0}")]
    Store(String),
}

/// The nonces a verifier issued. [`NonceStore::consume`] accepts each one once.
pub trait NonceStore {
    /// Records the nonce of `request`, with its expiry and the request's digest.
    ///
    /// # Errors
    /// [`NonceRefusal::Store`].
    fn issue(&mut self, request: &PresentationRequest) -> Result<(), NonceRefusal>;

    /// Accepts the nonce of `request` if it was issued for exactly this request, is unexpired
    /// at `now` and was never accepted; marks it used.
    ///
    /// # Errors
    /// [`NonceRefusal`].
    fn consume(&mut self, request: &PresentationRequest, now: DateTime)
    -> Result<(), NonceRefusal>;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct NonceEntry {
    expires: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<i64>,
    /// The digest of the request the nonce was issued with (hex). Nonces recorded before
    /// digests were kept have none, and are refused as [`NonceRefusal::OtherRequest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct NonceFile {
    nonces: BTreeMap<String, NonceEntry>,
}

impl NonceFile {
    fn issue(&mut self, request: &PresentationRequest) {
        self.nonces.insert(
            request.nonce.as_str().to_owned(),
            NonceEntry {
                expires: request.expires_at().unix_seconds(),
                used_at: None,
                request: Some(request.digest().to_hex()),
            },
        );
    }

    fn consume(
        &mut self,
        request: &PresentationRequest,
        now: DateTime,
    ) -> Result<(), NonceRefusal> {
        let nonce: &Nonce = &request.nonce;
        // Entries whose request expired (beyond the clock skew) can go: their nonces are
        // refused by expiry whether or not they are remembered as used.
        let horizon = now.unix_seconds() - MAX_CLOCK_SKEW_SECONDS;
        let entry = self
            .nonces
            .get_mut(nonce.as_str())
            .ok_or(NonceRefusal::Unknown)?;
        if entry.request.as_deref() != Some(request.digest().to_hex().as_str()) {
            return Err(NonceRefusal::OtherRequest);
        }
        if let Some(at) = entry.used_at {
            return Err(NonceRefusal::AlreadyUsed(DateTime::from_unix_seconds(at)));
        }
        if entry.expires < now.unix_seconds() {
            return Err(NonceRefusal::Expired(DateTime::from_unix_seconds(
                entry.expires,
            )));
        }
        entry.used_at = Some(now.unix_seconds());
        self.nonces.retain(|_, e| e.expires >= horizon);
        Ok(())
    }
}

/// Nonces kept in memory (tests, benches, a verifier that needs no restart safety).
#[derive(Clone, Debug, Default)]
pub struct MemoryNonceStore(NonceFile);

impl NonceStore for MemoryNonceStore {
    fn issue(&mut self, request: &PresentationRequest) -> Result<(), NonceRefusal> {
        self.0.issue(request);
        Ok(())
    }
    fn consume(
        &mut self,
        request: &PresentationRequest,
        now: DateTime,
    ) -> Result<(), NonceRefusal> {
        self.0.consume(request, now)
    }
}

/// Nonces in a JSON file, read and rewritten atomically under a lock on each operation, so
/// they survive restarts and two verifier processes never accept one nonce twice.
#[derive(Clone, Debug)]
pub struct FileNonceStore {
    path: PathBuf,
}

impl FileNonceStore {
    /// The store at `path` (created on first use).
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
        }
    }

    fn update<T>(
        &self,
        f: impl FnOnce(&mut NonceFile) -> Result<T, NonceRefusal>,
    ) -> Result<T, NonceRefusal> {
        let store = |e: StoreError| NonceRefusal::Store(e.to_string());
        let _lock = locked(&self.path).map_err(store)?;
        let mut file: NonceFile = read_json(&self.path).map_err(store)?;
        let out = f(&mut file)?;
        write_json(&self.path, &file).map_err(store)?;
        Ok(out)
    }
}

impl NonceStore for FileNonceStore {
    fn issue(&mut self, request: &PresentationRequest) -> Result<(), NonceRefusal> {
        self.update(|f| {
            f.issue(request);
            Ok(())
        })
    }
    fn consume(
        &mut self,
        request: &PresentationRequest,
        now: DateTime,
    ) -> Result<(), NonceRefusal> {
        self.update(|f| f.consume(request, now))
    }
}

/// The issuers a verifier accepts credentials from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    trusted: BTreeSet<Did>,
}

impl TrustList {
    /// Reads the list at `path` (empty if the file does not exist).
    ///
    /// # Errors
    /// [`StoreError`].
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        read_json(path)
    }

    /// Changes the list at `path` with `change`, reading, changing and writing it under the
    /// file's lock, so two processes changing the list at once both take effect (neither writes
    /// back a list read before the other's change). Returns what `change` returned and the list
    /// as written.
    ///
    /// # Errors
    /// [`StoreError`]; the file is unchanged.
    pub fn update<T>(
        path: &Path,
        change: impl FnOnce(&mut Self) -> T,
    ) -> Result<(T, Self), StoreError> {
        let _lock = locked(path)?;
        let mut list: Self = read_json(path)?;
        let out = change(&mut list);
        write_json(path, &list)?;
        Ok((out, list))
    }

    /// Adds an issuer; false if it was there.
    pub fn add(&mut self, did: Did) -> bool {
        self.trusted.insert(did)
    }

    /// Removes an issuer; false if it was not there.
    pub fn remove(&mut self, did: &Did) -> bool {
        self.trusted.remove(did)
    }

    /// Whether `did` is trusted.
    pub fn contains(&self, did: &Did) -> bool {
        self.trusted.contains(did)
    }

    /// The trusted issuers.
    pub fn iter(&self) -> impl Iterator<Item = &Did> {
        self.trusted.iter()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn request(expires: DateTime) -> PresentationRequest {
        PresentationRequest::new(
            crate::request::ClientId::parse("loans.lender.example").unwrap(),
            &["VerifiableCredential"],
            &["ageOver18"],
            &[],
            expires,
        )
        .unwrap()
    }

    #[test]
    fn a_nonce_is_accepted_once_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonces.json");
        let t = DateTime::from_unix_seconds(1_000_000);
        let r = request(t.saturating_add_seconds(600));
        FileNonceStore::new(&path).issue(&r).unwrap();
        assert_eq!(
            FileNonceStore::new(&path).consume(&request(t.saturating_add_seconds(600)), t),
            Err(NonceRefusal::Unknown)
        );
        FileNonceStore::new(&path).consume(&r, t).unwrap();
        // A new store on the same file: a restarted verifier.
        assert_eq!(
            FileNonceStore::new(&path).consume(&r, t.saturating_add_seconds(1)),
            Err(NonceRefusal::AlreadyUsed(t))
        );
        let late = request(t);
        let mut s = FileNonceStore::new(&path);
        s.issue(&late).unwrap();
        assert_eq!(
            s.consume(&late, t.saturating_add_seconds(1)),
            Err(NonceRefusal::Expired(t))
        );
    }

    /// Issue 17 item 7: an edited request with the issued nonce is not the request issued.
    #[test]
    fn an_altered_request_does_not_spend_its_nonce() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonces.json");
        let t = DateTime::from_unix_seconds(1_000_000);
        let r = PresentationRequest::new(
            crate::request::ClientId::parse("loans.lender.example").unwrap(),
            &["VerifiableCredential"],
            &["ageOver18", "incomeBand"],
            &[],
            t.saturating_add_seconds(600),
        )
        .unwrap();
        let mut store = FileNonceStore::new(&path);
        store.issue(&r).unwrap();
        let mut edits = Vec::new();
        let mut dropped = r.clone();
        dropped.dcql_query.credentials[0].claims.pop();
        edits.push(dropped);
        let mut other = r.clone();
        other.client_id = crate::request::ClientId::parse("evil.example").unwrap();
        edits.push(other);
        let mut later = r.clone();
        later.exp += 3600;
        edits.push(later);
        for edited in &edits {
            assert_eq!(
                store.consume(edited, t),
                Err(NonceRefusal::OtherRequest),
                "{edited:?}"
            );
        }
        // The real request still spends it once.
        store.consume(&r, t).unwrap();
        // A nonce recorded without a digest (an older store) is refused, not trusted.
        let old = request(t.saturating_add_seconds(600));
        std::fs::write(
            &path,
            format!(
                "{{\"nonces\": {{\"{}\": {{\"expires\": {}}}}}}}",
                old.nonce, old.exp
            ),
        )
        .unwrap();
        assert_eq!(store.consume(&old, t), Err(NonceRefusal::OtherRequest));
    }

    #[test]
    fn damaged_state_fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nonces.json");
        std::fs::write(&path, b"{\"nonces\": 7").unwrap();
        let r = request(DateTime::UNIX_EPOCH);
        assert!(matches!(
            FileNonceStore::new(&path).consume(&r, DateTime::UNIX_EPOCH),
            Err(NonceRefusal::Store(m)) if m.contains("damaged")
        ));
        std::fs::write(&path, b"[").unwrap();
        assert!(matches!(
            TrustList::load(&path),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn concurrent_trust_changes_all_take_effect() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.json");
        let did = |i: usize| Did::parse(&format!("did:ethr:0x539:0x{i:02x}")).unwrap();
        for i in 0..8 {
            TrustList::update(&path, |t| t.add(did(i))).unwrap();
        }
        // Eight threads remove the first eight while eight others add eight more.
        std::thread::scope(|s| {
            for i in 0..16 {
                let path = &path;
                s.spawn(move || {
                    TrustList::update(path, |t| {
                        if i < 8 {
                            t.remove(&did(i))
                        } else {
                            t.add(did(i))
                        }
                    })
                    .unwrap()
                });
            }
        });
        let back: Vec<Did> = TrustList::load(&path).unwrap().iter().cloned().collect();
        assert_eq!(back, (8..16).map(did).collect::<Vec<_>>());
    }

    #[test]
    fn trust_list_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.json");
        let d = Did::parse("did:ethr:0x539:0x01").unwrap();
        let (added, t) = TrustList::update(&path, |t| t.add(d.clone())).unwrap();
        assert!(added);
        let (again, _) = TrustList::update(&path, |t| t.add(d.clone())).unwrap();
        assert!(!again);
        let back = TrustList::load(&path).unwrap();
        assert!(back.contains(&d));
        assert_eq!(back, t);
    }
}
