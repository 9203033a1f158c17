//! The app: owns the [`State`], the [`Forms`] and the [`Worker`]; each frame it collects worker
//! replies and background events (`logic`), lets the screens render and return commands (`ui`),
//! and applies those commands afterwards.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use wallet_core::holder::MAX_CREDENTIAL_BYTES;
use wallet_core::request::{MAX_REQUEST_BYTES, PresentationRequest};
use wallet_core::vault::{KdfParams, Overwrite, Passphrase};

use crate::command::{Command, Incoming, Output, Source};
use crate::settings::{Settings, Theme};
use crate::state::{Forms, Notice, Phase, Presenting, QrView, Screen, State, Tone};
use crate::tasks::{Changed, Done, Failure, Job, JobKind, Reply, Worker};
use crate::ui;

/// How the app starts.
#[derive(Debug)]
pub struct Config {
    /// The settings in force.
    pub settings: Settings,
    /// Where settings are saved; `None` keeps changes for this run only.
    pub settings_path: Option<PathBuf>,
    /// KDF parameters for new vaults.
    pub kdf: KdfParams,
    /// When the process started (for the time to the first frame).
    pub started: Instant,
    /// Use the desktop's file dialogs and clipboard (off in tests: no portal, no display).
    pub desktop: bool,
    /// A chain this process already has open, used instead of the settings' chain until the
    /// settings change (the tests share one with their issuer).
    pub connection: Option<registry::connect::Connection>,
}

/// Siegel's desktop wallet.
#[derive(Debug)]
pub struct SiegelApp {
    state: State,
    forms: Forms,
    worker: Worker,
    config: Config,
    events: (Sender<Command>, Receiver<Command>),
    /// Wall-clock time of the last input (it advances while the machine sleeps, unlike
    /// `Instant`, so a laptop that wakes up after the auto-lock time finds the wallet locked).
    last_activity: SystemTime,
    /// The egui pass the last `logic` call saw: the same number again means the window is
    /// hidden and the input is the last shown frame's, already handled.
    last_pass: u64,
    frame_start: Option<Instant>,
    ctx: egui::Context,
}

impl SiegelApp {
    /// Starts the app and its worker.
    ///
    /// # Errors
    /// The worker thread cannot start.
    pub fn new(ctx: &egui::Context, config: Config) -> std::io::Result<Self> {
        let (home, chain, problem) = match (config.settings.home(), config.settings.chain_spec()) {
            (Ok(h), Ok(c)) => (h, c, None),
            (h, c) => {
                let problem = [h.err(), c.err()]
                    .into_iter()
                    .flatten()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                let fallback = Settings::default();
                let home = fallback
                    .home()
                    .unwrap_or_else(|_| wallet_core::home::Home::new(std::env::temp_dir()));
                (home, registry::connect::ChainSpec::Dev, Some(problem))
            }
        };
        let has_vault = home.has_vault();
        let repaint = ctx.clone();
        let worker = Worker::spawn(
            home,
            chain,
            config.connection.clone(),
            config.kdf,
            move || repaint.request_repaint(),
        )?;
        let mut state = State::new(config.settings.clone(), has_vault);
        if let Some(p) = problem {
            state.notice = Some(Notice::error(format!(
                "The settings cannot be used ({p}); fix them in Settings."
            )));
        }
        apply_theme(ctx, config.settings.theme);
        install_accessibility(ctx);
        Ok(Self {
            forms: Forms::new(&config.settings),
            state,
            worker,
            config,
            events: channel(),
            last_activity: SystemTime::now(),
            last_pass: u64::MAX,
            frame_start: None,
            ctx: ctx.clone(),
        })
    }

    /// The state (for tests and diagnostics).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The forms (for tests).
    pub fn forms_mut(&mut self) -> &mut Forms {
        &mut self.forms
    }

