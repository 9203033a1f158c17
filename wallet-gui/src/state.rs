//! What the screens render: the app's state (changed only by the app, from commands and worker
//! replies) and the forms (drafts a screen edits directly, like any text field).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use wallet_core::credential::KYC_CLAIMS;
use wallet_core::holder::{CredentialSummary, CredentialView, Preview, Standing};
use wallet_core::request::{PresentationRequest, Selection};
use wallet_core::vault::CredentialId;
use wallet_core::verify::Report;

use crate::command::Output;
use crate::secret_text::SecretText;
use crate::settings::{Settings, Theme};
use crate::tasks::{IdentityView, JobKind, Presented, WalletView};

/// The screens of an unlocked wallet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    /// The credential cards.
    #[default]
    Credentials,
    /// Answering a presentation request.
    Present,
    /// Presentations made.
    History,
    /// DIDs and keys.
    Identity,
    /// The verifier's desk.
    Verify,
    /// Settings.
    Settings,
}

impl Screen {
    /// Every screen, in the order of the navigation bar.
    pub const ALL: [Self; 6] = [
        Self::Credentials,
        Self::Present,
        Self::History,
        Self::Identity,
        Self::Verify,
        Self::Settings,
    ];

    /// The navigation label (also the accessible name of its button).
    pub fn title(self) -> &'static str {
        match self {
            Self::Credentials => "Credentials",
            Self::Present => "Present",
            Self::History => "History",
            Self::Identity => "Identity",
            Self::Verify => "Verify",
            Self::Settings => "Settings",
        }
    }

    /// Its keyboard shortcut: Ctrl/Cmd + this digit.
    pub fn shortcut_digit(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

/// Where the wallet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No vault in the data directory: create or restore one.
    Welcome,
    /// A vault exists and is locked.
    Locked,
    /// The vault is open.
    Unlocked,
}

/// How serious a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something worked.
    Success,
    /// Worth knowing.
    Info,
    /// Something failed.
    Error,
}

/// A message in the bar at the bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// How serious.
    pub tone: Tone,
    /// The text.
    pub text: String,
}

impl Notice {
    /// A failure message.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Error,
            text: text.into(),
        }
    }
}

/// The request being answered.
#[derive(Clone, Debug, Default)]
pub struct Presenting {
    /// Counts every change of request, credential or choice: a preview or presentation made
    /// for an older state is not shown as if it were for this one.
    pub generation: u64,
    /// The request, parsed.
    pub request: Option<PresentationRequest>,
    /// What it asks for.
    pub selection: Option<Selection>,
    /// The credential chosen to answer it.
    pub credential: Option<CredentialId>,
    /// The optional claims the holder agreed to.
    pub chosen: BTreeSet<String>,
    /// What the verifier will see and what stays hidden.
    pub preview: Option<Preview>,
    /// Why the preview cannot be made (the credential cannot answer).
    pub problem: Option<String>,
    /// The signed presentation.
    pub done: Option<Presented>,
}

/// The Verify tab's state.
#[derive(Clone, Debug, Default)]
pub struct Verifying {
    /// The request made.
    pub request: Option<PresentationRequest>,
    /// The last report.
    pub report: Option<Report>,
    /// The trusted issuers' DIDs, once read.
    pub trusted: Option<Vec<String>>,
}

/// A QR code on screen.
#[derive(Clone, Debug)]
pub struct QrView {
    /// What it encodes.
    pub what: Output,
    /// Modules (true = dark), row by row, and the width.
    pub modules: Vec<bool>,
    /// Modules per row.
    pub width: usize,
}

/// Frame times, measured by the app around its own frame code.
#[derive(Clone, Debug, Default)]
pub struct FrameStats {
    /// Frames measured.
    pub frames: u64,
    /// The longest frame overall.
    pub longest: Duration,
    /// The longest frame while each kind of job was running.
    pub longest_during: BTreeMap<&'static str, Duration>,
    /// eframe's own measure of each frame (its CPU time, including tessellation): the longest
    /// while each kind of job was running. Empty where eframe does not measure (tests).
    pub eframe_longest_during: BTreeMap<&'static str, Duration>,
    /// From process start to the end of the first frame.
    pub first_frame: Option<Duration>,
}

