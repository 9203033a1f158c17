//! First run (create or restore a vault) and later runs (unlock).

use crate::command::Command;
use crate::state::{Forms, Phase, State};
use crate::tasks::JobKind;
use crate::ui::widgets::{self, secret_field, text_field};

/// The shortest passphrase accepted for a new vault, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// Why the two new-passphrase fields cannot be used, if they cannot.
pub fn new_passphrase_problem(first: &str, again: &str) -> Option<&'static str> {
    if first.is_empty() {
        Some("Choose a passphrase.")
    } else if first.chars().count() < MIN_PASSPHRASE_CHARS {
        Some("Use at least 10 characters: several unrelated words work well.")
    } else if first != again {
        Some("The two passphrases differ.")
    } else if strength(first).0 < 2 {
        Some("This passphrase is easy to guess: add a few more unrelated words.")
    } else {
        None
    }
}

/// How hard a passphrase is to guess: zxcvbn's score (0–4) and its advice.
pub fn strength(passphrase: &str) -> (u8, String) {
    let entropy = zxcvbn::zxcvbn(passphrase, &["siegel", "wallet"]);
    let score = u8::from(entropy.score());
    let advice = entropy
        .feedback()
        .and_then(|f| f.warning().map(|w| w.to_string()))
        .unwrap_or_default();
    (score, advice)
}

/// The unlock / create / restore screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    let working = state.is_busy(JobKind::Unlock)
        || state.is_busy(JobKind::Create)
        || state.is_busy(JobKind::Restore);
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        ui.heading(match state.phase {
            Phase::Welcome => "Welcome to Siegel",
            _ => "Unlock your wallet",
        });
        ui.weak(format!(
            "Data directory: {}",
            state
                .settings
                .home()
                .map(|h| h.dir().display().to_string())
                .unwrap_or_else(|e| e.to_string())
        ));
    });
    ui.add_space(16.0);
    ui.add_enabled_ui(!working, |ui| match state.phase {
        Phase::Locked | Phase::Unlocked => unlock(ui, forms, &mut out),
        Phase::Welcome => {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut forms.restore, false, "Create a new wallet");
                ui.selectable_value(&mut forms.restore, true, "Restore from a backup");
            });
            ui.add_space(8.0);
            if forms.restore {
                restore(ui, forms, &mut out);
            } else {
                create(ui, forms, &mut out);
            }
        }
    });
    if working {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Deriving the vault key with Argon2id — this takes a moment on purpose.");
        });
    }
    if let Some(e) = &state.unlock_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    out
}

fn unlock(ui: &mut egui::Ui, forms: &mut Forms, out: &mut Vec<Command>) {
    let r = secret_field(ui, "unlock-passphrase", "Passphrase", &mut forms.passphrase);
    // The field starts focused (typing then Enter unlocks), without stealing focus later.
    if forms.passphrase.is_empty() && ui.memory(|m| m.focused().is_none()) {
        r.request_focus();
    }
    let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if ui.button("Unlock").clicked() || enter {
        out.push(Command::Unlock);
    }
}

fn new_passphrase(ui: &mut egui::Ui, forms: &mut Forms) -> bool {
    let first = secret_field(ui, "passphrase", "New passphrase", &mut forms.passphrase);
    if forms.passphrase.is_empty() && ui.memory(|m| m.focused().is_none()) {
        first.request_focus();
    }
    let again = secret_field(
        ui,
        "passphrase-again",
        "Repeat passphrase",
        &mut forms.passphrase_again,
    );
    // zxcvbn copies what it analyses: run it when the text changes, not on every frame.
    if first.changed() {
        forms.strength =
            (!forms.passphrase.is_empty()).then(|| strength(forms.passphrase.expose()));
    }
    if let Some((score, advice)) = forms.strength.clone() {
        let (word, color) = match score {
            0 | 1 => ("very weak", widgets::BAD),
            2 => ("weak", widgets::WARN),
            3 => ("good", widgets::GOOD),
            _ => ("strong", widgets::GOOD),
        };
        ui.horizontal(|ui| {
            ui.label("Strength:");
            ui.colored_label(color, word);
            if !advice.is_empty() {
                ui.weak(advice);
            }
        });
    }
    (first.lost_focus() || again.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn create(ui: &mut egui::Ui, forms: &mut Forms, out: &mut Vec<Command>) {
    ui.label("Your wallet is a file encrypted with this passphrase. Nobody can recover it for you: write it down.");
    let enter = new_passphrase(ui, forms);
    if ui.button("Create wallet").clicked() || enter {
        out.push(Command::CreateVault);
    }
}

fn restore(ui: &mut egui::Ui, forms: &mut Forms, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        text_field(ui, "Backup file", &mut forms.backup_path);
        if ui.button("Choose…").clicked() {
            out.push(Command::PickBackup);
        }
    });
    secret_field(
        ui,
        "backup-passphrase",
        "Backup passphrase",
        &mut forms.backup_passphrase,
    );
    ui.label("Then choose the passphrase of the restored wallet:");
    let enter = new_passphrase(ui, forms);
    if ui.button("Restore wallet").clicked() || enter {
        out.push(Command::RestoreVault);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_rules_and_strength() {
        assert!(new_passphrase_problem("", "").is_some());
        assert!(new_passphrase_problem("short", "short").is_some());
        assert_eq!(
            new_passphrase_problem("correct horse battery", "correct horse batterx"),
            Some("The two passphrases differ.")
        );
        assert_eq!(
            new_passphrase_problem("correct horse battery", "correct horse battery"),
            None
        );
        assert!(strength("password123").0 <= 1);
        assert!(strength("violet-tundra-ladle-quorum-83").0 >= 3);
    }
}
