#!/usr/bin/env bash
# Installs podsizer's dependencies (Debian packages), then configures and builds it in build/.
# Safe to run again: installed packages are skipped and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "${PODSIZER_JOBS:-2}"
