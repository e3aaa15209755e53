"""Text transcripts: comment lines are notes, not speech (the demo script carries them)."""

from __future__ import annotations

from assist.transcript import parse_txt


def test_hash_lines_are_notes_not_speech() -> None:
    tr = parse_txt("# the demo call\nAGENT: hello, this is Dana\n  # a stage note\nCUSTOMER: hi\n")
    assert [(u.speaker, u.text) for u in tr.utterances] == [("agent", "hello, this is Dana"), ("customer", "hi")]


def test_hash_inside_a_line_is_kept() -> None:
    tr = parse_txt("AGENT: your ticket is #4411\n")
    assert tr.utterances[0].text == "your ticket is #4411"
