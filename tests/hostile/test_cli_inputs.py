"""Hostile input through the real command line (`python -m assist …`), one table row per case.

Every row asserts the exit code; for a refusal, ONE line on stderr that names the file (or the
setting) and the problem, nothing on stdout, no traceback; and that nothing already on disk was
lost or changed, nor anything created (a read-only command must not leave a database behind).

Add a row to CASES for each new hostile input. A row whose fix is not in yet carries `pending`:
it runs as a strict expected failure, so it turns red the day the fix lands and the marker must go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "engine" / "data" / "mini.toml"

Files = dict[str, "str | bytes | Callable[[Path], None]"]


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # "{tmp}" stands for the case's folder
    files: Files = field(default_factory=dict)  # made in {tmp} before the run: text, bytes, or a maker
    code: int = 2
    says: str = ""  # a fragment of the one-line message; "{tmp}" is formatted
    env: dict[str, str] = field(default_factory=dict)
    pending: str = ""  # not fixed yet: the reason (runs as a strict xfail)
    may_create: tuple[str, ...] = ()  # paths a successful run may add (relative to {tmp})
    timeout: float = 120.0  # a hang guard, not a speed test


def _six_channels(p: Path) -> None:
    import soundfile as sf

    t = np.arange(16000) / 16000
    sf.write(p, np.stack([0.3 * np.sin(2 * np.pi * (200 + 100 * i) * t) for i in range(6)], axis=1)
             .astype(np.float32), 16000)


def _sparse(size: int) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        with p.open("wb") as f:
            f.truncate(size)
    return make


def _lexicon(find: str, replace: str) -> str:
    text = MINI.read_text(encoding="utf-8")
    assert find in text
    return text.replace(find, replace)


GOOD_UTT = {"speaker": "agent", "text": "hello, this is Dana", "start": 0.0, "end": 1.0}
KEEP = "previous report, must survive\n"

CASES: list[Case] = [
    # ---------------------------------------------------------------- transcripts (issue 14: 2, 10)
    Case("json-nan-time", ("analyze", "{tmp}/t.json", "--format", "json", "--no-semantic", "-o", "{tmp}/keep.json"),
         {"t.json": json.dumps([GOOD_UTT, {"speaker": "customer", "text": "hi", "start": float("nan"), "end": 2}],
                               indent=1), "keep.json": KEEP},
         says="{tmp}/t.json:8: utterance 2: 'start' is nan"),
    Case("jsonl-infinity-time", ("analyze", "{tmp}/t.jsonl", "--format", "html", "--no-semantic"),
         {"t.jsonl": json.dumps(GOOD_UTT) + '\n{"speaker": "agent", "text": "x", "start": 1, "end": Infinity}\n'},
         says="{tmp}/t.jsonl:2: 'end' is inf"),
    Case("jsonl-negative-time", ("analyze", "{tmp}/t.jsonl", "--no-semantic"),
         {"t.jsonl": '{"speaker": "agent", "text": "x", "start": -4, "end": 1}\n'},
         says="{tmp}/t.jsonl:1: 'start' is negative"),
    Case("jsonl-reversed-time", ("analyze", "{tmp}/t.jsonl", "--no-semantic"),
         {"t.jsonl": '{"speaker": "agent", "text": "x", "start": 9, "end": 3}\n'},
         says="{tmp}/t.jsonl:1: 'end' (3) is before 'start' (9)"),
    Case("txt-supervisor-label", ("analyze", "{tmp}/t.txt", "--no-semantic"),
         {"t.txt": "AGENT: hello\nsupervisor: I'm listening in\n"},
         says="{tmp}/t.txt:2: unknown speaker label 'supervisor'"),
    Case("txt-supervisor-with-name", ("analyze", "{tmp}/t.txt", "--no-semantic"),
         {"t.txt": "AGENT: hello\nCUSTOMER: hi\nSupervisor Jim: let me take this\n"},
         says="{tmp}/t.txt:3: unknown speaker label 'Supervisor Jim'"),
    Case("txt-too-big", ("analyze", "{tmp}/dump.txt", "--no-semantic"), {"dump.txt": _sparse(21 * 2**20)},
         says="{tmp}/dump.txt: 21.0 MB, over the 20 MB limit"),
    # ---------------------------------------------------------------- lexicons (issue 14: 3)
    Case("lexicon-lookahead", ("lexicon", "check", "{tmp}/lex.toml"),
         {"lex.toml": _lexicon('patterns = ["no"]', 'patterns = ["no(?! problem)"]')},
         says="{tmp}/lex.toml: rule 't.no', field 'patterns': regex 'no(?! problem)': look-ahead (?!…) is not supported"),
    Case("lexicon-backreference", ("lexicon", "check", "{tmp}/lex.toml"),
         {"lex.toml": _lexicon('patterns = ["no"]', 'patterns = ["(no) \\\\1"]')},
         says="{tmp}/lex.toml: rule 't.no', field 'patterns'"),
    Case("lexicon-catastrophic-does-not-freeze",
         ("analyze", "{tmp}/t.txt", "--lexicon", "{tmp}/lex.toml", "--no-semantic", "--format", "json"),
         {"lex.toml": _lexicon('patterns = ["no"]', 'patterns = ["(a+)+$"]'), "t.txt": "AGENT: " + "a" * 40 + " b\n"},
         code=0, timeout=60),
    # ---------------------------------------------------------------- settings (issue 14: 11)
    Case("settings-unknown-engine", ("settings", "engine=kaldi"), {"config.toml": 'company = "Acme"\n'},
         says="setting 'engine' must be vosk or whisper", env={"ASSIST_CONFIG": "{tmp}/config.toml"}),
    Case("settings-path-is-a-folder", ("settings", "--show"), {"cfg/keep.txt": "x"},
         says="{tmp}/cfg: is a folder, not a settings file", env={"ASSIST_CONFIG": "{tmp}/cfg"}),
    Case("settings-file-with-bad-engine", ("analyze", "{tmp}/t.txt", "--no-semantic"),
         {"config.toml": 'engine = "kaldi"\n', "t.txt": "AGENT: hello\n"},
         says="{tmp}/config.toml: setting 'engine'", env={"ASSIST_CONFIG": "{tmp}/config.toml"}),
    # ---------------------------------------------------------------- store URLs (issue 14: 6)
    Case("db-colons", ("history", "--db", "::::"), says="'::::' is neither a database URL"),
    Case("db-host-port-typed-as-path", ("report", "--db", "localhost:5432/calls"), says="is neither a database URL"),
    Case("db-not-a-database-history", ("history", "--db", "{tmp}/notes.txt"), {"notes.txt": "shopping list\n" * 50},
         says="{tmp}/notes.txt: not a call history: the file is not an SQLite database"),
    Case("db-not-a-database-report", ("report", "--db", "{tmp}/notes.txt"), {"notes.txt": "shopping list\n" * 50},
         says="{tmp}/notes.txt: not a call history"),
    Case("db-a-folder", ("history", "--db", "{tmp}/dir"), {"dir/x": "x"}, says="{tmp}/dir: is a folder"),
    Case("db-missing-read-only-history", ("history", "--db", "sqlite:///{tmp}/nonexistent/dir/x.db"),
         says="{tmp}/nonexistent/dir/x.db: no call history here"),
    Case("db-missing-read-only-report", ("report", "--db", "sqlite:///{tmp}/nonexistent/dir/x.db"),
         says="{tmp}/nonexistent/dir/x.db: no call history here"),
    # ---------------------------------------------------------------- audio (issue 14: 10)
    Case("audio-six-channels", ("replay", "{tmp}/six.wav", "--format", "json", "--no-semantic"),
         {"six.wav": _six_channels}, says="{tmp}/six.wav: 6 audio channels"),
]


def _snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _params() -> list[object]:
    out: list[object] = []
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=c.pending)] if c.pending else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", _params())
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    tmp = tmp_path / "case"
    tmp.mkdir()
    for name, content in case.files.items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(p)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    before = _snapshot(tmp)

    def fmt(s: str) -> str:
        return s.replace("{tmp}", str(tmp))

    env = dict(os.environ)
    # Settings and data (the default call history) inside the case's folder, never the user's.
    env.update({"ASSIST_CONFIG": str(tmp_path / "no-settings.toml"), "ASSIST_DATA_DIR": str(tmp_path / "data"),
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    env.update({k: fmt(v) for k, v in case.env.items()})
    r = subprocess.run([sys.executable, "-m", "assist", *map(fmt, case.args)], cwd=tmp, env=env,
                       capture_output=True, text=True, timeout=case.timeout)

    assert r.returncode == case.code, f"exit {r.returncode}, stderr: {r.stderr[-2000:]}"
    assert "Traceback" not in r.stderr
    if case.code != 0:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, f"not one line: {r.stderr!r}"
        assert lines[0].startswith("assist: ") and fmt(case.says) in lines[0], lines[0]
        assert r.stdout == ""
    after = _snapshot(tmp)
    lost = {k for k, v in before.items() if after.get(k, b"<gone>") != v}
    assert not lost, f"changed or lost: {sorted(lost)}"
    new = set(after) - set(before) - {fmt(x) for x in case.may_create}
    assert not new, f"created: {sorted(new)}"
    assert not (tmp_path / "data").exists() or case.code == 0, "a failed run left a data folder behind"
