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
    absent: tuple[str, ...] = ()  # must be in neither stdout nor any file the run left (personal data)
    lines: int = 1  # stderr lines of a refusal (0: not checked — a batch lists each failed file)
    out_has: str = ""  # a successful run's stdout holds this


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


def _read_only(text: str) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        p.write_text(text, encoding="utf-8")
        p.chmod(0o444)
    return make


def _read_only_folder(p: Path) -> None:
    """A folder nobody may write into (the maker's path is the folder)."""
    p.mkdir()
    (p / "earlier.json").write_text(KEEP, encoding="utf-8")
    p.chmod(0o555)


def _lines(text: str, times: int) -> str:
    return text * times


def _scenario(find: str, replace: str) -> str:
    text = (ROOT / "lexicon" / "scenarios" / "double-billing.toml").read_text(encoding="utf-8")
    assert find in text
    return text.replace(find, replace)


# A customer's card number, e-mail addresses (written and spoken) and a phone number the recogniser
# split over two utterances (issue 14: 4, 5); none may leave the program in clear.
PII = ("AGENT: Thank you for calling Acme, this is Dana.\n"
       "CUSTOMER: My card is 4111 1111 1111 1111, mail dana dot cohen at example dot com.\n"
       "CUSTOMER: Or billing at acme dot biz. My phone is 054 -123.\n"
       "CUSTOMER: 4 5 6 7\n"
       "CUSTOMER: The other card is forty one eleven, eleven eleven, eleven eleven, eleven eleven.\n")
PII_SECRETS = ("4111 1111 1111 1111", "dana dot cohen", "cohen at example", "acme dot biz", "054 -123", "4 5 6 7",
               "forty one eleven")
HE_PII = "סוכן: שלום, מדברת דנה\nלקוח: הטלפון שלי אפס חמש ארבע, אחת שתיים שלוש, ארבע חמש שש שבע\n"
DEMO = (ROOT / "examples" / "demo-call.txt").read_text(encoding="utf-8")
ANSWERS = "Thank you for calling Acme Telecom, this is Dana.\nI understand. I will refund the second charge today.\n"

GOOD_UTT = {"speaker": "agent", "text": "hello, this is Dana", "start": 0.0, "end": 1.0}
KEEP = "previous report, must survive\n"

