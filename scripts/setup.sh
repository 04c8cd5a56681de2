#!/usr/bin/env bash
# Installs everything podsizer needs to build, run and test on Debian bookworm, as root.
# Idempotent: packages already present are left alone and apt is not even asked.
set -euo pipefail

# Build tools and libraries, then the real programs that tests run: Prometheus (live import),
# Python's torch (running an exported policy), Chromium (rendering the report).
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev libeigen3-dev libyaml-cpp-dev libhdf5-dev libtbb-dev libspdlog-dev
  catch2 libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libbenchmark-dev
  prometheus python3-torch chromium
)

# kubectl (for `kubectl kustomize`) is not in Debian's own archive: install it where an apt
# source offers it, and otherwise expect it on the PATH already.
if ! command -v kubectl >/dev/null 2>&1; then
  packages+=(kubectl)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "podsizer setup: all packages present"
  exit 0
fi

echo "podsizer setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
