"""`assist report` (team report) and the per-call HTML scorecard.

Calls are coached by the real engine from varied transcripts, stored (SQLite and a real
PostgreSQL), and the report's counts are checked against what the store holds. Both HTML pages are
opened in headless Chromium and screenshotted."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assist.engine.coach import analyze_utterances
from assist.engine.lexicon import load_lexicon
from assist.store import open_store
from assist.transcript import parse_txt
from tests.store.conftest import db_url, pg_server  # noqa: F401 - fixtures: SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

GOOD = ("AGENT: Thank you for calling Acme, this is {agent}. How can I help?\n"
        "CUSTOMER: My router keeps dropping and this is ridiculous.\n"
        "AGENT: I'm so sorry, I understand how frustrating that is.\n"
        "AGENT: I will call you back on Thursday by 3 pm with the engineer booked.\n")
BAD = ("AGENT: Hello.\n"
       "CUSTOMER: I was charged twice and this is the third time I am calling!\n"
       "AGENT: No, that's not my job. I'll see what I can do.\n"
       "AGENT: You have to call billing.\n")
MIXED = ("AGENT: Acme, {agent} speaking.\n"
         "CUSTOMER: My card 4111 1111 1111 1111 was charged twice.\n"
         "AGENT: No problem, I'll get back to you.\n")


def coach(text: str, agent: str, source: str) -> dict[str, Any]:
    lex = load_lexicon("en")
    tr = parse_txt(text.format(agent=agent), source)
    return analyze_utterances(tr.utterances, lex, company="Acme", agent_name=agent, semantic=None, source=source,
                              duration_s=tr.duration_s, timing=tr.timing)


def fill(url: str) -> list[dict[str, Any]]:
    """Nine calls, three agents, five days."""
    t0 = datetime(2026, 11, 16, 9, 0)
    plan = [("Dana", GOOD, 0), ("Dana", BAD, 1), ("Dana", GOOD, 3), ("Dana", MIXED, 4),
            ("Omar", BAD, 0), ("Omar", BAD, 2), ("Omar", MIXED, 4),
            ("Lea", GOOD, 1), ("Lea", MIXED, 3)]
    stored = []
    with open_store(url) as s:
        for i, (agent, script, day) in enumerate(plan):
            rep = coach(script, agent, f"call-{i:02d}.txt")
            s.save_call(rep, kind="batch" if i % 2 else "replay", agent_name=agent,
                        created_at=t0 + timedelta(days=day, minutes=i))
            stored.append(rep)
    return stored


def assist(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {"ASSIST_CONFIG": "/nonexistent/assist.toml", "ASSIST_DATA_DIR": str(data), "PATH": os.environ["PATH"],
           "HOME": str(data)}
    return subprocess.run([sys.executable, "-m", "assist", *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=120)


def test_report_counts_match_the_store(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    fill(db_url)
    r = assist("report", "--db", db_url, "--format", "json", data=tmp_path)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    with open_store(db_url) as s:
        calls = s.list_calls()
        reports = {c.id: s.get_report(c.id) for c in calls}
        assert rep["calls"] == len(calls) == 9
        for agent in ("Dana", "Omar", "Lea"):
            mine = s.list_calls(agent=agent)
            a = rep["by_agent"][agent]
            assert a["calls"] == len(mine)
            assert a["average_score"] == pytest.approx(sum(int(c.score or 0) for c in mine) / len(mine), abs=0.05)
    # flags per category, counted from the stored reports themselves
    expected: dict[str, int] = {}
    for r_ in reports.values():
        for e in r_["events"]:
            if e["type"] in ("flag", "cue"):
                expected[e["category"]] = expected.get(e["category"], 0) + 1
    assert {k: v["count"] for k, v in rep["by_category"].items()} == expected
    assert {"not-my-job", "vague-promise", "starts-with-no", "customer-frustration"} <= set(expected)
    # checklist rates: done / (done + missed)
    for item in ("greeting", "empathy", "callback"):
        st = [r_["checklist"][item]["status"] for r_ in reports.values()]
        done, missed = st.count("done"), st.count("missed")
        assert rep["checklist"][item]["done"] == done and rep["checklist"][item]["missed"] == missed
        assert rep["checklist"][item]["rate"] == pytest.approx(done / (done + missed), abs=0.001)
    assert len({t["date"] for t in rep["trend"]}) == 5
    assert len(rep["call_list"]) == 9 and {c["source"] for c in rep["call_list"]} == {f"call-{i:02d}.txt" for i in range(9)}
    # stored text is redacted: the card number in MIXED never reaches the store
    assert all("4111" not in json.dumps(r_) for r_ in reports.values())

    # filters
    only = json.loads(assist("report", "--db", db_url, "--format", "json", "--agent", "Omar", data=tmp_path).stdout)
    assert only["calls"] == 3 and list(only["by_agent"]) == ["Omar"]
    late = json.loads(assist("report", "--db", db_url, "--format", "json", "--since", "2026-11-19",
                             data=tmp_path).stdout)
    assert late["calls"] == 4  # days 3 and 4: Dana 2, Omar 1, Lea 1
    assert json.loads(assist("report", "--db", db_url, "--format", "json", "--agent", "Nobody",
                             data=tmp_path).stdout)["calls"] == 0


def test_markdown_and_csv(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    fill(url)
    md = assist("report", "--db", url, data=tmp_path)
    assert md.returncode == 0 and md.stdout.startswith("# Team report") and "| Dana | 4 |" in md.stdout
    low = md.stdout.split("## Listen to these first (lowest scores)")[1].split("##")[0]
    scores = [int(line.rsplit("|", 2)[1]) for line in low.splitlines() if line.startswith("| ") and "id" not in line]
    assert len(scores) == 9 and scores == sorted(scores)
    out = tmp_path / "team.csv"
    r = assist("report", "--db", url, "--format", "csv", "-o", str(out), data=tmp_path)
    assert r.returncode == 0 and r.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted(row["agent"] for row in rows) == ["Dana", "Lea", "Omar"]
    assert sum(int(row["calls"]) for row in rows) == 9
    assert {"greeting_rate", "empathy_rate", "callback_rate", "not-my-job"} <= set(rows[0])


@pytest.mark.parametrize("args,message", [
    (["--since", "yesterday"], "not a date"),
    (["--db", "nosuch://x"], "--db"),
    (["--format", "pdf"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    r = assist("report", *args, data=tmp_path)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_default_db_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    """A fresh install: the report of nothing, naming the file it looked for, and (read-only) no
    database created (issue 14)."""
    r = assist("report", "--format", "json", data=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["calls"] == 0 and out["db"].endswith("history.sqlite3")
    assert "no calls stored yet" in r.stderr and str(tmp_path / "history.sqlite3") in r.stderr
    assert not (tmp_path / "history.sqlite3").exists()


# ---------------------------------------------------------------------------- screenshots
def screenshot(html_file: Path, png: Path, tmp: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={tmp / 'chromium'}", f"--screenshot={png}", "--window-size=1200,1600",
                        html_file.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and png.exists(), r.stderr[-2000:]


def _png_facts(png: Path) -> tuple[int, int, int]:
    """(width, height, bytes) from the PNG header. A blank page of this size compresses to a few KB;
    a page with text and charts is far larger, so the byte count tells whether anything rendered."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    return w, h, len(data)


