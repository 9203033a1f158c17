//! Snapshot tests of the main screens, rendered headless through wgpu (Mesa llvmpipe). They
//! catch layout regressions; the behaviour is tested in `flow.rs` on a real chain. The state
//! here is a fixed picture (fixed DIDs and dates) so the images are stable from run to run:
//! nothing in it was verified, and nothing here asserts that it was.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p wallet-gui --test snapshots` rewrites the images in
//! `tests/snapshots/` after an intended change.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use egui_kittest::Harness;
use serde_json::json;
use wallet_core::credential::shown::Shown;
use wallet_core::di::DateTime;
use wallet_core::holder::{CredentialSummary, Preview, Standing};
use wallet_core::request::{ClientId, PresentationRequest};
use wallet_core::vault::CredentialId;
use wallet_gui::settings::Settings;
use wallet_gui::state::{Forms, Phase, Screen, State};
use wallet_gui::tasks::HistoryRow;

const ISSUER: &str = "did:ethr:0x539:0x5fbdb2315678afecb367f032d93f642f64180aa3";

fn settings() -> Settings {
    Settings {
        data_dir: Some("/home/ada/.local/share/siegel".into()),
        ..Settings::default()
    }
}

fn card(id: &str, until: &str) -> CredentialSummary {
    CredentialSummary {
        id: CredentialId::new(id),
        label: "KycAttestation from Example Bank KYC desk".into(),
        issuer: ISSUER.into(),
        issuer_name: Some("Example Bank KYC desk".into()),
        types: vec!["VerifiableCredential".into(), "KycAttestation".into()],
        valid_until: Some(until.into()),
        claims: wallet_core::credential::KYC_CLAIMS
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
    }
}

fn unlocked(screen: Screen) -> State {
    let mut s = State::new(settings(), true);
    s.phase = Phase::Unlocked;
    s.screen = screen;
    s.wallet.holder = Some(
        serde_json::from_value(json!({
            "did": "did:ethr:0x539:0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "method": "did:ethr:0x539:0x70997970c51812dc3a010c7d01b50e0d17dc79c8#delegate-1",
            "account_key": "a1", "auth_key": "a2"
        }))
        .unwrap(),
    );
    s.wallet.credentials = vec![
        card("3f2a9c0e11d24b7f", "2027-12-04T10:00:00Z"),
        card("8b41d07ae2c94f10", "2026-12-20T10:00:00Z"),
        card("c0ffee5512ab34cd", "2027-06-01T10:00:00Z"),
    ];
    let ids: Vec<CredentialId> = s.wallet.credentials.iter().map(|c| c.id.clone()).collect();
    s.standings.insert(ids[0].clone(), Standing::Valid);
    s.standings.insert(ids[1].clone(), Standing::ExpiringSoon);
    s.standings.insert(ids[2].clone(), Standing::Revoked);
    s.wallet.history = vec![HistoryRow {
        at: 1_796_376_000,
        verifier: "loans.lender.example".into(),
        credential: ids[0].clone(),
        disclosed: vec!["ageOver18".into(), "incomeBand".into()],
        purpose: Some("Loan application: proof of age and income band".into()),
    }];
    s
}

fn snapshot(name: &str, state: State) {
    let forms = Forms::new(&state.settings);
    let mut h = Harness::builder()
        .with_size(egui::vec2(960.0, 640.0))
        .with_theme(egui::Theme::Light)
        .build_ui_state(
            |ui, (state, forms): &mut (State, Forms)| {
                let _ = wallet_gui::ui::show(ui, state, forms);
            },
            (state, forms),
        );
    h.run();
    h.snapshot(name);
}

#[test]
fn welcome() {
    snapshot("welcome", State::new(settings(), false));
}

#[test]
fn unlock_after_a_wrong_passphrase() {
    let mut s = State::new(settings(), true);
    s.unlock_error = Some("Wrong passphrase.".into());
    snapshot("unlock", s);
}

#[test]
fn credentials() {
    snapshot("credentials", unlocked(Screen::Credentials));
}

#[test]
fn present_preview() {
    let mut s = unlocked(Screen::Present);
    let request = PresentationRequest::kyc(
        ClientId::parse("loans.lender.example").unwrap(),
        &["ageOver18"],
        &["incomeBand", "nationality"],
        DateTime::from_unix_seconds(1_796_376_600),
    )
    .unwrap()
    .with_purpose("Loan application: proof of age and income band")
    .unwrap();
    s.presenting.selection = Some(request.selection().unwrap());
    s.presenting.request = Some(request);
    s.presenting.credential = Some(s.wallet.credentials[0].id.clone());
    s.presenting.chosen.insert("incomeBand".into());
    s.presenting.preview = Some(Preview {
        verifier: "loans.lender.example".into(),
        purpose: Some("Loan application: proof of age and income band".into()),
        expires_at: "2026-12-04T10:10:00Z".into(),
        disclosed: vec![
            ("ageOver18".into(), json!(true)),
            ("incomeBand".into(), json!("40k-60k")),
        ],
        withheld: vec![
            ("givenName".into(), json!("Ada")),
            ("familyName".into(), json!("Lovelace")),
            ("birthDate".into(), json!("1990-12-10")),
            ("nationality".into(), json!("GB")),
        ],
        always: [
            ("issuer.name", "Example Bank KYC desk"),
            ("issuer", ISSUER),
            ("type", "VerifiableCredential, KycAttestation"),
            ("validUntil", "2027-12-04T10:00:00Z"),
        ]
        .map(|(path, value)| Shown {
            path: path.into(),
            value: value.into(),
        })
        .to_vec(),
        revealed: Vec::new(),
    });
    snapshot("present", s);
}

#[test]
fn history() {
    snapshot("history", unlocked(Screen::History));
}

#[test]
fn verify_form() {
    snapshot("verify", unlocked(Screen::Verify));
}

#[test]
fn settings_screen() {
    snapshot("settings", unlocked(Screen::Settings));
}
