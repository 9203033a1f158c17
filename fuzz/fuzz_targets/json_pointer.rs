//! libFuzzer entry for `fuzz_targets::json_pointer` (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::json_pointer(data));
