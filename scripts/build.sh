#!/usr/bin/env bash
# Configures and builds one flavour of barge into build/<flavour>.
#   scripts/build.sh release|debug|asan [cmake --build args...]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DBARGE_SANITIZE=address,undefined -DBARGE_BUILD_BENCH=OFF) ;;
  fuzz) args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
              -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -DBARGE_SANITIZE=address,undefined
              -DBARGE_BUILD_FUZZ=ON -DBARGE_BUILD_TESTS=OFF -DBARGE_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 release|debug|asan|fuzz" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$(nproc)" "$@"
ln -sfn "build/$flavour/compile_commands.json" compile_commands.json 2>/dev/null || true