    /// Applies a command as if a screen had returned it (for tests and shortcuts).
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Go(screen) => {
                self.state.screen = screen;
                if screen == Screen::Identity
                    && self.state.identity.is_none()
                    && !self.state.is_busy(JobKind::Identity)
                {
                    self.send(Job::Identity);
                }
                if screen == Screen::Verify
                    && self.state.verifying.trusted.is_none()
                    && !self.state.is_busy(JobKind::Trust)
                {
                    self.send(Job::TrustList);
                }
            }
            Command::CreateVault => self.create_vault(),
            Command::RestoreVault => self.restore_vault(),
            Command::PickBackup => {
                if self.desktop("No file dialog here: type the backup's path.") {
                    self.in_background(|| {
                        rfd::FileDialog::new()
                            .set_title("Choose the backup to restore")
                            .pick_file()
                            .map(Command::BackupChosen)
                    });
                }
            }
            Command::BackupChosen(path) => self.forms.backup_path = path.display().to_string(),
            Command::Unlock => {
                self.state.unlock_error = None;
                match self.take_passphrase() {
                    Some(passphrase) => self.send(Job::Unlock { passphrase }),
                    None => self.state.unlock_error = Some("Type your passphrase.".into()),
                }
            }
            Command::Lock => self.lock_now(),
            Command::SetUpIdentity => {
                if !self.state.is_busy(JobKind::SetUpIdentity) {
                    self.send(Job::SetUpIdentity);
                }
            }
            Command::PickFile(incoming) => self.pick_file(incoming),
            Command::Paste(incoming) => self.paste(incoming),
            Command::Received(incoming, source, bytes) => self.received(incoming, source, bytes),
            Command::LoadPath(_, path) if !path.is_absolute() => self.notify(
                Tone::Error,
                format!(
                    "{} is not an absolute path (a path starting at /).",
                    path.display()
                ),
            ),
            Command::LoadPath(incoming, path) => {
                self.read_in_background(incoming, Source::File, path)
            }
            Command::Open(id) => self.send(Job::Show(id)),
            Command::CloseDetail => self.state.detail = None,
            Command::AskDelete(id) => self.state.confirm_delete = Some(id),
            Command::CancelDelete => self.state.confirm_delete = None,
            Command::Delete(id) => {
                self.state.confirm_delete = None;
                self.state.detail = None;
                self.send(Job::Delete(id));
            }
            Command::RefreshStandings => self.send(Job::Standings),
            Command::ChooseCredential(id) => {
                if self.state.is_busy(JobKind::Present) {
                    return;
                }
                self.state.presenting.credential = Some(id);
                self.state.presenting.chosen.clear();
                self.preview();
            }
            Command::Toggle(claim, on) => {
                if self.state.is_busy(JobKind::Present) {
                    return;
                }
                if on {
                    self.state.presenting.chosen.insert(claim);
                } else {
                    self.state.presenting.chosen.remove(&claim);
                }
                self.preview();
            }
            Command::ConfirmPresent => {
                let p = &self.state.presenting;
                // Once per preview: a second click (or Ctrl+Enter) while signing signs nothing.
                if self.state.is_busy(JobKind::Present) || p.done.is_some() {
                    return;
                }
                // A credential the verifier will refuse is not presented: the answer would hand
                // over the claims and the holder's DID for nothing.
                if let Some(why) = p
                    .credential
                    .as_ref()
                    .and_then(|id| ui::present::unusable(self.state.standings.get(id)))
                {
                    self.notify(Tone::Error, why.into());
                    return;
                }
                let p = &self.state.presenting;
                if let (Some(id), Some(request), Some(_)) = (&p.credential, &p.request, &p.preview)
                {
                    let job = Job::Present {
                        generation: p.generation,
                        id: id.clone(),
                        request: request.clone(),
                        optional: p.chosen.iter().cloned().collect(),
                    };
                    self.send(job);
                }
            }
            Command::CancelPresent => {
                let generation = self.state.presenting.generation + 1;
                self.state.presenting = Presenting {
                    generation,
                    ..Presenting::default()
                };
            }
            Command::SaveOutput(what) => self.save_output(what, None),
            Command::SavePath(what, path) => self.save_output(what, Some(path)),
            Command::CopyOutput(what) => {
                if let Some(text) = self.output_text(what) {
                    self.ctx.copy_text(text);
                    self.notify(
                        Tone::Success,
                        format!("{} copied to the clipboard.", output_name(what)),
                    );
                }
            }
            Command::ShowQr(what) => self.show_qr(what),
            Command::CloseQr => self.state.qr = None,
            Command::RefreshIdentity => self.send(Job::Identity),
            Command::AskRotate => self.state.confirm_rotate = true,
            Command::CancelRotate => self.state.confirm_rotate = false,
            Command::RotateKey => {
                self.state.confirm_rotate = false;
                if !self.state.is_busy(JobKind::RotateKey) {
                    self.send(Job::RotateKey);
                }
            }
            Command::MakeRequest => {
                if !self.state.is_busy(JobKind::NewRequest) {
                    self.make_request();
                }
            }
            Command::ResetVerifier => {
                self.state.verifying.request = None;
                self.state.verifying.report = None;
            }
            Command::SetTrust(did, trusted) => {
                if trusted {
                    self.forms.trust_did.clear();
                }
                self.send(Job::SetTrust { did, trusted });
            }
            Command::CopyText(text) => {
                self.ctx.copy_text(text);
                self.notify(Tone::Success, "Copied to the clipboard.".into());
            }
            Command::SaveSettings(settings) => self.save_settings(settings),
            Command::SettingsSaved(settings) => self.use_settings(settings),
            Command::DismissNotice => self.state.notice = None,
            Command::Notify(notice) => self.state.notice = Some(notice),
        }
    }

    fn send(&mut self, job: Job) {
        let kind = job.kind();
        if self.worker.send(job) {
            self.state.busy.push(kind);
        } else {
            self.notify(
                Tone::Error,
                "The background worker stopped; restart Siegel.".into(),
            );
        }
    }

    fn notify(&mut self, tone: Tone, text: String) {
        self.state.notice = Some(Notice { tone, text });
    }

    fn take_passphrase(&mut self) -> Option<Passphrase> {
        let p = Passphrase::try_from(self.forms.passphrase.expose()).ok();
        self.forms.wipe_secrets();
        ui::forget_secret_fields(&self.ctx);
        p
    }

    fn create_vault(&mut self) {
        self.state.unlock_error = None;
        let f = &self.forms;
        if let Some(problem) =
            ui::unlock::new_passphrase_problem(f.passphrase.expose(), f.passphrase_again.expose())
        {
            self.state.unlock_error = Some(problem.into());
            return;
        }
        if let Some(passphrase) = self.take_passphrase() {
            self.send(Job::Create { passphrase });
        }
    }

    fn restore_vault(&mut self) {
        self.state.unlock_error = None;
        let f = &self.forms;
        if f.backup_path.trim().is_empty() {
            self.state.unlock_error = Some("Choose the backup file.".into());
            return;
        }
        if let Some(problem) =
            ui::unlock::new_passphrase_problem(f.passphrase.expose(), f.passphrase_again.expose())
        {
            self.state.unlock_error = Some(problem.into());
            return;
        }
        let Ok(backup_passphrase) = Passphrase::try_from(f.backup_passphrase.expose()) else {
            self.state.unlock_error = Some("Type the backup's passphrase.".into());
            return;
        };
        let backup = PathBuf::from(f.backup_path.trim());
        if let Some(passphrase) = self.take_passphrase() {
            self.send(Job::Restore {
                backup,
                backup_passphrase,
                passphrase,
            });
        }
    }

    fn preview(&mut self) {
        let p = &mut self.state.presenting;
        p.generation += 1;
        p.preview = None;
        p.problem = None;
        p.done = None;
        if let (Some(id), Some(request)) = (&p.credential, &p.request) {
            let job = Job::Preview {
                generation: p.generation,
                id: id.clone(),
                request: request.clone(),
                optional: p.chosen.iter().cloned().collect(),
            };
            self.send(job);
        }
    }

    fn make_request(&mut self) {
        let f = &self.forms.verifier;
        let pick = |ask| {
            f.asks
                .iter()
                .filter(|(_, a)| *a == ask)
                .map(|(c, _)| c.clone())
                .collect::<Vec<_>>()
        };
        let job = Job::NewRequest {
            domain: f.domain.trim().to_owned(),
            required: pick(crate::state::Ask::Required),
            optional: pick(crate::state::Ask::Optional),
            purpose: f.purpose.clone(),
            valid_for: u64::from(f.minutes.max(1)) * 60,
        };
        self.state.verifying = Default::default();
        self.send(job);
    }

    fn received(&mut self, incoming: Incoming, source: Source, bytes: Vec<u8>) {
        if self.state.phase != Phase::Unlocked && incoming != Incoming::Presentation {
            self.notify(Tone::Error, "Unlock the wallet first.".into());
            return;
        }
        match incoming {
            Incoming::Credential => {
                self.state.screen = Screen::Credentials;
                self.send(Job::Import { bytes });
            }
            Incoming::Request => {
                self.state.screen = Screen::Present;
                match PresentationRequest::parse(&bytes) {
                    Ok(request) => self.open_request(request),
                    Err(e) => self.notify(
                        Tone::Error,
                        format!(
                            "That {} is not a request Siegel can answer: {e}",
                            source_name(source)
                        ),
                    ),
                }
            }
            Incoming::Presentation => {
                self.state.screen = Screen::Verify;
                match self.state.verifying.request.clone() {
                    Some(request) => {
                        self.state.verifying.report = None;
                        self.send(Job::Verify { bytes, request });
                    }
                    None => self.notify(
                        Tone::Error,
                        "Make a request first: a presentation is checked against the request it answers.".into(),
                    ),
                }
            }
        }
    }

    fn open_request(&mut self, request: PresentationRequest) {
        let selection = match request.selection() {
            Ok(s) => s,
            Err(e) => {
                self.notify(Tone::Error, format!("The request cannot be answered: {e}"));
                return;
            }
        };
        // The only credential that can answer, if there is exactly one, is chosen for the holder.
        let fitting: Vec<_> = self
            .state
            .fitting(&selection)
            .map(|c| c.id.clone())
            .collect();
        self.state.presenting = Presenting {
            generation: self.state.presenting.generation + 1,
            request: Some(request),
            selection: Some(selection),
            ..Presenting::default()
        };
        if let [only] = fitting.as_slice() {
            self.state.presenting.credential = Some(only.clone());
            self.preview();
        }
    }

    /// Whether the desktop's file dialogs and clipboard may be used; if not, says what to do
    /// `instead`.
    fn desktop(&mut self, instead: &str) -> bool {
        if !self.config.desktop {
            self.notify(Tone::Info, instead.to_owned());
        }
        self.config.desktop
    }

    /// Runs `work` (a dialog, the clipboard, a file) on its own thread and applies the command
    /// it returns in a later frame: the UI thread never waits on the desktop or the disk.
    fn in_background(&self, work: impl FnOnce() -> Option<Command> + Send + 'static) {
        let tx = self.events.0.clone();
        let ctx = self.ctx.clone();
        std::thread::spawn(move || {
            if let Some(command) = work() {
                let _ = tx.send(command);
                ctx.request_repaint();
            }
        });
    }

    /// Reads a file (size-capped) on a background thread and posts its bytes back.
    fn read_in_background(&mut self, incoming: Incoming, source: Source, path: PathBuf) {
        self.in_background(move || Some(read_command(incoming, source, &path)));
    }

    fn pick_file(&mut self, incoming: Incoming) {
        if !self.desktop("No file dialog here: drop the file on the window or type its path.") {
            return;
        }
        self.in_background(move || {
            rfd::FileDialog::new()
                .set_title(match incoming {
                    Incoming::Credential => "Import a credential",
                    Incoming::Request => "Open a presentation request",
                    Incoming::Presentation => "Open a presentation to verify",
                })
                .add_filter("JSON", &["json", "jsonld"])
                .pick_file()
                .map(|path| read_command(incoming, Source::File, &path))
        });
    }

    fn paste(&mut self, incoming: Incoming) {
        if !self.desktop("No clipboard here: press Ctrl+V in the window instead.") {
            return;
        }
        self.in_background(move || {
            Some(
                match arboard::Clipboard::new().and_then(|mut c| c.get_text()) {
                    Ok(text) if text.len() <= limit(incoming) => {
                        Command::Received(incoming, Source::Paste, text.into_bytes())
                    }
                    Ok(text) => Command::Notify(Notice::error(format!(
                        "The clipboard holds {} bytes; at most {} are read.",
                        text.len(),
                        limit(incoming)
                    ))),
                    Err(e) => Command::Notify(Notice::error(format!(
                        "The clipboard cannot be read ({e}); open the file or drop it instead."
                    ))),
                },
            )
        });
    }

    fn output_text(&self, what: Output) -> Option<String> {
        match what {
            Output::Presentation => self.state.presenting.done.as_ref().map(|d| d.json.clone()),
            Output::Request => self
                .state
                .verifying
                .request
                .as_ref()
                .map(PresentationRequest::to_json_pretty),
        }
    }

    fn save_output(&mut self, what: Output, path: Option<PathBuf>) {
        let Some(text) = self.output_text(what) else {
            return;
        };
        // Every output lies outside the wallet's own directory (wallet-core's rule, however the
        // path is spelled): saving must not replace the vault. A typed path names a new file;
        // the file dialog asks before replacing one.
        let home = match self.state.settings.home() {
            Ok(home) => home,
            Err(e) => {
                self.notify(Tone::Error, e.to_string());
                return;
            }
        };
        let typed = path.is_some();
        if let Some(p) = &path {
            if !p.is_absolute() {
                self.notify(
                    Tone::Error,
                    format!("{} is not an absolute path.", p.display()),
                );
                return;
            }
            if let Err(e) = home.check_output(p, Overwrite::Refuse) {
                self.notify(Tone::Error, format!("Cannot save: {e}."));
                return;
            }
        }
        if path.is_none()
            && !self.desktop("No file dialog here: type a path and press Save to path.")
        {
            return;
        }
        self.in_background(move || {
            let path = path.or_else(|| {
                rfd::FileDialog::new()
                    .set_file_name(match what {
                        Output::Presentation => "presentation.json",
                        Output::Request => "request.json",
                    })
                    .add_filter("JSON", &["json"])
                    .save_file()
            });
            let path = path?;
            let overwrite = if typed {
                Overwrite::Refuse
            } else {
                Overwrite::Replace
            };
            let notice = match home.write_output(&path, text.as_bytes(), overwrite) {
                Ok(()) => Notice {
                    tone: Tone::Success,
                    text: format!("{} saved to {}.", output_name(what), path.display()),
                },
                Err(e) => Notice::error(format!("Cannot save to {}: {e}", path.display())),
            };
            Some(Command::Notify(notice))
        });
    }

    fn show_qr(&mut self, what: Output) {
        let Some(text) = self.output_text(what) else {
            return;
        };
        // Compact JSON: the QR code holds at most 2,953 bytes.
        let compact = serde_json::from_str::<serde_json::Value>(&text)
            .map(|v| v.to_string())
            .unwrap_or(text);
        match qrcode::QrCode::with_error_correction_level(compact.as_bytes(), qrcode::EcLevel::L) {
            Ok(code) => {
                self.state.qr = Some(QrView {
                    what,
                    width: code.width(),
                    modules: code
                        .to_colors()
                        .into_iter()
                        .map(|c| c == qrcode::Color::Dark)
                        .collect(),
                });
            }
            Err(_) => self.notify(
                Tone::Info,
                format!(
                    "The {} is {} bytes: more than one QR code holds (2,953). Save it or copy it instead.",
                    output_name(what).to_lowercase(),
                    compact.len()
                ),
            ),
        }
    }

    fn save_settings(&mut self, settings: Settings) {
        if let Err(e) = settings.validate() {
            self.notify(Tone::Error, e.to_string());
            return;
        }
        // The write (fsync, rename, fsync) happens off the UI thread; the settings take effect
        // once they are on disk.
        if let Some(path) = self.config.settings_path.clone() {
            self.in_background(move || {
                Some(match settings.save(&path) {
                    Ok(()) => Command::SettingsSaved(settings),
                    Err(e) => Command::Notify(Notice::error(e.to_string())),
                })
            });
        } else {
            self.use_settings(settings);
        }
    }

    /// Puts saved settings into force: theme at once, data directory and chain through the
    /// worker (which locks the vault first).
    fn use_settings(&mut self, settings: Settings) {
        let moved = settings.home().ok() != self.state.settings.home().ok()
            || settings.chain_spec().ok() != self.state.settings.chain_spec().ok();
        apply_theme(&self.ctx, settings.theme);
        self.state.settings = settings.clone();
        if moved && let (Ok(home), Ok(chain)) = (settings.home(), settings.chain_spec()) {
            self.send(Job::Reconfigure { home, chain });
        }
        self.notify(Tone::Success, "Settings saved.".into());
    }

    fn on_reply(&mut self, reply: Reply) {
        if let Some(i) = self.state.busy.iter().position(|k| *k == reply.kind) {
            self.state.busy.remove(i);
        }
        match reply.result {
            Ok(done) => self.on_done(reply.kind, done),
            Err(failure) => self.on_failure(reply.kind, failure),
        }
    }

    fn on_done(&mut self, kind: JobKind, done: Done) {
        match done {
            Done::Opened(view, warning) => {
                self.state.phase = Phase::Unlocked;
                self.state.screen = Screen::Credentials;
                self.state.wallet = view;
                self.last_activity = SystemTime::now();
                match warning {
                    Some(w) => self.notify(Tone::Error, w),
                    None if kind == JobKind::Create => self.notify(
                        Tone::Success,
                        "Your wallet is ready, with a new DID on the chain.".into(),
                    ),
                    None => self.state.notice = None,
                }
                self.send(Job::Standings);
            }
            // The UI locked when asked; now the worker has dropped the vault too.
            Done::Locked => {}
            // What a job read from the vault is not shown once the wallet is locked.
            Done::Changed(..)
            | Done::Detail(_)
            | Done::Standings(_)
            | Done::Previewed(..)
            | Done::Identity(_)
            | Done::IdentityCreated(_)
                if self.state.phase != Phase::Unlocked => {}
            Done::Changed(view, changed) => {
                self.state.wallet = view;
                match changed {
                    Changed::Imported(s) => {
                        self.notify(
                            Tone::Success,
                            format!(
                                "Checked and stored: {} from {}.",
                                s.types.last().map_or("credential", String::as_str),
                                s.issuer
                            ),
                        );
                        self.send(Job::Standings);
                    }
                    Changed::Deleted(s) => {
                        self.state.standings.remove(&s.id);
                        self.notify(Tone::Info, format!("Deleted {}.", s.label));
                    }
                    Changed::Presented(generation, presented) => {
                        self.notify(
                            Tone::Success,
                            format!(
                                "Presentation for {} signed and recorded in the history.",
                                presented.verifier
                            ),
                        );
                        if generation == self.state.presenting.generation {
                            self.state.presenting.done = Some(presented);
                        }
                    }
                }
            }
            Done::Detail(view) => self.state.detail = Some(view),
            Done::Standings(list) => self.state.standings = list.into_iter().collect(),
            Done::Previewed(generation, preview) => {
                // A preview for a choice the holder has since changed is not this choice's.
                if generation == self.state.presenting.generation {
                    self.state.presenting.preview = Some(preview);
                    self.state.presenting.problem = None;
                }
            }
            Done::Identity(view) => {
                if kind == JobKind::RotateKey {
                    self.notify(
                        Tone::Success,
                        format!("New presentation key published: {}", view.holder.method),
                    );
                }
                self.state.wallet.holder = Some(view.holder.clone());
                self.state.identity = Some(view);
            }
            Done::IdentityCreated(view) => {
                self.state.wallet = view;
                self.state.identity = None;
                self.notify(Tone::Success, "Your DID is on the chain.".into());
            }
            Done::RequestMade(request) => {
                self.state.verifying.request = Some(request);
                self.state.verifying.report = None;
            }
            Done::Verified(report) => self.state.verifying.report = Some(*report),
            Done::Trusted(list) => self.state.verifying.trusted = Some(list),
            Done::Reconfigured { has_vault } => {
                self.state.forget_wallet();
                self.state.verifying = Default::default();
                self.state.phase = if has_vault {
                    Phase::Locked
                } else {
                    Phase::Welcome
                };
                let place = match (self.state.settings.home(), self.state.settings.chain_spec()) {
                    (Ok(home), Ok(chain)) => format!(
                        "Now using the wallet in {} on the {}.",
                        home.dir().display(),
                        chain.label(&home)
                    ),
                    _ => "Settings changed.".into(),
                };
                self.notify(Tone::Info, place);
            }
        }
    }

    fn on_failure(&mut self, kind: JobKind, failure: Failure) {
        match kind {
            JobKind::Unlock | JobKind::Create | JobKind::Restore => {
                self.state.unlock_error = Some(failure.message);
            }
            JobKind::Preview => self.state.presenting.problem = Some(failure.message),
            JobKind::Standings => {
                // Not "checking…" forever: each card says its status could not be read.
                for c in &self.state.wallet.credentials {
                    self.state.standings.insert(
                        c.id.clone(),
                        wallet_core::holder::Standing::Unknown(failure.message.clone()),
                    );
                }
                self.notify(Tone::Error, failure.message);
            }
            JobKind::RotateKey => {
                // The vault may hold the new key even though the old one was not withdrawn.
                self.notify(Tone::Error, failure.message);
                self.send(Job::Identity);
            }
            _ => self.notify(Tone::Error, failure.message),
        }
    }

    /// Locks when the wallet has been idle for the auto-lock time; otherwise asks to be woken
    /// when it would be.
    fn auto_lock(&mut self, ctx: &egui::Context) {
        let limit = self.state.settings.auto_lock_seconds;
        if self.state.phase != Phase::Unlocked || limit == 0 || self.state.is_busy(JobKind::Lock) {
            return;
        }
        let limit = Duration::from_secs(limit);
        let idle = SystemTime::now()
            .duration_since(self.last_activity)
            .unwrap_or_default();
        if idle >= limit {
            self.lock_now();
            self.notify(Tone::Info, "Locked after a period without use.".into());
        } else {
            ctx.request_repaint_after(limit.saturating_sub(idle).max(Duration::from_millis(50)));
        }
    }

    /// Locks at once: the screens forget the wallet now, and the worker drops the vault when it
    /// reaches the job (after the one it is running).
    fn lock_now(&mut self) {
        if self.state.phase != Phase::Unlocked {
            return;
        }
        self.state.forget_wallet();
        self.state.phase = Phase::Locked;
        self.forms.forget_typed();
        ui::forget_typed_fields(&self.ctx);
        self.send(Job::Lock);
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let incoming = match self.state.screen {
            Screen::Present => Incoming::Request,
            Screen::Verify => Incoming::Presentation,
            _ => Incoming::Credential,
        };
        for file in dropped {
            self.read_in_background(incoming, Source::Drop, file.path().to_path_buf());
        }
    }

    /// Ctrl+V with no text field focused pastes a document for the screen shown.
    fn pasted(&mut self, ctx: &egui::Context) {
        // Never on the lock screen: a passphrase pasted there must not become a document.
        if self.state.phase != Phase::Unlocked || ctx.text_edit_focused() {
            return;
        }
        let pasted: Vec<String> = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Paste(t) => Some(t.clone()),
                    _ => None,
                })
                .collect()
        });
        let incoming = match self.state.screen {
            Screen::Present => Incoming::Request,
            Screen::Verify => Incoming::Presentation,
            Screen::Credentials => Incoming::Credential,
            _ => return,
        };
        for text in pasted {
            self.apply(Command::Received(
                incoming,
                Source::Paste,
                text.into_bytes(),
            ));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.state.phase != Phase::Unlocked {
            return;
        }
        for screen in Screen::ALL {
            let key = match screen.shortcut_digit() {
                1 => egui::Key::Num1,
                2 => egui::Key::Num2,
                3 => egui::Key::Num3,
                4 => egui::Key::Num4,
                5 => egui::Key::Num5,
                _ => egui::Key::Num6,
            };
            let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.apply(Command::Go(screen));
            }
        }
        let pressed = |ctx: &egui::Context, modifiers, key| {
            ctx.input_mut(|i| i.consume_shortcut(&egui::KeyboardShortcut::new(modifiers, key)))
        };
        let shift_command = egui::Modifiers::COMMAND | egui::Modifiers::SHIFT;
        if pressed(ctx, egui::Modifiers::COMMAND, egui::Key::L) {
            self.apply(Command::Lock);
        }
        // The screen's main action.
        if pressed(ctx, egui::Modifiers::COMMAND, egui::Key::Enter) {
            match self.state.screen {
                Screen::Present if self.state.presenting.done.is_none() => {
                    self.apply(Command::ConfirmPresent);
                }
                Screen::Verify if self.state.verifying.request.is_none() => {
                    self.apply(Command::MakeRequest);
                }
                _ => {}
            }
        }
        // Copy what the screen produced.
        if pressed(ctx, shift_command, egui::Key::C) {
            match self.state.screen {
                Screen::Present => self.apply(Command::CopyOutput(Output::Presentation)),
                Screen::Verify => self.apply(Command::CopyOutput(Output::Request)),
                _ => {}
            }
        }
    }

    fn record_frame(&mut self) {
        let Some(start) = self.frame_start.take() else {
            return;
        };
        let took = start.elapsed();
        let stats = &mut self.state.frames;
        stats.frames += 1;
        stats.longest = stats.longest.max(took);
        for kind in &self.state.busy {
            let slot = stats.longest_during.entry(kind.name()).or_default();
            *slot = (*slot).max(took);
        }
        if stats.first_frame.is_none() {
            stats.first_frame = Some(self.config.started.elapsed());
        }
    }
}

