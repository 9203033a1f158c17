//! libFuzzer entry for `fuzz_targets::vault_header` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::vault_header(data));
