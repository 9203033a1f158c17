//! The worker: one background thread that owns the unlocked vault and the chain connection and
//! does everything slow — the KDF, proofs, chain reads and writes. The UI thread sends it
//! [`Job`]s and, each frame, collects [`Reply`]s; the worker wakes the UI with
//! `request_repaint` when a reply is ready, so the UI never waits on it.
//!
//! The vault's secrets live only on this thread: the UI sees summaries, previews and reports.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use registry::connect::{ChainSpec, Connection};
use registry::ledger::ChainLedger;
use serde_json::Value;
use wallet_core::app::{AppError, Category};
use wallet_core::di::SystemClock;
use wallet_core::holder::{
    self, CredentialSummary, CredentialView, HolderIdentity, OptionalClaims, Preview, Standing,
};
use wallet_core::home::Home;
use wallet_core::request::PresentationRequest;
use wallet_core::vault::{self, CredentialId, KdfParams, Overwrite, Passphrase, Vault};
use wallet_core::verify::{HolderBinding, Report};

/// Work for the worker.
pub enum Job {
    /// Create the vault and the holder identity on the chain.
    Create {
        /// The new vault passphrase.
        passphrase: Passphrase,
    },
    /// Restore the vault from an encrypted backup file.
    Restore {
        /// The backup file.
        backup: PathBuf,
        /// Its passphrase.
        backup_passphrase: Passphrase,
        /// The restored vault's passphrase.
        passphrase: Passphrase,
    },
    /// Unlock the vault.
    Unlock {
        /// The vault passphrase.
        passphrase: Passphrase,
    },
    /// Drop the vault and its secrets from memory.
    Lock,
    /// Create the holder identity in an open vault that has none.
    SetUpIdentity,
    /// Check a received credential and store it.
    Import {
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// Delete a stored credential.
    Delete(CredentialId),
    /// Read one credential in full.
    Show(CredentialId),
    /// Read every credential's status and validity.
    Standings,
    /// Work out what an answer would disclose.
    Preview {
        /// Which state of the Present screen asked (replies for an older one are dropped).
        generation: u64,
        /// The credential.
        id: CredentialId,
        /// The request.
        request: PresentationRequest,
        /// The optional claims chosen.
        optional: Vec<String>,
    },
    /// Derive, sign and record an answer.
    Present {
        /// Which state of the Present screen asked.
        generation: u64,
        /// The credential.
        id: CredentialId,
        /// The request.
        request: PresentationRequest,
        /// The optional claims chosen.
        optional: Vec<String>,
    },
    /// Resolve the holder's DID and read the chain head.
    Identity,
    /// Replace the holder's sigAuth key.
    RotateKey,
    /// Make a verifier's request (its nonce is recorded).
    NewRequest {
        /// The verifier's domain.
        domain: String,
        /// Required claims.
        required: Vec<String>,
        /// Optional claims.
        optional: Vec<String>,
        /// Why.
        purpose: String,
        /// Seconds it stays valid.
        valid_for: u64,
    },
    /// Read the verifier's trusted issuers.
    TrustList,
    /// Trust or stop trusting an issuer.
    SetTrust {
        /// The issuer's DID, as typed.
        did: String,
        /// Trust (true) or stop (false).
        trusted: bool,
    },
    /// Verify a presentation against a request.
    Verify {
        /// The presentation's bytes.
        bytes: Vec<u8>,
        /// The request it answers.
        request: PresentationRequest,
    },
    /// Use another data directory or chain (locks the vault).
    Reconfigure {
        /// The data directory.
        home: Home,
        /// The chain.
        chain: ChainSpec,
    },
    /// Stop the thread.
    Quit,
}

impl Job {
    /// What the job is, for the busy indicator and for matching its reply.
    pub fn kind(&self) -> JobKind {
        match self {
            Self::Create { .. } => JobKind::Create,
            Self::Restore { .. } => JobKind::Restore,
            Self::Unlock { .. } => JobKind::Unlock,
            Self::Lock => JobKind::Lock,
            Self::SetUpIdentity => JobKind::SetUpIdentity,
            Self::Import { .. } => JobKind::Import,
            Self::Delete(_) => JobKind::Delete,
            Self::Show(_) => JobKind::Show,
            Self::Standings => JobKind::Standings,
            Self::Preview { .. } => JobKind::Preview,
            Self::Present { .. } => JobKind::Present,
            Self::Identity => JobKind::Identity,
            Self::RotateKey => JobKind::RotateKey,
            Self::NewRequest { .. } => JobKind::NewRequest,
            Self::TrustList | Self::SetTrust { .. } => JobKind::Trust,
            Self::Verify { .. } => JobKind::Verify,
            Self::Reconfigure { .. } => JobKind::Reconfigure,
            Self::Quit => JobKind::Quit,
        }
    }
}

// Jobs carry passphrases: their Debug names the kind only.
impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Job::{:?}", self.kind())
    }
}

