"""Layers stay clean (DESIGN.md): engine and speech never import the UI; the engine never imports
speech or audio libraries. Checked two ways: import-linter's contracts from pyproject.toml, and a
fresh interpreter importing the engine must not pull textual or sounddevice into sys.modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.fail("lint-imports (import-linter) is not installed; `pip install -e .[dev]`")
    r = subprocess.run([lint, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("module,forbidden", [
    ("assist.engine.coach", ["textual", "sounddevice", "vosk", "faster_whisper", "assist.speech", "assist.ui"]),
    ("assist.engine.lexicon", ["textual", "sounddevice", "assist.speech"]),
    ("assist.speech", ["textual", "assist.ui"]),
])
def test_fresh_import_does_not_load(module: str, forbidden: list[str]) -> None:
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            f"print([m for m in {forbidden!r} if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"{module} pulled in {r.stdout.strip()}"
