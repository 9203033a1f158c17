//! Replays every committed fuzz input — the minimised corpus in `fuzz/corpus/<target>/` and the
//! crashers in `fuzz/regressions/<target>/` — through the same target function the fuzzer runs,
//! on stable. This is all CI does with the fuzz targets (docs/FUZZING.md).
#![allow(clippy::panic, reason = "tests")]

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let (_, run) = fuzz_targets::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no target {target}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut count = 0;
    for kind in ["corpus", "regressions"] {
        for file in inputs(&root.join(kind).join(target)) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // Name the input before running it, so a failure says which file broke.
            eprintln!("{}", file.display());
            run(&data);
            count += 1;
        }
    }
    eprintln!("{target}: {count} inputs");
}

/// Runs every target once on empty input: the verification targets build and verify their
/// starting documents on first use, so this fails if the originals no longer verify.
#[test]
fn every_target_starts() {
    for (_, run) in fuzz_targets::TARGETS {
        run(b"");
    }
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name));
            }
        )*

        /// Every target in the library has a replay test here.
        #[test]
        fn every_target_is_replayed() {
            let here = [$(stringify!($name)),*];
            for (name, _) in fuzz_targets::TARGETS {
                assert!(here.contains(name), "no replay test for {name}");
            }
        }
    };
}

replay_tests!(
    bbs_decode,
    bbs2023_proof_value,
    json_pointer,
    multikey,
    did,
    jsonld_rdfc,
    resolver_logs,
    vault_header,
    verify_derived_mutations,
    verify_presentation_mutations,
    verify_cost,
);
