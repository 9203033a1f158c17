//! The credential cards, the detail view and deletion.

use crate::command::{Command, Incoming};
use crate::state::{Forms, State, short};
use crate::ui::widgets::{self, named_button, show_badge, value_text};

/// The Credentials screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    if state.wallet.holder.is_none() {
        ui.group(|ui| {
            ui.label("This wallet has no DID yet: issuers need one to issue credentials to you.");
            widgets::create_did_button(ui, state, &mut out);
        });
    }
    ui.horizontal(|ui| {
        ui.heading("Credentials");
        if ui.button("Refresh status").clicked() {
            out.push(Command::RefreshStandings);
        }
    });
    widgets::document_sources(
        ui,
        Incoming::Credential,
        &mut forms.credential_path,
        &mut out,
    );
    ui.add_space(8.0);
    if let Some(detail) = &state.detail {
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.heading(
                    detail
                        .summary
                        .types
                        .last()
                        .map_or("Credential", String::as_str),
                );
                show_badge(ui, state.standings.get(&detail.summary.id));
                if ui.button("Close details").clicked() {
                    out.push(Command::CloseDetail);
                }
            });
            egui::Grid::new("detail")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    let mut row = |k: &str, v: String| {
                        ui.label(k);
                        ui.label(v);
                        ui.end_row();
                    };
                    row("Label", detail.summary.label.clone());
                    if let Some(name) = &detail.summary.issuer_name {
                        row("Issuer", name.clone());
                    }
                    row("Issuer DID", detail.summary.issuer.clone());
                    row("Type", detail.summary.types.join(", "));
                    row("Valid from", detail.valid_from.clone().unwrap_or_default());
                    row(
                        "Valid until",
                        detail
                            .summary
                            .valid_until
                            .clone()
                            .unwrap_or_else(|| "no end".into()),
                    );
                    if let Some(i) = detail.status_index {
                        row("Status list entry", i.to_string());
                    }
                    for (k, v) in &detail.claim_values {
                        row(k, value_text(v));
                    }
                    row("Id", detail.summary.id.to_string());
                });
        });
        ui.add_space(8.0);
    }
    if state.wallet.credentials.is_empty() {
        ui.label("No credentials yet. Import the file your issuer gave you.");
    }
    for c in &state.wallet.credentials {
        let standing = state.standings.get(&c.id);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.strong(c.types.last().map_or("Credential", String::as_str));
                show_badge(ui, standing);
            });
            match &c.issuer_name {
                Some(name) => {
                    ui.label(format!("Issuer: {name}"));
                    ui.weak(&c.issuer);
                }
                None => {
                    ui.label(format!("Issuer: {}", c.issuer));
                }
            }
            ui.label(match &c.valid_until {
                Some(u) => format!("Valid until {u}"),
                None => "No end date".into(),
            });
            ui.weak(format!(
                "{} claims · {}",
                c.claims.len(),
                short(c.id.as_str())
            ));
            ui.horizontal(|ui| {
                // The short id keeps the names apart for two credentials of one issuer.
                let name = format!("{} ({})", c.label, short(c.id.as_str()));
                if named_button(ui, "Details", format!("Details of {name}")).clicked() {
                    out.push(Command::Open(c.id.clone()));
                }
                if named_button(ui, "Delete…", format!("Delete {name}")).clicked() {
                    out.push(Command::AskDelete(c.id.clone()));
                }
            });
        });
    }
    out
}

/// The confirmation before deleting.
pub fn delete_dialog(ui: &mut egui::Ui, state: &State) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(id) = &state.confirm_delete else {
        return out;
    };
    egui::Modal::new(egui::Id::unique("confirm-delete")).show(ui.ctx(), |ui| {
        ui.heading("Delete this credential?");
        ui.label(format!(
            "{} will be removed from this wallet. The issuer would have to issue it again.",
            state.credential_name(id)
        ));
        ui.horizontal(|ui| {
            if ui
                .add(egui::Button::new(
                    egui::RichText::new("Delete").color(widgets::BAD),
                ))
                .clicked()
            {
                out.push(Command::Delete(id.clone()));
            }
            if ui.button("Keep it").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                out.push(Command::CancelDelete);
            }
        });
    });
    out
}
