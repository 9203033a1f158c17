//! The vault, end to end through the public API: round trips, every error a damaged, foreign or
//! hostile file can cause (and that none of them changes the file), locking, permissions,
//! passphrase change, backup/restore, and a SIGKILL crash test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use wallet_core::keys::{KeyKind, KeySecret};
use wallet_core::vault::{DisclosureRecord, Error, KdfParams, Overwrite, Passphrase, Vault};

const FAST: KdfParams = KdfParams::MINIMUM;
const HEADER_LEN: usize = 76;

fn pass(s: &str) -> Passphrase {
    Passphrase::try_from(s).unwrap()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A vault with one key of every kind, two credentials and a history entry.
fn populated(path: &Path) -> Vault {
    let mut v = Vault::create(path, &pass("pw"), FAST).unwrap();
    for kind in [
        KeyKind::Ed25519,
        KeyKind::BbsBls12381Sha256,
        KeyKind::BbsBls12381Shake256,
        KeyKind::Secp256k1,
    ] {
        v.generate_key(kind, &format!("{kind}")).unwrap();
    }
    v.add_credential(
        "KYC",
        "vc+bbs-2023",
        r#"{"credentialSubject":{"ageOver18":true}}"#,
    )
    .unwrap();
    v.add_credential("Diploma", "vc+bbs-2023", r#"{"degree":"MSc"}"#)
        .unwrap();
    v.append_history(DisclosureRecord {
        at: 1_764_000_000,
        verifier: "did:web:lender.example".into(),
        credential_id: v.credentials()[0].id.clone(),
        disclosed: vec!["/credentialSubject/ageOver18".into()],
        purpose: Some("loan application".into()),
    });
    v.save().unwrap();
    v
}

/// Recomputes the trailing SHA-256 after a deliberate edit (what an attacker would do).
fn fix_checksum(bytes: &mut [u8]) {
    let n = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&sum);
}

/// Writes `bytes` as a vault file and returns its unlock result; asserts the file is unchanged.
fn unlock_bytes(dir: &Path, bytes: &[u8], pw: &str) -> Result<Vault, Error> {
    let path = dir.join("probe.siegel");
    std::fs::write(&path, bytes).unwrap();
    let r = Vault::unlock(&path, &pass(pw));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "a failed unlock changed the file"
    );
    r
}

#[test]
fn round_trip_keeps_everything() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let v = populated(&path);
    let keys = v.keys();
    let secrets: Vec<KeySecret> = keys
        .iter()
        .map(|k| v.key_secret(&k.id).unwrap().clone())
        .collect();
    let creds = v.credentials().to_vec();
    let history = v.history().to_vec();
    v.lock();

    let v = Vault::unlock(&path, &pass("pw")).unwrap();
    assert_eq!(v.keys(), keys);
    for (k, s) in keys.iter().zip(&secrets) {
        assert_eq!(v.key_secret(&k.id).unwrap(), s, "{}", k.label);
    }
    assert_eq!(v.credentials(), &creds[..]);
    assert_eq!(v.history(), &history[..]);
    // BBS and Ed25519 keys come back usable.
    let bbs_id = &keys
        .iter()
        .find(|k| k.kind == KeyKind::BbsBls12381Sha256)
        .unwrap()
        .id;
    let bbs = v.key_secret(bbs_id).unwrap().bbs().unwrap();
    assert_eq!(
        bbs.public_key().to_bytes().to_vec(),
        keys.iter()
            .find(|k| &k.id == bbs_id)
            .unwrap()
            .public_key
            .clone()
            .unwrap()
    );
}

#[test]
fn add_remove_and_unknown_ids() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let mut v = populated(&path);
    let key = v.keys()[0].id.clone();
    v.remove_key(&key).unwrap();
    assert!(matches!(
        v.remove_key(&key),
        Err(Error::UnknownId { what: "key", .. })
    ));
    assert!(matches!(v.key_secret(&key), Err(Error::UnknownId { .. })));
    let cred = v.credentials()[1].id.clone();
    v.remove_credential(&cred).unwrap();
    assert!(matches!(
        v.remove_credential(&cred),
        Err(Error::UnknownId {
            what: "credential",
            ..
        })
    ));
    assert!(matches!(
        v.add_credential("x", "vc", "{not json"),
        Err(Error::InvalidDocument(_))
    ));
    v.save().unwrap();
    v.lock();
    let v = Vault::unlock(&path, &pass("pw")).unwrap();
    assert_eq!(v.keys().len(), 3);
    assert_eq!(v.credentials().len(), 1);
}

#[test]
fn wrong_passphrase() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    populated(&path).lock();
    let bytes = std::fs::read(&path).unwrap();
    assert!(matches!(
        unlock_bytes(d.path(), &bytes, "PW"),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        Passphrase::try_from(""),
        Err(Error::EmptyPassphrase)
    ));
}

