//! Attacks on the `siegel` binary's own surface, each reproduced through the real binary and seen
//! refused: concurrent trust-list changes that undid each other, terminal escapes in an issuer's
//! name, outputs that replaced the wallet's own files, an empty id prefix, endless input files and
//! a request lifetime no holder accepts (issue 17).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::process::Output;

use assert_cmd::prelude::*;
use predicates::prelude::*;
use serde_json::{Value, json};
use siegel_tests::cli::{PASSPHRASE, Scene, siegel_bin};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `siegel` for `party` and returns its output (no assertion).
fn run(scene: &Scene, party: &str, args: &[&str]) -> Output {
    scene.siegel(party, args).output().unwrap()
}

/// Runs `siegel` for `party`, asserts exit 0, and returns its JSON result.
fn ok(scene: &Scene, party: &str, args: &[&str]) -> Value {
    let out = run(scene, party, args);
    out.clone().assert().success();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `siegel` for `party`, asserts exit 2 with a JSON input error on stderr whose message
/// contains `reason`, and nothing on stdout. Returns the message.
fn refused(scene: &Scene, party: &str, args: &[&str], reason: &str) -> String {
    let out = run(scene, party, args);
    out.clone()
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(reason));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["category"], "input", "{err}");
    err["error"].as_str().unwrap().to_owned()
}

fn issuer_did(i: usize) -> String {
    format!("did:ethr:0x539:0x{i:040x}")
}

/// Item 6: `trust add B` beside `trust remove A` used to leave A trusted (each process wrote back
/// the list it had read before the other's change).
#[test]
fn concurrent_trust_changes_all_take_effect() {
    let scene = Scene::dev();
    const N: usize = 12;
    for i in 0..N {
        ok(
            &scene,
            "lender",
            &["verifier", "trust", "add", &issuer_did(i)],
        );
    }
    // N processes remove the first N issuers while N others add N new ones, all at once.
    let children: Vec<_> = (0..2 * N)
        .map(|i| {
            let op = if i < N { "remove" } else { "add" };
            scene
                .siegel("lender", &["verifier", "trust", op, &issuer_did(i)])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = ok(&scene, "lender", &["verifier", "trust", "list"]);
    let expected: Vec<String> = (N..2 * N).map(issuer_did).collect();
    assert_eq!(list["trusted"], json!(expected));
}

/// Item 12: `--expires-in 100000000000000d` wrote an `exp` above 2^53 that Siegel's own holder
/// then refused; a lifetime past the maximum, or one that overflows, is refused where the
/// request is made, and nothing is written.
#[test]
fn a_request_lifetime_beyond_the_maximum_is_refused() {
    let scene = Scene::dev();
    let out = scene.path("request.json");
    let request = |expires: &str| {
        vec![
            "verifier".to_owned(),
            "request".into(),
            "--claims".into(),
            "ageOver18".into(),
            "--domain".into(),
            "loans.lender.example".into(),
            "--expires-in".into(),
            expires.into(),
            "--out".into(),
            s(&out).into(),
        ]
    };
    for expires in ["100000000000000d", "31d", "2592001s"] {
        let args = request(expires);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&scene, "lender", &args, "at most 30 days");
        assert!(!out.exists(), "{expires}: a request was written");
    }
    // Overflowing the duration itself is a usage error (clap) naming the value.
    let args = request("213503982334602d");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&scene, "lender", &args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("too long"));
    assert!(!out.exists());
    // The maximum itself is accepted, and the holder's parser reads what was written.
    let args = request("30d");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&scene, "lender", &args);
    let bytes = std::fs::read(&out).unwrap();
    wallet_core::request::PresentationRequest::parse(&bytes).unwrap();
}

/// `siegel ARGS` for `party` in plain text (no `--json`): what a person at a terminal sees.
fn run_text(scene: &Scene, party: &str, args: &[&str]) -> Output {
    std::process::Command::new(siegel_bin())
        .arg("--data-dir")
        .arg(scene.data_dir(party))
        .args(["--chain", &scene.chain])
        .args(args)
        .env_remove("SIEGEL_HOME")
        .env_remove("SIEGEL_BACKUP_PASSPHRASE")
        .env("SIEGEL_KDF", "minimum")
        .env("SIEGEL_PASSPHRASE", PASSPHRASE)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Whether `text` holds a character that steers a terminal: C0/C1 controls but the line feed,
/// DEL, line separators, text-direction marks.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| *c != '\n' && wallet_core::text::is_deceptive(*c))
        .collect()
}