# The thirteen reproductions, and where each is a row (or, for the TUI, a test):
#  1 quadratic analysis: txt-16k-lines (linearity: tests/engine/test_coach_scaling.py, tests/test_transcript.py)
#  2 NaN/Infinity times: json-nan-time, jsonl-infinity-time, batch-one-nan-file-scores-the-rest
#  3 catastrophic regex: lexicon-catastrophic-does-not-freeze, lexicon-lookahead, scenario-*-commitment*
#  4 exports not redacted: pii-analyze-json, pii-analyze-summary (every path out: test_paths_out.py)
#  5 spoken / split personal data: pii-*, pii-hebrew-spoken-digits (the live log: test_paths_out.py)
#  6 store URLs: db-* (db-missing-read-only-* : nothing created)
#  7 batch on read-only storage: out-batch-read-only-folder, out-batch-under-read-only-folder
#  8 replay emptied -o before reading the input: audio-missing-keeps-output(-jsonl), audio-random-bytes
#  9 replay screen polluted the history: tests/hostile/test_replay_history.py (the TUI's save path)
# 10 speaker labels, six channels: txt-supervisor-*, txt-hebrew-labels, audio-six-channels*
# 11 settings: settings-unknown-engine, settings-path-is-a-folder, settings-file-with-bad-engine
# 12 internal names: txt-no-internal-seed-names (the 60x15 layout is tests/ui's)
# 13 "Not …" openers: txt-opens-with-not
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
    Case("audio-six-channels-pick-out-of-range", ("replay", "{tmp}/six.wav", "--channels", "0,9", "--format", "json",
                                                  "--no-semantic"),
         {"six.wav": _six_channels}, says="{tmp}/six.wav: channels 0,9: the file has 6 channel(s)"),
    Case("audio-six-channels-picked", ("replay", "{tmp}/six.wav", "--channels", "1,3", "--format", "json",
                                       "--no-semantic", "--engine", "whisper", "-o", "{tmp}/r.json"),
         {"six.wav": _six_channels}, code=0, may_create=("r.json",)),
    Case("audio-six-channels-batch-pick-out-of-range",
         ("batch", "{tmp}/six.wav", "--channels", "0,7", "--out", "{tmp}/out", "--no-semantic", "--workers", "1",
          "--db", "{tmp}/h.db"),
         {"six.wav": _six_channels}, code=1, lines=0, says="{tmp}/six.wav: channels 0,7: the file has 6 channel(s)",
         may_create=("out", "out/summary.json", "h.db", "h.db-wal", "h.db-shm")),
    Case("audio-channels-not-a-pair", ("replay", "{tmp}/six.wav", "--channels", "2,2", "--format", "json"),
         {"six.wav": _six_channels}, says="argument --channels: expected two different channel numbers"),
    Case("audio-missing-keeps-output", ("replay", "{tmp}/MISSING.wav", "--format", "json", "-o", "{tmp}/keep.json"),
         {"keep.json": KEEP}, says="{tmp}/MISSING.wav: no such file"),  # issue 14: 8
    Case("audio-missing-keeps-output-jsonl", ("replay", "{tmp}/MISSING.wav", "--realtime", "--format", "jsonl", "-o",
                                              "{tmp}/keep.jsonl"),
         {"keep.jsonl": KEEP}, says="{tmp}/MISSING.wav: no such file"),
    Case("audio-random-bytes", ("replay", "{tmp}/noise.wav", "--format", "json", "-o", "{tmp}/keep.json"),
         {"noise.wav": bytes(range(256)) * 64, "keep.json": KEEP}, says="{tmp}/noise.wav: cannot decode audio"),
    Case("audio-is-a-folder", ("replay", "{tmp}/calls.wav", "--format", "md"), {"calls.wav/x": "x"},
         says="{tmp}/calls.wav"),
    Case("live-source-missing", ("live", "--source", "{tmp}/gone.wav"), says="{tmp}/gone.wav: no such file"),
    # ---------------------------------------------------------------- output paths (issue 14: 7, 8)
    Case("out-analyze-is-a-folder", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "json", "-o", "{tmp}/o"),
         {"t.txt": "AGENT: hello\n", "o/earlier.json": KEEP}, says="{tmp}/o: is a folder, not an output file"),
    Case("out-analyze-read-only-file", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "md", "-o",
                                        "{tmp}/keep.md"),
         {"t.txt": "AGENT: hello\n", "keep.md": _read_only(KEEP)}, says="{tmp}/keep.md: is read-only"),
    Case("out-analyze-unwritable-folder", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "html", "-o",
                                           "{tmp}/ro/r.html"),
         {"t.txt": "AGENT: hello\n", "ro": _read_only_folder}, says="{tmp}/ro/r.html: cannot write: the folder"),
    Case("out-analyze-no-such-folder", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "json", "-o",
                                        "{tmp}/nowhere/r.json"),
         {"t.txt": "AGENT: hello\n"}, says="{tmp}/nowhere/r.json: cannot write: no folder"),
    Case("out-analyze-bad-input-keeps-output", ("analyze", "{tmp}/t.txt", "--format", "html", "-o", "{tmp}/keep.html"),
         {"t.txt": "AGENT: hello\nBOSS: hi\n", "keep.html": KEEP}, says="{tmp}/t.txt:2: unknown speaker label"),
    Case("out-replay-is-a-folder", ("replay", "{tmp}/six.wav", "--format", "json", "-o", "{tmp}/o"),
         {"six.wav": _six_channels, "o/x": "x"}, says="{tmp}/o: is a folder, not an output file"),
    Case("out-replay-read-only-file", ("replay", "{tmp}/six.wav", "--format", "jsonl", "-o", "{tmp}/keep.jsonl"),
         {"six.wav": _six_channels, "keep.jsonl": _read_only(KEEP)}, says="{tmp}/keep.jsonl: is read-only"),
    Case("out-demo-is-a-folder", ("demo", "--format", "json", "-o", "{tmp}/o"), {"o/x": "x"},
         says="{tmp}/o: is a folder, not an output file"),
    Case("out-demo-read-only-file", ("demo", "--format", "md", "-o", "{tmp}/keep.md"), {"keep.md": _read_only(KEEP)},
         says="{tmp}/keep.md: is read-only"),
    Case("out-batch-read-only-folder", ("batch", "{tmp}/t.txt", "--out", "{tmp}/ro", "--no-semantic"),
         {"t.txt": "AGENT: hello\n", "ro": _read_only_folder}, says="{tmp}/ro: the output folder is read-only"),
    Case("out-batch-is-a-file", ("batch", "{tmp}/t.txt", "--out", "{tmp}/keep.json", "--no-semantic"),
         {"t.txt": "AGENT: hello\n", "keep.json": KEEP}, says="{tmp}/keep.json: is a file, not a output folder"),
    Case("out-batch-under-read-only-folder", ("batch", "{tmp}/t.txt", "--out", "{tmp}/ro/new/out", "--no-semantic"),
         {"t.txt": "AGENT: hello\n", "ro": _read_only_folder}, says="{tmp}/ro/new/out: cannot create the folder"),
    Case("out-batch-missing-input-creates-nothing", ("batch", "{tmp}/gone", "--out", "{tmp}/out"),
         says="{tmp}/gone: no such file or folder"),
    Case("out-report-is-a-folder", ("report", "--format", "json", "-o", "{tmp}/o"), {"o/x": "x"},
         says="{tmp}/o: is a folder, not an output file"),
    Case("out-history-read-only-file", ("history", "--format", "json", "-o", "{tmp}/keep.json"),
         {"keep.json": _read_only(KEEP)}, says="{tmp}/keep.json: is read-only"),
    Case("out-roleplay-read-only-file", ("roleplay", "double-billing", "--responses", "{tmp}/a.txt", "--format", "md",
                                         "-o", "{tmp}/keep.md", "--save", "--db", "{tmp}/h.db"),
         {"a.txt": ANSWERS, "keep.md": _read_only(KEEP)}, says="{tmp}/keep.md: is read-only"),
    # ---------------------------------------------------------------- privacy (issue 14: 4, 5)
    Case("pii-analyze-json", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "json", "-o", "{tmp}/r.json"),
         {"t.txt": PII}, code=0, may_create=("r.json",), absent=PII_SECRETS),
    Case("pii-analyze-summary", ("analyze", "{tmp}/t.txt", "--no-semantic"), {"t.txt": PII}, code=0,
         absent=PII_SECRETS),
    Case("pii-hebrew-spoken-digits", ("analyze", "{tmp}/t.txt", "--no-semantic", "--lexicon", "he", "--format", "json"),
         {"t.txt": HE_PII}, code=0, absent=("אפס חמש ארבע", "ארבע חמש שש שבע"), out_has="[phone]"),
    # ---------------------------------------------------------------- transcripts, more (issue 14: 1, 10, 12, 13)
    # 16,000 lines as a hang guard through the command line; linear time itself is proved where it is
    # built (tests/engine/test_coach_scaling.py, tests/test_transcript.py), its figure in benchmarks/
    Case("txt-16k-lines", ("analyze", "{tmp}/big.txt", "--no-semantic", "--format", "json", "-o", "{tmp}/r.json"),
         {"big.txt": _lines(DEMO, 1067)}, code=0, may_create=("r.json",), timeout=120),
    Case("txt-hebrew-labels", ("analyze", "{tmp}/t.txt", "--no-semantic", "--lexicon", "he", "--format", "json"),
         {"t.txt": "סוכן: שלום, מדברת דנה\nלקוח: היי, יש לי בעיה\n"}, code=0, out_has='"speaker": "customer"'),
    Case("txt-no-internal-seed-names", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "md"), {"t.txt": DEMO},
         code=0, absent=("Seed tip", "Seed 0"), out_has="Service guide"),
    Case("txt-opens-with-not", ("analyze", "{tmp}/t.txt", "--no-semantic", "--format", "json"),
         {"t.txt": "AGENT: Not possible today, I'm afraid.\nCUSTOMER: oh\nAGENT: Not on this plan, sorry.\n"},
         code=0, out_has='"category": "starts-with-no"'),
    Case("txt-is-a-folder", ("analyze", "{tmp}/t.txt", "--no-semantic"), {"t.txt/x": "x"}, says="{tmp}/t.txt"),
    Case("txt-latin1", ("analyze", "{tmp}/t.txt", "--no-semantic"), {"t.txt": "AGENT: caf\xe9\n".encode("latin-1")},
         says="{tmp}/t.txt"),
    Case("batch-one-nan-file-scores-the-rest", ("batch", "{tmp}/in", "--out", "{tmp}/out", "--no-semantic", "--workers",
                                                "1", "--db", "{tmp}/h.db"),
         {"in/bad.json": json.dumps([{"speaker": "agent", "text": "x", "start": float("nan"), "end": 1}]),
          "in/good.txt": "AGENT: hello\n"},
         code=1, says="{tmp}/in/bad.json", lines=0,
         may_create=("out", "out/good.json", "out/good.html", "out/summary.json", "h.db", "h.db-wal", "h.db-shm")),
    # ---------------------------------------------------------------- role-play scenarios, lexicons (issue 14: 3)
    Case("scenario-lookahead-commitment", ("roleplay", "{tmp}/s/double-billing.toml", "--responses", "{tmp}/a.txt"),
         {"s/double-billing.toml": _scenario('commitments = ["', 'commitments = ["refund(?! later)|'), "a.txt": ANSWERS},
         says="{tmp}/s/double-billing.toml: field 'goals.commitments[0]': regex"),
    Case("scenario-catastrophic-commitment-does-not-freeze",
         ("roleplay", "{tmp}/s/double-billing.toml", "--responses", "{tmp}/a.txt", "--format", "json", "--no-semantic"),
         {"s/double-billing.toml": _scenario('commitments = ["', 'commitments = ["(a+)+$|'),
          "a.txt": "a" * 40 + " b\n" + ANSWERS}, code=0, timeout=60),
    Case("scenario-missing-responses", ("roleplay", "double-billing", "--responses", "{tmp}/gone.txt"),
         says="{tmp}/gone.txt: no such file"),
    Case("roleplay-db-not-a-database", ("roleplay", "double-billing", "--responses", "{tmp}/a.txt", "--save", "--db",
                                        "{tmp}/notes.txt", "--format", "json", "--no-semantic"),
         {"a.txt": ANSWERS, "notes.txt": "shopping list\n"}, code=1, lines=0, says="{tmp}/notes.txt"),
    Case("lexicon-is-a-folder", ("lexicon", "check", "{tmp}/lex"), {"lex/x.toml": "x"}, says="{tmp}/lex"),
    Case("lexicon-missing-for-analyze", ("analyze", "{tmp}/t.txt", "--lexicon", "{tmp}/gone.toml"),
         {"t.txt": "AGENT: hello\n"}, says="{tmp}/gone.toml"),
    Case("lexicon-test-devset-garbage", ("lexicon", "test", "en", "--devset", "{tmp}/dev.jsonl"),
         {"dev.jsonl": "not json\n"}, says="{tmp}/dev.jsonl"),
    Case("models-unknown", ("models", "path", "no-such-model"), says="unknown model 'no-such-model'"),
    Case("settings-bad-toml", ("settings", "--show"), {"config.toml": "company = \n"}, says="{tmp}/config.toml",
         env={"ASSIST_CONFIG": "{tmp}/config.toml"}),
    # `devices` reads no file (what it finds depends on the machine): only its usage can be hostile
    Case("devices-unknown-option", ("devices", "--all-of-them"), says="unrecognized arguments: --all-of-them"),
    Case("db-colons-batch", ("batch", "{tmp}/t.txt", "--out", "{tmp}/out", "--db", "::::"),
         {"t.txt": "AGENT: hello\n"}, says="'::::' is neither a database URL"),
    Case("db-a-folder-report", ("report", "--db", "{tmp}/dir"), {"dir/x": "x"}, says="{tmp}/dir: is a folder"),
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
    if case.code != 0 and case.lines:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == case.lines, f"not one line: {r.stderr!r}"
        assert lines[0].startswith("assist: ") and fmt(case.says) in lines[0], lines[0]
        assert r.stdout == ""
    elif case.code != 0:
        assert fmt(case.says) in r.stderr, r.stderr
    if case.out_has:
        assert case.out_has in r.stdout, r.stdout[-2000:]
    after = _snapshot(tmp)
    if case.absent:
        left = [r.stdout] + [v.decode("utf-8", "replace") for k, v in after.items()
                             if v is not None and k not in before]  # what the run wrote (inputs hold the data)
        found = [a for a in case.absent if any(a in text for text in left)]
        assert not found, f"in clear: {found}"
    lost = {k for k, v in before.items() if after.get(k, b"<gone>") != v}
    assert not lost, f"changed or lost: {sorted(lost)}"
    new = set(after) - set(before) - {fmt(x) for x in case.may_create}
    assert not new, f"created: {sorted(new)}"
    assert not (tmp_path / "data").exists() or case.code == 0, "a failed run left a data folder behind"