impl eframe::App for SiegelApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.frame_start = Some(Instant::now());
        // eframe reports the previous frame's CPU time; the jobs running now were running then.
        if let Some(cpu) = frame.info().cpu_usage {
            let took = Duration::from_secs_f32(cpu.max(0.0));
            for kind in &self.state.busy {
                let slot = self
                    .state
                    .frames
                    .eframe_longest_during
                    .entry(kind.name())
                    .or_default();
                *slot = (*slot).max(took);
            }
        }
        while let Some(reply) = self.worker.try_recv() {
            self.on_reply(reply);
        }
        while let Ok(command) = self.events.1.try_recv() {
            self.apply(command);
        }
        // Idle time is judged before this frame's input counts as activity: coming back to the
        // window after the auto-lock time locks it rather than resetting the timer.
        self.auto_lock(ctx);
        let pass = ctx.cumulative_pass_nr();
        let shown = pass != self.last_pass;
        self.last_pass = pass;
        if !shown {
            // Hidden: the input is the last shown frame's, already handled.
            return;
        }
        let active =
            ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving() || i.pointer.any_down());
        if active && self.state.phase == Phase::Unlocked {
            self.last_activity = SystemTime::now();
        }
        self.dropped_files(ctx);
        self.pasted(ctx);
        self.shortcuts(ctx);
        let quit = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Q);
        if ctx.input_mut(|i| i.consume_shortcut(&quit)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let commands = ui::show(ui, &self.state, &mut self.forms);
        for command in commands {
            self.apply(command);
        }
        self.record_frame();
    }

    fn on_exit(&mut self) {
        if std::env::var_os("SIEGEL_WALLET_TIMING").is_some() {
            eprintln!("{}", timing_report(&self.state.frames));
        }
    }
}

