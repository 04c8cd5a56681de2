#!/usr/bin/env bash
# Installs everything podsizer needs to build, run and test on Debian bookworm.
# Idempotent: packages already present are left alone. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libeigen3-dev libyaml-cpp-dev libhdf5-dev libtbb-dev libspdlog-dev
  catch2 libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libbenchmark-dev
  prometheus python3-torch python3-yaml chromium kubectl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "podsizer setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "podsizer setup: all packages present"
fi
