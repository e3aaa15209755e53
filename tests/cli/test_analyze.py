"""`assist analyze`: formats, the report contract, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assist", *args], cwd=cwd, capture_output=True, text=True,
                          env={"ASSIST_CONFIG": "/nonexistent/assist.toml", "PATH": "/usr/bin:/bin",
                               "HOME": str(ROOT)}, timeout=120)


def test_example_json_report_follows_the_schema() -> None:
    r = run("analyze", "examples/support-call.txt", "--company", "Acme", "--agent-name", "Dana",
            "--format", "json", "--no-semantic")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["schema"] == "assist.report/1"
    assert rep["call"]["company"] == "Acme" and rep["call"]["agent_name"] == "Dana"
    assert rep["call"]["source"] == "examples/support-call.txt"
    assert [u["index"] for u in rep["utterances"]] == list(range(len(rep["utterances"])))
    assert rep["utterances"][0]["start"] == 0.0 and rep["utterances"][1]["speaker"] == "customer"
    for e in rep["events"]:
        assert {"type", "category", "rule", "utterance", "speaker", "start", "end", "match", "suggestion",
                "severity", "detector"} <= set(e)
        assert rep["utterances"][e["utterance"]]["speaker"] == e["speaker"]
    assert rep["checklist"]["greeting"]["status"] == "done"
    assert rep["checklist"]["callback"]["status"] == "done"
    assert 0 <= rep["score"] <= 100


def test_markdown_and_summary() -> None:
    md = run("analyze", "examples/support-call.txt", "--format", "md", "--no-semantic")
    assert md.returncode == 0 and md.stdout.startswith("# Call report")
    assert "## Checklist" in md.stdout and "starts-with-no" in md.stdout
    summary = run("analyze", "examples/support-call.txt", "--no-semantic")
    assert summary.returncode == 0 and "Score" in summary.stdout and "Checklist" in summary.stdout


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = run("analyze", "examples/support-call.txt", "--format", "json", "-o", str(out), "--no-semantic")
    assert r.returncode == 0 and r.stdout == ""
    assert json.loads(out.read_text())["schema"] == "assist.report/1"


def test_jsonl_and_json_inputs(tmp_path: Path) -> None:
    lines = [{"speaker": "agent", "start": 0.0, "end": 2.0, "text": "hello acme dana speaking"},
             {"speaker": "customer", "start": 2.5, "end": 4.0, "text": "this is ridiculous"},
             {"speaker": "agent", "start": 4.5, "end": 6.0, "text": "no that is not my job"}]
    p = tmp_path / "t.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    r = run("analyze", str(p), "--format", "json", "--no-semantic")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert {e["category"] for e in rep["events"]} >= {"starts-with-no", "not-my-job"}
    # A report is itself a valid .json input: analyze it again and get the same utterances.
    again = tmp_path / "again.json"
    again.write_text(r.stdout)
    r2 = run("analyze", str(again), "--format", "json", "--no-semantic")
    assert r2.returncode == 0, r2.stderr
    assert json.loads(r2.stdout)["utterances"] == rep["utterances"]


@pytest.mark.parametrize("name,content,expect", [
    ("missing.txt", None, "missing.txt: no such file"),
    ("empty.txt", "\n\n  \n", "empty.txt: empty file"),
    ("binary.txt", b"\x00\x01\x02PK\x03\x04", "binary.txt: binary file"),
    ("bad.json", '[{"speaker": "agent", "text": "hi"},\n {"speaker": ', "bad.json:2: malformed JSON"),
    ("bad.jsonl", '{"speaker": "agent", "text": "hi"}\n{oops}\n', "bad.jsonl:2: malformed JSON"),
    ("who.txt", "AGENT: hello\nSUPERVISOR: listen in\n", "who.txt:2: unknown speaker label 'SUPERVISOR'"),
    ("who.jsonl", '{"speaker": "robot", "text": "beep"}\n', "who.jsonl:1: unknown speaker 'robot'"),
    ("notext.jsonl", '{"speaker": "agent"}\n', "notext.jsonl:1: utterance has no 'text'"),
    ("audio.wav", b"RIFF....WAVEfmt ", "audio.wav: unsupported transcript type '.wav'"),
])
def test_bad_input_is_one_line_naming_file_and_line(tmp_path: Path, name: str, content: str | bytes | None,
                                                    expect: str) -> None:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    elif content is not None:
        p.write_text(content)
    r = run("analyze", str(p), "--no-semantic")
    assert r.returncode == 2
    assert r.stdout == ""
    err = r.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("assist: ") and expect in err, err


def test_bad_lexicon_is_refused_with_file_rule_field(tmp_path: Path) -> None:
    lex = tmp_path / "custom.toml"
    lex.write_text((ROOT / "tests/engine/data/mini.toml").read_text().replace('patterns = ["no"]', 'patterns = ["no("]'))
    r = run("analyze", "examples/support-call.txt", "--lexicon", str(lex), "--no-semantic")
    assert r.returncode == 2
    assert "custom.toml" in r.stderr and "rule 't.no'" in r.stderr and "field 'patterns'" in r.stderr
    assert "Traceback" not in r.stderr


def test_usage_error_exit_2() -> None:
    r = run("analyze")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_hebrew_transcript_end_to_end(tmp_path: Path) -> None:
    call = tmp_path / "call-he.txt"
    call.write_text(
        "[00:00] AGENT: אקמה שלום, מדברת דנה, במה אפשר לעזור?\n"
        "[00:05] CUSTOMER: זה מגוחך, אני מחכה כבר שבועיים!\n"
        "[00:11] AGENT: ולא, זה לא התפקיד שלי.\n"
        "[00:15] AGENT: אני אראה מה ניתן לעשות.\n"
        "[00:20] CUSTOMER: מתי?\n"
        "[00:22] AGENT: אני מבינה מה מתסכל אותך. אבדוק ואחזור אליך ביום חמישי עד השעה שלוש.\n",
        encoding="utf-8")
    r = run("analyze", str(call), "--lexicon", "he", "--company", "אקמה", "--agent-name", "דנה",
            "--format", "json", "--no-semantic")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["call"]["language"] == "he"
    got = [(e["utterance"], e["category"]) for e in rep["events"]]
    assert sorted(got) == [(1, "customer-frustration"), (2, "not-my-job"), (2, "starts-with-no"), (3, "vague-promise")]
    assert rep["checklist"]["greeting"]["status"] == "done"
    assert rep["checklist"]["empathy"]["status"] == "done", "the empathy line came in the agent's second turn"
    assert rep["checklist"]["callback"] == {"status": "done", "at": 22.0, "commitment": "ביום חמישי עד השעה שלוש"}
