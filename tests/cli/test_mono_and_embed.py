"""The commands wired to issue 15's libraries: a mono recording is split by voice by default in
`batch` and `replay` (`--mono-speaker agent|customer` forces one speaker, and the report says which
way was used), and every HTML scorecard (`replay`, `batch`, `history --show`) carries the player —
the recording linked by a path relative to the page, or inside it with `--embed-audio`.

The call is real audio: two espeak-ng voices (a US woman and a British man) in one channel, as a
mono recorder keeps them, through Whisper tiny.en and Resemblyzer's voice encoder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from tests.speech.calls import RATE, mono

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AGENT = "Thank you for calling Acme, this is Dana. How can I help you today?"
CUSTOMER = "My parcel never arrived and this is ridiculous. I want my money back."


def _run(cmd: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"ASSIST_CONFIG": "/nonexistent/assist.toml", "ASSIST_DATA_DIR": str(home), "PATH": os.environ["PATH"],
           "HOME": str(home), "HF_HUB_OFFLINE": "1", "COLUMNS": "120",
           "PYTHONPATH": os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH", "")) if x)}
    return subprocess.run([sys.executable, "-m", "assist", cmd, *args, "--no-semantic"] if cmd != "history"
                          else [sys.executable, "-m", "assist", cmd, *args],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def mono_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    d = tmp_path_factory.mktemp("calls")
    x = np.concatenate([mono(AGENT), mono(CUSTOMER, voice="en-gb+m3"), mono("I am sorry to hear that.")])
    sf.write(d / "mono-call.wav", x, RATE)
    return d / "mono-call.wav"


def _src(html: str) -> str:
    m = re.search(r"<audio id='call-audio'[^>]* src='([^']*)'", html)
    assert m, "the page has no player"
    return m.group(1)


def _speakers(report: dict[str, Any]) -> set[str]:
    return {u["speaker"] for u in report["utterances"]}


def test_batch_splits_mono_by_voice_and_embeds_the_audio(mono_call: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "out", str(tmp_path / "h.sqlite3")
    r = _run("batch", str(mono_call.parent), "--out", str(out), "--db", db, "--embed-audio", home=tmp_path)
    assert r.returncode == 0, r.stderr
    rep = json.loads((out / "mono-call.json").read_text())
    assert rep["call"]["speakers_by"] == "voice" and rep["call"]["voice_split"]["voices"] == 2, rep["call"]
    assert _speakers(rep) == {"agent", "customer"}
    # the customer's words are the customer's: the frustration is a customer cue, not an agent flag
    assert any(e["type"] == "cue" and e["speaker"] == "customer" for e in rep["events"]), rep["events"]
    assert _src((out / "mono-call.html").read_text()).startswith("data:audio/webm")

    # history --show: the same page, the recording linked relative to where the page is written …
    page = tmp_path / "pages" / "call.html"
    page.parent.mkdir()
    r = _run("history", "--db", db, "--show", "1", "--format", "html", "-o", str(page), home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _src(page.read_text()) == f"../{mono_call.parent.name}/mono-call.wav" or \
        (page.parent / _src(page.read_text())).resolve() == mono_call.resolve()
    # … or inside it
    r = _run("history", "--db", db, "--show", "1", "--format", "html", "--embed-audio", "-o", str(page),
             home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert _src(page.read_text()).startswith("data:audio/webm")


def test_replay_mono_speaker_forces_one_speaker_and_links_the_audio(mono_call: Path, tmp_path: Path) -> None:
    page = tmp_path / "replay.html"
    r = _run("replay", str(mono_call), "--mono-speaker", "agent", "--format", "html", "-o", str(page),
             home=tmp_path)
    assert r.returncode == 0, r.stderr
    html = page.read_text()
    assert (page.parent / _src(html)).resolve() == mono_call.resolve()  # linked, relative to the page
    assert "mono recording, one speaker" in html  # the report says how the speakers were assigned
