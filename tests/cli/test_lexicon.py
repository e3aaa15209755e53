"""`assist lexicon check|show`: exit codes and one-line errors naming file, rule and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "engine" / "data" / "mini.toml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assist", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"ASSIST_CONFIG": "/nonexistent/assist.toml", "PATH": "/usr/bin:/bin",
                               "HOME": str(ROOT)}, timeout=120)


def test_check_shipped_lexicons_ok() -> None:
    r = run("lexicon", "check", "en", "he", "lexicon/en.toml")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3 and all(": ok — " in x for x in lines)
    assert "12 categories (en)" in lines[0] and "12 categories (he)" in lines[1]


def test_check_bad_regex_exit_2_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace('patterns = ["no"]', 'patterns = ["no ("]'),
                   encoding="utf-8")
    r = run("lexicon", "check", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert str(bad) in line and "rule 't.no'" in line and "field 'patterns'" in line and "bad regex" in line
    assert "Traceback" not in r.stderr


def test_check_reports_every_file_and_fails_if_any_is_bad(tmp_path: Path) -> None:
    dup = tmp_path / "dup.toml"
    text = MINI.read_text(encoding="utf-8")
    dup.write_text(text + text[text.index("[[rules]]"):text.index("[[rules]]", text.index("[[rules]]") + 1)],
                   encoding="utf-8")
    r = run("lexicon", "check", "en", str(dup), str(tmp_path / "missing.toml"))
    assert r.returncode == 2
    assert ": ok — " in r.stdout
    err = r.stderr.strip().splitlines()
    assert len(err) == 2 and "duplicate id" in err[0] and "field 'id'" in err[0] and "no such file" in err[1]


def test_unknown_language_and_show() -> None:
    r = run("lexicon", "check", "xx")
    assert r.returncode == 2 and "no such lexicon" in r.stderr
    r = run("lexicon", "show", "he")
    assert r.returncode == 0 and "he.no.sentence-start" in r.stdout


def test_analyze_with_broken_custom_lexicon_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta]\nlanguage = 'en'\n[[rules]]\nid = 'a'\ncategory = 'jargon'\npatterns = ['x']\n",
                   encoding="utf-8")
    r = run("analyze", "examples/support-call.txt", "--lexicon", str(bad), "--no-semantic")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(bad) in r.stderr and "rule 'a'" in r.stderr and "missing suggestion" in r.stderr


def test_lexicon_test_measures_a_custom_lexicon(tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text(
        '{"id": "a", "lang": "en", "speaker": "agent", "text": "That is not my job.", "labels": ["not-my-job"], "kind": "seed"}\n'
        '{"id": "b", "lang": "en", "speaker": "agent", "text": "Not my area, sorry.", "labels": ["not-my-job"], "kind": "variant"}\n'
        '{"id": "c", "lang": "he", "speaker": "agent", "text": "זה לא התפקיד שלי", "labels": ["not-my-job"], "kind": "seed"}\n',
        encoding="utf-8")
    r = run("lexicon", "test", str(MINI), "--devset", str(dev), "--errors")
    assert r.returncode == 0, r.stderr
    row = next(x for x in r.stdout.splitlines() if x.startswith("not-my-job"))
    assert row.split()[1:4] == ["1", "0", "1"], "tp fp fn: the mini lexicon misses 'not my area'"
    assert "2 rows" in r.stdout and "Not my area, sorry." in r.stdout
    r = run("lexicon", "test", "he", "--devset", str(tmp_path / "none.jsonl"))
    assert r.returncode == 2 and "no such file" in r.stderr
    only_he = tmp_path / "he.jsonl"
    only_he.write_text(dev.read_text(encoding="utf-8").splitlines()[2] + "\n", encoding="utf-8")
    r = run("lexicon", "test", str(MINI), "--devset", str(only_he))
    assert r.returncode == 2 and "no lines in language 'en'" in r.stderr
