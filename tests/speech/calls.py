"""Real audio for the speech tests, synthesised with espeak-ng by the same recipe as the demo call
(scripts/make_demo_call.py), and the expensive results shared by every test in the run.

Everything here is cached per process (the test session): the call is synthesised once, each engine
transcribes it once, so the speech tests stay within the CI budget on 2 cores.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
RATE = 16000

# A short two-voice call. Each planted phrase sits in its own turn so a test can check that the flag
# is on the right speaker and in the right turn.
#
# Robust phrasing: a line belongs in a real-audio test only if Whisper tiny.en hears it well enough
# for the assertion under small perturbations — three espeak-ng voices per side x speed 135/150/165
# (measure a line with `python3 -m tests.speech.robustness LINES.txt [--stream]`).
# Every planted line here, in tests/cli/test_batch.py and in the demo call was flagged (or ticked)
# in 9 of 9 variants, whole-file and streaming. What does NOT hold, measured the same way: Whisper's
# word times (first words 0.3-1.0 s early, so tests match a flag to the turn it overlaps most, see
# `turn_of`), the split of one speaker's consecutive turns (a 1.1 s pause was merged once in nine, a
# slow greeting split once), and one-word checks ("Dana" heard as "miss incana" in 1 of 12).
CALL_TURNS = [
    ("agent", "Thank you for calling Acme, this is Dana. How can I help you today?"),
    ("customer", "My parcel never arrived and this is ridiculous."),
    ("agent", "I'm so sorry, I understand how frustrating this must be."),
    ("agent", "No, the parcel left our warehouse on Monday."),
    ("customer", "So what are you going to do about it?"),
    ("agent", "I'll see what I can do."),
]
# turn index in CALL_TURNS -> the category that must be flagged in it
PLANTED = {1: "customer-frustration", 3: "starts-with-no", 5: "vague-promise"}

# Plain sentences for the word error rate (no digits, names or homophones the scorer cannot fix).
WER_SENTENCES = [
    "Thank you for your patience while I look into your account.",
    "The technician will visit your home on Thursday morning.",
    "Please restart the router and wait for the green light.",
    "I have sent a confirmation email to your address.",
    "Your new card should arrive within five working days.",
    "Is there anything else I can help you with today?",
]

KOREAN = ["안녕하세요 무엇을 도와드릴까요", "감사합니다 좋은 하루 되세요"]


@functools.cache
def demo_module() -> ModuleType:
    """scripts/make_demo_call.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@functools.cache
def workdir() -> Path:
    import atexit
    import shutil

    d = Path(tempfile.mkdtemp(prefix="assist-speech-tests-"))
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


@functools.cache
def call_wav() -> tuple[Path, list[tuple[str, float, float, str]]]:
    """The two-voice stereo call as a wav (agent left, customer right) and its turn times."""
    audio, times = demo_module().synth_call(CALL_TURNS)
    path = workdir() / "call.wav"
    sf.write(path, audio, RATE)
    return path, times


@functools.cache
def converted(fmt: str) -> Path:
    """The test call in another container/codec (mp3, ogg, flac, m4a) via ffmpeg."""
    src, _ = call_wav()
    out = workdir() / f"call.{fmt}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), str(out)], check=True)
    return out


@functools.cache
def whole_file_report() -> dict[str, Any]:
    """analyze_recording (Whisper tiny.en, whole file) of the test call — shared by several tests."""
    from assist.engine.lexicon import load_lexicon
    from assist.pipeline import analyze_recording

    path, _ = call_wav()
    return analyze_recording(path, lexicon=load_lexicon("en"), company="Acme", agent_name="Dana")


@functools.cache
def realtime_run() -> tuple[list[dict[str, Any]], list[float], int, str]:
    """`assist replay CALL --realtime --format jsonl` as a user runs it: parsed lines, the wall time each
    line arrived (from process start), the exit code and stderr."""
    import json
    import time

    path, _ = call_wav()
    cmd = [sys.executable, "-m", "assist", "replay", str(path), "--realtime", "--format", "jsonl",
           "--company", "Acme", "--agent-name", "Dana", "--lexicon", "en", "--no-semantic"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=cli_env())
    lines: list[dict[str, Any]] = []
    arrived: list[float] = []
    assert proc.stdout is not None
    for raw in proc.stdout:
        arrived.append(time.monotonic() - t0)
        lines.append(json.loads(raw))
    err = proc.stderr.read() if proc.stderr else ""
    rc = proc.wait(timeout=300)
    return lines, arrived, rc, err


