"""`assist roleplay`: the scenario list, scripted play (json / md), the call history, and one-line
errors with exit code 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "roleplay" / "data"


def run(*args: str, home: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assist", "roleplay", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180,
                          env={"ASSIST_CONFIG": "/nonexistent/assist.toml", "PATH": "/usr/bin:/bin",
                               "HOME": str(home), "ASSIST_DATA_DIR": str(home / "data")})


def test_list_json() -> None:
    r = run("--list", "--format", "json")
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    ids = {x["id"] for x in items}
    assert {"double-billing", "outage-callback", "refund-outside-policy", "confused-older-caller",
            "manager-escalation", "polite-address-change", "he-double-billing", "he-outage-callback"} <= ids
    assert all({"id", "title", "language"} <= set(x) for x in items)
    assert {x["language"] for x in items} == {"en", "he"}
    r = run("--list")
    assert r.returncode == 0 and "double-billing" in r.stdout


def test_scripted_json_has_score_and_the_report_contract(tmp_path: Path) -> None:
    r = run("double-billing", "--responses", str(DATA / "double-billing.bad.txt"), "--format", "json",
            "--agent-name", "Dana", home=tmp_path)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["schema"] == "assist.report/1" and isinstance(rep["score"], int)
    assert rep["call"]["kind"] == "roleplay" and rep["call"]["scenario"] == "double-billing"
    assert rep["call"]["agent_name"] == "Dana"
    assert rep["roleplay"]["outcome"] == "hangup"
    flags = [e for e in rep["events"] if e["type"] == "flag"]
    assert {"starts-with-no", "not-my-job"} <= {e["category"] for e in flags}
    assert all(e["suggestion"] for e in flags if e["detector"] == "lexical")
    good = json.loads(run("double-billing", "--responses", str(DATA / "double-billing.good.txt"), "--format",
                          "json", "--agent-name", "Dana", home=tmp_path).stdout)
    assert good["score"] - rep["score"] >= 30


def test_markdown_and_history_improvement(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    r = run("outage-callback", "--responses", str(DATA / "outage-callback.bad.txt"), "--format", "md",
            "--save", "--db", str(db), "--agent-name", "Dana", "--no-semantic", home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Role-play debrief — Internet outage that needs a callback")
    assert "First recorded attempt at this scenario." in r.stdout
    out = tmp_path / "debrief.md"
    r = run("outage-callback", "--responses", str(DATA / "outage-callback.good.txt"), "--format", "md",
            "--save", "--db", str(db), "--agent-name", "Dana", "-o", str(out), "--no-semantic",
            home=tmp_path)
    assert r.returncode == 0, r.stderr
    md = out.read_text(encoding="utf-8")
    assert "## Since last time" in md and "callback: done this time (was missed)." in md
    assert "Fewer 'starts-with-no' flags" in md


def _one_line_exit_2(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_broken_scenario_file_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    src = (ROOT / "lexicon" / "scenarios" / "double-billing.toml").read_text(encoding="utf-8")
    bad = tmp_path / "double-billing.toml"
    bad.write_text(src.replace('mood = "angry"', 'mood = "grumpy"'), encoding="utf-8")
    answers = DATA / "double-billing.good.txt"
    _one_line_exit_2(run(str(bad), "--responses", str(answers)), str(bad), "field 'persona.mood'", "grumpy")
    _one_line_exit_2(run("--list", "--scenario-dir", str(tmp_path)), str(bad), "persona.mood")
    bad.write_text(src.replace("[goals]", "[goals\n"), encoding="utf-8")
    _one_line_exit_2(run(str(bad), "--responses", str(answers)), str(bad), "invalid TOML")


def test_bad_input(tmp_path: Path) -> None:
    _one_line_exit_2(run("no-such-scenario", "--responses", str(DATA / "double-billing.good.txt")),
                     "no such scenario 'no-such-scenario'")
    _one_line_exit_2(run("double-billing", "--responses", str(tmp_path / "missing.txt")), "missing.txt", "no such file")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# only a note\n", encoding="utf-8")
    _one_line_exit_2(run("double-billing", "--responses", str(empty)), "empty.txt", "no answers")
    _one_line_exit_2(run(), "give a SCENARIO")
    _one_line_exit_2(run("he-double-billing", "--responses", str(DATA / "double-billing.good.txt"), "--lexicon", "en"),
                     "scenario 'he-double-billing' is in 'he' but lexicon en.toml is 'en'")
    _one_line_exit_2(run("double-billing", "--format", "json"), "--format needs --responses")


def test_a_history_that_cannot_take_the_attempt_is_said_and_fails_the_run(tmp_path: Path) -> None:
    r = run("double-billing", "--responses", str(DATA / "double-billing.good.txt"), "--format", "json", "--save",
            "--db", "sqlite:////proc/assist-no-such-dir/history.sqlite3", "--no-semantic", home=tmp_path)
    assert r.returncode == 1
    assert json.loads(r.stdout)["roleplay"]["outcome"] == "satisfied"  # the debrief is still there
    assert "could not save the role-play to the call history" in r.stderr and r.stderr.count("\n") <= 2