#[test]
fn every_single_flipped_byte_is_detected_and_named() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    Vault::create(&path, &pass("pw"), FAST).unwrap().lock();
    let good = std::fs::read(&path).unwrap();
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        let r = unlock_bytes(d.path(), &bad, "pw");
        match i {
            0..=7 => assert!(
                matches!(r, Err(Error::UnknownMagic { .. })),
                "byte {i}: {r:?}"
            ),
            8 => assert!(
                matches!(r, Err(Error::FutureVersion { found: 257, .. })),
                "byte {i}: {r:?}"
            ),
            9 => assert!(
                matches!(r, Err(Error::UnsupportedVersion(0))),
                "byte {i}: {r:?}"
            ),
            // The ciphertext length: the file no longer matches the length its header announces.
            68..=75 => assert!(
                matches!(r, Err(Error::Truncated { .. } | Error::Corrupted)),
                "byte {i}: {r:?}"
            ),
            _ => assert!(matches!(r, Err(Error::Corrupted)), "byte {i}: {r:?}"),
        }
    }
}

#[test]
fn deliberate_tampering_with_a_fixed_checksum() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    populated(&path).lock();
    let good = std::fs::read(&path).unwrap();
    // Ciphertext, tag or nonce changed: the key is right, authentication fails.
    for at in [HEADER_LEN, good.len() - 40, 60] {
        let mut bad = good.clone();
        bad[at] ^= 0x80;
        fix_checksum(&mut bad);
        assert!(
            matches!(unlock_bytes(d.path(), &bad, "pw"), Err(Error::Tampered)),
            "byte {at}"
        );
    }
    // Salt changed: a different key, reported as a wrong passphrase.
    let mut bad = good.clone();
    bad[30] ^= 1;
    fix_checksum(&mut bad);
    assert!(matches!(
        unlock_bytes(d.path(), &bad, "pw"),
        Err(Error::WrongPassphrase)
    ));
    // Unknown algorithm ids.
    let mut bad = good.clone();
    bad[10] = 9;
    fix_checksum(&mut bad);
    assert!(matches!(
        unlock_bytes(d.path(), &bad, "pw"),
        Err(Error::UnsupportedKdf(9))
    ));
    let mut bad = good.clone();
    bad[55] = 2;
    fix_checksum(&mut bad);
    assert!(matches!(
        unlock_bytes(d.path(), &bad, "pw"),
        Err(Error::UnsupportedCipher(2))
    ));
}

