//! The screens. Each takes the [`State`] (read-only) and the [`Forms`] (its drafts) and returns
//! the [`Command`]s the person gave; none of them touches the vault, the chain or the KDF.

pub mod credentials;
pub mod history;
pub mod identity;
pub mod present;
pub mod settings;
pub mod unlock;
pub mod verify;
pub mod widgets;

use crate::command::Command;
use crate::state::{Forms, Phase, Screen, State, Tone};

/// The ids of the passphrase fields, whose egui state (undo history) is cleared after use.
pub const SECRET_FIELDS: [&str; 4] = [
    "passphrase",
    "passphrase-again",
    "backup-passphrase",
    "unlock-passphrase",
];

/// Clears egui's own memory of the passphrase fields (it keeps undo copies of their text).
pub fn forget_secret_fields(ctx: &egui::Context) {
    for name in SECRET_FIELDS {
        egui::TextEdit::store_state(
            ctx,
            egui::Id::unique(name),
            egui::text_edit::TextEditState::default(),
        );
    }
}

/// Clears egui's memory of every field (text, undo history, scroll positions) on lock: what
/// was typed about the wallet's contents is not kept for the next person at the screen.
pub fn forget_typed_fields(ctx: &egui::Context) {
    ctx.memory_mut(|m| m.data = Default::default());
}

/// Renders the whole window; returns what the person asked for.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    egui::Panel::bottom("status-bar").show(ui, |ui| status_bar(ui, state, &mut out));
    match state.phase {
        Phase::Welcome | Phase::Locked => {
            egui::CentralPanel::default().show(ui, |ui| out.extend(unlock::show(ui, state, forms)));
        }
        Phase::Unlocked => {
            egui::Panel::top("navigation").show(ui, |ui| navigation(ui, state, &mut out));
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        out.extend(match state.screen {
                            Screen::Credentials => credentials::show(ui, state, forms),
                            Screen::Present => present::show(ui, state, forms),
                            Screen::History => history::show(ui, state, forms),
                            Screen::Identity => identity::show(ui, state),
                            Screen::Verify => verify::show(ui, state, forms),
                            Screen::Settings => settings::show(ui, state, forms),
                        });
                    });
            });
            out.extend(credentials::delete_dialog(ui, state));
            out.extend(widgets::qr_window(ui, state));
        }
    }
    out
}

fn navigation(ui: &mut egui::Ui, state: &State, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading("Siegel");
        ui.separator();
        for screen in Screen::ALL {
            let r = ui
                .selectable_label(state.screen == screen, screen.title())
                .on_hover_text(format!("Ctrl+{}", screen.shortcut_digit()));
            if r.clicked() {
                out.push(Command::Go(screen));
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Lock").on_hover_text("Ctrl+L").clicked() {
                out.push(Command::Lock);
            }
        });
    });
}

fn status_bar(ui: &mut egui::Ui, state: &State, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if let Some(kind) = state.busy.last() {
            ui.spinner();
            ui.label(kind.doing());
            ui.separator();
        }
        match &state.notice {
            Some(n) => {
                let color = match n.tone {
                    Tone::Success => widgets::GOOD,
                    Tone::Info => ui.visuals().text_color(),
                    Tone::Error => ui.visuals().error_fg_color,
                };
                ui.colored_label(color, &n.text);
                if ui.small_button("Dismiss").clicked() {
                    out.push(Command::DismissNotice);
                }
            }
            None if state.busy.is_empty() => {
                ui.weak(match state.phase {
                    Phase::Unlocked => "Ready.",
                    Phase::Locked => "Locked.",
                    Phase::Welcome => "No wallet yet.",
                });
            }
            None => {}
        }
    });
}
