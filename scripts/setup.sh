#!/usr/bin/env bash
# Install assist and everything it needs into the current Python (3.11+).
# torch comes first, pinned: this machine has a local CPU build of 2.13.0, and an unpinned torch
# would pull gigabytes of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check "torch==2.13.0"
python3 -m pip install -q --disable-pip-version-check -e ".[semantic,korean,dev]"