/// The frame times as text (printed at exit with `SIEGEL_WALLET_TIMING=1`).
pub fn timing_report(stats: &crate::state::FrameStats) -> String {
    let mut s = format!(
        "siegel-wallet timing: first frame {:.1} ms after start; {} frames; longest {:.2} ms",
        stats.first_frame.unwrap_or_default().as_secs_f64() * 1e3,
        stats.frames,
        stats.longest.as_secs_f64() * 1e3
    );
    for (what, d) in &stats.longest_during {
        s.push_str(&format!(
            "; longest during {what} {:.2} ms",
            d.as_secs_f64() * 1e3
        ));
    }
    for (what, d) in &stats.eframe_longest_during {
        s.push_str(&format!(
            "; eframe CPU time, longest during {what} {:.2} ms",
            d.as_secs_f64() * 1e3
        ));
    }
    s
}

fn apply_theme(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Light => egui::Theme::Light,
        Theme::Dark => egui::Theme::Dark,
    });
}

/// AccessKit on from the start, so screen readers (and the tests) see the widget tree.
fn install_accessibility(ctx: &egui::Context) {
    ctx.enable_accesskit();
}

fn limit(incoming: Incoming) -> usize {
    match incoming {
        Incoming::Credential | Incoming::Presentation => MAX_CREDENTIAL_BYTES,
        Incoming::Request => MAX_REQUEST_BYTES,
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::File => "file",
        Source::Drop => "dropped file",
        Source::Paste => "pasted text",
    }
}

