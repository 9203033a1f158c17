//! libFuzzer entry for `fuzz_targets::bbs2023_proof_value` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::bbs2023_proof_value(data));
