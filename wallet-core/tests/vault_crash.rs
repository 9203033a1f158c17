//! The vault's crash safety: a child process saves in a loop and is killed with SIGKILL at random
//! moments; the vault must always open with one whole generation of contents.
//!
//! In its own test binary on purpose: the children are forked from this process, and a fork
//! briefly duplicates every open file of the parent — including other tests' vault locks — until
//! the child execs, which would make unrelated tests see their own vault as "in use".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wallet_core::vault::{DisclosureRecord, KdfParams, Passphrase, Vault};

const FAST: KdfParams = KdfParams::MINIMUM;

fn pass(s: &str) -> Passphrase {
    Passphrase::try_from(s).unwrap()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

const CHILD_ENV: &str = "SIEGEL_VAULT_CRASH_CHILD";

/// The document a save of generation `n` writes: its size and content are functions of `n`, so
/// any mix of two generations is detectable.
fn generation_doc(n: u64) -> String {
    let pad = "x".repeat(((n * 7919) % 50_000) as usize);
    serde_json::json!({ "generation": n, "pad": pad, "check": n.wrapping_mul(0x9e37_79b9) })
        .to_string()
}

/// Checks a vault's contents are exactly some generation — one credential of that generation and
/// a history of one entry per generation so far — and returns it.
fn generation_of(v: &Vault) -> u64 {
    let creds = v.credentials();
    assert_eq!(creds.len(), 1, "exactly one credential");
    let doc: serde_json::Value = serde_json::from_str(&creds[0].document).unwrap();
    let n = doc["generation"].as_u64().unwrap();
    assert_eq!(
        creds[0].document,
        generation_doc(n),
        "document of generation {n} is intact"
    );
    assert_eq!(creds[0].label, format!("gen {n}"));
    assert_eq!(v.history().len() as u64, n, "history of generation {n}");
    for (i, h) in v.history().iter().enumerate() {
        assert_eq!(h.at, i as u64 + 1);
    }
    n
}

/// Moves a vault from generation `n - 1` to `n`.
fn advance_to(v: &mut Vault, n: u64) {
    let old = v.credentials()[0].id.clone();
    v.remove_credential(&old).unwrap();
    v.add_credential(&format!("gen {n}"), "test", &generation_doc(n))
        .unwrap();
    v.append_history(DisclosureRecord {
        at: n,
        verifier: format!("verifier {n}"),
        credential_id: "gen".into(),
        disclosed: vec![format!("claim {n}")],
        purpose: None,
    });
}

/// Helper process of `vault_survives_sigkill`: saves new generations in a loop until killed.
#[test]
#[ignore = "helper process for vault_survives_sigkill; does nothing unless spawned by it"]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut v = Vault::unlock(Path::new(&path), &pass("crash")).unwrap();
    let mut n = generation_of(&v);
    loop {
        n += 1;
        advance_to(&mut v, n);
        v.save().unwrap();
    }
}

/// Kills a saving process with SIGKILL at random moments, 200 times: after every kill the vault
/// opens and holds one whole generation, never a mix, and never an older one than before.
#[cfg(unix)]
#[test]
fn vault_survives_sigkill() {
    const TRIALS: usize = 200;
    let d = tmp();
    let path = d.path().join("crash.siegel");
    let mut v = Vault::create(&path, &pass("crash"), FAST).unwrap();
    v.add_credential("gen 0", "test", &generation_doc(0))
        .unwrap();
    v.save().unwrap();
    v.lock();

    let exe = std::env::current_exe().unwrap();
    let mut seed = u64::from_le_bytes(
        Sha256::digest(format!("{:?}", Instant::now()))[..8]
            .try_into()
            .unwrap(),
    );
    let mut last = 0u64;
    let mut advanced = 0usize;
    let started = Instant::now();
    for trial in 0..TRIALS {
        let mut child = std::process::Command::new(&exe)
            .args([
                "crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        std::thread::sleep(Duration::from_micros(15_000 + (seed >> 33) % 45_000));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "trial {trial}: the child ended by itself: {status:?}"
        );

        let v = Vault::unlock(&path, &pass("crash"))
            .unwrap_or_else(|e| panic!("trial {trial}: vault does not open after SIGKILL: {e}"));
        let n = generation_of(&v);
        assert!(
            n >= last,
            "trial {trial}: generation went back from {last} to {n}"
        );
        if n > last {
            advanced += 1;
        }
        last = n;
        drop(v);
    }
    eprintln!(
        "vault_survives_sigkill: {TRIALS} SIGKILLs, {advanced} landed after at least one save, \
         final generation {last}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        advanced > TRIALS / 4,
        "too few trials exercised saves: {advanced}"
    );
    // Stale temp files from killed saves are swept on unlock: at most the last kill's remains.
    let temps = std::fs::read_dir(d.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        })
        .count();
    assert!(temps <= 1, "{temps} temp files left");
}
