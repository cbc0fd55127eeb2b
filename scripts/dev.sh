#!/usr/bin/env bash
# Sets up and builds barge, then runs `barge dev` on 127.0.0.1:8000: the server,
# a local agent, compute environment and job queue `default`, data under ./.barge/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
exec ./build/release/barge dev --data-dir ./.barge "$@"
