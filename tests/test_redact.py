"""Redaction (DESIGN.md privacy): what is stored or exported hides cards, phones, e-mails, IDs."""

from __future__ import annotations

import pytest

from assist.redact import luhn_ok, redact_report, redact_text


@pytest.mark.parametrize("text,expected", [
    ("my card is 4111 1111 1111 1111 thanks", "my card is [card] thanks"),
    ("card 5500-0000-0000-0004", "card [card]"),
    ("call me on +44 20 7946 0958", "call me on [phone]"),
    ("my number is 054-123-4567", "my number is [phone]"),
    ("email jo.smith@example.com please", "email [email] please"),
    ("it's jo at example dot com", "it's [email]"),
    ("ssn 123-45-6789", "ssn [id]"),
    ("NI number AB 12 34 56 C", "NI number [id]"),
    ("teudat zehut 123456782", "teudat zehut [id]"),
    ("four one one one one one one one one one one one", "[number]"),
])
def test_identifying_data_is_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "I'll call you back on Thursday at 10:30", "order 1234567", "it costs 49.99", "on the 14th",
    "three pm tomorrow", "4111 1111 1111 1112 is not a valid card",
])
def test_ordinary_numbers_stay(text: str) -> None:
    out = redact_text(text)
    assert "[card]" not in out and "[email]" not in out
    if "1112" not in text:
        assert out == text


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_redact_report_keeps_structure_and_times() -> None:
    rep = {"call": {"source": "x"}, "utterances": [
        {"index": 0, "speaker": "customer", "start": 1.0, "end": 3.0, "text": "card 4111 1111 1111 1111",
         "words": [{"text": "card", "start": 1.0, "end": 1.3}, {"text": "4111", "start": 1.3, "end": 1.8},
                   {"text": "1111", "start": 1.8, "end": 2.2}, {"text": "1111", "start": 2.2, "end": 2.6},
                   {"text": "1111", "start": 2.6, "end": 3.0}]}],
        "events": [{"match": "mail me at a@b.com"}]}
    out = redact_report(rep)
    assert rep["utterances"][0]["text"].endswith("1111"), "the original is untouched"
    u = out["utterances"][0]
    assert u["text"] == "card [card]" and u["start"] == 1.0
    assert [w["text"] for w in u["words"]] == ["card"] + ["[redacted]"] * 4
    assert out["events"][0]["match"] == "mail me at [email]"
    assert out["call"]["redacted"] is True
