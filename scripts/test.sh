#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs the Debian packages and the npm test dependencies (lockfile),
#   2. builds barge (release) and runs every unit and integration test,
#   3. builds again with ASan+UBSan and runs the unit tests there,
#   4. builds the libFuzzer target with clang and fuzzes the request path briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)

echo "== release build and all tests"
bash scripts/build.sh release
(cd build/release && ctest --output-on-failure -j2)

echo "== ASan+UBSan build and unit tests"
bash scripts/build.sh asan --target unit_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j2 -L unit)

echo "== fuzzing the request parsing and validation path"
bash scripts/build.sh fuzz --target api_request_fuzzer
bash scripts/fuzz.sh 60
