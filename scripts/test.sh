#!/usr/bin/env bash
# Set up and run the whole test suite (the README's test command; CI runs exactly this).
# Everything a test needs is installed here, so no test may skip (ASSIST_REQUIRE_ALL=1 turns a skip
# into a failure). With no arguments it also checks the wheel (scripts/check-wheel.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup.sh
export ASSIST_REQUIRE_ALL="${ASSIST_REQUIRE_ALL:-1}"
python3 -m pytest -q "$@"
if [ $# -eq 0 ]; then
  bash scripts/check-wheel.sh
fi
