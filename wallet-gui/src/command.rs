//! What the screens ask for. A screen renders the [`State`](crate::state::State) and returns
//! commands; the app applies them after the frame (rerun's order), starting worker jobs for
//! anything slow.

use std::path::PathBuf;

use wallet_core::vault::CredentialId;

use crate::settings::Settings;
use crate::state::{Notice, Screen};

/// Where some text came from (for the messages about it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file the person chose.
    File,
    /// A file dropped on the window.
    Drop,
    /// The clipboard.
    Paste,
}

/// What a document is meant to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A credential to import.
    Credential,
    /// A presentation request to answer.
    Request,
    /// A presentation to verify (Verify tab).
    Presentation,
}

/// Something the person asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Show another screen.
    Go(Screen),
    /// Create the vault from the passphrase fields.
    CreateVault,
    /// Restore the vault from the backup named in the form.
    RestoreVault,
    /// Choose the backup file with a file dialog.
    PickBackup,
    /// The backup file chosen.
    BackupChosen(PathBuf),
    /// Unlock with the passphrase field.
    Unlock,
    /// Lock now.
    Lock,
    /// Create the holder's DID on the chain (a vault without one).
    SetUpIdentity,
    /// Open a file dialog for a document.
    PickFile(Incoming),
    /// Read the document's text from the clipboard.
    Paste(Incoming),
    /// A document's bytes arrived.
    Received(Incoming, Source, Vec<u8>),
    /// Show a credential in full.
    Open(CredentialId),
    /// Close the detail view.
    CloseDetail,
    /// Ask whether to delete.
    AskDelete(CredentialId),
    /// Delete (confirmed).
    Delete(CredentialId),
    /// Dismiss a confirmation.
    CancelDelete,
    /// Read the statuses again.
    RefreshStandings,
    /// Answer the open request with this credential.
    ChooseCredential(CredentialId),
    /// Include or leave out an optional claim.
    Toggle(String, bool),
    /// Sign the previewed answer.
    ConfirmPresent,
    /// Drop the open request.
    CancelPresent,
    /// Save the last presentation (or request, on the Verify tab) to a file.
    SaveOutput(Output),
    /// Copy it to the clipboard.
    CopyOutput(Output),
    /// Show it as a QR code.
    ShowQr(Output),
    /// Close the QR code.
    CloseQr,
    /// Resolve the DID again.
    RefreshIdentity,
    /// Ask whether to replace the sigAuth key.
    AskRotate,
    /// Replace the sigAuth key (confirmed).
    RotateKey,
    /// Keep the key.
    CancelRotate,
    /// Make a request from the Verify form.
    MakeRequest,
    /// Forget the Verify tab's request and report.
    ResetVerifier,
    /// Trust (true) or stop trusting (false) an issuer DID (Verify).
    SetTrust(String, bool),
    /// Copy this text to the clipboard.
    CopyText(String),
    /// Store new settings.
    SaveSettings(Settings),
    /// The new settings are on disk: put them into force.
    SettingsSaved(Settings),
    /// Close the message bar.
    DismissNotice,
    /// Show a message (from a background thread: a file saved, a clipboard that failed).
    Notify(Notice),
    /// A path typed by the person (file dialogs may be missing): load it.
    LoadPath(Incoming, PathBuf),
    /// Save the output to a typed path.
    SavePath(Output, PathBuf),
}

/// A document the app produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The last presentation made.
    Presentation,
    /// The verifier's request.
    Request,
}