/// The bank (issuer "Example Bank"), the holder and one credential issued to the holder, in
/// `credential.json`. Returns the holder's DID.
fn bank_and_holder(scene: &Scene) -> String {
    ok(scene, "bank", &["issuer", "init", "--name", "Example Bank"]);
    let holder = ok(scene, "holder", &["init"])["did"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = scene.path("claims.json");
    std::fs::write(&claims, siegel_tests::sample_claims().to_string()).unwrap();
    ok(
        scene,
        "bank",
        &[
            "issuer",
            "issue",
            "--claims",
            s(&claims),
            "--subject",
            &holder,
            "--out",
            s(&scene.path("credential.json")),
        ],
    );
    holder
}

/// Item 8: an issuer name with `ESC[2K\r` erased "Example Bank" on `holder list` and printed a
/// fake green "Trusted Government Registry". Such a name is refused where it is made, and one
/// signed by another issuer (made here without Siegel's check) is shown escaped.
#[test]
fn issuer_names_cannot_steer_the_terminal() {
    let scene = Scene::dev();
    let evil =
        "Example Bank\u{1b}[2K\r\u{1b}[32mTrusted Government Registry\u{1b}[0m\u{202e}\u{9b}\n";
    let msg = refused(
        &scene,
        "mallory",
        &["issuer", "init", "--name", evil],
        "--name",
    );
    assert!(msg.contains("U+001B"), "{msg}");
    assert!(!scene.data_dir("mallory").join("vault.siegel").exists());

    bank_and_holder(&scene);
    // The bank's own key signs a credential whose issuer name no Siegel issuer could choose.
    let credential: Value =
        serde_json::from_slice(&std::fs::read(scene.path("credential.json")).unwrap()).unwrap();
    let signed = {
        let (_ledger, vault) = scene.library("bank");
        let profile = wallet_core::issuer::profile(&vault).unwrap().unwrap();
        let bbs = vault
            .keys()
            .into_iter()
            .find(|k| k.kind == wallet_core::keys::KeyKind::BbsBls12381Sha256)
            .unwrap();
        let key = vault.key_secret(&bbs.id).unwrap().bbs().unwrap();
        let mut document = credential.clone();
        document.as_object_mut().unwrap().remove("proof");
        document["issuer"]["name"] = json!(evil);
        let pointers: Vec<String> = wallet_core::issuer::MANDATORY_POINTERS
            .iter()
            .map(|p| (*p).to_owned())
            .collect();
        let options = wallet_core::di::eddsa_rdfc_2022::ProofOptions {
            verification_method: profile.method.to_string(),
            proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
            created: None,
            challenge: None,
            domain: None,
        };
        wallet_core::di::bbs_2023::issue(&document, &key, &pointers, &options).unwrap()
    };
    let file = scene.path("evil-credential.json");
    std::fs::write(&file, signed.to_string()).unwrap();

    // Imported: the signature is the bank's. Every output shows the name escaped.
    let imported = run_text(&scene, "holder", &["holder", "import", s(&file)]);
    imported.clone().assert().success();
    let text = String::from_utf8(imported.stdout).unwrap();
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
    let list = run_text(&scene, "holder", &["holder", "list"]);
    list.clone().assert().success();
    let text = String::from_utf8(list.stdout).unwrap();
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
    assert!(
        text.contains("Example Bank\\u{1b}[2K\\u{d}\\u{1b}[32mTrusted Government Registry"),
        "{text}"
    );
    // One line per credential plus its claims: the name's line feed made no line of its own.
    assert_eq!(text.lines().count(), 2, "{text}");

    let listed = ok(&scene, "holder", &["holder", "list"]);
    assert_eq!(listed[0]["issuer_name"], evil, "JSON keeps the value");
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let raw_json = run(&scene, "holder", &["holder", "list"]).stdout;
    let raw_json = String::from_utf8(raw_json).unwrap();
    assert_eq!(raw_controls(&raw_json), Vec::<char>::new(), "{raw_json}");
    // The label the wallet made from the name holds none of its controls either.
    let label = listed[0]["label"].as_str().unwrap();
    assert_eq!(raw_controls(label), Vec::<char>::new(), "{label}");

    let show = run_text(&scene, "holder", &["holder", "show", &id]);
    show.clone().assert().success();
    let text = String::from_utf8(show.stdout).unwrap();
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
    assert!(text.contains("\\u{202e}"), "{text}");
    let deleted = run_text(&scene, "holder", &["holder", "delete", &id]);
    deleted.clone().assert().success();
    let text = String::from_utf8(deleted.stdout).unwrap();
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
}

/// The holder holds the bank's credential and the lender's request for it, in `request.json`.
/// Returns the stored credential's id.
fn holder_with_request(scene: &Scene) -> String {
    bank_and_holder(scene);
    let stored = ok(
        scene,
        "holder",
        &["holder", "import", s(&scene.path("credential.json"))],
    );
    ok(
        scene,
        "lender",
        &[
            "verifier",
            "request",
            "--claims",
            "ageOver18",
            "--domain",
            "loans.lender.example",
            "--out",
            s(&scene.path("request.json")),
        ],
    );
    stored["id"].as_str().unwrap().to_owned()
}

/// Item 9: `holder present … --out DATA_DIR/vault.siegel` replaced the vault and `verifier
/// request --out DATA_DIR/verifier/nonces.json` broke the nonce store. No output goes inside the
/// data directory, however the path is spelled, nor over a file without `--force`; nothing is
/// disclosed, recorded or issued for a refused path.
#[test]
fn outputs_never_replace_the_wallets_own_files() {
    let scene = Scene::dev();
    let id = holder_with_request(&scene);
    let request = scene.path("request.json");
    let holder_dir = scene.data_dir("holder");
    let vault = holder_dir.join("vault.siegel");
    let vault_bytes = std::fs::read(&vault).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&holder_dir, scene.path("link")).unwrap();
    let mut inside = vec![
        vault.clone(),
        holder_dir.join("not-yet/../vault.siegel"),
        holder_dir.join("new-dir/presentation.json"),
    ];
    #[cfg(unix)]
    inside.push(scene.path("link/vault.siegel"));
    for out in &inside {
        for force in [&[][..], &["--force"][..]] {
            let mut args = vec!["holder", "present", &id, "--request", s(&request)];
            args.extend_from_slice(&["--out", s(out)]);
            args.extend_from_slice(force);
            refused(&scene, "holder", &args, "inside the data directory");
        }
    }
    assert_eq!(
        std::fs::read(&vault).unwrap(),
        vault_bytes,
        "the vault changed"
    );
    assert!(!holder_dir.join("new-dir").exists());
    // Nothing left the wallet, so nothing was recorded.
    assert_eq!(ok(&scene, "holder", &["history"]), json!([]));

    // The lender's nonce store and the bank's vault, the same way.
    let nonces = scene.data_dir("lender").join("verifier/nonces.json");
    let nonce_bytes = std::fs::read(&nonces).unwrap();
    for force in [&[][..], &["--force"][..]] {
        let mut args = vec![
            "verifier",
            "request",
            "--claims",
            "ageOver18",
            "--domain",
            "loans.lender.example",
            "--out",
            s(&nonces),
        ];
        args.extend_from_slice(force);
        refused(&scene, "lender", &args, "inside the data directory");
    }
    assert_eq!(std::fs::read(&nonces).unwrap(), nonce_bytes);
    let bank_vault = scene.data_dir("bank").join("vault.siegel");
    let claims = scene.path("claims.json");
    refused(
        &scene,
        "bank",
        &[
            "issuer",
            "issue",
            "--claims",
            s(&claims),
            "--subject",
            "did:ethr:0x539:0x0000000000000000000000000000000000000001",
            "--out",
            s(&bank_vault),
            "--force",
        ],
        "inside the data directory",
    );
    assert_eq!(
        ok(&scene, "bank", &["issuer", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    refused(
        &scene,
        "holder",
        &["backup", "export", s(&holder_dir.join("backup.siegel"))],
        "inside the data directory",
    );
    assert!(!holder_dir.join("backup.siegel").exists());

    // Outside the data directory: a new file, then the same file only with --force.
    let out = scene.path("presentation.json");
    let present = |extra: &[&str]| {
        let mut args = vec!["holder", "present", &id, "--request", s(&request)];
        args.extend_from_slice(&["--out", s(&out)]);
        args.extend_from_slice(extra);
        args.iter()
            .map(|a| (*a).to_owned())
            .collect::<Vec<String>>()
    };
    let args = present(&[]);
    ok(
        &scene,
        "holder",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let first = std::fs::read(&out).unwrap();
    let msg = refused(
        &scene,
        "holder",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        "already exists",
    );
    assert!(msg.contains("--force"), "{msg}");
    assert_eq!(std::fs::read(&out).unwrap(), first);
    let args = present(&["--force"]);
    ok(
        &scene,
        "holder",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_ne!(std::fs::read(&out).unwrap(), first);
    assert_eq!(
        ok(&scene, "holder", &["history"]).as_array().unwrap().len(),
        2
    );
}

/// Item 9: `holder delete ''` deleted the only credential (an empty string is a prefix of every
/// id). A prefix needs at least four characters.
#[test]
fn short_id_prefixes_name_nothing() {
    let scene = Scene::dev();
    bank_and_holder(&scene);
    let stored = ok(
        &scene,
        "holder",
        &["holder", "import", s(&scene.path("credential.json"))],
    );
    let id = stored["id"].as_str().unwrap();
    for prefix in ["", "   ", &id[..1], &id[..3]] {
        refused(
            &scene,
            "holder",
            &["holder", "delete", prefix],
            "at least 4 characters",
        );
        refused(
            &scene,
            "holder",
            &["holder", "show", prefix],
            "at least 4 characters",
        );
    }
    assert_eq!(
        ok(&scene, "holder", &["holder", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ok(&scene, "holder", &["holder", "show", &id[..4]])["summary"]["id"],
        id
    );
    ok(&scene, "holder", &["holder", "delete", &id[..4]]);
    assert_eq!(ok(&scene, "holder", &["holder", "list"]), json!([]));
}

/// Runs `siegel` with the backup passphrase set and returns how long it took and its output.
fn timed(scene: &Scene, party: &str, args: &[&str]) -> (std::time::Duration, Output) {
    let started = std::time::Instant::now();
    let out = scene
        .siegel(party, args)
        .env("SIEGEL_BACKUP_PASSPHRASE", "backup passphrase")
        .output()
        .unwrap();
    (started.elapsed(), out)
}

/// Asserts a prompt input error (exit 2, `reason`) within a few seconds: nothing was read whole.
fn fails_fast(scene: &Scene, party: &str, args: &[&str], reason: &str) {
    let (took, out) = timed(scene, party, args);
    out.clone()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(reason));
    assert!(took.as_secs() < 20, "{args:?} took {took:?}");
}

/// A sparse file of `len` bytes starting with `head`.
fn sparse(path: &Path, head: &[u8], len: u64) {
    std::fs::write(path, head).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Item 10: `backup import /dev/zero` ran out of memory, and a 300 MB file was read whole before
/// its 8-byte signature was checked. Every file read is bounded before it is read.
#[test]
fn endless_and_huge_files_are_refused_before_they_are_read() {
    let scene = Scene::dev();
    ok(&scene, "holder", &["init"]);
    const BIG: u64 = 300 * 1024 * 1024;
    let zeros = scene.path("zeros.siegel");
    sparse(&zeros, b"", BIG);

    for file in [Path::new("/dev/zero"), zeros.as_path()] {
        fails_fast(
            &scene,
            "restored",
            &["backup", "import", s(file)],
            "not a Siegel backup file",
        );
        for args in [
            vec!["holder", "import", s(file)],
            vec!["verifier", "verify", s(file), "--request", s(file)],
        ] {
            fails_fast(&scene, "holder", &args, "larger than the limit");
        }
    }
    assert!(!scene.data_dir("restored").join("vault.siegel").exists());

    // A genuine backup's header followed by 300 MB: only what the header announces is read.
    let backup = scene.path("backup.siegel");
    let (_, out) = timed(&scene, "holder", &["backup", "export", s(&backup)]);
    out.assert().success();
    let long = scene.path("long.siegel");
    sparse(&long, &std::fs::read(&backup).unwrap(), BIG);
    fails_fast(
        &scene,
        "restored",
        &["backup", "import", s(&long)],
        "damaged",
    );

    // The vault and the verifier's state files, replaced the same way.
    let vault = scene.data_dir("holder").join("vault.siegel");
    std::fs::rename(&zeros, &vault).unwrap();
    fails_fast(
        &scene,
        "holder",
        &["holder", "list"],
        "not a Siegel vault file",
    );
    #[cfg(unix)]
    {
        let verifier = scene.data_dir("lender").join("verifier");
        std::fs::create_dir_all(&verifier).unwrap();
        std::os::unix::fs::symlink("/dev/zero", verifier.join("trust.json")).unwrap();
        fails_fast(
            &scene,
            "lender",
            &["verifier", "trust", "list"],
            "more than any state file",
        );
    }
}
