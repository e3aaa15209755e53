"""`assist history`: list, filter, json, show one call, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from assist.store import open_store
from tests.cli.test_report import BAD, GOOD, coach

ROOT = Path(__file__).resolve().parents[2]


def assist(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {"ASSIST_CONFIG": "/nonexistent/assist.toml", "ASSIST_DATA_DIR": str(data), "PATH": os.environ["PATH"],
           "HOME": str(data), "COLUMNS": "140"}
    return subprocess.run([sys.executable, "-m", "assist", "history", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)


def _fill(data: Path) -> list[int]:
    t0 = datetime(2026, 11, 20, 10, 0)
    with open_store(str(data / "history.sqlite3")) as s:
        return [s.save_call(coach(GOOD, "Dana", "good.wav"), kind="replay", created_at=t0),
                s.save_call(coach(BAD, "Omar", "bad.wav"), kind="batch", created_at=t0 + timedelta(days=1)),
                s.save_call(coach(GOOD, "Dana", "rp.txt"), kind="roleplay", scenario="refund-angry",
                            created_at=t0 + timedelta(days=2))]


def test_list_filter_and_show(tmp_path: Path) -> None:
    good, bad, rp = _fill(tmp_path)  # the default store: SQLite in the data dir
    r = assist(data=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "3 calls" in lines[0]
    body = "\n".join(lines)
    assert body.index("rp.txt") < body.index("bad.wav") < body.index("good.wav")  # newest first
    assert "refund-angry" in body and "2026-11-21 10:00" in body

    js = json.loads(assist("--format", "json", "--agent", "Dana", data=tmp_path).stdout)
    assert [c["id"] for c in js["calls"]] == [rp, good]
    assert js["calls"][0]["scenario"] == "refund-angry" and js["calls"][0]["kind"] == "roleplay"
    js = json.loads(assist("--format", "json", "--since", "2026-11-21", "--kind", "batch", data=tmp_path).stdout)
    assert [c["id"] for c in js["calls"]] == [bad]
    assert len(json.loads(assist("--format", "json", "--limit", "1", data=tmp_path).stdout)["calls"]) == 1

    md = assist("--show", str(bad), "--format", "md", data=tmp_path)
    assert md.returncode == 0 and md.stdout.startswith("# Call report — bad.wav") and "not-my-job" in md.stdout
    page = tmp_path / "bad.html"
    assert assist("--show", str(bad), "--format", "html", "-o", str(page), data=tmp_path).returncode == 0
    assert "<svg class='timeline'" in page.read_text()
    full = json.loads(assist("--show", str(good), "--format", "json", data=tmp_path).stdout)
    assert full["schema"] == "assist.report/1" and full["call"]["agent_name"] == "Dana"
    summary = assist("--show", str(good), data=tmp_path)
    assert summary.returncode == 0 and "Checklist" in summary.stdout


def test_errors_are_one_line(tmp_path: Path) -> None:
    for args, msg in ((["--show", "42"], "no call"), (["--since", "soon"], "not a date"),
                      (["--format", "html"], "needs --show"), (["--limit", "0"], "--limit"),
                      (["--db", "nosuch://x"], "--db")):
        r = assist(*args, data=tmp_path)
        assert r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)


def test_empty_history(tmp_path: Path) -> None:
    r = assist("--format", "json", data=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["calls"] == []
    assert "no calls stored yet" in r.stderr and not (tmp_path / "history.sqlite3").exists()  # read-only