/// The kind of a [`Job`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// [`Job::Create`].
    Create,
    /// [`Job::Restore`].
    Restore,
    /// [`Job::Unlock`].
    Unlock,
    /// [`Job::Lock`].
    Lock,
    /// [`Job::SetUpIdentity`].
    SetUpIdentity,
    /// [`Job::Import`].
    Import,
    /// [`Job::Delete`].
    Delete,
    /// [`Job::Show`].
    Show,
    /// [`Job::Standings`].
    Standings,
    /// [`Job::Preview`].
    Preview,
    /// [`Job::Present`].
    Present,
    /// [`Job::Identity`].
    Identity,
    /// [`Job::RotateKey`].
    RotateKey,
    /// [`Job::NewRequest`].
    NewRequest,
    /// [`Job::TrustList`], [`Job::SetTrust`].
    Trust,
    /// [`Job::Verify`].
    Verify,
    /// [`Job::Reconfigure`].
    Reconfigure,
    /// [`Job::Quit`].
    Quit,
}

impl JobKind {
    /// A short name (for the timing report).
    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Restore => "restore",
            Self::Unlock => "unlock",
            Self::Lock => "lock",
            Self::SetUpIdentity => "set up identity",
            Self::Import => "import",
            Self::Delete => "delete",
            Self::Show => "show",
            Self::Standings => "standings",
            Self::Preview => "preview",
            Self::Present => "present",
            Self::Identity => "identity",
            Self::RotateKey => "rotate key",
            Self::NewRequest => "new request",
            Self::Trust => "trust",
            Self::Verify => "verify",
            Self::Reconfigure => "reconfigure",
            Self::Quit => "quit",
        }
    }

    /// What the app is doing, for the status line.
    pub fn doing(self) -> &'static str {
        match self {
            Self::Create => "Creating the vault (Argon2id) and your DID on the chain…",
            Self::Restore => "Restoring the backup (Argon2id)…",
            Self::Unlock => "Unlocking (Argon2id)…",
            Self::Lock => "Locking…",
            Self::SetUpIdentity => "Creating your DID on the chain…",
            Self::Import => "Checking the credential against the chain…",
            Self::Delete => "Deleting…",
            Self::Show => "Opening the credential…",
            Self::Standings => "Checking statuses on the chain…",
            Self::Preview => "Preparing the preview…",
            Self::Present => "Deriving the proof and signing…",
            Self::Identity => "Resolving your DID on the chain…",
            Self::RotateKey => "Publishing a new key on the chain…",
            Self::NewRequest => "Making the request…",
            Self::Trust => "Updating the trusted issuers…",
            Self::Verify => "Verifying the presentation…",
            Self::Reconfigure => "Switching data directory and chain…",
            Self::Quit => "Closing…",
        }
    }
}

