//! libFuzzer entry for `fuzz_targets::bbs_decode` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::bbs_decode(data));