def short_call() -> Path:
    """Agent: a flagged line; customer: a frustration cue. About 8 s, stereo."""
    p = workdir() / "short.wav"
    if not p.exists():
        a = mono("No, I cannot do that for you.")
        c = mono("My parcel never arrived and this is ridiculous.", voice="en-gb+m3")
        x = np.zeros((len(a) + len(c), 2), dtype=np.float32)
        x[: len(a), 0] = a
        x[len(a):, 1] = c
        sf.write(p, x, RATE)
    return p


@functools.cache
def streaming_run() -> tuple[list[Any], dict[str, Any]]:
    """The short call through the real CallPipeline's streaming path (Whisper tiny.en, fed as fast as
    it goes): every Update in order, and the report. Shared by the pipeline contract test and the
    test that holds the UI's scripted stand-in to the same kinds of update."""
    from assist.engine.lexicon import load_lexicon
    from assist.pipeline import Update, file_pipeline

    updates: list[Update] = []
    pipe = file_pipeline(short_call(), updates.append, realtime=False, lexicon=load_lexicon("en"),
                         company="Acme", agent_name="Dana", semantic=None)
    report = pipe.run()
    return updates, report


def cli_env() -> dict[str, str]:
    """The environment for running `assist` in a subprocess: no user settings file, never the network."""
    import os

    return {**os.environ, "ASSIST_CONFIG": "/nonexistent/assist.toml", "HF_HUB_OFFLINE": "1"}


def turn_of(start: float, end: float, times: list[tuple[str, float, float, str]]) -> int:
    """The synthesised turn that the span [start, end] overlaps most (nearest when none overlaps)."""
    return max(range(len(times)), key=lambda i: min(end, times[i][2]) - max(start, times[i][1]))


def assert_turns_heard(report: dict[str, Any], times: list[tuple[str, float, float, str]]) -> None:
    """Each synthesised turn is heard on its speaker's side and each utterance belongs to a turn of
    its own speaker, in call order. One speaker's consecutive turns may come out merged or split
    (that hangs on a word's end time, see the note on CALL_TURNS); a wrong side or order may not."""
    utts = report["utterances"]
    assert [u["index"] for u in utts] == list(range(len(utts)))
    owner = [turn_of(u["start"], u["end"], times) for u in utts]
    assert [times[t][0] for t in owner] == [u["speaker"] for u in utts], [(u["speaker"], u["text"]) for u in utts]
    assert owner == sorted(owner), owner
    for i, (speaker, start, end, text) in enumerate(times):
        covered = sum(max(0.0, min(end, u["end"]) - max(start, u["start"])) for u in utts if u["speaker"] == speaker)
        assert covered >= 0.5 * (end - start), (i, speaker, text, [u["text"] for u in utts])


def planted_ok(report: dict[str, Any], times: list[tuple[str, float, float, str]],
               planted: dict[int, str] = PLANTED) -> None:
    """Every planted category is flagged on the right speaker, in the turn it was planted in (the
    flag's span overlaps that turn most), and points at an utterance of that speaker."""
    for turn, category in planted.items():
        speaker = times[turn][0]
        hits = [e for e in report["events"] if e["category"] == category and e["speaker"] == speaker]
        assert hits, (category, speaker, [u["text"] for u in report["utterances"]])
        assert any(turn_of(e["start"], e["end"], times) == turn for e in hits), (category, hits, times[turn])
        assert all(report["utterances"][e["utterance"]]["speaker"] == speaker for e in hits)


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def wer(ref: str, hyp: str) -> float:
    """Word error rate: word-level edit distance over the reference length."""
    r, h = words_of(ref), words_of(hyp)
    d = np.zeros((len(r) + 1, len(h) + 1), dtype=int)
    d[:, 0] = np.arange(len(r) + 1)
    d[0, :] = np.arange(len(h) + 1)
    for i in range(1, len(r) + 1):
        for j in range(1, len(h) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (r[i - 1] != h[j - 1]))
    return float(d[len(r), len(h)]) / max(1, len(r))


def mono(text: str, voice: str = "en-us+f3", speed: int = 150, lead_s: float = 0.5) -> np.ndarray:
    pad = np.zeros(int(lead_s * RATE), dtype=np.float32)
    return np.concatenate([pad, demo_module().say(text, voice, speed) * 0.8, pad])
