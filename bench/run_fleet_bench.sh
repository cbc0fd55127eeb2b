#!/usr/bin/env bash
# The fleet controller's reaction time (issue 6): builds release, starts
# `barge server` with the local provider (instances scaled in after 1 s idle,
# stopped with the server) on a free loopback port and a fresh data
# directory, runs bench/fleet_bench against it and stops it.
#   bench/run_fleet_bench.sh [fleet_bench flags: --rounds N --burst N]
# BARGE_BUILD_DIR picks the build directory (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BARGE_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target barge fleet_bench >/dev/null

data=$(mktemp -d "${TMPDIR:-/var/tmp}/barge-fleet.XXXXXX")
out="$data.out"
"$build/barge" server --listen 127.0.0.1:0 --data-dir "$data" --log-level warn \
  --default-provider local --stop-local-instances-on-exit --scale-down-delay 1s >"$out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$out"' EXIT
url=
for _ in $(seq 200); do
  url=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$out" | head -1 | sed 's/listening on //' || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out"; exit 1; }
echo "barge server at $url, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/fleet_bench" --port "${url##*:}" "$@"