/// The vault's contents as the UI shows them (no secrets).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WalletView {
    /// The holder identity.
    pub holder: Option<HolderIdentity>,
    /// The stored credentials.
    pub credentials: Vec<CredentialSummary>,
    /// The disclosure history, newest first.
    pub history: Vec<HistoryRow>,
}

/// One presentation made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    /// When (Unix seconds).
    pub at: u64,
    /// To which verifier (domain).
    pub verifier: String,
    /// Which credential.
    pub credential: CredentialId,
    /// The claims disclosed.
    pub disclosed: Vec<String>,
    /// Why, as the verifier said.
    pub purpose: Option<String>,
}

/// The holder's identity as the chain shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityView {
    /// The holder identity in the vault.
    pub holder: HolderIdentity,
    /// The DID document resolved now.
    pub document: Value,
    /// The chain, as a person reads it.
    pub chain: String,
    /// The chain's head block.
    pub head: u64,
}

/// A finished job's result.
#[derive(Debug)]
pub enum Done {
    /// The vault is open (after create, restore or unlock), with a warning when part of the
    /// job failed (a vault created whose DID could not be set up).
    Opened(WalletView, Option<String>),
    /// The vault is locked.
    Locked,
    /// The wallet changed (import, delete, present); with what the job produced.
    Changed(WalletView, Changed),
    /// A credential in full.
    Detail(CredentialView),
    /// Every credential's standing.
    Standings(Vec<(CredentialId, Standing)>),
    /// What an answer would disclose, for the Present screen's state `.0`.
    Previewed(u64, Preview),
    /// The holder's identity.
    Identity(IdentityView),
    /// The holder identity was created in an open vault.
    IdentityCreated(WalletView),
    /// A verifier's request.
    RequestMade(PresentationRequest),
    /// A verification report.
    Verified(Box<Report>),
    /// The trusted issuers now.
    Trusted(Vec<String>),
    /// Data directory and chain switched; whether a vault exists there.
    Reconfigured {
        /// Whether the new data directory holds a vault.
        has_vault: bool,
    },
}

/// What changed the wallet.
#[derive(Debug)]
pub enum Changed {
    /// A credential was stored.
    Imported(CredentialSummary),
    /// A credential was deleted.
    Deleted(CredentialSummary),
    /// A presentation was made and recorded, for the Present screen's state `.0`.
    Presented(u64, Presented),
}

/// A presentation made.
#[derive(Clone, Debug)]
pub struct Presented {
    /// The presentation, as pretty JSON.
    pub json: String,
    /// For whom (the request's client id).
    pub verifier: String,
    /// The claims disclosed.
    pub disclosed: Vec<String>,
    /// The claims withheld.
    pub withheld: Vec<String>,
}

/// Why a job failed, in words for the holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The message.
    pub message: String,
    /// What kind of failure.
    pub category: Category,
    /// The passphrase was wrong (the unlock screen says so by the field).
    pub wrong_passphrase: bool,
}

