//! The desktop wallet driven the way a person (or a screen reader) would, through egui_kittest:
//! widgets are found by their accessible labels, typed into and clicked. The app runs on a real
//! embedded chain shared with a bank's issuer desk in the same process.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use registry::chain::Chain;
use registry::connect::Connection;
use siegel_tests::{World, sample_claims};
use wallet_core::ledger::StatusChange;
use wallet_core::vault::KdfParams;
use wallet_core::verify::HolderBinding;
use wallet_gui::settings::Settings;
use wallet_gui::state::Phase;
use wallet_gui::{Config, SiegelApp};

const PASSPHRASE: &str = "violet tundra ladle quorum";

struct Desk {
    world: World,
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Self {
        Self {
            world: World::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn app(&self, auto_lock_seconds: u64) -> Harness<'static, SiegelApp> {
        let settings = Settings {
            data_dir: Some(self.path("wallet")),
            auto_lock_seconds,
            ..Settings::default()
        };
        let connection = Connection::with_chain(
            self.world.chain.clone() as Arc<dyn Chain>,
            "the tests' embedded chain".into(),
        )
        .unwrap();
        harness(settings, Some(connection))
    }
}

/// The app in a test window, with the smallest KDF and no desktop services.
fn harness(settings: Settings, connection: Option<Connection>) -> Harness<'static, SiegelApp> {
    Harness::builder()
        // Tall enough that the Present screen's controls sit below the full preview (which now
        // lists everything a verifier sees) without scrolling: kittest clicks what is on screen.
        .with_size(egui::vec2(1000.0, 1800.0))
        .build_eframe(move |cc| {
            SiegelApp::new(
                &cc.egui_ctx,
                Config {
                    settings,
                    settings_path: None,
                    kdf: KdfParams::MINIMUM,
                    started: Instant::now(),
                    desktop: false,
                    connection,
                },
            )
            .unwrap()
        })
}

/// Steps the app (the worker runs in real time) until `done` holds.
fn wait(
    h: &mut Harness<'_, SiegelApp>,
    what: &str,
    done: impl Fn(&Harness<'_, SiegelApp>) -> bool,
) {
    let start = Instant::now();
    // At least one frame first: a click or key press queued before is applied in it.
    h.step();
    while !done(h) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}; notice: {:?}; unlock error: {:?}",
            h.state().state().notice,
            h.state().state().unlock_error
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
    h.step();
}

fn idle(h: &Harness<'_, SiegelApp>) -> bool {
    h.state().state().busy.is_empty()
}

