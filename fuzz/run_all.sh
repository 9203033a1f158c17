#!/usr/bin/env bash
# Runs fuzz targets one after another (docs/FUZZING.md), each for SECONDS (default 600), on the
# committed corpus plus the vector seeds, and logs libFuzzer's final stats to fuzz/logs/.
#   fuzz/run_all.sh [target ...]      (default: every target)
# Built without a sanitizer (-s none: the workspace forbids unsafe code) but with debug
# assertions (-a), so integer overflow and debug_assert! still fire.
set -u
cd "$(dirname "$0")/.."
unset CARGO_TARGET_DIR # fuzz/ is its own workspace with its own target dir (fuzz/target)
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-600}"
ALL=(bbs_decode bbs2023_proof_value json_pointer multikey did jsonld_rdfc resolver_logs
     vault_header verify_derived_mutations verify_presentation_mutations verify_cost)
TARGETS=("${@:-${ALL[@]}}")
mkdir -p fuzz/logs
[ -d fuzz/seeds ] || python3 fuzz/seed.py
# One build for all targets, then each binary runs directly (no per-run rebuild check).
cargo +nightly fuzz build --fuzz-dir fuzz -s none -a >fuzz/logs/build.log 2>&1 || exit 1
BIN=fuzz/target/x86_64-unknown-linux-gnu/release
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    [ -d "fuzz/seeds/$t" ] && cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null
    extra=()
    case "$t" in
        jsonld_rdfc) extra=(-dict=fuzz/dicts/jsonld.dict) ;;
        # Eight edits fit in far fewer bytes; start at full length (no slow length ramp).
        # Fork mode: a finding is saved and the run goes on for its full time.
        # A few bytes grow a presentation to 1 MiB. Over SIEGEL_FUZZ_MAX_CPU_MS (default 100) of
        # CPU for one verification is a crash (saved); slower than 1 s is reported as slow too.
        verify_cost) extra=(-len_control=0 -max_len=64 -report_slow_units=1 -fork=1 -ignore_crashes=1) ;;
        verify_*) extra=(-dict=fuzz/dicts/jsonld.dict -len_control=0 -max_len=512 -fork=1 -ignore_crashes=1) ;;
    esac
    [ "$t" = verify_cost ] && export SIEGEL_FUZZ_MAX_CPU_MS="${SIEGEL_FUZZ_MAX_CPU_MS:-100}"
    log="fuzz/logs/$t.log"
    start=$(date -u +%FT%TZ)
    "$BIN/$t" "fuzz/corpus/$t" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "${extra[@]}" >"$log" 2>&1
    rc=$?
    end=$(date -u +%FT%TZ)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    printf '%s\t%s\t%s\trc=%s\texecs=%s\texec/s=%s\tcorpus=%s\tartifacts=%s\n' \
        "$t" "$start" "$end" "$rc" "${execs:-?}" "${rate:-?}" "$corpus" "$crashes" \
        | tee -a fuzz/logs/summary.tsv
done
