#!/usr/bin/env bash
# Runs a benchmark that drives `barge dev` (jobs_bench, array_bench): builds
# release, starts `barge dev` on a free loopback port with a fresh data
# directory on the real disk, runs the benchmark against it and stops it.
#   bench/run_dev_bench.sh BENCH [--vcpus N] [BENCH flags...]
# --vcpus N: dev's `default` environment is kept at N vCPUs of local
# instances (min = max = N, default: the machine's cores), launched before
# the benchmark starts, so that its first jobs do not wait for a launch.
# BARGE_BUILD_DIR picks the build directory (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:?usage: bench/run_dev_bench.sh jobs_bench|array_bench [--vcpus N] [flags...]}
shift
slots=$(nproc)
if [ "${1:-}" = "--vcpus" ]; then
  slots=$2
  shift 2
fi
build=${BARGE_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target barge "$bench" >/dev/null

# On the real disk (not a tmpfs), so commits pay a real fsync.
data=$(mktemp -d "${TMPDIR:-/var/tmp}/barge-$bench.XXXXXX")
out="$data.out"
"$build/barge" dev --listen 127.0.0.1:0 --data-dir "$data" --min-vcpus "$slots" \
  --max-vcpus "$slots" --log-level warn \
  >"$out" 2>&1 &
dev=$!
trap 'kill $dev 2>/dev/null; wait $dev 2>/dev/null; rm -rf "$data" "$out"' EXIT
url=
for _ in $(seq 200); do
  url=$(grep -o 'ready at http://[0-9.]*:[0-9]*' "$out" | head -1 | sed 's/ready at //' || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out"; exit 1; }
# The server is the child of `barge dev` whose arguments start with "server".
server=$(ps --ppid "$dev" -o pid=,args= | awk '$3 == "server" { print $1 }' | head -1)
[ -n "$server" ] || { echo "no server process under barge dev $dev" >&2; exit 1; }
# A job of the benchmark asks for one vCPU: each vCPU of the environment is
# a slot. Wait until the instances minvCpus launched have registered.
sleep 2
agents=$(pgrep -f -- "--work-dir $data/instances/" | wc -l)
echo "barge dev at $url, server pid $server, $agents local instance(s), $slots slot(s)," \
  "$(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/$bench" --port "${url##*:}" --server-pid "$server" --data-dir "$data" \
  --slots "$slots" "$@"
