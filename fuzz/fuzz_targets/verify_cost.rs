//! libFuzzer entry for `fuzz_targets::verify_cost` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::verify_cost(data));