#[test]
fn truncated_empty_trailing_and_foreign_files() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    populated(&path).lock();
    let good = std::fs::read(&path).unwrap();
    assert!(matches!(
        unlock_bytes(d.path(), &[], "pw"),
        Err(Error::Empty)
    ));
    for len in [
        1,
        7,
        8,
        9,
        10,
        50,
        HEADER_LEN,
        HEADER_LEN + 1,
        good.len() / 2,
        good.len() - 1,
    ] {
        let r = unlock_bytes(d.path(), &good[..len], "pw");
        assert!(
            matches!(r, Err(Error::Truncated { .. })),
            "len {len}: {r:?}"
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(
        unlock_bytes(d.path(), &longer, "pw"),
        Err(Error::Corrupted)
    ));
    assert!(matches!(
        unlock_bytes(
            d.path(),
            b"PK\x03\x04 this is a zip file, not a vault at all ......",
            "pw"
        ),
        Err(Error::UnknownMagic { expected: "vault" })
    ));
    assert!(matches!(
        unlock_bytes(d.path(), b"{", "pw"),
        Err(Error::UnknownMagic { .. })
    ));
    assert!(matches!(
        Vault::unlock(&d.path().join("missing.siegel"), &pass("pw")),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn future_format_version() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    Vault::create(&path, &pass("pw"), FAST).unwrap().lock();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8..10].copy_from_slice(&2u16.to_be_bytes());
    fix_checksum(&mut bytes);
    assert!(matches!(
        unlock_bytes(d.path(), &bytes, "pw"),
        Err(Error::FutureVersion {
            found: 2,
            supported: 1
        })
    ));
}

#[test]
fn hostile_kdf_parameters_are_refused_without_work() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    Vault::create(&path, &pass("pw"), FAST).unwrap().lock();
    let good = std::fs::read(&path).unwrap();
    let cases: [(usize, u32); 7] = [
        (11, 100 * 1024 * 1024), // 100 GiB of memory
        (11, u32::MAX),
        (11, 1024),          // below the floor
        (15, 1_000_000_000), // a billion passes
        (15, 0),
        (19, 0),
        (19, 1_000),
    ];
    for (offset, value) in cases {
        let mut bad = good.clone();
        bad[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
        fix_checksum(&mut bad);
        let started = Instant::now();
        let r = unlock_bytes(d.path(), &bad, "pw");
        assert!(
            matches!(r, Err(Error::KdfParamsOutOfRange(_))),
            "{offset}={value}: {r:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refusal must not run the KDF"
        );
    }
    // Memory and passes each in range but their product too large.
    let mut bad = good.clone();
    bad[11..15].copy_from_slice(&(1024 * 1024u32).to_be_bytes());
    bad[15..19].copy_from_slice(&64u32.to_be_bytes());
    fix_checksum(&mut bad);
    assert!(matches!(
        unlock_bytes(d.path(), &bad, "pw"),
        Err(Error::KdfParamsOutOfRange(_))
    ));
    assert!(matches!(
        Vault::create(
            &d.path().join("x"),
            &pass("pw"),
            KdfParams {
                memory_kib: 1,
                iterations: 1,
                parallelism: 1
            }
        ),
        Err(Error::KdfParamsOutOfRange(_))
    ));
}

#[test]
fn second_opener_is_told_the_vault_is_in_use() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let v = Vault::create(&path, &pass("pw"), FAST).unwrap();
    assert!(matches!(
        Vault::unlock(&path, &pass("pw")),
        Err(Error::InUse(_))
    ));
    assert!(matches!(
        Vault::create(&path, &pass("pw"), FAST),
        Err(Error::InUse(_))
    ));
    v.lock();
    let v = Vault::unlock(&path, &pass("pw")).unwrap();
    drop(v);
    assert!(matches!(
        Vault::create(&path, &pass("pw"), FAST),
        Err(Error::AlreadyExists(_))
    ));
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmp();
    let path = d.path().join("sub/dir/w.siegel");
    let v = populated(&path);
    let backup = d.path().join("w.backup");
    v.export_backup(&backup, &pass("bk"), Some(FAST), Overwrite::Refuse)
        .unwrap();
    for p in [&path, &backup, &path.with_file_name("w.siegel.lock")] {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn change_passphrase() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let mut v = populated(&path);
    let keys = v.keys();
    v.change_passphrase(
        &pass("new"),
        Some(KdfParams {
            iterations: 2,
            ..FAST
        }),
    )
    .unwrap();
    v.lock();
    assert!(matches!(
        Vault::unlock(&path, &pass("pw")),
        Err(Error::WrongPassphrase)
    ));
    let v = Vault::unlock(&path, &pass("new")).unwrap();
    assert_eq!(v.keys(), keys);
    assert_eq!(v.kdf_params().iterations, 2);
}

/// A destination that appears while the backup is being sealed — after any existence check — is
/// never overwritten: the backup is created exclusively, not checked for and then renamed over.
#[test]
fn backup_never_overwrites_a_file_created_meanwhile() {
    let d = tmp();
    let v = populated(&d.path().join("w.siegel"));
    let backup = d.path().join("w.backup");
    let theirs = b"a file someone else just wrote";
    let result = std::thread::scope(|s| {
        // The default KDF takes hundreds of milliseconds: the file appears during it.
        let export = s.spawn(|| {
            v.export_backup(
                &backup,
                &pass("bk"),
                Some(KdfParams::DEFAULT),
                Overwrite::Refuse,
            )
        });
        std::thread::sleep(Duration::from_millis(50));
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&backup)
            .and_then(|mut f| std::io::Write::write_all(&mut f, theirs))
            .unwrap();
        export.join().unwrap()
    });
    assert!(
        matches!(&result, Err(Error::AlreadyExists(p)) if *p == backup),
        "{result:?}"
    );
    assert_eq!(std::fs::read(&backup).unwrap(), theirs);
    let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().flatten().collect();
    assert_eq!(
        names.len(),
        3,
        "vault, its lock and the other file only: {names:?}"
    );
}