/// The app's state.
#[derive(Debug)]
pub struct State {
    /// Where the wallet is.
    pub phase: Phase,
    /// The screen shown when unlocked.
    pub screen: Screen,
    /// The settings in force.
    pub settings: Settings,
    /// Jobs running, oldest first.
    pub busy: Vec<JobKind>,
    /// The message bar.
    pub notice: Option<Notice>,
    /// Shown under the passphrase field ("Wrong passphrase.").
    pub unlock_error: Option<String>,
    /// The vault's contents.
    pub wallet: WalletView,
    /// Each credential's standing, once checked.
    pub standings: BTreeMap<CredentialId, Standing>,
    /// The credential open in the detail view.
    pub detail: Option<CredentialView>,
    /// The credential whose deletion awaits confirmation.
    pub confirm_delete: Option<CredentialId>,
    /// The request being answered.
    pub presenting: Presenting,
    /// The holder's identity as resolved.
    pub identity: Option<IdentityView>,
    /// The verifier's desk.
    pub verifying: Verifying,
    /// A QR code on screen.
    pub qr: Option<QrView>,
    /// Key rotation awaits confirmation.
    pub confirm_rotate: bool,
    /// Frame times.
    pub frames: FrameStats,
}

impl State {
    /// The state at launch.
    pub fn new(settings: Settings, has_vault: bool) -> Self {
        Self {
            phase: if has_vault {
                Phase::Locked
            } else {
                Phase::Welcome
            },
            screen: Screen::Credentials,
            settings,
            busy: Vec::new(),
            notice: None,
            unlock_error: None,
            wallet: WalletView::default(),
            standings: BTreeMap::new(),
            detail: None,
            confirm_delete: None,
            presenting: Presenting::default(),
            identity: None,
            verifying: Verifying::default(),
            qr: None,
            confirm_rotate: false,
            frames: FrameStats::default(),
        }
    }

    /// Whether a job of `kind` is running.
    pub fn is_busy(&self, kind: JobKind) -> bool {
        self.busy.contains(&kind)
    }

    /// Forgets everything read from the vault or shown about a person (on lock): the wallet's
    /// contents, the request being answered, the verifier's last report, the message bar.
    pub fn forget_wallet(&mut self) {
        self.wallet = WalletView::default();
        self.standings.clear();
        self.detail = None;
        self.confirm_delete = None;
        self.confirm_rotate = false;
        let generation = self.presenting.generation + 1;
        self.presenting = Presenting {
            generation,
            ..Presenting::default()
        };
        self.identity = None;
        self.verifying = Verifying::default();
        self.qr = None;
        self.notice = None;
    }

    /// The stored credentials of every type `selection` asks for (those that can answer it).
    pub fn fitting<'a>(
        &'a self,
        selection: &'a Selection,
    ) -> impl Iterator<Item = &'a CredentialSummary> {
        self.wallet
            .credentials
            .iter()
            .filter(|c| selection.types.iter().all(|t| c.types.contains(t)))
    }

    /// A short label for a credential: its label, or the start of its id.
    pub fn credential_name(&self, id: &CredentialId) -> String {
        self.wallet
            .credentials
            .iter()
            .find(|c| &c.id == id)
            .map_or_else(|| short(id.as_str()), |c| c.label.clone())
    }
}

