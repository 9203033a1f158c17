//! The verifier's desk: make a request, receive the answer, read the report check by check.

use wallet_core::verify::Outcome;

use crate::command::{Command, Incoming, Output};
use crate::state::{Ask, Forms, State};
use crate::tasks::JobKind;
use crate::ui::widgets::{self, output_actions, text_field};

/// The Verify screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    ui.heading("Verify a presentation");
    trusted_issuers(ui, state, forms, &mut out);
    let v = &state.verifying;
    let Some(request) = &v.request else {
        ui.label("1. Make a request: pick the claims you need.");
        let f = &mut forms.verifier;
        text_field(ui, "Your domain", &mut f.domain);
        text_field(ui, "Purpose shown to the holder", &mut f.purpose);
        ui.horizontal(|ui| {
            let l = ui.label("Valid for (minutes)");
            ui.add(egui::DragValue::new(&mut f.minutes).range(1..=1440))
                .labelled_by(l.id);
        });
        egui::Grid::new("asks")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for (claim, ask) in &mut f.asks {
                    ui.label(claim.as_str());
                    for (value, text) in [
                        (Ask::No, "not asked"),
                        (Ask::Required, "required"),
                        (Ask::Optional, "optional"),
                    ] {
                        let r = ui.radio_value(ask, value, text);
                        r.widget_info(|| {
                            egui::WidgetInfo::selected(
                                egui::Role::RadioButton,
                                true,
                                *ask == value,
                                format!("{claim}: {text}"),
                            )
                        });
                    }
                    ui.end_row();
                }
            });
        if ui
            .add_enabled(
                !state.is_busy(JobKind::NewRequest),
                egui::Button::new("Make request"),
            )
            .clicked()
        {
            out.push(Command::MakeRequest);
        }
        return out;
    };
    ui.label(format!(
        "Request for {} made; it expires at {}.",
        request.client_id,
        request.expires_at()
    ));
    egui::CollapsingHeader::new("Request (JSON)").show(ui, |ui| {
        ui.add(
            egui::Label::new(egui::RichText::new(request.to_json_pretty()).monospace())
                .selectable(true),
        );
    });
    output_actions(ui, Output::Request, &mut forms.save_path, &mut out);
    ui.add_space(6.0);
    ui.label("2. Receive the holder's presentation:");
    widgets::document_sources(
        ui,
        Incoming::Presentation,
        &mut forms.presentation_path,
        &mut out,
    );
    if ui.button("New request").clicked() {
        out.push(Command::ResetVerifier);
    }
    if state.is_busy(JobKind::Verify) {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Verifying…");
        });
    }
    if let Some(report) = &v.report {
        ui.separator();
        if report.is_valid() {
            ui.heading(egui::RichText::new("Presentation VALID").color(widgets::GOOD));
        } else {
            ui.heading(egui::RichText::new("Presentation INVALID").color(widgets::BAD));
        }
        // Long details (DIDs, methods) wrap within the window instead of running off its edge.
        let detail_width = (ui.available_width() - 320.0).max(240.0);
        egui::Grid::new("checks")
            .striped(true)
            .num_columns(3)
            .max_col_width(detail_width)
            .show(ui, |ui| {
                for c in &report.checks {
                    let (mark, color, detail) = match &c.outcome {
                        Outcome::Passed(d) => ("passed", widgets::GOOD, d),
                        Outcome::Failed(d) => ("FAILED", widgets::BAD, d),
                    };
                    ui.colored_label(color, mark);
                    ui.label(c.name.title());
                    ui.label(detail);
                    ui.end_row();
                }
            });
        if let Some(i) = &report.issuer {
            ui.label(format!("Issuer: {i}"));
        }
        if let Some(h) = &report.holder {
            ui.label(format!("Holder: {h}"));
        }
        if !report.is_valid() {
            ui.label("No claims are shown: the presentation is invalid, so nothing in it may be relied on.");
        } else if !report.disclosed.is_empty() {
            ui.strong("What the holder disclosed (as the proof verified it):");
            egui::Grid::new("disclosed")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    for d in &report.disclosed {
                        ui.label(&d.claim);
                        ui.label(&d.value);
                        ui.end_row();
                    }
                });
        }
        if report.is_valid() && !report.hidden.is_empty() {
            ui.label(format!("Stayed hidden: {}", report.hidden.join(", ")));
        }
        if report.retryable {
            ui.colored_label(
                widgets::WARN,
                "The chain could not be reached: retry when the node is back.",
            );
        }
    }
    out
}

/// The issuers this desk trusts: a presentation from any other issuer is invalid.
fn trusted_issuers(ui: &mut egui::Ui, state: &State, forms: &mut Forms, out: &mut Vec<Command>) {
    let trusted = state.verifying.trusted.as_deref().unwrap_or_default();
    egui::CollapsingHeader::new(format!("Trusted issuers ({})", trusted.len()))
        .default_open(trusted.is_empty())
        .show(ui, |ui| {
            if trusted.is_empty() {
                ui.label("None yet: add the DID of each issuer whose credentials you accept.");
            }
            for did in trusted {
                ui.horizontal(|ui| {
                    ui.monospace(did);
                    if widgets::named_button(ui, "Remove", format!("Stop trusting {did}")).clicked()
                    {
                        out.push(Command::SetTrust(did.clone(), false));
                    }
                });
            }
            ui.horizontal(|ui| {
                let r = text_field(ui, "Issuer DID to trust", &mut forms.trust_did);
                let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button("Trust").clicked() || enter) && !forms.trust_did.trim().is_empty() {
                    out.push(Command::SetTrust(forms.trust_did.trim().to_owned(), true));
                }
            });
        });
}