#[test]
fn backup_and_restore() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let v = populated(&path);
    let backup = d.path().join("w.backup");
    v.export_backup(&backup, &pass("backup pw"), Some(FAST), Overwrite::Refuse)
        .unwrap();
    assert!(matches!(
        v.export_backup(&backup, &pass("backup pw"), Some(FAST), Overwrite::Refuse),
        Err(Error::AlreadyExists(_))
    ));
    let keys = v.keys();
    let creds = v.credentials().to_vec();
    let history = v.history().to_vec();
    v.lock();

    // The backup is not a vault, and a vault is not a backup.
    assert!(matches!(
        Vault::unlock(&backup, &pass("backup pw")),
        Err(Error::WrongFileKind {
            expected: "vault",
            found: "backup"
        })
    ));
    let fresh = tmp();
    let restored_path = fresh.path().join("restored.siegel");
    assert!(matches!(
        Vault::restore_backup(
            &path,
            &pass("pw"),
            &restored_path,
            &pass("x"),
            FAST,
            Overwrite::Refuse
        ),
        Err(Error::WrongFileKind {
            expected: "backup",
            found: "vault"
        })
    ));
    assert!(matches!(
        Vault::restore_backup(
            &backup,
            &pass("pw"),
            &restored_path,
            &pass("x"),
            FAST,
            Overwrite::Refuse
        ),
        Err(Error::WrongPassphrase)
    ));
    assert!(!restored_path.exists());

    // Restore into a fresh data directory under a new vault passphrase.
    let r = Vault::restore_backup(
        &backup,
        &pass("backup pw"),
        &restored_path,
        &pass("new vault pw"),
        FAST,
        Overwrite::Refuse,
    )
    .unwrap();
    assert_eq!(r.keys(), keys);
    assert_eq!(r.credentials(), &creds[..]);
    assert_eq!(r.history(), &history[..]);
    for k in &keys {
        assert_eq!(r.key_secret(&k.id).unwrap().kind(), k.kind);
    }
    // While it is open, replacing it is refused as in use.
    assert!(matches!(
        Vault::restore_backup(
            &backup,
            &pass("backup pw"),
            &restored_path,
            &pass("y"),
            FAST,
            Overwrite::Replace
        ),
        Err(Error::InUse(_))
    ));
    r.lock();

    // Over an existing vault: refused unless asked for, and then the old one is replaced.
    let before = std::fs::read(&restored_path).unwrap();
    assert!(matches!(
        Vault::restore_backup(
            &backup,
            &pass("backup pw"),
            &restored_path,
            &pass("y"),
            FAST,
            Overwrite::Refuse
        ),
        Err(Error::AlreadyExists(_))
    ));
    assert_eq!(std::fs::read(&restored_path).unwrap(), before);
    let r = Vault::restore_backup(
        &backup,
        &pass("backup pw"),
        &restored_path,
        &pass("y"),
        FAST,
        Overwrite::Replace,
    )
    .unwrap();
    assert_eq!(r.keys(), keys);
    r.lock();
    assert!(Vault::unlock(&restored_path, &pass("y")).is_ok());
}

#[test]
fn debug_output_holds_no_secrets() {
    let d = tmp();
    let path = d.path().join("w.siegel");
    let v = populated(&path);
    let mut secrets = Vec::new();
    for k in v.keys() {
        let s = v.key_secret(&k.id).unwrap();
        secrets.push(hex::encode(s.expose_bytes()));
        let debug = format!("{s:?} {k:?}");
        assert!(!debug.contains(&secrets.last().unwrap()[..16]), "{debug}");
    }
    let debug = format!("{v:?} {:?} {:?}", pass("hunter2"), v.credentials());
    assert!(!debug.contains("hunter2"));
    assert!(
        !debug.contains("ageOver18"),
        "credential contents are personal data: {debug}"
    );
    for s in &secrets {
        assert!(!debug.contains(&s[..16]));
    }
    // Nor does the file contain them in the clear.
    let file = std::fs::read(&path).unwrap();
    for s in &secrets {
        let raw = hex::decode(s).unwrap();
        assert!(!file.windows(raw.len()).any(|w| w == raw.as_slice()));
        assert!(!file.windows(16).any(|w| w == &s.as_bytes()[..16]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes after a valid signature and version never panic and never open.
    #[test]
    fn hostile_files_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let d = tmp();
        let mut bytes = b"SIEGELVT\x00\x01".to_vec();
        bytes.extend_from_slice(&tail);
        prop_assert!(unlock_bytes(d.path(), &bytes, "pw").is_err());
    }

    /// Labels, documents and history of any Unicode content round-trip.
    #[test]
    fn contents_round_trip(
        label in "\\PC{0,40}",
        text in "\\PC{0,200}",
        verifier in "\\PC{0,40}",
    ) {
        let d = tmp();
        let path = d.path().join("w.siegel");
        let mut v = Vault::create(&path, &pass("pw"), FAST).unwrap();
        let doc = serde_json::json!({ "text": text }).to_string();
        v.add_credential(&label, "vc", &doc).unwrap();
        v.append_history(DisclosureRecord {
            at: 1, verifier: verifier.clone(), credential_id: wallet_core::vault::CredentialId::new("c"),
            disclosed: vec![text.clone()], purpose: None,
        });
        v.save().unwrap();
        v.lock();
        let v = Vault::unlock(&path, &pass("pw")).unwrap();
        prop_assert_eq!(&v.credentials()[0].label, &label);
        prop_assert_eq!(&v.credentials()[0].document, &doc);
        prop_assert_eq!(&v.history()[0].verifier, &verifier);
    }
}
