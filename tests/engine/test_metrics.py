"""Metrics from utterance times, and transcript timing for text input."""

from __future__ import annotations

import pytest

from assist.engine.metrics import compute_metrics
from assist.transcript import parse_txt
from tests.engine.conftest import utt


def test_metrics_from_times() -> None:
    utts = [
        utt(0, "agent", "one two three four five six seven eight nine ten", 0.0, 4.0),   # 10 words in 4 s
        utt(1, "customer", "a b c", 3.0, 6.0),            # 1 s of overtalk
        utt(2, "agent", "x " * 20, 10.0, 14.0),            # 4 s of silence before it
        utt(3, "agent", "y " * 20, 15.0, 19.0),            # same monologue (gap 1 s)
    ]
    m = compute_metrics(utts, duration_s=20.0)
    assert m["overtalk_s"] == 1.0
    assert m["silence_s"] == 4.0  # 6–10; the 1 s gaps (14–15, 19–20) are breathing, not silence
    assert m["agent_talk_ratio"] == round(12 / 15, 2)
    assert m["agent_wpm"] == round(50 / (12 / 60))
    assert m["longest_agent_monologue_s"] == 9.0


def test_customer_turn_ends_monologue() -> None:
    utts = [utt(0, "agent", "a", 0, 10), utt(1, "customer", "b", 10.5, 11), utt(2, "agent", "c", 11.5, 15)]
    assert compute_metrics(utts)["longest_agent_monologue_s"] == 10.0


def test_no_speech_gives_no_ratios() -> None:
    m = compute_metrics([], duration_s=5.0)
    assert m["agent_talk_ratio"] is None and m["agent_wpm"] is None and m["silence_s"] == 5.0


def test_txt_times_given_estimated_and_mixed() -> None:
    given = parse_txt("[00:01] AGENT: hello there\n[01:05.5] customer: hi\n")
    assert given.timing == "given"
    assert [u.start for u in given.utterances] == [1.0, 65.5]
    assert given.utterances[0].end <= 65.5
    est = parse_txt("hello there friend\nCustomer: hi\n")
    assert est.timing == "estimated"
    assert est.utterances[0].speaker == "agent" and est.utterances[1].speaker == "customer"
    assert est.utterances[1].start > est.utterances[0].end
    assert parse_txt("[00:05] AGENT: a\nCUSTOMER: b\n").timing == "partial"


def test_txt_time_going_backwards_is_an_error() -> None:
    from assist.errors import InputError

    with pytest.raises(InputError, match=r"t.txt:2: time .* goes backwards"):
        parse_txt("[01:00] AGENT: a\n[00:30] CUSTOMER: b\n", "t.txt")
