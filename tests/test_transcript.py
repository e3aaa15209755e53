"""Text transcripts: notes, speaker labels, times (and their validation), linear reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assist.errors import InputError
from assist.transcript import load_transcript, parse_json, parse_jsonl, parse_txt
from tests.steps import growth


def test_hash_lines_are_notes_not_speech() -> None:
    tr = parse_txt("# the demo call\nAGENT: hello, this is Dana\n  # a stage note\nCUSTOMER: hi\n")
    assert [(u.speaker, u.text) for u in tr.utterances] == [("agent", "hello, this is Dana"), ("customer", "hi")]


def test_hash_inside_a_line_is_kept() -> None:
    tr = parse_txt("AGENT: your ticket is #4411\n")
    assert tr.utterances[0].text == "your ticket is #4411"


# ---------------------------------------------------------------- speaker labels
@pytest.mark.parametrize("line,speaker,text", [
    ("AGENT: hello", "agent", "hello"),
    ("customer: hi", "customer", "hi"),
    ("A:hello", "agent", "hello"),
    ("Agent Dana: hello", "agent", "hello"),
    ("Customer Bob: it broke", "customer", "it broke"),
    ("סוכן: שלום, מדברת דנה", "agent", "שלום, מדברת דנה"),
    ("נציגה: שלום", "agent", "שלום"),
    ("לקוח: זה לא עובד", "customer", "זה לא עובד"),
    ("לקוחה: זה לא עובד", "customer", "זה לא עובד"),
    ("so: here is what we can do", "agent", "so: here is what we can do"),
    ("Here's the thing: we can fix it", "agent", "Here's the thing: we can fix it"),
    ("I'll call you at 10:30 tomorrow", "agent", "I'll call you at 10:30 tomorrow"),
])
def test_speaker_labels(line: str, speaker: str, text: str) -> None:
    u = parse_txt(line + "\n").utterances[0]
    assert (u.speaker, u.text) == (speaker, text)


@pytest.mark.parametrize("line,label", [
    ("supervisor: I'm listening in", "supervisor"),
    ("Supervisor Jim: let me take this", "Supervisor Jim"),
    ("SUPERVISOR: listen in", "SUPERVISOR"),
    ("Jim: hello there", "Jim"),
    ("Dana Cohen: hello", "Dana Cohen"),
    ("Speaker 2: hello", "Speaker 2"),
    ("team lead: ok", "team lead"),
    ("מנהל: אני אטפל בזה", "מנהל"),
    ("מנהלת משמרת: אני כאן", "מנהלת משמרת"),
])
def test_a_third_voice_is_an_error_never_the_agent(line: str, label: str) -> None:
    with pytest.raises(InputError) as e:
        parse_txt("AGENT: hello\n" + line + "\n", "call.txt")
    msg = str(e.value)
    assert msg.startswith("call.txt:2: unknown speaker label") and repr(label) in msg and "\n" not in msg


# ---------------------------------------------------------------- times
@pytest.mark.parametrize("obj,expect", [
    ({"speaker": "agent", "text": "hi", "start": float("nan"), "end": 1}, "'start' is nan"),
    ({"speaker": "agent", "text": "hi", "start": 0, "end": float("inf")}, "'end' is inf"),
    ({"speaker": "agent", "text": "hi", "start": -3, "end": 1}, "'start' is negative"),
    ({"speaker": "agent", "text": "hi", "start": 5, "end": 2}, "'end' (2) is before 'start' (5)"),
    ({"speaker": "agent", "text": "hi", "start": "soon", "end": 2}, "'start' must be a number"),
    ({"speaker": "agent", "text": "hi", "start": True, "end": 2}, "'start' must be a number"),
    ({"speaker": "agent", "text": "hi", "start": 1e300, "end": 1e301}, "not a call's time"),
    ({"speaker": "agent", "text": "hi", "start": 0, "end": 1,
      "words": [{"text": "hi", "start": float("-inf"), "end": 1}]}, "word 1 'start' is -inf"),
])
def test_bad_times_in_jsonl_name_file_and_line(obj: dict[str, object], expect: str) -> None:
    good = json.dumps({"speaker": "customer", "text": "hello", "start": 0.0, "end": 0.5})
    with pytest.raises(InputError) as e:
        parse_jsonl(good + "\n" + json.dumps(obj) + "\n", "t.jsonl")
    msg = str(e.value)
    assert msg.startswith("t.jsonl:2: ") and expect in msg and "\n" not in msg, msg


def test_nan_in_a_json_report_names_the_utterance_line(tmp_path: Path) -> None:
    # json.dumps writes NaN / Infinity tokens, which Python's json reads back: exactly what a user gets
    # from a tool that serialises floats carelessly.
    rep = {"schema": "assist.report/1", "call": {"source": "x", "note": "a: [1, 2]"}, "utterances": [
        {"index": 0, "speaker": "agent", "start": 0.0, "end": 1.0, "text": "hello [there], {x}"},
        {"index": 1, "speaker": "customer", "start": float("nan"), "end": 2.0, "text": "hi"},
    ]}
    p = tmp_path / "r.json"
    p.write_text(json.dumps(rep, indent=2))
    with pytest.raises(InputError) as e:
        load_transcript(p)
    line = p.read_text().splitlines().index("    {", 10) + 1  # the second utterance object
    assert str(e.value).startswith(f"{p}:{line}: utterance 2: 'start' is nan"), str(e.value)
    # A plain list works the same; one line per utterance.
    p.write_text("[\n" + ",\n".join(json.dumps(u) for u in rep["utterances"]) + "\n]\n")  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=r"r\.json:3: utterance 2: 'start' is nan"):
        load_transcript(p)


def test_call_duration_must_be_finite() -> None:
    with pytest.raises(InputError, match="'duration_s' is inf"):
        parse_json('{"call": {"duration_s": Infinity}, "utterances": [{"text": "hi"}]}', "r.json")


def test_good_times_still_read() -> None:
    tr = parse_jsonl('{"speaker": "agent", "text": "hi", "start": "1.5", "end": 2}\n', "t.jsonl")
    assert (tr.utterances[0].start, tr.utterances[0].end) == (1.5, 2.0)


# ---------------------------------------------------------------- linear in the number of lines
def test_reading_a_transcript_is_linear() -> None:
    """Issue 14: each line scanned the rest of the file (64k lines took minutes). Steps, not seconds:
    four times the lines must cost about four times the work (quadratic would be sixteen)."""
    def read(n: int) -> None:
        parse_txt("".join(f"AGENT: line {i} of the call\nCUSTOMER: ok\n" for i in range(n)))

    assert growth(read, 150) < 5.0


def test_partly_timed_transcripts_keep_their_times() -> None:
    tr = parse_txt("[00:01] AGENT: hello there\nCUSTOMER: hi\n[00:10] AGENT: so, the bill\n")
    assert [u.start for u in tr.utterances][0] == 1.0 and tr.utterances[2].start == 10.0
    assert tr.utterances[1].end <= 9.9 and tr.timing == "partial"


def test_size_limits_are_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "dump.txt"
    with big.open("wb") as f:
        f.truncate(21 * 2**20)  # sparse: costs no disk
    with pytest.raises(InputError, match=r"dump\.txt: 21\.0 MB, over the 20 MB limit"):
        load_transcript(big)
    import assist.transcript as T

    monkeypatch.setattr(T, "MAX_UTTERANCES", 3)
    with pytest.raises(InputError, match=r"t\.txt:4: more than 3 utterances"):
        parse_txt("a\nb\nc\nd\n", "t.txt")
    with pytest.raises(InputError, match=r"t\.jsonl:4: more than 3"):
        parse_jsonl("".join('{"text": "x"}\n' for _ in range(4)), "t.jsonl")
    with pytest.raises(InputError, match=r"t\.json: more than 3"):
        parse_json(json.dumps([{"text": "x"}] * 4), "t.json")
