//! The holder's DID and keys as the chain shows them; rotating the presentation key.

use serde_json::Value;

use crate::command::Command;
use crate::state::State;
use crate::tasks::JobKind;

/// The Identity screen.
pub fn show(ui: &mut egui::Ui, state: &State) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal(|ui| {
        ui.heading("Identity");
        if ui.button("Refresh from the chain").clicked() {
            out.push(Command::RefreshIdentity);
        }
    });
    let Some(holder) = &state.wallet.holder else {
        ui.label("This wallet has no DID yet.");
        crate::ui::widgets::create_did_button(ui, state, &mut out);
        return out;
    };
    egui::Grid::new("identity").num_columns(2).show(ui, |ui| {
        ui.label("Your DID");
        ui.horizontal(|ui| {
            ui.add(
                egui::Label::new(egui::RichText::new(holder.did.as_str()).monospace())
                    .selectable(true),
            );
            if ui.button("Copy DID").clicked() {
                out.push(Command::CopyText(holder.did.to_string()));
            }
        });
        ui.end_row();
        ui.label("Presentation key (sigAuth)");
        ui.add(
            egui::Label::new(egui::RichText::new(holder.method.as_str()).monospace())
                .selectable(true),
        );
        ui.end_row();
        if let Some(view) = &state.identity {
            ui.label("Chain");
            ui.label(&view.chain);
            ui.end_row();
            ui.label("Head block");
            ui.label(view.head.to_string());
            ui.end_row();
        }
    });
    match &state.identity {
        None if state.is_busy(JobKind::Identity) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Resolving your DID on the chain…");
            });
        }
        None => {}
        Some(view) => {
            ui.add_space(6.0);
            ui.strong("Verification methods in your DID document (resolved now):");
            let methods = view.document["verificationMethod"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            egui::Grid::new("methods")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    ui.strong("Id");
                    ui.strong("Type");
                    ui.strong("Used for");
                    ui.end_row();
                    for m in &methods {
                        let id = m["id"].as_str().unwrap_or_default();
                        ui.monospace(id);
                        ui.label(m["type"].as_str().unwrap_or_default());
                        ui.label(relationships(&view.document, id).join(", "));
                        ui.end_row();
                    }
                });
            egui::CollapsingHeader::new("DID document (JSON)").show(ui, |ui| {
                let text = serde_json::to_string_pretty(&view.document).unwrap_or_default();
                ui.add(egui::Label::new(egui::RichText::new(text).monospace()).selectable(true));
            });
        }
    }
    ui.add_space(8.0);
    ui.label("Rotating publishes a new presentation key on the chain and withdraws the old one; presentations signed before stop verifying.");
    let rotating = state.is_busy(JobKind::RotateKey);
    if state.confirm_rotate {
        ui.group(|ui| {
            ui.strong("Rotate now? Presentations you signed before will no longer verify.");
            ui.horizontal(|ui| {
                if ui.button("Rotate now").clicked() {
                    out.push(Command::RotateKey);
                }
                if ui.button("Keep the current key").clicked() {
                    out.push(Command::CancelRotate);
                }
            });
        });
    } else if ui
        .add_enabled(!rotating, egui::Button::new("Rotate presentation key"))
        .clicked()
    {
        out.push(Command::AskRotate);
    }
    out
}

/// The relationships of a DID document that list `id`.
fn relationships(doc: &Value, id: &str) -> Vec<&'static str> {
    [
        ("authentication", "authentication"),
        ("assertionMethod", "assertion"),
        ("keyAgreement", "key agreement"),
    ]
    .into_iter()
    .filter(|(k, _)| {
        doc[*k].as_array().is_some_and(|a| {
            a.iter()
                .any(|e| e.as_str() == Some(id) || e["id"].as_str() == Some(id))
        })
    })
    .map(|(_, name)| name)
    .collect()
}