impl Failure {
    fn new(message: impl Into<String>, category: Category) -> Self {
        Self {
            message: message.into(),
            category,
            wrong_passphrase: false,
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        if let AppError::Vault(v) = e {
            return vault_failure(v);
        }
        let category = e.category();
        Self::new(e.to_string(), category)
    }
}

fn vault_failure(e: vault::Error) -> Failure {
    match e {
        vault::Error::WrongPassphrase => Failure {
            message: "Wrong passphrase.".into(),
            category: Category::Input,
            wrong_passphrase: true,
        },
        vault::Error::InUse(p) => Failure::new(
            format!(
                "The vault {} is open in another Siegel program; close it and try again.",
                p.display()
            ),
            Category::Retry,
        ),
        other => Failure::new(other.to_string(), Category::Internal),
    }
}

/// A job's reply.
#[derive(Debug)]
pub struct Reply {
    /// Which job.
    pub kind: JobKind,
    /// Its result.
    pub result: Result<Done, Failure>,
}

/// The UI's handle on the worker thread.
#[derive(Debug)]
pub struct Worker {
    quitting: Arc<AtomicBool>,
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker for the wallet in `home` on `chain` (or on `connection`, a chain this
    /// process already has open); `kdf` is used for new vaults; `wake` is called after each
    /// reply (the UI's `request_repaint`).
    ///
    /// # Errors
    /// The OS refused to start a thread.
    pub fn spawn(
        home: Home,
        chain: ChainSpec,
        connection: Option<Connection>,
        kdf: KdfParams,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, replies) = channel::<Reply>();
        let quitting = Arc::new(AtomicBool::new(false));
        let stop = quitting.clone();
        let thread = std::thread::Builder::new()
            .name("siegel-worker".into())
            .spawn(move || {
                let mut state = WorkerState {
                    home,
                    chain,
                    kdf,
                    vault: None,
                    shared: connection.is_some(),
                    connection,
                };
                while let Ok(job) = inbox.recv() {
                    let kind = job.kind();
                    // On quit, the jobs still queued are dropped: the app closes after the one
                    // running now, not after every chain call behind it.
                    if kind == JobKind::Quit || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let result = state.run(job);
                    state.release_embedded_chain();
                    if outbox.send(Reply { kind, result }).is_err() {
                        break;
                    }
                    wake();
                }
                // Dropping the state drops the vault, which zeroizes its secrets.
            })?;
        Ok(Self {
            quitting,
            jobs,
            replies,
            thread: Some(thread),
        })
    }

