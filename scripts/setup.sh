#!/usr/bin/env bash
# Installs every Debian package that building and testing barge needs.
# Idempotent: a no-op (no apt-get at all) when everything is already present.
# Run as root on Debian 12, or as a user with passwordless sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libssl-dev libsqlite3-dev libpq-dev sqlite3 libarchive-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libjemalloc-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  awscli python3-boto3 python3
  nodejs npm
  curl ca-certificates
  busybox-static runc tini
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    # A newer npm/node installed outside Debian also satisfies the test needs.
    if [[ "$p" == npm || "$p" == nodejs ]] && command -v node >/dev/null && command -v npm >/dev/null; then
      continue
    fi
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
