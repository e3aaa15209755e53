#!/usr/bin/env bash
# The wheel carries everything a user needs: build it, install it into a brand-new virtual
# environment (only what the wheel declares, at the locked versions), and from an empty folder run
# what a new user runs first. CI runs this after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m pip wheel -q --disable-pip-version-check --no-deps . -w "$work/dist"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt "$work"/dist/assist-*.whl
assist="$work/venv/bin/assist"

cd "$work"  # nowhere near the source tree
mkdir empty && cd empty
export ASSIST_CONFIG="$work/assist.toml" XDG_DATA_HOME="$work/data"

fail() { echo "check-wheel: $*" >&2; exit 1; }
"$assist" lexicon check en | tee lexicon.out
grep -q "ok" lexicon.out || fail "assist lexicon check en did not say ok"
"$assist" roleplay --list | tee scenarios.out
[ "$(grep -c . scenarios.out)" -ge 8 ] || fail "assist roleplay --list lists fewer than 8 scenarios"
"$assist" analyze "$root/examples/support-call.txt" --format json > analyze.json
python3 - <<'PY' || fail "assist analyze found no flags in examples/support-call.txt"
import json; r = json.load(open("analyze.json")); assert r["events"], r
PY
"$assist" demo | tee demo.out
grep -qi "not-my-job" demo.out || fail "assist demo did not flag not-my-job"
echo "check-wheel: ok ($(basename "$work"/dist/assist-*.whl))"
