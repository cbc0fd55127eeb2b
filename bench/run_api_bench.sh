#!/usr/bin/env bash
# Starts a release `barge server` on a free loopback port with a fresh data
# directory, runs bench/api_bench against it, and stops it.
#   bench/run_api_bench.sh [seconds-per-cell]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release --target barge api_bench >/dev/null
data=$(mktemp -d)
out=$(mktemp)
./build/release/barge server --listen 127.0.0.1:0 --data-dir "$data" --log-level warn >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$out"' EXIT
for _ in $(seq 100); do
  url=$(grep -o 'http://[0-9.]*:[0-9]*' "$out" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out"; exit 1; }
port=${url##*:}
echo "barge server at $url ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
./build/release/bench/api_bench 127.0.0.1 "$port" "${1:-3}"
