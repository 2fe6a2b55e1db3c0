#!/usr/bin/env bash
# Installs the dependencies, builds and runs every test twice: a normal build
# (build/) and an AddressSanitizer + UndefinedBehaviorSanitizer build
# (build-asan/); in between, builds, installs and purges the Debian packages
# (tests/packaging/deb.sh). Last, runs each fuzz target for 15 s (build-fuzz/).
# Run as root on a fresh Debian 12 machine, from any directory:
#     bash scripts/check.sh
# Exits non-zero as soon as a step fails.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
step=""
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "check.sh: FAILED at step: ${step:-?} (exit status $rc)" >&2
  fi
}
trap on_exit EXIT

run_step() {
  step=$1
  shift
  echo "==> $step"
  "$@"
}

jobs=$(nproc 2>/dev/null || echo 2)

run_step "install dependencies" bash scripts/install-deps.sh

run_step "configure build" cmake -S "$root" -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESM_SANITIZE=OFF
run_step "build" cmake --build build -j "$jobs"
run_step "test build" ctest --test-dir build --output-on-failure -j2
# once, not per build: it builds the .debs from a copy of the source tree
run_step "debian packages" bash tests/packaging/deb.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_step "configure build-asan" cmake -S "$root" -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESM_SANITIZE=ON
run_step "build build-asan" cmake --build build-asan -j "$jobs"
run_step "test build-asan" ctest --test-dir build-asan --output-on-failure -j2

# libFuzzer (clang) with ASan+UBSan: each target briefly, from its committed corpus
run_step "configure build-fuzz" env CC=clang cmake -S "$root" -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESM_FUZZ=ON -DESM_SANITIZE=ON
run_step "build build-fuzz" cmake --build build-fuzz -j "$jobs" --target fuzz_all
run_step "fuzz build-fuzz" bash scripts/fuzz.sh build-fuzz 15

step=""
echo "check.sh: OK - all steps passed (build and build-asan: configure, build, ctest; debian packages; fuzz targets)"
