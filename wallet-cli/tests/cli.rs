//! The `siegel` binary as a user runs it: exit codes, JSON errors, and the demo's story.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::process::{Command, Output};

fn siegel(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siegel"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("SIEGEL_HOME")
        .env("SIEGEL_KDF", "minimum")
        .env("SIEGEL_PASSPHRASE", "test passphrase")
        .env("SIEGEL_BACKUP_PASSPHRASE", "test backup passphrase")
        .output()
        .expect("run siegel")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_exits_0_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = siegel(dir.path(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("siegel demo"));
    let out = siegel(dir.path(), &["verifier", "request", "--domain", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = siegel(dir.path(), &["--chain", "ftp://x", "history"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn no_wallet_is_an_input_error_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = siegel(dir.path(), &["--json", "history"]);
    assert_eq!(out.status.code(), Some(2));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["category"], "input");
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("run `siegel init` first"),
        "{err}"
    );
}

#[test]
fn unreachable_node_says_retry() {
    let dir = tempfile::tempdir().unwrap();
    let out = siegel(
        dir.path(),
        &[
            "--chain",
            "http://127.0.0.1:9",
            "did",
            "resolve",
            "did:ethr:0x539:0x8ba1f109551bd432803012645ac136ddd64dba72",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("unreachable") && err.contains("retry"),
        "{err}"
    );
}

#[test]
fn wrong_passphrase_and_backup_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    let out = siegel(&wallet, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("did:ethr:0x539:0x"));

    let out = Command::new(env!("CARGO_BIN_EXE_siegel"))
        .arg("--data-dir")
        .arg(&wallet)
        .arg("history")
        .env("SIEGEL_PASSPHRASE", "not it")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("wrong passphrase"));

    let backup = dir.path().join("b.siegel");
    let out = siegel(&wallet, &["backup", "export", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let restored = dir.path().join("r");
    let out = siegel(&restored, &["backup", "import", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed = |d: &Path| text(&siegel(d, &["did", "list"]).stdout);
    assert_eq!(listed(&wallet), listed(&restored));
}

#[test]
fn oversize_presentation_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 1024 * 1024 + 1]).unwrap();
    let out = siegel(
        dir.path(),
        &[
            "verifier",
            "verify",
            big.to_str().unwrap(),
            "--request",
            big.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("big.json") && err.contains("1 MiB"), "{err}");
}

#[test]
fn demo_tells_the_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = siegel(dir.path(), &["--json", "demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    };
    assert_eq!(step("verified")["valid"], true);
    assert_eq!(
        step("presented")["disclosed"],
        serde_json::json!(["ageOver18", "incomeBand"])
    );
    assert_eq!(step("replayed")["valid"], false);
    let revoked = &step("verified after revocation")["report"]["checks"];
    let status = revoked
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap();
    assert_eq!(status["result"], "failed");
    assert!(
        status["detail"].as_str().unwrap().contains("revoked"),
        "{status}"
    );
}
