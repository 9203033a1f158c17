//! Answering a presentation request: who asks and why, a claim picker (required claims locked
//! on, optional ones off until chosen), a side-by-side preview of what the verifier will see and
//! what stays hidden, then confirm.

use wallet_core::holder::Standing;

use crate::command::{Command, Incoming, Output};
use crate::state::{Forms, State};
use crate::tasks::JobKind;
use crate::ui::widgets::{self, output_actions, value_text};

/// Why a credential of this standing must not be presented (the verifier would refuse it, and
/// the answer would still hand over its claims and the holder's DID).
pub fn unusable(standing: Option<&Standing>) -> Option<&'static str> {
    match standing? {
        Standing::Revoked => {
            Some("This credential is revoked: the verifier would refuse it. Nothing was sent.")
        }
        Standing::Suspended => {
            Some("This credential is suspended: the verifier would refuse it. Nothing was sent.")
        }
        Standing::Expired => {
            Some("This credential has expired: the verifier would refuse it. Nothing was sent.")
        }
        Standing::NotYetValid => Some(
            "This credential is not valid yet: the verifier would refuse it. Nothing was sent.",
        ),
        Standing::Valid | Standing::ExpiringSoon | Standing::Unknown(_) => None,
    }
}

/// The Present screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    let p = &state.presenting;
    let (Some(request), Some(selection)) = (&p.request, &p.selection) else {
        ui.heading("Answer a presentation request");
        widgets::document_sources(ui, Incoming::Request, &mut forms.request_path, &mut out);
        return out;
    };

    ui.heading("A verifier asks for a presentation");
    egui::Grid::new("who-asks").num_columns(2).show(ui, |ui| {
        ui.label("Who asks (the answer is valid only for this domain)");
        ui.strong(request.client_id.to_string());
        ui.end_row();
        ui.label("Why (in the verifier's words)");
        ui.label(request.purpose.as_deref().unwrap_or("no reason given"));
        ui.end_row();
        ui.label("Request expires");
        ui.label(request.expires_at().to_string());
        ui.end_row();
        ui.label("Credential type");
        ui.label(selection.types.last().cloned().unwrap_or_default());
        ui.end_row();
    });
    ui.add_space(6.0);

    let fitting: Vec<_> = state.fitting(selection).collect();
    let signing = state.is_busy(JobKind::Present);
    if fitting.is_empty() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "No credential in this wallet can answer: it asks for a type you do not hold.",
        );
        if ui.button("Close this request").clicked() {
            out.push(Command::CancelPresent);
        }
    } else {
        ui.label("Answer with:");
        for c in &fitting {
            let chosen = p.credential.as_ref() == Some(&c.id);
            let mut text = format!(
                "{} · valid until {}",
                c.label,
                c.valid_until.as_deref().unwrap_or("no end")
            );
            let standing = state.standings.get(&c.id);
            if !matches!(
                standing,
                Some(Standing::Valid | Standing::ExpiringSoon) | None
            ) {
                // The verifier will refuse it; say so before the holder signs anything.
                text.push_str(&format!(" · {}", widgets::badge(standing).0));
            }
            if ui
                .add_enabled(!signing, egui::RadioButton::new(chosen, text))
                .clicked()
                && !chosen
            {
                out.push(Command::ChooseCredential(c.id.clone()));
            }
        }
    }
    ui.add_space(6.0);

    ui.label("Claims asked for:");
    for claim in &selection.required {
        let mut on = true;
        ui.add_enabled(
            false,
            egui::Checkbox::new(&mut on, format!("{claim} (required)")),
        );
    }
    for claim in &selection.optional {
        let mut on = p.chosen.contains(claim);
        if ui
            .add_enabled(
                !signing && p.credential.is_some(),
                egui::Checkbox::new(&mut on, format!("{claim} (optional)")),
            )
            .changed()
        {
            out.push(Command::Toggle(claim.clone(), on));
        }
    }
    if selection.optional.is_empty() {
        ui.weak("Every claim asked for is required: without them the verifier refuses the answer.");
    }
    ui.add_space(6.0);

    if let Some(problem) = &p.problem {
        ui.colored_label(ui.visuals().error_fg_color, problem);
        if ui.button("Close this request").clicked() {
            out.push(Command::CancelPresent);
        }
    }
    let refused = p
        .credential
        .as_ref()
        .and_then(|id| unusable(state.standings.get(id)));
    if let Some(preview) = &p.preview {
        ui.separator();
        ui.heading("Preview");
        ui.columns(2, |cols| {
            cols[0].strong(format!("{} will see", preview.verifier));
            egui::Grid::new("will-see")
                .striped(true)
                .num_columns(2)
                .show(&mut cols[0], |ui| {
                    for (k, v) in &preview.disclosed {
                        ui.colored_label(widgets::WARN, k);
                        ui.label(value_text(v));
                        ui.end_row();
                    }
                    for s in &preview.always {
                        ui.weak(wallet_core::credential::shown::label(&s.path));
                        // Long values (DIDs, registry addresses) end in "…" at the column's
                        // edge instead of running into the next column; hovering shows all.
                        ui.add(egui::Label::new(egui::RichText::new(&s.value).weak()).truncate())
                            .on_hover_text(&s.value);
                        ui.end_row();
                    }
                });
            cols[0].weak("The grey rows are part of every presentation of this credential.");
            cols[1].strong("Stays hidden");
            egui::Grid::new("stays-hidden")
                .striped(true)
                .num_columns(2)
                .show(&mut cols[1], |ui| {
                    for (k, v) in &preview.withheld {
                        ui.colored_label(widgets::GOOD, k);
                        ui.label(value_text(v));
                        ui.end_row();
                    }
                });
            if preview.withheld.is_empty() {
                cols[1].label("Nothing: every claim is disclosed.");
            }
        });
        ui.add_space(6.0);
        if let Some(why) = refused {
            ui.colored_label(widgets::BAD, why.trim_end_matches(" Nothing was sent."));
        }
        ui.horizontal(|ui| {
            let confirm = ui.add_enabled(
                !signing && p.done.is_none() && refused.is_none(),
                egui::Button::new(format!("Confirm and sign for {}", preview.verifier)),
            );
            if confirm.clicked() {
                out.push(Command::ConfirmPresent);
            }
            if ui
                .add_enabled(!signing, egui::Button::new("Cancel"))
                .clicked()
            {
                out.push(Command::CancelPresent);
            }
            if signing {
                ui.spinner();
            }
        });
    } else if p.credential.is_some() && p.problem.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Preparing the preview…");
        });
    }

    if let Some(done) = &p.done {
        ui.separator();
        ui.colored_label(
            widgets::GOOD,
            format!(
                "Presentation for {} is ready and recorded in the history.",
                done.verifier
            ),
        );
        ui.label(format!("Disclosed: {}", done.disclosed.join(", ")));
        ui.label(format!("Withheld: {}", done.withheld.join(", ")));
        output_actions(ui, Output::Presentation, &mut forms.save_path, &mut out);
    }
    out
}
