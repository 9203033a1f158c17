//! Every presentation made: when, to which verifier, which claims; searchable.

use crate::command::Command;
use crate::state::{Forms, State};
use crate::tasks::HistoryRow;
use crate::ui::widgets::{text_field, when};

/// Whether `row` matches every word of `query` (case-insensitive; verifier, claims, purpose,
/// credential).
pub fn matches(row: &HistoryRow, credential: &str, query: &str) -> bool {
    let haystack = format!(
        "{} {} {} {} {}",
        row.verifier,
        row.disclosed.join(" "),
        row.purpose.as_deref().unwrap_or(""),
        credential,
        when(row.at)
    )
    .to_lowercase();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|w| haystack.contains(w))
}

/// The History screen.
pub fn show(ui: &mut egui::Ui, state: &State, forms: &mut Forms) -> Vec<Command> {
    ui.heading("History");
    ui.weak("Every presentation this wallet made. It is kept in the encrypted vault only.");
    text_field(ui, "Search history", &mut forms.search);
    let rows: Vec<_> = state
        .wallet
        .history
        .iter()
        .filter(|r| matches(r, &state.credential_name(&r.credential), &forms.search))
        .collect();
    if state.wallet.history.is_empty() {
        ui.label("No presentations yet.");
        return Vec::new();
    }
    ui.label(format!(
        "{} of {} presentations",
        rows.len(),
        state.wallet.history.len()
    ));
    egui::Grid::new("history")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for h in [
                "When (UTC)",
                "Verifier",
                "Claims disclosed",
                "Why",
                "Credential",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for r in rows {
                ui.label(when(r.at));
                ui.label(&r.verifier);
                ui.label(r.disclosed.join(", "));
                ui.label(r.purpose.as_deref().unwrap_or("—"));
                ui.label(state.credential_name(&r.credential));
                ui.end_row();
            }
        });
    Vec::new()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn search_matches_every_word() {
        let row = HistoryRow {
            at: 1_800_000_000,
            verifier: "loans.lender.example".into(),
            credential: wallet_core::vault::CredentialId::new("abc"),
            disclosed: vec!["ageOver18".into(), "incomeBand".into()],
            purpose: Some("Loan application".into()),
        };
        assert!(matches(&row, "KYC", ""));
        assert!(matches(&row, "KYC", "lender INCOMEBAND"));
        assert!(matches(&row, "KYC", "loan kyc"));
        assert!(!matches(&row, "KYC", "lender birthDate"));
        assert!(matches(&row, "KYC", "2027"));
    }
}