/// Clicks and renders twice: the command is applied after the first frame, the second shows it.
fn click(h: &mut Harness<'_, SiegelApp>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

fn type_into(h: &mut Harness<'_, SiegelApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn create_wallet(h: &mut Harness<'_, SiegelApp>) {
    h.step();
    assert!(
        h.query_by_label("Create wallet").is_some(),
        "the first run offers to create a wallet"
    );
    type_into(h, "New passphrase", PASSPHRASE);
    type_into(h, "Repeat passphrase", PASSPHRASE);
    assert!(
        h.query_by_label("Strength:").is_some(),
        "a strength hint is shown"
    );
    h.get_by_label("Create wallet").click();
    wait(h, "the wallet", |h| {
        h.state().state().phase == Phase::Unlocked && idle(h)
    });
}

/// Issues a KYC attestation to the app's holder DID and writes it to a file.
fn issue_to_app(desk: &mut Desk, h: &Harness<'_, SiegelApp>) -> (std::path::PathBuf, u64) {
    let did = h
        .state()
        .state()
        .wallet
        .holder
        .as_ref()
        .expect("a holder DID")
        .did
        .clone();
    let issued = desk.world.issue_to(sample_claims(), Some(did), 365);
    let file = desk.path("kyc.json");
    std::fs::write(&file, issued.document.to_string()).unwrap();
    (file, issued.index)
}

fn import(h: &mut Harness<'_, SiegelApp>, file: &Path) {
    type_into(h, "Credential file", file.to_str().unwrap());
    h.get_by_label("Import from path").click();
    wait(h, "the imported credential", |h| {
        h.state().state().wallet.credentials.len() == 1 && idle(h)
    });
}

fn unlock(h: &mut Harness<'_, SiegelApp>, passphrase: &str) {
    type_into(h, "Passphrase", passphrase);
    h.get_by_label("Unlock").click();
    wait(h, "the unlock", idle);
}

#[test]
fn create_import_present_two_claims_and_the_lender_verifies_exactly_those() {
    let mut desk = Desk::new();
    let mut h = desk.app(0);
    create_wallet(&mut h);
    let (file, _) = issue_to_app(&mut desk, &h);
    import(&mut h, &file);
    assert!(
        h.query_by_label("Status: valid").is_some(),
        "the card shows its badge: {:?}",
        h.state().state().standings
    );

    // Lock, a wrong passphrase, then the right one.
    h.get_by_label("Lock").click();
    wait(&mut h, "the lock", |h| {
        h.state().state().phase == Phase::Locked
    });
    assert!(
        h.state().state().wallet.credentials.is_empty(),
        "nothing of the vault stays on screen"
    );
    unlock(&mut h, "not the passphrase");
    assert_eq!(h.state().state().phase, Phase::Locked);
    assert!(h.query_by_label("Wrong passphrase.").is_some());
    unlock(&mut h, PASSPHRASE);
    assert_eq!(h.state().state().phase, Phase::Unlocked);

    // The lender asks for ageOver18, and optionally incomeBand and nationality.
    let request = desk
        .world
        .request(&["ageOver18"], &["incomeBand", "nationality"]);
    let request = request.with_purpose("Loan application").unwrap();
    // The lender records the request it sends, purpose included (the nonce is bound to it).
    wallet_core::verify::NonceStore::issue(&mut desk.world.nonces, &request).unwrap();
    let request_file = desk.path("request.json");
    std::fs::write(&request_file, request.to_json_pretty()).unwrap();
    click(&mut h, "Present");
    type_into(&mut h, "Request file", request_file.to_str().unwrap());
    h.get_by_label("Open from path").click();
    wait(&mut h, "the preview", |h| {
        h.state().state().presenting.preview.is_some() && idle(h)
    });
    assert!(
        h.query_by_label("loans.lender.example").is_some(),
        "who asks is shown"
    );
    assert!(
        h.query_by_label("Loan application").is_some(),
        "why is shown"
    );
    // Required claims are on and cannot be switched off; optional ones start off.
    let required = h.get_by_label("ageOver18 (required)");
    assert!(required.accesskit_node().is_disabled());
    let preview = h.state().state().presenting.preview.clone().unwrap();
    assert_eq!(
        preview
            .disclosed
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>(),
        ["ageOver18"]
    );

    h.get_by_label("incomeBand (optional)").click();
    wait(&mut h, "the new preview", |h| {
        h.state()
            .state()
            .presenting
            .preview
            .as_ref()
            .is_some_and(|p| p.disclosed.len() == 2)
            && idle(h)
    });
    let preview = h.state().state().presenting.preview.clone().unwrap();
    let hidden: Vec<&str> = preview.withheld.iter().map(|(c, _)| c.as_str()).collect();
    assert!(
        hidden.contains(&"nationality") && hidden.contains(&"birthDate"),
        "{hidden:?}"
    );

    h.get_by_label("Confirm and sign for loans.lender.example")
        .click();
    wait(&mut h, "the presentation", |h| {
        h.state().state().presenting.done.is_some() && idle(h)
    });
    let out = desk.path("presentation.json");
    type_into(&mut h, "Save presentation to path", out.to_str().unwrap());
    h.get_by_label("Save presentation to this path").click();
    wait(&mut h, "the saved file", |_| out.exists());

    let report = desk.world.verify(
        &std::fs::read(&out).unwrap(),
        &request,
        HolderBinding::Required,
    );
    assert!(report.is_valid(), "{report:#?}");
    let mut disclosed: Vec<&str> = report.disclosed.iter().map(|d| d.claim.as_str()).collect();
    disclosed.sort_unstable();
    assert_eq!(disclosed, ["ageOver18", "incomeBand"]);

    // The history lists it, and the search finds it by claim and not by a claim never sent.
    click(&mut h, "History");
    assert!(h.query_by_label("loans.lender.example").is_some());
    type_into(&mut h, "Search history", "incomeBand");
    assert!(h.query_by_label("1 of 1 presentations").is_some());
    h.get_by_label("Search history").type_text(" birthDate");
    h.step();
    h.step();
    assert!(h.query_by_label("0 of 1 presentations").is_some());
}

#[test]
fn a_revoked_credential_shows_its_badge() {
    let mut desk = Desk::new();
    let mut h = desk.app(0);
    create_wallet(&mut h);
    let (file, index) = issue_to_app(&mut desk, &h);
    import(&mut h, &file);
    assert!(h.query_by_label("Status: valid").is_some());
    wallet_core::issuer::change_status(
        &desk.world.bank.vault,
        &desk.world.ledger,
        &wallet_core::issuer::StatusTarget::Index(index),
        StatusChange::Revoke,
    )
    .unwrap();
    h.get_by_label("Refresh status").click();
    wait(&mut h, "the new status", |h| {
        h.query_by_label("Status: revoked").is_some() && idle(h)
    });
    assert!(h.query_by_label("Status: valid").is_none());
}

#[test]
fn the_wallet_locks_itself_when_idle_and_forgets_what_it_showed() {
    let mut desk = Desk::new();
    let mut h = desk.app(1);
    create_wallet(&mut h);
    let (file, _) = issue_to_app(&mut desk, &h);
    import(&mut h, &file);
    h.get_by_label_contains("Details of KycAttestation").click();
    wait(&mut h, "the details", |h| {
        h.state().state().detail.is_some()
    });
    assert!(h.query_by_label("Lovelace").is_some());
    // No input from here on: within a few seconds the worker drops the vault.
    let start = Instant::now();
    while h.state().state().phase != Phase::Locked {
        assert!(start.elapsed() < Duration::from_secs(20), "never locked");
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    h.step();
    assert!(h.state().state().detail.is_none());
    assert!(h.query_by_label("Lovelace").is_none());
    assert!(h.query_by_label("Unlock").is_some());
    unlock(&mut h, PASSPHRASE);
    assert_eq!(h.state().state().wallet.credentials.len(), 1);
}

#[test]
fn the_main_screens_work_by_keyboard() {
    let mut desk = Desk::new();
    let mut h = desk.app(0);
    create_wallet(&mut h);
    for (digit, heading) in [
        (egui::Key::Num2, "Answer a presentation request"),
        (egui::Key::Num3, "Search history"),
        (egui::Key::Num5, "Verify a presentation"),
        (egui::Key::Num6, "Save settings"),
        (egui::Key::Num1, "Import file…"),
    ] {
        h.key_press_modifiers(egui::Modifiers::COMMAND, digit);
        h.step();
        h.step();
        assert!(
            h.query_by_label(heading).is_some(),
            "Ctrl+{digit:?} shows {heading}"
        );
    }
    // Ctrl+L locks; the passphrase field has the focus, Enter unlocks.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
    wait(&mut h, "the lock", |h| {
        h.state().state().phase == Phase::Locked
    });
    h.step();
    assert!(h.get_by_label("Passphrase").is_focused());
    h.get_by_label("Passphrase").type_text(PASSPHRASE);
    h.step();
    h.key_press(egui::Key::Enter);
    wait(&mut h, "the unlock", |h| {
        h.state().state().phase == Phase::Unlocked && idle(h)
    });
    let _ = &mut desk;
}

#[test]
fn a_wallet_is_restored_from_its_encrypted_backup() {
    let desk = Desk::new();
    // The backup of the library-made holder in the fixture (its DID is on the shared chain).
    let backup = desk.path("holder.backup");
    desk.world
        .holder
        .vault
        .export_backup(
            &backup,
            &wallet_core::vault::Passphrase::new("backup words here".into()).unwrap(),
            Some(KdfParams::MINIMUM),
            wallet_core::vault::Overwrite::Refuse,
        )
        .unwrap();
    let mut h = desk.app(0);
    h.step();
    click(&mut h, "Restore from a backup");
    type_into(&mut h, "Backup file", backup.to_str().unwrap());
    type_into(&mut h, "Backup passphrase", "not the backup words");
    type_into(&mut h, "New passphrase", PASSPHRASE);
    type_into(&mut h, "Repeat passphrase", PASSPHRASE);
    h.get_by_label("Restore wallet").click();
    wait(&mut h, "the refusal", idle);
    assert_eq!(
        h.state().state().unlock_error.as_deref(),
        Some("Wrong backup passphrase.")
    );
    assert!(
        !desk.path("wallet").join("vault.siegel").exists(),
        "nothing written"
    );

    type_into(&mut h, "Backup passphrase", "backup words here");
    type_into(&mut h, "New passphrase", PASSPHRASE);
    type_into(&mut h, "Repeat passphrase", PASSPHRASE);
    h.get_by_label("Restore wallet").click();
    wait(&mut h, "the restored wallet", |h| {
        h.state().state().phase == Phase::Unlocked && idle(h)
    });
    assert_eq!(
        h.state()
            .state()
            .wallet
            .holder
            .as_ref()
            .map(|id| id.did.clone()),
        Some(desk.world.holder_did())
    );
}

#[test]
fn the_identity_screen_resolves_the_did_and_rotates_the_presentation_key() {
    let desk = Desk::new();
    let mut h = desk.app(0);
    create_wallet(&mut h);
    h.get_by_label("Identity").click();
    wait(&mut h, "the resolved DID", |h| {
        h.state().state().identity.is_some() && idle(h)
    });
    let before = h.state().state().identity.clone().unwrap();
    assert_eq!(before.document["id"], before.holder.did.as_str());
    assert!(before.head > 0);
    assert!(
        h.query_by_label(&before.head.to_string()).is_some(),
        "the head block is shown"
    );
    let listed = |doc: &serde_json::Value, method: &str| {
        doc["authentication"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str() == Some(method) || m["id"].as_str() == Some(method))
    };
    assert!(listed(&before.document, before.holder.method.as_str()));

    click(&mut h, "Rotate presentation key");
    assert!(
        h.state()
            .state()
            .identity
            .as_ref()
            .map(|i| &i.holder.method)
            == Some(&before.holder.method),
        "nothing happens before the confirmation"
    );
    h.get_by_label("Rotate now").click();
    wait(&mut h, "the rotation", |h| {
        h.state()
            .state()
            .identity
            .as_ref()
            .is_some_and(|i| i.holder.method != before.holder.method)
            && idle(h)
    });
    let after = h.state().state().identity.clone().unwrap();
    assert_eq!(after.holder.did, before.holder.did);
    assert!(listed(&after.document, after.holder.method.as_str()));
    assert!(
        !listed(&after.document, before.holder.method.as_str()),
        "the old key is withdrawn"
    );
    assert!(after.head > before.head);
}

#[test]
fn the_verify_tab_trusts_an_issuer_makes_a_request_and_reports_an_answer() {
    let mut desk = Desk::new();
    let mut h = desk.app(0);
    create_wallet(&mut h);
    click(&mut h, "Verify");
    wait(&mut h, "the trust list", |h| {
        h.state().state().verifying.trusted.is_some() && idle(h)
    });
    let bank = wallet_core::issuer::profile(&desk.world.bank.vault)
        .unwrap()
        .unwrap()
        .did;
    type_into(&mut h, "Issuer DID to trust", bank.as_str());
    h.get_by_label("Trust").click();
    wait(&mut h, "the new trust list", |h| {
        h.state()
            .state()
            .verifying
            .trusted
            .as_ref()
            .is_some_and(|t| t.len() == 1)
            && idle(h)
    });
    h.get_by_label("Make request").click();
    wait(&mut h, "the request", |h| {
        h.state().state().verifying.request.is_some() && idle(h)
    });
    let request = h.state().state().verifying.request.clone().unwrap();
    assert_eq!(request.client_id.as_str(), "loans.lender.example");

    // The fixture's library holder answers with ageOver18 only (incomeBand is optional). The
    // app's desk checks validity against the system clock; the fixture's clock is the chain's,
    // which runs a few seconds ahead: issue as of a minute ago.
    desk.world.clock = siegel_tests::FixedClock(wallet_core::di::DateTime::from_unix_seconds(
        wallet_core::di::Clock::now(&wallet_core::di::SystemClock).unix_seconds() - 60,
    ));
    let issued = desk.world.issue(sample_claims(), 30).document;
    let s = wallet_core::holder::receive(
        &mut desk.world.holder.vault,
        &desk.world.ledger,
        issued.to_string().as_bytes(),
        &desk.world.clock,
    )
    .unwrap();
    let answer = wallet_core::holder::answer(
        &mut desk.world.holder.vault,
        &s.id,
        &request,
        &wallet_core::holder::OptionalClaims::None,
        &wallet_core::di::SystemClock,
    )
    .unwrap();
    let text = answer.presentation.to_string();
    h.event(egui::Event::Paste(text.clone()));
    wait(&mut h, "the report", |h| {
        h.state().state().verifying.report.is_some() && idle(h)
    });
    let report = h.state().state().verifying.report.clone().unwrap();
    assert!(report.is_valid(), "{report:#?}");
    assert!(h.query_by_label("Presentation VALID").is_some());
    assert!(
        h.query_by_label("ageOver18").is_some(),
        "the disclosed claim is shown"
    );

    // The same answer again is a replay: invalid, and no claim is shown.
    h.event(egui::Event::Paste(text));
    wait(&mut h, "the second report", |h| {
        h.state()
            .state()
            .verifying
            .report
            .as_ref()
            .is_some_and(|r| !r.is_valid())
            && idle(h)
    });
    assert!(h.query_by_label("Presentation INVALID").is_some());
    assert!(
        h.query_by_label("ageOver18").is_none(),
        "no claim of an invalid answer is shown"
    );
}

/// On its own embedded chain the app holds the chain only while a job runs: between jobs another
/// program (the `siegel` CLI, here a second connection) can open it.
#[test]
fn the_embedded_chain_is_free_between_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        data_dir: Some(dir.path().join("wallet")),
        ..Settings::default()
    };
    let home = settings.home().unwrap();
    let mut h = harness(settings, None);
    create_wallet(&mut h);
    let did = h.state().state().wallet.holder.clone().unwrap().did;
    let other = Connection::open(&registry::connect::ChainSpec::Dev, &home)
        .expect("the app let go of the chain between jobs");
    let document =
        wallet_core::ledger::Ledger::resolve_document(&other.ledger().unwrap(), &did, None)
            .unwrap();
    assert_eq!(document["id"], did.as_str());
    drop(other);
    click(&mut h, "Identity");
    wait(&mut h, "the resolved DID", |h| {
        h.state().state().identity.is_some() && idle(h)
    });
}
