//! libFuzzer entry for `fuzz_targets::resolver_logs` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::resolver_logs(data));
