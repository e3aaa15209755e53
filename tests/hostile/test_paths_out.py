"""Every path out of the program, checked for personal data (issue 14, docs/privacy.md).

A transcript in which a customer gives a card number (written and spoken in pairs), e-mail
addresses (written and spoken) and a phone number the recogniser split over two utterances goes
through each command and writer that leaves something behind: analyze and replay exports (json,
md, html, jsonl), batch reports, summary and call history, the live transcript log, the reports a
screen saves, the role-play debrief and its stored attempt. None may hold the data in clear; with
`--no-redact` (where the command has it) they do, so each check can fail.

Replay's recogniser is replaced by the transcript here (a unit test of the command layer: what
the recogniser hears is the speech tests' business, what the command writes is this one's).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assist import cli
from assist.errors import InputError
from assist.session.messages import CallStarted, FinalUtterance, Sink
from assist.transcript import Utterance

ROOT = Path(__file__).resolve().parents[2]

PII_CALL = """\
AGENT: Thank you for calling Acme, this is Dana. How can I help you today?
CUSTOMER: Hi, I want to pay the bill. My card is 4111 1111 1111 1111.
AGENT: Thanks. And where should the receipt go?
CUSTOMER: To dana.cohen@example.com please, or billing at acme dot biz.
AGENT: And a phone number?
CUSTOMER: My phone is 054 -123.
CUSTOMER: 4 5 6 7
CUSTOMER: The other card is forty one eleven, eleven eleven, eleven eleven, eleven eleven.
AGENT: No, I will call you back on Thursday before noon.
"""
# What must never come out in clear (as written, and as JSON writes it)
SECRETS = ("4111 1111 1111 1111", "dana.cohen@example.com", "acme dot biz", "054 -123", "4 5 6 7",
           "forty one eleven")


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def assert_clean(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    assert not leaked(text), f"{path.name} holds {leaked(text)}"


@pytest.fixture
def call_txt(tmp_path: Path) -> Path:
    p = tmp_path / "call.txt"
    p.write_text(PII_CALL, encoding="utf-8")
    return p


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings and data inside the test's folder, for in-process runs."""
    monkeypatch.setenv("ASSIST_CONFIG", str(tmp_path / "no-settings.toml"))
    monkeypatch.setenv("ASSIST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def env(tmp: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update({"ASSIST_CONFIG": str(tmp / "no-settings.toml"), "ASSIST_DATA_DIR": str(tmp / "data"),
              "PYTHONPATH": str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")})
    return e


def assist(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A separate process (batch: its workers set thread counts process-wide)."""
    return subprocess.run([sys.executable, "-m", "assist", *args], cwd=tmp, env=env(tmp), capture_output=True,
                          text=True, timeout=300)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`assist ARGS` in this process (as fast as a test can be; `home` points settings and data at
    the test's folder), with what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def db_text(db: Path) -> str:
    """Everything the SQLite file (and its write-ahead log) holds, as text."""
    return "".join(p.read_bytes().decode("utf-8", errors="replace") for p in db.parent.glob(db.name + "*"))


# ---------------------------------------------------------------------------------------- analyze
@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_analyze_exports_are_redacted(fmt: str, call_txt: Path, tmp_path: Path, home: Path) -> None:
    out = tmp_path / f"r.{fmt}"
    r = run("analyze", str(call_txt), "--no-semantic", "--format", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert_clean(out)
    assert "[card]" in out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8"))["call"]["redacted"] is True
    clear = tmp_path / f"clear.{fmt}"
    r = run("analyze", str(call_txt), "--no-semantic", "--format", fmt, "-o", str(clear), "--no-redact")
    assert r.returncode == 0, r.stderr
    assert set(leaked(clear.read_text(encoding="utf-8"))) >= {"4111 1111 1111 1111", "dana.cohen@example.com"}


def test_analyze_summary_and_stdout_are_redacted(call_txt: Path, home: Path) -> None:
    for args in ((), ("--format", "json")):
        r = run("analyze", str(call_txt), "--no-semantic", *args)
        assert r.returncode == 0 and not leaked(r.stdout), (args, leaked(r.stdout))


# ---------------------------------------------------------------------------------------- replay
def _fake_recording(monkeypatch: pytest.MonkeyPatch, *, fail_after: int | None = None) -> None:
    """score_recording that 'hears' the transcript named as the recording, through the real coach."""
    from assist.session import scoring

    def fake(spec: Any, path: str | Path, *, sink: Sink | None = None, semantic: Any = None) -> dict[str, Any]:
        report = scoring.score_transcript(spec, path)
        if sink is not None:
            sink(CallStarted(engine="fake", model="transcript", realtime=False, source=str(path)))
            for i, u in enumerate(report["utterances"]):
                if fail_after is not None and i == fail_after:
                    raise InputError("cannot decode audio past 0:12", path)
                sink(FinalUtterance(Utterance.from_dict(u, i)))
        elif fail_after is not None:
            raise InputError("cannot decode audio past 0:12", path)
        return report

    monkeypatch.setattr(scoring, "score_recording", fake)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "md", "html"])
def test_replay_exports_are_redacted(fmt: str, call_txt: Path, tmp_path: Path, home: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_recording(monkeypatch)
    out = tmp_path / f"r.{fmt}"
    assert cli.main(["replay", str(call_txt), "--no-semantic", "--format", fmt, "-o", str(out)]) == 0
    assert_clean(out)
    text = out.read_text(encoding="utf-8")
    assert "[phone]" in text
    if fmt == "jsonl":
        lines = [json.loads(x) for x in text.splitlines()]
        utts = [x for x in lines if x["type"] == "utterance"]
        assert len(utts) == PII_CALL.count("\n"), "an utterance held back for a split number was lost"
        assert lines[-1]["type"] == "end" and lines[-1]["report"]["call"]["redacted"] is True
    clear = tmp_path / f"clear.{fmt}"
    assert cli.main(["replay", str(call_txt), "--no-semantic", "--format", fmt, "-o", str(clear), "--no-redact"]) == 0
    assert "4111 1111 1111 1111" in clear.read_text(encoding="utf-8")


def test_replay_that_fails_half_way_leaves_the_earlier_output(call_txt: Path, tmp_path: Path, home: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 14 (8): the output was opened (emptied) before the recording was read; now it is
    written to a temporary file and renamed only when the run succeeds."""
    _fake_recording(monkeypatch, fail_after=4)
    for fmt in ("jsonl", "json"):
        keep = tmp_path / f"keep.{fmt}"
        keep.write_text("earlier report\n", encoding="utf-8")
        assert cli.main(["replay", str(call_txt), "--no-semantic", "--format", fmt, "-o", str(keep)]) == 2
        assert keep.read_text(encoding="utf-8") == "earlier report\n"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("cannot decode audio" in e for e in err)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], "a temporary file was left"


# ---------------------------------------------------------------------------------------- batch
def test_batch_reports_summary_and_history_are_redacted(call_txt: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    r = assist(tmp_path, "batch", str(call_txt), "--out", str(tmp_path / "out"), "--db", str(db), "--no-semantic",
               "--workers", "1")
    assert r.returncode == 0, r.stderr
    outs = sorted((tmp_path / "out").iterdir())
    assert {p.name for p in outs} == {"call.json", "call.html", "summary.json"}
    for p in outs:
        assert_clean(p)
    assert not leaked(db_text(db)) and "[card]" in db_text(db)
    db2 = tmp_path / "clear.sqlite3"
    r = assist(tmp_path, "batch", str(call_txt), "--out", str(tmp_path / "clear"), "--db", str(db2),
               "--no-semantic", "--workers", "1", "--no-redact")
    assert r.returncode == 0, r.stderr
    assert "4111 1111 1111 1111" in (tmp_path / "clear" / "call.json").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------- live / screens
def _report(call_txt: Path, **spec_kw: Any) -> tuple[dict[str, Any], Any]:
    from assist.config import Config
    from assist.session.scoring import score_transcript
    from assist.session.spec import CallOptions, resolve_spec

    spec = resolve_spec(CallOptions(source=str(call_txt), semantic=False, **spec_kw), Config())
    return score_transcript(spec, call_txt), spec


def test_live_transcript_log_is_redacted_across_utterances(call_txt: Path, tmp_path: Path) -> None:
    """The log is written while the call runs, one utterance at a time: a number split by the
    recogniser ("054 -123." / "4 5 6 7") is still caught, and nothing held back is lost."""
    from assist.session.outputs import TranscriptLog

    report, _ = _report(call_txt)
    for redact, path in ((True, tmp_path / "r.transcript.jsonl"), (False, tmp_path / "c.transcript.jsonl")):
        log = TranscriptLog(path, redact=redact)
        for i, u in enumerate(report["utterances"]):
            log.utterance(Utterance.from_dict(u, i))
        log.close()
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        # an utterance ending in a number may come one line late (held for its speaker's next), never lost
        assert sorted(x["index"] for x in lines) == list(range(len(report["utterances"])))
        if redact:
            assert_clean(path)
        else:
            assert "054 -123" in path.read_text(encoding="utf-8")


def test_screen_saved_reports_and_their_history_row_are_redacted(call_txt: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from assist.session.outputs import save_report

    report, spec = _report(call_txt, store_url=str(tmp_path / "h.sqlite3"))
    spec = replace(spec, reports_dir=tmp_path / "reports")
    saved = save_report(report, spec, "call", kind="live")
    assert saved.history_error is None and len(saved.files) == 2
    for p in saved.files:
        assert_clean(p)
    assert not leaked(db_text(tmp_path / "h.sqlite3"))
    clear = save_report(report, replace(spec, redact=False, store_url=str(tmp_path / "c.sqlite3")), "clear",
                        kind="live")
    assert "4111 1111 1111 1111" in clear.files[0].read_text(encoding="utf-8")
    assert "4111 1111 1111 1111" in db_text(tmp_path / "c.sqlite3")


# ---------------------------------------------------------------------------------------- role-play
ANSWERS = """\
Thank you for calling Acme Telecom, this is Dana, how can I help?
I understand, I'm sorry. Can you confirm the card, 4111 1111 1111 1111, and your e-mail dana.cohen@example.com?
I will refund the second charge today, and call you back on Thursday before noon.
"""


@pytest.mark.parametrize("fmt", ["json", "md", "text"])
def test_roleplay_debrief_and_stored_attempt_are_redacted(fmt: str, tmp_path: Path, home: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS, encoding="utf-8")
    db = tmp_path / "h.sqlite3"
    out = tmp_path / "debrief.out"
    r = run("roleplay", "double-billing", "--responses", str(answers), "--format", fmt, "-o", str(out),
            "--save", "--db", str(db), "--no-semantic")
    assert r.returncode == 0, r.stderr
    assert_clean(out)
    assert not leaked(db_text(db))
    r = run("roleplay", "double-billing", "--responses", str(answers), "--format", fmt, "--no-redact",
            "--no-semantic")
    assert r.returncode == 0 and "4111 1111 1111 1111" in r.stdout


def test_roleplay_debrief_reads_the_history_without_creating_it(tmp_path: Path, home: Path) -> None:
    """Issue 14 (6): reading earlier attempts (the debrief's "since last time") created the database."""
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS, encoding="utf-8")
    missing = tmp_path / "nowhere" / "x.db"
    for extra in ((), ("--db", str(missing))):
        r = run("roleplay", "double-billing", "--responses", str(answers), "--format", "json", "--no-semantic", *extra)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["score"] >= 0
        # the default place on a first run: silence; a --db that is not there: one line naming it
        said = r.stderr.strip().splitlines()
        assert said == [] if not extra else (len(said) == 1 and str(missing) in said[0]), r.stderr
    assert not (tmp_path / "data").exists() and not (tmp_path / "nowhere").exists()


def test_output_through_a_symlink_keeps_the_link(call_txt: Path, tmp_path: Path, home: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert run("analyze", str(call_txt), "--no-semantic", "--format", "json", "-o", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["schema"] == "assist.report/1"
