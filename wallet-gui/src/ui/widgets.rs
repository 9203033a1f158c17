//! Small pieces shared by the screens: labelled fields, badges, claim values, the QR window.

use serde_json::Value;
use wallet_core::holder::Standing;

use crate::command::{Command, Incoming, Output};
use crate::state::State;
use crate::tasks::JobKind;

/// The colour of good news.
pub const GOOD: egui::Color32 = egui::Color32::from_rgb(0x2e, 0x8b, 0x57);
/// The colour of warnings.
pub const WARN: egui::Color32 = egui::Color32::from_rgb(0xc8, 0x7d, 0x0a);
/// The colour of bad news.
pub const BAD: egui::Color32 = egui::Color32::from_rgb(0xc0, 0x39, 0x2b);

/// A single-line text field with a visible label that is also its accessible name.
pub fn text_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut dyn egui::TextBuffer,
) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(text).desired_width(380.0))
            .labelled_by(l.id)
    })
    .inner
}

/// A passphrase field (masked) with id `id`, labelled `label`.
pub fn secret_field(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    text: &mut dyn egui::TextBuffer,
) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(text)
                .id(egui::Id::unique(id))
                .password(true)
                .desired_width(280.0),
        )
        .labelled_by(l.id)
    })
    .inner
}

/// A button whose accessible name is `name` (several buttons may read "Open" on screen).
pub fn named_button(ui: &mut egui::Ui, text: &str, name: String) -> egui::Response {
    let r = ui.button(text);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    r
}

/// The badge text and colour of a standing; `None` while unchecked.
pub fn badge(standing: Option<&Standing>) -> (String, egui::Color32) {
    match standing {
        None => ("checking…".into(), egui::Color32::GRAY),
        Some(Standing::Valid) => ("valid".into(), GOOD),
        Some(Standing::ExpiringSoon) => ("expiring soon".into(), WARN),
        Some(Standing::Expired) => ("expired".into(), BAD),
        Some(Standing::NotYetValid) => ("not yet valid".into(), WARN),
        Some(Standing::Suspended) => ("suspended".into(), WARN),
        Some(Standing::Revoked) => ("revoked".into(), BAD),
        Some(Standing::Unknown(_)) => ("status unknown".into(), egui::Color32::GRAY),
    }
}

/// Shows a badge; its accessible name is "Status: TEXT".
pub fn show_badge(ui: &mut egui::Ui, standing: Option<&Standing>) {
    let (text, color) = badge(standing);
    let r = ui.add(
        egui::Button::new(
            egui::RichText::new(&text)
                .color(egui::Color32::WHITE)
                .strong(),
        )
        .fill(color)
        .sense(egui::Sense::hover()),
    );
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, format!("Status: {text}")));
    if let Some(Standing::Unknown(why)) = standing {
        r.on_hover_text(why);
    }
}

/// A claim value as text.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A timestamp (Unix seconds) as UTC text.
pub fn when(unix: u64) -> String {
    wallet_core::di::DateTime::from_unix_seconds(i64::try_from(unix).unwrap_or(i64::MAX))
        .to_string()
}

/// Save / copy / QR buttons for an output, plus a typed path for systems without dialogs.
pub fn output_actions(ui: &mut egui::Ui, what: Output, path: &mut String, out: &mut Vec<Command>) {
    let noun = match what {
        Output::Presentation => "presentation",
        Output::Request => "request",
    };
    ui.horizontal(|ui| {
        if named_button(ui, "Save…", format!("Save {noun}")).clicked() {
            out.push(Command::SaveOutput(what));
        }
        if named_button(ui, "Copy", format!("Copy {noun}")).clicked() {
            out.push(Command::CopyOutput(what));
        }
        if named_button(ui, "QR code", format!("Show {noun} as QR code")).clicked() {
            out.push(Command::ShowQr(what));
        }
    });
    ui.horizontal(|ui| {
        let r = text_field(ui, &format!("Save {noun} to path"), path);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (named_button(ui, "Save", format!("Save {noun} to this path")).clicked() || enter)
            && !path.trim().is_empty()
        {
            out.push(Command::SavePath(what, path.trim().into()));
        }
    });
}

/// The ways a document comes in: a file dialog, the clipboard, a typed path (and, said in the
/// hint, dropping the file or Ctrl+V).
pub fn document_sources(
    ui: &mut egui::Ui,
    incoming: Incoming,
    path: &mut String,
    out: &mut Vec<Command>,
) {
    let (open, paste, field, load, hint) = match incoming {
        Incoming::Credential => (
            "Import file…",
            "Paste credential",
            "Credential file",
            "Import from path",
            "Or drop a credential file on this window, or press Ctrl+V. Every credential is checked against the issuer's key on the chain before it is stored.",
        ),
        Incoming::Request => (
            "Open request file…",
            "Paste request",
            "Request file",
            "Open from path",
            "Or drop the request file on this window, or press Ctrl+V.",
        ),
        Incoming::Presentation => (
            "Open presentation file…",
            "Paste presentation",
            "Presentation file",
            "Verify from path",
            "Or drop the file on this window, or press Ctrl+V.",
        ),
    };
    ui.horizontal(|ui| {
        if ui.button(open).clicked() {
            out.push(Command::PickFile(incoming));
        }
        if ui.button(paste).clicked() {
            out.push(Command::Paste(incoming));
        }
    });
    ui.horizontal(|ui| {
        let r = text_field(ui, field, path);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(load).clicked() || enter) && !path.trim().is_empty() {
            out.push(Command::LoadPath(incoming, path.trim().into()));
        }
    });
    ui.weak(hint);
    ui.weak("If no file dialog opens (a desktop without a file portal), type the file's full path above.");
}

/// "Create my DID on the chain", for a wallet without a holder identity.
pub fn create_did_button(ui: &mut egui::Ui, state: &State, out: &mut Vec<Command>) {
    if ui
        .add_enabled(
            !state.is_busy(JobKind::SetUpIdentity),
            egui::Button::new("Create my DID on the chain"),
        )
        .clicked()
    {
        out.push(Command::SetUpIdentity);
    }
}

/// The QR code window, when one is shown.
pub fn qr_window(ui: &mut egui::Ui, state: &State) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(qr) = &state.qr else {
        return out;
    };
    egui::Modal::new(egui::Id::unique("qr")).show(ui.ctx(), |ui| {
        ui.heading(match qr.what {
            Output::Presentation => "Presentation",
            Output::Request => "Presentation request",
        });
        let quiet = 4;
        let cells = qr.width + 2 * quiet;
        let scale = (360.0 / cells as f32).floor().max(2.0);
        let size = egui::vec2(cells as f32 * scale, cells as f32 * scale);
        let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "QR code"));
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, egui::Color32::WHITE);
        for (i, dark) in qr.modules.iter().enumerate() {
            if *dark {
                let (x, y) = (i % qr.width + quiet, i / qr.width + quiet);
                let min = rect.min + egui::vec2(x as f32 * scale, y as f32 * scale);
                painter.rect_filled(
                    egui::Rect::from_min_size(min, egui::vec2(scale, scale)),
                    0.0,
                    egui::Color32::BLACK,
                );
            }
        }
        if ui.button("Close").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            out.push(Command::CloseQr);
        }
    });
    out
}
