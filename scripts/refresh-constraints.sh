#!/usr/bin/env bash
# Rebuild constraints.txt: the exact versions CI and scripts/setup.sh install.
#
# It resolves pyproject.toml's ranges afresh in a brand-new virtual environment (nothing from this
# machine's own site-packages leaks in), then freezes the result. Run the whole suite against the
# new lock before committing it (`bash scripts/test.sh`); a lock is a claim that these versions pass.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check -q"
$pip install "torch==2.13.0"        # the local CPU build first (see scripts/setup.sh)
$pip install -e ".[semantic,korean,multilingual,dev]"
{
  echo "# Exact versions known to pass the whole suite (bash scripts/test.sh). Used as pip constraints"
  echo "# by scripts/setup.sh and CI; pyproject.toml keeps the ranges for library users."
  echo "# Refresh: bash scripts/refresh-constraints.sh, then run the suite, then commit."
  $venv/bin/python -m pip freeze --exclude-editable --disable-pip-version-check | sed 's/^torch==\(.*\)+cpu$/torch==\1/'
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