/// The first 8 characters of an id.
pub fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// Drafts the screens edit directly.
#[derive(Debug)]
pub struct Forms {
    /// The vault passphrase.
    pub passphrase: SecretText,
    /// The new passphrase, again.
    pub passphrase_again: SecretText,
    /// Restoring instead of creating.
    pub restore: bool,
    /// The backup file to restore.
    pub backup_path: String,
    /// The backup's passphrase.
    pub backup_passphrase: SecretText,
    /// The new passphrase's strength (zxcvbn score 0–4 and advice), computed when it changes.
    pub strength: Option<(u8, String)>,
    /// History search.
    pub search: String,
    /// A credential file's path, typed.
    pub credential_path: String,
    /// A request file's path, typed.
    pub request_path: String,
    /// A presentation file's path, typed (Verify).
    pub presentation_path: String,
    /// Where to save an output, typed.
    pub save_path: String,
    /// An issuer DID to trust, typed (Verify).
    pub trust_did: String,
    /// The Verify form.
    pub verifier: VerifierForm,
    /// The Settings form.
    pub settings: SettingsForm,
}

impl Forms {
    /// Empty forms, the settings form filled from `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self {
            passphrase: SecretText::new(),
            passphrase_again: SecretText::new(),
            restore: false,
            backup_path: String::new(),
            backup_passphrase: SecretText::new(),
            strength: None,
            search: String::new(),
            credential_path: String::new(),
            request_path: String::new(),
            presentation_path: String::new(),
            save_path: String::new(),
            trust_did: String::new(),
            verifier: VerifierForm::default(),
            settings: SettingsForm::from(settings),
        }
    }

    /// Wipes every passphrase field.
    pub fn wipe_secrets(&mut self) {
        self.passphrase.wipe();
        self.passphrase_again.wipe();
        self.backup_passphrase.wipe();
        self.strength = None;
    }

    /// Forgets what was typed about the wallet's contents (on lock): search, paths.
    pub fn forget_typed(&mut self) {
        self.search.clear();
        self.credential_path.clear();
        self.request_path.clear();
        self.presentation_path.clear();
        self.save_path.clear();
    }
}

/// How a claim is asked for on the Verify form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ask {
    /// Not asked.
    #[default]
    No,
    /// Required.
    Required,
    /// Optional.
    Optional,
}

/// The Verify form.
#[derive(Clone, Debug)]
pub struct VerifierForm {
    /// The verifier's domain.
    pub domain: String,
    /// Why it asks.
    pub purpose: String,
    /// Each KYC claim's ask.
    pub asks: Vec<(String, Ask)>,
    /// Minutes the request stays valid.
    pub minutes: u32,
}

impl Default for VerifierForm {
    fn default() -> Self {
        Self {
            domain: "loans.lender.example".into(),
            purpose: "Loan application: proof of age and income band".into(),
            asks: KYC_CLAIMS
                .iter()
                .map(|c| {
                    let ask = match *c {
                        "ageOver18" => Ask::Required,
                        "incomeBand" => Ask::Optional,
                        _ => Ask::No,
                    };
                    ((*c).to_owned(), ask)
                })
                .collect(),
            minutes: 10,
        }
    }
}

/// The Settings form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsForm {
    /// The data directory (empty: the platform's).
    pub data_dir: String,
    /// The chain.
    pub chain: String,
    /// Auto-lock minutes (0: never).
    pub auto_lock_minutes: u32,
    /// The theme.
    pub theme: Theme,
}

impl From<&Settings> for SettingsForm {
    fn from(s: &Settings) -> Self {
        Self {
            data_dir: s
                .data_dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            chain: s.chain.clone(),
            auto_lock_minutes: u32::try_from(s.auto_lock_seconds.div_ceil(60)).unwrap_or(u32::MAX),
            theme: s.theme,
        }
    }
}

impl SettingsForm {
    /// The settings this form describes (`current` supplies what the form does not show).
    pub fn to_settings(&self, current: &Settings) -> Settings {
        let dir = self.data_dir.trim();
        let minutes_unchanged =
            SettingsForm::from(current).auto_lock_minutes == self.auto_lock_minutes;
        Settings {
            data_dir: (!dir.is_empty()).then(|| dir.into()),
            chain: self.chain.trim().to_owned(),
            // Seconds set elsewhere (tests, hand-edited files) survive saving other fields.
            auto_lock_seconds: if minutes_unchanged {
                current.auto_lock_seconds
            } else {
                u64::from(self.auto_lock_minutes) * 60
            },
            theme: self.theme,
        }
    }
}
