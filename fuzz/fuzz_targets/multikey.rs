//! libFuzzer entry for `fuzz_targets::multikey` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::multikey(data));