def _keep(png: Path) -> None:
    keep = os.environ.get("ASSIST_SCREENSHOTS")  # a folder to keep the pictures in, for looking at them
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)


def test_scorecard_screenshot(tmp_path: Path) -> None:
    from assist.redact import redact_report
    from assist.report import render

    rep = redact_report(coach(BAD + MIXED.replace("{agent}", "Omar"), "Omar", "calls/omar-0412.wav"))
    page = render(rep, "html")
    assert "<svg class='timeline'" in page and "<mark" in page and "http" not in page.replace(
        "http://www.w3.org/2000/svg", "")
    assert "Let me find the right person" in page  # the better line for not-my-job sits beside it
    assert "4111" not in page
    f = tmp_path / "scorecard.html"
    f.write_text(page, encoding="utf-8")
    png = tmp_path / "scorecard.png"
    screenshot(f, png, tmp_path)
    w, h, size = _png_facts(png)
    assert (w, h) == (1200, 1600) and size > 60_000, size
    _keep(png)


def test_team_report_screenshot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    fill(url)
    f = tmp_path / "team.html"
    r = assist("report", "--db", url, "--format", "html", "-o", str(f), data=tmp_path)
    assert r.returncode == 0, r.stderr
    page = f.read_text()
    assert page.count("<svg class='chart'") >= 4 and "<polyline" in page and "Flags per category" in page
    assert "Listen to these first" in page
    assert "<script" not in page and "src=" not in page  # self-contained
    png = tmp_path / "team-report.png"
    screenshot(f, png, tmp_path)
    w, h, size = _png_facts(png)
    assert (w, h) == (1200, 1600) and size > 60_000, size
    _keep(png)
