//! Settings: chain, data directory, auto-lock, theme; and the measured frame times.

use crate::command::Command;
use crate::settings::Theme;
use crate::state::{Forms, State};
use crate::ui::widgets::text_field;

/// The Settings screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    let mut out = Vec::new();
    ui.heading("Settings");
    let f = &mut forms.settings;
    text_field(
        ui,
        "Data directory (empty: the platform's)",
        &mut f.data_dir,
    );
    text_field(ui, "Chain (dev, dev:PATH or an http(s) URL)", &mut f.chain);
    ui.horizontal(|ui| {
        let l = ui.label("Lock after idle (minutes, 0 = never)");
        ui.add(egui::DragValue::new(&mut f.auto_lock_minutes).range(0..=1440))
            .labelled_by(l.id);
    });
    ui.horizontal(|ui| {
        ui.label("Theme");
        ui.radio_value(&mut f.theme, Theme::Light, "Light theme");
        ui.radio_value(&mut f.theme, Theme::Dark, "Dark theme");
    });
    ui.weak("Changing the data directory or the chain locks the wallet and opens the one there. The `siegel` CLI reads the same data directory.");
    if ui.button("Save settings").clicked() {
        out.push(Command::SaveSettings(f.to_settings(&state.settings)));
    }
    ui.add_space(12.0);
    ui.collapsing("Diagnostics", |ui| {
        ui.label(crate::app::timing_report(&state.frames));
    });
    out
}
