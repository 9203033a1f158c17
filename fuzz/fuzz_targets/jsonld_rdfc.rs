//! libFuzzer entry for `fuzz_targets::jsonld_rdfc` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::jsonld_rdfc(data));