    /// Queues a job. Returns false if the worker has stopped.
    pub fn send(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    /// A finished job's reply, if one is ready (never waits).
    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.quitting.store(true, Ordering::Relaxed);
        let _ = self.jobs.send(Job::Quit);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct WorkerState {
    home: Home,
    chain: ChainSpec,
    kdf: KdfParams,
    vault: Option<Vault>,
    connection: Option<Connection>,
    /// The connection was given by the caller (shared within this process): kept.
    shared: bool,
}

impl WorkerState {
    /// An embedded chain is one process's at a time: between jobs the app lets go of it, so the
    /// `siegel` CLI can use the same chain while the wallet is open (a node needs no release).
    fn release_embedded_chain(&mut self) {
        if !self.shared && self.chain.dev_path(&self.home).is_some() {
            self.connection = None;
        }
    }

    fn run(&mut self, job: Job) -> Result<Done, Failure> {
        match job {
            Job::Create { passphrase } => self.create(&passphrase),
            Job::Restore {
                backup,
                backup_passphrase,
                passphrase,
            } => self.restore(&backup, &backup_passphrase, &passphrase),
            Job::Unlock { passphrase } => {
                self.vault = None;
                let vault =
                    Vault::unlock(&self.home.vault_path(), &passphrase).map_err(vault_failure)?;
                let view = view(&vault)?;
                self.vault = Some(vault);
                Ok(Done::Opened(view, None))
            }
            Job::Lock => {
                if let Some(v) = self.vault.take() {
                    v.lock();
                }
                Ok(Done::Locked)
            }
            Job::SetUpIdentity => {
                let ledger = self.ledger()?;
                let vault = self.vault_mut()?;
                holder::setup(vault, &ledger)?;
                vault.save().map_err(vault_failure)?;
                Ok(Done::IdentityCreated(view(vault)?))
            }
            Job::Import { bytes } => {
                let ledger = self.ledger()?;
                let vault = self.vault_mut()?;
                let summary = holder::receive(vault, &ledger, &bytes, &SystemClock)?;
                vault.save().map_err(vault_failure)?;
                Ok(Done::Changed(view(vault)?, Changed::Imported(summary)))
            }
            Job::Delete(id) => {
                let vault = self.vault_mut()?;
                let summary = holder::delete(vault, &id)?;
                vault.save().map_err(vault_failure)?;
                Ok(Done::Changed(view(vault)?, Changed::Deleted(summary)))
            }
            Job::Show(id) => Ok(Done::Detail(holder::show(self.vault_ref()?, &id)?)),
            Job::Standings => {
                let ledger = self.ledger()?;
                Ok(Done::Standings(holder::standings(
                    self.vault_ref()?,
                    &ledger,
                    &SystemClock,
                )))
            }
            Job::Preview {
                generation,
                id,
                request,
                optional,
            } => Ok(Done::Previewed(
                generation,
                holder::preview(
                    self.vault_ref()?,
                    &id,
                    &request,
                    &OptionalClaims::Only(optional),
                    &SystemClock,
                )?,
            )),
            Job::Present {
                generation,
                id,
                request,
                optional,
            } => {
                let vault = self.vault_mut()?;
                let answer = holder::answer(
                    vault,
                    &id,
                    &request,
                    &OptionalClaims::Only(optional),
                    &SystemClock,
                )?;
                // The history first: nothing leaves the wallet unrecorded.
                vault.save().map_err(vault_failure)?;
                let json = serde_json::to_string_pretty(&answer.presentation)
                    .map_err(|e| Failure::new(e.to_string(), Category::Internal))?;
                Ok(Done::Changed(
                    view(vault)?,
                    Changed::Presented(
                        generation,
                        Presented {
                            json,
                            verifier: request.client_id.to_string(),
                            disclosed: answer.disclosed,
                            withheld: answer.withheld,
                        },
                    ),
                ))
            }
            Job::Identity => self.identity(),
            Job::RotateKey => {
                let ledger = self.ledger()?;
                let vault = self.vault_mut()?;
                let result = holder::rotate_auth_key(vault, &ledger);
                // Saved even when only the withdrawal failed: the new key is in use.
                vault.save().map_err(vault_failure)?;
                result?;
                self.identity()
            }
            Job::NewRequest {
                domain,
                required,
                optional,
                purpose,
                valid_for,
            } => {
                let required: Vec<&str> = required.iter().map(String::as_str).collect();
                let optional: Vec<&str> = optional.iter().map(String::as_str).collect();
                Ok(Done::RequestMade(self.home.verifier().new_request(
                    &domain,
                    &required,
                    &optional,
                    &purpose,
                    valid_for,
                    &SystemClock,
                )?))
            }
            Job::TrustList => self.trusted(),
            Job::SetTrust { did, trusted } => {
                let did = wallet_core::did::Did::parse(did.trim())
                    .map_err(|e| Failure::new(format!("{did}: {e}"), Category::Input))?;
                let (_, list) = self.home.verifier().update_trust_list(|list| {
                    if trusted {
                        list.add(did);
                    } else {
                        list.remove(&did);
                    }
                })?;
                Ok(Done::Trusted(list.iter().map(|d| d.to_string()).collect()))
            }
            Job::Verify { bytes, request } => {
                let ledger = self.ledger()?;
                let report = self.home.verifier().verify(
                    &bytes,
                    &request,
                    HolderBinding::default(),
                    &ledger,
                    &SystemClock,
                )?;
                Ok(Done::Verified(Box::new(report)))
            }
            Job::Reconfigure { home, chain } => {
                if let Some(v) = self.vault.take() {
                    v.lock();
                }
                self.connection = None;
                self.shared = false;
                self.home = home;
                self.chain = chain;
                Ok(Done::Reconfigured {
                    has_vault: self.home.has_vault(),
                })
            }
            Job::Quit => Ok(Done::Locked),
        }
    }

    fn create(&mut self, passphrase: &Passphrase) -> Result<Done, Failure> {
        let ledger = self.ledger()?;
        self.ensure_home()?;
        let mut vault =
            Vault::create(&self.home.vault_path(), passphrase, self.kdf).map_err(vault_failure)?;
        // The vault exists from here on: if the chain fails now, open it anyway (the
        // Credentials screen offers to create the DID again) rather than strand the holder on
        // a first-run screen that cannot create a vault that already exists.
        let warning = match holder::setup(&mut vault, &ledger) {
            Ok(_) => None,
            Err(e) => Some(format!(
                "Your wallet was created, but your DID could not be set up on the chain: {e}"
            )),
        };
        vault.save().map_err(vault_failure)?;
        let view = view(&vault)?;
        self.vault = Some(vault);
        Ok(Done::Opened(view, warning))
    }

    fn restore(
        &mut self,
        backup: &std::path::Path,
        backup_passphrase: &Passphrase,
        passphrase: &Passphrase,
    ) -> Result<Done, Failure> {
        self.ensure_home()?;
        let vault = Vault::restore_backup(
            backup,
            backup_passphrase,
            &self.home.vault_path(),
            passphrase,
            self.kdf,
            Overwrite::Refuse,
        )
        .map_err(|e| match e {
            vault::Error::WrongPassphrase => Failure {
                message: "Wrong backup passphrase.".into(),
                category: Category::Input,
                wrong_passphrase: true,
            },
            other => vault_failure(other),
        })?;
        let view = view(&vault)?;
        self.vault = Some(vault);
        Ok(Done::Opened(view, None))
    }

    fn trusted(&self) -> Result<Done, Failure> {
        let list = self.home.verifier().trust_list()?;
        Ok(Done::Trusted(list.iter().map(|d| d.to_string()).collect()))
    }

    /// Creates the data directory for a new vault.
    fn ensure_home(&self) -> Result<(), Failure> {
        self.home.ensure().map_err(|e| {
            Failure::new(
                format!("cannot create {}: {e}", self.home.dir().display()),
                Category::Input,
            )
        })
    }

    fn identity(&mut self) -> Result<Done, Failure> {
        let ledger = self.ledger()?;
        let holder = holder::identity(self.vault_ref()?)?.ok_or_else(|| {
            Failure::new("This wallet has no holder identity yet.", Category::Input)
        })?;
        let document = wallet_core::ledger::Ledger::resolve_document(&ledger, &holder.did, None)
            .map_err(|e| Failure::from(AppError::from(e)))?;
        let connection = self.connection()?;
        let head = connection
            .head()
            .map_err(|e| Failure::new(e.to_string(), Category::Retry))?;
        Ok(Done::Identity(IdentityView {
            holder,
            document,
            chain: connection.label.clone(),
            head,
        }))
    }

    fn connection(&mut self) -> Result<&Connection, Failure> {
        if self.connection.is_none() {
            let c = Connection::open(&self.chain, &self.home).map_err(|e| {
                let category = if e.is_retryable() {
                    Category::Retry
                } else {
                    Category::Internal
                };
                Failure::new(e.to_string(), category)
            })?;
            self.connection = Some(c);
        }
        self.connection
            .as_ref()
            .ok_or_else(|| Failure::new("no chain connection", Category::Internal))
    }

    fn ledger(&mut self) -> Result<ChainLedger, Failure> {
        self.connection()?
            .ledger()
            .map_err(|e| Failure::new(e.to_string(), Category::Retry))
    }

    fn vault_ref(&self) -> Result<&Vault, Failure> {
        self.vault
            .as_ref()
            .ok_or_else(|| Failure::new("The vault is locked.", Category::Input))
    }

    fn vault_mut(&mut self) -> Result<&mut Vault, Failure> {
        self.vault
            .as_mut()
            .ok_or_else(|| Failure::new("The vault is locked.", Category::Input))
    }
}

fn view(vault: &Vault) -> Result<WalletView, Failure> {
    let mut history: Vec<HistoryRow> = vault
        .history()
        .iter()
        .map(|h| HistoryRow {
            at: h.at,
            verifier: h.verifier.clone(),
            credential: h.credential_id.clone(),
            disclosed: h.disclosed.clone(),
            purpose: h.purpose.clone(),
        })
        .collect();
    history.reverse();
    Ok(WalletView {
        holder: holder::identity(vault)?,
        credentials: holder::list(vault),
        history,
    })
}