fn output_name(what: Output) -> &'static str {
    match what {
        Output::Presentation => "Presentation",
        Output::Request => "Request",
    }
}

/// The command for a document file: its bytes, or why it cannot be read.
fn read_command(incoming: Incoming, source: Source, path: &Path) -> Command {
    match read_capped(path, limit(incoming)) {
        Ok(bytes) => Command::Received(incoming, source, bytes),
        Err(text) => Command::Notify(Notice::error(text)),
    }
}

/// Reads at most `limit` bytes of `path` (wallet-core's bounded read); a longer file is refused,
/// not cut.
fn read_capped(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    wallet_core::fs::read_capped(path, limit).map_err(|e| match e {
        wallet_core::fs::ReadError::TooLarge { .. } => format!(
            "{} is larger than {limit} bytes; it is not a document Siegel reads.",
            path.display()
        ),
        other => format!("Cannot read {}: {other}", path.display()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use wallet_core::holder::Preview;

    use super::*;

    fn app(dir: &Path) -> SiegelApp {
        let settings = Settings {
            data_dir: Some(dir.to_path_buf()),
            ..Settings::default()
        };
        SiegelApp::new(
            &egui::Context::default(),
            Config {
                settings,
                settings_path: None,
                kdf: KdfParams::MINIMUM,
                started: Instant::now(),
                desktop: false,
                connection: None,
            },
        )
        .unwrap()
    }

    fn preview(verifier: &str) -> Preview {
        Preview {
            verifier: verifier.into(),
            purpose: None,
            expires_at: String::new(),
            disclosed: Vec::new(),
            withheld: Vec::new(),
            always: Vec::new(),
            revealed: Vec::new(),
        }
    }

    /// A preview or presentation worked out for a choice the holder has since changed is not
    /// shown as this choice's (the confirm button would sign the new choice under the old
    /// preview).
    #[test]
    fn replies_for_an_older_choice_are_not_shown_as_this_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = app(tmp.path());
        a.state.phase = Phase::Unlocked;
        a.state.presenting.credential = Some(wallet_core::vault::CredentialId::new("c"));
        a.apply(Command::Toggle("incomeBand".into(), true));
        let old = a.state.presenting.generation;
        a.apply(Command::Toggle("incomeBand".into(), false));
        let current = a.state.presenting.generation;
        assert!(current > old);
        a.on_reply(Reply {
            kind: JobKind::Preview,
            result: Ok(Done::Previewed(old, preview("stale.example"))),
        });
        assert!(a.state.presenting.preview.is_none());
        a.on_reply(Reply {
            kind: JobKind::Preview,
            result: Ok(Done::Previewed(current, preview("fresh.example"))),
        });
        assert_eq!(
            a.state.presenting.preview.as_ref().unwrap().verifier,
            "fresh.example"
        );
        // A presentation made for an older choice is announced, not offered as this one's.
        a.on_reply(Reply {
            kind: JobKind::Present,
            result: Ok(Done::Changed(
                crate::tasks::WalletView::default(),
                Changed::Presented(
                    old,
                    crate::tasks::Presented {
                        json: "{}".into(),
                        verifier: "stale.example".into(),
                        disclosed: Vec::new(),
                        withheld: Vec::new(),
                    },
                ),
            )),
        });
        assert!(a.state.presenting.done.is_none());
        assert!(
            a.state
                .notice
                .as_ref()
                .unwrap()
                .text
                .contains("stale.example")
        );
    }

    /// Locking clears the screens at once, before the worker reaches the job, and what a job
    /// read from the vault is not shown after that.
    #[test]
    fn lock_forgets_at_once_and_late_replies_are_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = app(tmp.path());
        a.state.phase = Phase::Unlocked;
        a.state.notice = Some(Notice {
            tone: Tone::Success,
            text: "Presentation for lender.example signed".into(),
        });
        a.forms.search = "lender".into();
        a.apply(Command::Lock);
        assert_eq!(a.state.phase, Phase::Locked);
        assert!(a.state.notice.is_none());
        assert!(a.forms.search.is_empty());
        a.on_reply(Reply {
            kind: JobKind::Standings,
            result: Ok(Done::Standings(vec![(
                wallet_core::vault::CredentialId::new("c"),
                wallet_core::holder::Standing::Valid,
            )])),
        });
        assert!(a.state.standings.is_empty());
    }
}
