#!/usr/bin/env bash
# Sets up and builds barge, then runs the server on 127.0.0.1:8000 with its
# data under ./.barge/ (extra arguments go to `barge server`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
exec ./build/release/barge server --data-dir ./.barge "$@"
