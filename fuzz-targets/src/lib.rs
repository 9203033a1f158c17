//! Siegel's fuzz targets, one `pub fn <target>(data: &[u8])` each, on stable Rust.
//!
//! `fuzz/` (cargo-fuzz, nightly) wraps each function in a `fuzz_target!`; `tests/replay.rs` runs
//! every committed corpus and regression input through the same function on stable, which is all
//! CI does. A target never panics on any input unless an invariant it asserts is broken — every
//! panic is a finding. docs/FUZZING.md lists the targets, the invariants and the runs.
#![forbid(unsafe_code)]
#![allow(
    clippy::panic,
    reason = "a fuzz target reports a broken invariant by panicking; libFuzzer saves the input"
)]

mod bbs2023_proof_value;
mod bbs_decode;
mod did;
mod fixtures;
mod json_pointer;
mod jsonld_rdfc;
mod multikey;
mod mutate;
mod resolver_logs;
mod vault_header;
mod verify_cost;
mod verify_mutations;

pub use bbs_decode::bbs_decode;
pub use bbs2023_proof_value::bbs2023_proof_value;
pub use did::did;
pub use json_pointer::json_pointer;
pub use jsonld_rdfc::jsonld_rdfc;
pub use multikey::multikey;
pub use resolver_logs::resolver_logs;
pub use vault_header::vault_header;
pub use verify_cost::{grow, verify_cost, verify_cost_of};
pub use verify_mutations::{verify_derived_mutations, verify_presentation_mutations};

/// A fuzz target: takes any bytes, panics only on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target by name, as the replay test and `fuzz/run_all.sh` list them.
pub const TARGETS: &[(&str, Target)] = &[
    ("bbs_decode", bbs_decode),
    ("bbs2023_proof_value", bbs2023_proof_value),
    ("json_pointer", json_pointer),
    ("multikey", multikey),
    ("did", did),
    ("jsonld_rdfc", jsonld_rdfc),
    ("resolver_logs", resolver_logs),
    ("vault_header", vault_header),
    ("verify_derived_mutations", verify_derived_mutations),
    (
        "verify_presentation_mutations",
        verify_presentation_mutations,
    ),
    ("verify_cost", verify_cost),
];
