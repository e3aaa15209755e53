#!/usr/bin/env bash
# Install assist and everything it needs into the current Python (3.11+), at the exact versions in
# constraints.txt (known to pass the suite; refresh with scripts/refresh-constraints.sh).
# torch comes first, pinned: this machine has a local CPU build of 2.13.0, and an unpinned torch
# would pull gigabytes of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
pip="python3 -m pip install -q --disable-pip-version-check -c constraints.txt"
$pip "torch==2.13.0"
$pip -e ".[semantic,korean,multilingual,hebrew,voices,cluster,dev]"
