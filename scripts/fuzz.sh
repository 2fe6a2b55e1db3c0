#!/usr/bin/env bash
# Runs every fuzz target (one per tests/fuzz/corpus/<target>/) of a libFuzzer
# build for SECONDS each, one after the other, with ASan+UBSan as the build
# has them:
#     CC=clang cmake -S . -B build-fuzz -G Ninja -DESM_FUZZ=ON -DESM_SANITIZE=ON
#     cmake --build build-fuzz --target fuzz_all
#     bash scripts/fuzz.sh build-fuzz 20 [TARGET...]
# The committed corpora are only read: new inputs and crash files go to a
# temporary directory, kept and named when a target fails. Prints one line a
# target (runs, coverage); exits non-zero when any target crashed.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=0
for t in "${targets[@]}"; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_$t.XXXXXX")
  mkdir "$work/new"
  if "$build/tests/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" \
       "$work/new" "tests/fuzz/corpus/$t" >"$work/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -n 1)
    echo "fuzz_$t: $runs runs in ${seconds}s, $cov, no crash"
    rm -rf "$work"
  else
    echo "fuzz_$t: FAILED, see $work/log (crash input in $work/)" >&2
    failed=1
  fi
done
exit $failed
