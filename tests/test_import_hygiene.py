"""Layers stay clean (DESIGN.md): only the UI imports the UI; the engine never imports speech or
audio libraries; the UI reaches speech and the store only through the session (assist.session).
Checked two ways: import-linter's contracts from pyproject.toml, and a fresh interpreter importing
a layer must not pull what it must not need into sys.modules (the UI opens without the database,
the audio devices or a speech model)."""

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
    r = subprocess.run([lint, str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("module,forbidden", [
    ("assist.engine.coach", ["textual", "sounddevice", "vosk", "faster_whisper", "assist.speech", "assist.ui"]),
    ("assist.engine.lexicon", ["textual", "sounddevice", "assist.speech"]),
    ("assist.speech", ["textual", "assist.ui"]),
    ("assist.session.spec", ["textual", "assist.ui", "assist.speech", "assist.store"]),
    ("assist.ui.app", ["assist.store", "sqlalchemy", "sounddevice", "faster_whisper", "vosk", "torch"]),
    ("assist.ui.roleplay_screen", ["assist.store", "sqlalchemy", "sounddevice", "faster_whisper", "vosk", "torch"]),
])
def test_fresh_import_does_not_load(module: str, forbidden: list[str]) -> None:
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            f"print([m for m in {forbidden!r} if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"{module} pulled in {r.stdout.strip()}"
