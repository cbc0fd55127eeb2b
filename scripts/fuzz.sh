#!/usr/bin/env bash
# Runs the libFuzzer targets built by `scripts/build.sh fuzz` for N seconds
# (default 60) from the checked-in seed corpus. Fails on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
ASAN_OPTIONS=detect_leaks=0 ./build/fuzz/tests/fuzz/api_request_fuzzer \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
  -artifact_prefix=build/fuzz/ "$work" 2>&1 | tail -n 15
echo "fuzz: api_request_fuzzer ran ${seconds}s without a crash"
