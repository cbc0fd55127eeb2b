#!/usr/bin/env bash
# Runs the libFuzzer targets built by `scripts/build.sh fuzz` for N seconds
# (default 60) from the checked-in seed corpus. Fails on any crash, and then
# prints the server's error lines and the fuzzer's report, not only its tail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
status=0
ASAN_OPTIONS=detect_leaks=0 ./build/fuzz/tests/fuzz/api_request_fuzzer \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
  -artifact_prefix=build/fuzz/ "$work" >"$work/log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  grep -v -E '^(INFO|#[0-9]+\s+(NEW|REDUCE|pulse|INITED))' "$work/log" | tail -n 80
  echo "fuzz: api_request_fuzzer failed (exit $status)" >&2
  exit "$status"
fi
tail -n 6 "$work/log"
echo "fuzz: api_request_fuzzer ran ${seconds}s without a crash"
